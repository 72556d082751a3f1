//! SLA targets: due times from the policy, the state at its exact boundaries (on a clock the
//! test moves), breaches in the history, the policy itself, the queues and the statistics.

use chrono::{DateTime, Duration, Utc};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use shared::domain::Role;

use crate::helpers::{TestApp, assert_problem, spawn_app};

fn at(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .unwrap_or_else(|| panic!("a time: {value}"))
        .parse()
        .unwrap()
}

async fn ticket(app: &TestApp, client: &Client, id: i64) -> Value {
    let response = client
        .get(app.url(&format!("/api/tickets/{id}/")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn ids(app: &TestApp, client: &Client, query: &str) -> Vec<i64> {
    let response = client
        .get(app.url(&format!("/api/tickets/?limit=200&{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    let page: Vec<Value> = response.json().await.unwrap();
    page.iter().map(|t| t["id"].as_i64().unwrap()).collect()
}

async fn queues(app: &TestApp, client: &Client) -> Value {
    let response = client
        .get(app.url("/api/tickets/queues/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn create(app: &TestApp, priority: &str) -> Value {
    app.create_ticket(
        json!({"title": "VPN", "description": "It drops", "category": "technical",
                             "priority": priority}),
    )
    .await
}

async fn breaches(app: &TestApp, client: &Client, id: i64) -> Vec<(String, DateTime<Utc>)> {
    let events: Vec<Value> = client
        .get(app.url(&format!("/api/tickets/{id}/events/")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    events
        .iter()
        .filter(|e| e["kind"] == "sla_breached")
        .map(|e| (e["to"].as_str().unwrap().to_owned(), at(&e["created_at"])))
        .collect()
}

#[tokio::test]
async fn the_first_response_target_is_due_soon_then_breached_at_its_exact_boundaries() {
    let app = spawn_app().await;
    let (_, requester) = app.client_as(Role::Requester, "a@example.com").await;
    // Filed by the agent on the requester's behalf, so the requester can look at it too.
    let created = app
        .create_ticket(
            json!({"title": "VPN", "description": "It drops", "category": "technical",
                              "priority": "high", "requester_email": "a@example.com"}),
        )
        .await;
    let id = created["id"].as_i64().unwrap();
    let created_at = at(&created["created_at"]);
    // High: first response in 4 hours, resolution in a day; due soon in the last 25%.
    let due = created_at + Duration::hours(4);
    assert_eq!(at(&created["first_response_due_at"]), due);
    assert_eq!(
        at(&created["resolution_due_at"]),
        created_at + Duration::days(1)
    );
    assert_eq!(created["sla_target"], "first_response");
    assert_eq!(at(&created["sla_due_at"]), due);

    let warn = due - Duration::hours(1);
    let tick = Duration::microseconds(1);
    for (now, state) in [
        (warn - tick, "ok"),
        (warn, "due_soon"),
        (due - tick, "due_soon"),
        (due, "breached"),
    ] {
        app.clock.set(now);
        assert_eq!(
            ticket(&app, &app.client, id).await["sla"],
            state,
            "at {now}"
        );
        let due_soon = ids(&app, &app.client, "sla=due_soon").await;
        let breached = ids(&app, &app.client, "sla=breached").await;
        assert_eq!(due_soon.contains(&id), state == "due_soon", "at {now}");
        assert_eq!(breached.contains(&id), state == "breached", "at {now}");
        let counts = queues(&app, &app.client).await;
        assert_eq!(
            (&counts["due_soon"], &counts["breached"]),
            (
                &json!(i64::from(state == "due_soon")),
                &json!(i64::from(state == "breached"))
            )
        );
        // The requester sees none of it.
        let seen = ticket(&app, &requester, id).await;
        for member in [
            "sla",
            "sla_target",
            "sla_due_at",
            "first_response_due_at",
            "resolution_due_at",
        ] {
            assert_eq!(seen[member], Value::Null, "{member}");
        }
    }
    // The breach is in the history once, dated when it happened, for staff only.
    assert!(breaches(&app, &app.client, id).await.len() == 1);
    app.clock.set(due + Duration::hours(3));
    assert_eq!(
        breaches(&app, &app.client, id).await,
        [("first_response".to_owned(), due)]
    );
    assert!(breaches(&app, &requester, id).await.is_empty());
    let stats: Value = app.get("/api/tickets/stats/").await.json().await.unwrap();
    assert_eq!(stats["sla_breached"], 1);
}

#[tokio::test]
async fn after_the_first_response_the_resolution_target_runs_until_resolved() {
    let app = spawn_app().await;
    let created = create(&app, "high").await;
    let id = created["id"].as_i64().unwrap();
    let created_at = at(&created["created_at"]);
    let reply = app
        .post_json(
            &format!("/api/tickets/{id}/comments/"),
            &json!({"body": "Looking into it"}),
        )
        .await;
    assert_eq!(reply.status(), StatusCode::CREATED);
    let answered = ticket(&app, &app.client, id).await;
    assert!(at(&answered["first_responded_at"]) < created_at + Duration::hours(4));
    assert_eq!(answered["sla_target"], "resolution");
    let due = created_at + Duration::days(1);
    assert_eq!(at(&answered["sla_due_at"]), due);

    let warn = due - Duration::hours(6);
    app.clock.set(warn - Duration::microseconds(1));
    assert_eq!(ticket(&app, &app.client, id).await["sla"], "ok");
    app.clock.set(warn);
    assert_eq!(ticket(&app, &app.client, id).await["sla"], "due_soon");
    assert!(
        breaches(&app, &app.client, id).await.is_empty(),
        "answered in time"
    );
    app.clock.set(due);
    assert_eq!(ticket(&app, &app.client, id).await["sla"], "breached");
    assert_eq!(
        breaches(&app, &app.client, id).await,
        [("resolution".to_owned(), due)]
    );

    // Resolved: no target runs, no queue holds it.
    let resolved: Value = app
        .patch_json(
            &format!("/api/tickets/{id}/"),
            &json!({"status": "resolved"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            &resolved["sla"],
            &resolved["sla_target"],
            &resolved["sla_due_at"]
        ),
        (&Value::Null, &Value::Null, &Value::Null)
    );
    assert!(resolved["resolved_at"].is_string());
    assert!(!ids(&app, &app.client, "sla=breached").await.contains(&id));
    // Reopened: the resolution target runs again, from the same due time.
    let reopened: Value = app
        .patch_json(&format!("/api/tickets/{id}/"), &json!({"status": "open"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&reopened["sla"], &reopened["resolved_at"]),
        (&json!("breached"), &Value::Null)
    );
}

#[tokio::test]
async fn due_times_move_with_the_priority_and_the_history_says_so() {
    let app = spawn_app().await;
    let created = create(&app, "low").await;
    let id = created["id"].as_i64().unwrap();
    let created_at = at(&created["created_at"]);
    assert_eq!(
        at(&created["first_response_due_at"]),
        created_at + Duration::days(3)
    );
    let raised: Value = app
        .patch_json(
            &format!("/api/tickets/{id}/"),
            &json!({"priority": "critical"}),
        )
        .await
        .json()
        .await
        .unwrap();
    // Counted from the creation, not from the change: a critical ticket is an hour's work.
    assert_eq!(
        at(&raised["first_response_due_at"]),
        created_at + Duration::hours(1)
    );
    assert_eq!(
        at(&raised["resolution_due_at"]),
        created_at + Duration::hours(4)
    );
    let events: Vec<Value> = app
        .get(&format!("/api/tickets/{id}/events/"))
        .await
        .json()
        .await
        .unwrap();
    let moved: Vec<(&str, DateTime<Utc>, DateTime<Utc>)> = events
        .iter()
        .filter(|e| e["kind"].as_str().unwrap().ends_with("_due_changed"))
        .map(|e| (e["kind"].as_str().unwrap(), at(&e["from"]), at(&e["to"])))
        .collect();
    assert_eq!(
        moved,
        [
            (
                "first_response_due_changed",
                created_at + Duration::days(3),
                created_at + Duration::hours(1)
            ),
            (
                "resolution_due_changed",
                created_at + Duration::days(7),
                created_at + Duration::hours(4)
            ),
        ]
    );
}

fn default_policy() -> Value {
    json!({
        "low": {"first_response_minutes": 4320, "resolution_minutes": 10080},
        "medium": {"first_response_minutes": 1440, "resolution_minutes": 4320},
        "high": {"first_response_minutes": 240, "resolution_minutes": 1440},
        "critical": {"first_response_minutes": 60, "resolution_minutes": 240}
    })
}

#[tokio::test]
async fn admins_change_the_policy_and_new_or_reprioritised_tickets_follow_it() {
    let app = spawn_app().await;
    let (_, admin) = app.client_as(Role::Admin, "admin@example.com").await;
    let policy: Value = app.get("/api/sla-policy/").await.json().await.unwrap();
    assert_eq!(policy, default_policy());
    let before = create(&app, "medium").await;

    let mut changed = default_policy();
    changed["medium"] = json!({"first_response_minutes": 30, "resolution_minutes": 600});
    let response = admin
        .put(app.url("/api/sla-policy/"))
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap(), changed);
    let stored: (i32, i32) = sqlx::query_as(
        "SELECT first_response_minutes, resolution_minutes FROM sla_policies WHERE priority = 'medium'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(stored, (30, 600));
    let policy: Value = app.get("/api/sla-policy").await.json().await.unwrap();
    assert_eq!(policy, changed);

    // A new ticket follows the new policy; an existing one keeps its due times until its
    // priority changes.
    let after = create(&app, "medium").await;
    assert_eq!(
        at(&after["first_response_due_at"]),
        at(&after["created_at"]) + Duration::minutes(30)
    );
    let id = before["id"].as_i64().unwrap();
    let kept = ticket(&app, &app.client, id).await;
    assert_eq!(
        kept["first_response_due_at"],
        before["first_response_due_at"]
    );
    for priority in ["low", "medium"] {
        app.patch_json(
            &format!("/api/tickets/{id}/"),
            &json!({"priority": priority}),
        )
        .await;
    }
    let moved = ticket(&app, &app.client, id).await;
    assert_eq!(
        at(&moved["resolution_due_at"]),
        at(&before["created_at"]) + Duration::minutes(600)
    );
}

#[tokio::test]
async fn a_policy_with_any_bad_target_is_refused_whole() {
    let app = spawn_app().await;
    let (_, admin) = app.client_as(Role::Admin, "admin@example.com").await;
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut policy = default_policy();
        edit(&mut policy);
        policy
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with(&|p| {
                p.as_object_mut().unwrap().remove("low");
            }),
            "low",
            "is required",
        ),
        (
            with(&|p| p["critical"]["first_response_minutes"] = json!(0)),
            "critical.first_response_minutes",
            "from 1 to 525600",
        ),
        (
            with(&|p| p["critical"]["resolution_minutes"] = json!(525_601)),
            "critical.resolution_minutes",
            "from 1 to 525600",
        ),
        (
            with(&|p| p["high"]["first_response_minutes"] = json!("60")),
            "high.first_response_minutes",
            "whole number",
        ),
        (
            with(&|p| p["high"]["first_response_minutes"] = json!(1.5)),
            "high.first_response_minutes",
            "whole number",
        ),
        (
            with(&|p| p["high"]["first_response_minutes"] = json!(2000)),
            "high.resolution_minutes",
            "at least first_response_minutes",
        ),
        (
            with(&|p| p["urgent"] = p["high"].clone()),
            "urgent",
            "is not a priority",
        ),
        (
            with(&|p| p["low"]["grace_minutes"] = json!(5)),
            "low.grace_minutes",
            "is not an accepted field",
        ),
        (
            with(&|p| p["medium"] = json!(60)),
            "medium",
            "must be an object",
        ),
    ];
    for (body, field, message) in cases {
        let response = admin
            .put(app.url("/api/sla-policy/"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
        assert!(
            problem["errors"][field].to_string().contains(message),
            "{field}: {problem}"
        );
    }
    let not_json = admin
        .put(app.url("/api/sla-policy/"))
        .header("content-type", "application/json")
        .body("[1, 2]")
        .send()
        .await
        .unwrap();
    assert_problem(not_json, StatusCode::BAD_REQUEST).await;
    let policy: Value = app.get("/api/sla-policy/").await.json().await.unwrap();
    assert_eq!(
        policy,
        default_policy(),
        "nothing of a refused policy stored"
    );
}

#[tokio::test]
async fn each_queue_counts_what_its_list_shows() {
    let app = spawn_app().await;
    let (other, other_client) = app.client_as(Role::Agent, "other@example.com").await;
    let start = Utc::now();
    let mut all = Vec::new();
    for (priority, status, assignee) in [
        ("low", "open", Some(app.agent.id)),
        ("critical", "in_progress", Some(app.agent.id)),
        ("high", "resolved", Some(app.agent.id)),
        ("critical", "open", Some(other.id)),
        ("medium", "open", None),
        ("critical", "open", None),
        ("low", "closed", None),
    ] {
        let t = create(&app, priority).await;
        let id = t["id"].as_i64().unwrap();
        let response = app
            .patch_json(
                &format!("/api/tickets/{id}/"),
                &json!({"status": status, "assignee_id": assignee}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        all.push(id);
    }
    // 50 minutes on, the critical tickets' first response (1 hour) is due soon; 2 hours on,
    // breached.
    for (minutes, due_soon, breached) in [(0, 0, 0), (50, 3, 0), (120, 0, 3)] {
        app.clock.set(start + Duration::minutes(minutes));
        for (client, mine) in [(&app.client, "2"), (&other_client, "1")] {
            let counts = queues(&app, client).await;
            let lists = [
                ("mine", "assignee=me&status=open,in_progress"),
                ("unassigned", "assignee=none&status=open,in_progress"),
                ("due_soon", "sla=due_soon"),
                ("breached", "sla=breached"),
                ("all", ""),
            ];
            for (queue, query) in lists {
                assert_eq!(
                    counts[queue],
                    ids(&app, client, query).await.len(),
                    "{queue} at +{minutes} min"
                );
            }
            assert_eq!(counts["mine"].to_string(), mine);
            assert_eq!(
                (&counts["unassigned"], &counts["all"]),
                (&json!(2), &json!(7))
            );
            assert_eq!(
                (&counts["due_soon"], &counts["breached"]),
                (&json!(due_soon), &json!(breached)),
                "+{minutes} min"
            );
        }
    }
    // The SLA queue lists in due order: most overdue first.
    let breached = ids(&app, &app.client, "sla=breached").await;
    let expected: Vec<i64> = [1, 3, 5].iter().map(|&i| all[i]).collect();
    assert_eq!(breached, expected);
}

#[tokio::test]
async fn stats_show_the_load_per_assignee_breaches_and_median_times() {
    let app = spawn_app().await;
    let (other, _) = app.account(Role::Agent, "other@example.com").await;
    let now = Utc::now();
    app.clock.set(now);
    let ago = |minutes: i64| (now - Duration::minutes(minutes)).to_rfc3339();
    let day = 24 * 60;
    // (priority, status, created minutes ago, assignee, first response after, resolved after)
    let rows = [
        ("low", "open", 120, Some(app.agent.id), Some(10), None),
        (
            "low",
            "in_progress",
            180,
            Some(app.agent.id),
            Some(20),
            None,
        ),
        ("low", "open", 300, Some(other.id), Some(60), None),
        ("low", "open", 10 * day, None, None, None),
        ("low", "resolved", day, Some(other.id), None, Some(120)),
        ("medium", "resolved", 2 * day, None, None, Some(240)),
        ("low", "closed", 50 * day, None, Some(5), Some(30)),
        ("critical", "open", 120, None, None, None),
    ];
    for (priority, status, minutes_ago, assignee, responded, resolved) in rows {
        let id = app
            .insert_row("t", "general", priority, status, &ago(minutes_ago))
            .await;
        sqlx::query(
            "UPDATE tickets SET assignee_id = $2, \
                 first_responded_at = created_at + make_interval(mins => $3), \
                 resolved_at = COALESCE(created_at + make_interval(mins => $4), resolved_at) \
             WHERE id = $1",
        )
        .bind(id)
        .bind(assignee)
        .bind(responded)
        .bind(resolved)
        .execute(&app.db)
        .await
        .unwrap();
    }
    let stats: Value = app.get("/api/tickets/stats/").await.json().await.unwrap();
    assert_eq!(
        stats["open_by_assignee"],
        json!([
            {"assignee_id": app.agent.id, "assignee_name": app.agent.name, "tickets": 2},
            {"assignee_id": other.id, "assignee_name": "other@example.com", "tickets": 1},
        ])
    );
    // Nobody has the 10-day-old one (first response long overdue) nor the critical one.
    assert_eq!(stats["unassigned_open"], 2);
    assert_eq!(stats["sla_breached"], 2);
    // Of the last 30 days: first responses after 10, 20 and 60 minutes; resolutions after 2 and
    // 4 hours. The 50-day-old ticket is out of the window.
    assert_eq!(stats["median_first_response_minutes"], json!(20.0));
    assert_eq!(stats["median_resolution_minutes"], json!(180.0));

    // The medians are computed at most once a minute; the counts are always current.
    let slow = app
        .insert_row("t", "general", "low", "open", &ago(60))
        .await;
    sqlx::query(
        "UPDATE tickets SET first_responded_at = created_at + interval '50 minutes', \
             assignee_id = $2 WHERE id = $1",
    )
    .bind(slow)
    .bind(other.id)
    .execute(&app.db)
    .await
    .unwrap();
    app.clock.set(now + Duration::seconds(59));
    let stats: Value = app.get("/api/tickets/stats/").await.json().await.unwrap();
    assert_eq!(stats["median_first_response_minutes"], json!(20.0));
    assert_eq!(stats["open_by_assignee"][1]["tickets"], 2);
    app.clock.set(now + Duration::seconds(60));
    let stats: Value = app.get("/api/tickets/stats/").await.json().await.unwrap();
    assert_eq!(stats["median_first_response_minutes"], json!(35.0));
}
