//! `helpdesk eval`: how well a classifier labels the labelled corpus — accuracy, confusion
//! matrices, accuracy per confidence level, tone and language, and latency percentiles.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::rules::naive_bayes::{self, LabelledTicket};
use super::{Assessment, Provider, rules};
use crate::domain::{Category, Confidence, Priority, Sentiment};

/// The labelled corpus the fallback model is trained on (`shared/data/tickets/`), embedded.
const CORPUS: [&str; 4] = [
    include_str!("../../data/tickets/holdout.jsonl"),
    include_str!("../../data/tickets/rules-tuning.jsonl"),
    include_str!("../../data/tickets/varied-a.jsonl"),
    include_str!("../../data/tickets/varied-b.jsonl"),
];

/// The embedded labelled corpus.
pub fn corpus() -> Vec<LabelledTicket> {
    CORPUS
        .iter()
        .flat_map(|jsonl| naive_bayes::parse_tickets(jsonl).unwrap_or_default())
        .collect()
}

/// A ticket's text as the classifier receives it.
pub fn text_of(ticket: &LabelledTicket) -> String {
    format!("{}\n\n{}", ticket.title, ticket.description)
}

/// What was expected and what was answered, ticket by ticket.
#[derive(Debug, Default)]
pub struct Tally {
    pub categories: Vec<(Category, Category, Confidence)>,
    pub priorities: Vec<(Priority, Priority, Confidence)>,
    pub sentiments: Vec<(Sentiment, Sentiment)>,
    /// The expected language and the answer (`None`: not told).
    pub languages: Vec<(String, Option<String>)>,
    pub latencies: Vec<Duration>,
    pub failures: usize,
}

impl Tally {
    /// Records one answer to `ticket`; tickets with labels outside the domain are skipped.
    pub fn record(&mut self, ticket: &LabelledTicket, answer: &Assessment, latency: Duration) {
        let (Ok(category), Ok(priority)) = (
            ticket.category.parse::<Category>(),
            ticket.priority.parse::<Priority>(),
        ) else {
            return;
        };
        self.categories
            .push((category, answer.labels.category, answer.confidence.category));
        self.priorities
            .push((priority, answer.labels.priority, answer.confidence.priority));
        if let Some(sentiment) = ticket.sentiment.as_deref().and_then(|s| s.parse().ok()) {
            self.sentiments.push((sentiment, answer.sentiment));
        }
        if let Some(language) = &ticket.language {
            let told = answer.language.as_ref().map(|tag| primary(tag.as_str()));
            self.languages.push((primary(language), told));
        }
        self.latencies.push(latency);
    }

    pub fn category_accuracy(&self) -> f64 {
        accuracy(self.categories.iter().map(|&(e, p, _)| e == p))
    }

    pub fn priority_accuracy(&self) -> f64 {
        accuracy(self.priorities.iter().map(|&(e, p, _)| e == p))
    }

    /// The share of answers at `level` and how many of them were right, for one field.
    pub fn by_confidence<T: PartialEq + Copy>(
        answers: &[(T, T, Confidence)],
        level: Confidence,
    ) -> (f64, f64) {
        let at_level: Vec<bool> = answers
            .iter()
            .filter(|(_, _, confidence)| *confidence == level)
            .map(|(expected, predicted, _)| expected == predicted)
            .collect();
        let share = at_level.len() as f64 / answers.len().max(1) as f64;
        (share, accuracy(at_level.into_iter()))
    }

    /// The figures as a plain-text report.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "tickets: {} answered, {} failed",
            self.categories.len(),
            self.failures
        );
        let _ = writeln!(
            out,
            "category accuracy: {:.1}%",
            self.category_accuracy() * 100.0
        );
        let _ = writeln!(
            out,
            "priority accuracy: {:.1}%",
            self.priority_accuracy() * 100.0
        );
        let pairs = |answers: &[(Category, Category, Confidence)]| {
            answers.iter().map(|&(e, p, _)| (e, p)).collect::<Vec<_>>()
        };
        write_matrix(
            &mut out,
            "category",
            Category::ALL,
            &pairs(&self.categories),
        );
        let priorities: Vec<_> = self.priorities.iter().map(|&(e, p, _)| (e, p)).collect();
        write_matrix(&mut out, "priority", Priority::ALL, &priorities);
        let _ = writeln!(
            out,
            "accuracy per confidence level (share of answers, accuracy)"
        );
        for level in Confidence::ALL {
            let (category_share, category_accuracy) = Self::by_confidence(&self.categories, *level);
            let (priority_share, priority_accuracy) = Self::by_confidence(&self.priorities, *level);
            let _ = writeln!(
                out,
                "  {level:<7} category {:>5.1}% of answers, {:>5.1}% right; priority {:>5.1}% of answers, {:>5.1}% right",
                category_share * 100.0,
                category_accuracy * 100.0,
                priority_share * 100.0,
                priority_accuracy * 100.0,
            );
        }
        if !self.sentiments.is_empty() {
            let _ = writeln!(
                out,
                "sentiment accuracy: {:.1}% of {} labelled",
                accuracy(self.sentiments.iter().map(|(e, p)| e == p)) * 100.0,
                self.sentiments.len()
            );
            write_matrix(&mut out, "sentiment", Sentiment::ALL, &self.sentiments);
        }
        if !self.languages.is_empty() {
            let told = self.languages.iter().filter(|(_, told)| told.is_some());
            let told_count = told.clone().count();
            let right = told
                .filter(|(e, p)| p.as_deref() == Some(e.as_str()))
                .count();
            let _ = writeln!(
                out,
                "language: told for {told_count} of {} labelled, {:.1}% of those right",
                self.languages.len(),
                right as f64 * 100.0 / told_count.max(1) as f64
            );
        }
        if !self.latencies.is_empty() {
            let mut sorted = self.latencies.clone();
            sorted.sort_unstable();
            let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
            let _ = writeln!(
                out,
                "latency: p50 {:?}, p90 {:?}, p99 {:?}",
                at(0.5),
                at(0.9),
                at(0.99)
            );
        }
        out
    }
}

/// The primary subtag of a language tag, lowercased.
fn primary(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn accuracy(outcomes: impl Iterator<Item = bool>) -> f64 {
    let (right, total) = outcomes.fold((0, 0), |(right, total), ok| {
        (right + usize::from(ok), total + 1)
    });
    right as f64 / f64::from(total.max(1) as u32)
}

/// Writes a confusion matrix, rows expected, columns predicted.
pub fn write_matrix<T: PartialEq + Copy + std::fmt::Display>(
    out: &mut String,
    name: &str,
    labels: &[T],
    pairs: &[(T, T)],
) {
    let _ = writeln!(out, "{name} confusion (rows: expected, columns: answered)");
    let _ = write!(out, "{:>12}", "");
    for label in labels {
        let _ = write!(out, "{:>10}", label.to_string());
    }
    let _ = writeln!(out);
    for &expected in labels {
        let _ = write!(out, "{:>12}", expected.to_string());
        for &predicted in labels {
            let count = pairs
                .iter()
                .filter(|&&(e, p)| e == expected && p == predicted)
                .count();
            let _ = write!(out, "{count:>10}");
        }
        let _ = writeln!(out);
    }
}

/// Labels every ticket with `provider` (each call given `timeout`, failures counted, never
/// retried on the rules), or with the built-in fallback when there is none.
pub async fn run(
    tickets: &[LabelledTicket],
    provider: Option<Arc<dyn Provider>>,
    timeout: Duration,
) -> Tally {
    let mut tally = Tally::default();
    for ticket in tickets {
        let text = text_of(ticket);
        let started = Instant::now();
        let answer = match &provider {
            Some(provider) => {
                let deadline = tokio::time::Instant::now() + timeout;
                match tokio::time::timeout_at(deadline, provider.classify(&text, deadline)).await {
                    Ok(Ok(answer)) => answer,
                    Ok(Err(error)) => {
                        tracing::warn!(reason = %error, "the provider gave no answer");
                        tally.failures += 1;
                        continue;
                    }
                    Err(_) => {
                        tracing::warn!("the provider timed out");
                        tally.failures += 1;
                        continue;
                    }
                }
            }
            None => rules::assess(&text),
        };
        tally.record(ticket, &answer, started.elapsed());
    }
    tally
}
