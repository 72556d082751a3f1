//! The one HTTP call shape every provider makes: POST JSON, get JSON, within a deadline, with at
//! most one retry when the provider says it is busy.

use std::{sync::LazyLock, time::Duration};

use reqwest::{StatusCode, header::HeaderMap};
use serde_json::Value;
use tokio::time::Instant;

use super::ProviderError;

/// The shared client: connection pooling and TLS set-up are paid once per process. Built on
/// first use and cloned after (a handle to the same pool): building one reads and parses the
/// system's root certificates, a cost a Lambda cold start paid once per client.
pub fn client() -> reqwest::Client {
    static CLIENT: LazyLock<reqwest::Client> = LazyLock::new(build_client);
    CLIENT.clone()
}

fn build_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(3))
        .pool_idle_timeout(Duration::from_secs(90))
        .user_agent(concat!("helpdesk/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "HTTP client set-up failed; using defaults");
            reqwest::Client::new()
        })
}

/// Wait before the retry, unless the provider asks for longer (then we only retry if it fits).
const RETRY_BACKOFF: Duration = Duration::from_millis(500);
/// A retry needs at least this much time left to be worth making.
const RETRY_MIN_REMAINING: Duration = Duration::from_secs(1);

/// POSTs `body` and returns the JSON answer, all before `deadline`. Retries once, and only on
/// 429 (rate limited) or 503 (overloaded), when the wait still leaves time for the call.
pub async fn post_json(
    client: &reqwest::Client,
    url: &str,
    headers: HeaderMap,
    body: &Value,
    deadline: Instant,
) -> Result<Value, ProviderError> {
    let mut retried = false;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let response = client
            .post(url)
            .headers(headers.clone())
            .json(body)
            .timeout(remaining)
            .send()
            .await
            .map_err(|error| ProviderError::Failed(describe_transport_error(&error)))?;
        let status = response.status();
        if status.is_success() {
            return response.json().await.map_err(|error| {
                ProviderError::Failed(format!("the answer is not JSON ({})", error.without_url()))
            });
        }
        let wait = retry_after(response.headers()).unwrap_or(RETRY_BACKOFF);
        let text = response.text().await.unwrap_or_default();
        let failure = ProviderError::Failed(describe_error(status, &text));
        let retryable = matches!(
            status,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
        );
        let fits = Instant::now() + wait + RETRY_MIN_REMAINING <= deadline;
        if retried || !retryable || !fits {
            return Err(failure);
        }
        tracing::info!(
            status = status.as_u16(),
            wait_ms = wait.as_millis() as u64,
            "provider busy; retrying once"
        );
        tokio::time::sleep(wait).await;
        retried = true;
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// Transport errors without the URL's query (none is sent, but a proxy could add one).
fn describe_transport_error(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let host = error
        .url()
        .and_then(|url| url.host_str())
        .unwrap_or("-")
        .to_owned();
    format!("{kind} ({host})")
}

/// A provider's error envelope, shortened for logs. Gemini sends
/// `{"error": {"code", "status", "message"}}`, OpenAI-compatible APIs `{"error": {"message", "type"}}`.
fn describe_error(status: StatusCode, body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let Some(error) = parsed.as_ref().and_then(|v| v.get("error")) else {
        return format!("HTTP {}", status.as_u16());
    };
    let field = |name: &str| error.get(name).and_then(Value::as_str).unwrap_or("-");
    let kind = if field("status") == "-" {
        field("type")
    } else {
        field("status")
    };
    let message: String = field("message").chars().take(200).collect();
    format!("HTTP {} {kind}: {message}", status.as_u16())
}
