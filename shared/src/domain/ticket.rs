//! Validated ticket values and the commands built from request bodies.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{Category, Priority, Status};

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 10_000;

/// The message for a text over its length limit, from the parser or, should one get past it,
/// from the database's CHECK.
pub fn too_long(max_chars: usize) -> String {
    format!("must be at most {max_chars} characters")
}

/// Field name → messages, as sent in the `errors` member of a validation problem.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// A stored ticket, as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Ticket {
    #[schema(example = 42)]
    pub id: i64,
    #[schema(example = "Charged twice for November")]
    pub title: String,
    #[schema(example = "My card was charged twice for the November invoice.")]
    pub description: String,
    pub category: Category,
    pub priority: Priority,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Bumped by the database on every change; sent as the `ETag`, not in the body.
    #[serde(skip)]
    pub version: i64,
}

impl Ticket {
    /// The strong entity tag of this version of the ticket.
    pub fn etag(&self) -> String {
        format!("\"{}-{}\"", self.id, self.version)
    }
}

/// A ticket title: trimmed, not blank, at most 200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let title = raw.trim();
        if title.is_empty() {
            return Err("must not be blank".to_owned());
        }
        if title.chars().count() > TITLE_MAX_CHARS {
            return Err(too_long(TITLE_MAX_CHARS));
        }
        if title.chars().any(char::is_control) {
            return Err("must not contain control characters or line breaks".to_owned());
        }
        Ok(Self(title.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A ticket description: trimmed, not blank, at most 10,000 characters; line breaks and tabs
/// are kept, other control characters (which PostgreSQL may refuse, e.g. NUL) are rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let description = raw.trim();
        if description.is_empty() {
            return Err("must not be blank".to_owned());
        }
        if description.chars().count() > DESCRIPTION_MAX_CHARS {
            return Err(too_long(DESCRIPTION_MAX_CHARS));
        }
        if description
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(
                "must not contain control characters other than line breaks and tabs".to_owned(),
            );
        }
        Ok(Self(description.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `POST /api/tickets/` body. Documentation of the wire shape; parsing is [`NewTicket::parse`].
/// The patterns restate the parsers' rules: something visible, no control characters (line
/// breaks and tabs allowed in descriptions).
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicketRequest {
    #[schema(
        max_length = 200,
        min_length = 1,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$",
        example = "Charged twice for November"
    )]
    pub title: String,
    #[schema(
        max_length = 10000,
        min_length = 1,
        pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$",
        example = "My card was charged twice."
    )]
    pub description: String,
    /// Omit to let the classifier choose.
    pub category: Option<Category>,
    /// Omit to let the classifier choose.
    pub priority: Option<Priority>,
}

/// `PATCH /api/tickets/{id}/` body; an empty object changes nothing. Parsing is
/// [`TicketChanges::parse`].
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTicketRequest {
    #[schema(nullable = false)]
    pub status: Option<Status>,
    #[schema(nullable = false)]
    pub category: Option<Category>,
    #[schema(nullable = false)]
    pub priority: Option<Priority>,
}

/// `POST /api/tickets/classify/` body. Parsing is [`Description::parse`] on its one member.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassifyRequest {
    #[schema(
        max_length = 10000,
        min_length = 1,
        pattern = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$",
        example = "I was charged twice this month"
    )]
    pub description: String,
}

/// A validated create command; omitted labels are filled by the classifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    pub title: Title,
    pub description: Description,
    pub category: Option<Category>,
    pub priority: Option<Priority>,
}

impl NewTicket {
    pub const FIELDS: &'static [&'static str] = &["title", "description", "category", "priority"];

    pub fn parse(body: &JsonObject) -> Result<Self, FieldErrors> {
        let mut fields = FieldReader::new(body, Self::FIELDS);
        let title = fields.required("title", Title::parse);
        let description = fields.required("description", Description::parse);
        let category = fields.optional("category", parse_enum);
        let priority = fields.optional("priority", parse_enum);
        fields.finish()?;
        match (title, description) {
            (Some(title), Some(description)) => Ok(Self {
                title,
                description,
                category,
                priority,
            }),
            // `finish` has already reported why either is missing.
            _ => Err(FieldErrors::new()),
        }
    }
}

/// A validated PATCH: the labels an agent may change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketChanges {
    pub status: Option<Status>,
    pub category: Option<Category>,
    pub priority: Option<Priority>,
}

impl TicketChanges {
    pub const FIELDS: &'static [&'static str] = &["status", "category", "priority"];

    pub fn parse(body: &JsonObject) -> Result<Self, FieldErrors> {
        let mut fields = FieldReader::new(body, Self::FIELDS);
        // Null cannot mean "leave unchanged" (omit the member for that) nor clear a label.
        fields.refuse_nulls();
        let changes = Self {
            status: fields.optional("status", parse_enum),
            category: fields.optional("category", parse_enum),
            priority: fields.optional("priority", parse_enum),
        };
        fields.finish()?;
        Ok(changes)
    }
}

/// Parses the body of `/classify`: one required `description`.
pub fn parse_classify_request(body: &JsonObject) -> Result<Description, FieldErrors> {
    let mut fields = FieldReader::new(body, &["description"]);
    let description = fields.required("description", Description::parse);
    fields.finish()?;
    // `finish` has already reported why it is missing.
    description.ok_or_else(FieldErrors::new)
}

/// A JSON object with its members in order; duplicate keys are refused when it is read.
pub type JsonObject = Vec<(String, Value)>;

fn parse_enum<T: std::str::FromStr<Err = super::UnknownValue>>(raw: &str) -> Result<T, String> {
    raw.parse()
        .map_err(|error: super::UnknownValue| error.to_string())
}

/// Reads string members of a JSON object, collecting one message list per field.
struct FieldReader<'a> {
    body: &'a JsonObject,
    allowed: &'static [&'static str],
    errors: FieldErrors,
}

impl<'a> FieldReader<'a> {
    fn new(body: &'a JsonObject, allowed: &'static [&'static str]) -> Self {
        Self {
            body,
            allowed,
            errors: FieldErrors::new(),
        }
    }

    fn refuse_nulls(&mut self) {
        let nulls: Vec<&str> = self
            .body
            .iter()
            .filter(|(_, v)| v.is_null())
            .map(|(k, _)| k.as_str())
            .collect();
        for name in nulls {
            self.fail(name, "must not be null".to_owned());
        }
    }

    fn string(&mut self, name: &str) -> Option<&'a str> {
        match self
            .body
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
        {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text),
            Some(_) => {
                self.fail(name, "must be a string".to_owned());
                None
            }
        }
    }

    fn required<T>(&mut self, name: &str, parse: impl Fn(&str) -> Result<T, String>) -> Option<T> {
        let present = self
            .body
            .iter()
            .any(|(key, value)| key == name && !value.is_null());
        if !present {
            self.fail(name, "is required".to_owned());
            return None;
        }
        self.optional(name, parse)
    }

    fn optional<T>(&mut self, name: &str, parse: impl Fn(&str) -> Result<T, String>) -> Option<T> {
        let raw = self.string(name)?;
        parse(raw).map_err(|message| self.fail(name, message)).ok()
    }

    fn fail(&mut self, name: &str, message: String) {
        self.errors
            .entry(name.to_owned())
            .or_default()
            .push(message);
    }

    /// Reports unknown members and returns every error found.
    fn finish(mut self) -> Result<(), FieldErrors> {
        for (key, _) in self.body {
            if !self.allowed.contains(&key.as_str()) {
                let message = format!(
                    "is not an accepted field (accepted: {})",
                    self.allowed.join(", ")
                );
                self.fail(key, message);
            }
        }
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> JsonObject {
        match value {
            Value::Object(map) => map.into_iter().collect(),
            _ => panic!("test bodies are objects"),
        }
    }

    #[test]
    fn title_is_trimmed_and_counted_in_characters() {
        assert_eq!(
            Title::parse("  Printer on fire ").unwrap().as_str(),
            "Printer on fire"
        );
        assert!(Title::parse("   ").is_err());
        assert!(
            Title::parse(&"é".repeat(200)).is_ok(),
            "200 two-byte characters fit"
        );
        assert_eq!(
            Title::parse(&"é".repeat(201)).unwrap_err(),
            "must be at most 200 characters"
        );
        assert!(Title::parse("line\nbreak").is_err());
        assert!(Title::parse("nul\0byte").is_err());
    }

    #[test]
    fn description_keeps_line_breaks_but_refuses_nul() {
        assert!(Description::parse("first line\nsecond\tline").is_ok());
        assert!(Description::parse("nul\0byte").is_err());
        assert!(Description::parse(&"a".repeat(10_000)).is_ok());
        assert!(Description::parse(&"a".repeat(10_001)).is_err());
        assert!(Description::parse("\n\t ").is_err());
    }

    #[test]
    fn new_ticket_collects_every_field_error() {
        let errors = NewTicket::parse(&object(json!({
            "title": 7, "category": "food", "priority": "urgent", "owner": "me"
        })))
        .unwrap_err();
        assert_eq!(errors["title"], ["must be a string"]);
        assert_eq!(errors["description"], ["is required"]);
        assert_eq!(
            errors["category"],
            ["must be one of: billing, technical, account, general"]
        );
        assert_eq!(
            errors["priority"],
            ["must be one of: low, medium, high, critical"]
        );
        assert!(errors["owner"][0].starts_with("is not an accepted field"));
    }

    #[test]
    fn new_ticket_labels_are_optional() {
        let ticket = NewTicket::parse(&object(json!({
            "title": "Hi", "description": "Text", "category": null, "priority": "low"
        })))
        .unwrap();
        assert_eq!(ticket.category, None);
        assert_eq!(ticket.priority, Some(Priority::Low));
    }

    #[test]
    fn changes_accept_only_known_non_null_fields() {
        assert_eq!(
            TicketChanges::parse(&object(json!({}))).unwrap(),
            TicketChanges::default()
        );
        let nulls = TicketChanges::parse(&object(json!({"status": null}))).unwrap_err();
        assert_eq!(nulls["status"], ["must not be null"]);
        let errors = TicketChanges::parse(&object(json!({"title": "new"}))).unwrap_err();
        assert!(errors.contains_key("title"));
        let changes = TicketChanges::parse(&object(json!({"status": "in_progress"}))).unwrap();
        assert_eq!(changes.status, Some(Status::InProgress));
    }
}
