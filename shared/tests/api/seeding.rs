//! The seeder writes what the API would have: every ticket's creation, every reply and its
//! event, first responses that are the first public agent reply, resolution times, and
//! statistics counters equal to a recount.

use serde_json::Value;
use shared::repository::ticket_stats;

use crate::helpers::fresh_database;

#[tokio::test]
async fn seeded_tickets_have_consistent_threads_and_history() {
    let db = fresh_database().await;
    let report = shared::seed::seed(&db, 3_000, 60).await.expect("seed");
    assert_eq!(report.inserted, 3_000);
    let (tickets, comments, internal, staff_ids): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM comments), \
                (SELECT count(*) FROM comments WHERE visibility = 'internal'), \
                (SELECT count(DISTINCT assignee_id) FROM tickets)",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(tickets, 3_000);
    assert!(
        (2 * tickets..5 * tickets).contains(&comments),
        "{comments} comments"
    );
    assert!(internal > 0 && internal < comments / 4, "{internal} notes");
    assert_eq!(staff_ids, 12, "the work is shared by the seeded agents");

    let inconsistencies: Vec<(String, i64)> = sqlx::query_as(
        "SELECT 'tickets without their creation', count(*) FROM tickets AS t \
             WHERE NOT EXISTS (SELECT 1 FROM ticket_events AS e \
                               WHERE e.ticket_id = t.id AND e.kind = 'created') \
         UNION ALL SELECT 'comments without their event', count(*) FROM comments AS c \
             WHERE NOT EXISTS (SELECT 1 FROM ticket_events AS e \
                               WHERE e.comment_id = c.id AND e.visibility = c.visibility) \
         UNION ALL SELECT 'first responses that are not the first public agent reply', count(*) \
             FROM tickets AS t \
             WHERE first_responded_at IS DISTINCT FROM \
                 (SELECT min(created_at) FROM comments AS c \
                  WHERE c.ticket_id = t.id AND c.author_is_staff AND c.visibility = 'public') \
         UNION ALL SELECT 'replies by the wrong side', count(*) FROM comments AS c \
             JOIN users AS u ON u.id = c.author_id \
             WHERE c.author_is_staff <> (u.role <> 'requester') \
         UNION ALL SELECT 'done without resolution time', count(*) FROM tickets \
             WHERE (status IN ('resolved', 'closed')) <> (resolved_at IS NOT NULL) \
         UNION ALL SELECT 'written in the future', count(*) FROM comments WHERE created_at > now()",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    for (what, count) in inconsistencies {
        assert_eq!(count, 0, "{what}");
    }

    // The rolled-up statistics equal a recount of what was seeded.
    let stats = serde_json::to_value(ticket_stats(&db, chrono::Utc::now()).await.unwrap()).unwrap();
    let (open, critical): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'open'), count(*) FILTER (WHERE priority = 'critical') \
         FROM tickets",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(stats["total_tickets"], Value::from(tickets));
    assert_eq!(stats["open_tickets"], Value::from(open));
    assert_eq!(
        stats["priority_breakdown"]["critical"],
        Value::from(critical)
    );
}
