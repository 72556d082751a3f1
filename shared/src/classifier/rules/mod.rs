//! The built-in fallback classifier: the answer whenever the language model cannot give one.
//!
//! Labels come from two naive Bayes models (category and priority, [`naive_bayes`]) trained by
//! `shared/build.rs` on the labelled corpus in `shared/data/tickets/` and embedded as static
//! tables; they generalise better to unseen tickets than the hand-written cues (see the README's
//! Classification section for the cross-validated figures). How sure each label is comes from
//! the model's margin between its best and runner-up label; the tone from a small cue lexicon
//! with negation; the language from `whatlang`.
//!
//! The hand-written cue engine stays as [`classify_by_cues`], the baseline the model is measured
//! against, and for the tone cues. It scores weighted cue phrases over a lowercased, tokenised
//! copy of the text. Matching whole tokens rather than substrings is what keeps "card" out of
//! "discard" and "down" out of "download"; a trailing `*` on a cue word opts into prefix matching
//! where inflections matter. No regex engine: this runs on every classification and the `shared`
//! crate stays lean. The cues it scores are in `tables.rs`.

pub mod naive_bayes;
mod tables;

use self::naive_bayes::{Model, Prediction, StaticModel};
use self::tables::{
    CAN_WAIT, CANNOT_WORK, COUNT_WORDS, Cue, EMERGENCY, ESCALATION, FAILURE, LOCKED_OUT,
    NEEDS_ACTION, NEGATIVE_TONE, NEGATORS, PAYMENT_TROUBLE, POSITIVE_TONE, SEVERAL_AFFECTED,
    SUSPECTED_MISUSE, URGENCY, WIDESPREAD, category_cues,
};
use super::{Assessment, LabelConfidence, Labels, Language};
use crate::domain::{Category, Confidence, Priority, Sentiment};

/// The models `build.rs` trained (`CATEGORY`, `PRIORITY`).
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
    let (category, priority) = predict(text);
    Assessment {
        labels: labels_of(category, priority),
        confidence: LabelConfidence {
            category: CATEGORY_MARGINS.confidence(category.margin),
            priority: PRIORITY_MARGINS.confidence(priority.margin),
        },
        sentiment: sentiment(text),
        language: language(text),
    }
}

/// Suggests a category and priority for a ticket's text ("title\n\ndescription" or just a
/// description).
#[must_use]
pub fn classify(text: &str) -> Labels {
    let (category, priority) = predict(text);
    labels_of(category, priority)
}

/// The two models' predictions for a text.
fn predict(text: &str) -> (Prediction, Prediction) {
    let (title, description) = split_title(text);
    let features = naive_bayes::features(title, description);
    (
        models::CATEGORY.predict(&features),
        models::PRIORITY.predict(&features),
    )
}

fn labels_of(category: Prediction, priority: Prediction) -> Labels {
    // The model's columns are in the order of `ALL` (a unit test checks the label names).
    Labels {
        category: Category::ALL[category.label],
        priority: Priority::ALL[priority.label],
    }
}

/// A text's title and description: only a single line followed by a blank line is taken for a
/// title, so a description passed on its own is read evenly.
fn split_title(raw: &str) -> (&str, &str) {
    match raw.split_once("\n\n") {
        Some((head, rest)) if !head.contains('\n') => (head, rest),
        _ => ("", raw),
    }
}

/// The tone of a text from its cues: each affirmed negative cue counts against, each affirmed
/// positive cue for, and a negated positive cue ("not happy") against.
#[must_use]
pub fn sentiment(text: &str) -> Sentiment {
    let text = Text::new(text);
    let negative = text.affirmed_score(NEGATIVE_TONE) + text.negated_score(POSITIVE_TONE);
    let positive = text.affirmed_score(POSITIVE_TONE);
    if negative > positive {
        Sentiment::Negative
    } else if positive > negative {
        Sentiment::Positive
    } else {
        Sentiment::Neutral
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

/// How many tokens before a cue a negator may stand to cancel it.
const NEGATION_REACH: usize = 3;

struct Token {
    word: String,
    /// Clause number, so a negation never reaches across a sentence or comma.
    clause: u32,
}

/// The ticket as lowercase word tokens, apostrophes dropped and punctuation gone.
struct Text {
    tokens: Vec<Token>,
    /// Token positions ordered by word, so a cue finds where it could start by binary search
    /// instead of walking a long description once per cue.
    by_word: Vec<usize>,
    /// Tokens before this index are the title, which says in a few words what the ticket is
    /// about and so counts double for the category.
    title_end: usize,
}

impl Text {
    fn new(raw: &str) -> Self {
        // Only a single line followed by a blank line is taken for a title, so a description
        // passed on its own is read evenly.
        let (title, body) = match raw.split_once("\n\n") {
            Some((head, rest)) if !head.contains('\n') => (head, rest),
            _ => ("", raw),
        };
        let mut text = Self {
            tokens: Vec::new(),
            by_word: Vec::new(),
            title_end: 0,
        };
        let mut clause = 0;
        text.push_tokens(title, &mut clause);
        text.title_end = text.tokens.len();
        clause += 1;
        text.push_tokens(body, &mut clause);
        text.by_word = (0..text.tokens.len()).collect();
        text.by_word
            .sort_unstable_by(|&a, &b| text.tokens[a].word.cmp(&text.tokens[b].word));
        text
    }

    fn push_tokens(&mut self, raw: &str, clause: &mut u32) {
        let mut word = String::new();
        for ch in raw.chars() {
            if ch.is_alphanumeric() {
                word.extend(ch.to_lowercase());
                continue;
            }
            // Dropping apostrophes makes "can't", "can’t" and "cant" one token.
            if matches!(ch, '\'' | '’') && !word.is_empty() {
                continue;
            }
            if !word.is_empty() {
                self.tokens.push(Token {
                    word: std::mem::take(&mut word),
                    clause: *clause,
                });
            }
            if matches!(ch, '.' | ',' | ';' | ':' | '!' | '?' | '\n' | '(' | ')') {
                *clause += 1;
            }
        }
        if !word.is_empty() {
            self.tokens.push(Token {
                word,
                clause: *clause,
            });
        }
    }

    /// Start positions, in no particular order, where `phrase` matches; see [`word_matches`]
    /// for the pattern syntax.
    fn matches<'a>(&'a self, phrase: &'a str) -> impl Iterator<Item = usize> + 'a {
        let first = phrase.split_whitespace().next().unwrap_or_default();
        self.starting_with(first)
            .iter()
            .copied()
            .filter(move |&start| {
                let mut patterns = phrase.split_whitespace();
                let mut words = self.tokens[start..].iter().map(|token| token.word.as_str());
                patterns.all(|pattern| words.next().is_some_and(|word| word_matches(pattern, word)))
            })
    }

    /// Positions of the tokens `pattern` matches, as a slice of `by_word`.
    fn starting_with(&self, pattern: &str) -> &[usize] {
        let word_at = |position: &usize| self.tokens[*position].word.as_str();
        let (prefix, exact) = match pattern {
            "*" | "#" | "" => return &self.by_word,
            _ => match pattern.strip_suffix('*') {
                Some(prefix) => (prefix, false),
                None => (pattern, true),
            },
        };
        let from = self
            .by_word
            .partition_point(|position| word_at(position) < prefix);
        let rest = &self.by_word[from..];
        let len = if exact {
            rest.partition_point(|position| word_at(position) == prefix)
        } else {
            rest.partition_point(|position| word_at(position).starts_with(prefix))
        };
        &rest[..len]
    }

    fn is_negated(&self, start: usize) -> bool {
        let Some(token) = self.tokens.get(start) else {
            return false;
        };
        self.tokens[start.saturating_sub(NEGATION_REACH)..start]
            .iter()
            .any(|before| before.clause == token.clause && NEGATORS.contains(&before.word.as_str()))
    }

    fn is_affirmed(&self, phrase: &str) -> bool {
        self.matches(phrase).any(|start| !self.is_negated(start))
    }

    /// Sums the weights of the cues present, each counted once however often it occurs, and
    /// once more if it occurs in the title.
    fn score(&self, cues: &[Cue]) -> u32 {
        cues.iter()
            .map(|&(phrase, weight)| {
                let mut starts = self.matches(phrase).peekable();
                if starts.peek().is_none() {
                    0
                } else if starts.any(|start| start < self.title_end) {
                    weight * 2
                } else {
                    weight
                }
            })
            .sum()
    }

    /// Sums the weights of the cues present only with a negator just before them.
    fn negated_score(&self, cues: &[Cue]) -> u32 {
        cues.iter()
            .filter(|(phrase, _)| {
                let mut starts = self.matches(phrase).peekable();
                starts.peek().is_some() && starts.all(|start| self.is_negated(start))
            })
            .map(|(_, weight)| weight)
            .sum()
    }

    /// Sums the weights of the cues present with no negator just before them.
    fn affirmed_score(&self, cues: &[Cue]) -> u32 {
        cues.iter()
            .filter(|(phrase, _)| self.is_affirmed(phrase))
            .map(|(_, weight)| weight)
            .sum()
    }

    /// Whether any phrase is present with no negator just before it.
    fn has_any(&self, phrases: &[&str]) -> bool {
        phrases.iter().any(|phrase| self.is_affirmed(phrase))
    }
}

/// One pattern word against one token: `*` alone matches any word, `#` any number, a trailing
/// `*` a prefix, anything else the whole word.
fn word_matches(pattern: &str, word: &str) -> bool {
    match pattern {
        "*" => true,
        "#" => word.chars().all(|ch| ch.is_ascii_digit()) || COUNT_WORDS.contains(&word),
        _ => match pattern.strip_suffix('*') {
            Some(prefix) => word.starts_with(prefix),
            None => pattern == word,
        },
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
    fn the_model_columns_are_in_domain_order() {
        for (label, category) in naive_bayes::CATEGORY_LABELS.iter().zip(Category::ALL) {
            assert_eq!(*label, category.as_str());
        }
        for (label, priority) in naive_bayes::PRIORITY_LABELS.iter().zip(Priority::ALL) {
            assert_eq!(*label, priority.as_str());
        }
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
