//! Measures the fallback classifier on the labelled corpus (`shared/data/tickets/`) by 10-fold
//! stratified cross-validation: the naive Bayes models are trained on nine folds and score the
//! tenth, so every figure is for tickets the model never saw. The hand-written cue rules, which
//! do not train, are scored on the same tickets; they were tuned on `rules-tuning.jsonl`, so the
//! figures on the varied files alone are the fair comparison.
//! Run with `--nocapture` to see the figures, confusion matrices and confidence calibration.

use std::fmt::Write as _;
use std::time::Duration;

use shared::classifier::eval::{self, Tally, write_matrix};
use shared::classifier::rules::naive_bayes::{
    self, CATEGORY_LABELS, CATEGORY_TRAINING, LabelledTicket, PRIORITY_LABELS, PRIORITY_TRAINING,
    Prediction, SENTIMENT_LABELS, SENTIMENT_TRAINING, TicketFeatures, Training,
};
use shared::classifier::rules::{self, CATEGORY_MARGINS, PRIORITY_MARGINS};
use shared::classifier::{Assessment, LabelConfidence, Labels};
use shared::domain::{Category, Confidence, Priority, Sentiment};

const FOLDS: usize = 10;
const SEED: u64 = 42;
/// Other fold splits, so that a figure does not hang on one lucky shuffle.
const OTHER_SEEDS: [u64; 4] = [1, 7, 99, 2024];

/// The varied files, written apart from both the rules and the rules' tuning set.
fn is_varied(index: usize, tickets: &[LabelledTicket]) -> bool {
    // The embedded corpus is holdout, rules-tuning, varied-a, varied-b, in that order.
    index >= tickets.len() - 640
}

/// Out-of-fold predictions of one model for the tickets `label_and_features` gives a label,
/// by ticket index (`None` for the others).
fn cross_validated<const N: usize>(
    tickets: &[LabelledTicket],
    features: &[TicketFeatures],
    labels: &[&str; N],
    label_and_features: impl Fn(&LabelledTicket, &TicketFeatures) -> Option<(String, Vec<String>)>,
    training: Training,
    seed: u64,
) -> Vec<Option<Prediction>> {
    let mut indices = Vec::new();
    let mut examples = Vec::new();
    for (index, (ticket, features)) in tickets.iter().zip(features).enumerate() {
        if let Some((label, features)) = label_and_features(ticket, features) {
            let label = naive_bayes::label_index(labels, &label).expect("a known label");
            indices.push(index);
            examples.push((features, label));
        }
    }
    let predictions = naive_bayes::cross_validate::<N>(&examples, FOLDS, seed, training);
    let mut by_ticket = vec![None; tickets.len()];
    for (index, prediction) in indices.into_iter().zip(predictions) {
        by_ticket[index] = Some(prediction);
    }
    by_ticket
}

fn categories(
    tickets: &[LabelledTicket],
    features: &[TicketFeatures],
    seed: u64,
) -> Vec<Option<Prediction>> {
    cross_validated(
        tickets,
        features,
        &CATEGORY_LABELS,
        |t, f| Some((t.category.clone(), f.category.clone())),
        CATEGORY_TRAINING,
        seed,
    )
}

fn priorities(
    tickets: &[LabelledTicket],
    features: &[TicketFeatures],
    seed: u64,
) -> Vec<Option<Prediction>> {
    cross_validated(
        tickets,
        features,
        &PRIORITY_LABELS,
        |t, f| Some((t.priority.clone(), f.priority.clone())),
        PRIORITY_TRAINING,
        seed,
    )
}

/// Only the tickets with a tone label train and score the tone model.
fn sentiments(
    tickets: &[LabelledTicket],
    features: &[TicketFeatures],
    seed: u64,
) -> Vec<Option<Prediction>> {
    cross_validated(
        tickets,
        features,
        &SENTIMENT_LABELS,
        |t, f| Some((t.sentiment.clone()?, f.sentiment.clone())),
        SENTIMENT_TRAINING,
        seed,
    )
}

fn corpus_features(tickets: &[LabelledTicket]) -> Vec<TicketFeatures> {
    tickets
        .iter()
        .map(|ticket| naive_bayes::ticket_features(&ticket.title, &ticket.description))
        .collect()
}

/// The share of predicted tickets whose label is `label_of` the ticket.
fn accuracy(
    tickets: &[LabelledTicket],
    predictions: &[Option<Prediction>],
    labels: &[&str],
    label_of: impl Fn(&LabelledTicket) -> &str,
) -> f64 {
    let scored: Vec<bool> = tickets
        .iter()
        .zip(predictions)
        .filter_map(|(ticket, prediction)| {
            Some(labels[prediction.as_ref()?.label] == label_of(ticket))
        })
        .collect();
    scored.iter().filter(|&&right| right).count() as f64 / scored.len().max(1) as f64
}

struct Figures {
    model: Tally,
    rules: Tally,
    model_varied: Tally,
    rules_varied: Tally,
}

fn measure() -> Figures {
    let tickets = eval::corpus();
    assert!(tickets.len() >= 1000, "only {} tickets", tickets.len());
    let features = corpus_features(&tickets);
    let categories = categories(&tickets, &features, SEED);
    let priorities = priorities(&tickets, &features, SEED);
    let sentiments = sentiments(&tickets, &features, SEED);
    let mut figures = Figures {
        model: Tally::default(),
        rules: Tally::default(),
        model_varied: Tally::default(),
        rules_varied: Tally::default(),
    };
    for (index, ticket) in tickets.iter().enumerate() {
        let text = eval::text_of(ticket);
        let shipped = rules::assess(&text);
        let (Some(category), Some(priority)) = (categories[index], priorities[index]) else {
            panic!("ticket {index} was not scored");
        };
        // The out-of-fold labels, confidence and tone (where the ticket has a tone label; the
        // others are not scored for tone), with the shipped language (which does not train on
        // the corpus).
        let model = Assessment {
            labels: Labels {
                category: Category::ALL[category.label],
                priority: Priority::ALL[priority.label],
            },
            confidence: LabelConfidence {
                category: CATEGORY_MARGINS.confidence(category.margin),
                priority: PRIORITY_MARGINS.confidence(priority.margin),
            },
            sentiment: sentiments[index]
                .map_or(shipped.sentiment, |tone| Sentiment::ALL[tone.label]),
            ..shipped.clone()
        };
        let cues = Assessment {
            labels: rules::classify_by_cues(&text),
            ..shipped
        };
        figures.model.record(ticket, &model, Duration::ZERO);
        figures.rules.record(ticket, &cues, Duration::ZERO);
        if is_varied(index, &tickets) {
            figures.model_varied.record(ticket, &model, Duration::ZERO);
            figures.rules_varied.record(ticket, &cues, Duration::ZERO);
        }
    }
    figures
}

#[test]
fn the_learned_fallback_generalises_and_beats_the_cue_rules() {
    let figures = measure();
    let mut out = String::new();
    let _ = writeln!(out, "=== {FOLDS}-fold cross-validation, seed {SEED} ===");
    let _ = writeln!(out, "| set | classifier | category | priority |");
    for (set, model, rules) in [
        ("all", &figures.model, &figures.rules),
        ("varied only", &figures.model_varied, &figures.rules_varied),
    ] {
        for (name, tally) in [("cue rules", rules), ("naive Bayes", model)] {
            let _ = writeln!(
                out,
                "| {set} ({}) | {name} | {:.1}% | {:.1}% |",
                tally.categories.len(),
                tally.category_accuracy() * 100.0,
                tally.priority_accuracy() * 100.0
            );
        }
    }
    let _ = writeln!(out, "\n--- naive Bayes, out of fold ---");
    out.push_str(&figures.model.report());
    let _ = writeln!(out, "\n--- cue rules ---");
    let pairs: Vec<_> = figures
        .rules
        .priorities
        .iter()
        .map(|&(e, p, _)| (e, p))
        .collect();
    write_matrix(&mut out, "priority", Priority::ALL, &pairs);
    println!("{out}");

    let model = &figures.model;
    assert!(model.category_accuracy() >= 0.85, "category below 85%");
    assert!(model.priority_accuracy() >= 0.75, "priority below 75%");
    assert!(
        figures.model_varied.priority_accuracy() >= 0.75,
        "priority on the varied files below 75%"
    );
    assert!(model.category_accuracy() > figures.rules.category_accuracy());
    assert!(model.priority_accuracy() > figures.rules.priority_accuracy());
    assert!(figures.model_varied.priority_accuracy() > figures.rules_varied.priority_accuracy());
    let tone_right = model.sentiments.iter().filter(|(e, p)| e == p).count();
    assert!(
        tone_right as f64 >= 0.70 * model.sentiments.len() as f64,
        "tone below 70% of the labelled tickets"
    );
    for (field, high, low) in [
        (
            "category",
            Tally::by_confidence(&model.categories, Confidence::High),
            Tally::by_confidence(&model.categories, Confidence::Low),
        ),
        (
            "priority",
            Tally::by_confidence(&model.priorities, Confidence::High),
            Tally::by_confidence(&model.priorities, Confidence::Low),
        ),
    ] {
        assert!(high.1 >= 0.90, "{field}: high answers right {:.3}", high.1);
        assert!(low.0 <= 0.25, "{field}: {:.3} of answers are low", low.0);
        assert!(low.1 < 0.7, "{field}: low answers right {:.3}", low.1);
    }
}

#[test]
fn the_figures_hold_for_other_fold_splits() {
    let tickets = eval::corpus();
    let features = corpus_features(&tickets);
    let mut out = String::from("| seed | category | priority | tone |\n");
    for seed in OTHER_SEEDS {
        let category = accuracy(
            &tickets,
            &categories(&tickets, &features, seed),
            &CATEGORY_LABELS,
            |t| &t.category,
        );
        let priority = accuracy(
            &tickets,
            &priorities(&tickets, &features, seed),
            &PRIORITY_LABELS,
            |t| &t.priority,
        );
        let tone = accuracy(
            &tickets,
            &sentiments(&tickets, &features, seed),
            &SENTIMENT_LABELS,
            |t| t.sentiment.as_deref().unwrap_or_default(),
        );
        let _ = writeln!(
            out,
            "| {seed} | {:.1}% | {:.1}% | {:.1}% |",
            category * 100.0,
            priority * 100.0,
            tone * 100.0
        );
        assert!(category >= 0.85, "seed {seed}: category below 85%");
        assert!(priority >= 0.75, "seed {seed}: priority below 75%");
        assert!(tone >= 0.70, "seed {seed}: tone below 70%");
    }
    println!("{out}");
}
