//! The Lambda functions, event in, response out: API Gateway HTTP API (payload 2.0) events from
//! `events/` go through `lambda_http`'s own event parsing and then through each function's
//! service, against a real PostgreSQL database (one fresh database per test).

#[allow(dead_code)]
#[path = "../api/helpers.rs"]
mod helpers;
mod mail;

use axum::http::{HeaderMap, StatusCode, header};
use lambda_http::RequestExt;
use serde_json::Value;
use shared::{
    auth::Auth,
    classifier::Classifier,
    config::{DEFAULT_MAX_INBOUND_BYTES, HttpConfig},
    domain::{Email, MailTransportKind, Role},
    http::{ApiContext, Routes},
    lambda,
    mail::inbound::Inbox,
    repository,
};
use sqlx::PgPool;
use tower::ServiceExt;

const LAMBDA_REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }

    fn assert_problem(&self, status: StatusCode) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.header(header::CONTENT_TYPE),
            "application/problem+json"
        );
        assert_eq!(self.body["status"], status.as_u16());
    }
}

fn event(name: &str) -> String {
    let path = format!("{}/tests/lambda/events/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// Sends one event through one function, as the Lambda runtime would hand it over, signed in
/// as an agent. `base_path` as `API_BASE_PATH` would set it.
async fn invoke(db: &PgPool, routes: Routes, event_name: &str, base_path: Option<&str>) -> Answer {
    invoke_as(db, routes, event_name, base_path, true).await
}

async fn invoke_as(
    db: &PgPool,
    routes: Routes,
    event_name: &str,
    base_path: Option<&str>,
    signed_in: bool,
) -> Answer {
    let mut request = lambda_http::request::from_str(&event(event_name))
        .unwrap_or_else(|error| panic!("{event_name} is not an API Gateway event: {error}"));
    let mut context = lambda_http::Context::default();
    context.request_id = LAMBDA_REQUEST_ID.to_owned();
    let auth = Auth::new(&helpers::auth_config(&[]), db.clone(), reqwest::Client::new);
    if signed_in {
        let email = Email::parse("lambda-agent@example.com").unwrap();
        let agent = repository::set_account(db, &email, "Agent", Role::Agent, "no password")
            .await
            .expect("agent account");
        let token = auth
            .builtin()
            .unwrap()
            .access_token(&agent)
            .await
            .expect("token");
        request.headers_mut().insert(
            header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
    }
    let request = request.with_lambda_context(context);
    let ctx = ApiContext {
        db: db.clone(),
        classifier: Classifier::rules_only(),
        inbox: Inbox {
            db: db.clone(),
            classifier: Classifier::rules_only(),
            authserv_id: None,
            max_bytes: DEFAULT_MAX_INBOUND_BYTES,
        },
        mail_transport: MailTransportKind::Ses,
        auth,
        trust_proxy_headers: true,
        clock: shared::clock::Clock::system(),
    };
    let config = HttpConfig {
        api_base_path: base_path.map(str::to_owned),
        ..HttpConfig::default()
    };
    let service = lambda::service(ctx, routes, &config);
    let response = service.oneshot(request).await.expect("infallible");
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .expect("response body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|error| panic!("{event_name}: body is not JSON ({error}): {bytes:?}"))
    };
    Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

async fn insert_ticket(db: &PgPool, title: &str, category: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO tickets (title, description, category, priority) \
         VALUES ($1, $1 || ' (description)', $2, 'medium') RETURNING id",
    )
    .bind(title)
    .bind(category)
    .fetch_one(db)
    .await
    .expect("insert ticket")
}

async fn ticket_count(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM tickets")
        .fetch_one(db)
        .await
        .expect("count")
}

mod tickets {
    use super::*;

    #[tokio::test]
    async fn creates_from_a_base64_body_on_the_default_stage() {
        let db = helpers::fresh_database().await;
        let answer = invoke(&db, Routes::Tickets, "tickets-create-base64.json", None).await;

        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        assert_eq!(answer.header(header::CONTENT_TYPE), "application/json");
        let id = answer.body["id"].as_i64().expect("id");
        assert_eq!(
            answer.header(header::LOCATION),
            format!("/api/tickets/{id}/")
        );
        assert_eq!(answer.body["title"], "Charged twice for March");
        assert_eq!(answer.body["category"], "billing");
        assert_eq!(answer.body["status"], "open");
        // No x-request-id from the client: the Lambda invocation id stands in.
        assert_eq!(
            answer.header(header::HeaderName::from_static("x-request-id")),
            LAMBDA_REQUEST_ID
        );
        assert_eq!(ticket_count(&db).await, 1);
    }

    #[tokio::test]
    async fn a_named_stage_routes_and_location_keeps_the_stage() {
        let db = helpers::fresh_database().await;
        let answer = invoke(
            &db,
            Routes::Tickets,
            "tickets-create-named-stage.json",
            None,
        )
        .await;

        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let id = answer.body["id"].as_i64().expect("id");
        // The client called /prod/api/tickets: the new ticket's URL is under the same stage.
        assert_eq!(
            answer.header(header::LOCATION),
            format!("/prod/api/tickets/{id}/")
        );
        assert_eq!(answer.body["title"], "Café & co: login fails");
        assert_eq!(answer.body["category"], "account");
        assert_eq!(answer.body["priority"], "high");
        let stored: String = sqlx::query_scalar("SELECT title FROM tickets WHERE id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .expect("row");
        assert_eq!(stored, "Café & co: login fails");
    }

    #[tokio::test]
    async fn an_encoded_query_string_filters_and_pages_under_the_stage() {
        let db = helpers::fresh_database().await;
        let older = insert_ticket(&db, "CAFÉ & CO printer jam", "technical").await;
        let newer = insert_ticket(&db, "Invoice for café & co", "billing").await;
        insert_ticket(&db, "Cafe and co, without the accent", "general").await;

        let answer = invoke(&db, Routes::Tickets, "tickets-list-named-stage.json", None).await;

        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let page = answer.body.as_array().expect("array");
        assert_eq!(page.len(), 1, "limit=1: {}", answer.body);
        assert_eq!(page[0]["id"], newer);
        let link = answer.header(header::LINK);
        assert!(
            link.starts_with("</prod/api/tickets/?") && link.ends_with(">; rel=\"next\""),
            "{link}"
        );
        assert!(link.contains("limit=1"), "{link}");
        assert!(link.contains("cursor="), "{link}");
        assert!(older < newer);
    }

    #[tokio::test]
    async fn a_repeated_query_parameter_is_refused() {
        let db = helpers::fresh_database().await;
        let answer = invoke(
            &db,
            Routes::Tickets,
            "tickets-list-repeated-param.json",
            None,
        )
        .await;

        answer.assert_problem(StatusCode::BAD_REQUEST);
        assert_eq!(
            answer.body["errors"]["status"][0],
            "must be given at most once"
        );
    }

    #[tokio::test]
    async fn a_custom_domain_base_path_is_stripped() {
        let db = helpers::fresh_database().await;
        let id = insert_ticket(&db, "Reset my password", "account").await;
        assert_eq!(id, 1, "the event asks for ticket 1");
        let answer = invoke(
            &db,
            Routes::Tickets,
            "tickets-get-base-path.json",
            Some("/helpdesk"),
        )
        .await;

        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.body["id"], 1);
        assert_eq!(answer.body["title"], "Reset my password");

        // Without the base path configured, the same event is an unknown path.
        let unmounted = invoke(&db, Routes::Tickets, "tickets-get-base-path.json", None).await;
        unmounted.assert_problem(StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn patches_a_ticket_without_trailing_slash() {
        let db = helpers::fresh_database().await;
        insert_ticket(&db, "Slow dashboard", "technical").await;

        let answer = invoke(&db, Routes::Tickets, "tickets-patch.json", None).await;

        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.body["status"], "in_progress");
        let stored: String = sqlx::query_scalar("SELECT status FROM tickets WHERE id = 1")
            .fetch_one(&db)
            .await
            .expect("row");
        assert_eq!(stored, "in_progress");
    }

    #[tokio::test]
    async fn a_reply_its_history_and_the_queues_are_served() {
        let db = helpers::fresh_database().await;
        insert_ticket(&db, "Slow dashboard", "technical").await;

        let reply = invoke(&db, Routes::Tickets, "tickets-comment.json", None).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(reply.body["body"], "Which browser?\nAnd since when?");
        assert_eq!(reply.body["visibility"], "public");
        let history = invoke(&db, Routes::Tickets, "tickets-events.json", None).await;
        assert_eq!(history.status, StatusCode::OK, "{}", history.body);
        let kinds: Vec<&str> = history
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        // Inserted by hand (no "created"), then the reply and the status it moved.
        assert_eq!(kinds, ["comment_added", "status_changed"]);
        let queues = invoke(&db, Routes::Tickets, "tickets-queues.json", None).await;
        assert_eq!(queues.status, StatusCode::OK, "{}", queues.body);
        assert_eq!(queues.body["all"], 1);
        assert_eq!(queues.body["unassigned"], 1);
        let stored: (String, Option<chrono::DateTime<chrono::Utc>>) =
            sqlx::query_as("SELECT status, first_responded_at FROM tickets WHERE id = 1")
                .fetch_one(&db)
                .await
                .expect("row");
        assert_eq!(stored.0, "in_progress");
        assert!(
            stored.1.is_some(),
            "the agent's reply is the first response"
        );
    }

    #[tokio::test]
    async fn another_functions_route_is_not_served() {
        let db = helpers::fresh_database().await;
        for foreign in ["classify-base64.json", "stats.json"] {
            let answer = invoke(&db, Routes::Tickets, foreign, None).await;
            assert!(
                matches!(
                    answer.status,
                    StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
                ),
                "{foreign}: {}",
                answer.status
            );
            answer.assert_problem(answer.status);
        }
    }

    #[tokio::test]
    async fn without_a_token_tickets_are_a_401_with_the_bearer_challenge() {
        let db = helpers::fresh_database().await;
        insert_ticket(&db, "Private", "billing").await;
        let answer = invoke_as(
            &db,
            Routes::Tickets,
            "tickets-list-named-stage.json",
            None,
            false,
        )
        .await;
        answer.assert_problem(StatusCode::UNAUTHORIZED);
        assert!(
            answer
                .header(header::WWW_AUTHENTICATE)
                .starts_with("Bearer")
        );
    }
}

mod stats {
    use super::*;

    #[tokio::test]
    async fn answers_on_the_default_and_a_named_stage() {
        let db = helpers::fresh_database().await;
        insert_ticket(&db, "Refund please", "billing").await;
        insert_ticket(&db, "App crashes", "technical").await;

        for event_name in ["stats.json", "stats-named-stage.json"] {
            let answer = invoke(&db, Routes::Stats, event_name, None).await;
            assert_eq!(
                answer.status,
                StatusCode::OK,
                "{event_name}: {}",
                answer.body
            );
            assert_eq!(answer.header(header::CONTENT_TYPE), "application/json");
            assert_eq!(answer.body["total_tickets"], 2, "{event_name}");
            assert_eq!(answer.body["open_tickets"], 2, "{event_name}");
            assert_eq!(answer.body["category_breakdown"]["billing"], 1);
            assert_eq!(answer.body["category_breakdown"]["account"], 0);
            assert_eq!(answer.body["priority_breakdown"]["medium"], 2);
        }
    }

    #[tokio::test]
    async fn another_functions_route_is_not_found() {
        let db = helpers::fresh_database().await;
        for foreign in [
            "tickets-list-repeated-param.json",
            "tickets-create-base64.json",
            "classify-base64.json",
        ] {
            let answer = invoke(&db, Routes::Stats, foreign, None).await;
            answer.assert_problem(StatusCode::NOT_FOUND);
        }
        assert_eq!(ticket_count(&db).await, 0);
    }
}

mod classify {
    use super::*;

    #[tokio::test]
    async fn classifies_a_base64_body_and_on_a_named_stage() {
        let db = helpers::fresh_database().await;
        let cases = [
            ("classify-base64.json", "technical"),
            ("classify-named-stage.json", "billing"),
        ];
        for (event_name, category) in cases {
            let answer = invoke(&db, Routes::Classify, event_name, None).await;
            assert_eq!(
                answer.status,
                StatusCode::OK,
                "{event_name}: {}",
                answer.body
            );
            assert_eq!(answer.body["suggested_category"], category, "{event_name}");
            assert_eq!(answer.body["source"], "fallback");
            assert!(answer.body["suggested_priority"].is_string());
        }
        assert_eq!(ticket_count(&db).await, 0);
    }

    #[tokio::test]
    async fn another_functions_route_is_not_found() {
        let db = helpers::fresh_database().await;
        for foreign in ["stats.json", "tickets-create-base64.json"] {
            let answer = invoke(&db, Routes::Classify, foreign, None).await;
            answer.assert_problem(StatusCode::NOT_FOUND);
        }
        assert_eq!(ticket_count(&db).await, 0);
    }
}

#[tokio::test]
async fn every_function_reports_health() {
    let db = helpers::fresh_database().await;
    for routes in Routes::ALL {
        let answer = invoke(&db, *routes, "health.json", None).await;
        assert_eq!(answer.status, StatusCode::OK, "{routes:?}");
        assert_eq!(answer.body, serde_json::json!({"status": "ok"}));
    }
}
