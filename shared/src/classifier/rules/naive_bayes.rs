//! A multinomial naive Bayes text classifier over word unigrams and bigrams and the rules' cues:
//! the features it reads, its training, its inference, and stratified folds for
//! cross-validation.
//!
//! One implementation serves three callers: `shared/build.rs` (included with `#[path]`, next to
//! `tables.rs` and `cues.rs`) trains the shipped models on the labelled corpus and writes them
//! out as Rust tables; the crate scores tickets with those tables; the accuracy test trains on
//! nine tenths of the corpus and scores the rest. So this file depends on nothing but `std`,
//! `serde_json` and those two files, all of which the build script has too.

use std::collections::{BTreeMap, HashMap};

use super::cues::Text;
use super::tables::{
    CAN_WAIT, Cue, NEEDS_ACTION, NEGATIVE_TONE, POSITIVE_TONE, PRIORITY_SITUATIONS,
};

/// The category labels in the order of the model's columns (the order of `Category::ALL`).
pub const CATEGORY_LABELS: [&str; 4] = ["billing", "technical", "account", "general"];
/// The priority labels in the order of the model's columns (the order of `Priority::ALL`).
pub const PRIORITY_LABELS: [&str; 4] = ["low", "medium", "high", "critical"];
/// The tone labels in the order of the model's columns (the order of `Sentiment::ALL`).
pub const SENTIMENT_LABELS: [&str; 3] = ["negative", "neutral", "positive"];

/// How a model is trained: the features it keeps and how much it smooths their counts.
#[derive(Debug, Clone, Copy)]
pub struct Training {
    /// A feature is kept only if at least this many training tickets contain it.
    pub min_document_frequency: u32,
    /// Additive smoothing of the per-label feature counts.
    pub smoothing: f64,
}

/// The category model drops features seen in a single ticket: they are mostly noise (names,
/// numbers, typos) and would bloat the embedded tables.
pub const CATEGORY_TRAINING: Training = Training {
    min_document_frequency: 2,
    smoothing: 2.0,
};
/// The priority model keeps every feature: measured by cross-validation, its rare word pairs
/// carry enough signal (pruning them cost over a point).
pub const PRIORITY_TRAINING: Training = Training {
    min_document_frequency: 1,
    smoothing: 2.0,
};
/// The tone model learns from the 640 tickets with a tone label, so it smooths less; features of
/// a single ticket cost it a point.
pub const SENTIMENT_TRAINING: Training = Training {
    min_document_frequency: 2,
    smoothing: 1.0,
};

/// Features that are the rules' cues rather than words start with this.
const CUE_PREFIX: &str = "cue:";

/// How many words one cue feature counts as, in training and scoring alike. The cues are
/// hand-picked, so each says more than a word; by cross-validation 2 beats 1 and 3 for priority.
const CUE_WEIGHT: f64 = 2.0;

/// From this cue weight on a tone is strong (one outright cue and one that leans, or more).
const STRONG_TONE: u32 = 3;

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

/// What each model reads of one ticket.
#[derive(Debug, Clone)]
pub struct TicketFeatures {
    /// The words ([`features`]).
    pub category: Vec<String>,
    /// The words and the priority cues ([`priority_cues`]).
    pub priority: Vec<String>,
    /// The words and the tone cues ([`tone_cues`]).
    pub sentiment: Vec<String>,
}

/// The features of a ticket for each model; each list holds a feature once.
pub fn ticket_features(title: &str, description: &str) -> TicketFeatures {
    let words = features(title, description);
    let text = Text::from_parts(title, description);
    let with_cues = |cues: Vec<String>| {
        let mut features = Vec::with_capacity(words.len() + cues.len());
        features.extend_from_slice(&words);
        features.extend(cues);
        features
    };
    TicketFeatures {
        priority: with_cues(priority_cues(&text)),
        sentiment: with_cues(tone_cues(&text)),
        category: words,
    }
}

/// The features of a ticket's words: its stemmed words and word pairs, its title's words again
/// marked as title words (a title says in a few words what the ticket is about), and the words
/// just after a negator marked as negated. Each feature is listed once, sorted.
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

/// The hand rules' priority cues as features, each affirmed (not negated) cue phrase of
/// `tables.rs` on its own and each situation it belongs to ("locked out", "urgency"), and
/// whether the can-wait cues outweigh the needs-action ones, as the rules decide "low".
fn priority_cues(text: &Text) -> Vec<String> {
    let mut cues = Vec::new();
    for (situation, phrases) in PRIORITY_SITUATIONS {
        let before = cues.len();
        for phrase in phrases.iter().filter(|phrase| text.is_affirmed(phrase)) {
            cues.push(format!("{CUE_PREFIX}{situation}:{phrase}"));
        }
        if cues.len() > before {
            cues.push(format!("{CUE_PREFIX}{situation}"));
        }
    }
    let can_wait = affirmed_cues(text, CAN_WAIT, "can_wait", &mut cues);
    let needs_action = text.affirmed_score(NEEDS_ACTION);
    for (present, name) in [
        (can_wait > 0, "can_wait"),
        (needs_action > 0, "needs_action"),
        (can_wait > needs_action, "can_wait_wins"),
    ] {
        if present {
            cues.push(format!("{CUE_PREFIX}{name}"));
        }
    }
    cues
}

/// The tone lexicon as features: each affirmed tone cue, and how the negative and positive cues
/// weigh against each other (a negated positive cue, "not happy", counts as negative).
fn tone_cues(text: &Text) -> Vec<String> {
    let mut cues = Vec::new();
    let negative = affirmed_cues(text, NEGATIVE_TONE, "negative", &mut cues)
        + text.negated_score(POSITIVE_TONE);
    let positive = affirmed_cues(text, POSITIVE_TONE, "positive", &mut cues);
    for (present, name) in [
        (negative > 0, "negative"),
        (negative >= STRONG_TONE, "very_negative"),
        (negative > positive, "negative_wins"),
        (positive > 0, "positive"),
        (positive >= STRONG_TONE, "very_positive"),
        (positive > negative, "positive_wins"),
    ] {
        if present {
            cues.push(format!("{CUE_PREFIX}{name}"));
        }
    }
    cues
}

/// Pushes a feature for each affirmed cue of `table` (named `table_name`), and returns their
/// summed weight.
fn affirmed_cues(text: &Text, table: &[Cue], table_name: &str, cues: &mut Vec<String>) -> u32 {
    let mut score = 0;
    for &(phrase, weight) in table {
        if text.is_affirmed(phrase) {
            score += weight;
            cues.push(format!("{CUE_PREFIX}{table_name}:{phrase}"));
        }
    }
    score
}

/// How many words a feature counts as.
fn weight_of(feature: &str) -> f64 {
    if feature.starts_with(CUE_PREFIX) {
        CUE_WEIGHT
    } else {
        1.0
    }
}

/// A trained model over `N` labels: for each feature of its vocabulary, the log-probability of
/// seeing it in a ticket of each label (times the feature's weight), and each label's log prior.
/// `S` is `String` while training and `&'static str` in the tables embedded in the binary.
#[derive(Debug, Clone)]
pub struct Model<S, W, const N: usize> {
    /// Sorted, so a feature is found by binary search.
    pub vocabulary: S,
    /// `N` weights per vocabulary entry, in the same order.
    pub weights: W,
    pub prior: [f32; N],
}

/// The model as the training produces it.
pub type OwnedModel<const N: usize> = Model<Vec<String>, Vec<[f32; N]>, N>;
/// The model as the build script embeds it.
pub type StaticModel<const N: usize> = Model<&'static [&'static str], &'static [[f32; N]], N>;

/// Trains on `(features, label)` pairs, each feature listed once per example.
pub fn train<const N: usize>(
    examples: &[(Vec<String>, usize)],
    training: Training,
) -> OwnedModel<N> {
    let vocabulary = vocabulary_of(examples, training.min_document_frequency);
    let mut counts = vec![[0.0f64; N]; vocabulary.len()];
    let mut label_totals = [0.0f64; N];
    let mut label_documents = [0.0f64; N];
    for (features, label) in examples {
        label_documents[*label] += 1.0;
        for feature in features {
            if let Some(&index) = vocabulary.get(feature.as_str()) {
                let weight = weight_of(feature);
                counts[index][*label] += weight;
                label_totals[*label] += weight;
            }
        }
    }
    let smoothing = training.smoothing;
    let size = vocabulary.len() as f64;
    let weights = vocabulary
        .iter()
        .map(|(feature, &index)| {
            let mut weight = [0.0f32; N];
            for label in 0..N {
                let probability =
                    (counts[index][label] + smoothing) / (label_totals[label] + smoothing * size);
                weight[label] = (weight_of(feature) * probability.ln()) as f32;
            }
            weight
        })
        .collect();
    let documents = examples.len() as f64;
    let mut prior = [0.0f32; N];
    for label in 0..N {
        prior[label] = ((label_documents[label] + 1.0) / (documents + N as f64)).ln() as f32;
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

impl<S: Vocabulary, W: AsRef<[[f32; N]]>, const N: usize> Model<S, W, N> {
    /// The log-scores of each label for a ticket's features (unknown features are ignored), as
    /// log-probabilities up to one shared constant.
    pub fn log_scores<F: AsRef<str>>(&self, features: &[F]) -> [f32; N] {
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
    /// The prediction from at least two labels' log-scores.
    pub fn from_log_scores<const N: usize>(scores: [f32; N]) -> Self {
        let mut order: [usize; N] = std::array::from_fn(|label| label);
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
pub fn cross_validate<const N: usize>(
    examples: &[(Vec<String>, usize)],
    k: usize,
    seed: u64,
    training: Training,
) -> Vec<Prediction> {
    let labels: Vec<usize> = examples.iter().map(|(_, label)| *label).collect();
    let folds = stratified_folds(&labels, k, seed);
    let mut predictions = vec![None; examples.len()];
    for fold in 0..k {
        let training_set: Vec<_> = examples
            .iter()
            .zip(&folds)
            .filter(|&(_, &f)| f != fold)
            .map(|(example, _)| example.clone())
            .collect();
        let model: OwnedModel<N> = train(&training_set, training);
        for (index, (features, _)) in examples.iter().enumerate() {
            if folds[index] == fold {
                predictions[index] = Some(model.predict(features));
            }
        }
    }
    predictions.into_iter().flatten().collect()
}

/// Writes a model as Rust source: `pub static NAME: StaticModel<N> = ...;`.
pub fn to_rust<const N: usize>(name: &str, model: &OwnedModel<N>) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "pub static {name}: StaticModel<{N}> = Model {{");
    let _ = writeln!(out, "    vocabulary: &[");
    for feature in &model.vocabulary {
        let _ = writeln!(out, "        {feature:?},");
    }
    let _ = writeln!(out, "    ],\n    weights: &[");
    for row in &model.weights {
        let _ = writeln!(out, "        {row:?},");
    }
    let _ = writeln!(out, "    ],\n    prior: {:?},\n}};", model.prior);
    out
}
