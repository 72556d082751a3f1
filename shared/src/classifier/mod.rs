//! Suggests a ticket's category and priority from its text, with how sure it is of each, the
//! tone it is written in and its language.
//!
//! A [`Classifier`] asks its language-model [`Provider`] (if one is configured) within one
//! overall deadline and falls back to the built-in [`rules`] whenever the provider fails, is
//! slow or is absent. Callers always get an answer; `source` tells them which one.

pub mod assist;
pub mod eval;
mod gemini;
mod http;
mod openai;
mod prompt;
pub mod rules;
mod validate;

pub use gemini::Gemini;
pub use http::client as http_client;
pub use openai::OpenAiCompatible;

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{Category, ClassifiedBy, Confidence, Priority, Sentiment};

/// A category and priority pair, as any classifier produces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    pub category: Category,
    pub priority: Priority,
}

/// How sure the classifier is of each label it suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct LabelConfidence {
    pub category: Confidence,
    pub priority: Confidence,
}

/// A BCP 47 language tag as a classifier reports it (`en`, `de`, `pt-BR`): a primary language
/// subtag of two or three letters, lowercased, and optional subtags of letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String, example = "en")]
pub struct Language(String);

impl Language {
    /// At most this long: a language, a script and a region (`zh-Hant-TW`) fit with room.
    pub const MAX_CHARS: usize = 16;

    /// The tag, if `raw` is one; case is normalised to the usual spelling (`pt-BR`).
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > Self::MAX_CHARS {
            return None;
        }
        let mut subtags = raw.split(['-', '_']);
        let primary = subtags.next()?;
        if !(2..=3).contains(&primary.len()) || !primary.chars().all(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        let mut tag = primary.to_ascii_lowercase();
        for subtag in subtags {
            if !(2..=8).contains(&subtag.len())
                || !subtag.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return None;
            }
            tag.push('-');
            match subtag.len() {
                2 => tag.push_str(&subtag.to_ascii_uppercase()),
                4 => {
                    let mut chars = subtag.chars();
                    tag.extend(chars.next().map(|c| c.to_ascii_uppercase()));
                    tag.push_str(&chars.as_str().to_ascii_lowercase());
                }
                _ => tag.push_str(&subtag.to_ascii_lowercase()),
            }
        }
        Some(Self(tag))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Everything a classifier says about a ticket's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub labels: Labels,
    pub confidence: LabelConfidence,
    pub sentiment: Sentiment,
    /// Null when the text is too short or too mixed to tell.
    pub language: Option<Language>,
}

/// Who produced a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The language model.
    Llm,
    /// The built-in rule classifier.
    Fallback,
}

impl From<Source> for ClassifiedBy {
    fn from(source: Source) -> Self {
        match source {
            Source::Llm => Self::Llm,
            Source::Fallback => Self::Fallback,
        }
    }
}

/// The answer of `/api/tickets/classify/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Suggestion {
    pub suggested_category: Category,
    pub suggested_priority: Priority,
    pub source: Source,
    pub confidence: LabelConfidence,
    pub sentiment: Sentiment,
    /// The ticket's language (BCP 47); null when the text is too short to tell.
    #[schema(example = "en")]
    pub language: Option<Language>,
}

/// Why a provider gave no usable answer. Messages never contain secrets.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("the provider did not answer within {0:?}")]
    Timeout(Duration),
    #[error("{0}")]
    Failed(String),
}

/// A language-model backend. Implementations validate the model's output into [`Labels`] and
/// report anything else as an error; they need not handle the deadline or the fallback.
#[async_trait]
pub trait Provider: Send + Sync {
    /// A short name for logs, e.g. `gemini`.
    fn name(&self) -> &'static str;

    /// Classifies the text, or says why it could not. May be given a deadline to honour for
    /// retries; the caller enforces it regardless.
    async fn classify(
        &self,
        text: &str,
        deadline: tokio::time::Instant,
    ) -> Result<Assessment, ProviderError>;

    /// Writes the text `writing` asks for (a reply draft, a summary), or says why it could not.
    async fn write(
        &self,
        writing: &Writing,
        deadline: tokio::time::Instant,
    ) -> Result<String, ProviderError>;
}

/// A piece of writing for an agent: the instructions (ours, reviewed in a prompt file) and the
/// ticket's text as delimited data the instructions are about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Writing {
    pub instructions: &'static str,
    /// The user message: the data between tags, JSON-encoded (see [`prompt::data_message`]).
    pub data: String,
    /// A bound on the answer's length, in the model's tokens.
    pub max_output_tokens: u32,
}

/// The classification service: a provider with a deadline, and the rules behind it.
#[derive(Clone)]
pub struct Classifier {
    provider: Option<Arc<dyn Provider>>,
    timeout: Duration,
}

impl Classifier {
    /// The rule classifier alone; every answer is `source: "fallback"`.
    pub fn rules_only() -> Self {
        Self {
            provider: None,
            timeout: Duration::ZERO,
        }
    }

    pub fn with_provider(provider: Arc<dyn Provider>, timeout: Duration) -> Self {
        Self {
            provider: Some(provider),
            timeout,
        }
    }

    /// Whether a language model is configured: the writing assistance exists only then.
    pub fn can_write(&self) -> bool {
        self.provider.is_some()
    }

    /// The text `writing` asks for, within the same deadline as a classification. There is no
    /// fallback: without a model, or when it fails, the agent writes it themselves.
    pub async fn write(&self, writing: &Writing) -> Result<String, ProviderError> {
        let Some(provider) = &self.provider else {
            return Err(ProviderError::Failed(
                "no language model is configured".to_owned(),
            ));
        };
        let deadline = tokio::time::Instant::now() + self.timeout;
        let outcome = tokio::time::timeout_at(deadline, provider.write(writing, deadline))
            .await
            .unwrap_or(Err(ProviderError::Timeout(self.timeout)))
            .and_then(|text| {
                let text = text.trim();
                if text.is_empty() {
                    Err(ProviderError::Failed("the answer is empty".to_owned()))
                } else {
                    Ok(text.to_owned())
                }
            });
        if let Err(error) = &outcome {
            tracing::warn!(
                provider = provider.name(),
                reason = %error,
                data_chars = writing.data.chars().count(),
                "writing assistance failed"
            );
        }
        outcome
    }

    pub async fn classify(&self, text: &str) -> Suggestion {
        if let Some(provider) = &self.provider {
            let deadline = tokio::time::Instant::now() + self.timeout;
            let outcome = tokio::time::timeout_at(deadline, provider.classify(text, deadline))
                .await
                .unwrap_or(Err(ProviderError::Timeout(self.timeout)));
            match outcome {
                Ok(assessment) => return suggestion(assessment, Source::Llm),
                Err(error) => tracing::warn!(
                    provider = provider.name(),
                    reason = %error,
                    text_chars = text.chars().count(),
                    "classification fell back to rules"
                ),
            }
        }
        suggestion(rules::assess(text), Source::Fallback)
    }
}

fn suggestion(assessment: Assessment, source: Source) -> Suggestion {
    Suggestion {
        suggested_category: assessment.labels.category,
        suggested_priority: assessment.labels.priority,
        source,
        confidence: assessment.confidence,
        sentiment: assessment.sentiment,
        language: assessment.language,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_are_checked_and_normalised() {
        let tag = |raw| Language::parse(raw).map(|tag| tag.0);
        assert_eq!(tag("en").as_deref(), Some("en"));
        assert_eq!(tag(" PT_br ").as_deref(), Some("pt-BR"));
        assert_eq!(tag("zh-hant-tw").as_deref(), Some("zh-Hant-TW"));
        for refused in [
            "",
            "e",
            "english",
            "en-",
            "en-x",
            "12",
            "en us",
            "de-DE-<b>",
        ] {
            assert_eq!(tag(refused), None, "{refused:?}");
        }
    }
}
