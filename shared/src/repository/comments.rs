//! The conversation on a ticket: adding a comment (with the status rules and history it
//! triggers) and reading the thread.

use sqlx::{PgConnection, PgExecutor, PgPool};

use super::{
    CreateAnswer, IdempotencyKey,
    events::insert_events,
    tickets::{find_create_answer, lock_ticket, save_create_answer},
};
use crate::domain::{
    Actor, Comment, CommentVia, NewComment, NewEvent, Status, User, Visibility, changes_between,
    status_after_comment,
};

/// What became of a new comment.
#[derive(Debug)]
pub enum CommentOutcome<A = Comment> {
    /// Stored: the comment, or with an idempotency key, the answer saved under it.
    Added(A),
    /// No such ticket, or not the author's to see.
    NotFound,
    /// A requester's reply to a closed ticket: closed is final for them.
    Closed,
    /// A concurrent request with the same key committed first; its answer. Nothing was added.
    AlreadyAdded(CreateAnswer),
    /// A concurrent request held the key, but its answer expired meanwhile.
    KeyExpiredInUse,
}

/// Adds `author`'s comment to ticket `ticket_id`, in one transaction holding the ticket's lock:
/// the comment; for a public reply, the status rule of [`status_after_comment`], the first
/// response (an agent's first public reply) and a new version; and the history of all of it.
/// Concurrent comments queue on the lock: none is lost, and ids grow in the order they commit.
pub async fn add_comment(
    pool: &PgPool,
    ticket_id: i64,
    author: &User,
    comment: &NewComment,
) -> sqlx::Result<CommentOutcome> {
    let mut tx = crate::db::begin(pool).await?;
    let outcome = match write_comment(&mut tx, ticket_id, author, comment, Via::Web).await? {
        Written::Added(comment) => {
            tx.commit().await?;
            return Ok(CommentOutcome::Added(comment));
        }
        Written::NotFound => CommentOutcome::NotFound,
        Written::Closed => CommentOutcome::Closed,
    };
    tx.rollback().await?;
    Ok(outcome)
}

/// [`add_comment`] under an idempotency key: the comment and `answer`, saved under `key` for
/// its retries, in one transaction. If a concurrent request with the key committed first,
/// nothing is added and its answer is returned.
pub async fn add_comment_once<E: From<sqlx::Error>>(
    pool: &PgPool,
    key: IdempotencyKey<'_>,
    ticket_id: i64,
    author: &User,
    comment: &NewComment,
    answer: impl FnOnce(&Comment) -> Result<CreateAnswer, E>,
) -> Result<CommentOutcome<CreateAnswer>, E> {
    let mut tx = crate::db::begin(pool).await?;
    let outcome = match write_comment(&mut tx, ticket_id, author, comment, Via::Web).await? {
        Written::Added(comment) => {
            let answer = answer(&comment)?;
            if save_create_answer(&mut tx, key, &answer).await? {
                tx.commit().await?;
                return Ok(CommentOutcome::Added(answer));
            }
            tx.rollback().await?;
            return Ok(match find_create_answer(pool, key).await? {
                Some(earlier) => CommentOutcome::AlreadyAdded(earlier),
                None => CommentOutcome::KeyExpiredInUse,
            });
        }
        Written::NotFound => CommentOutcome::NotFound,
        Written::Closed => CommentOutcome::Closed,
    };
    tx.rollback().await?;
    Ok(outcome)
}

/// Where a comment comes from.
#[derive(Debug, Clone, Copy)]
pub(super) enum Via<'a> {
    Web,
    /// A mail, by its Message-ID when it has one: the same mail twice is one comment.
    Email {
        message_id: Option<&'a str>,
    },
}

impl Via<'_> {
    fn kind(self) -> CommentVia {
        match self {
            Self::Web => CommentVia::Web,
            Self::Email { .. } => CommentVia::Email,
        }
    }

    fn message_id(self) -> Option<String> {
        match self {
            Self::Web => None,
            Self::Email { message_id } => message_id.map(str::to_owned),
        }
    }
}

/// What [`write_comment`] did.
pub(super) enum Written {
    Added(Comment),
    NotFound,
    Closed,
}

/// The writes of [`add_comment`], in the caller's transaction.
pub(super) async fn write_comment(
    conn: &mut PgConnection,
    ticket_id: i64,
    author: &User,
    comment: &NewComment,
    via: Via<'_>,
) -> sqlx::Result<Written> {
    let before = match lock_ticket(conn, ticket_id, author.ticket_scope()).await? {
        Some(ticket) if author.is_staff() || ticket.status != Status::Closed => ticket,
        None => return Ok(Written::NotFound),
        Some(_) => return Ok(Written::Closed),
    };
    let staff = author.is_staff();
    let (id, created_at) = sqlx::query_as(
        "INSERT INTO comments (ticket_id, author_id, author_is_staff, body, visibility, via, \
             message_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, created_at",
    )
    .bind(ticket_id)
    .bind(author.id)
    .bind(staff)
    .bind(&comment.body)
    .bind(comment.visibility)
    .bind(via.kind())
    .bind(via.message_id())
    .fetch_one(&mut *conn)
    .await?;
    // A public reply is news on the ticket: a new version (so `updated_at` and the `ETag` move),
    // maybe a status by the reply rule and the first response. An internal note leaves the
    // ticket as its requester sees it untouched, so not even its time gives the note away.
    let after = if comment.visibility == Visibility::Public {
        sqlx::query_as(concat!(
            "UPDATE tickets SET status = COALESCE($2, status), \
                 first_responded_at = CASE WHEN $3 THEN clock_timestamp() \
                                           ELSE first_responded_at END, \
                 updated_at = clock_timestamp() \
             WHERE id = $1 RETURNING ",
            super::tickets::ticket_columns!()
        ))
        .bind(ticket_id)
        .bind(status_after_comment(
            before.status,
            staff,
            comment.visibility,
        ))
        .bind(staff && before.first_responded_at.is_none())
        .fetch_one(&mut *conn)
        .await?
    } else {
        before.clone()
    };
    let mut history = vec![NewEvent::comment_added(
        Actor::Person(Some(author.id)),
        id,
        comment.visibility,
    )];
    // The status moves by the reply rule: the product's doing, not the author's.
    history.extend(changes_between(&before, &after, Actor::System));
    insert_events(conn, ticket_id, &history).await?;
    Ok(Written::Added(Comment {
        id,
        ticket_id,
        author_id: author.id,
        author_name: author.name.clone(),
        author_is_staff: staff,
        body: comment.body.clone(),
        visibility: comment.visibility,
        via: via.kind(),
        created_at,
    }))
}

/// Up to `limit` comments of ticket `ticket_id` with ids above `after`, oldest first; only
/// public ones unless `internal_too`. The caller has checked that the ticket is theirs to see.
pub async fn list_comments(
    db: impl PgExecutor<'_>,
    ticket_id: i64,
    internal_too: bool,
    after: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<Comment>> {
    sqlx::query_as(
        "SELECT c.id, c.ticket_id, c.author_id, u.name AS author_name, c.author_is_staff, \
             c.body, c.visibility, c.via, c.created_at \
         FROM comments AS c JOIN users AS u ON u.id = c.author_id \
         WHERE c.ticket_id = $1 AND (c.visibility = $2 OR $3) AND c.id > $4 \
         ORDER BY c.id \
         LIMIT $5",
    )
    .bind(ticket_id)
    .bind(Visibility::Public)
    .bind(internal_too)
    .bind(after.unwrap_or(0))
    .bind(limit)
    .fetch_all(db)
    .await
}
