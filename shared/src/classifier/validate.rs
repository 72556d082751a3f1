//! Turns a model's text answer into [`Labels`], accepting only the allowed values.

use serde_json::Value;

use super::{Labels, ProviderError};
use crate::domain::{Category, Priority};

/// Parses `{"category": "...", "priority": "..."}` (surrounding whitespace and a Markdown code
/// fence tolerated; values matched case-insensitively). Anything else is a failure.
pub fn parse_labels(text: &str) -> Result<Labels, ProviderError> {
    let text = strip_code_fence(text.trim());
    let value: Value = serde_json::from_str(text)
        .map_err(|error| ProviderError::Failed(format!("the answer is not JSON ({error})")))?;
    let field = |name: &str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .map(|raw| raw.trim().to_ascii_lowercase())
            .ok_or_else(|| ProviderError::Failed(format!("the answer has no string `{name}`")))
    };
    let category = field("category")?;
    let priority = field("priority")?;
    Ok(Labels {
        category: category
            .parse::<Category>()
            .map_err(|_| off_list("category", &category))?,
        priority: priority
            .parse::<Priority>()
            .map_err(|_| off_list("priority", &priority))?,
    })
}

fn off_list(field: &str, value: &str) -> ProviderError {
    let shown: String = value.chars().take(40).collect();
    ProviderError::Failed(format!(
        "the answer's {field} {shown:?} is not an allowed value"
    ))
}

fn strip_code_fence(text: &str) -> &str {
    text.strip_prefix("```json")
        .or_else(|| text.strip_prefix("```"))
        .and_then(|rest| rest.strip_suffix("```"))
        .map(str::trim)
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_allowed_values_in_any_case() {
        let labels = parse_labels(r#" {"category": "Billing", "priority": "HIGH"} "#).unwrap();
        assert_eq!(
            labels,
            Labels {
                category: Category::Billing,
                priority: Priority::High
            }
        );
        let fenced =
            parse_labels("```json\n{\"category\":\"account\",\"priority\":\"low\"}\n```").unwrap();
        assert_eq!(fenced.category, Category::Account);
    }

    #[test]
    fn refuses_everything_else() {
        for text in [
            "",
            "billing, high",
            r#"{"category": "hacked", "priority": "high"}"#,
            r#"{"category": "billing", "priority": "p0"}"#,
            r#"{"category": "billing"}"#,
            r#"{"category": 1, "priority": "low"}"#,
            r#"["billing", "low"]"#,
        ] {
            assert!(parse_labels(text).is_err(), "{text:?}");
        }
    }
}
