//! What the built-in fallback costs a ticket: `rules::assess` (the three naive Bayes models, the
//! cue matching they read, and `whatlang`) on every ticket of the labelled corpus, several
//! rounds, each call timed on its own. A benchmark: it prints figures.
//!
//!     cargo bench -p shared --bench classify_fallback

use std::hint::black_box;
use std::time::{Duration, Instant};

use shared::classifier::{eval, rules};

const ROUNDS: usize = 20;

fn main() {
    let texts: Vec<String> = eval::corpus().iter().map(eval::text_of).collect();
    // One untimed round, so the first calls' cold caches do not count.
    for text in &texts {
        black_box(rules::assess(black_box(text)));
    }
    let mut timings = Vec::with_capacity(texts.len() * ROUNDS);
    for _ in 0..ROUNDS {
        for text in &texts {
            let started = Instant::now();
            black_box(rules::assess(black_box(text)));
            timings.push(started.elapsed());
        }
    }
    timings.sort_unstable();
    let at = |quantile: f64| timings[((timings.len() - 1) as f64 * quantile).round() as usize];
    let micros = |duration: Duration| duration.as_secs_f64() * 1e6;
    let bytes: usize = texts.iter().map(String::len).sum();
    println!(
        "assess() over {} tickets (mean {} bytes), {ROUNDS} rounds",
        texts.len(),
        bytes / texts.len()
    );
    println!("| per ticket | p50 | p90 | p99 | max |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| assess() | {:.1} µs | {:.1} µs | {:.1} µs | {:.1} µs |",
        micros(at(0.5)),
        micros(at(0.9)),
        micros(at(0.99)),
        micros(at(1.0))
    );
}
