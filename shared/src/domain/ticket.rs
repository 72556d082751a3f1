//! Validated ticket values and the commands built from request bodies.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    Category, ClassifiedBy, Confidence, Email, NAME_RULE, Priority, Sentiment, SlaState, SlaTarget,
    Status, User,
    request::{
        Body, FieldErrors, IdMember, JsonObject, LabelMember, Member, Null, TextFormat, TextMember,
        TextRule, documented_body,
    },
};

/// Ticket titles: one line, at most 200 characters (the column is varchar(200)).
pub const TITLE_RULE: TextRule = TextRule {
    max_chars: 200,
    line_breaks: false,
};
/// Descriptions: line breaks and tabs kept, at most 10,000 characters (a CHECK of the table).
pub const DESCRIPTION_RULE: TextRule = TextRule {
    max_chars: 10_000,
    line_breaks: true,
};
pub const TITLE_MAX_CHARS: usize = TITLE_RULE.max_chars;
pub const DESCRIPTION_MAX_CHARS: usize = DESCRIPTION_RULE.max_chars;

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
    /// The account that asked; null for a public submission and for tickets from before
    /// sign-in existed.
    #[schema(example = 7)]
    pub requester_id: Option<i64>,
    /// Who asked, as they were when they did; null only for tickets from before sign-in existed.
    #[schema(example = "ada@example.com")]
    pub requester_email: Option<String>,
    #[schema(example = "Ada Lovelace")]
    pub requester_name: Option<String>,
    /// The agent or admin working it, if any.
    #[schema(example = 3)]
    pub assignee_id: Option<i64>,
    /// When the first public reply of an agent is due (creation time plus the priority's
    /// target). Null for requesters, as are the other SLA members.
    pub first_response_due_at: Option<DateTime<Utc>>,
    /// When the resolution is due.
    pub resolution_due_at: Option<DateTime<Utc>>,
    /// When an agent or admin first replied publicly.
    pub first_responded_at: Option<DateTime<Utc>>,
    /// When it became resolved or closed; null while it is being worked.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The running SLA target: the first response until an agent replies publicly, then the
    /// resolution; null once resolved or closed.
    #[sqlx(skip)]
    pub sla_target: Option<SlaTarget>,
    /// When the running target is due.
    pub sla_due_at: Option<DateTime<Utc>>,
    /// Where the running target stands now.
    #[sqlx(skip)]
    pub sla: Option<SlaState>,
    /// From when the running target is due soon.
    #[serde(skip)]
    pub sla_warn_at: Option<DateTime<Utc>>,
    /// Who chose the labels; null for tickets from before this was recorded. Null for
    /// requesters, as are the other triage members: triage is the team's business.
    pub classified_by: Option<ClassifiedBy>,
    /// How sure the classifier was of each label, when it labelled the ticket.
    #[sqlx(skip)]
    pub confidence: Option<crate::classifier::LabelConfidence>,
    #[serde(skip)]
    pub category_confidence: Option<Confidence>,
    #[serde(skip)]
    pub priority_confidence: Option<Confidence>,
    /// The tone of the request, as the classifier read it.
    pub sentiment: Option<Sentiment>,
    /// The language of the request (BCP 47), as the classifier read it.
    #[schema(example = "en")]
    pub language: Option<String>,
    /// Flagged for an agent to check the labels: the classifier was unsure, or an unhappy
    /// customer's ticket was not judged low priority. Cleared when an agent sets the labels.
    pub needs_triage: Option<bool>,
    /// Closed as a duplicate of this ticket, whose conversation its requester can follow.
    #[schema(example = 41)]
    pub duplicate_of: Option<i64>,
    /// Bumped by the database on every change; sent as the `ETag`, not in the body.
    #[serde(skip)]
    pub version: i64,
}

impl Ticket {
    /// The strong entity tag of this version of the ticket.
    pub fn etag(&self) -> String {
        format!("\"{}-{}\"", self.id, self.version)
    }

    /// When the SLA state shown with this ticket next changes on its own, with time and no
    /// write: the first of its due-soon and due times after `now`; `None` if neither is ahead
    /// (or none is shown).
    pub fn sla_changes_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        [self.sla_warn_at, self.sla_due_at]
            .into_iter()
            .flatten()
            .find(|at| *at > now)
    }

    /// The ticket as `viewer` sees it at `now`: staff with its SLA state, requesters (and
    /// submitters without an account) without any SLA member: service targets are the team's
    /// business.
    pub fn seen_by(mut self, viewer: Option<&User>, now: DateTime<Utc>) -> Self {
        if viewer.is_some_and(User::is_staff) {
            self.confidence = self.category_confidence.zip(self.priority_confidence).map(
                |(category, priority)| crate::classifier::LabelConfidence { category, priority },
            );
            self.sla = SlaState::at(now, self.sla_due_at, self.sla_warn_at);
            self.sla_target = self.sla_due_at.map(|_| {
                if self.first_responded_at.is_none() {
                    SlaTarget::FirstResponse
                } else {
                    SlaTarget::Resolution
                }
            });
        } else {
            self.first_response_due_at = None;
            self.resolution_due_at = None;
            self.sla_due_at = None;
            self.sla_warn_at = None;
            self.sla = None;
            self.sla_target = None;
            self.classified_by = None;
            self.category_confidence = None;
            self.priority_confidence = None;
            self.confidence = None;
            self.sentiment = None;
            self.language = None;
            self.needs_triage = None;
        }
        self
    }
}

/// A ticket title under [`TITLE_RULE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub fn parse(raw: &str) -> Result<Self, String> {
        TITLE_RULE.check(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A ticket description under [`DESCRIPTION_RULE`]; line breaks and tabs are kept, other
/// control characters (which PostgreSQL may refuse, e.g. NUL) are rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    pub fn parse(raw: &str) -> Result<Self, String> {
        DESCRIPTION_RULE.check(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

const TITLE: TextMember = TextMember {
    name: "title",
    format: TextFormat::Free(TITLE_RULE),
    required: true,
    example: "Charged twice for November",
};
const DESCRIPTION: TextMember = TextMember {
    name: "description",
    format: TextFormat::Free(DESCRIPTION_RULE),
    required: true,
    example: "My card was charged twice.",
};
const CLASSIFY_DESCRIPTION: TextMember = TextMember {
    example: "I was charged twice this month",
    ..DESCRIPTION
};
/// Who asks, for a submission without an account (required then) or an agent filing for
/// someone (the address finds or makes their account).
const REQUESTER_EMAIL: TextMember = TextMember {
    name: "requester_email",
    format: TextFormat::Email,
    required: false,
    example: "ada@example.com",
};
const REQUESTER_NAME: TextMember = TextMember {
    name: "requester_name",
    format: TextFormat::Free(NAME_RULE),
    required: false,
    example: "Ada Lovelace",
};
const SUGGESTED: Option<&str> = Some("Omit to let the classifier choose.");
const NEW_CATEGORY: LabelMember = LabelMember::of::<Category>("category", SUGGESTED);
const NEW_PRIORITY: LabelMember = LabelMember::of::<Priority>("priority", SUGGESTED);
const STATUS: LabelMember = LabelMember::of::<Status>("status", None);
const CATEGORY: LabelMember = LabelMember::of::<Category>("category", None);
const PRIORITY: LabelMember = LabelMember::of::<Priority>("priority", None);
const ASSIGNEE: IdMember = IdMember {
    name: "assignee_id",
    description: "An enabled agent or admin to work the ticket; null for nobody. Agents and admins only.",
    clearable: true,
};

/// `POST /api/tickets/`.
pub static CREATE_TICKET: Body = Body {
    name: "CreateTicketRequest",
    description: "A new ticket. Omitted (or null) labels are suggested by the classifier.",
    members: &[
        Member::Text(TITLE),
        Member::Text(DESCRIPTION),
        Member::Label(NEW_CATEGORY),
        Member::Label(NEW_PRIORITY),
        Member::Text(REQUESTER_EMAIL),
        Member::Text(REQUESTER_NAME),
    ],
    null: Null::MeansOmitted,
    dependencies: &[("requester_name", "requester_email")],
};

/// `PATCH /api/tickets/{id}/`.
pub static UPDATE_TICKET: Body = Body {
    name: "UpdateTicketRequest",
    description: "The labels and assignee to change; an empty object changes nothing. Omit a \
                  member to leave it as it is (null is refused, but for assignee_id).",
    members: &[
        Member::Label(STATUS),
        Member::Label(CATEGORY),
        Member::Label(PRIORITY),
        Member::Id(ASSIGNEE),
    ],
    null: Null::Refused,
    dependencies: &[],
};

/// `POST /api/tickets/classify/`.
pub static CLASSIFY: Body = Body {
    name: "ClassifyRequest",
    description: "The text to suggest labels for.",
    members: &[Member::Text(CLASSIFY_DESCRIPTION)],
    null: Null::MeansOmitted,
    dependencies: &[],
};

documented_body!(
    /// The OpenAPI schema of [`CREATE_TICKET`].
    CreateTicketRequest => CREATE_TICKET
);
documented_body!(
    /// The OpenAPI schema of [`UPDATE_TICKET`].
    UpdateTicketRequest => UPDATE_TICKET
);
documented_body!(
    /// The OpenAPI schema of [`CLASSIFY`].
    ClassifyRequest => CLASSIFY
);

/// A validated create command; omitted labels are filled by the classifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    pub title: Title,
    pub description: Description,
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    /// For whom, when the caller names someone: the address, and the name if given.
    pub requester: Option<(Email, Option<String>)>,
}

impl NewTicket {
    pub fn parse(body: &JsonObject) -> Result<Self, FieldErrors> {
        let mut fields = CREATE_TICKET.read(body);
        let title = fields.text(&TITLE);
        let description = fields.text(&DESCRIPTION);
        let category = fields.label(&NEW_CATEGORY);
        let priority = fields.label(&NEW_PRIORITY);
        let requester_email = fields.text(&REQUESTER_EMAIL);
        let requester_name = fields.text(&REQUESTER_NAME);
        fields.finish()?;
        match (title, description) {
            (Some(title), Some(description)) => Ok(Self {
                title: Title(title),
                description: Description(description),
                category,
                priority,
                requester: requester_email
                    .map(|email| (Email::from_checked(email), requester_name)),
            }),
            // `finish` has already reported why either is missing.
            _ => Err(FieldErrors::new()),
        }
    }
}

/// A validated PATCH: the labels and assignee an agent may change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketChanges {
    pub status: Option<Status>,
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    /// `Some(None)`: unassign.
    pub assignee: Option<Option<i64>>,
}

impl TicketChanges {
    /// Whether this change only closes the ticket: all a requester may do to their own.
    pub fn only_closes(&self) -> bool {
        *self
            == Self {
                status: Some(Status::Closed),
                ..Self::default()
            }
    }

    pub fn parse(body: &JsonObject) -> Result<Self, FieldErrors> {
        let mut fields = UPDATE_TICKET.read(body);
        let changes = Self {
            status: fields.label(&STATUS),
            category: fields.label(&CATEGORY),
            priority: fields.label(&PRIORITY),
            assignee: fields.id(&ASSIGNEE),
        };
        fields.finish()?;
        Ok(changes)
    }
}

/// Parses the body of `/classify`: one required `description`.
pub fn parse_classify_request(body: &JsonObject) -> Result<Description, FieldErrors> {
    let mut fields = CLASSIFY.read(body);
    let description = fields.text(&CLASSIFY_DESCRIPTION);
    fields.finish()?;
    // `finish` has already reported why it is missing.
    description.map(Description).ok_or_else(FieldErrors::new)
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
