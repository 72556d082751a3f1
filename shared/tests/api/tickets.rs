use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn create_returns_201_with_location_and_stores_the_row() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/tickets/",
            &json!({"title": "  Refund please ", "description": "Charged twice", "category": "billing", "priority": "high"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let ticket: Value = response.json().await.unwrap();
    let id = ticket["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/tickets/{id}/"));
    assert_eq!(ticket["title"], "Refund please", "title is trimmed");
    assert_eq!(ticket["description"], "Charged twice");
    assert_eq!(ticket["category"], "billing");
    assert_eq!(ticket["priority"], "high");
    assert_eq!(ticket["status"], "open");
    let created_at = ticket["created_at"].as_str().unwrap();
    assert!(created_at.ends_with('Z'), "RFC 3339 UTC: {created_at}");
    assert_eq!(ticket["created_at"], ticket["updated_at"]);

    let row: (String, String, String, String, String) = sqlx::query_as(
        "SELECT title, description, category, priority, status FROM tickets WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            "Refund please".into(),
            "Charged twice".into(),
            "billing".into(),
            "high".into(),
            "open".into()
        )
    );

    let fetched: Value = app.get(&location).await.json().await.unwrap();
    assert_eq!(fetched, ticket);
}

#[tokio::test]
async fn create_without_labels_classifies_the_description() {
    let app = spawn_app().await;
    let ticket = app
        .create_ticket(json!({
            "title": "Double charge",
            "description": "I was charged twice for my subscription this month, please refund the duplicate payment."
        }))
        .await;
    assert_eq!(ticket["category"], "billing");
    let stored: String = sqlx::query_scalar("SELECT category FROM tickets WHERE id = $1")
        .bind(ticket["id"].as_i64().unwrap())
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, "billing");
}

#[tokio::test]
async fn a_given_label_is_kept_and_only_the_missing_one_is_suggested() {
    let app = spawn_app().await;
    let ticket = app
        .create_ticket(json!({
            "title": "Invoice question", "description": "Where can I download my invoice?", "category": "general"
        }))
        .await;
    assert_eq!(ticket["category"], "general");
    assert!(["low", "medium", "high", "critical"].contains(&ticket["priority"].as_str().unwrap()));
}

#[tokio::test]
async fn create_validation_errors_name_each_field_and_write_nothing() {
    let app = spawn_app().await;
    let cases = [
        (json!({"description": "x"}), "title", "is required"),
        (
            json!({"title": "   ", "description": "x"}),
            "title",
            "must not be blank",
        ),
        (
            json!({"title": "a".repeat(201), "description": "x"}),
            "title",
            "must be at most 200 characters",
        ),
        (
            json!({"title": "t", "description": "a".repeat(10_001)}),
            "description",
            "must be at most 10000 characters",
        ),
        (
            json!({"title": "t", "description": ""}),
            "description",
            "must not be blank",
        ),
        (
            json!({"title": 12, "description": "x"}),
            "title",
            "must be a string",
        ),
        (
            json!({"title": "t", "description": "x", "category": "food"}),
            "category",
            "must be one of: billing, technical, account, general",
        ),
        (
            json!({"title": "t", "description": "x", "priority": "urgent"}),
            "priority",
            "must be one of: low, medium, high, critical",
        ),
        (
            json!({"title": "t", "description": "x", "status": "closed"}),
            "status",
            "is not an accepted field (accepted: title, description, category, priority, requester_email, requester_name)",
        ),
        (
            json!({"title": "nul\u{0}", "description": "x"}),
            "title",
            "must not contain control characters or line breaks",
        ),
    ];
    for (body, field, message) in cases {
        let problem = assert_problem(
            app.post_json("/api/tickets/", &body).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(problem["title"], "Validation failed");
        assert_eq!(problem["errors"][field], json!([message]), "{body}");
    }
    assert_eq!(app.count_rows().await, 0);
}

#[tokio::test]
async fn title_length_counts_characters_not_bytes() {
    let app = spawn_app().await;
    let title = "ü".repeat(200);
    let ticket = app.create_ticket(json!({"title": title, "description": "umlauts", "category": "general", "priority": "low"})).await;
    assert_eq!(ticket["title"].as_str().unwrap().chars().count(), 200);
}

#[tokio::test]
async fn get_unknown_or_impossible_ids_is_404() {
    let app = spawn_app().await;
    for path in [
        "/api/tickets/999/",
        "/api/tickets/0",
        "/api/tickets/abc/",
        "/api/tickets/99999999999999999999999/",
        "/api/tickets/-1",
    ] {
        assert_problem(app.get(path).await, StatusCode::NOT_FOUND).await;
    }
}

#[tokio::test]
async fn patch_changes_only_the_given_labels_and_moves_updated_at() {
    let app = spawn_app().await;
    let ticket = app
        .create_ticket(
            json!({"title": "t", "description": "d", "category": "general", "priority": "low"}),
        )
        .await;
    let id = ticket["id"].as_i64().unwrap();
    // Age the row so that a new updated_at is observable.
    sqlx::query("UPDATE tickets SET created_at = created_at - interval '1 hour', updated_at = updated_at - interval '1 hour' WHERE id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();

    let response = app
        .patch_json(
            &format!("/api/tickets/{id}"),
            &json!({"status": "in_progress", "priority": "high"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let updated: Value = response.json().await.unwrap();
    assert_eq!(updated["status"], "in_progress");
    assert_eq!(updated["priority"], "high");
    assert_eq!(updated["category"], "general");
    assert!(updated["updated_at"].as_str().unwrap() > updated["created_at"].as_str().unwrap());

    let (status, priority, category, moved): (String, String, String, bool) = sqlx::query_as(
        "SELECT status, priority, category, updated_at > created_at + interval '30 minutes' FROM tickets WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), priority.as_str(), category.as_str(), moved),
        ("in_progress", "high", "general", true)
    );
}

#[tokio::test]
async fn patch_refuses_other_fields_bad_values_and_nulls() {
    let app = spawn_app().await;
    let ticket = app
        .create_ticket(
            json!({"title": "t", "description": "d", "category": "general", "priority": "low"}),
        )
        .await;
    let path = format!("/api/tickets/{}/", ticket["id"]);

    let problem = assert_problem(
        app.patch_json(&path, &json!({"title": "renamed"})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        problem["errors"]["title"],
        json!(["is not an accepted field (accepted: status, category, priority, assignee_id)"])
    );
    let problem = assert_problem(
        app.patch_json(&path, &json!({"status": "done"})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        problem["errors"]["status"],
        json!(["must be one of: open, in_progress, resolved, closed"])
    );
    let problem = assert_problem(
        app.patch_json(&path, &json!({"status": null})).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(problem["errors"]["status"], json!(["must not be null"]));
    assert_problem(
        app.patch_json("/api/tickets/424242/", &json!({"status": "closed"}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let (title, status): (String, String) = sqlx::query_as("SELECT title, status FROM tickets")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        (title.as_str(), status.as_str()),
        ("t", "open"),
        "nothing changed"
    );

    // An empty patch changes nothing, not even updated_at.
    let unchanged = app.patch_json(&path, &json!({})).await;
    assert_eq!(unchanged.status(), StatusCode::OK);
    let unchanged: Value = unchanged.json().await.unwrap();
    assert_eq!(unchanged["updated_at"], ticket["updated_at"]);
}

async fn seed(app: &crate::helpers::TestApp) {
    let rows = [
        (
            "Printer jammed",
            "technical",
            "low",
            "open",
            "2026-01-01T10:00:00Z",
        ),
        (
            "Card charged twice",
            "billing",
            "high",
            "open",
            "2026-01-02T10:00:00Z",
        ),
        (
            "Cannot log in",
            "account",
            "high",
            "in_progress",
            "2026-01-03T10:00:00Z",
        ),
        (
            "Server down",
            "technical",
            "critical",
            "open",
            "2026-01-04T10:00:00Z",
        ),
        (
            "Refund 100% please",
            "billing",
            "medium",
            "resolved",
            "2026-01-05T10:00:00Z",
        ),
        (
            "snake_case question",
            "general",
            "low",
            "closed",
            "2026-01-06T10:00:00Z",
        ),
        (
            "O'Brien's invoice",
            "billing",
            "low",
            "open",
            "2026-01-07T10:00:00Z",
        ),
    ];
    for (title, category, priority, status, created_at) in rows {
        app.insert_row(title, category, priority, status, created_at)
            .await;
    }
}

async fn titles(app: &crate::helpers::TestApp, query: &str) -> Vec<String> {
    let response = app.get(&format!("/api/tickets/?{query}")).await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    let tickets: Vec<Value> = response.json().await.unwrap();
    tickets
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn list_is_newest_first_and_filters_combine() {
    let app = spawn_app().await;
    seed(&app).await;
    assert_eq!(
        titles(&app, "").await,
        [
            "O'Brien's invoice",
            "snake_case question",
            "Refund 100% please",
            "Server down",
            "Cannot log in",
            "Card charged twice",
            "Printer jammed"
        ]
    );
    assert_eq!(
        titles(&app, "category=billing").await,
        [
            "O'Brien's invoice",
            "Refund 100% please",
            "Card charged twice"
        ]
    );
    assert_eq!(
        titles(&app, "priority=high").await,
        ["Cannot log in", "Card charged twice"]
    );
    assert_eq!(
        titles(&app, "status=open").await,
        [
            "O'Brien's invoice",
            "Server down",
            "Card charged twice",
            "Printer jammed"
        ]
    );
    assert_eq!(
        titles(&app, "category=billing&status=open").await,
        ["O'Brien's invoice", "Card charged twice"]
    );
    assert_eq!(
        titles(&app, "category=technical&priority=critical&status=open").await,
        ["Server down"]
    );
    assert_eq!(
        titles(&app, "category=billing&search=refund").await,
        ["Refund 100% please"]
    );
    assert!(
        titles(&app, "category=account&status=open")
            .await
            .is_empty()
    );
    // An empty search is no search; an empty label is not a label.
    assert_eq!(titles(&app, "search=&cursor=").await.len(), 7);
    let problem = assert_problem(
        app.get("/api/tickets/?category=").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(problem["errors"]["category"].is_array());
}

#[tokio::test]
async fn search_is_case_insensitive_and_wildcards_are_literal() {
    let app = spawn_app().await;
    seed(&app).await;
    assert_eq!(titles(&app, "search=PRINTER").await, ["Printer jammed"]);
    assert_eq!(titles(&app, "search=jAmMeD").await, ["Printer jammed"]);
    // In the description too (every seeded description ends in "(description)").
    assert_eq!(
        titles(&app, "search=charged%20twice%20(desc").await,
        ["Card charged twice"]
    );
    assert_eq!(titles(&app, "search=100%25").await, ["Refund 100% please"]);
    assert!(
        titles(&app, "search=fund%25please").await.is_empty(),
        "% is literal (a wildcard would match \"Refund 100% please\")"
    );
    assert_eq!(
        titles(&app, "search=snake_c").await,
        ["snake_case question"]
    );
    assert!(
        titles(&app, "search=Card_charged").await.is_empty(),
        "_ is literal (a wildcard would match the space of \"Card charged twice\")"
    );
    assert_eq!(
        titles(&app, "search=o%27brien").await,
        ["O'Brien's invoice"],
        "quote is data"
    );
    assert!(
        titles(&app, "search=print%5Cer").await.is_empty(),
        "backslash is literal (an escape would make it \"printer\")"
    );
    assert!(
        titles(&app, "search=nothing%20like%20this")
            .await
            .is_empty()
    );
    // Title and description are searched as one indexed text, joined by a separator no search
    // can contain: text running from the end of the title into the description is no match.
    // ("Printer jammed" is described as "Printer jammed (description)".)
    for across in ["jammed%20printer", "jammedprinter"] {
        assert!(
            titles(&app, &format!("search={across}")).await.is_empty(),
            "{across}"
        );
    }
}

#[tokio::test]
async fn a_search_without_three_letters_or_digits_in_a_row_is_a_400() {
    let app = spawn_app().await;
    for short in ["ab", "%25", "a-b-c", "%F0%9F%8E%AB", "_%20_"] {
        let problem = assert_problem(
            app.get(&format!("/api/tickets/?search={short}")).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(
            problem["errors"]["search"][0],
            "must contain at least three letters or digits in a row",
            "{short}"
        );
    }
    let found = app.get("/api/tickets/?search=404").await;
    assert_eq!(found.status(), StatusCode::OK);
}

#[tokio::test]
async fn pages_follow_the_link_header_without_overlap_or_gap() {
    let app = spawn_app().await;
    // Many tickets share a creation time, so the id must break ties.
    for i in 0..23 {
        let at = format!("2026-02-{:02}T08:00:00Z", 1 + i % 5);
        app.insert_row(&format!("Ticket {i:02}"), "general", "low", "open", &at)
            .await;
    }
    let mut seen = Vec::new();
    let mut next = Some("/api/tickets/?limit=5&category=general".to_owned());
    let mut pages = 0;
    while let Some(path) = next {
        let response = app.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK);
        next = response.headers().get("link").map(|link| {
            let link = link.to_str().unwrap();
            assert!(link.ends_with(">; rel=\"next\""), "{link}");
            assert!(
                link.contains("category=general") && link.contains("limit=5"),
                "filters kept: {link}"
            );
            link.trim_start_matches('<')
                .split('>')
                .next()
                .unwrap()
                .to_owned()
        });
        let page: Vec<Value> = response.json().await.unwrap();
        assert!(page.len() <= 5);
        seen.extend(page.iter().map(|t| {
            (
                t["created_at"].as_str().unwrap().to_owned(),
                t["id"].as_i64().unwrap(),
            )
        }));
        pages += 1;
    }
    assert_eq!(pages, 5);
    assert_eq!(seen.len(), 23, "no gap");
    let mut expected = seen.clone();
    expected.sort_by(|a, b| b.cmp(a));
    expected.dedup();
    assert_eq!(seen, expected, "strictly newest first, no overlap");
}

#[tokio::test]
async fn the_last_full_page_has_no_next_link_and_limit_defaults_to_50() {
    let app = spawn_app().await;
    for i in 0..50 {
        app.insert_row(
            &format!("T{i}"),
            "general",
            "low",
            "open",
            "2026-03-01T00:00:00Z",
        )
        .await;
    }
    let response = app.get("/api/tickets").await;
    assert!(response.headers().get("link").is_none());
    assert_eq!(response.json::<Vec<Value>>().await.unwrap().len(), 50);
    app.insert_row("T50", "general", "low", "open", "2026-03-01T00:00:00Z")
        .await;
    let response = app.get("/api/tickets").await;
    assert!(response.headers().get("link").is_some());
    assert_eq!(response.json::<Vec<Value>>().await.unwrap().len(), 50);
}

#[tokio::test]
async fn bad_list_parameters_are_400_with_field_errors() {
    let app = spawn_app().await;
    let cases = [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("limit=99999999999999999999999", "limit"),
        ("cursor=garbage", "cursor"),
        ("category=Billing", "category"),
        ("priority=urgent", "priority"),
        ("status=done", "status"),
        ("status=open&status=closed", "status"),
        ("sort=title", "sort"),
        ("search=a%00b", "search"),
        ("search=a%1Fb", "search"),
    ];
    for (query, field) in cases {
        let problem = assert_problem(
            app.get(&format!("/api/tickets/?{query}")).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(problem["errors"][field].is_array(), "{query}: {problem}");
    }
    let long = format!("/api/tickets/?search={}", "a".repeat(201));
    assert_problem(app.get(&long).await, StatusCode::BAD_REQUEST).await;
    let huge = format!("/api/tickets/?search={}", "a".repeat(5000));
    assert_problem(app.get(&huge).await, StatusCode::BAD_REQUEST).await;
}
