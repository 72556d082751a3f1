//! Measures the rule classifier against a hand-labelled set of realistic tickets.
//! Run with `--nocapture` to see the accuracy figures and confusion matrices.

use std::collections::HashMap;

use shared::classifier::rules::classify;
use shared::domain::{Category, Priority};

const DATA_SET: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/labelled_tickets.jsonl"
);

#[derive(serde::Deserialize)]
struct LabelledTicket {
    title: String,
    description: String,
    category: Category,
    priority: Priority,
}

fn load() -> Vec<LabelledTicket> {
    let contents = std::fs::read_to_string(DATA_SET).expect("labelled set is readable");
    contents
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| {
            serde_json::from_str(line).unwrap_or_else(|error| panic!("line {}: {error}", index + 1))
        })
        .collect()
}

/// Counts (expected, predicted) pairs into a matrix indexed by position in `labels`.
fn confusion<T: PartialEq + Copy>(labels: &[T], pairs: &[(T, T)]) -> Vec<Vec<usize>> {
    let index = |value: T| {
        labels
            .iter()
            .position(|label| *label == value)
            .expect("known label")
    };
    let mut matrix = vec![vec![0; labels.len()]; labels.len()];
    for &(expected, predicted) in pairs {
        matrix[index(expected)][index(predicted)] += 1;
    }
    matrix
}

fn print_matrix<T: std::fmt::Display>(name: &str, labels: &[T], matrix: &[Vec<usize>]) {
    println!("{name} confusion matrix (rows: expected, columns: predicted)");
    print!("{:>12}", "");
    for label in labels {
        print!("{:>10}", label.to_string());
    }
    println!();
    for (label, row) in labels.iter().zip(matrix) {
        print!("{:>12}", label.to_string());
        for count in row {
            print!("{count:>10}");
        }
        println!();
    }
}

fn accuracy<T: PartialEq>(pairs: &[(T, T)]) -> f64 {
    let correct = pairs
        .iter()
        .filter(|(expected, predicted)| expected == predicted)
        .count();
    correct as f64 / pairs.len() as f64
}

#[test]
fn rule_classifier_is_accurate_on_the_labelled_set() {
    let tickets = load();

    let mut category_counts: HashMap<Category, usize> = HashMap::new();
    let mut priority_counts: HashMap<Priority, usize> = HashMap::new();
    for ticket in &tickets {
        *category_counts.entry(ticket.category).or_default() += 1;
        *priority_counts.entry(ticket.priority).or_default() += 1;
    }
    for category in Category::ALL {
        let count = category_counts.get(category).copied().unwrap_or(0);
        assert!(count >= 20, "only {count} tickets labelled {category}");
    }
    for priority in Priority::ALL {
        let count = priority_counts.get(priority).copied().unwrap_or(0);
        assert!(count >= 20, "only {count} tickets labelled {priority}");
    }

    let mut categories = Vec::with_capacity(tickets.len());
    let mut priorities = Vec::with_capacity(tickets.len());
    for ticket in &tickets {
        let labels = classify(&format!("{}\n\n{}", ticket.title, ticket.description));
        categories.push((ticket.category, labels.category));
        priorities.push((ticket.priority, labels.priority));
    }

    let category_accuracy = accuracy(&categories);
    let priority_accuracy = accuracy(&priorities);
    println!("{} labelled tickets", tickets.len());
    println!("category accuracy: {:.1}%", category_accuracy * 100.0);
    println!("priority accuracy: {:.1}%", priority_accuracy * 100.0);
    print_matrix(
        "category",
        Category::ALL,
        &confusion(Category::ALL, &categories),
    );
    print_matrix(
        "priority",
        Priority::ALL,
        &confusion(Priority::ALL, &priorities),
    );

    assert!(
        category_accuracy >= 0.85,
        "category accuracy {category_accuracy:.3} is below 0.85"
    );
    assert!(
        priority_accuracy >= 0.65,
        "priority accuracy {priority_accuracy:.3} is below 0.65"
    );
}
