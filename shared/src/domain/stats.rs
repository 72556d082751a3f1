//! The dashboard's statistics, with one count per value of each vocabulary.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use serde::Serialize;
use utoipa::{
    ToSchema,
    openapi::{
        KnownFormat, Object, ObjectBuilder, SchemaFormat, Type, schema::AdditionalProperties,
    },
};

use super::{Category, Priority, Vocabulary};

/// Aggregates for the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TicketStats {
    pub total_tickets: i64,
    /// Tickets whose status is `open` (not `in_progress`).
    pub open_tickets: i64,
    /// Tickets ÷ distinct UTC days with at least one ticket, rounded to 2 decimals.
    pub avg_tickets_per_day: f64,
    #[schema(schema_with = Breakdown::<Priority>::schema)]
    pub priority_breakdown: Breakdown<Priority>,
    #[schema(schema_with = Breakdown::<Category>::schema)]
    pub category_breakdown: Breakdown<Category>,
    /// Tickets being worked (`open` or `in_progress`) per assignee, most first.
    pub open_by_assignee: Vec<AssigneeLoad>,
    /// Tickets being worked that nobody is assigned to.
    pub unassigned_open: i64,
    /// Tickets whose running SLA target is past due.
    pub sla_breached: i64,
    /// Tickets being worked that are flagged for triage.
    pub needs_triage: i64,
    /// Median minutes from creation to the first public agent reply, over the tickets first
    /// answered in the last 30 days; null without any.
    pub median_first_response_minutes: Option<f64>,
    /// Median minutes from creation to resolution, over the tickets resolved in the last 30
    /// days; null without any.
    pub median_resolution_minutes: Option<f64>,
    /// Until when the medians are served as they are: the figures change then without any
    /// write (conditional requests must not call them current past it). Not in the body.
    #[serde(skip)]
    pub medians_until: DateTime<Utc>,
}

/// How many tickets being worked one agent or admin holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct AssigneeLoad {
    #[schema(example = 3)]
    pub assignee_id: i64,
    #[schema(example = "Alex Agent")]
    pub assignee_name: String,
    #[schema(example = 12)]
    pub tickets: i64,
}

/// The agent queues and how many tickets each holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct QueueCounts {
    /// Being worked (`open` or `in_progress`) and assigned to the caller.
    pub mine: i64,
    /// Being worked and assigned to nobody.
    pub unassigned: i64,
    /// Running SLA target due soon (last 25% of its time), not yet breached.
    pub due_soon: i64,
    /// Running SLA target past due.
    pub breached: i64,
    /// Being worked and flagged for triage: the classifier was unsure, or an unhappy customer's
    /// ticket was not judged low priority.
    pub needs_triage: i64,
    /// Every ticket: the unfiltered list.
    pub all: i64,
}

/// A count for every value of a vocabulary: serialised as an object with one member per value,
/// zero included, in the vocabulary's order; [`Breakdown::schema`] lists the same members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown<T: Vocabulary>(BTreeMap<T, i64>);

impl<T: Vocabulary> Breakdown<T> {
    /// From counts by spelling, as the database groups them; a value nobody counted is 0. A
    /// spelling outside the vocabulary is an error: the counters and the code disagree.
    pub fn from_counts(counts: BTreeMap<String, i64>) -> Result<Self, String> {
        if let Some(unknown) = counts
            .keys()
            .find(|name| !T::ALL.iter().any(|value| value.as_str() == name.as_str()))
        {
            return Err(format!("{unknown:?} is not a {} value", T::NAME));
        }
        Ok(Self(
            T::ALL
                .iter()
                .map(|value| (*value, counts.get(value.as_str()).copied().unwrap_or(0)))
                .collect(),
        ))
    }

    pub fn get(&self, value: T) -> i64 {
        self.0.get(&value).copied().unwrap_or(0)
    }
}

impl<T: Vocabulary> Serialize for Breakdown<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(value, count)| (value.as_str(), count)))
    }
}

impl<T: Vocabulary> Breakdown<T> {
    /// An object with one integer member per value, all required, nothing else.
    pub fn schema() -> Object {
        let count = || {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(0))
        };
        T::ALL
            .iter()
            .fold(ObjectBuilder::new(), |object, value| {
                object
                    .property(value.as_str(), count())
                    .required(value.as_str())
            })
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_counted_in_order_and_strangers_are_refused() {
        let counts = BTreeMap::from([("high".to_owned(), 3), ("low".to_owned(), 1)]);
        let breakdown = Breakdown::<Priority>::from_counts(counts).unwrap();
        assert_eq!(
            serde_json::to_string(&breakdown).unwrap(),
            r#"{"low":1,"medium":0,"high":3,"critical":0}"#
        );
        assert_eq!(breakdown.get(Priority::High), 3);
        let stranger = BTreeMap::from([("urgent".to_owned(), 1)]);
        assert!(Breakdown::<Priority>::from_counts(stranger).is_err());
    }
}
