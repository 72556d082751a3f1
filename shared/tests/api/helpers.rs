//! Black-box test harness: each test gets the real router on a random port, backed by its own
//! freshly migrated PostgreSQL database, and talks to it over HTTP.

use std::net::SocketAddr;

use reqwest::{
    Response, StatusCode,
    header::{AUTHORIZATION, HeaderMap, HeaderValue},
};
use serde_json::Value;
use shared::{
    auth::Auth,
    classifier::Classifier,
    clock::Clock,
    config::{AuthConfig, Config, DEFAULT_MAX_INBOUND_BYTES, HttpConfig, Runtime},
    db::MIGRATOR,
    domain::{Email, MailTransportKind, Role, User},
    http::{self, ApiContext, Routes},
    mail::inbound::Inbox,
    repository::{self, NewUser},
};
use sqlx::{Connection, Executor, PgConnection, PgPool, postgres::PgPoolOptions};

pub struct TestApp {
    pub address: String,
    pub db: PgPool,
    /// Signed in as [`TestApp::agent`], the role that may do everything about tickets.
    pub client: reqwest::Client,
    /// No credentials.
    pub anonymous: reqwest::Client,
    pub agent: User,
    pub auth: Auth,
    /// What the app counts as now: it stands still until a test moves it.
    pub clock: Clock,
}

/// The issuer of the built-in tokens in tests.
pub const TEST_ISSUER: &str = "http://helpdesk.test";

/// Sign-in settings as the environment would give them, with `vars` on top of the tests'
/// issuer.
pub fn auth_config(vars: &[(&str, &str)]) -> AuthConfig {
    let base = [
        ("DATABASE_URL", "postgres://unused/unused"),
        ("AUTH_ISSUER", TEST_ISSUER),
    ];
    Config::from_lookup(Runtime::Server, |name| {
        vars.iter()
            .chain(&base)
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    })
    .expect("valid test configuration")
    .auth
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
    spawn_app_with_auth(db, classifier, config, auth_config(&[])).await
}

pub async fn spawn_app_with_auth(
    db: PgPool,
    classifier: Classifier,
    config: HttpConfig,
    auth: AuthConfig,
) -> TestApp {
    let mut app = start_app(db, classifier, config, auth).await;
    let (agent, token) = app.account(Role::Agent, "agent@example.com").await;
    app.agent = agent;
    app.client = client_with(Some(&token));
    app
}

/// The app, with no account made yet: `client` and `anonymous` send no token.
pub async fn start_app(
    db: PgPool,
    classifier: Classifier,
    config: HttpConfig,
    auth: AuthConfig,
) -> TestApp {
    let auth = Auth::new(&auth, db.clone(), reqwest::Client::new);
    let clock = Clock::manual(chrono::Utc::now());
    let ctx = ApiContext {
        db: db.clone(),
        inbox: test_inbox(&db, &classifier),
        mail_transport: MailTransportKind::Smtp,
        classifier,
        auth: auth.clone(),
        trust_proxy_headers: config.trust_proxy_headers,
        clock: clock.clone(),
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
        client: client_with(None),
        anonymous: client_with(None),
        agent: placeholder_user(),
        auth,
        clock,
    }
}

/// What receives mail in tests: no sender verification, the default size limit.
pub fn test_inbox(db: &PgPool, classifier: &Classifier) -> Inbox {
    Inbox {
        db: db.clone(),
        classifier: classifier.clone(),
        authserv_id: None,
        max_bytes: DEFAULT_MAX_INBOUND_BYTES,
    }
}

/// A client that sends `token` as its bearer token, if any.
pub fn client_with(token: Option<&str>) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    if let Some(token) = token {
        let mut value = HeaderValue::from_str(&format!("Bearer {token}")).expect("token header");
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
    }
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("client")
}

fn placeholder_user() -> User {
    User {
        id: 0,
        email: String::new(),
        name: String::new(),
        role: Role::Requester,
        disabled: false,
        created_at: chrono::Utc::now(),
    }
}

impl TestApp {
    /// A new account of `role` and an access token for it, as the built-in issuer signs them.
    pub async fn account(&self, role: Role, email: &str) -> (User, String) {
        let email = Email::parse(email).expect("test address");
        let user = repository::insert_user(
            &self.db,
            &NewUser {
                email: &email,
                name: email.as_str(),
                role,
                password_hash: None,
            },
        )
        .await
        .expect("insert account");
        let token = self.token_for(&user).await;
        (user, token)
    }

    pub async fn token_for(&self, user: &User) -> String {
        self.auth
            .builtin()
            .expect("built-in issuer on")
            .access_token(user)
            .await
            .expect("access token")
    }

    /// A client signed in as a new account of `role`.
    pub async fn client_as(&self, role: Role, email: &str) -> (User, reqwest::Client) {
        let (user, token) = self.account(role, email).await;
        (user, client_with(Some(&token)))
    }

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

/// Asserts the status and returns the JSON body.
pub async fn json_of(response: Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status, "{}", response.url());
    response.json().await.expect("JSON body")
}

/// GET `path` as `client`, expecting 200; the JSON body.
pub async fn get_ok(app: &TestApp, client: &reqwest::Client, path: &str) -> Value {
    json_of(
        client.get(app.url(path)).send().await.unwrap(),
        StatusCode::OK,
    )
    .await
}
