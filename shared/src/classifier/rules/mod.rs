//! The built-in fallback classifier: the answer whenever the language model cannot give one.
//!
//! Labels come from two naive Bayes models (category and priority, [`naive_bayes`]) trained by
//! `shared/build.rs` on the labelled corpus in `shared/data/tickets/` and embedded as static
//! tables; they generalise better to unseen tickets than the hand-written cues (see the README's
//! Classification section for the cross-validated figures). How sure each label is comes from
//! the model's margin between its best and runner-up label. The tone comes from a third model,
//! trained on the tickets that carry a tone label; the language from `whatlang`.
//!
//! The hand-written cue engine stays as [`classify_by_cues`], the baseline the model is measured
//! against. It scores weighted cue phrases (`tables.rs`) matched as whole words with negation
//! (`cues.rs`); the priority and tone models read the same cues as features.

mod cues;
pub mod naive_bayes;
mod tables;

use self::cues::Text;
use self::naive_bayes::{Model, Prediction, StaticModel};
use self::tables::{
    ACCOUNT, BILLING, CAN_WAIT, CANNOT_WORK, Cue, EMERGENCY, ESCALATION, FAILURE, GENERAL,
    LOCKED_OUT, NEEDS_ACTION, PAYMENT_TROUBLE, SEVERAL_AFFECTED, SUSPECTED_MISUSE, TECHNICAL,
    URGENCY, WIDESPREAD,
};
use super::{Assessment, LabelConfidence, Labels, Language};
use crate::domain::{Category, Confidence, Priority, Sentiment};

/// The models `build.rs` trained (`CATEGORY`, `PRIORITY`, `SENTIMENT`).
mod models {
    use super::{Model, StaticModel};

    include!(concat!(env!("OUT_DIR"), "/models.rs"));
}

/// Margins (ln of the best label's posterior over the runner-up's) from which a label is a
/// high-confidence answer, and under which it is a low one; chosen from the cross-validated
/// predictions so that high answers are right at least 90% of the time and low ones are the
/// unsure few (`tests/classifier_accuracy.rs` prints the accuracy at each level).
pub const CATEGORY_MARGINS: Margins = Margins {
    high: 3.0,
    low: 1.0,
};
pub const PRIORITY_MARGINS: Margins = Margins {
    high: 9.0,
    low: 1.0,
};

/// Confidence thresholds on a model's margin.
#[derive(Debug, Clone, Copy)]
pub struct Margins {
    pub high: f32,
    pub low: f32,
}

impl Margins {
    pub fn confidence(self, margin: f32) -> Confidence {
        if margin >= self.high {
            Confidence::High
        } else if margin < self.low {
            Confidence::Low
        } else {
            Confidence::Medium
        }
    }
}

/// Below this many letters a text is too short to tell its language.
const MIN_LETTERS_FOR_LANGUAGE: usize = 20;

/// Everything the fallback says about a text ("title\n\ndescription" or just a description): its
/// labels, how sure it is of each, the tone and the language.
#[must_use]
pub fn assess(text: &str) -> Assessment {
    let predictions = predict(text);
    Assessment {
        labels: predictions.labels(),
        confidence: LabelConfidence {
            category: CATEGORY_MARGINS.confidence(predictions.category.margin),
            priority: PRIORITY_MARGINS.confidence(predictions.priority.margin),
        },
        sentiment: Sentiment::ALL[predictions.sentiment.label],
        language: language(text),
    }
}

/// Suggests a category and priority for a ticket's text ("title\n\ndescription" or just a
/// description).
#[must_use]
pub fn classify(text: &str) -> Labels {
    predict(text).labels()
}

/// The tone of a text, from the tone model.
#[must_use]
pub fn sentiment(text: &str) -> Sentiment {
    Sentiment::ALL[predict(text).sentiment.label]
}

/// The three models' predictions for one text. Their columns are in the order of the domain
/// enums' `ALL` (a unit test checks the label names).
struct Predictions {
    category: Prediction,
    priority: Prediction,
    sentiment: Prediction,
}

impl Predictions {
    fn labels(&self) -> Labels {
        Labels {
            category: Category::ALL[self.category.label],
            priority: Priority::ALL[self.priority.label],
        }
    }
}

fn predict(text: &str) -> Predictions {
    let (title, description) = cues::split_title(text);
    let features = naive_bayes::ticket_features(title, description);
    Predictions {
        category: models::CATEGORY.predict(&features.category),
        priority: models::PRIORITY.predict(&features.priority),
        sentiment: models::SENTIMENT.predict(&features.sentiment),
    }
}

/// The language of a text as a BCP 47 primary tag, when `whatlang` is sure of it and the text has
/// enough letters to tell.
#[must_use]
pub fn language(text: &str) -> Option<Language> {
    let letters = text.chars().filter(|ch| ch.is_alphabetic()).count();
    if letters < MIN_LETTERS_FOR_LANGUAGE {
        return None;
    }
    let info = whatlang::detect(text).filter(whatlang::Info::is_reliable)?;
    Language::parse(primary_tag(info.lang()))
}

/// The ISO 639-1 code of a `whatlang` language where there is one (BCP 47 prefers it), or its
/// ISO 639-3 code, which is a valid primary tag too.
fn primary_tag(lang: whatlang::Lang) -> &'static str {
    let iso_639_3 = lang.code();
    match iso_639_3 {
        "afr" => "af",
        "aka" => "ak",
        "amh" => "am",
        "ara" => "ar",
        "aze" => "az",
        "bel" => "be",
        "ben" => "bn",
        "bul" => "bg",
        "cat" => "ca",
        "ces" => "cs",
        "cmn" => "zh",
        "dan" => "da",
        "deu" => "de",
        "ell" => "el",
        "eng" => "en",
        "epo" => "eo",
        "est" => "et",
        "fin" => "fi",
        "fra" => "fr",
        "guj" => "gu",
        "heb" => "he",
        "hin" => "hi",
        "hrv" => "hr",
        "hun" => "hu",
        "hye" => "hy",
        "ind" => "id",
        "ita" => "it",
        "jav" => "jv",
        "jpn" => "ja",
        "kan" => "kn",
        "kat" => "ka",
        "khm" => "km",
        "kor" => "ko",
        "lat" => "la",
        "lav" => "lv",
        "lit" => "lt",
        "mal" => "ml",
        "mar" => "mr",
        "mkd" => "mk",
        "mya" => "my",
        "nep" => "ne",
        "nld" => "nl",
        "nob" => "nb",
        "ori" => "or",
        "pan" => "pa",
        "pes" => "fa",
        "pol" => "pl",
        "por" => "pt",
        "ron" => "ro",
        "rus" => "ru",
        "sin" => "si",
        "slk" => "sk",
        "slv" => "sl",
        "sna" => "sn",
        "spa" => "es",
        "srp" => "sr",
        "swe" => "sv",
        "tam" => "ta",
        "tel" => "te",
        "tgl" => "tl",
        "tha" => "th",
        "tuk" => "tk",
        "tur" => "tr",
        "ukr" => "uk",
        "urd" => "ur",
        "uzb" => "uz",
        "vie" => "vi",
        "yid" => "yi",
        "zul" => "zu",
        other => other,
    }
}

/// The hand-written cue rules' category and priority: the former fallback, kept as the baseline
/// the learned model is measured against.
#[must_use]
pub fn classify_by_cues(text: &str) -> Labels {
    let text = Text::new(text);
    let category = categorize(&text);
    Labels {
        category: category.unwrap_or(Category::General),
        priority: prioritize(&text, category),
    }
}

/// How far a general enquiry leans towards low priority, in cue-weight units.
const GENERAL_ENQUIRY_LEAN: u32 = 2;

/// The cues of each category. The match is exhaustive, so a category added to the enum does not
/// compile until it has cues in `tables.rs`.
const fn category_cues(category: Category) -> &'static [Cue] {
    match category {
        Category::Billing => BILLING,
        Category::Technical => TECHNICAL,
        Category::Account => ACCOUNT,
        Category::General => GENERAL,
    }
}

/// The best-scoring category, or `None` when no category cue is present at all.
fn categorize(text: &Text) -> Option<Category> {
    let mut best: Option<(Category, u32)> = None;
    // Only a strictly higher score takes over, so ties go to the earlier category in
    // `Category::ALL`, which is product order.
    for &category in Category::ALL {
        let score = text.score(category_cues(category));
        if score > best.map_or(0, |(_, best_score)| best_score) {
            best = Some((category, score));
        }
    }
    best.map(|(category, _)| category)
}

fn prioritize(text: &Text, category: Option<Category>) -> Priority {
    let widespread = text.has_any(WIDESPREAD);
    let broken = text.has_any(FAILURE);
    // One customer is harmed: locked out, kept from working, in trouble with a payment, or
    // afraid someone else is using their account. High on its own, critical when widespread.
    let harmed = [LOCKED_OUT, CANNOT_WORK, PAYMENT_TROUBLE, SUSPECTED_MISUSE]
        .into_iter()
        .any(|phrases| text.has_any(phrases));

    if text.has_any(EMERGENCY) || (widespread && (broken || harmed)) {
        return Priority::Critical;
    }
    if harmed
        || text.has_any(URGENCY)
        || text.has_any(ESCALATION)
        || (text.has_any(SEVERAL_AFFECTED) && broken)
    {
        return Priority::High;
    }
    // A general enquiry is a conversation rather than a fault, so it leans low unless the
    // customer says something needs doing. Text with no cues at all stays at the default.
    let enquiry_lean = if category == Some(Category::General) {
        GENERAL_ENQUIRY_LEAN
    } else {
        0
    };
    if text.affirmed_score(CAN_WAIT) + enquiry_lean > text.affirmed_score(NEEDS_ACTION) {
        return Priority::Low;
    }
    Priority::Medium
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(category: Category, priority: Priority) -> Labels {
        Labels { category, priority }
    }

    #[test]
    fn every_category_has_cues_of_its_own() {
        let mut seen = std::collections::HashSet::new();
        for &category in Category::ALL {
            let cues = category_cues(category);
            assert!(!cues.is_empty(), "{category} has no cues");
            assert!(
                seen.insert(cues.as_ptr()),
                "{category} shares its cue table with another category"
            );
        }
    }

    #[test]
    fn the_model_columns_are_in_domain_order() {
        for (label, category) in naive_bayes::CATEGORY_LABELS.iter().zip(Category::ALL) {
            assert_eq!(*label, category.as_str());
        }
        for (label, priority) in naive_bayes::PRIORITY_LABELS.iter().zip(Priority::ALL) {
            assert_eq!(*label, priority.as_str());
        }
        for (label, sentiment) in naive_bayes::SENTIMENT_LABELS.iter().zip(Sentiment::ALL) {
            assert_eq!(*label, sentiment.as_str());
        }
        assert_eq!(Sentiment::ALL.len(), 3);
        assert_eq!(Category::ALL.len(), 4);
        assert_eq!(Priority::ALL.len(), 4);
    }

    #[test]
    fn the_learned_fallback_labels_typical_tickets() {
        let cases = [
            (
                "Charged twice\n\nMy card was charged twice for the March invoice.",
                Category::Billing,
            ),
            (
                "Locked out\n\nI lost my phone with the authenticator and can't log in.",
                Category::Account,
            ),
            (
                "The CSV export fails with an error for large date ranges.",
                Category::Technical,
            ),
        ];
        for (text, category) in cases {
            assert_eq!(classify(text).category, category, "{text:?}");
        }
        let down = "Production down\n\nThe site is down for everyone, every page returns 502.";
        assert_eq!(classify(down).priority, Priority::Critical);
        let cosmetic = "The tooltip on the export page is cut off. Not urgent.";
        assert!(classify(cosmetic).priority <= Priority::Medium);
    }

    #[test]
    fn assess_reports_tone_language_and_confidence() {
        let angry = assess(
            "Still broken\n\nThis is unacceptable, I am so frustrated. Third time I write about \
             the invoice being wrong.",
        );
        assert_eq!(angry.sentiment, Sentiment::Negative);
        assert_eq!(angry.language.as_ref().map(Language::as_str), Some("en"));
        let pleased = assess("Love the new dashboard, thank you so much, great work!");
        assert_eq!(pleased.sentiment, Sentiment::Positive);
        assert_eq!(
            sentiment("I am not happy with this at all"),
            Sentiment::Negative
        );
        assert_eq!(
            sentiment("Where can I find my invoices?"),
            Sentiment::Neutral
        );
        let german =
            "Hallo, ich kann mich seit heute Morgen nicht mehr anmelden, bitte helfen Sie mir.";
        assert_eq!(language(german).as_ref().map(Language::as_str), Some("de"));
        assert_eq!(language("Help pls"), None);
        let plain = assess("How do I change my password?");
        assert_eq!(plain.labels.category, Category::Account);
        assert_ne!(plain.confidence.category, Confidence::Low);
    }

    #[test]
    fn typical_tickets_get_sensible_labels() {
        let cases = [
            (
                "Charged twice\n\nMy card was charged twice for the March invoice.",
                labels(Category::Billing, Priority::High),
            ),
            (
                "Site down\n\nThe app is down for everyone in our company, every page returns 502.",
                labels(Category::Technical, Priority::Critical),
            ),
            (
                "Locked out\n\nI lost my phone with the authenticator and can't log in.",
                labels(Category::Account, Priority::High),
            ),
            (
                "Feature request\n\nWould be nice to pin tickets to the top of the queue.",
                labels(Category::General, Priority::Low),
            ),
            (
                "The CSV export fails with an error for large date ranges.",
                labels(Category::Technical, Priority::Medium),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(classify_by_cues(text), expected, "{text:?}");
        }
    }

    #[test]
    fn cues_match_whole_words_only() {
        // "discard" holds "card" and "download" holds "down"; neither may count.
        let text = "How do I discard a draft before I download the transcript?";
        assert_eq!(
            classify_by_cues(text),
            labels(Category::General, Priority::Low)
        );
        let download = classify_by_cues("Everyone on the team needs a download button");
        assert_ne!(download.priority, Priority::Critical);
        assert_eq!(
            classify_by_cues("The site is down for everyone").priority,
            Priority::Critical
        );
    }

    #[test]
    fn a_negated_urgency_cue_does_not_raise_priority() {
        let urgent = "The tooltip on the export page is cut off. Urgent.";
        let not_urgent = "The tooltip on the export page is cut off. Not urgent.";
        assert_eq!(classify_by_cues(urgent).priority, Priority::High);
        assert_eq!(classify_by_cues(not_urgent).priority, Priority::Low);
        // A negation in an earlier sentence does not reach the cue.
        assert_eq!(
            classify_by_cues("Nothing works. Urgent, please").priority,
            Priority::High
        );
    }

    #[test]
    fn case_accents_and_curly_apostrophes_are_normalised() {
        let text = Text::new("Müller’s PASSWORD can't");
        let words: Vec<&str> = text
            .tokens
            .iter()
            .map(|token| token.word.as_str())
            .collect();
        assert_eq!(words, ["müllers", "password", "cant"]);
        assert_eq!(
            classify_by_cues("ÉQUIPE: I CAN’T LOG IN SINCE THIS MORNING"),
            labels(Category::Account, Priority::High)
        );
    }

    #[test]
    fn an_empty_or_unrelated_text_falls_back_to_general_medium() {
        assert_eq!(
            classify_by_cues(""),
            labels(Category::General, Priority::Medium)
        );
        assert_eq!(
            classify_by_cues("Hello there"),
            labels(Category::General, Priority::Medium)
        );
    }

    /// A ticket the rules give each category and each priority. The matches are exhaustive, so
    /// a label added to the domain enums does not compile until the rules can suggest it.
    #[test]
    fn every_category_and_priority_can_be_suggested() {
        let category_example = |category| match category {
            Category::Billing => "Where can I download last month's invoice?",
            Category::Technical => "The export button throws an error",
            Category::Account => "How do I change my password?",
            Category::General => "Do you offer webinars for new agents?",
        };
        for &category in Category::ALL {
            let text = category_example(category);
            assert_eq!(classify_by_cues(text).category, category, "{text:?}");
        }
        let priority_example = |priority| match priority {
            Priority::Low => "Small typo on the pricing page, no rush",
            Priority::Medium => "The CSV export fails with an error for large date ranges.",
            Priority::High => "I can't log in since this morning",
            Priority::Critical => "Production down: the site is down for everyone",
        };
        for &priority in Priority::ALL {
            let text = priority_example(priority);
            assert_eq!(classify_by_cues(text).priority, priority, "{text:?}");
        }
    }
}
