//! What checking a bearer token costs a request: a token seen for the first time (the RS256
//! signature checked with the issuer's cached key), the same token again (remembered, a hash),
//! the whole check as requests pay it (the account remembered for `auth::ACCOUNT_TTL`), and the
//! database read that memory saves. A benchmark: it prints figures.
//!
//!     DATABASE_URL=postgres://… cargo bench -p shared --bench token_check

use std::time::{Duration, Instant};

use shared::{
    auth::Auth,
    config::{Config, Runtime},
    db::MIGRATOR,
    domain::{Email, Role, User},
    repository,
};

const TOKENS: usize = 2_000;
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
    let auth = Auth::new(&config.auth, pool.clone(), reqwest::Client::new);
    let issuer = auth.builtin().expect("built-in issuer");

    // Distinct tokens (one account each), so that each is checked for the first time.
    let mut tokens = Vec::with_capacity(TOKENS);
    for n in 0..TOKENS {
        let email = Email::parse(&format!("token-bench-{n}@example.com")).unwrap();
        let user: User = repository::set_account(&pool, &email, "Bench", Role::Agent, "-")
            .await
            .expect("account");
        tokens.push(issuer.access_token(&user).await.expect("token"));
    }
    let started = Instant::now();
    for token in &tokens {
        auth.verifier().verify(token).await.expect("a valid token");
    }
    let first = started.elapsed() / TOKENS as u32;

    let token = &tokens[0];
    let started = Instant::now();
    for _ in 0..ROUNDS {
        auth.verifier().verify(token).await.expect("a valid token");
    }
    let again = started.elapsed() / ROUNDS;

    auth.authenticate(token).await.expect("an account");
    let started = Instant::now();
    for _ in 0..ROUNDS {
        auth.authenticate(token).await.expect("an account");
    }
    let whole = started.elapsed() / ROUNDS;

    let id: i64 = sqlx::query_scalar("SELECT id FROM users LIMIT 1")
        .fetch_one(&pool)
        .await
        .expect("an id");
    let started = Instant::now();
    for _ in 0..ROUNDS / 10 {
        repository::find_user(&pool, id).await.expect("a read");
    }
    let read = started.elapsed() / (ROUNDS / 10);

    let micros = |duration: Duration| duration.as_secs_f64() * 1e6;
    println!("| check | per request |");
    println!("|---|---:|");
    println!(
        "| a token seen for the first time (RS256 signature, key cached) | {:.1} µs |",
        micros(first)
    );
    println!(
        "| the same token again (remembered) | {:.1} µs |",
        micros(again)
    );
    println!(
        "| the whole check as requests pay it (account remembered) | {:.1} µs |",
        micros(whole)
    );
    println!(
        "| reading the account instead (one round trip) | {:.1} µs |",
        micros(read)
    );
}
