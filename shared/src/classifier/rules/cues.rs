//! How a cue phrase matches a ticket: the text as lowercase word tokens in clauses, a phrase
//! found by binary search on its first word, and a negator shortly before it in the same clause
//! cancelling it. The hand-written rules score cues with it, and the naive Bayes models read the
//! priority and tone cues as features, so `shared/build.rs` includes this file too (with
//! `#[path]`, next to `tables.rs`).
//!
//! Matching whole tokens rather than substrings is what keeps "card" out of "discard" and "down"
//! out of "download"; a trailing `*` on a cue word opts into prefix matching where inflections
//! matter. No regex engine: this runs on every classification.

use super::tables::{COUNT_WORDS, Cue, NEGATORS};

/// A text's title and description: only a single line followed by a blank line is taken for a
/// title, so a description passed on its own is read evenly.
pub fn split_title(raw: &str) -> (&str, &str) {
    match raw.split_once("\n\n") {
        Some((head, rest)) if !head.contains('\n') => (head, rest),
        _ => ("", raw),
    }
}

/// How many tokens before a cue a negator may stand to cancel it.
const NEGATION_REACH: usize = 3;

pub struct Token {
    pub word: String,
    /// Clause number, so a negation never reaches across a sentence or comma.
    clause: u32,
}

/// The ticket as lowercase word tokens, apostrophes dropped and punctuation gone.
pub struct Text {
    pub tokens: Vec<Token>,
    /// Token positions ordered by word, so a cue finds where it could start by binary search
    /// instead of walking a long description once per cue.
    by_word: Vec<usize>,
    /// Tokens before this index are the title, which says in a few words what the ticket is
    /// about and so counts double for the category.
    pub title_end: usize,
}

impl Text {
    /// A ticket's text, "title\n\ndescription" or just a description ([`split_title`]).
    pub fn new(raw: &str) -> Self {
        let (title, body) = split_title(raw);
        Self::from_parts(title, body)
    }

    pub fn from_parts(title: &str, body: &str) -> Self {
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

    pub fn is_affirmed(&self, phrase: &str) -> bool {
        self.matches(phrase).any(|start| !self.is_negated(start))
    }

    /// Sums the weights of the cues present, each counted once however often it occurs, and
    /// once more if it occurs in the title.
    pub fn score(&self, cues: &[Cue]) -> u32 {
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
    pub fn negated_score(&self, cues: &[Cue]) -> u32 {
        cues.iter()
            .filter(|(phrase, _)| {
                let mut starts = self.matches(phrase).peekable();
                starts.peek().is_some() && starts.all(|start| self.is_negated(start))
            })
            .map(|(_, weight)| weight)
            .sum()
    }

    /// Sums the weights of the cues present with no negator just before them.
    pub fn affirmed_score(&self, cues: &[Cue]) -> u32 {
        cues.iter()
            .filter(|(phrase, _)| self.is_affirmed(phrase))
            .map(|(_, weight)| weight)
            .sum()
    }

    /// Whether any phrase is present with no negator just before it.
    pub fn has_any(&self, phrases: &[&str]) -> bool {
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
