//! What checking a bearer token costs a request: the signature and claims with the issuer's key
//! cached (`Verifier::verify`); the whole check as requests pay it, the account remembered for
//! `auth::ACCOUNT_TTL` (`Auth::authenticate`); and the database read it saves. A benchmark: it
//! prints figures.
//!
//!     DATABASE_URL=postgres://… cargo bench -p shared --bench token_check

use std::time::Instant;

use shared::{
    auth::Auth,
    config::{Config, Runtime},
    db::MIGRATOR,
    domain::{Email, Role},
    repository,
};

const ROUNDS: u32 = 20_000;

#[tokio::main]
async fn main() {
    let url =
        std::env::var("DATABASE_URL").expect("DATABASE_URL: a database the benchmark may migrate");
    let config = Config::from_lookup(Runtime::Server, |name| match name {
        "DATABASE_URL" => Some(url.clone()),
        "AUTH_ISSUER" => Some("http://bench.helpdesk.test".to_owned()),
        _ => None,
    })
    .expect("configuration");
    let pool = sqlx::PgPool::connect(&url).await.expect("connect");
    MIGRATOR.run(&pool).await.expect("migrate");
    let email = Email::parse("token-bench@example.com").unwrap();
    let user = repository::set_account(&pool, &email, "Bench", Role::Agent, "no password")
        .await
        .expect("account");
    let auth = Auth::new(&config.auth, pool.clone(), reqwest::Client::new());
    let token = auth
        .builtin()
        .unwrap()
        .access_token(&user)
        .await
        .expect("token");

    auth.verifier().verify(&token).await.expect("a valid token");
    let started = Instant::now();
    for _ in 0..ROUNDS {
        auth.verifier().verify(&token).await.expect("a valid token");
    }
    let verify = started.elapsed() / ROUNDS;

    let started = Instant::now();
    for _ in 0..ROUNDS {
        auth.authenticate(&token).await.expect("an account");
    }
    let authenticate = started.elapsed() / ROUNDS;

    let started = Instant::now();
    for _ in 0..ROUNDS / 10 {
        repository::find_user(&pool, user.id).await.expect("a read");
    }
    let read = started.elapsed() / (ROUNDS / 10);
    let micros = |duration: std::time::Duration| duration.as_secs_f64() * 1e6;
    println!("| check | per request |");
    println!("|---|---:|");
    println!(
        "| verify an RS256 token, key cached | {:.1} µs |",
        micros(verify)
    );
    println!(
        "| the whole check, account remembered | {:.1} µs |",
        micros(authenticate)
    );
    println!(
        "| reading the account instead (one round trip) | {:.1} µs |",
        micros(read)
    );
}
