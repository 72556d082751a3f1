//! The agents' view of the work: the queue counts and the statistics of load, SLA and answer
//! times. Counts read the work counters triggers keep in step with `tickets` (migration
//! `20261130000002_working_a_ticket.sql`: `ticket_load`, `ticket_sla_days`), so they cost a few
//! hundred counter rows whatever the number of tickets; the 30-day medians are computed at most
//! once a minute and shared through `ticket_time_medians`.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use crate::domain::{AssigneeLoad, QueueCounts};

/// How many running SLA targets have passed their due time (`breached`) and their due-soon time
/// (`warned`) at `$1`: the counted UTC days before that day, plus that day's part counted
/// exactly through the index. A target is due soon when warned and not breached.
macro_rules! sla_passed {
    () => {
        "((SELECT COALESCE(sum(tickets), 0) FROM ticket_sla_days \
               WHERE mark = 'due' AND day < ticket_count_day($1)) \
          + (SELECT count(*) FROM tickets \
               WHERE sla_due_at >= timezone('UTC', ticket_count_day($1)::timestamp) \
                 AND sla_due_at <= $1))::int8 AS breached, \
         ((SELECT COALESCE(sum(tickets), 0) FROM ticket_sla_days \
               WHERE mark = 'warn' AND day < ticket_count_day($1)) \
          + (SELECT count(*) FROM tickets \
               WHERE sla_warn_at >= timezone('UTC', ticket_count_day($1)::timestamp) \
                 AND sla_warn_at <= $1))::int8 AS warned"
    };
}

/// How many tickets being worked are flagged for triage: counted through the partial index
/// `tickets_needs_triage_idx`, which holds only those (agents keep the queue short).
macro_rules! needs_triage {
    () => {
        "(SELECT count(*) FROM tickets WHERE needs_triage AND status IN ('open', 'in_progress')) \
             AS needs_triage"
    };
}

#[derive(sqlx::FromRow)]
struct QueueRow {
    needs_triage: i64,
    mine: i64,
    unassigned: i64,
    breached: i64,
    warned: i64,
    all: i64,
}

/// The agent queues' counts for `caller` at `now`.
pub async fn queue_counts(
    pool: &PgPool,
    caller: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<QueueCounts> {
    let row: QueueRow = sqlx::query_as(concat!(
        "SELECT (SELECT COALESCE(sum(tickets), 0)::int8 FROM ticket_load WHERE assignee_id = $2) \
                    AS mine, \
                (SELECT COALESCE(sum(tickets), 0)::int8 FROM ticket_load WHERE assignee_id = 0) \
                    AS unassigned, \
                (SELECT COALESCE(sum(tickets), 0)::int8 FROM ticket_counts) AS \"all\", ",
        needs_triage!(),
        ", ",
        sla_passed!()
    ))
    .bind(now)
    .bind(caller)
    .fetch_one(pool)
    .await?;
    Ok(QueueCounts {
        mine: row.mine,
        unassigned: row.unassigned,
        due_soon: row.warned - row.breached,
        breached: row.breached,
        needs_triage: row.needs_triage,
        all: row.all,
    })
}

/// The load, SLA and answer-time members of the statistics at `now`.
pub(super) struct WorkStats {
    pub open_by_assignee: Vec<AssigneeLoad>,
    pub unassigned_open: i64,
    pub sla_breached: i64,
    pub needs_triage: i64,
    pub median_first_response_minutes: Option<f64>,
    pub median_resolution_minutes: Option<f64>,
    pub medians_until: DateTime<Utc>,
}

pub(super) async fn work_stats(pool: &PgPool, now: DateTime<Utc>) -> sqlx::Result<WorkStats> {
    let (unassigned_open, needs_triage, sla_breached, _): (i64, i64, i64, i64) =
        sqlx::query_as(concat!(
            "SELECT (SELECT COALESCE(sum(tickets), 0)::int8 FROM ticket_load WHERE assignee_id = 0), ",
            needs_triage!(),
            ", ",
            sla_passed!()
        ))
    .bind(now)
    .fetch_one(pool)
    .await?;
    let open_by_assignee = sqlx::query_as(
        "SELECT load.assignee_id, users.name AS assignee_name, load.tickets \
         FROM (SELECT assignee_id, sum(tickets)::int8 AS tickets FROM ticket_load \
               WHERE assignee_id <> 0 GROUP BY assignee_id HAVING sum(tickets) > 0) AS load \
         JOIN users ON users.id = load.assignee_id \
         ORDER BY load.tickets DESC, users.name, load.assignee_id",
    )
    .fetch_all(pool)
    .await?;
    let (median_first_response_minutes, median_resolution_minutes, medians_until) =
        medians(pool, now).await?;
    Ok(WorkStats {
        open_by_assignee,
        unassigned_open,
        sla_breached,
        needs_triage,
        median_first_response_minutes,
        median_resolution_minutes,
        medians_until,
    })
}

/// How long computed medians are served.
const MEDIANS_FOR: Duration = Duration::minutes(1);

/// Key of the advisory lock under which one process computes the medians.
const MEDIANS_LOCK: i64 = 0x4d45_4449_414e; // "MEDIAN"

/// The median minutes from creation to first response and to resolution, of the tickets
/// answered (resolved) in the 30 days before `now`: as computed within the last minute, or
/// computed now. When they are due, one process computes them (an advisory lock) while the
/// others keep serving the previous figures. The third member is when the figures are due
/// again (already past for previous figures served while another process computes).
async fn medians(
    pool: &PgPool,
    now: DateTime<Utc>,
) -> sqlx::Result<(Option<f64>, Option<f64>, DateTime<Utc>)> {
    let kept: Option<(DateTime<Utc>, Option<f64>, Option<f64>)> = sqlx::query_as(
        "SELECT computed_at, first_response_minutes, resolution_minutes FROM ticket_time_medians",
    )
    .fetch_optional(pool)
    .await?;
    if let Some((computed_at, first_response, resolution)) = kept
        && computed_at <= now
        && now - computed_at < MEDIANS_FOR
    {
        return Ok((first_response, resolution, computed_at + MEDIANS_FOR));
    }
    let mut tx = crate::db::begin(pool).await?;
    let computing: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(MEDIANS_LOCK)
        .fetch_one(&mut *tx)
        .await?;
    match (computing, kept) {
        (false, Some((_, first_response, resolution))) => {
            tx.rollback().await?;
            Ok((first_response, resolution, now))
        }
        _ => {
            let (first_response, resolution) = sqlx::query_as(
                "INSERT INTO ticket_time_medians AS m \
                     (computed_at, first_response_minutes, resolution_minutes) \
                 SELECT $1, \
                     (SELECT percentile_cont(0.5) WITHIN GROUP \
                          (ORDER BY extract(epoch FROM first_responded_at - created_at) / 60) \
                      FROM tickets WHERE first_responded_at > $1 - interval '30 days' \
                          AND first_responded_at <= $1), \
                     (SELECT percentile_cont(0.5) WITHIN GROUP \
                          (ORDER BY extract(epoch FROM resolved_at - created_at) / 60) \
                      FROM tickets WHERE resolved_at > $1 - interval '30 days' \
                          AND resolved_at <= $1) \
                 ON CONFLICT (singleton) DO UPDATE \
                     SET computed_at = excluded.computed_at, \
                         first_response_minutes = excluded.first_response_minutes, \
                         resolution_minutes = excluded.resolution_minutes \
                 RETURNING first_response_minutes, resolution_minutes",
            )
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok((first_response, resolution, now + MEDIANS_FOR))
        }
    }
}
