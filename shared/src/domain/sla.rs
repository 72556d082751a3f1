//! SLA: the targets per priority, and where a ticket's running target stands at a given time.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::{
    ToSchema,
    openapi::{ObjectBuilder, Ref, schema::AdditionalProperties},
};

use super::{FieldErrors, JsonObject, Priority, SlaState};

/// The longest target: a year, in minutes (a CHECK of `sla_policies` says the same).
pub const MAX_TARGET_MINUTES: i32 = 525_600;

impl SlaState {
    /// The state at `now` of a target due at `due` that is due soon from `warn`; `None` when no
    /// target is running. Due soon from `warn` inclusive, breached from `due` inclusive: the
    /// same comparisons as the list's `sla` filters.
    pub fn at(
        now: DateTime<Utc>,
        due: Option<DateTime<Utc>>,
        warn: Option<DateTime<Utc>>,
    ) -> Option<Self> {
        let due = due?;
        Some(if now >= due {
            Self::Breached
        } else if warn.is_some_and(|warn| now >= warn) {
            Self::DueSoon
        } else {
            Self::Ok
        })
    }
}

/// The two targets of one priority, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct SlaTargets {
    /// From creation to the first public reply of an agent.
    #[schema(minimum = 1, maximum = 525600, example = 60)]
    pub first_response_minutes: i32,
    /// From creation to resolution; at least the first-response target.
    #[schema(minimum = 1, maximum = 525600, example = 240)]
    pub resolution_minutes: i32,
}

/// The targets of every priority: serialised as an object with one member per priority, in
/// the vocabulary's order (`PUT` requires them all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaPolicy(BTreeMap<Priority, SlaTargets>);

impl SlaPolicy {
    /// From rows read by priority. Every priority must be there: the migration inserts them all
    /// and nothing deletes them.
    pub fn from_rows(
        rows: impl IntoIterator<Item = (Priority, SlaTargets)>,
    ) -> Result<Self, String> {
        let policy: BTreeMap<_, _> = rows.into_iter().collect();
        match Priority::ALL
            .iter()
            .find(|priority| !policy.contains_key(priority))
        {
            Some(missing) => Err(format!("no SLA policy for priority {missing}")),
            None => Ok(Self(policy)),
        }
    }

    pub fn targets(&self, priority: Priority) -> Option<SlaTargets> {
        self.0.get(&priority).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (Priority, SlaTargets)> + '_ {
        self.0
            .iter()
            .map(|(priority, targets)| (*priority, *targets))
    }

    /// Reads a `PUT` body: every priority, each with both targets as whole minutes from 1 to a
    /// year, the first response no later than the resolution. Errors are keyed
    /// `<priority>` or `<priority>.<target>`.
    pub fn parse(body: &JsonObject) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut fail = |field: String, message: &str| {
            errors.entry(field).or_default().push(message.to_owned());
        };
        for (name, _) in body {
            if name.parse::<Priority>().is_err() {
                fail(
                    name.clone(),
                    &format!(
                        "is not a priority (expected: {})",
                        Priority::names().join(", ")
                    ),
                );
            }
        }
        let mut policy = BTreeMap::new();
        for &priority in Priority::ALL {
            let Some((_, value)) = body.iter().find(|(name, _)| name == priority.as_str()) else {
                fail(priority.to_string(), "is required");
                continue;
            };
            let Value::Object(targets) = value else {
                fail(
                    priority.to_string(),
                    "must be an object with first_response_minutes and resolution_minutes",
                );
                continue;
            };
            for name in targets.keys() {
                if !matches!(
                    name.as_str(),
                    "first_response_minutes" | "resolution_minutes"
                ) {
                    fail(
                        format!("{priority}.{name}"),
                        "is not an accepted field (accepted: first_response_minutes, resolution_minutes)",
                    );
                }
            }
            let mut minutes = |name: &str| {
                let minutes = targets
                    .get(name)
                    .and_then(Value::as_i64)
                    .filter(|minutes| (1..=i64::from(MAX_TARGET_MINUTES)).contains(minutes));
                if minutes.is_none() {
                    fail(
                        format!("{priority}.{name}"),
                        "must be a whole number of minutes from 1 to 525600 (a year)",
                    );
                }
                minutes.and_then(|minutes| i32::try_from(minutes).ok())
            };
            let first_response = minutes("first_response_minutes");
            let resolution = minutes("resolution_minutes");
            if let (Some(first_response_minutes), Some(resolution_minutes)) =
                (first_response, resolution)
            {
                if first_response_minutes > resolution_minutes {
                    fail(
                        format!("{priority}.resolution_minutes"),
                        "must be at least first_response_minutes",
                    );
                }
                policy.insert(
                    priority,
                    SlaTargets {
                        first_response_minutes,
                        resolution_minutes,
                    },
                );
            }
        }
        if errors.is_empty() {
            Ok(Self(policy))
        } else {
            Err(errors)
        }
    }
}

impl Serialize for SlaPolicy {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(
            self.0
                .iter()
                .map(|(priority, targets)| (priority.as_str(), targets)),
        )
    }
}

impl utoipa::PartialSchema for SlaPolicy {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        Priority::ALL
            .iter()
            .fold(
                ObjectBuilder::new().description(Some(
                    "SLA targets per priority, in minutes of elapsed time. They apply to tickets \
                     created, or given a new priority, from then on.",
                )),
                |object, priority| {
                    object
                        .property(priority.as_str(), Ref::from_schema_name("SlaTargets"))
                        .required(priority.as_str())
                },
            )
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl ToSchema for SlaPolicy {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        schemas.push((
            "SlaTargets".to_owned(),
            <SlaTargets as utoipa::PartialSchema>::schema(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use serde_json::json;

    use super::*;

    fn object(value: Value) -> JsonObject {
        match value {
            Value::Object(map) => map.into_iter().collect(),
            _ => panic!("test bodies are objects"),
        }
    }

    #[test]
    fn state_changes_exactly_at_the_warning_and_the_due_time() {
        let due = DateTime::from_timestamp(1_764_000_000, 0).unwrap();
        let warn = due - Duration::minutes(15);
        let at = |now| SlaState::at(now, Some(due), Some(warn));
        assert_eq!(at(warn - Duration::microseconds(1)), Some(SlaState::Ok));
        assert_eq!(at(warn), Some(SlaState::DueSoon));
        assert_eq!(at(due - Duration::microseconds(1)), Some(SlaState::DueSoon));
        assert_eq!(at(due), Some(SlaState::Breached));
        assert_eq!(SlaState::at(due, None, None), None);
    }

    #[test]
    fn a_policy_needs_every_priority_and_sane_targets() {
        let valid = json!({
            "low": {"first_response_minutes": 4320, "resolution_minutes": 10080},
            "medium": {"first_response_minutes": 1440, "resolution_minutes": 4320},
            "high": {"first_response_minutes": 240, "resolution_minutes": 1440},
            "critical": {"first_response_minutes": 60, "resolution_minutes": 60},
        });
        let policy = SlaPolicy::parse(&object(valid)).unwrap();
        assert_eq!(
            policy
                .targets(Priority::Critical)
                .unwrap()
                .resolution_minutes,
            60
        );
        assert_eq!(
            serde_json::to_value(&policy).unwrap()["critical"],
            json!({"first_response_minutes": 60, "resolution_minutes": 60})
        );

        let errors = SlaPolicy::parse(&object(json!({
            "low": {"first_response_minutes": 0, "resolution_minutes": 10080},
            "medium": {"first_response_minutes": 100, "resolution_minutes": 99},
            "high": "fast",
            "urgent": {},
        })))
        .unwrap_err();
        assert_eq!(
            errors["low.first_response_minutes"],
            ["must be a whole number of minutes from 1 to 525600 (a year)"]
        );
        assert_eq!(
            errors["medium.resolution_minutes"],
            ["must be at least first_response_minutes"]
        );
        assert!(errors["high"][0].starts_with("must be an object"));
        assert_eq!(errors["critical"], ["is required"]);
        assert!(errors["urgent"][0].starts_with("is not a priority"));
    }
}
