//! Helpdesk: domain, configuration, persistence, classification and the HTTP layer, shared by
//! the local server and the Lambda functions so that every deployment runs the same code.

pub mod auth;
pub mod classifier;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod http;
pub mod intake;
#[cfg(feature = "lambda")]
pub mod lambda;
pub mod mail;
pub mod repository;
#[cfg(feature = "aws-secrets")]
pub mod secrets;
pub mod seed;
pub mod telemetry;

use std::sync::Arc;

use classifier::{Classifier, Gemini, OpenAiCompatible, Provider};
use config::{ClassifierConfig, ClassifierKind};

/// Builds the classification service the configuration asks for, once per process. A provider
/// that cannot be set up is logged and the rule classifier serves instead.
pub fn build_classifier(config: &ClassifierConfig) -> Classifier {
    match build_provider(config) {
        Some(provider) => Classifier::with_provider(provider, config.timeout),
        None => Classifier::rules_only(),
    }
}

/// The language-model provider the configuration asks for, or `None` (logged) when it asks for
/// the rules or a provider cannot be set up.
pub fn build_provider(config: &ClassifierConfig) -> Option<Arc<dyn Provider>> {
    match config.kind {
        ClassifierKind::Rules => None,
        ClassifierKind::Gemini => match &config.gemini.api_key {
            Some(key) => {
                tracing::info!(model = %config.gemini.model, "classifying with Gemini");
                let gemini = Gemini::new(
                    classifier::http_client(),
                    &config.gemini.base_url,
                    &config.gemini.model,
                    key.clone(),
                );
                Some(Arc::new(gemini))
            }
            // Only the Lambda functions read GEMINI_API_KEY_SECRET_ID (`secrets`, before this
            // call); a failed read there is already logged with its reason.
            None if config.gemini.api_key_secret_id.is_some() => {
                tracing::warn!(
                    "no Gemini key from GEMINI_API_KEY_SECRET_ID (only the Lambda functions read \
                     it; locally, set GEMINI_API_KEY); using the rule classifier"
                );
                None
            }
            None => {
                tracing::warn!(
                    "CLASSIFIER=gemini but no GEMINI_API_KEY is set; using the rule classifier"
                );
                None
            }
        },
        ClassifierKind::OpenAi => match (&config.openai.base_url, &config.openai.model) {
            (Some(base_url), Some(model)) => {
                tracing::info!(%model, "classifying with an OpenAI-compatible endpoint");
                let provider = OpenAiCompatible::new(
                    classifier::http_client(),
                    base_url,
                    model,
                    config.openai.api_key.clone(),
                );
                Some(Arc::new(provider))
            }
            // Config parsing requires both for CLASSIFIER=openai.
            _ => None,
        },
    }
}
