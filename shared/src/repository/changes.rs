//! The version of what the ticket lists and the statistics show: the sum of the change
//! counters that every such write bumps in its own transaction
//! (`migrations/20261203000001_change_counters.sql`). Equal versions read at two moments mean
//! nothing they show changed in between, for every process and Lambda instance alike.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// The version as a scalar subquery, to read it in the same snapshot as the rows of a list.
macro_rules! change_version_sql {
    () => {
        "(SELECT sum(changes) FROM ticket_change_counters)::int8"
    };
}
pub(super) use change_version_sql;

/// The version now.
pub async fn change_version(pool: &PgPool) -> sqlx::Result<i64> {
    sqlx::query_scalar(concat!("SELECT ", change_version_sql!()))
        .fetch_one(pool)
        .await
}

/// The version now and the first moment after `now` at which a running SLA target falls due
/// (the statistics' breached count changes then without any write). Read before the statistics
/// themselves, so that a write between the two can only make the version look older than the
/// figures, never newer: a wasted full answer, not a stale one.
pub async fn stats_version(
    pool: &PgPool,
    now: DateTime<Utc>,
) -> sqlx::Result<(i64, Option<DateTime<Utc>>)> {
    sqlx::query_as(concat!(
        "SELECT ",
        change_version_sql!(),
        ", (SELECT min(sla_due_at) FROM tickets WHERE sla_due_at > $1)"
    ))
    .bind(now)
    .fetch_one(pool)
    .await
}
