//! Realistic tickets in bulk, for benchmarks, plan checks and demos (`helpdesk seed`): with
//! requesters, assignees, threads of replies and internal notes, and their history.
//!
//! Generation is set-based SQL (`seed.sql`, then `seed_work.sql`), a few statements per batch,
//! so the rows never travel through this process. The rollup triggers see each batch as one
//! statement and update the statistics with one aggregated write.

use std::time::{Duration, Instant};

use chrono::Utc;
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool, Postgres, Transaction};

/// Rows per INSERT: big enough that per-statement costs vanish, small enough that the trigger's
/// transition table and the progress log stay modest.
const BATCH: u64 = 100_000;

/// Below this many new rows, updating the indexes row by row is cheaper than rebuilding them.
const REBUILD_MIN_ROWS: u64 = 20_000;

/// What a seed run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub inserted: u64,
    /// Whether the secondary indexes were dropped and rebuilt around the load.
    pub rebuilt_indexes: bool,
    pub elapsed: Duration,
}

/// The accounts the seeded tickets belong to (made when missing, without passwords): this many
/// agents share the work, and this many requesters file the tickets.
const SEED_AGENTS: i64 = 12;
const SEED_REQUESTERS: i64 = 2_000;

/// Inserts `count` tickets created over the last `days` days (at least 1), with their threads
/// and history.
///
/// When the new rows outnumber the existing ones, the secondary indexes of `tickets` are
/// dropped before the load and rebuilt after it: building a trigram index is several times
/// faster than growing it row by row. Everything happens in one transaction, so an interrupted
/// seed leaves the table (indexes included) as it was; meanwhile other writers and readers of
/// `tickets` wait. Meant for development and benchmark databases.
pub async fn seed(pool: &PgPool, count: u64, days: u32) -> sqlx::Result<SeedReport> {
    let started = Instant::now();
    let mut connection = bulk_connection(pool).await?;
    // An unpooled connection, closed when this function ends however it ends: a cancelled
    // `begin` cannot leak into anything else (see `db`).
    #[allow(clippy::disallowed_methods)]
    let mut tx = connection.begin().await?;
    // Room to sort index entries in memory during the rebuild, for this transaction only.
    sqlx::query("SET LOCAL maintenance_work_mem = '256MB'")
        .execute(&mut *tx)
        .await?;
    // The change counters' triggers fire as each statement ends rather than at the commit:
    // the index rebuild cannot run while row events are pending (the seed is the only writer).
    sqlx::query("SET CONSTRAINTS ALL IMMEDIATE")
        .execute(&mut *tx)
        .await?;
    // Made-up history notifies nobody (the outbox trigger of `ticket_events`).
    sqlx::query("SET LOCAL helpdesk.quiet = 'on'")
        .execute(&mut *tx)
        .await?;
    let rebuild = count >= REBUILD_MIN_ROWS && count as f64 > estimated_tickets(&mut tx).await?;
    let indexes = if rebuild {
        drop_secondary_indexes(&mut tx).await?
    } else {
        Vec::new()
    };
    let (agents, requesters) = seed_accounts(&mut tx).await?;
    insert_batches(&mut tx, count, days, &agents, &requesters).await?;
    for definition in &indexes {
        tracing::info!(index = %definition, "rebuilding index");
        // Text from pg_get_indexdef: the catalog's own definition, not input.
        sqlx::query(sqlx::AssertSqlSafe(definition.as_str()))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    // Fresh statistics, so the planner prices list and search queries on the new data.
    sqlx::raw_sql("ANALYZE tickets, comments, ticket_events, users")
        .execute(&mut connection)
        .await?;
    connection.close().await?;
    Ok(SeedReport {
        inserted: count,
        rebuilt_indexes: rebuild,
        elapsed: started.elapsed(),
    })
}

/// A connection of its own: the pool's statement timeout suits requests, not bulk loads, and
/// sqlx would log each multi-second batch, SQL text included, as a slow statement.
async fn bulk_connection(pool: &PgPool) -> sqlx::Result<PgConnection> {
    let options = pool
        .connect_options()
        .as_ref()
        .clone()
        .options([("statement_timeout", "0")])
        .disable_statement_logging();
    PgConnection::connect_with(&options).await
}

/// The planner's estimate of the rows in `tickets`: enough to choose whether to rebuild.
async fn estimated_tickets(tx: &mut Transaction<'_, Postgres>) -> sqlx::Result<f64> {
    sqlx::query_scalar(
        "SELECT greatest(reltuples, 0)::float8 FROM pg_class WHERE oid = 'tickets'::regclass",
    )
    .fetch_one(&mut **tx)
    .await
}

/// The ids of the seeded agents and requesters, made first if missing.
async fn seed_accounts(tx: &mut Transaction<'_, Postgres>) -> sqlx::Result<(Vec<i64>, Vec<i64>)> {
    let mut ids = Vec::new();
    for (role, prefix, count) in [
        ("agent", "seed-agent-", SEED_AGENTS),
        ("requester", "customer-", SEED_REQUESTERS),
    ] {
        sqlx::query(
            "INSERT INTO users (email, name, role) \
             SELECT $2 || n || '@example.com', initcap(replace($2, '-', ' ')) || n, $1 \
             FROM generate_series(1, $3::int8) AS n \
             ON CONFLICT DO NOTHING",
        )
        .bind(role)
        .bind(prefix)
        .bind(count)
        .execute(&mut **tx)
        .await?;
        ids.push(
            sqlx::query_scalar(
                "SELECT id FROM users WHERE role = $1 AND email LIKE $2 || '%@example.com' \
                 ORDER BY id",
            )
            .bind(role)
            .bind(prefix)
            .fetch_all(&mut **tx)
            .await?,
        );
    }
    let requesters = ids.pop().unwrap_or_default();
    let agents = ids.pop().unwrap_or_default();
    Ok((agents, requesters))
}

/// `count` tickets created uniformly over the `days` days (at least 1) before now, filed by
/// `requesters` and worked by `agents`, in batches of [`BATCH`] generated by the database.
async fn insert_batches(
    tx: &mut Transaction<'_, Postgres>,
    count: u64,
    days: u32,
    agents: &[i64],
    requesters: &[i64],
) -> sqlx::Result<()> {
    let days = f64::from(days.max(1));
    let reference = Utc::now();
    let mut inserted = 0;
    while inserted < count {
        let batch = (count - inserted).min(BATCH);
        sqlx::query(include_str!("seed.sql"))
            .bind(i32::try_from(batch).unwrap_or(i32::MAX))
            .bind(days)
            .bind(reference)
            .bind(agents)
            .bind(requesters)
            .execute(&mut **tx)
            .await?;
        sqlx::raw_sql(include_str!("seed_work.sql"))
            .execute(&mut **tx)
            .await?;
        inserted += batch;
        tracing::info!(inserted, of = count, "seeding tickets");
    }
    Ok(())
}

/// Drops the indexes of `tickets` that back no constraint and returns their definitions.
async fn drop_secondary_indexes(tx: &mut Transaction<'_, Postgres>) -> sqlx::Result<Vec<String>> {
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) \
         FROM pg_index AS i \
         WHERE i.indrelid = 'tickets'::regclass \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid) \
         ORDER BY 1",
    )
    .fetch_all(&mut **tx)
    .await?;
    for (name, _) in &indexes {
        // `regclass::text` is the catalog's name, quoted where needed.
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}")))
            .execute(&mut **tx)
            .await?;
    }
    Ok(indexes
        .into_iter()
        .map(|(_, definition)| definition)
        .collect())
}
