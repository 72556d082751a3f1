//! At scale, every statement the list endpoint can run reads `tickets` through an index:
//! `EXPLAIN` of each, for every combination of scope (all tickets, or a requester's own),
//! filters, search and cursor, shows no sequential
//! scan of `tickets`, both as planned for its values and as a cached generic plan. The work on
//! one ticket (thread, history, a reply, a change), the queue counts and the statistics read
//! `tickets`, `comments` and `ticket_events` through indexes too: PostgreSQL's own count of
//! sequential scans does not move while they run.

use chrono::{Duration, Utc};
use serde_json::Value;
use shared::{
    domain::{
        Actor, Category, NewComment, Priority, SlaState, Status, TicketChanges, TicketScope,
        Visibility,
    },
    repository::{
        self, AssigneeFilter, BITMAP_SCANS_ONLY, ListStep, PageAfter, SlaFilter, TicketFilter,
        list_statement, list_steps,
    },
};
use sqlx::{Connection, PgConnection, PgPool, postgres::PgPoolOptions};

use crate::helpers::fresh_database;

/// Enough rows that a sequential scan costs what it would in production, few enough to seed in
/// seconds.
const ROWS: u64 = 200_000;
const PAGE: i64 = 51;

/// Searches of the seeded texts: a company name in about 0.05% of tickets, a word in about 7%,
/// and text in none. (Text without three letters or digits in a row cannot use a trigram index
/// at all; see bench/README.md.)
const SEARCHES: [Option<&str>; 4] = [None, Some("Ironleaf"), Some("password"), Some("xylophone")];

#[tokio::test]
async fn no_list_statement_scans_the_tickets_table() {
    let db = fresh_database().await;
    shared::seed::seed(&db, ROWS, 365).await.expect("seed");
    let mut connection = db.acquire().await.expect("connection");
    let cursor = PageAfter {
        at: Utc::now() - Duration::days(30),
        id: i64::try_from(ROWS / 2).expect("id"),
    };

    let mut checked = 0;
    let mut scans = Vec::new();
    let shapes = [TicketScope::All, TicketScope::RequestedBy(42)]
        .into_iter()
        .flat_map(|scope| {
            [None, Some(Category::Billing)]
                .into_iter()
                .flat_map(move |category| {
                    [None, Some(Priority::Critical)]
                        .into_iter()
                        .flat_map(move |priority| {
                            [None, Some(Status::InProgress)]
                                .into_iter()
                                .flat_map(move |status| {
                                    SEARCHES.into_iter().map(move |search| TicketFilter {
                                        category,
                                        priority,
                                        statuses: status.into_iter().collect(),
                                        search: search.map(str::to_owned),
                                        ..TicketFilter::all(scope)
                                    })
                                })
                        })
                })
        })
        .chain(agent_shapes());
    for filter in shapes {
        for after in [None, Some(cursor)] {
            for &step in list_steps(&filter) {
                let shape = format!("{step:?} {filter:?} cursor={}", after.is_some());
                for (planning, plan) in plans(&mut connection, step, &filter, after).await {
                    checked += 1;
                    if scans_tickets(&plan) {
                        scans.push(format!("{shape} ({planning}):\n{plan:#}"));
                    }
                }
            }
        }
    }
    assert!(checked >= 2 * 8 * 4 * 2 * 2, "checked {checked} plans");
    assert!(
        scans.is_empty(),
        "{} of {checked} plans scan tickets:\n{}",
        scans.len(),
        scans.join("\n\n")
    );
    drop(connection);
    work_on_tickets_reads_through_indexes(&db).await;
}

/// The sequential scans PostgreSQL has counted on the big tables, as of now: `pool` (of one
/// connection) first flushes its pending counts.
async fn sequential_scans(pool: &PgPool) -> Vec<(String, i64)> {
    let mut connection = pool.acquire().await.expect("connection");
    // Reported when this statement ends, before its answer is sent.
    sqlx::query("SELECT pg_stat_force_next_flush()")
        .execute(&mut *connection)
        .await
        .expect("flush statistics");
    sqlx::query("SELECT pg_stat_clear_snapshot()")
        .execute(&mut *connection)
        .await
        .expect("fresh snapshot");
    sqlx::query_as(
        "SELECT relname::text, seq_scan FROM pg_stat_user_tables \
         WHERE relname IN ('tickets', 'comments', 'ticket_events') ORDER BY relname",
    )
    .fetch_all(&mut *connection)
    .await
    .expect("scan counts")
}

async fn work_on_tickets_reads_through_indexes(db: &PgPool) {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(db.connect_options().as_ref().clone())
        .await
        .expect("pool of one");
    let (ticket, agent): (i64, i64) = sqlx::query_as(
        "SELECT id, assignee_id FROM tickets WHERE assignee_id IS NOT NULL \
           AND status IN ('open', 'in_progress') ORDER BY id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("an assigned ticket");
    let agent = repository::find_user(&pool, agent)
        .await
        .expect("read")
        .expect("the agent");
    let now = Utc::now();
    let before = sequential_scans(&pool).await;

    repository::list_comments(&pool, ticket, true, None, 51)
        .await
        .expect("thread");
    repository::record_sla_breaches(&pool, ticket, now)
        .await
        .expect("breaches");
    repository::list_events(&pool, ticket, false, None, 51)
        .await
        .expect("history");
    repository::add_comment(
        &pool,
        ticket,
        &agent,
        &NewComment {
            body: "Looking into it".to_owned(),
            visibility: Visibility::Public,
        },
    )
    .await
    .expect("reply");
    let changes = TicketChanges {
        priority: Some(Priority::Critical),
        assignee: Some(None),
        ..TicketChanges::default()
    };
    repository::update_ticket(
        &pool,
        ticket,
        TicketScope::All,
        Actor::Person(Some(agent.id)),
        &changes,
        None,
    )
    .await
    .expect("change");
    repository::queue_counts(&pool, agent.id, now)
        .await
        .expect("queues");
    repository::ticket_stats(&pool, now).await.expect("stats");

    assert_eq!(
        sequential_scans(&pool).await,
        before,
        "a statement scanned a whole table"
    );
}

/// The agents' filters (queues): assignee or SLA state, with a label, the statuses of the
/// queues and a search.
fn agent_shapes() -> impl Iterator<Item = TicketFilter> {
    let now = Utc::now();
    let assignees = [
        Some(AssigneeFilter::Account(2)),
        Some(AssigneeFilter::Nobody),
        None,
        None,
    ];
    let slas = [
        None,
        None,
        Some(SlaFilter {
            state: SlaState::Breached,
            now,
        }),
        Some(SlaFilter {
            state: SlaState::DueSoon,
            now,
        }),
    ];
    assignees.into_iter().zip(slas).flat_map(|(assignee, sla)| {
        [None, Some(Category::Billing)]
            .into_iter()
            .flat_map(move |category| {
                [vec![], vec![Status::Open, Status::InProgress]]
                    .into_iter()
                    .flat_map(move |statuses| {
                        [None, Some("password")]
                            .into_iter()
                            .map(move |search| TicketFilter {
                                category,
                                statuses: statuses.clone(),
                                assignee,
                                sla,
                                search: search.map(str::to_owned),
                                ..TicketFilter::all(TicketScope::All)
                            })
                    })
            })
    })
}

/// The plans of one statement: as planned for its values and, for the statements the
/// connection caches, as the generic plan PostgreSQL may switch to after five executions.
async fn plans(
    connection: &mut PgConnection,
    step: ListStep,
    filter: &TicketFilter,
    after: Option<PageAfter>,
) -> Vec<(&'static str, Value)> {
    // The test's own unpooled connection: sqlx's `begin` cannot leak into a pool here.
    #[allow(clippy::disallowed_methods)]
    let mut tx = connection.begin().await.expect("begin");
    if step == ListStep::TrigramMatches {
        sqlx::query(BITMAP_SCANS_ONLY)
            .execute(&mut *tx)
            .await
            .expect("restrict scans");
    }
    let mut explain = list_statement("EXPLAIN (FORMAT JSON) ", step, filter, after, PAGE);
    let (custom,): (Value,) = explain
        .build_query_as()
        .persistent(false)
        .fetch_one(&mut *tx)
        .await
        .expect("explain");
    let mut plans = vec![("custom", custom)];

    if matches!(step, ListStep::Page | ListStep::RecentWindow) {
        // A generic plan ignores the values, so the placeholders can all be NULL.
        let statement = list_statement("", step, filter, after, PAGE);
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "PREPARE shape AS {}",
            statement.sql().as_str()
        )))
        .execute(&mut *tx)
        .await
        .expect("prepare");
        let parameters: i32 = sqlx::query_scalar(
            "SELECT cardinality(parameter_types) FROM pg_prepared_statements WHERE name = 'shape'",
        )
        .fetch_one(&mut *tx)
        .await
        .expect("parameters");
        let nulls = vec!["NULL"; usize::try_from(parameters).expect("count")].join(", ");
        sqlx::raw_sql("SET LOCAL plan_cache_mode = force_generic_plan")
            .execute(&mut *tx)
            .await
            .expect("generic plans");
        let (generic,): (Value,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "EXPLAIN (FORMAT JSON) EXECUTE shape({nulls})"
        )))
        .persistent(false)
        .fetch_one(&mut *tx)
        .await
        .expect("explain generic");
        sqlx::raw_sql("DEALLOCATE shape")
            .execute(&mut *tx)
            .await
            .expect("deallocate");
        plans.push(("generic", generic));
    }
    tx.rollback().await.expect("rollback");
    plans
}

/// Whether any node of an `EXPLAIN (FORMAT JSON)` plan is a sequential scan of `tickets`.
fn scans_tickets(plan: &Value) -> bool {
    match plan {
        Value::Object(node) => {
            let seq_scan = node.get("Node Type").and_then(Value::as_str) == Some("Seq Scan")
                && node.get("Relation Name").and_then(Value::as_str) == Some("tickets");
            seq_scan || node.values().any(scans_tickets)
        }
        Value::Array(items) => items.iter().any(scans_tickets),
        _ => false,
    }
}
