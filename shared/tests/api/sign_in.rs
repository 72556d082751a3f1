//! Built-in sign-in: passwords, one answer for every failure, rate limits, refresh-token rotation
//! with replay detection, sign-out, sign-up, and accounts that stop working at once.

use reqwest::{StatusCode, header::SET_COOKIE};
use serde_json::{Value, json};
use shared::{classifier::Classifier, config::HttpConfig, domain::Role};

use crate::helpers::{
    TestApp, assert_problem, auth_config, client_with, fresh_database, spawn_app,
    spawn_app_with_auth,
};

const PASSWORD: &str = "correct horse battery staple";

/// An account with [`PASSWORD`], made as an admin would.
async fn account_with_password(app: &TestApp, email: &str, role: &str) -> Value {
    let (_, admin) = app.client_as(Role::Admin, &format!("admin-{email}")).await;
    let response = admin
        .post(app.url("/api/users/"))
        .json(&json!({"email": email, "name": "Pat", "role": role, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.anonymous
        .post(app.url("/api/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

/// The refresh token a response sets, as `name=value` for a `Cookie` header.
fn refresh_cookie(response: &reqwest::Response) -> String {
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/auth"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    cookie.split(';').next().unwrap().to_owned()
}

async fn refresh(app: &TestApp, cookie: &str) -> reqwest::Response {
    app.anonymous
        .post(app.url("/api/auth/refresh"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_in_gives_a_working_token_and_one_answer_for_every_failure() {
    let app = spawn_app().await;
    let account = account_with_password(&app, "Pat@Example.com", "agent").await;

    let response = sign_in(&app, "pat@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    refresh_cookie(&response);
    let session: Value = response.json().await.unwrap();
    assert_eq!(session["token_type"], "Bearer");
    assert_eq!(session["expires_in"], 900);
    assert_eq!(session["user"]["id"], account["id"]);
    assert_eq!(session["user"]["role"], "agent");
    assert!(session["user"].get("password_hash").is_none());
    let me = client_with(session["access_token"].as_str())
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.json::<Value>().await.unwrap()["email"],
        "Pat@Example.com"
    );

    // Wrong password, unknown address, disabled account: the same 401 and the same words.
    sqlx::query("INSERT INTO users (email, name, role, disabled, password_hash) SELECT 'off@example.com', 'Off', 'agent', true, password_hash FROM users WHERE email = 'Pat@Example.com'")
        .execute(&app.db)
        .await
        .unwrap();
    let mut details = Vec::new();
    for (email, password) in [
        ("pat@example.com", "wrong password entirely"),
        ("nobody@example.com", PASSWORD),
        ("off@example.com", PASSWORD),
    ] {
        let response = sign_in(&app, email, password).await;
        assert!(response.headers().get(SET_COOKIE).is_none());
        assert!(
            response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        let problem = assert_problem(response, StatusCode::UNAUTHORIZED).await;
        details.push(problem["detail"].as_str().unwrap().to_owned());
    }
    assert!(
        details
            .iter()
            .all(|d| d == "The email or password is incorrect."),
        "{details:?}"
    );

    // Malformed input is a validation error, not a failed sign-in.
    let problem = assert_problem(
        sign_in(&app, "not-an-address", "x").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(problem["errors"]["email"].is_array());
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_address() {
    let app = spawn_app().await;
    account_with_password(&app, "target@example.com", "requester").await;
    // 5 at once, then 10 a minute: the sixth quick attempt is refused, even with the right
    // password, and another address is not affected.
    for _ in 0..5 {
        assert_eq!(
            sign_in(&app, "target@example.com", "wrong guess!!")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = sign_in(&app, "TARGET@example.com", PASSWORD).await;
    assert_eq!(limited.headers()["retry-after"], "60");
    assert_problem(limited, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(
        sign_in(&app, "other@example.com", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replayed_one_revokes_its_whole_sign_in() {
    let app = spawn_app().await;
    account_with_password(&app, "pat@example.com", "requester").await;
    let first = refresh_cookie(&sign_in(&app, "pat@example.com", PASSWORD).await);

    let rotated = refresh(&app, &first).await;
    assert_eq!(rotated.status(), StatusCode::OK);
    let second = refresh_cookie(&rotated);
    assert_ne!(first, second);
    let session: Value = rotated.json().await.unwrap();
    assert_eq!(session["user"]["email"], "pat@example.com");

    // The spent token again: refused, its cookie cleared, and the sign-in is over for both.
    let replayed = refresh(&app, &first).await;
    assert!(
        replayed.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_problem(replayed, StatusCode::UNAUTHORIZED).await;
    assert_problem(refresh(&app, &second).await, StatusCode::UNAUTHORIZED).await;
    let live: i64 =
        sqlx::query_scalar("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(live, 0);

    // Only hashes are stored.
    let token = second.split_once('=').unwrap().1;
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM refresh_tokens WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%'")
        .bind(token)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 0);

    // No cookie, a made-up one: 401.
    assert_problem(refresh(&app, "").await, StatusCode::UNAUTHORIZED).await;
    assert_problem(
        refresh(&app, "helpdesk_refresh=made-up").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn sign_out_ends_the_refresh_tokens_sign_in() {
    let app = spawn_app().await;
    account_with_password(&app, "pat@example.com", "requester").await;
    let cookie = refresh_cookie(&sign_in(&app, "pat@example.com", PASSWORD).await);
    let out = app
        .anonymous
        .post(app.url("/api/auth/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(
        out.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_problem(refresh(&app, &cookie).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_disabled_or_deleted_accounts_tokens_stop_at_once() {
    let app = spawn_app().await;
    let (user, token) = app.account(Role::Agent, "leaver@example.com").await;
    let client = client_with(Some(&token));
    let me = || client.get(app.url("/api/me")).send();
    assert_eq!(me().await.unwrap().status(), StatusCode::OK);

    let (_, admin) = app.client_as(Role::Admin, "boss@example.com").await;
    let disable = admin
        .patch(app.url(&format!("/api/users/{}/", user.id)))
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(disable.json::<Value>().await.unwrap()["disabled"], true);
    assert_problem(me().await.unwrap(), StatusCode::UNAUTHORIZED).await;

    admin
        .patch(app.url(&format!("/api/users/{}/", user.id)))
        .json(&json!({"disabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(me().await.unwrap().status(), StatusCode::OK);

    // Deleted behind the API's back (no process was told): within the account memory's TTL.
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(user.id)
        .execute(&app.db)
        .await
        .unwrap();
    tokio::time::sleep(shared::auth::ACCOUNT_TTL + std::time::Duration::from_millis(200)).await;
    assert_problem(me().await.unwrap(), StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn admins_cannot_lock_themselves_out_and_one_enabled_admin_always_remains() {
    let app = spawn_app().await;
    let (first, first_client) = app.client_as(Role::Admin, "first-admin@example.com").await;
    let first_path = app.url(&format!("/api/users/{}/", first.id));
    for change in [json!({"role": "agent"}), json!({"disabled": true})] {
        let response = first_client
            .patch(&first_path)
            .json(&change)
            .send()
            .await
            .unwrap();
        assert_problem(response, StatusCode::CONFLICT).await;
    }
    let db = app.db.clone();
    let role = |id: i64| {
        let db = db.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT role FROM users WHERE id = $1")
                .bind(id)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    assert_eq!(role(first.id).await, "admin");
    // Another admin may demote the first; then the second is the one that must remain.
    let (second, second_client) = app.client_as(Role::Admin, "second-admin@example.com").await;
    let demoted = second_client
        .patch(&first_path)
        .json(&json!({"role": "agent"}))
        .send()
        .await
        .unwrap();
    assert_eq!(demoted.status(), StatusCode::OK);
    assert_eq!(role(first.id).await, "agent");
    let response = second_client
        .patch(app.url(&format!("/api/users/{}/", second.id)))
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::CONFLICT).await;
    // The demoted admin's token now carries an agent's rights.
    let response = first_client
        .get(app.url("/api/users/"))
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn sign_up_is_off_unless_enabled_and_makes_requesters() {
    let app = spawn_app().await;
    let body = json!({"email": "new@example.com", "name": "New", "password": PASSWORD});
    let off = app
        .anonymous
        .post(app.url("/api/auth/signup"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(off, StatusCode::FORBIDDEN).await;

    let app = spawn_app_with_auth(
        fresh_database().await,
        Classifier::rules_only(),
        HttpConfig::default(),
        auth_config(&[("AUTH_SELF_SIGNUP", "true")]),
    )
    .await;
    let methods: Value = app
        .anonymous
        .get(app.url("/api/auth/methods"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        methods,
        json!({"builtin": true, "signup": true, "public_submission": false, "oidc": null})
    );
    let created = app
        .anonymous
        .post(app.url("/api/auth/signup"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    refresh_cookie(&created);
    let session: Value = created.json().await.unwrap();
    assert_eq!(session["user"]["role"], "requester");
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'new@example.com'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");

    let again = app
        .anonymous
        .post(app.url("/api/auth/signup"))
        .json(&json!({"email": "NEW@example.com", "name": "Again", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(again, StatusCode::CONFLICT).await;
    assert_eq!(problem["errors"]["email"], json!(["is already registered"]));
    let short = app
        .anonymous
        .post(app.url("/api/auth/signup"))
        .json(&json!({"email": "s@example.com", "name": "S", "password": "short"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(short, StatusCode::BAD_REQUEST).await;
    assert_eq!(
        problem["errors"]["password"],
        json!(["must be at least 12 characters"])
    );
}

#[tokio::test]
async fn the_built_in_issuer_publishes_its_discovery_document_and_keys() {
    let app = spawn_app().await;
    let discovery: Value = app
        .anonymous
        .get(app.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(discovery["issuer"], crate::helpers::TEST_ISSUER);
    assert_eq!(
        discovery["jwks_uri"],
        format!("{}/.well-known/jwks.json", crate::helpers::TEST_ISSUER)
    );
    let keys: Value = app
        .anonymous
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &keys["keys"][0];
    assert_eq!(
        (&key["kty"], &key["alg"], &key["use"]),
        (&json!("RSA"), &json!("RS256"), &json!("sig"))
    );
    assert!(key.get("d").is_none(), "no private part: {key}");
    assert!(key["kid"].is_string());
}
