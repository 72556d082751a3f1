//! A ticket's history: appended in the transaction of the change it records, read oldest
//! first, and the SLA breaches noticed when it is read.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

use crate::domain::{NewEvent, TicketEvent, Visibility};

/// Events as the column arrays one `INSERT … SELECT … FROM unnest(…)` takes: any number of
/// events in one statement.
pub(super) struct EventRows {
    pub kinds: Vec<&'static str>,
    pub actor_kinds: Vec<&'static str>,
    pub actor_ids: Vec<Option<i64>>,
    pub from_values: Vec<Option<String>>,
    pub to_values: Vec<Option<String>>,
    pub comment_ids: Vec<Option<i64>>,
    pub visibilities: Vec<&'static str>,
}

impl From<&[NewEvent]> for EventRows {
    fn from(events: &[NewEvent]) -> Self {
        Self {
            kinds: events.iter().map(|e| e.kind.as_str()).collect(),
            actor_kinds: events.iter().map(|e| e.actor.kind().as_str()).collect(),
            actor_ids: events.iter().map(|e| e.actor.id()).collect(),
            from_values: events.iter().map(|e| e.from.clone()).collect(),
            to_values: events.iter().map(|e| e.to.clone()).collect(),
            comment_ids: events.iter().map(|e| e.comment_id).collect(),
            visibilities: events.iter().map(|e| e.visibility.as_str()).collect(),
        }
    }
}

/// Appends `events` to ticket `ticket_id`'s history, in the caller's transaction.
pub(super) async fn insert_events(
    conn: &mut PgConnection,
    ticket_id: i64,
    events: &[NewEvent],
) -> sqlx::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let rows = EventRows::from(events);
    sqlx::query(
        "INSERT INTO ticket_events (ticket_id, kind, actor_kind, actor_id, from_value, to_value, \
             comment_id, visibility) \
         SELECT $1, e.* FROM unnest($2::text[], $3::text[], $4::int8[], $5::text[], $6::text[], \
             $7::int8[], $8::text[]) AS e",
    )
    .bind(ticket_id)
    .bind(rows.kinds)
    .bind(rows.actor_kinds)
    .bind(rows.actor_ids)
    .bind(rows.from_values)
    .bind(rows.to_values)
    .bind(rows.comment_ids)
    .bind(rows.visibilities)
    .execute(conn)
    .await
    .map(drop)
}

/// Records the SLA breaches of ticket `ticket_id` that happened by `now` and are not recorded
/// yet, each dated at the due time that passed.
///
/// A breach is a due time passing, which no request causes; it becomes visible only through
/// the history, so it is written when the history is read (and once: a unique index on
/// ticket, target and due time). A target breached while it ran: the first response, if it
/// came (or the ticket was resolved without one) after its due time or has still not come; the
/// resolution, if the ticket was resolved after its due time or is still being worked past it.
pub async fn record_sla_breaches(
    db: impl PgExecutor<'_>,
    ticket_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    sqlx::query(
        "INSERT INTO ticket_events (ticket_id, kind, actor_kind, to_value, visibility, created_at) \
         SELECT t.id, 'sla_breached', 'system', target.name, 'internal', target.due \
         FROM tickets AS t \
         CROSS JOIN LATERAL (VALUES \
             ('first_response', t.first_response_due_at, t.first_responded_at), \
             ('resolution', t.resolution_due_at, NULL::timestamptz)) AS target(name, due, met_at) \
         WHERE t.id = $1 \
           AND target.due <= LEAST(target.met_at, \
               CASE WHEN t.status IN ('resolved', 'closed') THEN t.resolved_at ELSE $2 END) \
         ON CONFLICT DO NOTHING",
    )
    .bind(ticket_id)
    .bind(now)
    .execute(db)
    .await
    .map(|result| result.rows_affected())
}

/// Position after the last event of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventAfter {
    pub at: DateTime<Utc>,
    pub id: i64,
}

/// Up to `limit` events of ticket `ticket_id` after `after`, oldest first; only public ones
/// unless `internal_too`. The caller has checked that the ticket is theirs to see.
pub async fn list_events(
    db: impl PgExecutor<'_>,
    ticket_id: i64,
    internal_too: bool,
    after: Option<EventAfter>,
    limit: i64,
) -> sqlx::Result<Vec<TicketEvent>> {
    sqlx::query_as(
        "SELECT e.id, e.ticket_id, e.kind, e.actor_kind, e.actor_id, \
             CASE WHEN e.actor_kind = 'user' THEN COALESCE(actor.name, t.requester_name) END \
                 AS actor_name, \
             e.from_value, e.to_value, from_user.name AS from_name, to_user.name AS to_name, \
             e.comment_id, e.visibility, e.created_at \
         FROM ticket_events AS e \
         JOIN tickets AS t ON t.id = e.ticket_id \
         LEFT JOIN users AS actor ON actor.id = e.actor_id \
         LEFT JOIN users AS from_user ON from_user.id = \
             CASE WHEN e.kind = 'assignee_changed' THEN e.from_value::bigint END \
         LEFT JOIN users AS to_user ON to_user.id = \
             CASE WHEN e.kind = 'assignee_changed' THEN e.to_value::bigint END \
         WHERE e.ticket_id = $1 AND (e.visibility = $2 OR $3) \
           AND ($4::timestamptz IS NULL OR (e.created_at, e.id) > ($4, $5)) \
         ORDER BY e.created_at, e.id \
         LIMIT $6",
    )
    .bind(ticket_id)
    .bind(Visibility::Public)
    .bind(internal_too)
    .bind(after.map(|after| after.at))
    .bind(after.map_or(0, |after| after.id))
    .bind(limit)
    .fetch_all(db)
    .await
}
