//! Any OpenAI-compatible `/chat/completions` endpoint (OpenAI, Ollama, vLLM, LiteLLM…), with a
//! strict JSON-schema response format built from the domain enums.

use async_trait::async_trait;
use reqwest::header::{AUTHORIZATION, HeaderMap};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::{Labels, Provider, ProviderError, http::post_json, prompt, validate::parse_labels};
use crate::{
    config::Secret,
    domain::{Category, Priority},
};

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
            "max_tokens": 64,
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
                        "properties": {
                            "category": {"type": "string", "enum": Category::names()},
                            "priority": {"type": "string", "enum": Priority::names()},
                        },
                        "required": ["category", "priority"],
                        "additionalProperties": false,
                    },
                },
            },
        })
    }
}

#[async_trait]
impl Provider for OpenAiCompatible {
    fn name(&self) -> &'static str {
        "openai"
    }

    async fn classify(&self, text: &str, deadline: Instant) -> Result<Labels, ProviderError> {
        let mut headers = HeaderMap::new();
        if let Some(key) = &self.api_key {
            let value = format!("Bearer {}", key.expose()).parse().map_err(|_| {
                ProviderError::Failed("OPENAI_API_KEY is not a valid header value".to_owned())
            })?;
            headers.insert(AUTHORIZATION, value);
        }
        let body = self.request_body(text);
        let answer = post_json(&self.client, &self.url, headers, &body, deadline).await?;
        let content = answer
            .pointer("/choices/0/message/content")
            .and_then(Value::as_str)
            .ok_or_else(|| ProviderError::Failed("the answer has no message content".to_owned()))?;
        parse_labels(content)
    }
}
