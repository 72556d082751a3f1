//! A multinomial naive Bayes text classifier over word unigrams and bigrams: the features it
//! reads, its training, its inference, and stratified folds for cross-validation.
//!
//! One implementation serves three callers: `shared/build.rs` (included with `#[path]`) trains
//! the shipped models on the labelled corpus and writes them out as Rust tables; the crate scores
//! tickets with those tables; the accuracy test trains on nine tenths of the corpus and scores the
//! rest. So this file depends on nothing but `std` and `serde_json`, both of which the build
//! script has too.

use std::collections::{BTreeMap, HashMap};

/// The category labels in the order of the model's columns (the order of `Category::ALL`).
pub const CATEGORY_LABELS: [&str; 4] = ["billing", "technical", "account", "general"];
/// The priority labels in the order of the model's columns (the order of `Priority::ALL`).
pub const PRIORITY_LABELS: [&str; 4] = ["low", "medium", "high", "critical"];

/// Additive smoothing of the per-label feature counts.
const SMOOTHING: f64 = 2.0;

/// The category model keeps a feature only if at least this many training tickets contain it:
/// rarer ones are mostly noise (names, numbers, typos) and would bloat the embedded tables. The
/// priority model keeps every feature: measured by cross-validation, its rare word pairs carry
/// enough signal (75.7% against 73.9% with this pruning).
pub const CATEGORY_MIN_DOCUMENT_FREQUENCY: u32 = 2;
pub const PRIORITY_MIN_DOCUMENT_FREQUENCY: u32 = 1;

/// Words that turn the next few words' meaning around ("not urgent", "no rush").
const NEGATORS: [&str; 9] = [
    "not", "no", "never", "dont", "doesnt", "isnt", "arent", "without", "nothing",
];

/// How many words after a negator are marked as negated.
const NEGATION_REACH: usize = 2;

/// One ticket of the labelled corpus.
#[derive(Debug, Clone)]
pub struct LabelledTicket {
    pub title: String,
    pub description: String,
    pub category: String,
    pub priority: String,
    pub sentiment: Option<String>,
    pub language: Option<String>,
}

/// Parses JSON Lines of labelled tickets (blank lines skipped); the error names the line.
pub fn parse_tickets(jsonl: &str) -> Result<Vec<LabelledTicket>, String> {
    let mut tickets = Vec::new();
    for (index, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|error| format!("line {}: {error}", index + 1))?;
        let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let required = |key: &str| text(key).ok_or_else(|| format!("line {}: no {key}", index + 1));
        tickets.push(LabelledTicket {
            title: required("title")?,
            description: required("description")?,
            category: required("category")?,
            priority: required("priority")?,
            sentiment: text("sentiment"),
            language: text("language"),
        });
    }
    Ok(tickets)
}

/// The position of `label` in `labels`, if it is one.
pub fn label_index(labels: &[&str], label: &str) -> Option<usize> {
    labels.iter().position(|known| *known == label)
}

/// The lowercase words of a text, apostrophes dropped (so "can't", "can’t" and "cant" are one
/// word), as the rule classifier reads it.
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            word.extend(ch.to_lowercase());
        } else if matches!(ch, '\'' | '’') && !word.is_empty() {
            continue;
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// A crude English suffix stripper, so "charged", "charges" and "charging" share a feature.
/// Short words are left alone; non-English words lose at most a plural-looking ending.
pub fn stem(word: &str) -> &str {
    if word.chars().count() <= 4 || word.chars().any(|ch| ch.is_ascii_digit()) {
        return word;
    }
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(stem) = word.strip_suffix(suffix)
            && stem.len() >= 3
            && !(suffix == "s" && (stem.ends_with('s') || stem.ends_with('u')))
        {
            return stem;
        }
    }
    word
}

/// The features of a ticket: its stemmed words and word pairs, its title's words again marked as
/// title words (a title says in a few words what the ticket is about), and the words just after
/// a negator marked as negated. Each feature is listed once, sorted.
pub fn features(title: &str, description: &str) -> Vec<String> {
    let mut features = Vec::new();
    let title_words: Vec<String> = words(title).iter().map(|w| stem(w).to_owned()).collect();
    let body_words: Vec<String> = words(description)
        .iter()
        .map(|w| stem(w).to_owned())
        .collect();
    for word in &title_words {
        features.push(format!("t:{word}"));
    }
    for part in [&title_words, &body_words] {
        features.extend(part.iter().cloned());
        features.extend(
            part.windows(2)
                .map(|pair| format!("{} {}", pair[0], pair[1])),
        );
        for (position, word) in part.iter().enumerate() {
            if NEGATORS.contains(&word.as_str()) {
                let negated = part.iter().skip(position + 1).take(NEGATION_REACH);
                features.extend(negated.map(|word| format!("not:{word}")));
            }
        }
    }
    features.sort_unstable();
    features.dedup();
    features
}

/// A trained model: for each feature of its vocabulary, the log-probability of seeing it in a
/// ticket of each label, and each label's log prior. `S` is `String` while training and
/// `&'static str` in the tables embedded in the binary.
#[derive(Debug, Clone)]
pub struct Model<S, W> {
    /// Sorted, so a feature is found by binary search.
    pub vocabulary: S,
    /// `labels` weights per vocabulary entry, in the same order.
    pub weights: W,
    pub prior: [f32; 4],
}

/// The model as the training produces it.
pub type OwnedModel = Model<Vec<String>, Vec<[f32; 4]>>;
/// The model as the build script embeds it.
pub type StaticModel = Model<&'static [&'static str], &'static [[f32; 4]]>;

/// Trains on `(features, label)` pairs, each feature list sorted and free of duplicates, keeping
/// the features at least `min_document_frequency` examples contain.
pub fn train(examples: &[(Vec<String>, usize)], min_document_frequency: u32) -> OwnedModel {
    let vocabulary = vocabulary_of(examples, min_document_frequency);
    let mut counts = vec![[0.0f64; 4]; vocabulary.len()];
    let mut label_totals = [0.0f64; 4];
    let mut label_documents = [0.0f64; 4];
    for (features, label) in examples {
        label_documents[*label] += 1.0;
        for feature in features {
            if let Some(&index) = vocabulary.get(feature.as_str()) {
                counts[index][*label] += 1.0;
                label_totals[*label] += 1.0;
            }
        }
    }
    let size = vocabulary.len() as f64;
    let weights = counts
        .iter()
        .map(|row| {
            let mut weight = [0.0f32; 4];
            for label in 0..4 {
                weight[label] = ((row[label] + SMOOTHING)
                    / (label_totals[label] + SMOOTHING * size))
                    .ln() as f32;
            }
            weight
        })
        .collect();
    let documents = examples.len() as f64;
    let mut prior = [0.0f32; 4];
    for label in 0..4 {
        prior[label] = ((label_documents[label] + 1.0) / (documents + 4.0)).ln() as f32;
    }
    Model {
        vocabulary: vocabulary.into_keys().map(str::to_owned).collect(),
        weights,
        prior,
    }
}

/// A sorted list of features, owned or static.
pub trait Vocabulary {
    /// The position of `feature`, if it is listed.
    fn find(&self, feature: &str) -> Option<usize>;
}

impl Vocabulary for Vec<String> {
    fn find(&self, feature: &str) -> Option<usize> {
        self.binary_search_by(|known| known.as_str().cmp(feature))
            .ok()
    }
}

impl Vocabulary for &[&str] {
    fn find(&self, feature: &str) -> Option<usize> {
        self.binary_search(&feature).ok()
    }
}

/// The features at least `min_document_frequency` examples contain, sorted, with their positions.
fn vocabulary_of(
    examples: &[(Vec<String>, usize)],
    min_document_frequency: u32,
) -> BTreeMap<&str, usize> {
    let mut document_frequency: HashMap<&str, u32> = HashMap::new();
    for (features, _) in examples {
        for feature in features {
            *document_frequency.entry(feature).or_default() += 1;
        }
    }
    let mut kept: Vec<&str> = document_frequency
        .into_iter()
        .filter(|&(_, count)| count >= min_document_frequency)
        .map(|(feature, _)| feature)
        .collect();
    kept.sort_unstable();
    kept.into_iter().enumerate().map(|(i, f)| (f, i)).collect()
}

impl<S: Vocabulary, W: AsRef<[[f32; 4]]>> Model<S, W> {
    /// The log-scores of each label for a ticket's features (unknown features are ignored), as
    /// log-probabilities up to one shared constant.
    pub fn log_scores<F: AsRef<str>>(&self, features: &[F]) -> [f32; 4] {
        let weights = self.weights.as_ref();
        let mut scores = self.prior;
        for feature in features {
            if let Some(index) = self.vocabulary.find(feature.as_ref()) {
                for (score, weight) in scores.iter_mut().zip(weights[index]) {
                    *score += weight;
                }
            }
        }
        scores
    }

    pub fn predict<F: AsRef<str>>(&self, features: &[F]) -> Prediction {
        Prediction::from_log_scores(self.log_scores(features))
    }
}

/// A model's answer: the best label, and how far ahead of the runner-up it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    pub label: usize,
    pub runner_up: usize,
    /// The posterior of the best label.
    pub posterior: f32,
    /// ln(posterior of the best / posterior of the runner-up): 0 for a tie.
    pub margin: f32,
}

impl Prediction {
    pub fn from_log_scores(scores: [f32; 4]) -> Self {
        let mut order = [0usize, 1, 2, 3];
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let best = scores[order[0]];
        let total: f32 = scores.iter().map(|score| (score - best).exp()).sum();
        Self {
            label: order[0],
            runner_up: order[1],
            posterior: 1.0 / total,
            margin: best - scores[order[1]],
        }
    }
}

/// Assigns each example to one of `k` folds so that every label is spread evenly over the folds;
/// the order within a label is shuffled with a fixed `seed`, so the folds are reproducible.
pub fn stratified_folds(labels: &[usize], k: usize, seed: u64) -> Vec<usize> {
    let mut state = seed | 1;
    let mut next = move || {
        // xorshift64*: plenty for shuffling a thousand tickets reproducibly.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut folds = vec![0; labels.len()];
    let mut offset = 0;
    for label in 0..=labels.iter().copied().max().unwrap_or(0) {
        let mut members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == label).collect();
        for i in (1..members.len()).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            members.swap(i, j);
        }
        // Each label continues where the previous one stopped, so small labels do not all land
        // in the first folds.
        for (position, member) in members.into_iter().enumerate() {
            folds[member] = (offset + position) % k;
        }
        offset += labels.iter().filter(|&&l| l == label).count();
    }
    folds
}

/// Out-of-fold predictions: each example is scored by a model trained on the other `k - 1`
/// folds of [`stratified_folds`].
pub fn cross_validate(
    examples: &[(Vec<String>, usize)],
    k: usize,
    seed: u64,
    min_document_frequency: u32,
) -> Vec<Prediction> {
    let labels: Vec<usize> = examples.iter().map(|(_, label)| *label).collect();
    let folds = stratified_folds(&labels, k, seed);
    let mut predictions = vec![None; examples.len()];
    for fold in 0..k {
        let training: Vec<_> = examples
            .iter()
            .zip(&folds)
            .filter(|&(_, &f)| f != fold)
            .map(|(example, _)| example.clone())
            .collect();
        let model = train(&training, min_document_frequency);
        for (index, (features, _)) in examples.iter().enumerate() {
            if folds[index] == fold {
                predictions[index] = Some(model.predict(features));
            }
        }
    }
    predictions.into_iter().flatten().collect()
}

/// Writes a model as Rust source: `pub static NAME: StaticModel = ...;`.
pub fn to_rust(name: &str, model: &OwnedModel) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "pub static {name}: StaticModel = Model {{");
    let _ = writeln!(out, "    vocabulary: &[");
    for feature in &model.vocabulary {
        let _ = writeln!(out, "        {feature:?},");
    }
    let _ = writeln!(out, "    ],\n    weights: &[");
    for row in &model.weights {
        let _ = writeln!(
            out,
            "        [{:?}, {:?}, {:?}, {:?}],",
            row[0], row[1], row[2], row[3]
        );
    }
    let _ = writeln!(out, "    ],\n    prior: {:?},\n}};", model.prior);
    out
}
