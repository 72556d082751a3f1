//! Who may do what: every route × every kind of caller, with the exact status; a requester never
//! sees, changes or counts another's ticket by any route; submissions without an account only
//! when the deployment allows them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::{classifier::Classifier, config::HttpConfig, domain::Role};

use crate::helpers::{
    TestApp, assert_problem, auth_config, client_with, fresh_database, spawn_app,
    spawn_app_with_auth,
};

/// The callers of the table, in its column order.
const CALLERS: [&str; 6] = [
    "anonymous",
    "requester A",
    "requester B",
    "agent",
    "admin",
    "disabled",
];

struct Callers {
    clients: Vec<reqwest::Client>,
    requester_a: i64,
    requester_b: i64,
}

async fn callers(app: &TestApp) -> Callers {
    let (a, client_a) = app.client_as(Role::Requester, "a@example.com").await;
    let (b, client_b) = app.client_as(Role::Requester, "b@example.com").await;
    let (_, admin) = app.client_as(Role::Admin, "admin@example.com").await;
    let (disabled, disabled_token) = app.account(Role::Agent, "gone@example.com").await;
    sqlx::query("UPDATE users SET disabled = true WHERE id = $1")
        .bind(disabled.id)
        .execute(&app.db)
        .await
        .unwrap();
    Callers {
        clients: vec![
            app.anonymous.clone(),
            client_a,
            client_b,
            app.client.clone(),
            admin,
            client_with(Some(&disabled_token)),
        ],
        requester_a: a.id,
        requester_b: b.id,
    }
}

fn default_sla_policy() -> Value {
    json!({
        "critical": {"first_response_minutes": 60, "resolution_minutes": 240},
        "high": {"first_response_minutes": 240, "resolution_minutes": 1440},
        "medium": {"first_response_minutes": 1440, "resolution_minutes": 4320},
        "low": {"first_response_minutes": 4320, "resolution_minutes": 10080}
    })
}

async fn create_as(app: &TestApp, client: &reqwest::Client, title: &str) -> Value {
    let response = client
        .post(app.url("/api/tickets/"))
        .json(&json!({"title": title, "description": "Printer jams every morning"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "create {title}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn every_route_answers_each_kind_of_caller_as_the_roles_table_says() {
    let app = spawn_app().await;
    let callers = callers(&app).await;
    let ticket_of_a = create_as(&app, &callers.clients[1], "Ticket of A").await;
    let a_ticket = format!("/api/tickets/{}/", ticket_of_a["id"]);
    let b_account = format!("/api/users/{}/", callers.requester_b);
    let new_ticket = json!({"title": "New", "description": "The VPN drops"});
    let agent_id = app.agent.id;
    // Merged last below, so every other row sees these open.
    let duplicate_of_a = create_as(&app, &callers.clients[1], "Duplicate of A").await["id"].clone();
    let original_of_b = create_as(&app, &callers.clients[2], "Original of B").await["id"].clone();

    // (method, path, body, expected status per caller in CALLERS order)
    let table: Vec<(Method, String, Option<Value>, [u16; 6])> = vec![
        (
            Method::GET,
            "/api/health".into(),
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/openapi.json".into(),
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/auth/methods".into(),
            None,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/me".into(),
            None,
            [401, 200, 200, 200, 200, 401],
        ),
        (
            Method::POST,
            "/api/tickets/".into(),
            Some(new_ticket.clone()),
            [401, 201, 201, 201, 201, 401],
        ),
        (
            Method::GET,
            "/api/tickets/".into(),
            None,
            [401, 200, 200, 200, 200, 401],
        ),
        (
            Method::GET,
            a_ticket.clone(),
            None,
            [401, 200, 404, 200, 200, 401],
        ),
        (
            Method::PATCH,
            a_ticket.clone(),
            Some(json!({"priority": "high"})),
            [401, 403, 404, 200, 200, 401],
        ),
        (
            Method::PATCH,
            a_ticket.clone(),
            Some(json!({"assignee_id": agent_id})),
            [401, 403, 404, 200, 200, 401],
        ),
        (
            Method::GET,
            format!("{a_ticket}comments/"),
            None,
            [401, 200, 404, 200, 200, 401],
        ),
        (
            Method::POST,
            format!("{a_ticket}comments/"),
            Some(json!({"body": "Any news?"})),
            [401, 201, 404, 201, 201, 401],
        ),
        // Refused to every requester alike before the ticket is looked at: nothing to probe.
        (
            Method::POST,
            format!("{a_ticket}comments/"),
            Some(json!({"body": "Customer is on the enterprise plan", "visibility": "internal"})),
            [401, 403, 403, 201, 201, 401],
        ),
        (
            Method::GET,
            format!("{a_ticket}events/"),
            None,
            [401, 200, 404, 200, 200, 401],
        ),
        (
            Method::PATCH,
            a_ticket.clone(),
            Some(json!({"status": "closed"})),
            [401, 200, 404, 200, 200, 401],
        ),
        // Closed is final for its requester; agents may still write on it.
        (
            Method::POST,
            format!("{a_ticket}comments/"),
            Some(json!({"body": "One more thing"})),
            [401, 409, 404, 201, 201, 401],
        ),
        (
            Method::GET,
            "/api/tickets/queues/".into(),
            None,
            [401, 403, 403, 200, 200, 401],
        ),
        (
            Method::GET,
            "/api/agents/".into(),
            None,
            [401, 403, 403, 200, 200, 401],
        ),
        (
            Method::GET,
            "/api/sla-policy/".into(),
            None,
            [401, 403, 403, 200, 200, 401],
        ),
        (
            Method::PUT,
            "/api/sla-policy/".into(),
            Some(default_sla_policy()),
            [401, 403, 403, 403, 200, 401],
        ),
        (
            Method::GET,
            "/api/tickets/stats/".into(),
            None,
            [401, 403, 403, 200, 200, 401],
        ),
        (
            Method::POST,
            "/api/tickets/classify/".into(),
            Some(json!({"description": "refund"})),
            [401, 200, 200, 200, 200, 401],
        ),
        (
            Method::GET,
            "/api/users/".into(),
            None,
            [401, 403, 403, 403, 200, 401],
        ),
        (
            Method::POST,
            "/api/users/".into(),
            Some(json!({"email": "new@example.com", "name": "New"})),
            [401, 403, 403, 403, 201, 401],
        ),
        (
            Method::PATCH,
            b_account,
            Some(json!({"name": "Bee"})),
            [401, 403, 403, 403, 200, 401],
        ),
        (
            Method::GET,
            "/api/mail/settings/".into(),
            None,
            [401, 403, 403, 403, 200, 401],
        ),
        (
            Method::PUT,
            "/api/mail/settings/".into(),
            Some(json!({"support_address": "help@example.com", "sender_name": "Help"})),
            [401, 403, 403, 403, 200, 401],
        ),
        (
            Method::GET,
            "/api/mail/outbox/".into(),
            None,
            [401, 403, 403, 403, 200, 401],
        ),
        // Roles are checked before the row is looked for: there is no mail 1 (no support
        // address here), which only an admin learns; likewise no received mail 1 below.
        (
            Method::POST,
            "/api/mail/outbox/1/retry/".into(),
            None,
            [401, 403, 403, 403, 404, 401],
        ),
        (
            Method::GET,
            "/api/mail/inbound/".into(),
            None,
            [401, 403, 403, 200, 200, 401],
        ),
        (
            Method::POST,
            "/api/mail/inbound/1/accept/".into(),
            None,
            [401, 403, 403, 404, 404, 401],
        ),
        (
            Method::POST,
            "/api/mail/inbound/1/discard/".into(),
            None,
            [401, 403, 403, 404, 404, 401],
        ),
        (
            Method::GET,
            "/api/me/notifications/".into(),
            None,
            [401, 403, 403, 200, 200, 401],
        ),
        (
            Method::PUT,
            "/api/me/notifications/".into(),
            Some(json!({"new_tickets": true})),
            [401, 403, 403, 200, 200, 401],
        ),
        // Triage: similar tickets for everyone signed in (each within their own reach); the
        // writing assistance and merging for staff. No model here, so no drafts (409 for staff).
        (
            Method::GET,
            "/api/tickets/similar/?q=ticket".into(),
            None,
            [401, 200, 200, 200, 200, 401],
        ),
        (
            Method::GET,
            format!("{a_ticket}similar/"),
            None,
            [401, 200, 404, 200, 200, 401],
        ),
        (
            Method::GET,
            "/api/tickets/assist/".into(),
            None,
            [401, 403, 403, 200, 200, 401],
        ),
        (
            Method::POST,
            format!("{a_ticket}reply-draft/"),
            None,
            [401, 403, 404, 409, 409, 401],
        ),
        (
            Method::POST,
            format!("{a_ticket}summary/"),
            None,
            [401, 403, 404, 409, 409, 401],
        ),
        // The agent merges; the admin then finds it already merged.
        (
            Method::POST,
            format!("/api/tickets/{duplicate_of_a}/merge/"),
            Some(json!({"into": original_of_b})),
            [401, 403, 404, 200, 409, 401],
        ),
        // No sign-in: the link in the mail is the credential. An unknown one names nobody.
        (
            Method::POST,
            "/api/mail/unsubscribe/".into(),
            Some(json!({"token": "0123456789abcdef0123456789abcdef"})),
            [404, 404, 404, 404, 404, 404],
        ),
    ];
    let mut wrong = Vec::new();
    for (method, path, body, expected) in &table {
        for (caller, (client, status)) in CALLERS.iter().zip(callers.clients.iter().zip(expected)) {
            let mut request = client.request(method.clone(), app.url(path));
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request.send().await.unwrap();
            let got = response.status();
            if got.as_u16() != *status {
                wrong.push(format!(
                    "{method} {path} as {caller}: {got}, expected {status}"
                ));
                continue;
            }
            if got == StatusCode::UNAUTHORIZED {
                assert!(
                    response.headers()["www-authenticate"]
                        .to_str()
                        .unwrap()
                        .starts_with("Bearer"),
                    "{method} {path} as {caller}: 401 without WWW-Authenticate: Bearer"
                );
            }
            if got.is_client_error() {
                assert_problem(response, got).await;
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn a_requester_never_sees_another_requesters_ticket_by_any_route() {
    let app = spawn_app().await;
    let callers = callers(&app).await;
    let (a, b) = (&callers.clients[1], &callers.clients[2]);
    let ticket_of_a = create_as(&app, a, "Zebracorn invoice of A").await;
    create_as(&app, b, "Ticket of B").await;
    let staff_ticket = create_as(&app, &app.client, "Filed by the agent").await;
    assert_eq!(ticket_of_a["requester_id"], callers.requester_a);
    assert_eq!(ticket_of_a["requester_email"], "a@example.com");

    let titles = |client: &reqwest::Client, query: &'static str| {
        let url = app.url(&format!("/api/tickets/{query}"));
        let client = client.clone();
        async move {
            let tickets: Vec<Value> = client.get(url).send().await.unwrap().json().await.unwrap();
            tickets
                .iter()
                .map(|t| t["title"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles(b, "").await, ["Ticket of B"]);
    assert!(titles(b, "?search=Zebracorn").await.is_empty(), "search");
    assert!(
        titles(b, "?status=open")
            .await
            .iter()
            .all(|title| title != "Zebracorn invoice of A")
    );
    assert_eq!(
        titles(a, "?search=Zebracorn").await,
        ["Zebracorn invoice of A"]
    );
    let agent_sees = titles(&app.client, "").await;
    assert_eq!(agent_sees.len(), 3, "{agent_sees:?}");

    // Another's ticket, and a ticket that does not exist, are the same 404: ids cannot be probed.
    for id in [
        ticket_of_a["id"].as_i64().unwrap(),
        staff_ticket["id"].as_i64().unwrap(),
        999_999,
    ] {
        let path = format!("/api/tickets/{id}/");
        for request in [
            b.get(app.url(&path)),
            b.patch(app.url(&path)).json(&json!({"status": "closed"})),
        ] {
            let problem =
                assert_problem(request.send().await.unwrap(), StatusCode::NOT_FOUND).await;
            assert_eq!(
                problem["detail"],
                format!("There is no ticket with id {id}.")
            );
        }
    }
    // Nothing of A's changed, and the statistics are staff-only.
    let stored: String = sqlx::query_scalar("SELECT status FROM tickets WHERE id = $1")
        .bind(ticket_of_a["id"].as_i64().unwrap())
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, "open");
    assert_eq!(
        b.get(app.url("/api/tickets/stats/"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    // B cannot file a ticket in A's name either.
    assert_ne!(callers.requester_a, callers.requester_b);
    let in_a_name = b
        .post(app.url("/api/tickets/"))
        .json(&json!({"title": "t", "description": "d", "requester_email": "a@example.com"}))
        .send()
        .await
        .unwrap();
    assert_problem(in_a_name, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn an_agent_files_on_behalf_of_a_requester_who_then_sees_it() {
    let app = spawn_app().await;
    let created = app
        .client
        .post(app.url("/api/tickets/"))
        .json(
            &json!({"title": "Phoned in", "description": "Cannot log in",
                      "requester_email": "Caller@Example.com", "requester_name": "Cal Ler"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let ticket: Value = created.json().await.unwrap();
    assert_eq!(ticket["requester_email"], "Caller@Example.com");
    assert_eq!(ticket["requester_name"], "Cal Ler");
    let (id, role): (i64, String) =
        sqlx::query_as("SELECT id, role FROM users WHERE lower(email) = 'caller@example.com'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        (Some(id), role.as_str()),
        (ticket["requester_id"].as_i64(), "requester")
    );

    // The same address again (any case) is the same account.
    let again: Value = app
        .client
        .post(app.url("/api/tickets/"))
        .json(&json!({"title": "Again", "description": "Still", "requester_email": "caller@example.com"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["requester_id"], id);
    let accounts: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE lower(email) = 'caller@example.com'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(accounts, 1);
}

#[tokio::test]
async fn submissions_without_an_account_need_the_setting_an_address_and_a_name() {
    let closed = spawn_app().await;
    let body = json!({"title": "Hello", "description": "Site down", "requester_email": "guest@example.com", "requester_name": "Guest"});
    let refused = closed
        .anonymous
        .post(closed.url("/api/tickets/"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(refused, StatusCode::UNAUTHORIZED).await;
    assert_eq!(closed.count_rows().await, 0);

    let app = spawn_app_with_auth(
        fresh_database().await,
        Classifier::rules_only(),
        HttpConfig::default(),
        auth_config(&[("PUBLIC_SUBMISSION", "true")]),
    )
    .await;
    let created = app
        .anonymous
        .post(app.url("/api/tickets/"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let ticket: Value = created.json().await.unwrap();
    assert_eq!(
        (
            &ticket["requester_id"],
            &ticket["requester_email"],
            &ticket["requester_name"]
        ),
        (&Value::Null, &json!("guest@example.com"), &json!("Guest"))
    );
    // The submitter gets no way to read tickets back without an account.
    let list = app
        .anonymous
        .get(app.url("/api/tickets/"))
        .send()
        .await
        .unwrap();
    assert_problem(list, StatusCode::UNAUTHORIZED).await;

    let nameless = app
        .anonymous
        .post(app.url("/api/tickets/"))
        .json(&json!({"title": "Hello", "description": "Site down"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(nameless, StatusCode::BAD_REQUEST).await;
    assert!(problem["errors"]["requester_email"].is_array(), "{problem}");
    assert!(problem["errors"]["requester_name"].is_array(), "{problem}");

    // A few a minute per client address: the burst is 5, two are spent above.
    let mut statuses = Vec::new();
    for n in 0..5 {
        let body = json!({"title": format!("Flood {n}"), "description": "d",
                          "requester_email": "f@example.com", "requester_name": "F"});
        statuses.push(
            app.anonymous
                .post(app.url("/api/tickets/"))
                .json(&body)
                .send()
                .await
                .unwrap(),
        );
    }
    let last = statuses.pop().unwrap();
    assert_eq!(last.headers()["retry-after"], "60");
    assert_problem(last, StatusCode::TOO_MANY_REQUESTS).await;
    // Suggestions for the form are not counted against submissions (the classify route has
    // its own per-client limit).
    let classify = app
        .anonymous
        .post(app.url("/api/tickets/classify/"))
        .json(&json!({"description": "The site is down"}))
        .send()
        .await
        .unwrap();
    assert_eq!(classify.status(), StatusCode::OK);
    // Signed-in callers are not limited by it.
    assert_eq!(
        app.client
            .post(app.url("/api/tickets/"))
            .json(&json!({"title": "Agent", "description": "d"}))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn idempotency_keys_belong_to_their_caller() {
    let app = spawn_app().await;
    let callers = callers(&app).await;
    let (a, b) = (&callers.clients[1], &callers.clients[2]);
    let body =
        json!({"title": "Same key", "description": "d", "category": "general", "priority": "low"});
    let send = |client: &reqwest::Client| {
        client
            .post(app.url("/api/tickets/"))
            .header("idempotency-key", "shared-key")
            .json(&body)
            .send()
    };
    let first: Value = send(a).await.unwrap().json().await.unwrap();
    let other = send(b).await.unwrap();
    assert_eq!(other.status(), StatusCode::CREATED);
    assert!(
        other.headers().get("idempotent-replayed").is_none(),
        "not A's answer"
    );
    let other: Value = other.json().await.unwrap();
    assert_ne!(other["id"], first["id"]);
    assert_eq!(other["requester_id"], callers.requester_b);
}
