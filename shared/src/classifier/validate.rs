//! Turns a model's text answer into an [`Assessment`], accepting only the allowed values.

use std::str::FromStr;

use serde_json::Value;

use super::{Assessment, LabelConfidence, Labels, Language, ProviderError};
use crate::domain::{Category, Confidence, Priority, Sentiment};

/// The members of a model's answer, in the order the response schemas ask for them.
pub const ANSWER_MEMBERS: [&str; 6] = [
    "category",
    "category_confidence",
    "priority",
    "priority_confidence",
    "sentiment",
    "language",
];

/// The properties of the answer's JSON schema, each a string (spelled `string_type` in the
/// provider's schema dialect) limited to its vocabulary; the language a free-form tag.
pub fn answer_properties(string_type: &str) -> serde_json::Map<String, Value> {
    let choice = |names: Vec<&str>| serde_json::json!({"type": string_type, "enum": names});
    let members = [
        choice(Category::names()),
        choice(Confidence::names()),
        choice(Priority::names()),
        choice(Confidence::names()),
        choice(Sentiment::names()),
        serde_json::json!({
            "type": string_type,
            "description": "The ticket's language as a BCP 47 tag, e.g. en, de, pt-BR",
        }),
    ];
    ANSWER_MEMBERS
        .iter()
        .map(|name| (*name).to_owned())
        .zip(members)
        .collect()
}

/// Parses `{"category": "...", "category_confidence": "...", "priority": "...",
/// "priority_confidence": "...", "sentiment": "...", "language": "..."}` (surrounding whitespace
/// and a Markdown code fence tolerated; values matched case-insensitively). A value off its list
/// is a failure; only a language that is not a BCP 47 tag is taken as unknown, since the labels
/// do not depend on it.
pub fn parse_assessment(text: &str) -> Result<Assessment, ProviderError> {
    let text = strip_code_fence(text.trim());
    let value: Value = serde_json::from_str(text)
        .map_err(|error| ProviderError::Failed(format!("the answer is not JSON ({error})")))?;
    let labels = Labels {
        category: member(&value, "category")?,
        priority: member(&value, "priority")?,
    };
    Ok(Assessment {
        labels,
        confidence: LabelConfidence {
            category: member::<Confidence>(&value, "category_confidence")?,
            priority: member::<Confidence>(&value, "priority_confidence")?,
        },
        sentiment: member::<Sentiment>(&value, "sentiment")?,
        language: value
            .get("language")
            .and_then(Value::as_str)
            .and_then(Language::parse),
    })
}

/// The string member `name` as one of a vocabulary's values.
fn member<T: FromStr>(value: &Value, name: &str) -> Result<T, ProviderError> {
    let raw = value
        .get(name)
        .and_then(Value::as_str)
        .map(|raw| raw.trim().to_ascii_lowercase())
        .ok_or_else(|| ProviderError::Failed(format!("the answer has no string `{name}`")))?;
    raw.parse().map_err(|_| off_list(name, &raw))
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

    const SURE: &str = r#""category_confidence": "high", "priority_confidence": "medium", "sentiment": "negative""#;

    #[test]
    fn accepts_allowed_values_in_any_case() {
        let answer =
            format!(r#" {{"category": "Billing", "priority": "HIGH", {SURE}, "language": "DE"}} "#);
        let assessment = parse_assessment(&answer).unwrap();
        assert_eq!(
            assessment,
            Assessment {
                labels: Labels {
                    category: Category::Billing,
                    priority: Priority::High
                },
                confidence: LabelConfidence {
                    category: Confidence::High,
                    priority: Confidence::Medium
                },
                sentiment: Sentiment::Negative,
                language: Language::parse("de"),
            }
        );
        let fenced = format!(
            "```json\n{{\"category\":\"account\",\"priority\":\"low\",{SURE},\"language\":\"english\"}}\n```"
        );
        let fenced = parse_assessment(&fenced).unwrap();
        assert_eq!(fenced.labels.category, Category::Account);
        assert_eq!(fenced.language, None, "not a tag: unknown, not a failure");
    }

    #[test]
    fn refuses_everything_else() {
        for text in [
            String::new(),
            "billing, high".to_owned(),
            format!(r#"{{"category": "hacked", "priority": "high", {SURE}}}"#),
            format!(r#"{{"category": "billing", "priority": "p0", {SURE}}}"#),
            format!(r#"{{"category": "billing", {SURE}}}"#),
            format!(r#"{{"category": 1, "priority": "low", {SURE}}}"#),
            r#"{"category": "billing", "priority": "low"}"#.to_owned(),
            r#"{"category": "billing", "priority": "low", "category_confidence": "certain", "priority_confidence": "low", "sentiment": "neutral"}"#.to_owned(),
            r#"{"category": "billing", "priority": "low", "category_confidence": "low", "priority_confidence": "low", "sentiment": "furious"}"#.to_owned(),
            r#"["billing", "low"]"#.to_owned(),
        ] {
            assert!(parse_assessment(&text).is_err(), "{text:?}");
        }
    }
}
