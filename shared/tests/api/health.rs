use std::time::{Duration, Instant};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::{
    classifier::Classifier,
    config::HttpConfig,
    domain::{CLASSIFY, CREATE_TICKET, UPDATE_TICKET},
};
use sqlx::postgres::PgPoolOptions;

use crate::helpers::{TEST_ISSUER, assert_problem, auth_config, client_with, spawn_app, start_app};

#[tokio::test]
async fn health_is_ok_when_the_database_answers() {
    let app = spawn_app().await;
    for path in ["/api/health", "/api/health/"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({"status": "ok"})
        );
    }
}

/// A pool whose server is gone: nothing listens on the port.
fn unreachable_pool() -> sqlx::PgPool {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(2))
        .connect_lazy(&format!("postgres://nobody@127.0.0.1:{port}/none"))
        .unwrap()
}

#[tokio::test]
async fn health_and_data_routes_are_503_problems_when_the_database_is_down() {
    let mut app = start_app(
        unreachable_pool(),
        Classifier::rules_only(),
        HttpConfig::default(),
        auth_config(&[]),
    )
    .await;
    // A well-formed token of the built-in issuer: checking it needs the keys in the database,
    // so a signed-in request meets the outage as every other part of the request would.
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT","kid":"any"}"#);
    let claims = URL_SAFE_NO_PAD.encode(format!(r#"{{"iss":"{TEST_ISSUER}","sub":"1"}}"#));
    app.client = client_with(Some(&format!("{header}.{claims}.c2lnbmF0dXJl")));
    let started = Instant::now();
    let problem = assert_problem(
        app.get("/api/health").await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("database"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answered promptly"
    );

    assert_problem(
        app.get("/api/tickets/").await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    assert_problem(
        app.get("/api/tickets/stats/").await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    let create = app
        .post_json("/api/tickets/", &json!({"title": "t", "description": "d"}))
        .await;
    let problem = assert_problem(create, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(problem.get("errors").is_none());
    // Classification needs no database, but checking who asks does.
    let classify = app
        .post_json(
            "/api/tickets/classify/",
            &json!({"description": "login broken"}),
        )
        .await;
    assert_problem(classify, StatusCode::SERVICE_UNAVAILABLE).await;
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = spawn_app().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/tickets/", "get"),
        ("/api/tickets/", "post"),
        ("/api/tickets/{id}/", "get"),
        ("/api/tickets/{id}/", "patch"),
        ("/api/tickets/stats/", "get"),
        ("/api/tickets/classify/", "post"),
        ("/api/health", "get"),
        ("/api/openapi.json", "get"),
        ("/api/auth/login", "post"),
        ("/api/auth/refresh", "post"),
        ("/api/auth/logout", "post"),
        ("/api/auth/signup", "post"),
        ("/api/auth/methods", "get"),
        ("/api/me", "get"),
        ("/api/users/", "get"),
        ("/api/users/", "post"),
        ("/api/users/{id}/", "patch"),
        ("/api/mail/settings/", "put"),
        ("/api/mail/outbox/{id}/retry/", "post"),
        ("/api/mail/inbound/{id}/accept/", "post"),
        ("/api/mail/unsubscribe/", "post"),
        ("/api/me/notifications/", "put"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path}");
    }
    // The bearer scheme is declared, and every operation that may need it says what happens
    // without it (401) and with a role that may not (403).
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"],
        json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    );
    let mut protected = 0;
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().unwrap() {
            let Some(security) = operation["security"].as_array() else {
                continue;
            };
            assert!(
                security.iter().any(|s| s.get("bearer").is_some()),
                "{method} {path}"
            );
            protected += 1;
            for status in ["401", "403"] {
                assert!(
                    operation["responses"][status].is_object(),
                    "{method} {path} does not document {status}"
                );
            }
        }
    }
    assert_eq!(protected, 32, "protected operations");
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["Category"]["enum"],
        json!(["billing", "technical", "account", "general"])
    );
    assert_eq!(
        schemas["Status"]["enum"],
        json!(["open", "in_progress", "resolved", "closed"])
    );
    // Request bodies are documented from the declarations their parsers read.
    for body in [&CREATE_TICKET, &UPDATE_TICKET, &CLASSIFY] {
        assert_eq!(
            schemas[body.name],
            serde_json::to_value(body.schema()).unwrap(),
            "{}",
            body.name
        );
    }
    let mut documented: Vec<&str> = schemas["CreateTicketRequest"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    documented.sort_unstable();
    assert_eq!(
        documented,
        [
            "category",
            "description",
            "priority",
            "requester_email",
            "requester_name",
            "title"
        ]
    );
    assert!(schemas["Problem"]["properties"]["errors"].is_object());
}
