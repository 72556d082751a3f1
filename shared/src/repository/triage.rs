//! Triage beyond the labels: tickets similar to a text or to another ticket, and merging a
//! duplicate into the ticket it duplicates.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use utoipa::ToSchema;

use super::{
    events::insert_events,
    tickets::{active, followed_or_requested_by, lock_ticket, ticket_columns},
};
use crate::{
    classifier::assist::ResolvedExample,
    domain::{
        Actor, EventKind, NewEvent, Status, Ticket, TicketScope, User, Visibility, changes_between,
        status_after_comment,
    },
};

/// How many similar tickets a lookup returns.
pub const SIMILAR_LIMIT: i64 = 5;

/// How alike two titles must be (pg_trgm's `similarity`, 0 to 1) to be offered as similar. At
/// 0.3 (pg_trgm's default) "cannot log in" and "Can't log in after the update" meet, "Invoice
/// missing" and "Missing export" do not.
pub const SIMILARITY_THRESHOLD: f32 = 0.3;

/// A transaction in which pg_trgm's `%` means at least [`SIMILARITY_THRESHOLD`].
async fn similarity_transaction(pool: &PgPool) -> sqlx::Result<crate::db::Transaction> {
    let mut tx = crate::db::begin(pool).await?;
    sqlx::query("SELECT set_config('pg_trgm.similarity_threshold', $1, true)")
        .bind(SIMILARITY_THRESHOLD.to_string())
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// A ticket offered as similar.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, sqlx::FromRow)]
pub struct SimilarTicket {
    #[schema(example = 12)]
    pub id: i64,
    #[schema(example = "Can't log in after the update")]
    pub title: String,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    /// Trigram similarity of the titles, 0 to 1.
    #[schema(example = 0.62)]
    pub similarity: f32,
}

/// Up to [`SIMILAR_LIMIT`] tickets whose titles are most like `text`, most similar first,
/// leaving out ticket `except`: for a requester, among their own tickets (and those they
/// follow) of any status; for staff, among the tickets being worked, the ones a new request may
/// duplicate and a duplicate can be merged into.
///
/// Staff's read walks the partial GiST trigram index `tickets_similar_title_idx` nearest first
/// (migration `20261202000001_triage.sql`), so it stops after five instead of ranking every
/// title that shares a trigram; a requester's few tickets come through the requester index.
pub async fn similar_tickets(
    pool: &PgPool,
    scope: TicketScope,
    text: &str,
    except: Option<i64>,
) -> sqlx::Result<Vec<SimilarTicket>> {
    let mut tx = similarity_transaction(pool).await?;
    // Binds are positional: the requester, when there is one, is `$4`.
    let query = match scope.requester() {
        None => sqlx::query_as(concat!(
            "SELECT id, title, status, created_at, similarity(title, $1) AS similarity \
             FROM tickets \
             WHERE title % $1 AND ",
            active!(),
            " AND id <> $2 \
             ORDER BY title <-> $1 \
             LIMIT $3"
        )),
        Some(_) => sqlx::query_as(concat!(
            "SELECT id, title, status, created_at, similarity(title, $1) AS similarity \
             FROM tickets \
             WHERE title % $1 AND duplicate_of IS NULL AND id <> $2 AND ",
            followed_or_requested_by!("$4"),
            " ORDER BY title <-> $1 \
             LIMIT $3"
        )),
    }
    .bind(text)
    .bind(except.unwrap_or(0))
    .bind(SIMILAR_LIMIT);
    let rows = match scope.requester() {
        None => query,
        Some(requester) => query.bind(requester),
    }
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows)
}

/// What became of a merge.
#[derive(Debug)]
pub enum MergeOutcome {
    /// The duplicate, closed and pointing at the ticket it duplicates.
    Merged(Box<Ticket>),
    /// This ticket does not exist.
    NotFound(i64),
    /// The duplicate is already closed as a duplicate of this ticket.
    AlreadyDuplicate(i64),
    /// The target is itself closed as a duplicate of this ticket: merge into that one instead.
    TargetIsDuplicate(i64),
}

/// The public notes a merge leaves on both tickets, so both requesters learn of it.
pub struct MergeNotes {
    pub on_duplicate: String,
    pub on_target: String,
}

/// Closes ticket `duplicate` as a duplicate of `target`, by `agent`, in one transaction holding
/// both tickets' locks (taken in id order, so two merges of the same pair cannot deadlock): a
/// public note on each, `duplicate` closed with `duplicate_of`, its requester made a follower of
/// `target`, and the history of all of it on both.
pub async fn merge_duplicate(
    pool: &PgPool,
    duplicate: i64,
    target: i64,
    agent: &User,
    notes: &MergeNotes,
) -> sqlx::Result<MergeOutcome> {
    let mut tx = crate::db::begin(pool).await?;
    let outcome = merge_in(&mut tx, duplicate, target, agent, notes).await?;
    if matches!(outcome, MergeOutcome::Merged(_)) {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(outcome)
}

async fn merge_in(
    conn: &mut PgConnection,
    duplicate: i64,
    target: i64,
    agent: &User,
    notes: &MergeNotes,
) -> sqlx::Result<MergeOutcome> {
    let scope = agent.ticket_scope();
    let (first, second) = (duplicate.min(target), duplicate.max(target));
    let Some(first_ticket) = lock_ticket(conn, first, scope).await? else {
        return Ok(MergeOutcome::NotFound(first));
    };
    let Some(second_ticket) = lock_ticket(conn, second, scope).await? else {
        return Ok(MergeOutcome::NotFound(second));
    };
    let (duplicate_before, target_before) = if first == duplicate {
        (first_ticket, second_ticket)
    } else {
        (second_ticket, first_ticket)
    };
    if let Some(of) = duplicate_before.duplicate_of {
        return Ok(MergeOutcome::AlreadyDuplicate(of));
    }
    if let Some(of) = target_before.duplicate_of {
        return Ok(MergeOutcome::TargetIsDuplicate(of));
    }
    // Each note is an agent's public reply: the first response if none came yet, and on the
    // target the reply rule's status.
    let (duplicate_note, target_note): (i64, i64) = sqlx::query_as(
        "WITH notes AS (INSERT INTO comments (ticket_id, author_id, author_is_staff, body, \
             visibility, via) \
             SELECT ticket_id, $3, true, body, 'public', 'web' \
             FROM unnest(ARRAY[$1, $2]::int8[], ARRAY[$4, $5]::text[]) AS n(ticket_id, body) \
             RETURNING id, ticket_id) \
         SELECT (SELECT id FROM notes WHERE ticket_id = $1), \
                (SELECT id FROM notes WHERE ticket_id = $2)",
    )
    .bind(duplicate)
    .bind(target)
    .bind(agent.id)
    .bind(&notes.on_duplicate)
    .bind(&notes.on_target)
    .fetch_one(&mut *conn)
    .await?;
    // Both tickets change in one statement: the statistics triggers then lock their counter
    // rows in their one key order, as for any other write, so a merge cannot deadlock with
    // another writer over them.
    let changed: Vec<Ticket> = sqlx::query_as(concat!(
        "UPDATE tickets SET \
             status = CASE WHEN id = $1 THEN 'closed' ELSE COALESCE($3, status) END, \
             duplicate_of = CASE WHEN id = $1 THEN $2 ELSE duplicate_of END, \
             needs_triage = needs_triage AND id <> $1, \
             first_responded_at = COALESCE(first_responded_at, clock_timestamp()), \
             updated_at = clock_timestamp() \
         WHERE id IN ($1, $2) RETURNING ",
        ticket_columns!()
    ))
    .bind(duplicate)
    .bind(target)
    .bind(status_after_comment(
        target_before.status,
        true,
        Visibility::Public,
    ))
    .fetch_all(&mut *conn)
    .await?;
    let after = |id: i64| changed.iter().find(|ticket| ticket.id == id).cloned();
    let (Some(duplicate_after), Some(target_after)) = (after(duplicate), after(target)) else {
        // Both rows are locked by this transaction, so both were updated.
        return Ok(MergeOutcome::NotFound(duplicate));
    };
    let actor = Actor::Person(Some(agent.id));
    let mut duplicate_history = vec![
        NewEvent::comment_added(actor, duplicate_note, Visibility::Public),
        NewEvent::new(
            EventKind::MarkedDuplicate,
            actor,
            None,
            Some(target.to_string()),
        ),
    ];
    duplicate_history.extend(changes_between(&duplicate_before, &duplicate_after, actor));
    let mut target_history = vec![
        NewEvent::comment_added(actor, target_note, Visibility::Public),
        NewEvent::new(
            EventKind::DuplicateMerged,
            actor,
            None,
            Some(duplicate.to_string()),
        ),
    ];
    // The status moves by the reply rule: the product's doing, not the agent's.
    target_history.extend(changes_between(
        &target_before,
        &target_after,
        Actor::System,
    ));
    insert_events(conn, duplicate, &duplicate_history).await?;
    insert_events(conn, target, &target_history).await?;
    sqlx::query(
        "INSERT INTO ticket_followers (ticket_id, user_id) \
         SELECT $1, requester_id FROM tickets \
         WHERE id = $2 AND requester_id IS NOT NULL \
           AND requester_id IS DISTINCT FROM (SELECT requester_id FROM tickets WHERE id = $1) \
         ON CONFLICT DO NOTHING",
    )
    .bind(target)
    .bind(duplicate)
    .execute(&mut *conn)
    .await?;
    Ok(MergeOutcome::Merged(Box::new(duplicate_after)))
}

/// How many of the most recently resolved tickets a reply draft looks through for similar ones.
const RESOLVED_EXAMPLES_WINDOW: i64 = 2_000;

/// The last public reply of an agent on each of up to `limit` tickets among the most recently
/// resolved (or closed, not as duplicates) whose titles are most like `title`, leaving out
/// ticket `except`. The window is read newest first through the resolution-time index.
pub async fn resolved_examples(
    pool: &PgPool,
    title: &str,
    except: i64,
    limit: i64,
) -> sqlx::Result<Vec<ResolvedExample>> {
    let mut tx = similarity_transaction(pool).await?;
    let rows = sqlx::query_as(
        "SELECT t.title, reply.body AS agent_reply \
         FROM (SELECT id, title, similarity(title, $1) AS similarity \
               FROM (SELECT id, title FROM tickets \
                     WHERE resolved_at IS NOT NULL AND duplicate_of IS NULL AND id <> $2 \
                     ORDER BY resolved_at DESC LIMIT $4) AS recent \
               WHERE title % $1 \
               ORDER BY similarity DESC LIMIT $3) AS t \
         CROSS JOIN LATERAL (SELECT body FROM comments \
               WHERE ticket_id = t.id AND visibility = 'public' AND author_is_staff \
               ORDER BY id DESC LIMIT 1) AS reply \
         ORDER BY t.similarity DESC",
    )
    .bind(title)
    .bind(except)
    .bind(limit)
    .bind(RESOLVED_EXAMPLES_WINDOW)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows)
}
