//! The PostgreSQL pool and the embedded migrations.

use std::{str::FromStr, time::Duration};

use sqlx::{
    Connection, PgPool,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPoolOptions},
};

use crate::config::Config;

/// The migrations of `migrations/`, compiled into every binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// Longest wait for a pooled connection before the request fails with 503.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest any one statement may run on the server before PostgreSQL cancels it.
pub const STATEMENT_TIMEOUT: &str = "5s";
/// A pooled connection idle at least this long is pinged before it is handed out.
pub const PING_IF_IDLE_FOR: Duration = Duration::from_secs(1);

/// A pool that connects on first use, so the process starts (and `/api/health` can report the
/// problem) even while the database is down.
pub fn pool(config: &Config) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(config.database_url.expose())?
        .application_name("helpdesk")
        .options([("statement_timeout", STATEMENT_TIMEOUT)])
        .statement_cache_capacity(config.database_statement_cache);
    Ok(PgPoolOptions::new()
        .max_connections(config.database_max_connections)
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
        .connect_lazy_with(options))
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
