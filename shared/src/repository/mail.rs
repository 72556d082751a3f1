//! The email channel's tables: the settings, the outbox the worker drains, the threads that
//! route replies, and the record of every mail received.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};

use super::{
    comments::{Via, Written, write_comment},
    tickets::{TicketDraft, insert_ticket},
    users::requester_by_email,
};
use crate::{
    domain::{
        Email, InboundMail, InboundReason, InboundStatus, MailSettings, NewComment, OutboxEntry,
        OutboxStatus, SupportAddress, User, Visibility,
    },
    mail::compose::MailToSend,
};

/// The columns of an [`OutboxEntry`], the columns of an [`InboundMail`], and the query of a
/// ticket's [`MailThread`], as literals: each statement stays one static string.
macro_rules! outbox_columns {
    () => {
        "id, ticket_id, template, to_address, status, attempts, last_error, created_at, \
         next_attempt_at, sent_at"
    };
}
macro_rules! inbound_columns {
    () => {
        "id, from_address, from_name, subject, body, received_at, status, reason, ticket_id"
    };
}
macro_rules! thread_of {
    () => {
        "SELECT t.id AS ticket_id, t.requester_id, \
             COALESCE(u.email, t.requester_email) AS requester_email \
         FROM tickets AS t LEFT JOIN users AS u ON u.id = t.requester_id "
    };
}

/// The settings as stored.
pub async fn mail_settings(db: impl PgExecutor<'_>) -> sqlx::Result<MailSettings> {
    let (address, sender_name): (Option<String>, String) =
        sqlx::query_as("SELECT support_address, sender_name FROM mail_settings")
            .fetch_one(db)
            .await?;
    Ok(MailSettings {
        // The table's CHECK admits only what `SupportAddress::parse` does.
        support_address: address.and_then(|raw| SupportAddress::parse(&raw).ok()),
        sender_name,
    })
}

pub async fn set_mail_settings(
    db: impl PgExecutor<'_>,
    settings: &MailSettings,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE mail_settings SET support_address = $1, sender_name = $2, set_by_admin = true, \
             updated_at = now()",
    )
    .bind(settings.support_address.as_ref().map(ToString::to_string))
    .bind(&settings.sender_name)
    .execute(db)
    .await
    .map(drop)
}

/// The deployment's configured address and name, until an admin has saved settings of their
/// own (then theirs stand, even an address they removed). True if anything changed.
pub async fn apply_configured_mail_settings(
    db: impl PgExecutor<'_>,
    address: &SupportAddress,
    sender_name: Option<&str>,
) -> sqlx::Result<bool> {
    sqlx::query(
        "UPDATE mail_settings SET support_address = $1, sender_name = COALESCE($2, sender_name), \
             updated_at = now() \
         WHERE NOT set_by_admin \
           AND (support_address IS DISTINCT FROM $1 OR sender_name IS DISTINCT FROM COALESCE($2, sender_name))",
    )
    .bind(address.to_string())
    .bind(sender_name)
    .execute(db)
    .await
    .map(|done| done.rows_affected() > 0)
}

/// How many mails wait to be sent, and how many were given up on.
pub async fn outbox_counts(db: impl PgExecutor<'_>) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status IN ('queued', 'sending')), \
                count(*) FILTER (WHERE status = 'failed') \
         FROM mail_outbox WHERE status <> 'sent'",
    )
    .fetch_one(db)
    .await
}

/// Leases up to `limit` mails due now (or whose last sender's lease ran out) for `lease`: the
/// rows no other worker will take meanwhile, each with its attempts so far (a lease counts as
/// one).
pub async fn claim_due_mail(
    pool: &PgPool,
    limit: i64,
    lease: Duration,
) -> sqlx::Result<Vec<(i64, i32)>> {
    sqlx::query_as(
        "UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1, \
             lease_until = clock_timestamp() + $2 \
         WHERE id IN ( \
             SELECT id FROM mail_outbox \
             WHERE status IN ('queued', 'sending') AND next_attempt_at <= clock_timestamp() \
               AND (status = 'queued' OR lease_until < clock_timestamp()) \
             ORDER BY next_attempt_at, id LIMIT $1 \
             FOR UPDATE SKIP LOCKED) \
         RETURNING id, attempts",
    )
    .bind(limit)
    .bind(lease)
    .fetch_all(pool)
    .await
}

/// Everything mail `outbox_id` is made from. Its ticket's reply token is made with its first
/// mail (`new_reply_token` then), and an opt-in mail's recipient's unsubscribe token with their
/// first such mail (`new_unsubscribe_token`).
pub async fn mail_to_send(
    pool: &PgPool,
    outbox_id: i64,
    new_reply_token: &str,
    new_unsubscribe_token: &str,
) -> sqlx::Result<Option<MailToSend>> {
    sqlx::query_as(
        "WITH mail AS (SELECT * FROM mail_outbox WHERE id = $1), \
         thread AS ( \
             INSERT INTO ticket_mail_threads (ticket_id, reply_token) \
             SELECT ticket_id, $2 FROM mail \
             ON CONFLICT (ticket_id) DO UPDATE SET reply_token = ticket_mail_threads.reply_token \
             RETURNING ticket_id, reply_token, origin_message_id, attachments_dropped), \
         unsubscribe AS ( \
             UPDATE users SET unsubscribe_token = COALESCE(unsubscribe_token, $3) \
             WHERE id = (SELECT recipient_id FROM mail WHERE template = 'new_ticket') \
             RETURNING unsubscribe_token) \
         SELECT m.id AS outbox_id, m.template, m.to_address, r.name AS to_name, m.message_id, \
             t.id AS ticket_id, t.title, t.description, t.category, t.priority, \
             COALESCE(req.name, t.requester_name) AS requester_name, \
             COALESCE(req.email, t.requester_email) AS requester_email, \
             author.name AS reply_author, c.body AS reply_body, actor.name AS actor_name, \
             s.support_address, s.sender_name, th.reply_token, th.origin_message_id, \
             th.attachments_dropped, (SELECT unsubscribe_token FROM unsubscribe) AS unsubscribe_token \
         FROM mail AS m \
         JOIN tickets AS t ON t.id = m.ticket_id \
         JOIN ticket_events AS e ON e.id = m.event_id \
         JOIN thread AS th ON th.ticket_id = m.ticket_id \
         CROSS JOIN mail_settings AS s \
         LEFT JOIN users AS r ON r.id = m.recipient_id \
         LEFT JOIN users AS req ON req.id = t.requester_id \
         LEFT JOIN comments AS c ON c.id = e.comment_id \
         LEFT JOIN users AS author ON author.id = c.author_id \
         LEFT JOIN users AS actor ON actor.id = e.actor_id \
         WHERE s.support_address IS NOT NULL",
    )
    .bind(outbox_id)
    .bind(new_reply_token)
    .bind(new_unsubscribe_token)
    .fetch_optional(pool)
    .await
}

/// Delivered: never sent again.
pub async fn mark_mail_sent(pool: &PgPool, outbox_id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE mail_outbox SET status = 'sent', sent_at = clock_timestamp(), lease_until = NULL, \
             last_error = NULL \
         WHERE id = $1",
    )
    .bind(outbox_id)
    .execute(pool)
    .await
    .map(drop)
}

/// Not delivered: tried again at `retry_at`, or given up (`None`).
pub async fn mark_mail_unsent(
    pool: &PgPool,
    outbox_id: i64,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE mail_outbox SET status = CASE WHEN $3::timestamptz IS NULL THEN 'failed' \
                                              ELSE 'queued' END, \
             next_attempt_at = COALESCE($3, next_attempt_at), lease_until = NULL, last_error = $2 \
         WHERE id = $1",
    )
    .bind(outbox_id)
    .bind(error)
    .bind(retry_at)
    .execute(pool)
    .await
    .map(drop)
}

/// The newest `limit` mails in `status` (`queued` includes those being sent).
pub async fn list_outbox(
    db: impl PgExecutor<'_>,
    status: OutboxStatus,
    limit: i64,
) -> sqlx::Result<Vec<OutboxEntry>> {
    sqlx::query_as(concat!(
        "SELECT ",
        outbox_columns!(),
        " FROM mail_outbox \
         WHERE status = $1 OR ($1 = 'queued' AND status = 'sending') \
         ORDER BY id DESC LIMIT $2"
    ))
    .bind(status)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Queues failed mail `id` again, from its first attempt, and wakes the worker. `None` if there
/// is no failed mail `id`.
pub async fn retry_failed_mail(pool: &PgPool, id: i64) -> sqlx::Result<Option<OutboxEntry>> {
    let retried: Option<OutboxEntry> = sqlx::query_as(concat!(
        "UPDATE mail_outbox SET status = 'queued', attempts = 0, next_attempt_at = now(), \
             last_error = NULL \
         WHERE id = $1 AND status = 'failed' RETURNING ",
        outbox_columns!()
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    if retried.is_some() {
        sqlx::query("SELECT pg_notify('mail_outbox', '')")
            .execute(pool)
            .await?;
    }
    Ok(retried)
}

/// Whether mail `id` exists (in any state).
pub async fn outbox_mail_exists(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM mail_outbox WHERE id = $1)")
        .bind(id)
        .fetch_one(db)
        .await
}

/// Stops the new-ticket mails of whoever holds unsubscribe token `token`. False for an
/// unknown token.
pub async fn unsubscribe(db: impl PgExecutor<'_>, token: &str) -> sqlx::Result<bool> {
    sqlx::query("UPDATE users SET notify_new_tickets = false WHERE unsubscribe_token = $1")
        .bind(token)
        .execute(db)
        .await
        .map(|done| done.rows_affected() > 0)
}

/// Sets whether `user_id` gets a mail about every new ticket.
pub async fn set_new_ticket_mails(
    db: impl PgExecutor<'_>,
    user_id: i64,
    on: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET notify_new_tickets = $2 WHERE id = $1")
        .bind(user_id)
        .bind(on)
        .execute(db)
        .await
        .map(drop)
}

pub async fn new_ticket_mails(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT notify_new_tickets FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await
        .map(|on| on.unwrap_or(false))
}

/// A received mail, as the ingestion read it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub message_id: Option<String>,
    pub from_address: String,
    pub from_name: Option<String>,
    pub subject: String,
    pub body: String,
    pub attachments: i32,
}

/// The ticket a reply is about, and who may answer it by mail.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailThread {
    pub ticket_id: i64,
    pub requester_id: Option<i64>,
    pub requester_email: Option<String>,
}

/// The ticket whose reply address carries `token`.
pub async fn thread_by_reply_token(
    db: impl PgExecutor<'_>,
    token: &str,
) -> sqlx::Result<Option<MailThread>> {
    sqlx::query_as(concat!(
        thread_of!(),
        "JOIN ticket_mail_threads AS th ON th.ticket_id = t.id WHERE th.reply_token = $1"
    ))
    .bind(token)
    .fetch_optional(db)
    .await
}

/// Ticket `ticket_id`'s thread, if it still exists.
pub async fn thread_of_ticket(
    db: impl PgExecutor<'_>,
    ticket_id: i64,
) -> sqlx::Result<Option<MailThread>> {
    sqlx::query_as(concat!(thread_of!(), "WHERE t.id = $1"))
        .bind(ticket_id)
        .fetch_optional(db)
        .await
}

/// The ticket of whichever of `message_ids` is a mail Helpdesk sent.
pub async fn thread_by_sent_message(
    db: impl PgExecutor<'_>,
    message_ids: &[String],
) -> sqlx::Result<Option<MailThread>> {
    sqlx::query_as(concat!(
        thread_of!(),
        "WHERE t.id = (SELECT ticket_id FROM mail_outbox \
                       WHERE message_id = ANY($1) ORDER BY id DESC LIMIT 1)"
    ))
    .bind(message_ids)
    .fetch_optional(db)
    .await
}

/// Records a mail that made nothing (ignored, rejected, held: only a held one keeps its body).
pub async fn record_inbound(
    db: impl PgExecutor<'_>,
    mail: &ReceivedMail,
    status: InboundStatus,
    reason: InboundReason,
    reply_to_ticket_id: Option<i64>,
) -> sqlx::Result<InboundMail> {
    let body = (status == InboundStatus::Held).then_some(mail.body.as_str());
    sqlx::query_as(concat!(
        "INSERT INTO mail_inbound (message_id, from_address, from_name, subject, body, status, \
             reason, reply_to_ticket_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (message_id) WHERE message_id IS NOT NULL \
             AND status IN ('accepted', 'held', 'released') \
         DO UPDATE SET message_id = mail_inbound.message_id \
         RETURNING ",
        inbound_columns!()
    ))
    .bind(&mail.message_id)
    .bind(&mail.from_address)
    .bind(&mail.from_name)
    .bind(&mail.subject)
    .bind(body)
    .bind(status)
    .bind(reason)
    .bind(reply_to_ticket_id)
    .fetch_one(db)
    .await
}

/// What became of a mail meant to make a ticket or a comment.
#[derive(Debug)]
pub enum Accepted {
    /// The record of the mail, with the ticket it made or was added to.
    Done(InboundMail),
    /// This Message-ID was taken before: nothing was added.
    Duplicate,
    /// The ticket no longer takes the requester's replies (closed), or is gone.
    Refused,
}

/// Makes the ticket `draft` from `mail`, for `requester` (made as an account without a
/// password if there is none), with the mail's record and thread, in one transaction.
pub async fn accept_mailed_ticket(
    pool: &PgPool,
    mail: &ReceivedMail,
    requester: (&Email, &str),
    draft: impl FnOnce(&User) -> TicketDraft,
    reply_token: &str,
    released: Option<i64>,
) -> sqlx::Result<Accepted> {
    let mut tx = crate::db::begin(pool).await?;
    let Some(record) = claim_inbound(&mut tx, mail, released).await? else {
        tx.rollback().await?;
        return Ok(Accepted::Duplicate);
    };
    let account = requester_by_email(&mut *tx, requester.0, requester.1).await?;
    let ticket = insert_ticket(&mut *tx, &draft(&account)).await?;
    sqlx::query(
        "INSERT INTO ticket_mail_threads (ticket_id, reply_token, origin_message_id, \
             attachments_dropped) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(ticket.id)
    .bind(reply_token)
    .bind(mail.message_id.as_deref().map(angle_bracketed))
    .bind(mail.attachments)
    .execute(&mut *tx)
    .await?;
    let record = set_inbound_ticket(&mut tx, record, ticket.id).await?;
    tx.commit().await?;
    Ok(Accepted::Done(record))
}

/// Adds `mail` to ticket `thread` as a public reply of `author`, with the mail's record, in one
/// transaction.
pub async fn accept_mailed_reply(
    pool: &PgPool,
    mail: &ReceivedMail,
    thread: &MailThread,
    author: &User,
    released: Option<i64>,
) -> sqlx::Result<Accepted> {
    let mut tx = crate::db::begin(pool).await?;
    let Some(record) = claim_inbound(&mut tx, mail, released).await? else {
        tx.rollback().await?;
        return Ok(Accepted::Duplicate);
    };
    let comment = NewComment {
        body: mail.body.clone(),
        visibility: Visibility::Public,
    };
    let via = Via::Email {
        message_id: mail.message_id.as_deref(),
    };
    match write_comment(&mut tx, thread.ticket_id, author, &comment, via).await {
        Ok(Written::Added(_)) => {}
        Ok(Written::NotFound | Written::Closed) => {
            tx.rollback().await?;
            return Ok(Accepted::Refused);
        }
        // The same mail under another record (released after it also came again).
        Err(sqlx::Error::Database(error))
            if error.constraint() == Some("comments_message_id_key") =>
        {
            tx.rollback().await?;
            return Ok(Accepted::Duplicate);
        }
        Err(error) => return Err(error),
    }
    let record = set_inbound_ticket(&mut tx, record, thread.ticket_id).await?;
    tx.commit().await?;
    Ok(Accepted::Done(record))
}

/// The mail's record as accepted, or (a held mail an agent accepts) record `released` as
/// released; `None` if its Message-ID was already taken.
async fn claim_inbound(
    conn: &mut sqlx::PgConnection,
    mail: &ReceivedMail,
    released: Option<i64>,
) -> sqlx::Result<Option<i64>> {
    match released {
        Some(id) => {
            sqlx::query_scalar(
                "UPDATE mail_inbound SET status = 'released', body = NULL \
                 WHERE id = $1 AND status = 'held' RETURNING id",
            )
            .bind(id)
            .fetch_optional(conn)
            .await
        }
        None => {
            sqlx::query_scalar(
                "INSERT INTO mail_inbound (message_id, from_address, from_name, subject, status) \
                 VALUES ($1, $2, $3, $4, 'accepted') \
                 ON CONFLICT (message_id) WHERE message_id IS NOT NULL \
                     AND status IN ('accepted', 'held', 'released') \
                 DO NOTHING RETURNING id",
            )
            .bind(&mail.message_id)
            .bind(&mail.from_address)
            .bind(&mail.from_name)
            .bind(&mail.subject)
            .fetch_optional(conn)
            .await
        }
    }
}

async fn set_inbound_ticket(
    conn: &mut sqlx::PgConnection,
    record: i64,
    ticket_id: i64,
) -> sqlx::Result<InboundMail> {
    sqlx::query_as(concat!(
        "UPDATE mail_inbound SET ticket_id = $2 WHERE id = $1 \
         RETURNING ",
        inbound_columns!()
    ))
    .bind(record)
    .bind(ticket_id)
    .fetch_one(conn)
    .await
}

/// The newest `limit` received mails in `status` (`accepted` includes released ones).
pub async fn list_inbound(
    db: impl PgExecutor<'_>,
    status: InboundStatus,
    limit: i64,
) -> sqlx::Result<Vec<InboundMail>> {
    sqlx::query_as(concat!(
        "SELECT ",
        inbound_columns!(),
        " FROM mail_inbound \
         WHERE status = $1 OR ($1 = 'accepted' AND status = 'released') \
         ORDER BY id DESC LIMIT $2"
    ))
    .bind(status)
    .bind(limit)
    .fetch_all(db)
    .await
}

pub async fn find_inbound(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<InboundMail>> {
    sqlx::query_as(concat!(
        "SELECT ",
        inbound_columns!(),
        " FROM mail_inbound WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// A held mail, as it arrived, for an agent's decision.
#[derive(Debug, Clone)]
pub struct HeldMail {
    pub id: i64,
    pub mail: ReceivedMail,
    pub reply_to_ticket_id: Option<i64>,
}

pub async fn find_held_mail(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<HeldMail>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        message_id: Option<String>,
        from_address: String,
        from_name: Option<String>,
        subject: String,
        body: Option<String>,
        reply_to_ticket_id: Option<i64>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, message_id, from_address, from_name, subject, body, reply_to_ticket_id \
         FROM mail_inbound WHERE id = $1 AND status = 'held'",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| HeldMail {
        id: row.id,
        mail: ReceivedMail {
            message_id: row.message_id,
            from_address: row.from_address,
            from_name: row.from_name,
            subject: row.subject,
            body: row.body.unwrap_or_default(),
            attachments: 0,
        },
        reply_to_ticket_id: row.reply_to_ticket_id,
    }))
}

/// Settles held mail `id` with what became of it when an agent accepted it (a reply from
/// someone not the requester, a duplicate…). `None` if it is not held (any more).
pub async fn settle_held_mail(
    db: impl PgExecutor<'_>,
    id: i64,
    status: InboundStatus,
    reason: InboundReason,
) -> sqlx::Result<Option<InboundMail>> {
    sqlx::query_as(concat!(
        "UPDATE mail_inbound SET status = $2, reason = $3, body = NULL \
         WHERE id = $1 AND status = 'held' \
         RETURNING ",
        inbound_columns!()
    ))
    .bind(id)
    .bind(status)
    .bind(reason)
    .fetch_optional(db)
    .await
}

/// Throws held mail `id` away. `None` if there is no held mail `id`.
pub async fn discard_held_mail(
    db: impl PgExecutor<'_>,
    id: i64,
) -> sqlx::Result<Option<InboundMail>> {
    sqlx::query_as(concat!(
        "UPDATE mail_inbound SET status = 'discarded', body = NULL WHERE id = $1 AND status = 'held' \
         RETURNING ",
        inbound_columns!()
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn inbound_mail_exists(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM mail_inbound WHERE id = $1)")
        .bind(id)
        .fetch_one(db)
        .await
}

/// `<id>`, as a Message-ID header spells it.
fn angle_bracketed(id: &str) -> String {
    format!("<{}>", id.trim_start_matches('<').trim_end_matches('>'))
}
