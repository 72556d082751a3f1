//! No lost writes: idempotent creates, optimistic concurrency on updates, rate limiting of the
//! model, and hostile input answered with 4xx problems.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use futures::{StreamExt, stream};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::{
    classifier::Classifier,
    config::{HttpConfig, RateLimit},
};

use crate::helpers::{TestApp, assert_problem, fresh_database, spawn_app, spawn_app_with};

async fn create_with_key(app: &TestApp, key: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/tickets/"))
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_retried_create_replays_the_first_response_and_creates_nothing() {
    let app = spawn_app().await;
    let body = json!({"title": "Refund", "description": "Charged twice", "category": "billing", "priority": "high"});
    let first = create_with_key(&app, "key-123", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first_location = first.headers()["location"].clone();
    let first_etag = first.headers()["etag"].clone();
    let first_body: Value = first.json().await.unwrap();

    // The same request with its members in another order is the same request.
    let reordered = json!({"priority": "high", "category": "billing", "description": "Charged twice", "title": "Refund"});
    let retry = create_with_key(&app, "key-123", &reordered).await;
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.headers()["location"], first_location);
    assert_eq!(
        retry.headers()["etag"],
        first_etag,
        "the replay answers like the first"
    );
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.json::<Value>().await.unwrap(), first_body);
    assert_eq!(app.count_rows().await, 1);

    let other = json!({"title": "Another", "description": "Different", "category": "billing", "priority": "high"});
    let problem = assert_problem(
        create_with_key(&app, "key-123", &other).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key")
    );
    assert_eq!(app.count_rows().await, 1);

    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM idempotency_keys WHERE key = 'key-123'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn expired_keys_are_purged_by_every_hundredth_keyed_create_and_live_ones_kept() {
    let app = spawn_app().await;
    let body = |n: i32| json!({"title": format!("T{n}"), "description": "d", "category": "general", "priority": "low"});
    for n in 0..3 {
        create_with_key(&app, &format!("old-{n}"), &body(n)).await;
    }
    create_with_key(&app, "live", &body(3)).await;
    sqlx::query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key LIKE 'old-%'")
        .execute(&app.db)
        .await
        .unwrap();
    let keys = || async {
        sqlx::query_scalar::<_, String>("SELECT key FROM idempotency_keys ORDER BY key")
            .fetch_all(&app.db)
            .await
            .unwrap()
    };

    // Ticket 99 purges nothing; ticket 100 does, inside its own request.
    sqlx::query("ALTER TABLE tickets ALTER COLUMN id RESTART WITH 99")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(
        create_with_key(&app, "k99", &body(99)).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(keys().await, ["k99", "live", "old-0", "old-1", "old-2"]);
    let hundredth = create_with_key(&app, "k100", &body(100)).await;
    assert_eq!(hundredth.status(), StatusCode::CREATED);
    assert_eq!(hundredth.json::<Value>().await.unwrap()["id"], 100);
    assert_eq!(keys().await, ["k100", "k99", "live"]);
}

#[tokio::test]
async fn an_expired_key_starts_afresh() {
    let app = spawn_app().await;
    let body =
        json!({"title": "Old", "description": "d", "category": "general", "priority": "low"});
    assert_eq!(
        create_with_key(&app, "old-key", &body).await.status(),
        StatusCode::CREATED
    );
    sqlx::query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
        .execute(&app.db)
        .await
        .unwrap();
    let again = create_with_key(&app, "old-key", &body).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert!(again.headers().get("idempotent-replayed").is_none());
    assert_eq!(app.count_rows().await, 2);
}

#[tokio::test]
async fn concurrent_duplicates_with_one_key_create_exactly_one_ticket() {
    let app = Arc::new(spawn_app().await);
    // Labels omitted: each request classifies first, widening the race window.
    let body = json!({"title": "Race", "description": "The export crashes"});
    let responses: Vec<(StatusCode, Value)> = stream::iter(0..16)
        .map(|_| {
            let app = Arc::clone(&app);
            let body = body.clone();
            async move {
                let response = create_with_key(&app, "same-key", &body).await;
                (response.status(), response.json::<Value>().await.unwrap())
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    assert!(
        responses
            .iter()
            .all(|(status, _)| *status == StatusCode::CREATED),
        "{responses:?}"
    );
    assert!(
        responses.iter().all(|(_, body)| body == &responses[0].1),
        "one answer for all"
    );
    assert_eq!(app.count_rows().await, 1);
}

#[tokio::test]
async fn malformed_idempotency_keys_are_400() {
    let app = spawn_app().await;
    let body = json!({"title": "t", "description": "d"});
    for key in ["", &"k".repeat(256), "has space", "naïve"] {
        let response = app
            .client
            .post(app.url("/api/tickets/"))
            .header(
                "idempotency-key",
                reqwest::header::HeaderValue::from_bytes(key.as_bytes()).unwrap(),
            )
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = assert_problem(response, StatusCode::BAD_REQUEST).await;
        assert!(problem["errors"]["Idempotency-Key"].is_array(), "{key:?}");
    }
    assert_eq!(app.count_rows().await, 0);
}

#[tokio::test]
async fn two_thousand_concurrent_creates_all_land_once_and_replays_add_nothing() {
    let app = Arc::new(spawn_app().await);
    let send = |i: usize| {
        let app = Arc::clone(&app);
        async move {
            let body = json!({"title": format!("Load {i}"), "description": "Load test", "category": "general", "priority": "low"});
            let response = create_with_key(&app, &format!("load-{i}"), &body).await;
            (i, response.status(), response.text().await.unwrap())
        }
    };
    let firsts: Vec<(usize, StatusCode, String)> = stream::iter(0..2000)
        .map(send)
        .buffer_unordered(64)
        .collect()
        .await;
    assert!(
        firsts
            .iter()
            .all(|(_, status, _)| *status == StatusCode::CREATED)
    );
    assert_eq!(app.count_rows().await, 2000);
    let distinct_titles: i64 = sqlx::query_scalar("SELECT count(DISTINCT title) FROM tickets")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(distinct_titles, 2000);

    let mut replays: Vec<(usize, StatusCode, String)> = stream::iter(0..500)
        .map(send)
        .buffer_unordered(64)
        .collect()
        .await;
    replays.sort_by_key(|(i, _, _)| *i);
    let mut originals: Vec<&(usize, StatusCode, String)> =
        firsts.iter().filter(|(i, _, _)| *i < 500).collect();
    originals.sort_by_key(|(i, _, _)| *i);
    for ((i, status, body), (_, first_status, first_body)) in replays.iter().zip(originals) {
        assert_eq!((status, body), (first_status, first_body), "replay {i}");
    }
    assert_eq!(app.count_rows().await, 2000);
}

#[tokio::test]
async fn if_match_prevents_lost_updates() {
    let app = spawn_app().await;
    let created = app
        .create_ticket(
            json!({"title": "t", "description": "d", "category": "general", "priority": "low"}),
        )
        .await;
    let path = format!("/api/tickets/{}/", created["id"]);
    let read = app.get(&path).await;
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "strong ETag: {etag}"
    );

    let patch = |if_match: &str, body: Value| {
        app.client
            .patch(app.url(&path))
            .header("if-match", if_match.to_owned())
            .json(&body)
            .send()
    };
    let first = patch(&etag, json!({"status": "in_progress"}))
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let new_etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(new_etag, etag);

    // A second agent still holding the old ETag is refused, and the first change survives.
    let problem = assert_problem(
        patch(&etag, json!({"status": "closed"})).await.unwrap(),
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("changed"));
    let status: String = sqlx::query_scalar("SELECT status FROM tickets")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "in_progress");

    assert_problem(
        patch(&format!("W/{new_etag}"), json!({"status": "closed"}))
            .await
            .unwrap(),
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    assert_problem(
        patch("garbage", json!({"status": "closed"})).await.unwrap(),
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    assert_eq!(
        patch(&format!("\"0-1\", {new_etag}"), json!({"priority": "high"}))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        patch("*", json!({"status": "resolved"}))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.patch_json(&path, &json!({"status": "closed"}))
            .await
            .status(),
        StatusCode::OK,
        "If-Match is optional"
    );
    assert_problem(
        app.client
            .patch(app.url("/api/tickets/999999/"))
            .header("if-match", "*")
            .json(&json!({"status": "closed"}))
            .send()
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    let (status, version): (String, i64) = sqlx::query_as("SELECT status, version FROM tickets")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!((status.as_str(), version), ("closed", 5));
}

#[tokio::test]
async fn classify_is_rate_limited_per_client_with_retry_after() {
    let config = HttpConfig {
        classify_rate_limit: Some(RateLimit {
            per_minute: 6,
            burst: 3,
        }),
        trust_proxy_headers: true,
        ..HttpConfig::default()
    };
    let app = spawn_app_with(fresh_database().await, Classifier::rules_only(), config).await;
    let classify = |client: &'static str| {
        app.client
            .post(app.url("/api/tickets/classify/"))
            .header("x-forwarded-for", format!("198.51.100.1, {client}"))
            .json(&json!({"description": "login broken"}))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(
            classify("203.0.113.7").await.unwrap().status(),
            StatusCode::OK
        );
    }
    let limited = classify("203.0.113.7").await.unwrap();
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=10).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    assert_problem(limited, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(
        classify("203.0.113.8").await.unwrap().status(),
        StatusCode::OK,
        "another client has its own budget"
    );
    // Other routes are not limited.
    assert_eq!(app.get("/api/tickets/").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn unusual_unicode_is_stored_exactly_and_bad_encodings_are_400() {
    let app = spawn_app().await;
    let title = "Ünïcödé 🎫 עברית \u{202e}rtl\u{202c} e\u{301} 👩\u{200d}💻 \u{200b}zero-width";
    let ticket = app.create_ticket(json!({"title": title, "description": "𝔘𝔫𝔦𝔠𝔬𝔡𝔢\nline two", "category": "general", "priority": "low"})).await;
    assert_eq!(ticket["title"], title.trim());
    let stored: String = sqlx::query_scalar("SELECT description FROM tickets")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢\nline two");
    let found: Vec<Value> = app
        .get("/api/tickets/?search=c%C3%B6d%C3%A9%20%F0%9F%8E%AB")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "search with an emoji");

    let raw_bodies: [&[u8]; 4] = [
        br#"{"title": "\ud800", "description": "lone surrogate"}"#,
        b"{\"title\": \"\xff\xfe\", \"description\": \"invalid UTF-8\"}",
        br#"{"title": "t", "description": "bell \u0007 and escape \u001b"}"#,
        br#"{"title": "t", "description": "d", "priority": 1e400}"#,
    ];
    for body in raw_bodies {
        let response = app
            .client
            .post(app.url("/api/tickets/"))
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
    let weird_queries = [
        "/api/tickets/?search=%FF%FE",
        "/api/tickets/?limit=-1",
        "/api/tickets/?limit=1e3",
        "/api/tickets/?cursor=%00",
        "/api/tickets/?category=billing&category=billing",
    ];
    for path in weird_queries {
        let status = app.get(path).await.status();
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::OK,
            "{path}: {status}"
        );
        assert!(!status.is_server_error());
    }
    assert_eq!(app.count_rows().await, 1);
}

#[tokio::test]
async fn a_request_still_running_at_the_request_timeout_is_a_503_problem() {
    let db = fresh_database().await;
    let config = HttpConfig {
        request_timeout: Duration::from_secs(1),
        ..HttpConfig::default()
    };
    let app = spawn_app_with(db.clone(), Classifier::rules_only(), config).await;
    // Another session holds the table, so the list query waits (test pools have no statement
    // timeout): only the request timeout can end it.
    let mut blocker = db.acquire().await.unwrap();
    sqlx::raw_sql("BEGIN; LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *blocker)
        .await
        .unwrap();
    let started = Instant::now();
    let problem = assert_problem(
        app.get("/api/tickets/").await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    let waited = started.elapsed();
    assert!(
        // The bound above the timeout is slack for a busy machine; the status is the assertion.
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(6),
        "answered in {waited:?}: {problem}"
    );
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut *blocker)
        .await
        .unwrap();
    assert_eq!(app.get("/api/tickets/").await.status(), StatusCode::OK);
}
