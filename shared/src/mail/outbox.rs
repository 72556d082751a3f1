//! The outbox worker: leases due mails, renders and sends each, and records the outcome —
//! sent, retried later with backoff, or failed for an admin to see.
//!
//! A lease is an attempt. A worker that dies mid-send leaves its rows leased; once the lease
//! runs out another worker sends them again. So a mail is sent at least once and, short of a
//! crash after the server accepted it but before the row was marked sent, exactly once; a
//! duplicate from that window carries the same Message-ID, which mail systems deduplicate.

use std::{future::Future, sync::Arc, time::Duration};

use chrono::Utc;
use sqlx::{PgPool, postgres::PgListener};

use super::{SendError, Transport, compose};
use crate::repository;

/// How often a mail is tried before it is given up.
pub const MAX_ATTEMPTS: i32 = 8;
/// How long a worker may take to send a leased mail before others may take it over.
const DEFAULT_LEASE: Duration = Duration::from_secs(5 * 60);
/// How many mails one pass leases.
const BATCH: i64 = 20;
/// How long the worker sleeps when no notification wakes it (one could be missed while the
/// listening connection reconnects).
const POLL: Duration = Duration::from_secs(30);

/// Sends the outbox's mails.
#[derive(Clone)]
pub struct Outbox {
    db: PgPool,
    transport: Arc<dyn Transport>,
    public_url: String,
    lease: Duration,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

impl Outbox {
    pub fn new(db: PgPool, transport: Arc<dyn Transport>, public_url: &str) -> Self {
        Self {
            db,
            transport,
            public_url: public_url.trim_end_matches('/').to_owned(),
            lease: DEFAULT_LEASE,
        }
    }

    /// With another lease length (tests of a worker dying mid-send).
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Sends every mail due now, pass after pass until none is left.
    pub async fn drain(&self) -> sqlx::Result<Drained> {
        self.drain_for(Duration::MAX).await
    }

    /// [`Outbox::drain`], leasing no more mail once `budget` has passed.
    pub async fn drain_for(&self, budget: Duration) -> sqlx::Result<Drained> {
        let started = std::time::Instant::now();
        let mut total = Drained::default();
        while started.elapsed() < budget {
            let leased = repository::claim_due_mail(&self.db, BATCH, self.lease).await?;
            if leased.is_empty() {
                return Ok(total);
            }
            for (id, attempts) in leased {
                match self.send(id, attempts).await? {
                    Outcome::Sent => total.sent += 1,
                    Outcome::Retried => total.retried += 1,
                    Outcome::Failed => total.failed += 1,
                }
            }
        }
        Ok(total)
    }

    /// Drains the outbox whenever a change queues mail (PostgreSQL `NOTIFY mail_outbox`), and
    /// at least every [`POLL`], until `shutdown` completes. A pass under way when it does is
    /// finished first.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut listener = None;
        loop {
            if listener.is_none() {
                listener = listen(&self.db).await;
            }
            match self.drain().await {
                Ok(drained) if drained != Drained::default() => {
                    tracing::info!(?drained, "outbox drained");
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "outbox pass failed; retrying later"),
            }
            // Whether the listening connection is still there (it is made again if not).
            let woken = async {
                match listener.as_mut() {
                    Some(listener) => listener.recv().await.is_ok(),
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = &mut shutdown => return,
                alive = woken => if !alive { listener = None },
                () = tokio::time::sleep(POLL) => {}
            }
        }
    }

    /// Sends mail `outbox_id`, leased for its `attempts`-th attempt.
    async fn send(&self, outbox_id: i64, attempts: i32) -> sqlx::Result<Outcome> {
        let (Ok(reply_token), Ok(unsubscribe_token)) = (super::new_token(), super::new_token())
        else {
            return self
                .unsent(
                    outbox_id,
                    0,
                    SendError::Transient("no randomness".to_owned()),
                )
                .await;
        };
        let Some(mail) =
            repository::mail_to_send(&self.db, outbox_id, &reply_token, &unsubscribe_token).await?
        else {
            let error = SendError::Permanent("mail is off: no support address is set".to_owned());
            return self.unsent(outbox_id, MAX_ATTEMPTS, error).await;
        };
        let message = match compose::compose(&mail, &self.public_url) {
            Ok(message) => message,
            Err(error) => {
                let error = SendError::Permanent(error.to_string());
                return self.unsent(outbox_id, MAX_ATTEMPTS, error).await;
            }
        };
        match self
            .transport
            .send(message.envelope(), &message.formatted())
            .await
        {
            Ok(()) => {
                repository::mark_mail_sent(&self.db, outbox_id).await?;
                tracing::info!(outbox_id, template = mail.template.name(), "mail sent");
                Ok(Outcome::Sent)
            }
            Err(error) => self.unsent(outbox_id, attempts, error).await,
        }
    }

    /// Records a failed attempt (the `attempts`-th): retried later if it may pass, else failed.
    async fn unsent(
        &self,
        outbox_id: i64,
        attempts: i32,
        error: SendError,
    ) -> sqlx::Result<Outcome> {
        let retry_at = match &error {
            SendError::Transient(_) if attempts < MAX_ATTEMPTS => {
                Some(Utc::now() + backoff(attempts))
            }
            _ => None,
        };
        tracing::warn!(outbox_id, attempts, %error, will_retry = retry_at.is_some(), "mail not sent");
        repository::mark_mail_unsent(&self.db, outbox_id, &error.to_string(), retry_at).await?;
        Ok(if retry_at.is_some() {
            Outcome::Retried
        } else {
            Outcome::Failed
        })
    }
}

enum Outcome {
    Sent,
    Retried,
    Failed,
}

/// 30 s after the first attempt, doubling: about 30 s, 1, 2, 4, 8, 16, 32 minutes; a server
/// down for an hour still gets every mail.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let exponent = u32::try_from(attempts.clamp(1, MAX_ATTEMPTS) - 1).unwrap_or(0);
    chrono::Duration::seconds(30 * 2_i64.pow(exponent))
}

async fn listen(db: &PgPool) -> Option<PgListener> {
    let mut listener = match PgListener::connect_with(db).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::warn!(%error, "cannot listen for queued mail; polling");
            return None;
        }
    };
    match listener.listen("mail_outbox").await {
        Ok(()) => Some(listener),
        Err(error) => {
            tracing::warn!(%error, "cannot listen for queued mail; polling");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially() {
        let minutes: Vec<i64> = (1..MAX_ATTEMPTS)
            .map(|n| backoff(n).num_seconds())
            .collect();
        assert_eq!(minutes, [30, 60, 120, 240, 480, 960, 1920]);
    }
}
