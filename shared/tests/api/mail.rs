//! The email channel: notifications queued with the change and sent once through a real SMTP
//! server (the in-process sink), retries and failures, per-role access to the mail routes, and
//! received mail — the corpus of real-world shapes, held mail, and SMTP delivery.

use std::{sync::Arc, time::Duration};

use mail_parser::MessageParser;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::{
    classifier::Classifier,
    config::Secret,
    domain::{InboundReason, InboundStatus, Role, SupportAddress, User},
    mail::{
        inbound::Inbox,
        outbox::{Drained, Outbox},
        smtp::SmtpTransport,
        smtp_server,
    },
    repository,
};

use crate::{
    helpers::{TestApp, assert_problem, spawn_app, test_inbox},
    smtp_sink::{Fault, Received, SmtpSink},
};

const SUPPORT: &str = "support@helpdesk.test";
const PUBLIC_URL: &str = "https://help.example.com";
const WAIT: Duration = Duration::from_secs(10);

/// The app with a support address, a sink for what it sends, and a worker sending there.
struct MailWorld {
    app: TestApp,
    sink: SmtpSink,
    outbox: Outbox,
}

async fn mail_world() -> MailWorld {
    let app = spawn_app().await;
    sqlx::query("UPDATE mail_settings SET support_address = $1, sender_name = 'Example Support'")
        .bind(SUPPORT)
        .execute(&app.db)
        .await
        .expect("support address");
    let sink = SmtpSink::start().await;
    let transport = SmtpTransport::new(&Secret::new(sink.url())).expect("sink URL");
    let outbox = Outbox::new(app.db.clone(), Arc::new(transport), PUBLIC_URL);
    MailWorld { app, sink, outbox }
}

/// A mail as its recipient's client reads it.
struct Read {
    to: Vec<String>,
    subject: String,
    text: String,
    html: String,
    raw: Received,
}

fn read(received: &Received) -> Read {
    let message = MessageParser::default()
        .parse(&received.data)
        .expect("a parsable mail");
    Read {
        to: received.rcpt_to.clone(),
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message.body_text(0).unwrap_or_default().into_owned(),
        html: message.body_html(0).unwrap_or_default().into_owned(),
        raw: received.clone(),
    }
}

async fn drain(world: &MailWorld) -> Drained {
    world.outbox.drain().await.expect("outbox pass")
}

async fn outbox_rows(app: &TestApp) -> Vec<(String, String, String)> {
    sqlx::query_as("SELECT template, to_address, status FROM mail_outbox ORDER BY id")
        .fetch_all(&app.db)
        .await
        .expect("outbox rows")
}

async fn reply_token(app: &TestApp, ticket: i64) -> String {
    sqlx::query_scalar("SELECT reply_token FROM ticket_mail_threads WHERE ticket_id = $1")
        .bind(ticket)
        .fetch_one(&app.db)
        .await
        .expect("the ticket's mail thread")
}

async fn comment(app: &TestApp, client: &reqwest::Client, ticket: i64, body: Value) {
    let response = client
        .post(app.url(&format!("/api/tickets/{ticket}/comments/")))
        .json(&body)
        .send()
        .await
        .expect("POST comment");
    assert_eq!(response.status(), StatusCode::CREATED, "comment {body}");
}

async fn requester(app: &TestApp, email: &str) -> (User, reqwest::Client) {
    app.client_as(Role::Requester, email).await
}

#[tokio::test]
async fn the_requester_gets_receipt_public_reply_and_resolution_by_mail_never_a_note() {
    let world = mail_world().await;
    let app = &world.app;
    let (_, ada) = requester(app, "ada@example.com").await;
    let ticket = ada
        .post(app.url("/api/tickets/"))
        .json(&json!({"title": "Printer on fire", "description": "It smokes."}))
        .send()
        .await
        .expect("create");
    assert_eq!(ticket.status(), StatusCode::CREATED);
    let id = ticket.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();

    let note = "Internal: the printer belongs to facilities";
    comment(
        app,
        &app.client,
        id,
        json!({"body": note, "visibility": "internal"}),
    )
    .await;
    comment(
        app,
        &app.client,
        id,
        json!({"body": "Unplug it & wait <5 min>."}),
    )
    .await;
    let resolved = app
        .patch_json(
            &format!("/api/tickets/{id}/"),
            &json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(resolved.status(), StatusCode::OK);

    assert_eq!(
        drain(&world).await,
        Drained {
            sent: 3,
            retried: 0,
            failed: 0
        }
    );
    let mails: Vec<Read> = world
        .sink
        .wait_for(3, WAIT)
        .await
        .iter()
        .map(read)
        .collect();
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            format!("[#{id}] Printer on fire"),
            format!("Re: [#{id}] Printer on fire"),
            format!("[#{id}] Resolved: Printer on fire"),
        ]
    );
    let token = reply_token(app, id).await;
    assert_eq!(token.len(), 32);
    let message_ids: Vec<String> =
        sqlx::query_scalar("SELECT message_id FROM mail_outbox ORDER BY id")
            .fetch_all(&app.db)
            .await
            .unwrap();
    for (mail, message_id) in mails.iter().zip(&message_ids) {
        assert_eq!(mail.to, ["ada@example.com"]);
        assert!(
            !mail.text.contains(note) && !mail.html.contains(note),
            "a note leaked"
        );
        let header = |name: &str| mail.raw.header(name).unwrap_or_default();
        assert_eq!(&header("Message-ID"), message_id);
        assert_eq!(
            header("In-Reply-To"),
            format!("<ticket.{id}@helpdesk.test>")
        );
        assert_eq!(header("References"), format!("<ticket.{id}@helpdesk.test>"));
        assert!(header("Reply-To").contains(&format!("support+{token}@helpdesk.test")));
        assert!(header("From").contains(SUPPORT) && header("From").contains("Example Support"));
        assert_eq!(header("Auto-Submitted"), "auto-generated");
        assert!(
            mail.text
                .contains("##- Please type your reply above this line -##")
        );
        assert!(mail.text.contains(&format!("{PUBLIC_URL}/tickets/{id}")));
    }
    assert!(mails[0].text.contains(&format!("#{id}")));
    assert!(mails[1].text.contains("Unplug it & wait <5 min>."));
    assert!(
        mails[1]
            .html
            .contains("Unplug it &amp; wait &lt;5 min&gt;.")
    );
    let mut distinct = message_ids.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "one Message-ID per mail");

    // Sent is sent: another pass sends nothing.
    assert_eq!(drain(&world).await, Drained::default());
    assert_eq!(world.sink.received().len(), 3);
    let rows = outbox_rows(app).await;
    assert!(
        rows.iter()
            .all(|(_, to, status)| to == "ada@example.com" && status == "sent")
    );
}

#[tokio::test]
async fn assignees_and_opted_in_agents_are_mailed_and_can_unsubscribe_in_one_click() {
    let world = mail_world().await;
    let app = &world.app;
    let (bea, bea_client) = app.client_as(Role::Agent, "bea@example.com").await;
    let opted = bea_client
        .put(app.url("/api/me/notifications/"))
        .json(&json!({"new_tickets": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(opted.status(), StatusCode::OK);
    assert_eq!(
        opted.json::<Value>().await.unwrap(),
        json!({"new_tickets": true})
    );
    let me: Value = bea_client
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["notify_new_tickets"], true);

    // Filed by the (other) agent for a requester: the requester's receipt, Bea's new-ticket mail.
    let ticket = app
        .create_ticket(json!({"title": "VPN down", "description": "Since 9.", "requester_email": "cy@example.com"}))
        .await;
    let id = ticket["id"].as_i64().unwrap();
    // Assigned to Bea by the agent: mailed. Bea taking another ticket herself: not mailed.
    let assigned = app
        .patch_json(
            &format!("/api/tickets/{id}/"),
            &json!({"assignee_id": bea.id}),
        )
        .await;
    assert_eq!(assigned.status(), StatusCode::OK);
    let other = app
        .create_ticket(
            json!({"title": "Other", "description": "x", "requester_email": "cy@example.com"}),
        )
        .await;
    let other_id = other["id"].as_i64().unwrap();
    let took = bea_client
        .patch(app.url(&format!("/api/tickets/{other_id}/")))
        .json(&json!({"assignee_id": bea.id}))
        .send()
        .await
        .unwrap();
    assert_eq!(took.status(), StatusCode::OK);

    drain(&world).await;
    let rows = outbox_rows(app).await;
    let expected = [
        ("ticket_received", "cy@example.com"),
        ("new_ticket", "bea@example.com"),
        ("ticket_assigned", "bea@example.com"),
        ("ticket_received", "cy@example.com"),
        ("new_ticket", "bea@example.com"),
    ];
    let mut got: Vec<(&str, &str)> = rows
        .iter()
        .map(|(t, to, _)| (t.as_str(), to.as_str()))
        .collect();
    let mut want = expected.to_vec();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert!(
        !rows.iter().any(|(_, to, _)| to == "agent@example.com"),
        "nobody is mailed about their own doing"
    );

    let mails: Vec<Read> = world
        .sink
        .wait_for(5, WAIT)
        .await
        .iter()
        .map(read)
        .collect();
    let new_ticket = mails
        .iter()
        .find(|m| m.subject == format!("[#{id}] New ticket: VPN down"))
        .expect("Bea's new-ticket mail");
    let assigned = mails
        .iter()
        .find(|m| m.subject == format!("[#{id}] Assigned to you: VPN down"))
        .expect("Bea's assignment mail");
    assert!(
        assigned.raw.header("Reply-To").is_none(),
        "agents answer in the app"
    );
    let unsubscribe = new_ticket
        .raw
        .header("List-Unsubscribe")
        .expect("List-Unsubscribe");
    assert_eq!(
        new_ticket.raw.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let one_click = unsubscribe.trim_matches(['<', '>']);
    assert!(one_click.starts_with(&format!("{PUBLIC_URL}/api/mail/unsubscribe/?token=")));
    let token = one_click.rsplit('=').next().unwrap();
    assert!(
        new_ticket
            .text
            .contains(&format!("{PUBLIC_URL}/unsubscribe#{token}"))
    );

    // The one-click POST (RFC 8058), without signing in, as a mail client sends it.
    let path = one_click.trim_start_matches(PUBLIC_URL);
    let done = app
        .anonymous
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let on: bool = sqlx::query_scalar("SELECT notify_new_tickets FROM users WHERE id = $1")
        .bind(bea.id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(!on);
    let unknown = app
        .anonymous
        .post(app.url("/api/mail/unsubscribe/"))
        .json(&json!({"token": "0123456789abcdef0123456789abcdef"}))
        .send()
        .await
        .unwrap();
    assert_problem(unknown, StatusCode::NOT_FOUND).await;
    app.create_ticket(
        json!({"title": "Third", "description": "x", "requester_email": "cy@example.com"}),
    )
    .await;
    let new_ticket_mails: i64 =
        sqlx::query_scalar("SELECT count(*) FROM mail_outbox WHERE template = 'new_ticket'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        new_ticket_mails, 2,
        "no new-ticket mail after unsubscribing"
    );
}

#[tokio::test]
async fn a_refusal_is_retried_with_backoff_and_a_final_one_waits_for_an_admin() {
    let world = mail_world().await;
    let app = &world.app;
    world.sink.fail_next(Fault::RefuseTransient);
    app.create_ticket(
        json!({"title": "One", "description": "x", "requester_email": "cy@example.com"}),
    )
    .await;
    assert_eq!(
        drain(&world).await,
        Drained {
            sent: 0,
            retried: 1,
            failed: 0
        }
    );
    let (status, attempts, error, wait): (String, i32, String, f64) = sqlx::query_as(
        "SELECT status, attempts, last_error, extract(epoch FROM next_attempt_at - now())::float8 \
         FROM mail_outbox",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((status.as_str(), attempts), ("queued", 1));
    assert!(error.contains("451"), "{error}");
    assert!(
        (20.0..=31.0).contains(&wait),
        "retried in about 30 s, not {wait}"
    );
    // Not before its time.
    assert_eq!(drain(&world).await, Drained::default());
    sqlx::query("UPDATE mail_outbox SET next_attempt_at = now()")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(
        drain(&world).await,
        Drained {
            sent: 1,
            retried: 0,
            failed: 0
        }
    );
    assert_eq!(world.sink.wait_for(1, WAIT).await.len(), 1);

    world.sink.fail_next(Fault::RefusePermanent);
    let two = app
        .create_ticket(
            json!({"title": "Two", "description": "x", "requester_email": "dee@example.com"}),
        )
        .await;
    assert_eq!(
        drain(&world).await,
        Drained {
            sent: 0,
            retried: 0,
            failed: 1
        }
    );
    let (admin, admin_client) = app.client_as(Role::Admin, "root@example.com").await;
    let _ = admin;
    let failed: Value = admin_client
        .get(app.url("/api/mail/outbox/?status=failed"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let failed = failed.as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["ticket_id"], two["id"]);
    assert_eq!(failed[0]["template"], "ticket_received");
    assert!(failed[0]["last_error"].as_str().unwrap().contains("554"));
    let settings: Value = admin_client
        .get(app.url("/api/mail/settings/"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(settings["failed"], 1);
    assert_eq!(settings["transport"], "smtp");
    assert_eq!(
        settings["reply_address_example"],
        "support+<token>@helpdesk.test"
    );

    let id = failed[0]["id"].as_i64().unwrap();
    let agent_retry = app
        .post_json(&format!("/api/mail/outbox/{id}/retry/"), &json!({}))
        .await;
    assert_problem(agent_retry, StatusCode::FORBIDDEN).await;
    let retried = admin_client
        .post(app.url(&format!("/api/mail/outbox/{id}/retry/")))
        .send()
        .await
        .unwrap();
    assert_eq!(retried.status(), StatusCode::OK);
    assert_eq!(retried.json::<Value>().await.unwrap()["status"], "queued");
    let again = admin_client
        .post(app.url(&format!("/api/mail/outbox/{id}/retry/")))
        .send()
        .await
        .unwrap();
    assert_problem(again, StatusCode::CONFLICT).await;
    assert_eq!(
        drain(&world).await,
        Drained {
            sent: 1,
            retried: 0,
            failed: 0
        }
    );
    assert_eq!(world.sink.wait_for(2, WAIT).await.len(), 2);
}

#[tokio::test]
async fn a_worker_dying_mid_send_leaves_the_mail_to_the_next_and_it_arrives_once() {
    let world = mail_world().await;
    let app = &world.app;
    app.create_ticket(
        json!({"title": "Once", "description": "x", "requester_email": "cy@example.com"}),
    )
    .await;
    world.sink.fail_next(Fault::StallDuringData);
    let lease = Duration::from_secs(2);
    let first = world.outbox.clone().with_lease(lease);
    let dying = tokio::spawn(async move { first.drain().await });
    // Dies while the server holds its message.
    let started = tokio::time::Instant::now();
    while world.sink.attempts() == 0 {
        assert!(
            started.elapsed() < WAIT,
            "the first worker never reached DATA"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    dying.abort();
    let _ = dying.await;

    let next = world.outbox.clone().with_lease(lease);
    // While the lease holds, nobody else takes the mail.
    assert_eq!(next.drain().await.unwrap(), Drained::default());
    tokio::time::sleep(lease + Duration::from_millis(200)).await;
    assert_eq!(
        next.drain().await.unwrap(),
        Drained {
            sent: 1,
            retried: 0,
            failed: 0
        }
    );
    let received = world.sink.wait_for(1, WAIT).await;
    assert_eq!(received.len(), 1, "exactly one delivery");
    let (status, attempts): (String, i32) =
        sqlx::query_as("SELECT status, attempts FROM mail_outbox")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((status.as_str(), attempts), ("sent", 2));
    assert_eq!(next.drain().await.unwrap(), Drained::default());
    assert_eq!(world.sink.received().len(), 1);
}

#[tokio::test]
async fn concurrent_workers_send_each_mail_once() {
    let world = mail_world().await;
    let app = &world.app;
    for n in 0..12 {
        // Twelve requesters: one address gets at most ten receipts an hour.
        app.create_ticket(json!({"title": format!("T{n}"), "description": "x", "requester_email": format!("c{n}@example.com")}))
            .await;
    }
    let workers = (0..3).map(|_| {
        let outbox = world.outbox.clone();
        tokio::spawn(async move { outbox.drain().await.unwrap() })
    });
    let mut sent = 0;
    for worker in workers {
        sent += worker.await.unwrap().sent;
    }
    assert_eq!(sent, 12);
    let received = world.sink.wait_for(12, WAIT).await;
    let mut ids: Vec<String> = received
        .iter()
        .filter_map(|r| r.header("Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 12);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(world.sink.received().len(), 12);
}

#[tokio::test]
async fn mail_routes_are_for_their_roles_and_settings_are_validated() {
    let world = mail_world().await;
    let app = &world.app;
    let (_, requester) = requester(app, "ada@example.com").await;
    let (_, admin) = app.client_as(Role::Admin, "root@example.com").await;
    let routes: [(&str, &str); 8] = [
        ("GET", "/api/mail/settings/"),
        ("PUT", "/api/mail/settings/"),
        ("GET", "/api/mail/outbox/"),
        ("POST", "/api/mail/outbox/1/retry/"),
        ("GET", "/api/mail/inbound/"),
        ("POST", "/api/mail/inbound/1/accept/"),
        ("POST", "/api/mail/inbound/1/discard/"),
        ("PUT", "/api/me/notifications/"),
    ];
    let admin_only = [
        "/api/mail/settings/",
        "/api/mail/outbox/",
        "/api/mail/outbox/1/retry/",
    ];
    for (method, path) in routes {
        let send = |client: &reqwest::Client| {
            client
                .request(method.parse().unwrap(), app.url(path))
                .json(&json!({"support_address": SUPPORT, "sender_name": "X", "new_tickets": true}))
                .send()
        };
        assert_problem(
            send(&app.anonymous).await.unwrap(),
            StatusCode::UNAUTHORIZED,
        )
        .await;
        assert_problem(send(&requester).await.unwrap(), StatusCode::FORBIDDEN).await;
        let agent = send(&app.client).await.unwrap();
        if admin_only.contains(&path) {
            assert_problem(agent, StatusCode::FORBIDDEN).await;
        } else {
            assert_ne!(
                agent.status(),
                StatusCode::FORBIDDEN,
                "{method} {path} for an agent"
            );
        }
    }

    let bad = admin
        .put(app.url("/api/mail/settings/"))
        .json(&json!({"support_address": "help+x@example.com", "sender_name": "Evil\r\nBcc: x@example.net"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(bad, StatusCode::BAD_REQUEST).await;
    assert!(problem["errors"]["sender_name"].is_array(), "{problem}");
    assert!(problem["errors"]["support_address"].is_array(), "{problem}");
    let stored: String = sqlx::query_scalar("SELECT sender_name FROM mail_settings")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, "Example Support");
    let saved = admin
        .put(app.url("/api/mail/settings/"))
        .json(&json!({"support_address": "help@example.com", "sender_name": "Example Help"}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(saved["support_address"], "help@example.com");
    assert_eq!(saved["reply_address_example"], "help+<token>@example.com");
    let off = admin
        .put(app.url("/api/mail/settings/"))
        .json(&json!({"support_address": null, "sender_name": "Example Help"}))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), StatusCode::OK);
    app.create_ticket(
        json!({"title": "Quiet", "description": "x", "requester_email": "cy@example.com"}),
    )
    .await;
    assert!(
        outbox_rows(app).await.is_empty(),
        "mail off: nothing queued"
    );
    // The deployment's MAIL_SUPPORT_ADDRESS no longer overrides what the admin chose.
    let configured = SupportAddress::parse("configured@example.com").unwrap();
    let changed = repository::apply_configured_mail_settings(&app.db, &configured, None)
        .await
        .unwrap();
    assert!(!changed);
    let address: Option<String> = sqlx::query_scalar("SELECT support_address FROM mail_settings")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(address, None);
}

#[tokio::test]
async fn the_configured_support_address_applies_until_an_admin_saves_settings() {
    let app = spawn_app().await;
    let configured = SupportAddress::parse("configured@example.com").unwrap();
    let apply =
        || repository::apply_configured_mail_settings(&app.db, &configured, Some("Configured"));
    assert!(apply().await.unwrap());
    assert!(!apply().await.unwrap(), "nothing to change the second time");
    let stored: (Option<String>, String) =
        sqlx::query_as("SELECT support_address, sender_name FROM mail_settings")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        stored,
        (
            Some("configured@example.com".to_owned()),
            "Configured".to_owned()
        )
    );
}

/// One entry of `tests/data/mail/expected.json`.
#[derive(Debug, serde::Deserialize)]
struct Expected {
    file: String,
    outcome: String,
    reason: Option<String>,
    requester_email: Option<String>,
    title: Option<String>,
    #[serde(default)]
    description_contains: Vec<String>,
    #[serde(default)]
    description_excludes: Vec<String>,
    #[serde(default)]
    body_contains: Vec<String>,
    #[serde(default)]
    body_excludes: Vec<String>,
    #[serde(default)]
    attachments_ignored: bool,
    authserv_id: Option<String>,
    #[serde(default)]
    generated: bool,
}

fn corpus_file(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/mail/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// A valid mail of 11 MiB: over the default limit of 10.
fn huge_mail() -> Vec<u8> {
    let mut mail = b"From: Big Sender <big@example.org>\r\nTo: support@helpdesk.test\r\nSubject: Log file\r\nMessage-ID: <huge@example.org>\r\n\r\n".to_vec();
    let line = b"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n";
    while mail.len() < 11 * 1024 * 1024 {
        mail.extend_from_slice(line);
    }
    mail
}

#[tokio::test]
async fn received_mail_of_every_shape_becomes_the_right_ticket_reply_or_refusal() {
    let world = mail_world().await;
    let app = &world.app;
    let (ada, ada_client) = requester(app, "ada@example.com").await;
    sqlx::query("UPDATE users SET name = 'Ada Lovelace' WHERE id = $1")
        .bind(ada.id)
        .execute(&app.db)
        .await
        .unwrap();
    let ticket = ada_client
        .post(app.url("/api/tickets/"))
        .json(&json!({"title": "Printer on fire", "description": "It smokes."}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let ticket_id = ticket["id"].as_i64().unwrap();
    drain(&world).await;
    let token = reply_token(app, ticket_id).await;
    let our_message_id: String =
        sqlx::query_scalar("SELECT message_id FROM mail_outbox WHERE ticket_id = $1")
            .bind(ticket_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let our_message_id = our_message_id.trim_matches(['<', '>']).to_owned();

    let expectations: Vec<Expected> =
        serde_json::from_slice(&corpus_file("expected.json")).expect("expected.json");
    let plain_inbox = test_inbox(&app.db, &Classifier::rules_only());
    let mut checked = 0;
    for expected in &expectations {
        let raw = if expected.generated {
            huge_mail()
        } else {
            let text = corpus_file(&expected.file);
            // Byte-wise, so non-UTF-8 files stay as they are.
            replace_bytes(
                &replace_bytes(&text, b"REPLY_TOKEN", token.as_bytes()),
                b"OUR_MESSAGE_ID",
                our_message_id.as_bytes(),
            )
        };
        let inbox = Inbox {
            authserv_id: expected.authserv_id.clone(),
            ..plain_inbox.clone()
        };
        let receipt = inbox.receive(&raw, &[]).await.expect("received");
        let context = &expected.file;
        match expected.outcome.as_str() {
            "ticket_created" => {
                assert_eq!(
                    receipt.status,
                    InboundStatus::Accepted,
                    "{context}: {receipt:?}"
                );
                let made = receipt.ticket_id.expect("a ticket");
                assert_ne!(made, ticket_id, "{context}");
                let (title, description, email): (String, String, String) = sqlx::query_as(
                    "SELECT t.title, t.description, u.email FROM tickets t JOIN users u ON u.id = t.requester_id WHERE t.id = $1",
                )
                .bind(made)
                .fetch_one(&app.db)
                .await
                .unwrap();
                assert_eq!(Some(&title), expected.title.as_ref(), "{context}");
                assert_eq!(Some(&email), expected.requester_email.as_ref(), "{context}");
                assert_text(
                    context,
                    &description,
                    &expected.description_contains,
                    &expected.description_excludes,
                );
                assert_eq!(
                    description.contains("not kept"),
                    expected.attachments_ignored,
                    "{context}: {description}"
                );
                let origin: Option<String> = sqlx::query_scalar(
                    "SELECT origin_message_id FROM ticket_mail_threads WHERE ticket_id = $1",
                )
                .bind(made)
                .fetch_one(&app.db)
                .await
                .unwrap();
                assert!(
                    origin.is_some(),
                    "{context}: the mail's Message-ID starts its thread"
                );
            }
            "comment_added" => {
                assert_eq!(
                    receipt.status,
                    InboundStatus::Accepted,
                    "{context}: {receipt:?}"
                );
                assert_eq!(receipt.ticket_id, Some(ticket_id), "{context}");
                let (body, via, author): (String, String, i64) = sqlx::query_as(
                    "SELECT body, via, author_id FROM comments WHERE ticket_id = $1 ORDER BY id DESC LIMIT 1",
                )
                .bind(ticket_id)
                .fetch_one(&app.db)
                .await
                .unwrap();
                assert_eq!((via.as_str(), author), ("email", ada.id), "{context}");
                assert_text(
                    context,
                    &body,
                    &expected.body_contains,
                    &expected.body_excludes,
                );
            }
            outcome => {
                let status = match outcome {
                    "ignored" => InboundStatus::Ignored,
                    "held" => InboundStatus::Held,
                    "rejected" => InboundStatus::Rejected,
                    other => panic!("{context}: unknown outcome {other}"),
                };
                assert_eq!(receipt.status, status, "{context}: {receipt:?}");
                let reason: InboundReason =
                    serde_json::from_value(json!(expected.reason.clone().expect("a reason")))
                        .unwrap();
                assert_eq!(receipt.reason, Some(reason), "{context}");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, expectations.len());
    assert!(checked >= 20, "the corpus is all there");

    // The same mail again (SMTP retries, S3 redelivery) is taken once.
    let tickets_before: i64 = sqlx::query_scalar("SELECT count(*) FROM tickets")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let again = plain_inbox
        .receive(&corpus_file("plain.eml"), &[])
        .await
        .unwrap();
    assert_eq!(
        (again.status, again.reason),
        (InboundStatus::Ignored, Some(InboundReason::Duplicate))
    );
    let tickets_after: i64 = sqlx::query_scalar("SELECT count(*) FROM tickets")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(tickets_before, tickets_after);

    // Held mail waits for an agent, who sees it and accepts it as a ticket.
    let held: Value = app.get("/api/mail/inbound/").await.json().await.unwrap();
    let held = held.as_array().unwrap();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["reason"], "unverified_sender");
    assert!(
        held[0]["body"]
            .as_str()
            .is_some_and(|body| !body.is_empty())
    );
    let id = held[0]["id"].as_i64().unwrap();
    let accepted = app
        .post_json(&format!("/api/mail/inbound/{id}/accept/"), &json!({}))
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let accepted: Value = accepted.json().await.unwrap();
    assert_eq!(accepted["status"], "released");
    let made = accepted["ticket_id"].as_i64().expect("a ticket");
    let title: String = sqlx::query_scalar("SELECT title FROM tickets WHERE id = $1")
        .bind(made)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(title, held[0]["subject"].as_str().unwrap());
    let twice = app
        .post_json(&format!("/api/mail/inbound/{id}/discard/"), &json!({}))
        .await;
    assert_problem(twice, StatusCode::CONFLICT).await;

    // What Ada sees by mail: the by-email comments are hers, public, in her thread.
    let thread: Value = ada_client
        .get(app.url(&format!("/api/tickets/{ticket_id}/comments/")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let by_mail = thread
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["via"] == "email")
        .count();
    assert!(by_mail >= 3, "{thread}");
}

/// `text` (of corpus file `context`) holds every part of `contains` and none of `excludes`.
fn assert_text(context: &str, text: &str, contains: &[String], excludes: &[String]) {
    for part in contains {
        assert!(
            text.contains(part.as_str()),
            "{context}: {part:?} missing in {text:?}"
        );
    }
    for part in excludes {
        assert!(
            !text.contains(part.as_str()),
            "{context}: {part:?} kept in {text:?}"
        );
    }
}

fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut at = 0;
    while at < haystack.len() {
        if haystack[at..].starts_with(from) {
            out.extend_from_slice(to);
            at += from.len();
        } else {
            out.push(haystack[at]);
            at += 1;
        }
    }
    out
}

#[tokio::test]
async fn mail_delivered_by_smtp_becomes_a_ticket_and_an_oversized_one_is_refused() {
    let world = mail_world().await;
    let app = &world.app;
    let inbox = Inbox {
        max_bytes: 4096,
        ..test_inbox(&app.db, &Classifier::rules_only())
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(smtp_server::serve(listener, inbox, std::future::pending()));

    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let client = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(address.port())
        .build();
    let mail = Message::builder()
        .from("Erin Example <erin@example.org>".parse().unwrap())
        .to(SUPPORT.parse().unwrap())
        .subject("Laptop will not boot")
        .body("It beeps three times.".to_owned())
        .unwrap();
    let response = client.send(mail).await.expect("accepted");
    assert!(response.is_positive());
    assert!(
        response.message().any(|line| line.contains("accepted")),
        "{response:?}"
    );
    let (title, description, email): (String, String, String) = sqlx::query_as(
        "SELECT t.title, t.description, u.email FROM tickets t JOIN users u ON u.id = t.requester_id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (title.as_str(), description.as_str(), email.as_str()),
        (
            "Laptop will not boot",
            "It beeps three times.",
            "erin@example.org"
        )
    );
    let password: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'erin@example.org'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(password, None, "a requester account without a password");

    let big = Message::builder()
        .from("erin@example.org".parse().unwrap())
        .to(SUPPORT.parse().unwrap())
        .subject("Big")
        .body("x".repeat(10_000))
        .unwrap();
    let refused = client.send(big).await.expect_err("too large");
    assert!(refused.is_permanent(), "{refused}");
    assert!(
        refused.to_string().contains("552") || refused.to_string().contains("too large"),
        "{refused}"
    );
    let tickets: i64 = sqlx::query_scalar("SELECT count(*) FROM tickets")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(tickets, 1);
}

#[tokio::test]
async fn accepting_held_mail_settles_it_even_when_it_makes_nothing() {
    let world = mail_world().await;
    let app = &world.app;
    let (_, ada) = requester(app, "ada@example.com").await;
    let ticket: Value = ada
        .post(app.url("/api/tickets/"))
        .json(&json!({"title": "Printer on fire", "description": "It smokes."}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    drain(&world).await;
    let token = reply_token(app, ticket["id"].as_i64().unwrap()).await;
    // Unverified, to Ada's reply address, from someone else.
    let mail = format!(
        "Authentication-Results: amazonses.com; spf=fail; dkim=fail\r\n\
         From: Mallory <mallory@example.net>\r\nTo: support+{token}@helpdesk.test\r\n\
         Subject: Re: [#1] Printer on fire\r\nMessage-ID: <held-reply@example.net>\r\n\r\nClose it.\r\n"
    );
    let inbox = Inbox {
        authserv_id: Some("amazonses.com".to_owned()),
        ..test_inbox(&app.db, &Classifier::rules_only())
    };
    let held = inbox.receive(mail.as_bytes(), &[]).await.unwrap();
    assert_eq!(held.status, InboundStatus::Held);
    let id = held.record_id.unwrap();

    let accepted = app
        .post_json(&format!("/api/mail/inbound/{id}/accept/"), &json!({}))
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let accepted: Value = accepted.json().await.unwrap();
    assert_eq!(
        (
            accepted["id"].as_i64(),
            &accepted["status"],
            &accepted["reason"]
        ),
        (Some(id), &json!("ignored"), &json!("unknown_sender"))
    );
    let held_now: Value = app.get("/api/mail/inbound/").await.json().await.unwrap();
    assert_eq!(held_now, json!([]), "no longer held");
    let comments: i64 = sqlx::query_scalar("SELECT count(*) FROM comments")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(comments, 0);
    let records: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_inbound")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(records, 1, "one record per mail");
}

#[tokio::test]
async fn an_address_gets_at_most_ten_receipts_an_hour_so_no_mail_loop_runs_away() {
    let world = mail_world().await;
    let app = &world.app;
    let inbox = test_inbox(&app.db, &Classifier::rules_only());
    // An auto-responder that says nothing of being one, answering every receipt with a new mail.
    for n in 0..12 {
        let mail = format!(
            "From: Robot <robot@example.org>\r\nTo: {SUPPORT}\r\nSubject: Thanks for your mail {n}\r\n\
             Message-ID: <loop-{n}@example.org>\r\n\r\nWe got your message.\r\n"
        );
        let receipt = inbox.receive(mail.as_bytes(), &[]).await.unwrap();
        assert_eq!(receipt.status, InboundStatus::Accepted);
    }
    let receipts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM mail_outbox WHERE template = 'ticket_received' AND to_address = 'robot@example.org'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(receipts, 10);
    // Others still get theirs.
    app.create_ticket(
        json!({"title": "Mine", "description": "x", "requester_email": "cy@example.com"}),
    )
    .await;
    let rows = outbox_rows(app).await;
    assert!(
        rows.iter()
            .any(|(template, to, _)| template == "ticket_received" && to == "cy@example.com")
    );
}
