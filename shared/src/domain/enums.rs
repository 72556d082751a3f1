//! The closed vocabularies of the product. They are defined here once; serde, SQL, the
//! OpenAPI document, the classifier and the language-model response schema all derive from them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A closed vocabulary: every value, in the order the product presents them, and each value's
/// wire and database spelling. What code that works over any of them (statistics breakdowns,
/// schemas, checks against the database) needs.
pub trait Vocabulary: Copy + Ord + Send + Sync + 'static {
    /// The type's name, as in the OpenAPI document.
    const NAME: &'static str;
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
}

/// Declares a closed string enum with its wire names, `ALL`, `as_str` and `FromStr`.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $($variant:ident => $wire:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            Serialize, Deserialize, ToSchema, sqlx::Type,
        )]
        #[serde(rename_all = "snake_case")]
        #[sqlx(type_name = "text", rename_all = "snake_case")]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            /// Every value, in the order the product presents them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The wire and database spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire),+
                }
            }

            /// The allowed spellings, for error messages and schemas.
            pub fn names() -> Vec<&'static str> {
                Self::ALL.iter().map(|value| value.as_str()).collect()
            }
        }

        impl Vocabulary for $name {
            const NAME: &'static str = stringify!($name);
            const ALL: &'static [Self] = Self::ALL;

            fn as_str(self) -> &'static str {
                Self::as_str(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;

            /// Exact, case-sensitive match on the wire spelling.
            fn from_str(input: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str() == input)
                    .ok_or_else(|| UnknownValue { allowed: Self::names() })
            }
        }
    };
}

/// A value outside a closed vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of: {}", allowed.join(", "))]
pub struct UnknownValue {
    pub allowed: Vec<&'static str>,
}

string_enum! {
    /// What a ticket is about.
    Category {
        Billing => "billing",
        Technical => "technical",
        Account => "account",
        General => "general",
    }
}

string_enum! {
    /// How urgently a ticket needs attention.
    Priority {
        Low => "low",
        Medium => "medium",
        High => "high",
        Critical => "critical",
    }
}

string_enum! {
    /// Where a ticket is in its life.
    Status {
        Open => "open",
        InProgress => "in_progress",
        Resolved => "resolved",
        Closed => "closed",
    }
}

impl Status {
    /// Whether the ticket is being worked: its SLA targets run, it counts in the queues.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Open | Self::InProgress)
    }
}

string_enum! {
    /// What a person may do: requesters file and follow their own tickets, agents work every
    /// ticket, admins also manage accounts.
    Role {
        Requester => "requester",
        Agent => "agent",
        Admin => "admin",
    }
}

string_enum! {
    /// Who may read a comment or an event: `public` also the requester, `internal` only agents
    /// and admins.
    Visibility {
        Public => "public",
        Internal => "internal",
    }
}

string_enum! {
    /// What an entry of a ticket's history records.
    EventKind {
        Created => "created",
        StatusChanged => "status_changed",
        CategoryChanged => "category_changed",
        PriorityChanged => "priority_changed",
        AssigneeChanged => "assignee_changed",
        CommentAdded => "comment_added",
        SlaBreached => "sla_breached",
        FirstResponseDueChanged => "first_response_due_changed",
        ResolutionDueChanged => "resolution_due_changed",
        MarkedDuplicate => "marked_duplicate",
        DuplicateMerged => "duplicate_merged",
    }
}

string_enum! {
    /// Who made a change: a person, the product by one of its rules, or the classifier.
    ActorKind {
        User => "user",
        System => "system",
        Classifier => "classifier",
    }
}

string_enum! {
    /// A ticket's two SLA targets: the first public reply of an agent, and the resolution.
    SlaTarget {
        FirstResponse => "first_response",
        Resolution => "resolution",
    }
}

string_enum! {
    /// Where the running SLA target stands: `due_soon` in the last 25% of its time,
    /// `breached` from its due time on.
    SlaState {
        Ok => "ok",
        DueSoon => "due_soon",
        Breached => "breached",
    }
}

string_enum! {
    /// How sure a classifier is of one label it suggested.
    Confidence {
        High => "high",
        Medium => "medium",
        Low => "low",
    }
}

string_enum! {
    /// The tone a ticket is written in.
    Sentiment {
        Negative => "negative",
        Neutral => "neutral",
        Positive => "positive",
    }
}

string_enum! {
    /// Who chose a ticket's labels: the language model, the built-in rules, or a person (the
    /// requester filing it, or an agent changing them).
    ClassifiedBy {
        Llm => "llm",
        Fallback => "fallback",
        Person => "person",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_through_serde_and_from_str() {
        for status in Status::ALL {
            let json = serde_json::to_string(status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(status.as_str().parse::<Status>().unwrap(), *status);
        }
        assert_eq!(Status::InProgress.as_str(), "in_progress");
    }

    #[test]
    fn unknown_values_name_the_allowed_ones() {
        let error = "urgent".parse::<Priority>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "must be one of: low, medium, high, critical"
        );
        assert!("Billing".parse::<Category>().is_err());
    }
}
