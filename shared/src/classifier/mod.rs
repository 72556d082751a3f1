//! Suggests a ticket's category and priority from its text.
//!
//! A [`Classifier`] asks its language-model [`Provider`] (if one is configured) within one
//! overall deadline and falls back to the built-in [`rules`] whenever the provider fails, is
//! slow or is absent. Callers always get an answer; `source` tells them which one.

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

use crate::domain::{Category, Priority};

/// A category and priority pair, as any classifier produces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    pub category: Category,
    pub priority: Priority,
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

/// The answer of `/api/tickets/classify/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Suggestion {
    pub suggested_category: Category,
    pub suggested_priority: Priority,
    pub source: Source,
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
    ) -> Result<Labels, ProviderError>;
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

    pub async fn classify(&self, text: &str) -> Suggestion {
        if let Some(provider) = &self.provider {
            let deadline = tokio::time::Instant::now() + self.timeout;
            let outcome = tokio::time::timeout_at(deadline, provider.classify(text, deadline))
                .await
                .unwrap_or(Err(ProviderError::Timeout(self.timeout)));
            match outcome {
                Ok(labels) => return suggestion(labels, Source::Llm),
                Err(error) => tracing::warn!(
                    provider = provider.name(),
                    reason = %error,
                    text_chars = text.chars().count(),
                    "classification fell back to rules"
                ),
            }
        }
        suggestion(rules::classify(text), Source::Fallback)
    }
}

fn suggestion(labels: Labels, source: Source) -> Suggestion {
    Suggestion {
        suggested_category: labels.category,
        suggested_priority: labels.priority,
        source,
    }
}
