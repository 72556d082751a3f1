//! A ticket's history: what each change records, and who may read it.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ActorKind, EventKind, Ticket, Visibility};

/// An entry of a ticket's history, as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct TicketEvent {
    #[schema(example = 912)]
    pub id: i64,
    #[schema(example = 42)]
    pub ticket_id: i64,
    pub kind: EventKind,
    pub actor_kind: ActorKind,
    /// The person who made the change; null for the product's own rules, the classifier, and a
    /// submission without an account.
    #[schema(example = 7)]
    pub actor_id: Option<i64>,
    /// Their name (for a submission without an account, the name given with it).
    #[schema(example = "Alex Agent")]
    pub actor_name: Option<String>,
    /// The value before the change, as the API spells it: a label, an account id for
    /// assignments, an RFC 3339 time for due times, the target for a breach.
    #[serde(rename = "from")]
    #[sqlx(rename = "from_value")]
    #[schema(example = "open")]
    pub from: Option<String>,
    /// The value after the change.
    #[serde(rename = "to")]
    #[sqlx(rename = "to_value")]
    #[schema(example = "in_progress")]
    pub to: Option<String>,
    /// For assignments: the names of the accounts in `from` and `to`.
    pub from_name: Option<String>,
    pub to_name: Option<String>,
    /// For `comment_added`: the comment.
    pub comment_id: Option<i64>,
    pub visibility: Visibility,
    /// When it happened (for a breach, the due time that passed).
    pub created_at: DateTime<Utc>,
}

/// Who makes a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A person: their account, or none for a submission without one.
    Person(Option<i64>),
    /// One of the product's rules (a reply moving the status, a due time passing).
    System,
    /// The classifier choosing labels the requester left out.
    Classifier,
}

impl Actor {
    pub fn kind(self) -> ActorKind {
        match self {
            Self::Person(_) => ActorKind::User,
            Self::System => ActorKind::System,
            Self::Classifier => ActorKind::Classifier,
        }
    }

    pub fn id(self) -> Option<i64> {
        match self {
            Self::Person(id) => id,
            Self::System | Self::Classifier => None,
        }
    }
}

/// An entry to append to a ticket's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub kind: EventKind,
    pub actor: Actor,
    pub from: Option<String>,
    pub to: Option<String>,
    pub comment_id: Option<i64>,
    pub visibility: Visibility,
}

impl NewEvent {
    /// An event whose visibility follows from its kind: changes to what the requester sees on
    /// their ticket are public; SLA bookkeeping is internal.
    pub fn new(kind: EventKind, actor: Actor, from: Option<String>, to: Option<String>) -> Self {
        let visibility = match kind {
            EventKind::SlaBreached
            | EventKind::FirstResponseDueChanged
            | EventKind::ResolutionDueChanged => Visibility::Internal,
            _ => Visibility::Public,
        };
        Self {
            kind,
            actor,
            from,
            to,
            comment_id: None,
            visibility,
        }
    }

    /// A comment added, as visible as the comment.
    pub fn comment_added(actor: Actor, comment_id: i64, visibility: Visibility) -> Self {
        Self {
            comment_id: Some(comment_id),
            visibility,
            ..Self::new(EventKind::CommentAdded, actor, None, None)
        }
    }
}

/// The events recording how `before` became `after`, one per changed field.
pub fn changes_between(before: &Ticket, after: &Ticket, actor: Actor) -> Vec<NewEvent> {
    let mut events = Vec::new();
    let mut record = |kind, actor, from: Option<String>, to: Option<String>| {
        if from != to {
            events.push(NewEvent::new(kind, actor, from, to));
        }
    };
    let label = |value: &dyn std::fmt::Display| Some(value.to_string());
    let account = |id: Option<i64>| id.map(|id| id.to_string());
    let time =
        |at: Option<DateTime<Utc>>| at.map(|at| at.to_rfc3339_opts(SecondsFormat::Micros, true));
    record(
        EventKind::StatusChanged,
        actor,
        label(&before.status),
        label(&after.status),
    );
    record(
        EventKind::CategoryChanged,
        actor,
        label(&before.category),
        label(&after.category),
    );
    record(
        EventKind::PriorityChanged,
        actor,
        label(&before.priority),
        label(&after.priority),
    );
    record(
        EventKind::AssigneeChanged,
        actor,
        account(before.assignee_id),
        account(after.assignee_id),
    );
    // Due times move by the SLA rule, as a consequence of the change above.
    record(
        EventKind::FirstResponseDueChanged,
        Actor::System,
        time(before.first_response_due_at),
        time(after.first_response_due_at),
    );
    record(
        EventKind::ResolutionDueChanged,
        Actor::System,
        time(before.resolution_due_at),
        time(after.resolution_due_at),
    );
    events
}
