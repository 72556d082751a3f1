//! Bearer tokens: every forgery and mistake is a 401, for the built-in issuer and for an
//! external OpenID provider (played by a local mock: discovery, JWKS, userinfo), whose tokens go
//! through the very same checks and make local accounts with roles from a claim.

use std::time::Duration;

use aws_lc_rs::{encoding::AsDer, rsa::KeyPair, rsa::KeySize};
use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use jsonwebtoken::{
    Algorithm, EncodingKey, Header,
    jwk::{Jwk, JwkSet},
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::{classifier::Classifier, config::HttpConfig, domain::Role};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{header, method, path},
};

use crate::helpers::{
    TEST_ISSUER, TestApp, assert_problem, auth_config, client_with, fresh_database, spawn_app,
    spawn_app_with_auth,
};

/// A signing key of the test's own, with its id.
struct TestKey {
    kid: String,
    encoding: EncodingKey,
}

impl TestKey {
    fn new(kid: &str) -> Self {
        let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let der = pair.as_der().unwrap();
        let body = STANDARD.encode(der.as_ref());
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|line| std::str::from_utf8(line).unwrap())
            .collect();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            lines.join("\n")
        );
        Self {
            kid: kid.to_owned(),
            encoding: EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        }
    }

    fn from_pem(kid: &str, pem: &str) -> Self {
        Self {
            kid: kid.to_owned(),
            encoding: EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        }
    }

    fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }

    fn jwk(&self) -> Jwk {
        let mut jwk = Jwk::from_encoding_key(&self.encoding, Algorithm::RS256).unwrap();
        jwk.common.key_id = Some(self.kid.clone());
        jwk
    }
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

/// The built-in issuer's current key, read where it is kept.
async fn builtin_key(app: &TestApp) -> TestKey {
    // Make sure a key exists: any token issued makes the first one.
    app.token_for(&app.agent).await;
    let (kid, pem): (String, String) =
        sqlx::query_as("SELECT kid, private_key_pem FROM signing_keys WHERE retired_at IS NULL")
            .fetch_one(&app.db)
            .await
            .unwrap();
    TestKey::from_pem(&kid, &pem)
}

async fn me_with(app: &TestApp, token: &str) -> reqwest::Response {
    client_with(Some(token))
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_forged_or_misdirected_builtin_token_is_a_401() {
    let app = spawn_app().await;
    let key = builtin_key(&app).await;
    let sub = app.agent.id.to_string();
    let good = json!({"iss": TEST_ISSUER, "sub": sub, "aud": "helpdesk", "iat": now(), "nbf": now(), "exp": now() + 600});
    assert_eq!(
        me_with(&app, &key.sign(&good)).await.status(),
        StatusCode::OK,
        "the control token works"
    );

    let with = |patch: Value| {
        let mut claims = good.clone();
        for (name, value) in patch.as_object().unwrap() {
            claims[name] = value.clone();
        }
        claims
    };
    let stranger = TestKey::new(&key.kid);
    let header = |header: Value| URL_SAFE_NO_PAD.encode(header.to_string());
    let payload = URL_SAFE_NO_PAD.encode(good.to_string());
    // An HMAC keyed with the issuer's public key (the classic algorithm confusion).
    let public_key = serde_json::to_string(&key.jwk()).unwrap();
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some(key.kid.clone());
    let hs256 = jsonwebtoken::encode(
        &hs,
        &good,
        &EncodingKey::from_secret(public_key.as_bytes()).unwrap(),
    )
    .unwrap();

    let forged = [
        ("expired", key.sign(&with(json!({"exp": now() - 120})))),
        (
            "not yet valid",
            key.sign(&with(json!({"nbf": now() + 120}))),
        ),
        (
            "wrong issuer",
            key.sign(&with(json!({"iss": "http://evil.test"}))),
        ),
        (
            "wrong audience",
            key.sign(&with(json!({"aud": "someone-else"}))),
        ),
        (
            "no audience",
            key.sign(&{
                let mut c = good.clone();
                c.as_object_mut().unwrap().remove("aud");
                c
            }),
        ),
        ("bad signature", stranger.sign(&good)),
        (
            "alg none",
            format!(
                "{}.{payload}.",
                header(json!({"alg": "none", "kid": key.kid}))
            ),
        ),
        ("HS256 with the public key", hs256),
        ("unknown kid", TestKey::new("no-such-key").sign(&good)),
        ("no such account", key.sign(&with(json!({"sub": "999999"})))),
        ("not a token", "garbage".to_owned()),
    ];
    for (what, token) in forged {
        let response = me_with(&app, &token).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
        assert!(
            response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer"),
            "{what}"
        );
        assert_problem(response, StatusCode::UNAUTHORIZED).await;
    }
    // Small clock skew is tolerated.
    let skewed = key.sign(&with(json!({"nbf": now() + 10, "exp": now() - 10})));
    assert_eq!(me_with(&app, &skewed).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_rotated_key_keeps_its_tokens_valid_and_signs_no_more() {
    let app = spawn_app().await;
    let old = app.token_for(&app.agent).await;
    let old_kid = jsonwebtoken::decode_header(&old).unwrap().kid.unwrap();
    shared::auth::issuer::add_key(&app.db, true, Duration::from_secs(900))
        .await
        .unwrap();
    // The keys are re-read when a token names one this process does not know.
    assert_eq!(me_with(&app, &old).await.status(), StatusCode::OK);
    app.auth.builtin().unwrap().reload().await.unwrap();
    let new = app.token_for(&app.agent).await;
    let new_kid = jsonwebtoken::decode_header(&new).unwrap().kid.unwrap();
    assert_ne!(old_kid, new_kid);
    assert_eq!(me_with(&app, &new).await.status(), StatusCode::OK);
    let keys: Value = app
        .anonymous
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kids: Vec<&str> = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(
        kids,
        [new_kid.as_str(), old_kid.as_str()],
        "the retired key stays published"
    );
}

/// A mock OpenID provider: discovery, keys and userinfo.
struct Provider {
    server: MockServer,
    key: TestKey,
}

impl Provider {
    async fn start() -> Self {
        let server = MockServer::builder().start().await;
        let key = TestKey::new("provider-key-1");
        let issuer = server.uri();
        Mock::given(method("GET"))
            .and(path("/.well-known/openid-configuration"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "issuer": issuer,
                "jwks_uri": format!("{issuer}/jwks"),
                "userinfo_endpoint": format!("{issuer}/userinfo"),
            })))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/jwks"))
            .respond_with(ResponseTemplate::new(200).set_body_json(JwkSet {
                keys: vec![key.jwk()],
            }))
            .mount(&server)
            .await;
        Self { server, key }
    }

    fn issuer(&self) -> String {
        self.server.uri()
    }

    fn token(&self, claims: Value) -> String {
        let mut all = json!({"iss": self.issuer(), "iat": now(), "exp": now() + 600});
        for (name, value) in claims.as_object().unwrap() {
            all[name] = value.clone();
        }
        self.key.sign(&all)
    }

    async fn jwks_fetches(&self) -> usize {
        self.server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|request| request.url.path() == "/jwks")
            .count()
    }
}

async fn app_trusting(provider: &Provider) -> TestApp {
    let issuer = provider.issuer();
    spawn_app_with_auth(
        fresh_database().await,
        Classifier::rules_only(),
        HttpConfig::default(),
        auth_config(&[
            ("AUTH_OIDC_ISSUER", &issuer),
            ("AUTH_OIDC_CLIENT_ID", "spa-client"),
            ("AUTH_OIDC_AUDIENCE", "https://api.helpdesk.test,spa-client"),
            ("AUTH_ROLES_CLAIM", "cognito:groups"),
            ("AUTH_AGENT_ROLES", "support"),
        ]),
    )
    .await
}

#[tokio::test]
async fn an_external_providers_tokens_make_accounts_with_roles_from_a_claim() {
    let provider = Provider::start().await;
    let app = app_trusting(&provider).await;
    let token = provider.token(json!({"sub": "ext-1", "aud": "https://api.helpdesk.test",
        "email": "ext@example.com", "name": "Ex Ternal", "cognito:groups": ["support"]}));
    let me: Value = me_with(&app, &token).await.json().await.unwrap();
    assert_eq!(
        (&me["email"], &me["name"], &me["role"]),
        (
            &json!("ext@example.com"),
            &json!("Ex Ternal"),
            &json!("agent")
        )
    );
    let (issuer, subject): (String, String) =
        sqlx::query_as("SELECT oidc_issuer, oidc_subject FROM users WHERE id = $1")
            .bind(me["id"].as_i64().unwrap())
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((issuer, subject.as_str()), (provider.issuer(), "ext-1"));

    // The provider is the source of roles: a token without the group makes a requester of the
    // same account.
    let demoted =
        provider.token(json!({"sub": "ext-1", "aud": "spa-client", "email": "ext@example.com"}));
    let me_again: Value = me_with(&app, &demoted).await.json().await.unwrap();
    assert_eq!(
        (&me_again["id"], &me_again["role"]),
        (&me["id"], &json!("requester"))
    );

    // Cognito access tokens carry no `aud` and no address: `client_id` is the audience, and the
    // address comes from the provider's userinfo endpoint once.
    let cognito = provider.token(
        json!({"sub": "ext-2", "client_id": "spa-client", "token_use": "access",
        "username": "cog", "cognito:groups": ["admin"]}),
    );
    Mock::given(method("GET"))
        .and(path("/userinfo"))
        .and(header(
            "authorization",
            format!("Bearer {cognito}").as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"sub": "ext-2", "email": "cog@example.com"})),
        )
        .mount(&provider.server)
        .await;
    let me: Value = me_with(&app, &cognito).await.json().await.unwrap();
    for _ in 0..3 {
        assert_eq!(me_with(&app, &cognito).await.status(), StatusCode::OK);
    }
    let userinfo_calls = provider
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|request| request.url.path() == "/userinfo")
        .count();
    assert_eq!(
        userinfo_calls, 1,
        "userinfo is asked once, when the account is made"
    );
    // The provider's groups set the role: an admin cannot change it here.
    let (_, admin) = app.client_as(Role::Admin, "local-admin@example.com").await;
    let change = admin
        .patch(app.url(&format!("/api/users/{}/", me["id"])))
        .json(&json!({"role": "requester"}))
        .send()
        .await
        .unwrap();
    assert_problem(change, StatusCode::CONFLICT).await;
    assert_eq!(
        (&me["email"], &me["name"], &me["role"]),
        (&json!("cog@example.com"), &json!("cog"), &json!("admin"))
    );

    // Another client's token, or a token whose address belongs to a password account, is not let in.
    let other_client = provider
        .token(json!({"sub": "ext-3", "client_id": "someone-else", "email": "x@example.com"}));
    assert_problem(me_with(&app, &other_client).await, StatusCode::UNAUTHORIZED).await;
    app.account(Role::Requester, "taken@example.com").await;
    sqlx::query("UPDATE users SET password_hash = 'x' WHERE email = 'taken@example.com'")
        .execute(&app.db)
        .await
        .unwrap();
    let takeover =
        provider.token(json!({"sub": "ext-4", "aud": "spa-client", "email": "taken@example.com"}));
    assert_problem(me_with(&app, &takeover).await, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn unknown_key_ids_refetch_the_providers_keys_at_most_once_a_minute() {
    let provider = Provider::start().await;
    let app = app_trusting(&provider).await;
    let good =
        provider.token(json!({"sub": "ext-1", "aud": "spa-client", "email": "ext@example.com"}));
    assert_eq!(me_with(&app, &good).await.status(), StatusCode::OK);
    assert_eq!(
        provider.jwks_fetches().await,
        1,
        "fetched once, then cached"
    );

    let rogue = TestKey::new("rotated-in-maybe");
    for n in 0..25 {
        let token = rogue.sign(&json!({"iss": provider.issuer(), "sub": format!("x{n}"), "aud": "spa-client", "exp": now() + 600}));
        assert_problem(me_with(&app, &token).await, StatusCode::UNAUTHORIZED).await;
    }
    // The keys were fetched less than a minute ago: however many unknown key ids arrive, the
    // provider is not asked again (the built-in issuer's refetch on an unknown key id, on a
    // shorter interval, is shown by the key rotation test).
    assert_eq!(
        provider.jwks_fetches().await,
        1,
        "no refetch within the minute"
    );
    assert_eq!(
        me_with(&app, &good).await.status(),
        StatusCode::OK,
        "known keys still work"
    );
    // The built-in issuer is not confused with the provider.
    let builtin = app.token_for(&app.agent).await;
    assert_eq!(me_with(&app, &builtin).await.status(), StatusCode::OK);
}
