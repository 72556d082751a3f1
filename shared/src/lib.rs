//! Helpdesk: domain, configuration, persistence, classification and the HTTP layer, shared by
//! the local server and the Lambda functions so that every deployment runs the same code.

pub mod classifier;
pub mod config;
pub mod db;
pub mod domain;
pub mod http;
pub mod repository;
pub mod telemetry;

use classifier::Classifier;
use config::{ClassifierKind, Config};

/// Builds the classification service the configuration asks for.
pub fn build_classifier(config: &Config) -> Classifier {
    match config.classifier {
        ClassifierKind::Rules => Classifier::rules_only(),
        kind => {
            tracing::warn!(
                ?kind,
                "this language-model provider is not available yet; using the rule classifier"
            );
            Classifier::rules_only()
        }
    }
}
