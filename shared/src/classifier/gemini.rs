//! Google Gemini `generateContent` over plain REST, with a JSON response schema built from the
//! domain enums so the model can only answer with allowed values.

use async_trait::async_trait;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::{
    Assessment, Provider, ProviderError, Writing,
    http::post_json,
    prompt,
    validate::{ANSWER_MEMBERS, answer_properties, parse_assessment},
};
use crate::config::Secret;

pub struct Gemini {
    client: reqwest::Client,
    url: String,
    model: String,
    api_key: Secret,
}

impl Gemini {
    pub fn new(client: reqwest::Client, base_url: &str, model: &str, api_key: Secret) -> Self {
        Self {
            client,
            url: format!(
                "{}/v1beta/models/{model}:generateContent",
                base_url.trim_end_matches('/')
            ),
            model: model.to_owned(),
            api_key,
        }
    }

    fn headers(&self) -> Result<HeaderMap, ProviderError> {
        let mut headers = HeaderMap::new();
        let key = self.api_key.expose().parse().map_err(|_| {
            ProviderError::Failed("GEMINI_API_KEY is not a valid header value".to_owned())
        })?;
        headers.insert("x-goog-api-key", key);
        Ok(headers)
    }

    /// 2.5 Flash models think by default, which costs time and tokens for a short answer; a zero
    /// budget turns it off. Pro models cannot disable it and older ones reject it.
    fn without_thinking(&self, generation_config: &mut Value) {
        if self.model.contains("2.5") && !self.model.contains("pro") {
            generation_config["thinkingConfig"] = json!({"thinkingBudget": 0});
        }
    }

    fn writing_body(&self, writing: &Writing) -> Value {
        let mut generation_config = json!({
            "temperature": 0.2,
            "maxOutputTokens": writing.max_output_tokens,
            "responseMimeType": "text/plain",
        });
        self.without_thinking(&mut generation_config);
        json!({
            "systemInstruction": {"parts": [{"text": writing.instructions}]},
            "contents": [{"role": "user", "parts": [{"text": writing.data}]}],
            "generationConfig": generation_config,
        })
    }

    fn request_body(&self, text: &str) -> Value {
        let mut generation_config = json!({
            "temperature": 0,
            "maxOutputTokens": 128,
            "responseMimeType": "application/json",
            "responseSchema": {
                "type": "OBJECT",
                "properties": answer_properties("STRING"),
                "required": ANSWER_MEMBERS,
                "propertyOrdering": ANSWER_MEMBERS,
            },
        });
        self.without_thinking(&mut generation_config);
        json!({
            "systemInstruction": {"parts": [{"text": prompt::SYSTEM}]},
            "contents": [{"role": "user", "parts": [{"text": prompt::ticket_message(text)}]}],
            "generationConfig": generation_config,
        })
    }
}

#[async_trait]
impl Provider for Gemini {
    fn name(&self) -> &'static str {
        "gemini"
    }

    async fn classify(&self, text: &str, deadline: Instant) -> Result<Assessment, ProviderError> {
        let body = self.request_body(text);
        let answer = post_json(&self.client, &self.url, self.headers()?, &body, deadline).await?;
        parse_assessment(&answer_text(&answer)?)
    }

    async fn write(&self, writing: &Writing, deadline: Instant) -> Result<String, ProviderError> {
        let body = self.writing_body(writing);
        let answer = post_json(&self.client, &self.url, self.headers()?, &body, deadline).await?;
        answer_text(&answer)
    }
}

/// The text of the first candidate, or why there is none (blocked, empty, cut short).
fn answer_text(answer: &Value) -> Result<String, ProviderError> {
    if let Some(reason) = answer
        .pointer("/promptFeedback/blockReason")
        .and_then(Value::as_str)
    {
        return Err(ProviderError::Failed(format!(
            "the prompt was blocked ({reason})"
        )));
    }
    let candidate = answer
        .pointer("/candidates/0")
        .ok_or_else(|| ProviderError::Failed("the answer has no candidates".to_owned()))?;
    let finish = candidate
        .get("finishReason")
        .and_then(Value::as_str)
        .unwrap_or("STOP");
    if finish != "STOP" {
        return Err(ProviderError::Failed(format!(
            "the answer finished with {finish}"
        )));
    }
    let text: String = candidate
        .pointer("/content/parts")
        .and_then(Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .filter_map(|part| part.get("text").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ProviderError::Failed("the answer is empty".to_owned()));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_empty_and_truncated_answers_are_failures() {
        for answer in [
            json!({"promptFeedback": {"blockReason": "SAFETY"}}),
            json!({"candidates": []}),
            json!({"candidates": [{"finishReason": "SAFETY", "content": {"parts": [{"text": "{}"}]}}]}),
            json!({"candidates": [{"finishReason": "STOP", "content": {"parts": []}}]}),
        ] {
            assert!(answer_text(&answer).is_err(), "{answer}");
        }
        let ok = json!({"candidates": [{"finishReason": "STOP", "content": {"parts": [{"text": "{\"a\":1}"}]}}]});
        assert_eq!(answer_text(&ok).unwrap(), "{\"a\":1}");
    }

    #[test]
    fn thinking_is_disabled_only_where_the_model_allows_it() {
        let client = reqwest::Client::new();
        let flash = Gemini::new(
            client.clone(),
            "http://x",
            "gemini-2.5-flash-lite",
            Secret::new("k"),
        );
        assert_eq!(
            flash.request_body("t")["generationConfig"]["thinkingConfig"]["thinkingBudget"],
            0
        );
        let pro = Gemini::new(client, "http://x/", "gemini-2.5-pro", Secret::new("k"));
        assert!(
            pro.request_body("t")["generationConfig"]
                .get("thinkingConfig")
                .is_none()
        );
        assert_eq!(
            pro.url,
            "http://x/v1beta/models/gemini-2.5-pro:generateContent"
        );
    }
}
