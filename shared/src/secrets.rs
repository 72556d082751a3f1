//! The Gemini key from AWS: Secrets Manager, or SSM Parameter Store when the id starts with
//! `ssm:`. Read once per process start (a Lambda cold start), never per request.

use aws_config::SdkConfig;

use crate::config::{GeminiConfig, Secret};

/// Fills `gemini.api_key` from `GEMINI_API_KEY_SECRET_ID` when no key is set directly.
/// A missing or unreadable secret is logged once; the rule classifier then serves.
pub async fn resolve_gemini_key(gemini: &mut GeminiConfig) {
    if gemini.api_key.is_some() {
        return;
    }
    let Some(secret_id) = gemini.api_key_secret_id.clone() else {
        return;
    };
    let aws = aws_config::load_from_env().await;
    match fetch(&aws, &secret_id).await {
        Ok(key) => {
            tracing::info!(secret_id = %secret_id, "read the Gemini key from AWS");
            gemini.api_key = Some(key);
        }
        Err(reason) => tracing::error!(
            secret_id = %secret_id,
            %reason,
            "cannot read the Gemini key from AWS; the rule classifier will answer"
        ),
    }
}

/// Reads the secret named by `secret_id` with the given AWS configuration.
pub async fn fetch(aws: &SdkConfig, secret_id: &str) -> Result<Secret, String> {
    let raw = match secret_id.strip_prefix("ssm:") {
        Some(name) => aws_sdk_ssm::Client::new(aws)
            .get_parameter()
            .name(name)
            .with_decryption(true)
            .send()
            .await
            .map_err(|error| {
                format!(
                    "SSM GetParameter failed: {}",
                    aws_sdk_ssm::error::DisplayErrorContext(error)
                )
            })?
            .parameter
            .and_then(|parameter| parameter.value),
        None => {
            aws_sdk_secretsmanager::Client::new(aws)
                .get_secret_value()
                .secret_id(secret_id)
                .send()
                .await
                .map_err(|error| {
                    format!(
                        "Secrets Manager GetSecretValue failed: {}",
                        aws_sdk_secretsmanager::error::DisplayErrorContext(error)
                    )
                })?
                .secret_string
        }
    };
    raw.as_deref()
        .and_then(key_from_secret_text)
        .ok_or_else(|| "the secret holds no key".to_owned())
}

/// A secret is either the key itself or a JSON object holding it (the console's key/value
/// form), under `GEMINI_API_KEY`, `api_key` or as its only string member.
fn key_from_secret_text(text: &str) -> Option<Secret> {
    let text = text.trim();
    if !text.starts_with('{') {
        return (!text.is_empty()).then(|| Secret::new(text));
    }
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).ok()?;
    let named = ["GEMINI_API_KEY", "api_key"]
        .iter()
        .find_map(|name| object.get(*name));
    let only = (object.len() == 1)
        .then(|| object.values().next())
        .flatten();
    named
        .or(only)?
        .as_str()
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .map(Secret::new)
}

#[cfg(test)]
mod tests {
    use super::key_from_secret_text;

    #[test]
    fn plain_and_json_secrets_are_understood() {
        let expose = |text: &str| key_from_secret_text(text).map(|s| s.expose().to_owned());
        assert_eq!(expose(" AIza123 \n").as_deref(), Some("AIza123"));
        assert_eq!(
            expose(r#"{"GEMINI_API_KEY": "AIza1"}"#).as_deref(),
            Some("AIza1")
        );
        assert_eq!(
            expose(r#"{"api_key": "AIza2", "note": "x"}"#).as_deref(),
            Some("AIza2")
        );
        assert_eq!(expose(r#"{"whatever": "AIza3"}"#).as_deref(), Some("AIza3"));
        assert_eq!(expose(r#"{"a": "1", "b": "2"}"#), None);
        assert_eq!(expose(""), None);
    }
}
