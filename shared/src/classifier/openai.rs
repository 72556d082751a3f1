//! Any OpenAI-compatible `/chat/completions` endpoint (OpenAI, Ollama, vLLM, LiteLLM…), with a
//! strict JSON-schema response format built from the domain enums.

use async_trait::async_trait;
use reqwest::header::{AUTHORIZATION, HeaderMap};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::{
    Assessment, Provider, ProviderError, Writing,
    http::post_json,
    prompt,
    validate::{ANSWER_MEMBERS, answer_properties, parse_assessment},
};
use crate::config::Secret;

pub struct OpenAiCompatible {
    client: reqwest::Client,
    url: String,
    model: String,
    api_key: Option<Secret>,
}

impl OpenAiCompatible {
    pub fn new(
        client: reqwest::Client,
        base_url: &str,
        model: &str,
        api_key: Option<Secret>,
    ) -> Self {
        Self {
            client,
            url: format!("{}/chat/completions", base_url.trim_end_matches('/')),
            model: model.to_owned(),
            api_key,
        }
    }

    fn request_body(&self, text: &str) -> Value {
        json!({
            "model": self.model,
            "temperature": 0,
            "max_tokens": 128,
            "messages": [
                {"role": "system", "content": prompt::SYSTEM},
                {"role": "user", "content": prompt::ticket_message(text)},
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": "ticket_labels",
                    "strict": true,
                    "schema": {
                        "type": "object",
                        "properties": answer_properties("string"),
                        "required": ANSWER_MEMBERS,
                        "additionalProperties": false,
                    },
                },
            },
        })
    }
}

impl OpenAiCompatible {
    /// POSTs `body` and returns the first choice's message, or why there is none (a refusal,
    /// an answer cut short by the length limit).
    async fn answer(&self, body: &Value, deadline: Instant) -> Result<String, ProviderError> {
        let mut headers = HeaderMap::new();
        if let Some(key) = &self.api_key {
            let value = format!("Bearer {}", key.expose()).parse().map_err(|_| {
                ProviderError::Failed("OPENAI_API_KEY is not a valid header value".to_owned())
            })?;
            headers.insert(AUTHORIZATION, value);
        }
        let answer = post_json(&self.client, &self.url, headers, body, deadline).await?;
        let choice = answer
            .pointer("/choices/0")
            .ok_or_else(|| ProviderError::Failed("the answer has no choices".to_owned()))?;
        if choice
            .pointer("/message/refusal")
            .and_then(Value::as_str)
            .is_some()
        {
            return Err(ProviderError::Failed("the model refused".to_owned()));
        }
        if let Some(finish) = choice.get("finish_reason").and_then(Value::as_str)
            && !matches!(finish, "stop" | "eos")
        {
            return Err(ProviderError::Failed(format!(
                "the answer finished with {finish}"
            )));
        }
        choice
            .pointer("/message/content")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| ProviderError::Failed("the answer has no message content".to_owned()))
    }
}

#[async_trait]
impl Provider for OpenAiCompatible {
    fn name(&self) -> &'static str {
        "openai"
    }

    async fn classify(&self, text: &str, deadline: Instant) -> Result<Assessment, ProviderError> {
        let body = self.request_body(text);
        parse_assessment(&self.answer(&body, deadline).await?)
    }

    async fn write(&self, writing: &Writing, deadline: Instant) -> Result<String, ProviderError> {
        let body = json!({
            "model": self.model,
            "temperature": 0.2,
            "max_tokens": writing.max_output_tokens,
            "messages": [
                {"role": "system", "content": writing.instructions},
                {"role": "user", "content": writing.data},
            ],
        });
        self.answer(&body, deadline).await
    }
}
