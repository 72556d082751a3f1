//! Build steps of the `shared` crate:
//!
//! - `sqlx::migrate!` embeds `migrations/` at compile time but cannot tell Cargo to watch the
//!   folder: without the rerun line, a new migration file would not reach the binaries until
//!   some source file of this crate changed.
//! - The fallback classifier's naive Bayes models are trained here on the labelled corpus
//!   (`data/tickets/*.jsonl`) and written to `OUT_DIR/models.rs` as static tables, which the
//!   crate includes: nothing is trained or downloaded at run time.

use std::path::Path;

#[path = "src/classifier/rules/naive_bayes.rs"]
#[allow(dead_code)]
mod naive_bayes;

use naive_bayes::{
    CATEGORY_LABELS, CATEGORY_MIN_DOCUMENT_FREQUENCY, LabelledTicket, PRIORITY_LABELS,
    PRIORITY_MIN_DOCUMENT_FREQUENCY,
};

const CORPUS: &str = "data/tickets";

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rerun-if-changed={CORPUS}");
    println!("cargo:rerun-if-changed=src/classifier/rules/naive_bayes.rs");

    let tickets = corpus();
    let category = examples(&tickets, &CATEGORY_LABELS, |ticket| &ticket.category);
    let category = naive_bayes::train(&category, CATEGORY_MIN_DOCUMENT_FREQUENCY);
    let priority = examples(&tickets, &PRIORITY_LABELS, |ticket| &ticket.priority);
    let priority = naive_bayes::train(&priority, PRIORITY_MIN_DOCUMENT_FREQUENCY);
    let source = format!(
        "// Trained by build.rs on {} labelled tickets.\n{}\n{}",
        tickets.len(),
        naive_bayes::to_rust("CATEGORY", &category),
        naive_bayes::to_rust("PRIORITY", &priority),
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

/// The training examples of one field: each ticket's features and the index of its label.
fn examples(
    tickets: &[LabelledTicket],
    labels: &[&str],
    label_of: impl Fn(&LabelledTicket) -> &String,
) -> Vec<(Vec<String>, usize)> {
    tickets
        .iter()
        .map(|ticket| {
            let label = label_of(ticket);
            let index = naive_bayes::label_index(labels, label)
                .unwrap_or_else(|| panic!("unknown label {label:?} in {CORPUS}"));
            (
                naive_bayes::features(&ticket.title, &ticket.description),
                index,
            )
        })
        .collect()
}
