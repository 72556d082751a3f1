//! The conversation on a ticket: replies and internal notes, and the status rules a reply
//! triggers.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    Status, Visibility,
    request::{
        Body, FieldErrors, JsonObject, LabelMember, Member, Null, TextFormat, TextMember, TextRule,
        documented_body,
    },
};

/// Comment bodies: plain text, line breaks and tabs kept, at most 10,000 characters (a CHECK
/// of the table).
pub const COMMENT_RULE: TextRule = TextRule {
    max_chars: 10_000,
    line_breaks: true,
};

/// A comment, as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct Comment {
    #[schema(example = 301)]
    pub id: i64,
    #[schema(example = 42)]
    pub ticket_id: i64,
    #[schema(example = 7)]
    pub author_id: i64,
    #[schema(example = "Alex Agent")]
    pub author_name: String,
    /// Whether the author is an agent or admin (support's side of the thread).
    pub author_is_staff: bool,
    /// Plain text; line breaks are part of it.
    #[schema(example = "Thanks, we are looking into it.")]
    pub body: String,
    pub visibility: Visibility,
    /// How it arrived: written in the app, or received by email.
    pub via: CommentVia,
    pub created_at: DateTime<Utc>,
}

/// How a comment arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum CommentVia {
    Web,
    Email,
}

const BODY: TextMember = TextMember {
    name: "body",
    format: TextFormat::Free(COMMENT_RULE),
    required: true,
    example: "Thanks, we are looking into it.",
};
const VISIBILITY: LabelMember = LabelMember::of::<Visibility>(
    "visibility",
    Some(
        "`public` (default): a reply the requester sees; `internal`: a note for agents and admins only.",
    ),
);

/// `POST /api/tickets/{id}/comments/`.
pub static NEW_COMMENT: Body = Body {
    name: "NewCommentRequest",
    description: "A reply or an internal note.",
    members: &[Member::Text(BODY), Member::Label(VISIBILITY)],
    null: Null::MeansOmitted,
    dependencies: &[],
};

documented_body!(
    /// The OpenAPI schema of [`NEW_COMMENT`].
    NewCommentRequest => NEW_COMMENT
);

/// A validated comment to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    pub body: String,
    pub visibility: Visibility,
}

impl NewComment {
    pub fn parse(body: &JsonObject) -> Result<Self, FieldErrors> {
        let mut fields = NEW_COMMENT.read(body);
        let text = fields.text(&BODY);
        let visibility = fields.label(&VISIBILITY).unwrap_or(Visibility::Public);
        fields.finish()?;
        // `finish` has already reported why the body is missing.
        text.map(|body| Self { body, visibility })
            .ok_or_else(FieldErrors::new)
    }
}

/// The status a ticket moves to when a comment is added, if any: a requester's public reply
/// reopens a resolved ticket; an agent's public reply to an open ticket starts work on it.
/// Internal notes change nothing.
pub fn status_after_comment(
    status: Status,
    by_staff: bool,
    visibility: Visibility,
) -> Option<Status> {
    match (visibility, by_staff, status) {
        (Visibility::Public, false, Status::Resolved) => Some(Status::Open),
        (Visibility::Public, true, Status::Open) => Some(Status::InProgress),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn object(value: Value) -> JsonObject {
        match value {
            Value::Object(map) => map.into_iter().collect(),
            _ => panic!("test bodies are objects"),
        }
    }

    #[test]
    fn a_comment_is_public_unless_said_otherwise() {
        let reply = NewComment::parse(&object(json!({"body": " Hello\nthere "}))).unwrap();
        assert_eq!(reply.body, "Hello\nthere");
        assert_eq!(reply.visibility, Visibility::Public);
        let note =
            NewComment::parse(&object(json!({"body": "x", "visibility": "internal"}))).unwrap();
        assert_eq!(note.visibility, Visibility::Internal);
        let errors = NewComment::parse(&object(
            json!({"body": "", "visibility": "secret", "to": 1}),
        ))
        .unwrap_err();
        assert_eq!(errors["body"], ["must not be blank"]);
        assert_eq!(errors["visibility"], ["must be one of: public, internal"]);
        assert!(errors["to"][0].starts_with("is not an accepted field"));
        assert!(NewComment::parse(&object(json!({"body": "a".repeat(10_001)}))).is_err());
    }

    #[test]
    fn replies_move_the_status_as_people_expect() {
        use Status::*;
        use Visibility::*;
        assert_eq!(status_after_comment(Resolved, false, Public), Some(Open));
        assert_eq!(status_after_comment(Open, true, Public), Some(InProgress));
        assert_eq!(status_after_comment(Open, true, Internal), None);
        assert_eq!(status_after_comment(Resolved, true, Public), None);
        assert_eq!(status_after_comment(Open, false, Public), None);
        assert_eq!(status_after_comment(InProgress, true, Public), None);
        assert_eq!(status_after_comment(Closed, false, Public), None);
    }
}
