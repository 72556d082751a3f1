//! Black-box test harness: each test gets the real router on a random port, backed by its own
//! freshly migrated PostgreSQL database, and talks to it over HTTP.

use std::net::SocketAddr;

use reqwest::{Response, StatusCode};
use serde_json::Value;
use shared::{
    classifier::Classifier,
    config::HttpConfig,
    db::MIGRATOR,
    http::{self, ApiContext, Routes},
};
use sqlx::{Connection, Executor, PgConnection, PgPool, postgres::PgPoolOptions};

pub struct TestApp {
    pub address: String,
    pub db: PgPool,
    pub client: reqwest::Client,
}

/// The server every test database is created on (set by `scripts/test`).
fn server_url() -> String {
    std::env::var("DATABASE_URL")
        .expect("DATABASE_URL must point at a PostgreSQL server the tests may create databases on; `scripts/test` starts one")
}

/// Creates an empty database with a unique name and applies the migrations.
pub async fn fresh_database() -> PgPool {
    let server = server_url();
    let name = format!("helpdesk_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&server)
        .await
        .expect("connect to the test server");
    admin
        // The name is generated above from a UUID, never from input.
        .execute(sqlx::AssertSqlSafe(format!(r#"CREATE DATABASE "{name}""#)))
        .await
        .expect("create test database");
    let url = database_url_with_name(&server, &name);
    let pool = PgPoolOptions::new()
        .max_connections(5)
        .connect(&url)
        .await
        .expect("connect to test database");
    MIGRATOR.run(&pool).await.expect("migrate test database");
    pool
}

fn database_url_with_name(server: &str, name: &str) -> String {
    let mut url = reqwest::Url::parse(server).expect("DATABASE_URL is a URL");
    url.set_path(name);
    url.to_string()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(
        fresh_database().await,
        Classifier::rules_only(),
        HttpConfig::default(),
    )
    .await
}

pub async fn spawn_app_with(db: PgPool, classifier: Classifier, config: HttpConfig) -> TestApp {
    let ctx = ApiContext {
        db: db.clone(),
        classifier,
    };
    let app = http::app(ctx, Routes::ALL, &config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a random port");
    let address: SocketAddr = listener.local_addr().expect("local address");
    tokio::spawn(async move { http::serve(listener, app, &config, std::future::pending()).await });
    TestApp {
        address: format!("http://{address}"),
        db,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn patch_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .patch(self.url(path))
            .json(body)
            .send()
            .await
            .expect("PATCH")
    }

    /// Creates a ticket through the API and returns its JSON.
    pub async fn create_ticket(&self, body: Value) -> Value {
        let response = self.post_json("/api/tickets/", &body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "create {body}");
        response.json().await.expect("ticket JSON")
    }

    /// Inserts a ticket directly, with an explicit creation time, bypassing the API.
    pub async fn insert_row(
        &self,
        title: &str,
        category: &str,
        priority: &str,
        status: &str,
        created_at: &str,
    ) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO tickets (title, description, category, priority, status, created_at, updated_at) \
             VALUES ($1, $1 || ' (description)', $2, $3, $4, $5::timestamptz, $5::timestamptz) RETURNING id",
        )
        .bind(title)
        .bind(category)
        .bind(priority)
        .bind(status)
        .bind(created_at)
        .fetch_one(&self.db)
        .await
        .expect("insert row")
    }

    pub async fn count_rows(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM tickets")
            .fetch_one(&self.db)
            .await
            .expect("count")
    }
}

/// Asserts an RFC 9457 problem response with this status and returns its body.
pub async fn assert_problem(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        content_type, "application/problem+json",
        "problem content type"
    );
    let body: Value = response.json().await.expect("problem JSON");
    assert_eq!(body["type"], "about:blank");
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "title: {body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|t| !t.is_empty()),
        "detail: {body}"
    );
    body
}
