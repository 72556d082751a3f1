//! Logging set-up: human-readable lines locally, JSON on Lambda (for CloudWatch queries).

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (the local server, containers).
    Text,
    /// JSON lines for CloudWatch Logs Insights (Lambda). Each line lists its spans, so every
    /// event of an invocation carries `aws_request_id` (the `lambda` span) next to the
    /// request's method, path and `x-request-id` (the `request` span). No timestamp: CloudWatch
    /// stamps every line itself.
    Json,
}

/// Installs the global subscriber. `filter` uses `RUST_LOG` syntax; an invalid one falls back
/// to `info` with a warning rather than silencing the logs.
pub fn init(filter: &str, format: LogFormat) {
    let (filter, invalid) = match EnvFilter::try_new(filter) {
        Ok(filter) => (filter, None),
        Err(error) => (EnvFilter::new("info"), Some(error)),
    };
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Text => registry.with(fmt::layer()).try_init(),
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(false)
                    .with_span_list(true)
                    .with_ansi(false)
                    .without_time(),
            )
            .try_init(),
    };
    if let (Ok(()), Some(error)) = (result, invalid) {
        tracing::warn!(%error, "RUST_LOG is invalid; logging at info");
    }
}
