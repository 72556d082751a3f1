//! Working a ticket: replies and internal notes, the status rules of replies, assignment, and a
//! history that records everything the API changes, each seen only by whom it is for.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use shared::domain::Role;

use crate::helpers::{TestApp, assert_problem, get_ok, json_of, spawn_app};

async fn comment(app: &TestApp, client: &Client, ticket: i64, body: Value) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/tickets/{ticket}/comments/")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn patch(app: &TestApp, client: &Client, ticket: i64, body: Value) -> reqwest::Response {
    client
        .patch(app.url(&format!("/api/tickets/{ticket}/")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A requester's ticket with explicit labels (no classification events).
async fn requester_ticket(app: &TestApp, requester: &Client) -> i64 {
    let ticket = json_of(
        requester
            .post(app.url("/api/tickets/"))
            .json(
                &json!({"title": "Printer jams", "description": "Every morning at nine",
                          "category": "technical", "priority": "medium"}),
            )
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    ticket["id"].as_i64().unwrap()
}

/// `(kind, actor_kind, from, to, visibility)` of every event, oldest first.
fn summary(events: &Value) -> Vec<(String, String, Value, Value, String)> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_owned(),
                e["actor_kind"].as_str().unwrap().to_owned(),
                e["from"].clone(),
                e["to"].clone(),
                e["visibility"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn kinds(events: &Value) -> Vec<String> {
    summary(events).into_iter().map(|e| e.0).collect()
}

#[tokio::test]
async fn replies_and_internal_notes_are_seen_by_whom_they_are_for() {
    let app = spawn_app().await;
    let (requester, a) = app.client_as(Role::Requester, "a@example.com").await;
    let (_, b) = app.client_as(Role::Requester, "b@example.com").await;
    let id = requester_ticket(&app, &a).await;
    let path = format!("/api/tickets/{id}/comments/");

    let reply = json_of(
        comment(
            &app,
            &app.client,
            id,
            json!({"body": "Which model?\nAnd since when?"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        reply["visibility"], "public",
        "public unless said otherwise"
    );
    assert_eq!(reply["author_id"], app.agent.id);
    assert_eq!(reply["author_is_staff"], true);
    assert_eq!(
        reply["body"], "Which model?\nAnd since when?",
        "line breaks kept"
    );
    assert_eq!(reply["ticket_id"], id);
    let before_note = get_ok(&app, &a, &format!("/api/tickets/{id}/")).await;
    let note = json_of(
        comment(
            &app,
            &app.client,
            id,
            json!({"body": "Zebracorn: VIP customer", "visibility": "internal"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(note["visibility"], "internal");
    // The note left the ticket as its requester sees it untouched: not even its time moved.
    let after_note = get_ok(&app, &a, &format!("/api/tickets/{id}/")).await;
    assert_eq!(after_note, before_note);
    let answer = json_of(
        comment(&app, &a, id, json!({"body": "HP 4000, since Monday"})).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(answer["author_id"], requester.id);
    assert_eq!(answer["author_is_staff"], false);

    let bodies = |thread: &Value| -> Vec<String> {
        thread
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["body"].as_str().unwrap().to_owned())
            .collect()
    };
    let staff_view = get_ok(&app, &app.client, &path).await;
    assert_eq!(
        bodies(&staff_view),
        [
            "Which model?\nAnd since when?",
            "Zebracorn: VIP customer",
            "HP 4000, since Monday"
        ]
    );
    let requester_view = get_ok(&app, &a, &path).await;
    assert_eq!(
        bodies(&requester_view),
        ["Which model?\nAnd since when?", "HP 4000, since Monday"]
    );
    let after_answer = get_ok(&app, &a, &format!("/api/tickets/{id}/")).await;
    assert_ne!(
        after_answer["updated_at"], before_note["updated_at"],
        "the requester's reply moved it"
    );

    // The requester's history has the public comments only, and nothing of the SLA.
    let events = get_ok(&app, &a, &format!("/api/tickets/{id}/events/")).await;
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["visibility"] == "public"
                && e["comment_id"] != note["id"]
                && !e["kind"].as_str().unwrap().contains("sla")
                && !e["kind"].as_str().unwrap().contains("due")),
        "{events}"
    );
    let staff_events = get_ok(&app, &app.client, &format!("/api/tickets/{id}/events/")).await;
    assert!(
        staff_events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["comment_id"] == note["id"]
                && e["kind"] == "comment_added"
                && e["visibility"] == "internal")
    );

    // Another requester: the same 404 as a ticket that does not exist, on every route.
    for path in [path.clone(), format!("/api/tickets/{id}/events/")] {
        assert_problem(
            b.get(app.url(&path)).send().await.unwrap(),
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    assert_problem(
        comment(&app, &b, id, json!({"body": "Me too"})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        comment(&app, &app.client, 999_999, json!({"body": "Anyone?"})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // A requester cannot write a note, even on their own ticket.
    let problem = assert_problem(
        comment(
            &app,
            &a,
            id,
            json!({"body": "psst", "visibility": "internal"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Internal notes")
    );

    let stored: Vec<(i64, bool, String)> = sqlx::query_as(
        "SELECT author_id, author_is_staff, visibility FROM comments WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        stored,
        [
            (app.agent.id, true, "public".to_owned()),
            (app.agent.id, true, "internal".to_owned()),
            (requester.id, false, "public".to_owned()),
        ]
    );
}

#[tokio::test]
async fn comment_bodies_are_validated_like_every_body() {
    let app = spawn_app().await;
    let (_, a) = app.client_as(Role::Requester, "a@example.com").await;
    let id = requester_ticket(&app, &a).await;
    let cases = [
        (json!({}), "body", "is required"),
        (json!({"body": " \n\t "}), "body", "must not be blank"),
        (json!({"body": "x".repeat(10_001)}), "body", "at most 10000"),
        (json!({"body": 7}), "body", "must be a string"),
        (
            json!({"body": "ok", "visibility": "secret"}),
            "visibility",
            "must be one of: public, internal",
        ),
        (
            json!({"body": "ok", "author_id": 1}),
            "author_id",
            "is not an accepted field",
        ),
    ];
    for (body, field, message) in cases {
        let problem = assert_problem(
            comment(&app, &app.client, id, body.clone()).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        let errors = problem["errors"][field].to_string();
        assert!(errors.contains(message), "{body}: {problem}");
    }
    let exactly_max = comment(&app, &app.client, id, json!({"body": "é".repeat(10_000)})).await;
    assert_eq!(
        exactly_max.status(),
        StatusCode::CREATED,
        "10,000 characters fit"
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM comments")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 1, "nothing of the refused bodies was stored");
}

#[tokio::test]
async fn the_thread_pages_oldest_first_without_gap_or_overlap() {
    let app = spawn_app().await;
    let (_, a) = app.client_as(Role::Requester, "a@example.com").await;
    let id = requester_ticket(&app, &a).await;
    let mut written = Vec::new();
    for n in 0..7 {
        let visibility = if n % 3 == 1 { "internal" } else { "public" };
        let c = json_of(
            comment(
                &app,
                &app.client,
                id,
                json!({"body": format!("#{n}"), "visibility": visibility}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        written.push((c["id"].as_i64().unwrap(), visibility));
    }
    for (client, expected) in [
        (&app.client, written.iter().map(|c| c.0).collect::<Vec<_>>()),
        (
            &a,
            written
                .iter()
                .filter(|c| c.1 == "public")
                .map(|c| c.0)
                .collect(),
        ),
    ] {
        let mut next = Some(app.url(&format!("/api/tickets/{id}/comments/?limit=2")));
        let mut seen = Vec::new();
        while let Some(url) = next.take() {
            let response = client.get(url).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            next = response.headers().get("link").map(|link| {
                let link = link.to_str().unwrap();
                let target = &link[link.find('<').unwrap() + 1..link.find('>').unwrap()];
                app.url(target)
            });
            let page: Vec<Value> = response.json().await.unwrap();
            assert!(page.len() <= 2);
            seen.extend(page.iter().map(|c| c["id"].as_i64().unwrap()));
        }
        assert_eq!(seen, expected);
    }
    for query in ["?limit=0", "?cursor=nope!", "?colour=red"] {
        assert_problem(
            app.get(&format!("/api/tickets/{id}/comments/{query}"))
                .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    // A cursor of another list is refused, not misread.
    let response = app.get(&format!("/api/tickets/{id}/events/?limit=1")).await;
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    let cursor = &link[link.find("cursor=").unwrap() + 7..link.find('>').unwrap()];
    let cursor = cursor.split('&').next().unwrap();
    assert_problem(
        app.get(&format!("/api/tickets/{id}/comments/?cursor={cursor}"))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[tokio::test]
async fn replies_move_the_status_by_the_reply_rules() {
    let app = spawn_app().await;
    let (_, a) = app.client_as(Role::Requester, "a@example.com").await;
    let id = requester_ticket(&app, &a).await;
    let status = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT status FROM tickets WHERE id = $1")
                .bind(id)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    // An internal note is no answer: still open, no first response.
    comment(
        &app,
        &app.client,
        id,
        json!({"body": "Looking", "visibility": "internal"}),
    )
    .await;
    assert_eq!(status(&app).await, "open");
    // The requester adding detail is no answer either.
    comment(&app, &a, id, json!({"body": "More detail"})).await;
    assert_eq!(status(&app).await, "open");
    // An agent's public reply to an open ticket: in progress, and the first response.
    comment(&app, &app.client, id, json!({"body": "On it"})).await;
    assert_eq!(status(&app).await, "in_progress");
    let ticket = get_ok(&app, &app.client, &format!("/api/tickets/{id}/")).await;
    let first_response = ticket["first_responded_at"].clone();
    assert!(first_response.is_string());
    comment(&app, &app.client, id, json!({"body": "Still on it"})).await;
    let ticket = get_ok(&app, &app.client, &format!("/api/tickets/{id}/")).await;
    assert_eq!(
        ticket["first_responded_at"], first_response,
        "only the first reply counts"
    );

    // Resolved, then the requester answers: open again, and resolved_at cleared.
    json_of(
        patch(&app, &app.client, id, json!({"status": "resolved"})).await,
        StatusCode::OK,
    )
    .await;
    let resolved = get_ok(&app, &a, &format!("/api/tickets/{id}/")).await;
    assert!(resolved["resolved_at"].is_string());
    comment(&app, &a, id, json!({"body": "It jams again"})).await;
    let reopened = get_ok(&app, &a, &format!("/api/tickets/{id}/")).await;
    assert_eq!(reopened["status"], "open");
    assert_eq!(reopened["resolved_at"], Value::Null);
    // The agent's reply to a resolved ticket leaves it resolved.
    json_of(
        patch(&app, &app.client, id, json!({"status": "resolved"})).await,
        StatusCode::OK,
    )
    .await;
    comment(&app, &app.client, id, json!({"body": "Fixed the roller"})).await;
    assert_eq!(status(&app).await, "resolved");

    // Closed is final for the requester: 409, nothing stored. Agents may still write.
    json_of(
        patch(&app, &a, id, json!({"status": "closed"})).await,
        StatusCode::OK,
    )
    .await;
    let comments_before: i64 = sqlx::query_scalar("SELECT count(*) FROM comments")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let problem = assert_problem(
        comment(&app, &a, id, json!({"body": "Hello?"})).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("closed"));
    let comments_after: i64 = sqlx::query_scalar("SELECT count(*) FROM comments")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(comments_before, comments_after);
    assert_eq!(
        comment(&app, &app.client, id, json!({"body": "For the record"}))
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(status(&app).await, "closed");

    // Every status move the replies made is in the history, by the system.
    let events = get_ok(&app, &app.client, &format!("/api/tickets/{id}/events/")).await;
    let moves: Vec<(String, Value, Value)> = summary(&events)
        .into_iter()
        .filter(|e| e.0 == "status_changed")
        .map(|e| (e.1, e.2, e.3))
        .collect();
    assert_eq!(
        moves,
        [
            ("system".to_owned(), json!("open"), json!("in_progress")),
            ("user".to_owned(), json!("in_progress"), json!("resolved")),
            ("system".to_owned(), json!("resolved"), json!("open")),
            ("user".to_owned(), json!("open"), json!("resolved")),
            ("user".to_owned(), json!("resolved"), json!("closed")),
        ]
    );
}

#[tokio::test]
async fn a_public_reply_moves_the_tickets_etag() {
    let app = spawn_app().await;
    let (_, a) = app.client_as(Role::Requester, "a@example.com").await;
    let id = requester_ticket(&app, &a).await;
    let etag =
        |response: &reqwest::Response| response.headers()["etag"].to_str().unwrap().to_owned();
    let before = etag(&app.get(&format!("/api/tickets/{id}/")).await);
    comment(
        &app,
        &app.client,
        id,
        json!({"body": "note", "visibility": "internal"}),
    )
    .await;
    assert_eq!(etag(&app.get(&format!("/api/tickets/{id}/")).await), before);
    comment(&app, &a, id, json!({"body": "reply"})).await;
    let after = etag(&app.get(&format!("/api/tickets/{id}/")).await);
    assert_ne!(after, before);
    // A PATCH conditional on the old version is refused: someone replied meanwhile.
    let stale = app
        .client
        .patch(app.url(&format!("/api/tickets/{id}/")))
        .header("if-match", before)
        .json(&json!({"priority": "high"}))
        .send()
        .await
        .unwrap();
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
}

#[tokio::test]
async fn history_records_every_change_the_api_makes_with_its_actor() {
    let app = spawn_app().await;
    let (requester, a) = app.client_as(Role::Requester, "a@example.com").await;
    let (admin, admin_client) = app.client_as(Role::Admin, "admin@example.com").await;
    // Filed without labels: the classifier chose both.
    let ticket = json_of(
        a.post(app.url("/api/tickets/"))
            .json(&json!({"title": "Refund", "description": "I was charged twice, refund please"}))
            .send()
            .await
            .unwrap(),
        StatusCode::CREATED,
    )
    .await;
    let id = ticket["id"].as_i64().unwrap();
    let category = ticket["category"].as_str().unwrap().to_owned();
    let priority = ticket["priority"].as_str().unwrap().to_owned();
    let events_path = format!("/api/tickets/{id}/events/");
    let events = get_ok(&app, &app.client, &events_path).await;
    assert_eq!(
        summary(&events),
        [
            (
                "created".into(),
                "user".into(),
                Value::Null,
                Value::Null,
                "public".into()
            ),
            (
                "category_changed".into(),
                "classifier".into(),
                Value::Null,
                json!(category),
                "public".into()
            ),
            (
                "priority_changed".into(),
                "classifier".into(),
                Value::Null,
                json!(priority),
                "public".into()
            ),
        ]
    );
    assert_eq!(events[0]["actor_id"], requester.id);
    assert_eq!(events[0]["actor_name"], "a@example.com");

    // Each field through PATCH: one event each, old → new, by the agent. A value set to what it
    // already is, or an empty PATCH, records nothing.
    let before_due = get_ok(&app, &app.client, &format!("/api/tickets/{id}/")).await;
    for (body, kind, from, to) in [
        (
            json!({"status": "in_progress"}),
            "status_changed",
            json!("open"),
            json!("in_progress"),
        ),
        (
            json!({"category": "account"}),
            "category_changed",
            json!(category),
            json!("account"),
        ),
        (
            json!({"priority": "critical"}),
            "priority_changed",
            json!(priority),
            json!("critical"),
        ),
        (
            json!({"assignee_id": admin.id}),
            "assignee_changed",
            Value::Null,
            json!(admin.id.to_string()),
        ),
        (
            json!({"assignee_id": null}),
            "assignee_changed",
            json!(admin.id.to_string()),
            Value::Null,
        ),
    ] {
        let count = get_ok(&app, &app.client, &events_path)
            .await
            .as_array()
            .unwrap()
            .len();
        json_of(
            patch(&app, &app.client, id, body.clone()).await,
            StatusCode::OK,
        )
        .await;
        let events = get_ok(&app, &app.client, &events_path).await;
        let new: Vec<_> = summary(&events).split_off(count);
        assert_eq!(
            new[0],
            (
                kind.to_owned(),
                "user".to_owned(),
                from,
                to,
                "public".to_owned()
            ),
            "{body}"
        );
        assert_eq!(events[count]["actor_id"], app.agent.id);
        if kind == "priority_changed" {
            // The due times moved with it, by the SLA rule: internal, old → new.
            assert_eq!(
                new[1..]
                    .iter()
                    .map(|e| (e.0.as_str(), e.1.as_str(), e.4.as_str()))
                    .collect::<Vec<_>>(),
                [
                    ("first_response_due_changed", "system", "internal"),
                    ("resolution_due_changed", "system", "internal"),
                ]
            );
            let times = |value: &Value| {
                chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap()).unwrap()
            };
            assert_eq!(
                times(&new[1].2),
                times(&before_due["first_response_due_at"])
            );
            let after_due = get_ok(&app, &app.client, &format!("/api/tickets/{id}/")).await;
            assert_eq!(times(&new[1].3), times(&after_due["first_response_due_at"]));
            assert_eq!(times(&new[2].3), times(&after_due["resolution_due_at"]));
        } else {
            assert_eq!(new.len(), 1, "{body}: {new:?}");
        }
        let again = get_ok(&app, &app.client, &events_path)
            .await
            .as_array()
            .unwrap()
            .len();
        json_of(
            patch(&app, &app.client, id, body.clone()).await,
            StatusCode::OK,
        )
        .await;
        json_of(
            patch(&app, &app.client, id, json!({})).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            get_ok(&app, &app.client, &events_path)
                .await
                .as_array()
                .unwrap()
                .len(),
            again,
            "{body} again"
        );
    }
    // An assignee change names the people.
    json_of(
        patch(
            &app,
            &admin_client,
            id,
            json!({"assignee_id": app.agent.id}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let events = get_ok(&app, &app.client, &events_path).await;
    let last = events.as_array().unwrap().last().unwrap();
    assert_eq!(
        (&last["actor_id"], &last["to_name"], &last["from_name"]),
        (&json!(admin.id), &json!(app.agent.name), &Value::Null)
    );
    // The requester closes it: recorded as theirs.
    json_of(
        patch(&app, &a, id, json!({"status": "closed"})).await,
        StatusCode::OK,
    )
    .await;
    let events = get_ok(&app, &a, &events_path).await;
    let last = events.as_array().unwrap().last().unwrap();
    assert_eq!(
        (&last["kind"], &last["actor_id"], &last["to"]),
        (
            &json!("status_changed"),
            &json!(requester.id),
            &json!("closed")
        )
    );

    // Everything the API returned is what is stored, and the requester saw the public part.
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM ticket_events WHERE ticket_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let staff_view = get_ok(&app, &app.client, &format!("{events_path}?limit=200")).await;
    assert_eq!(staff_view.as_array().unwrap().len() as i64, stored);
    let requester_view = get_ok(&app, &a, &format!("{events_path}?limit=200")).await;
    let public = staff_view
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["visibility"] == "public")
        .count();
    assert_eq!(requester_view.as_array().unwrap().len(), public);
    assert!(
        kinds(&requester_view)
            .iter()
            .all(|k| !k.contains("due") && !k.contains("sla"))
    );
}

#[tokio::test]
async fn the_history_is_append_only() {
    let app = spawn_app().await;
    let ticket = app
        .create_ticket(
            json!({"title": "t", "description": "d", "category": "general", "priority": "low"}),
        )
        .await;
    for statement in [
        "UPDATE ticket_events SET kind = 'created'",
        "DELETE FROM ticket_events",
    ] {
        let error = sqlx::query(statement).execute(&app.db).await.unwrap_err();
        assert!(
            error.to_string().contains("append-only"),
            "{statement}: {error}"
        );
    }
    // Deleting the ticket takes its history with it.
    sqlx::query("DELETE FROM tickets WHERE id = $1")
        .bind(ticket["id"].as_i64().unwrap())
        .execute(&app.db)
        .await
        .unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM ticket_events")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn only_active_staff_can_be_assigned_and_only_by_staff() {
    let app = spawn_app().await;
    let (requester, a) = app.client_as(Role::Requester, "a@example.com").await;
    let (gone, _) = app.account(Role::Agent, "gone@example.com").await;
    sqlx::query("UPDATE users SET disabled = true WHERE id = $1")
        .bind(gone.id)
        .execute(&app.db)
        .await
        .unwrap();
    let id = requester_ticket(&app, &a).await;
    for (assignee, message) in [
        (json!(requester.id), "must be an enabled agent or admin"),
        (json!(gone.id), "must be an enabled agent or admin"),
        (json!(999_999), "must be an enabled agent or admin"),
        (json!(0), "must be"),
        (json!("me"), "must be"),
        (json!(1.5), "must be"),
    ] {
        let problem = assert_problem(
            patch(
                &app,
                &app.client,
                id,
                json!({"assignee_id": assignee, "priority": "high"}),
            )
            .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(
            problem["errors"]["assignee_id"]
                .to_string()
                .contains(message),
            "{assignee}: {problem}"
        );
    }
    assert_problem(
        patch(&app, &a, id, json!({"assignee_id": app.agent.id})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let stored: (Option<i64>, String) =
        sqlx::query_as("SELECT assignee_id, priority FROM tickets WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        stored,
        (None, "medium".to_owned()),
        "a refused PATCH changes nothing"
    );

    let assigned = json_of(
        patch(&app, &app.client, id, json!({"assignee_id": app.agent.id})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(assigned["assignee_id"], app.agent.id);
    // The requester sees who has it.
    assert_eq!(
        get_ok(&app, &a, &format!("/api/tickets/{id}/")).await["assignee_id"],
        app.agent.id
    );

    let agents = get_ok(&app, &app.client, "/api/agents/").await;
    let emails: Vec<&str> = agents
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert!(emails.contains(&app.agent.email.as_str()), "{agents}");
    assert!(
        !emails.contains(&"gone@example.com") && !emails.contains(&"a@example.com"),
        "{agents}"
    );
}

#[tokio::test]
async fn assignee_and_status_filters_combine_with_the_others() {
    let app = spawn_app().await;
    let (other, _) = app.account(Role::Agent, "other@example.com").await;
    let mut ids = Vec::new();
    for (title, category, status, assignee) in [
        ("mine open", "billing", "open", Some(app.agent.id)),
        (
            "mine working",
            "technical",
            "in_progress",
            Some(app.agent.id),
        ),
        ("mine done", "billing", "resolved", Some(app.agent.id)),
        ("theirs", "billing", "open", Some(other.id)),
        ("nobody's", "billing", "open", None),
        ("nobody's closed", "technical", "closed", None),
    ] {
        let t = app
            .create_ticket(json!({"title": title, "description": "d", "category": category, "priority": "low"}))
            .await;
        let id = t["id"].as_i64().unwrap();
        json_of(
            patch(
                &app,
                &app.client,
                id,
                json!({"status": status, "assignee_id": assignee}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        ids.push(id);
    }
    let titles = |query: String| {
        let app = &app;
        async move {
            let page = get_ok(app, &app.client, &format!("/api/tickets/?{query}")).await;
            page.as_array()
                .unwrap()
                .iter()
                .map(|t| t["title"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        titles("assignee=me".into()).await,
        ["mine done", "mine working", "mine open"]
    );
    assert_eq!(
        titles("assignee=me&status=open,in_progress".into()).await,
        ["mine working", "mine open"]
    );
    assert_eq!(
        titles("assignee=me&category=billing".into()).await,
        ["mine done", "mine open"]
    );
    assert_eq!(titles(format!("assignee={}", other.id)).await, ["theirs"]);
    assert_eq!(
        titles("assignee=none".into()).await,
        ["nobody's closed", "nobody's"]
    );
    assert_eq!(
        titles("assignee=none&status=open,in_progress".into()).await,
        ["nobody's"]
    );
    assert_eq!(
        titles("assignee=none&search=closed".into()).await,
        ["nobody's closed"]
    );
    assert_eq!(
        titles("status=closed,resolved".into()).await,
        ["nobody's closed", "mine done"]
    );

    // Paging through a filtered list keeps the filter.
    let first = app.get("/api/tickets/?assignee=me&limit=2").await;
    let link = first.headers()["link"].to_str().unwrap().to_owned();
    assert!(link.contains("assignee=me"), "{link}");
    let target = &link[link.find('<').unwrap() + 1..link.find('>').unwrap()];
    let rest: Vec<Value> = app.get(target).await.json().await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0]["title"], "mine open");

    for (query, field) in [
        ("assignee=someone", "assignee"),
        ("assignee=0", "assignee"),
        ("status=open,bogus", "status"),
        ("status=", "status"),
        ("sla=late", "sla"),
    ] {
        let problem = assert_problem(
            app.get(&format!("/api/tickets/?{query}")).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(problem["errors"][field].is_array(), "{query}: {problem}");
    }
    // The SLA filters are for staff: a requester asking is told so.
    let (_, a) = app.client_as(Role::Requester, "a@example.com").await;
    let problem = assert_problem(
        a.get(app.url("/api/tickets/?sla=breached"))
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        problem["errors"]["sla"]
            .to_string()
            .contains("is a filter for agents and admins"),
        "{problem}"
    );
}

#[tokio::test]
async fn concurrent_replies_and_changes_lose_nothing() {
    let app = spawn_app().await;
    let (_, a) = app.client_as(Role::Requester, "a@example.com").await;
    let id = requester_ticket(&app, &a).await;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..24 {
        let (client, url) = if n % 2 == 0 {
            (app.client.clone(), app.url(""))
        } else {
            (a.clone(), app.url(""))
        };
        tasks.spawn(async move {
            let response = if n % 3 == 0 {
                let priority = ["low", "medium", "high", "critical"][n % 4];
                client
                    .patch(format!("{url}/api/tickets/{id}/"))
                    .json(&json!({"priority": priority}))
                    .send()
                    .await
            } else {
                client
                    .post(format!("{url}/api/tickets/{id}/comments/"))
                    .json(&json!({"body": format!("reply {n}")}))
                    .send()
                    .await
            };
            (n, response.unwrap().status())
        });
    }
    let mut comments = 0;
    while let Some(result) = tasks.join_next().await {
        let (n, status) = result.unwrap();
        if n % 3 == 0 {
            // Requesters may not change the priority; agents may.
            let expected = if n % 2 == 0 {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(status, expected, "request {n}");
        } else {
            assert_eq!(status, StatusCode::CREATED, "request {n}");
            comments += 1;
        }
    }
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM comments WHERE ticket_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, comments);
    let (recorded, distinct): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT comment_id) FROM ticket_events \
         WHERE ticket_id = $1 AND kind = 'comment_added'",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (recorded, distinct),
        (comments, comments),
        "one event per comment"
    );
    // Each priority event's "from" is the "to" of the one before: no change was based on a
    // stale read.
    let chain: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT from_value, to_value FROM ticket_events \
         WHERE ticket_id = $1 AND kind = 'priority_changed' ORDER BY created_at, id",
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .unwrap();
    for pair in chain.windows(2) {
        assert_eq!(pair[0].1, pair[1].0, "{chain:?}");
    }
    let last = chain
        .last()
        .map(|c| c.1.clone().unwrap())
        .unwrap_or_else(|| "medium".to_owned());
    let stored: String = sqlx::query_scalar("SELECT priority FROM tickets WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, last);
}

#[tokio::test]
async fn a_reply_retried_with_its_idempotency_key_is_stored_once() {
    let app = spawn_app().await;
    let (_, a) = app.client_as(Role::Requester, "a@example.com").await;
    let (_, b) = app.client_as(Role::Requester, "b@example.com").await;
    let id = requester_ticket(&app, &a).await;
    let other = requester_ticket(&app, &a).await;
    let send = |client: &Client, ticket: i64, key: &str, body: &str| {
        client
            .post(app.url(&format!("/api/tickets/{ticket}/comments/")))
            .header("idempotency-key", key)
            .json(&json!({"body": body}))
            .send()
    };
    let first = send(&a, id, "reply-1", "It jams at page 3").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();

    // The answer was lost and the reply is sent again: the same answer, nothing added.
    let again = send(&a, id, "reply-1", "It jams at page 3").await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    // Eight at once with a new key: one comment, eight identical answers.
    let racing =
        futures::future::join_all((0..8).map(|_| send(&a, id, "reply-2", "And at page 5"))).await;
    let mut ids = Vec::new();
    for response in racing {
        let response = response.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        ids.push(response.json::<Value>().await.unwrap()["id"].clone());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let (comments, events): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM comments WHERE ticket_id = $1), \
                (SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND kind = 'comment_added')",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((comments, events), (2, 2));

    // The key names one request: another body, or the same body on another ticket, is refused.
    for (ticket, body) in [(id, "Something else"), (other, "It jams at page 3")] {
        assert_problem(
            send(&a, ticket, "reply-1", body).await.unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    // Keys are their owner's: another account's same key is another request (here refused as
    // not theirs to see, like any other reply of theirs would be).
    assert_problem(
        send(&b, id, "reply-1", "It jams at page 3").await.unwrap(),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        send(&app.client, id, "reply-1", "We are on it")
            .await
            .unwrap()
            .status(),
        StatusCode::CREATED
    );
    let problem = assert_problem(
        send(&a, id, "two words", "x").await.unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(problem["errors"]["Idempotency-Key"].is_array(), "{problem}");
}
