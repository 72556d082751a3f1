//! Conditional requests on the ticket lists and the statistics: an `ETag` on each answer, `304
//! Not Modified` for `If-None-Match` while nothing shown changed, and a full answer as soon as a
//! write (through the API or not, committed in any order), another caller or the time (SLA
//! states, the statistics' medians) changes it.

use chrono::{DateTime, Duration, Utc};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use shared::{domain::Role, repository};
use sqlx::{Connection, PgConnection};

use crate::helpers::{TestApp, spawn_app};

/// GET `path` as `client`, with `If-None-Match: tag` when given.
async fn get(app: &TestApp, client: &Client, path: &str, tag: Option<&str>) -> Response {
    let mut request = client.get(app.url(path));
    if let Some(tag) = tag {
        request = request.header("If-None-Match", tag);
    }
    request.send().await.unwrap()
}

fn etag(response: &Response) -> String {
    response
        .headers()
        .get("etag")
        .unwrap_or_else(|| panic!("an ETag on {}", response.url()))
        .to_str()
        .unwrap()
        .to_owned()
}

/// A full answer: 200, its tag (new unless `previous` is None) and its JSON.
async fn full(response: Response, previous: Option<&str>) -> (String, Value) {
    assert_eq!(response.status(), StatusCode::OK, "{}", response.url());
    let tag = etag(&response);
    if let Some(previous) = previous {
        assert_ne!(tag, previous, "a changed answer has a new tag");
    }
    (tag, response.json().await.unwrap())
}

/// A 304 confirming `tag`, without a body.
async fn unchanged(response: Response, tag: &str) {
    assert_eq!(
        response.status(),
        StatusCode::NOT_MODIFIED,
        "{}",
        response.url()
    );
    assert_eq!(etag(&response), tag);
    assert!(response.bytes().await.unwrap().is_empty());
}

fn ids(page: &Value) -> Vec<i64> {
    page.as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

async fn create(app: &TestApp, title: &str) -> i64 {
    app.create_ticket(json!({"title": title, "description": "It drops",
                             "category": "technical", "priority": "high"}))
        .await["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_list_is_answered_304_until_any_write_changes_what_it_shows() {
    let app = spawn_app().await;
    let first = create(&app, "VPN drops").await;
    let list = "/api/tickets/?status=open";

    let response = get(&app, &app.client, list, None).await;
    let headers = response.headers().clone();
    assert_eq!(headers["cache-control"], "private, no-cache");
    assert_eq!(headers["vary"], "Authorization");
    let (tag, page) = full(response, None).await;
    assert_eq!(ids(&page), [first]);
    unchanged(get(&app, &app.client, list, Some(&tag)).await, &tag).await;
    // One of several tags, weak or not, is enough.
    let several = format!("\"1-1\", W/{tag}");
    unchanged(get(&app, &app.client, list, Some(&several)).await, &tag).await;

    // A create through the API.
    let second = create(&app, "Printer jams").await;
    let (tag, page) = full(get(&app, &app.client, list, Some(&tag)).await, Some(&tag)).await;
    assert_eq!(ids(&page), [second, first]);
    unchanged(get(&app, &app.client, list, Some(&tag)).await, &tag).await;

    // A change through the API.
    let patched = app
        .patch_json(
            &format!("/api/tickets/{first}/"),
            &json!({"status": "closed"}),
        )
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    let (tag, page) = full(get(&app, &app.client, list, Some(&tag)).await, Some(&tag)).await;
    assert_eq!(ids(&page), [second]);

    // Writes that bypass the API: a title edited in SQL, and a requester's name.
    sqlx::query("UPDATE tickets SET title = 'Printer jams daily' WHERE id = $1")
        .bind(second)
        .execute(&app.db)
        .await
        .unwrap();
    let (tag, page) = full(get(&app, &app.client, list, Some(&tag)).await, Some(&tag)).await;
    assert_eq!(page[0]["title"], "Printer jams daily");
    sqlx::query("UPDATE users SET name = 'Renamed' WHERE id = $1")
        .bind(app.agent.id)
        .execute(&app.db)
        .await
        .unwrap();
    let (tag, _) = full(get(&app, &app.client, list, Some(&tag)).await, Some(&tag)).await;

    // A write to something no list shows (another account's sign-in data) keeps the tag.
    sqlx::query("UPDATE users SET password_hash = 'x' WHERE id = $1")
        .bind(app.agent.id)
        .execute(&app.db)
        .await
        .unwrap();
    unchanged(get(&app, &app.client, list, Some(&tag)).await, &tag).await;

    // Another query is another answer: the tag of this one does not hold there.
    let other = "/api/tickets/?status=open&limit=1";
    let (other_tag, _) = full(get(&app, &app.client, other, Some(&tag)).await, None).await;
    assert_ne!(other_tag, tag);
}

#[tokio::test]
async fn an_empty_page_has_a_tag_and_its_first_ticket_ends_it() {
    let app = spawn_app().await;
    let list = "/api/tickets/?category=billing";
    let (tag, page) = full(get(&app, &app.client, list, None).await, None).await;
    assert_eq!(ids(&page), Vec::<i64>::new());
    unchanged(get(&app, &app.client, list, Some(&tag)).await, &tag).await;
    let id = app
        .create_ticket(json!({"title": "Invoice", "description": "Charged twice",
                              "category": "billing", "priority": "low"}))
        .await["id"]
        .as_i64()
        .unwrap();
    let (_, page) = full(get(&app, &app.client, list, Some(&tag)).await, Some(&tag)).await;
    assert_eq!(ids(&page), [id]);
}

#[tokio::test]
async fn writes_committed_after_the_read_or_out_of_order_are_never_hidden_by_a_304() {
    let app = spawn_app().await;
    let list = "/api/tickets/";
    let url = app.db.connect_options();
    let mut older = PgConnection::connect_with(&url).await.unwrap();
    let mut newer = PgConnection::connect_with(&url).await.unwrap();
    let insert = "INSERT INTO tickets (title, description, category, priority) \
                  VALUES ($1, 'x', 'general', 'low') RETURNING id";

    // Every statistics counter of these labels above zero first, so that neither writer waits
    // for the other's lock on the day's row (taken when a counter leaves zero).
    sqlx::query(
        "INSERT INTO tickets (title, description, category, priority) \
         SELECT 'before ' || n, 'x', 'general', 'low' FROM generate_series(1, 4) AS n",
    )
    .execute(&app.db)
    .await
    .unwrap();
    // The older transaction writes first and commits last.
    let begin_and_insert = async |connection: &mut PgConnection, title: &str| -> i64 {
        sqlx::query("BEGIN")
            .execute(&mut *connection)
            .await
            .unwrap();
        sqlx::query_scalar(insert)
            .bind(title)
            .fetch_one(&mut *connection)
            .await
            .unwrap()
    };
    let late = begin_and_insert(&mut older, "late").await;
    let early = begin_and_insert(&mut newer, "early").await;
    sqlx::query("COMMIT").execute(&mut newer).await.unwrap();

    let (tag, page) = full(get(&app, &app.client, list, None).await, None).await;
    assert!(ids(&page).contains(&early) && !ids(&page).contains(&late));
    sqlx::query("COMMIT").execute(&mut older).await.unwrap();
    let (_, page) = full(get(&app, &app.client, list, Some(&tag)).await, Some(&tag)).await;
    assert!(ids(&page).contains(&late));

    // Each writing transaction counted once, however many rows it wrote.
    let before = repository::change_version(&app.db).await.unwrap();
    sqlx::query(
        "INSERT INTO tickets (title, description, category, priority) \
         SELECT 'bulk ' || n, 'x', 'general', 'low' FROM generate_series(1, 50) AS n",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let after = repository::change_version(&app.db).await.unwrap();
    assert_eq!(after, before + 1);
}

#[tokio::test]
async fn a_tag_holds_only_for_the_caller_it_was_made_for() {
    let app = spawn_app().await;
    let (_, requester) = app.client_as(Role::Requester, "a@example.com").await;
    let theirs = app
        .create_ticket(json!({"title": "VPN", "description": "It drops",
                              "requester_email": "a@example.com"}))
        .await["id"]
        .as_i64()
        .unwrap();
    let others = create(&app, "Not theirs").await;
    let list = "/api/tickets/";
    let (staff_tag, page) = full(get(&app, &app.client, list, None).await, None).await;
    assert_eq!(ids(&page), [others, theirs]);
    // The agent's tag, sent by the requester (one browser, two accounts): their own answer.
    let (tag, page) = full(get(&app, &requester, list, Some(&staff_tag)).await, None).await;
    assert_ne!(tag, staff_tag);
    assert_eq!(ids(&page), [theirs]);
    unchanged(get(&app, &requester, list, Some(&tag)).await, &tag).await;
}

#[tokio::test]
async fn a_list_tag_expires_when_a_shown_sla_state_changes_and_sla_queues_have_none() {
    let app = spawn_app().await;
    let created = app
        .create_ticket(json!({"title": "VPN", "description": "It drops",
                              "category": "technical", "priority": "high"}))
        .await;
    let due: DateTime<Utc> = created["sla_due_at"].as_str().unwrap().parse().unwrap();
    let warn = due - Duration::hours(1);
    let tick = Duration::microseconds(1);
    let list = "/api/tickets/";

    let (tag, page) = full(get(&app, &app.client, list, None).await, None).await;
    assert_eq!(page[0]["sla"], "ok");
    app.clock.set(warn - tick);
    unchanged(get(&app, &app.client, list, Some(&tag)).await, &tag).await;
    app.clock.set(warn);
    let (tag, page) = full(get(&app, &app.client, list, Some(&tag)).await, Some(&tag)).await;
    assert_eq!(page[0]["sla"], "due_soon");
    app.clock.set(due);
    let (tag, page) = full(get(&app, &app.client, list, Some(&tag)).await, Some(&tag)).await;
    assert_eq!(page[0]["sla"], "breached");
    // Breached stays breached until a write: the tag holds from now on.
    app.clock.set(due + Duration::days(3));
    unchanged(get(&app, &app.client, list, Some(&tag)).await, &tag).await;

    let queue = get(&app, &app.client, "/api/tickets/?sla=breached", Some(&tag)).await;
    assert_eq!(queue.status(), StatusCode::OK);
    assert!(queue.headers().get("etag").is_none());
}

#[tokio::test]
async fn the_statistics_are_answered_304_until_a_write_a_due_time_or_the_medians_change_them() {
    let app = spawn_app().await;
    let stats = "/api/tickets/stats/";
    let created = app
        .create_ticket(json!({"title": "VPN", "description": "It drops",
                              "category": "technical", "priority": "high"}))
        .await;
    let due: DateTime<Utc> = created["sla_due_at"].as_str().unwrap().parse().unwrap();

    let (tag, body) = full(get(&app, &app.client, stats, None).await, None).await;
    assert_eq!(body["total_tickets"], 1);
    unchanged(get(&app, &app.client, stats, Some(&tag)).await, &tag).await;

    app.create_ticket(json!({"title": "Printer jams", "description": "Again",
                             "category": "technical", "priority": "low"}))
        .await;
    let (tag, body) = full(get(&app, &app.client, stats, Some(&tag)).await, Some(&tag)).await;
    assert_eq!(body["total_tickets"], 2);

    // The medians are served for a minute, then computed again.
    app.clock.set(app.clock.now() + Duration::seconds(59));
    unchanged(get(&app, &app.client, stats, Some(&tag)).await, &tag).await;
    app.clock.set(app.clock.now() + Duration::seconds(2));
    let (tag, body) = full(get(&app, &app.client, stats, Some(&tag)).await, Some(&tag)).await;
    assert_eq!(body["sla_breached"], 0);

    // The first due time passing changes the breached count.
    app.clock.set(due);
    let (_, body) = full(get(&app, &app.client, stats, Some(&tag)).await, Some(&tag)).await;
    assert_eq!(body["sla_breached"], 1);

    // A requester still gets no statistics, tag or not.
    let (_, requester) = app.client_as(Role::Requester, "a@example.com").await;
    let refused = get(&app, &requester, stats, Some(&tag)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}
