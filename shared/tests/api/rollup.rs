//! The statistics read counters that triggers maintain (migration
//! `20261126000002_ticket_stats_rollup.sql`); these tests hold them to a full recount of
//! `tickets` after every kind of write, concurrent ones included.

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, spawn_app};

/// The statistics as the first version computed them: by reading every ticket.
async fn recount(db: &PgPool) -> Value {
    let row: (i64, i64, f64, i64, i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE status = 'open'), \
                COALESCE(round(count(*)::numeric \
                    / NULLIF(count(DISTINCT (created_at AT TIME ZONE 'UTC')::date), 0), 2), 0)::float8, \
                count(*) FILTER (WHERE priority = 'low'), count(*) FILTER (WHERE priority = 'medium'), \
                count(*) FILTER (WHERE priority = 'high'), count(*) FILTER (WHERE priority = 'critical'), \
                count(*) FILTER (WHERE category = 'billing'), count(*) FILTER (WHERE category = 'technical'), \
                count(*) FILTER (WHERE category = 'account'), count(*) FILTER (WHERE category = 'general') \
         FROM tickets",
    )
    .fetch_one(db)
    .await
    .expect("recount");
    json!({
        "total_tickets": row.0, "open_tickets": row.1, "avg_tickets_per_day": row.2,
        "priority_breakdown": {"low": row.3, "medium": row.4, "high": row.5, "critical": row.6},
        "category_breakdown": {"billing": row.7, "technical": row.8, "account": row.9, "general": row.10}
    })
}

/// Asserts that the API's statistics equal a recount and that every counter row equals its
/// recount too (not only the sums the API shows): a ticket counts in shard `id % 4`, so no
/// counter row may be off, negative or left over, even where the shards' sums agree.
async fn assert_exact(app: &TestApp) {
    let response = app.get("/api/tickets/stats/").await;
    assert_eq!(response.status(), StatusCode::OK);
    let served: Value = response.json().await.expect("stats JSON");
    // The figures of the statistics rollup (the work figures are checked row by row below).
    let recounted = recount(&app.db).await;
    for (key, value) in recounted.as_object().unwrap() {
        assert_eq!(&served[key], value, "stats vs recount: {key}");
    }

    let mismatches: (i64, i64, i64) = sqlx::query_as(
        "WITH actual AS ( \
             SELECT (created_at AT TIME ZONE 'UTC')::date AS day, category, priority, status, \
                    (id % 4)::int2 AS shard, count(*) AS tickets \
             FROM tickets GROUP BY 1, 2, 3, 4, 5), \
         kept AS (SELECT day, category, priority, status, shard, tickets \
                  FROM ticket_counts_by_day WHERE tickets <> 0) \
         SELECT \
             (SELECT count(*) FROM ((TABLE actual EXCEPT TABLE kept) \
                                    UNION ALL (TABLE kept EXCEPT TABLE actual)) AS d), \
             (SELECT count(*) FROM ( \
                 (SELECT category, priority, status, shard, sum(tickets) FROM actual GROUP BY 1, 2, 3, 4 \
                  EXCEPT SELECT category, priority, status, shard, tickets FROM ticket_counts WHERE tickets <> 0) \
                 UNION ALL \
                 (SELECT category, priority, status, shard, tickets FROM ticket_counts WHERE tickets <> 0 \
                  EXCEPT SELECT category, priority, status, shard, sum(tickets) FROM actual GROUP BY 1, 2, 3, 4) \
             ) AS t), \
             (SELECT count(*) FROM ( \
                 (SELECT day, count(*) FROM actual GROUP BY 1 \
                  EXCEPT SELECT day, live_groups FROM ticket_days WHERE live_groups <> 0) \
                 UNION ALL \
                 (SELECT day, live_groups FROM ticket_days WHERE live_groups <> 0 \
                  EXCEPT SELECT day, count(*) FROM actual GROUP BY 1) \
             ) AS l)",
    )
    .fetch_one(&app.db)
    .await
    .expect("compare counters");
    assert_eq!(
        mismatches,
        (0, 0, 0),
        "(per-day rows, per-label rows, per-day live groups) differing from a recount"
    );

    // The work counters too: tickets being worked per assignee, running targets per due day.
    let work_mismatches: (i64, i64) = sqlx::query_as(
        "WITH load AS ( \
             SELECT COALESCE(assignee_id, 0) AS assignee_id, (id % 4)::int2 AS shard, count(*) AS tickets \
             FROM tickets WHERE status IN ('open', 'in_progress') GROUP BY 1, 2), \
         kept_load AS (SELECT assignee_id, shard, tickets FROM ticket_load WHERE tickets <> 0), \
         marks AS ( \
             SELECT m.mark, m.day, (t.id % 4)::int2 AS shard, count(*) AS tickets \
             FROM tickets AS t \
             CROSS JOIN LATERAL (VALUES ('due', (t.sla_due_at AT TIME ZONE 'UTC')::date), \
                                        ('warn', (t.sla_warn_at AT TIME ZONE 'UTC')::date)) AS m(mark, day) \
             WHERE m.day IS NOT NULL GROUP BY 1, 2, 3), \
         kept_marks AS (SELECT mark, day, shard, tickets FROM ticket_sla_days WHERE tickets <> 0) \
         SELECT \
             (SELECT count(*) FROM ((TABLE load EXCEPT TABLE kept_load) \
                                    UNION ALL (TABLE kept_load EXCEPT TABLE load)) AS l), \
             (SELECT count(*) FROM ((TABLE marks EXCEPT TABLE kept_marks) \
                                    UNION ALL (TABLE kept_marks EXCEPT TABLE marks)) AS m)",
    )
    .fetch_one(&app.db)
    .await
    .expect("compare work counters");
    assert_eq!(
        work_mismatches,
        (0, 0),
        "(load rows, SLA day rows) differing from a recount"
    );
    let negative: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM ticket_load WHERE tickets < 0) \
              + (SELECT count(*) FROM ticket_sla_days WHERE tickets < 0)",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(negative, 0, "no work counter below zero");
}

async fn sql(db: &PgPool, statement: &'static str) {
    sqlx::query(statement)
        .execute(db)
        .await
        .unwrap_or_else(|error| panic!("{statement}: {error}"));
}

const CATEGORIES: [&str; 4] = ["billing", "technical", "account", "general"];
const PRIORITIES: [&str; 4] = ["low", "medium", "high", "critical"];
const STATUSES: [&str; 4] = ["open", "in_progress", "resolved", "closed"];

#[tokio::test]
async fn stats_equal_a_recount_after_concurrent_api_and_sql_writes() {
    let app = spawn_app().await;
    // Raw SQL rows over 40 days, some at offsets that fall on another UTC day.
    sql(
        &app.db,
        "INSERT INTO tickets (title, description, category, priority, status, created_at) \
         SELECT 'seed ' || g, 'row ' || g, \
                (ARRAY['billing','technical','account','general'])[1 + g % 4], \
                (ARRAY['low','medium','high','critical'])[1 + g % 3], \
                (ARRAY['open','in_progress','resolved','closed'])[1 + g % 5 % 4], \
                timestamptz '2026-01-01 23:30:00-05' + (g % 40) * interval '1 day' \
         FROM generate_series(1, 400) AS g",
    )
    .await;
    assert_exact(&app).await;

    // API creates, all on today's counter rows, while raw SQL writes elsewhere.
    let creates = join_all((0..40).map(|i| {
        app.create_ticket(json!({
            "title": format!("concurrent {i}"),
            "description": "d",
            "category": CATEGORIES[i % 4],
            "priority": PRIORITIES[i % 2],
        }))
    }));
    let raw_writes = async {
        sql(
            &app.db,
            "UPDATE tickets SET status = 'closed' WHERE title LIKE 'seed %' AND id % 3 = 0",
        )
        .await;
        sql(
            &app.db,
            "UPDATE tickets SET created_at = created_at - interval '3 days' WHERE title LIKE 'seed %' AND id % 7 = 0",
        )
        .await;
        sql(
            &app.db,
            "INSERT INTO tickets (title, description, category, priority) \
             SELECT 'raw ' || g, 'd', 'general', 'critical' FROM generate_series(1, 25) AS g",
        )
        .await;
    };
    let (created, ()) = tokio::join!(creates, raw_writes);
    assert_exact(&app).await;

    // Concurrent changes of status, category, priority (which moves the due times) and
    // assignee, several on the same tickets, plus raw SQL updates and deletes of the same rows.
    let agent = app.agent.id;
    let patches = join_all(created.iter().cycle().take(120).enumerate().map(|(i, ticket)| {
        let path = format!("/api/tickets/{}/", ticket["id"]);
        let body = match i % 3 {
            0 => json!({"status": STATUSES[i % 4]}),
            1 => json!({"category": CATEGORIES[(i / 3) % 4], "status": STATUSES[(i + 1) % 4]}),
            _ => json!({"priority": PRIORITIES[(i / 3) % 4],
                        "assignee_id": if i % 2 == 0 { Some(agent) } else { None }}),
        };
        let app = &app;
        async move {
            let response = app.patch_json(&path, &body).await;
            assert_eq!(response.status(), StatusCode::OK, "{path} {body}");
        }
    }));
    let raw_writes = async {
        sql(
            &app.db,
            "UPDATE tickets SET priority = 'high', status = 'in_progress' WHERE title LIKE 'concurrent %' AND id % 2 = 0",
        )
        .await;
        sql(
            &app.db,
            "DELETE FROM tickets WHERE title LIKE 'raw %' AND id % 2 = 0",
        )
        .await;
        sql(
            &app.db,
            "DELETE FROM tickets WHERE title LIKE 'seed %' AND created_at < '2026-01-10'",
        )
        .await;
    };
    tokio::join!(patches, raw_writes);
    assert_exact(&app).await;

    sql(&app.db, "TRUNCATE tickets CASCADE").await;
    assert_exact(&app).await;
    let stats: Value = app.get("/api/tickets/stats/").await.json().await.unwrap();
    assert_eq!(stats["total_tickets"], 0);
}

#[tokio::test]
async fn a_day_stops_counting_when_its_last_ticket_moves_or_goes() {
    let app = spawn_app().await;
    let a = app
        .insert_row("a", "billing", "low", "open", "2026-03-01T10:00:00Z")
        .await;
    let b = app
        .insert_row("b", "billing", "low", "open", "2026-03-02T10:00:00Z")
        .await;
    app.insert_row("c", "billing", "low", "open", "2026-03-02T11:00:00Z")
        .await;
    let stats: Value = app.get("/api/tickets/stats/").await.json().await.unwrap();
    assert_eq!(stats["avg_tickets_per_day"], 1.5);

    // Moving the only ticket of March 1st onto March 2nd leaves one day with tickets.
    sqlx::query("UPDATE tickets SET created_at = '2026-03-02T09:00:00Z' WHERE id = $1")
        .bind(a)
        .execute(&app.db)
        .await
        .unwrap();
    let stats: Value = app.get("/api/tickets/stats/").await.json().await.unwrap();
    assert_eq!(stats["avg_tickets_per_day"], 3.0);
    assert_exact(&app).await;

    // Every label change on a day keeps the day; deleting its tickets does not.
    sqlx::query("UPDATE tickets SET category = 'general', priority = 'critical', status = 'closed' WHERE id = $1")
        .bind(b)
        .execute(&app.db)
        .await
        .unwrap();
    assert_exact(&app).await;
    sql(&app.db, "DELETE FROM tickets").await;
    assert_exact(&app).await;
    app.insert_row("d", "account", "high", "open", "2026-03-02T12:00:00Z")
        .await;
    let stats: Value = app.get("/api/tickets/stats/").await.json().await.unwrap();
    assert_eq!(
        (&stats["total_tickets"], &stats["avg_tickets_per_day"]),
        (&json!(1), &json!(1.0))
    );
    assert_exact(&app).await;
}

#[tokio::test]
async fn rebuild_repairs_counters_after_writes_that_bypassed_the_triggers() {
    let app = spawn_app().await;
    app.create_ticket(
        json!({"title": "t", "description": "d", "category": "billing", "priority": "low"}),
    )
    .await;
    let mut tx = shared::db::begin(&app.db).await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("INSERT INTO tickets (title, description, category, priority, first_response_due_at, resolution_due_at) \
                  VALUES ('x', 'y', 'general', 'high', now(), now())")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let stats: Value = app.get("/api/tickets/stats/").await.json().await.unwrap();
    assert_eq!(
        stats["total_tickets"], 1,
        "the bypassing insert is not counted"
    );

    sql(&app.db, "SELECT ticket_rollup_rebuild()").await;
    assert_exact(&app).await;
    let stats: Value = app.get("/api/tickets/stats/").await.json().await.unwrap();
    assert_eq!(stats["total_tickets"], 2);
}
