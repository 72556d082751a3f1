use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::domain::{Category, Priority};

use crate::helpers::spawn_app;

#[tokio::test]
async fn stats_of_an_empty_database_are_zero_filled() {
    let app = spawn_app().await;
    let response = app.get("/api/tickets/stats/").await;
    assert_eq!(response.status(), StatusCode::OK);
    let stats: Value = response.json().await.unwrap();
    assert_eq!(
        stats,
        json!({
            "total_tickets": 0, "open_tickets": 0, "avg_tickets_per_day": 0.0,
            "priority_breakdown": {"low": 0, "medium": 0, "high": 0, "critical": 0},
            "category_breakdown": {"billing": 0, "technical": 0, "account": 0, "general": 0},
            "open_by_assignee": [], "unassigned_open": 0, "sla_breached": 0, "needs_triage": 0,
            "median_first_response_minutes": null, "median_resolution_minutes": null
        })
    );
}

#[tokio::test]
async fn stats_count_by_utc_day_and_round_to_two_decimals() {
    let app = spawn_app().await;
    // 7 tickets over 3 distinct UTC days: 7 / 3 = 2.333… → 2.33. 23:30 at UTC-5 is the next
    // UTC day, so it must count as its own day, not as the 10th.
    let rows = [
        ("a", "billing", "low", "open", "2026-01-10T00:00:01Z"),
        ("b", "billing", "high", "open", "2026-01-10T12:00:00Z"),
        (
            "c",
            "technical",
            "critical",
            "in_progress",
            "2026-01-10T23:59:59Z",
        ),
        (
            "d",
            "account",
            "medium",
            "resolved",
            "2026-01-10T23:30:00-05:00",
        ),
        ("e", "technical", "medium", "closed", "2026-01-11T05:00:00Z"),
        ("f", "technical", "high", "open", "2026-01-12T09:00:00Z"),
        ("g", "technical", "low", "open", "2026-01-12T10:00:00Z"),
    ];
    for (title, category, priority, status, at) in rows {
        app.insert_row(title, category, priority, status, at).await;
    }
    let stats: Value = app.get("/api/tickets/stats").await.json().await.unwrap();
    assert_eq!(
        stats,
        json!({
            "total_tickets": 7, "open_tickets": 4, "avg_tickets_per_day": 2.33,
            "priority_breakdown": {"low": 2, "medium": 2, "high": 2, "critical": 1},
            "category_breakdown": {"billing": 2, "technical": 4, "account": 1, "general": 0},
            // Being worked (open or in progress), nobody assigned, all long past their targets;
            // the one resolution is older than the 30 days the medians cover.
            "open_by_assignee": [], "unassigned_open": 5, "sla_breached": 5, "needs_triage": 0,
            "median_first_response_minutes": null, "median_resolution_minutes": null
        })
    );
}

#[tokio::test]
async fn stats_follow_creates_and_status_changes() {
    let app = spawn_app().await;
    let ticket = app.create_ticket(json!({"title": "t", "description": "d", "category": "account", "priority": "critical"})).await;
    let stats: Value = app.get("/api/tickets/stats/").await.json().await.unwrap();
    assert_eq!(
        (
            stats["total_tickets"].clone(),
            stats["open_tickets"].clone()
        ),
        (json!(1), json!(1))
    );
    assert_eq!(stats["avg_tickets_per_day"], 1.0);
    app.patch_json(
        &format!("/api/tickets/{}/", ticket["id"]),
        &json!({"status": "resolved"}),
    )
    .await;
    let stats: Value = app.get("/api/tickets/stats/").await.json().await.unwrap();
    assert_eq!(stats["open_tickets"], 0);
    assert_eq!(stats["category_breakdown"]["account"], 1);
}

#[tokio::test]
async fn breakdowns_have_exactly_the_domain_values_in_answers_and_in_the_document() {
    let app = spawn_app().await;
    let stats: Value = app.get("/api/tickets/stats/").await.json().await.unwrap();
    let document: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let schema = &document["components"]["schemas"]["TicketStats"]["properties"];
    let keys = |value: &Value| {
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort_unstable();
        keys
    };
    let sorted = |mut names: Vec<&'static str>| {
        names.sort_unstable();
        names
    };
    for (breakdown, names) in [
        ("priority_breakdown", sorted(Priority::names())),
        ("category_breakdown", sorted(Category::names())),
    ] {
        assert_eq!(keys(&stats[breakdown]), names, "{breakdown} in an answer");
        assert!(
            stats[breakdown]
                .as_object()
                .unwrap()
                .values()
                .all(|n| n == 0)
        );
        assert_eq!(
            keys(&schema[breakdown]["properties"]),
            names,
            "{breakdown} schema"
        );
        let mut required: Vec<&str> = schema[breakdown]["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|name| name.as_str().unwrap())
            .collect();
        required.sort_unstable();
        assert_eq!(required, names, "{breakdown} members are all required");
    }
}
