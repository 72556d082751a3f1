//! The PostgreSQL pool, its transactions and the embedded migrations.
//!
//! # No connection goes back to the pool inside a transaction nobody knows about
//!
//! A future dropped half-way through database work (a client that hangs up, the request
//! timeout, a `select!`, an aborted task) must not leave a pooled connection inside a
//! transaction: every later statement on it would run in that transaction, be answered as a
//! success and vanish when the connection closes. sqlx 0.9.0 (the latest release, checked
//! 2026-11-30) has exactly that hole: a `begin()` dropped while `BEGIN` is on the wire records
//! no transaction, rolls nothing back, and the pool takes the connection back (sqlx issues
//! 4385 and 4393, fixed on its main branch, unreleased). Three defences, outermost first:
//!
//! 1. Requests run to completion: the HTTP layer runs every handler as a task of its own
//!    (`http::run_to_completion`), so a request's cancellation never reaches its database work.
//! 2. Transactions are only opened through [`begin`], whose [`Transaction`] closes its
//!    connection, instead of returning it to the pool, unless `COMMIT` or `ROLLBACK` was
//!    answered; the server then ends the session and rolls back. sqlx's own `begin` is denied
//!    by clippy (`clippy.toml`).
//! 3. `idle_in_transaction_session_timeout` on every session: should anything still leave one
//!    in a transaction (a Lambda sandbox frozen mid-request), the server ends it.

use std::{
    ops::{Deref, DerefMut},
    str::FromStr,
    time::Duration,
};

use sqlx::{
    Connection, PgConnection, PgPool, Postgres,
    migrate::Migrator,
    pool::PoolConnection,
    postgres::{PgConnectOptions, PgPoolOptions},
};

use crate::config::DatabaseConfig;

/// The migrations of `migrations/`, compiled into every binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// Longest wait for a pooled connection before the request fails with 503.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest any one statement may run on the server before PostgreSQL cancels it.
pub const STATEMENT_TIMEOUT: &str = "5s";
/// Longest a session may sit inside a transaction between statements before PostgreSQL ends it:
/// the last line of defence above, far longer than any transaction of ours waits between two
/// statements (no transaction waits on anything but the database).
pub const IDLE_IN_TRANSACTION_TIMEOUT: &str = "10s";
/// A pooled connection idle at least this long is pinged before it is handed out.
pub const PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);

/// A pool that connects on first use, so the process starts (and `/api/health` can report the
/// problem) even while the database is down.
pub fn pool(config: &DatabaseConfig) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(config.url.expose())?
        .application_name("helpdesk")
        .options([
            ("statement_timeout", STATEMENT_TIMEOUT),
            (
                "idle_in_transaction_session_timeout",
                IDLE_IN_TRANSACTION_TIMEOUT,
            ),
        ])
        .statement_cache_capacity(config.statement_cache);
    Ok(PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // A Lambda sandbox is frozen between invocations, so a pooled connection may have been
        // closed by the server or a proxy meanwhile: ping it before handing it out and reconnect
        // if it is gone. Only after it sat idle, though (the frozen time counts): a ping is a
        // round trip, and on a busy server pinging connections used a moment ago cost a quarter
        // of each request's CPU (bench/README.md).
        .test_before_acquire(false)
        .before_acquire(|connection, metadata| {
            Box::pin(async move {
                if metadata.idle_for >= PING_IF_IDLE_FOR {
                    connection.ping().await?;
                }
                Ok(true)
            })
        })
        .idle_timeout(Duration::from_secs(300))
        // `false` closes the connection instead of pooling it (DATABASE_CLOSE_AFTER_USE).
        .after_release({
            let keep = !config.close_after_use;
            move |_connection, _metadata| Box::pin(async move { Ok(keep) })
        })
        .connect_lazy_with(options))
}

/// Opens a transaction on a connection of `pool`; see the module documentation.
pub async fn begin(pool: &PgPool) -> sqlx::Result<Transaction> {
    let mut transaction = Transaction {
        connection: pool.acquire().await?,
        finished: false,
    };
    // From here on, a drop before `commit` or `rollback` was answered closes the connection.
    sqlx::raw_sql("BEGIN")
        .execute(&mut *transaction.connection)
        .await?;
    Ok(transaction)
}

/// A transaction that ends in `commit` or `rollback`, or with its connection: dropped any other
/// way (an error returned with `?`, a panic, a cancelled future), it closes the connection, so
/// the server rolls back, rather than returning it to the pool in an unknown state. Dereferences
/// to the connection, so `&mut *transaction` is an executor.
pub struct Transaction {
    connection: PoolConnection<Postgres>,
    finished: bool,
}

impl Transaction {
    pub async fn commit(self) -> sqlx::Result<()> {
        self.end("COMMIT").await
    }

    pub async fn rollback(self) -> sqlx::Result<()> {
        self.end("ROLLBACK").await
    }

    async fn end(mut self, statement: &'static str) -> sqlx::Result<()> {
        sqlx::raw_sql(statement)
            .execute(&mut *self.connection)
            .await?;
        self.finished = true;
        Ok(())
    }
}

impl Deref for Transaction {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        &self.connection
    }
}

impl DerefMut for Transaction {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.connection
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        if !self.finished {
            self.connection.close_on_drop();
        }
    }
}

/// Applies pending migrations, waiting up to `patience` for the database to accept connections
/// (it may still be starting, as in `docker compose up`).
pub async fn migrate(pool: &PgPool, patience: Duration) -> Result<(), sqlx::migrate::MigrateError> {
    let started = tokio::time::Instant::now();
    loop {
        match MIGRATOR.run(pool).await {
            Err(sqlx::migrate::MigrateError::Execute(
                sqlx::Error::PoolTimedOut | sqlx::Error::Io(_),
            )) if started.elapsed() < patience => {
                tracing::warn!("database not reachable yet; retrying migrations in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            result => return result,
        }
    }
}
