//! Build steps of the `shared` crate:
//!
//! - `sqlx::migrate!` embeds `migrations/` at compile time but cannot tell Cargo to watch the
//!   folder: without the rerun line, a new migration file would not reach the binaries until
//!   some source file of this crate changed.
//! - The fallback classifier's naive Bayes models (category, priority and tone) are trained here
//!   on the labelled corpus (`data/tickets/*.jsonl`) and written to `OUT_DIR/models.rs` as static
//!   tables, which the crate includes: nothing is trained or downloaded at run time.

use std::path::Path;

// The model code and the cue tables and matcher it reads, shared with the crate; the build script
// uses only part of them.
#[path = "src/classifier/rules/cues.rs"]
#[allow(dead_code)]
mod cues;
#[path = "src/classifier/rules/naive_bayes.rs"]
#[allow(dead_code)]
mod naive_bayes;
#[path = "src/classifier/rules/tables.rs"]
#[allow(dead_code)]
mod tables;

use naive_bayes::{
    CATEGORY_LABELS, CATEGORY_TRAINING, LabelledTicket, OwnedModel, PRIORITY_LABELS,
    PRIORITY_TRAINING, SENTIMENT_LABELS, SENTIMENT_TRAINING, TicketFeatures,
};

const CORPUS: &str = "data/tickets";

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rerun-if-changed={CORPUS}");
    for file in ["cues.rs", "naive_bayes.rs", "tables.rs"] {
        println!("cargo:rerun-if-changed=src/classifier/rules/{file}");
    }

    let tickets = corpus();
    let features: Vec<TicketFeatures> = tickets
        .iter()
        .map(|ticket| naive_bayes::ticket_features(&ticket.title, &ticket.description))
        .collect();
    let category: OwnedModel<4> = naive_bayes::train(
        &examples(&tickets, &features, &CATEGORY_LABELS, |ticket, features| {
            Some((&ticket.category, &features.category))
        }),
        CATEGORY_TRAINING,
    );
    let priority: OwnedModel<4> = naive_bayes::train(
        &examples(&tickets, &features, &PRIORITY_LABELS, |ticket, features| {
            Some((&ticket.priority, &features.priority))
        }),
        PRIORITY_TRAINING,
    );
    // Only some tickets carry a tone label; the tone model learns from those.
    let sentiment: OwnedModel<3> = naive_bayes::train(
        &examples(
            &tickets,
            &features,
            &SENTIMENT_LABELS,
            |ticket, features| Some((ticket.sentiment.as_ref()?, &features.sentiment)),
        ),
        SENTIMENT_TRAINING,
    );
    let source = format!(
        "// Trained by build.rs on {} labelled tickets.\n{}\n{}\n{}",
        tickets.len(),
        naive_bayes::to_rust("CATEGORY", &category),
        naive_bayes::to_rust("PRIORITY", &priority),
        naive_bayes::to_rust("SENTIMENT", &sentiment),
    );
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out_dir).join("models.rs"), source).expect("OUT_DIR is writable");
}

/// Every ticket of every `.jsonl` file of the corpus, files in name order.
fn corpus() -> Vec<LabelledTicket> {
    let mut paths: Vec<_> = std::fs::read_dir(CORPUS)
        .unwrap_or_else(|error| panic!("{CORPUS}: {error}"))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .collect();
    paths.sort();
    let mut tickets = Vec::new();
    for path in paths {
        let jsonl = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let parsed = naive_bayes::parse_tickets(&jsonl)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        tickets.extend(parsed);
    }
    tickets
}

/// The training examples of one model: the features it reads of each ticket that has its label,
/// and the index of that label.
fn examples<'a>(
    tickets: &'a [LabelledTicket],
    features: &'a [TicketFeatures],
    labels: &[&str],
    label_and_features: impl Fn(
        &'a LabelledTicket,
        &'a TicketFeatures,
    ) -> Option<(&'a String, &'a Vec<String>)>,
) -> Vec<(Vec<String>, usize)> {
    tickets
        .iter()
        .zip(features)
        .filter_map(|(ticket, features)| label_and_features(ticket, features))
        .map(|(label, features)| {
            let index = naive_bayes::label_index(labels, label)
                .unwrap_or_else(|| panic!("unknown label {label:?} in {CORPUS}"));
            (features.clone(), index)
        })
        .collect()
}
