use reqwest::StatusCode;
use serde_json::json;
use shared::{classifier::Classifier, config::HttpConfig};

use crate::helpers::{assert_problem, fresh_database, spawn_app, spawn_app_with};

#[tokio::test]
async fn malformed_and_non_object_json_are_400_problems() {
    let app = spawn_app().await;
    for body in [
        "{\"title\": ",
        "[1, 2]",
        "\"text\"",
        "null",
        "{\"title\": \"a\", \"title\": \"b\", \"description\": \"d\"}",
        "{} {}",
    ] {
        let response = app
            .client
            .post(app.url("/api/tickets/"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_problem(response, StatusCode::BAD_REQUEST).await;
    }
    let deep = format!("{{\"title\": {}{}}}", "[".repeat(5000), "]".repeat(5000));
    let response = app
        .client
        .post(app.url("/api/tickets/"))
        .header("content-type", "application/json")
        .body(deep)
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::BAD_REQUEST).await;
    assert_eq!(app.count_rows().await, 0);
}

#[tokio::test]
async fn wrong_or_missing_content_type_is_415() {
    let app = spawn_app().await;
    let body = r#"{"title": "t", "description": "d"}"#;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut request = app.client.post(app.url("/api/tickets/")).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        assert_problem(
            request.send().await.unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        )
        .await;
    }
    let ok = app
        .client
        .post(app.url("/api/tickets/"))
        .header("content-type", "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn bodies_over_64_kib_are_413() {
    let app = spawn_app().await;
    let body = json!({"title": "t", "description": "a".repeat(70 * 1024)});
    assert_problem(
        app.post_json("/api/tickets/", &body).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    // Without a Content-Length (chunked), the limit still holds.
    let chunks: Vec<Result<String, std::io::Error>> =
        (0..70).map(|_| Ok("a".repeat(1024))).collect();
    let stream = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let response = app
        .client
        .post(app.url("/api/tickets/classify/"))
        .header("content-type", "application/json")
        .body(stream)
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(app.count_rows().await, 0);
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_405_problems() {
    let app = spawn_app().await;
    for path in ["/api/nope", "/api/tickets/1/comments", "/api", "/elsewhere"] {
        assert_problem(app.get(path).await, StatusCode::NOT_FOUND).await;
    }
    let response = app
        .client
        .delete(app.url("/api/tickets/1/"))
        .send()
        .await
        .unwrap();
    let allow = response
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
    assert!(
        allow.contains("GET") && allow.contains("PATCH"),
        "Allow: {allow}"
    );
    for (method, path) in [
        (reqwest::Method::PUT, "/api/tickets/"),
        (reqwest::Method::POST, "/api/tickets/stats"),
        (reqwest::Method::GET, "/api/tickets/classify/"),
    ] {
        let response = app
            .client
            .request(method, app.url(path))
            .send()
            .await
            .unwrap();
        assert_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_given_one_is_echoed() {
    let app = spawn_app().await;
    let response = app.get("/api/health").await;
    let generated = response.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    let response = app
        .client
        .get(app.url("/api/nope"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-me-123");
}

#[tokio::test]
async fn database_check_constraints_reject_bad_rows_written_by_hand() {
    let app = spawn_app().await;
    let bad_rows = [
        (
            "INSERT INTO tickets (title, description, category, priority) VALUES ('t', 'd', 'food', 'low')",
            "tickets_category_allowed",
        ),
        (
            "INSERT INTO tickets (title, description, category, priority) VALUES ('t', 'd', 'billing', 'p0')",
            "tickets_priority_allowed",
        ),
        (
            "INSERT INTO tickets (title, description, category, priority, status) VALUES ('t', 'd', 'billing', 'low', 'done')",
            "tickets_status_allowed",
        ),
        (
            "INSERT INTO tickets (title, description, category, priority) VALUES ('  ', 'd', 'billing', 'low')",
            "tickets_title_not_blank",
        ),
        (
            "INSERT INTO tickets (title, description, category, priority) VALUES ('t', E'\\n ', 'billing', 'low')",
            "tickets_description_not_blank",
        ),
    ];
    for (sql, constraint) in bad_rows {
        let error = sqlx::query(sql).execute(&app.db).await.unwrap_err();
        assert_eq!(
            error.as_database_error().and_then(|e| e.constraint()),
            Some(constraint),
            "{sql}"
        );
    }
    let too_long = sqlx::query("INSERT INTO tickets (title, description, category, priority) VALUES (repeat('é', 201), 'd', 'billing', 'low')")
        .execute(&app.db)
        .await
        .unwrap_err();
    assert_eq!(
        too_long
            .as_database_error()
            .and_then(|e| e.code())
            .as_deref(),
        Some("22001"),
        "varchar(200) counts characters"
    );
    sqlx::query("INSERT INTO tickets (title, description, category, priority) VALUES (repeat('é', 200), 'd', 'billing', 'low')")
        .execute(&app.db)
        .await
        .expect("200 characters fit");
    let long_description = sqlx::query("INSERT INTO tickets (title, description, category, priority) VALUES ('t', repeat('a', 10001), 'billing', 'low')")
        .execute(&app.db)
        .await
        .unwrap_err();
    assert_eq!(
        long_description
            .as_database_error()
            .and_then(|e| e.constraint()),
        Some("tickets_description_length")
    );
    let status: String = sqlx::query_scalar("SELECT status FROM tickets")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "open", "status defaults to open");
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let config = HttpConfig {
        cors_allowed_origins: vec!["http://allowed.test".to_owned()],
        ..HttpConfig::default()
    };
    let app = spawn_app_with(fresh_database().await, Classifier::rules_only(), config).await;
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/tickets/"))
        .header("origin", "http://allowed.test")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://allowed.test"
    );
    let response = app
        .client
        .get(app.url("/api/tickets/"))
        .header("origin", "http://allowed.test")
        .send()
        .await
        .unwrap();
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        exposed.contains("link") && exposed.contains("x-request-id"),
        "{exposed}"
    );
    let other = app
        .client
        .get(app.url("/api/tickets/"))
        .header("origin", "http://evil.test")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn the_spa_is_served_with_index_fallback_but_api_paths_stay_404() {
    let dir = std::env::temp_dir().join(format!("helpdesk-spa-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>Helpdesk</title>",
    )
    .unwrap();
    std::fs::write(dir.join("assets/app-1234.js"), "console.log(1)").unwrap();
    let config = HttpConfig {
        static_dir: Some(dir.clone()),
        ..HttpConfig::default()
    };
    let app = spawn_app_with(fresh_database().await, Classifier::rules_only(), config).await;

    let index = app.get("/").await;
    assert_eq!(index.status(), StatusCode::OK);
    assert_eq!(index.headers()["cache-control"], "no-cache");
    assert!(index.text().await.unwrap().contains("Helpdesk"));
    let client_route = app.get("/tickets/42").await;
    assert_eq!(client_route.status(), StatusCode::OK);
    assert!(client_route.text().await.unwrap().contains("Helpdesk"));
    let asset = app.get("/assets/app-1234.js").await;
    assert_eq!(asset.status(), StatusCode::OK);
    assert_eq!(
        asset.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(asset.text().await.unwrap(), "console.log(1)");
    // An asset of another build is missing, not the page under a script's name for a year.
    let missing = app.get("/assets/app-5678.js").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers().get("cache-control").is_none());
    assert_problem(app.get("/api/unknown").await, StatusCode::NOT_FOUND).await;
    assert_eq!(app.get("/api/health").await.status(), StatusCode::OK);
    std::fs::remove_dir_all(dir).ok();
}
