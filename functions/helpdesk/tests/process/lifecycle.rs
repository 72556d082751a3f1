//! The server's life: graceful shutdown under load, recovery from a database outage without a
//! restart, and a bounded wait on a database that hangs.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};

use shared::db::ACQUIRE_TIMEOUT;

use crate::support::{Cluster, SLOW_MACHINE_SLACK, Server, count_tickets};

/// How soon the server serves again once the database is back (README, Reliability).
const RECOVERY: Duration = Duration::from_secs(5);

#[tokio::test]
async fn sigterm_finishes_every_accepted_request_and_exits_cleanly() {
    let cluster = Cluster::start();
    // A slow model keeps creates in flight for about a second each when the signal arrives.
    let model = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"candidates": [{"content": {"parts": [{"text": "{\"category\":\"technical\",\"category_confidence\":\"high\",\"priority\":\"high\",\"priority_confidence\":\"high\",\"sentiment\":\"neutral\",\"language\":\"en\"}"}]}, "finishReason": "STOP"}]}))
                .set_delay(Duration::from_millis(1200)),
        )
        .mount(&model)
        .await;
    let mut server = Server::start(
        &cluster.url(),
        &[
            ("GEMINI_API_KEY", "test-key"),
            ("GEMINI_BASE_URL", &model.uri()),
            ("CLASSIFY_TIMEOUT_SECS", "5"),
        ],
    );
    server.wait_healthy(&reqwest::Client::new()).await;
    let client = server.signed_in_client(Duration::from_secs(30)).await;

    let stop = Arc::new(AtomicBool::new(false));
    let completed = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for worker in 0..16 {
        let (client, base, stop, completed) = (
            client.clone(),
            server.base.clone(),
            stop.clone(),
            completed.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut failures = Vec::new();
            let mut round = 0;
            while !stop.load(Ordering::Relaxed) {
                round += 1;
                let body = json!({"title": format!("Shutdown {worker}-{round}"), "description": "The export crashes"});
                match client.post(format!("{base}/api/tickets/")).json(&body).send().await {
                    Ok(response) if response.status() == StatusCode::CREATED => {
                        completed.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(response) => failures.push(format!("HTTP {}", response.status())),
                    // After the listener closes, new connections are refused: not accepted, so
                    // not lost. Anything else (a reset, a cut-off body) is a lost request.
                    Err(error) if error.is_connect() => break,
                    Err(error) => failures.push(format!("{error:?}")),
                }
            }
            failures
        }));
    }
    tokio::time::sleep(Duration::from_millis(1800)).await;
    let signalled = Instant::now();
    server.signal("TERM");
    let exited_ok = server.wait_exit(Duration::from_secs(30)).await;
    stop.store(true, Ordering::Relaxed);
    let mut failures = Vec::new();
    for worker in workers {
        failures.extend(worker.await.unwrap());
    }
    assert!(
        failures.is_empty(),
        "requests failed around shutdown: {failures:?}"
    );
    assert!(exited_ok, "exit status is success");
    assert!(signalled.elapsed() < Duration::from_secs(30));

    let db = count_tickets(&cluster.url()).await;
    assert_eq!(
        db,
        completed.load(Ordering::Relaxed) as i64,
        "every 201 is a stored ticket and vice versa"
    );
    assert!(
        db >= 16,
        "requests were in flight during the shutdown ({db} completed)"
    );
}

/// What one load client saw: (status, seconds to answer, whether the body was problem+json).
type Seen = Vec<(StatusCode, f64, bool)>;

/// Lists and creates in a loop, one request at a time, until `stop` is set.
async fn outage_load(
    client: reqwest::Client,
    base: String,
    stop: Arc<AtomicBool>,
    worker: usize,
) -> Seen {
    let mut seen = Vec::new();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let request = if n % 2 == 0 {
            client.get(format!("{base}/api/tickets/"))
        } else {
            client.post(format!("{base}/api/tickets/")).json(&json!({
                "title": format!("Load {worker}-{n}"), "description": "d",
                "category": "general", "priority": "low"}))
        };
        let started = Instant::now();
        let response = request
            .send()
            .await
            .expect("an answer, not a reset or a hang");
        let problem = response
            .headers()
            .get("content-type")
            .is_some_and(|value| value == "application/problem+json");
        seen.push((response.status(), started.elapsed().as_secs_f64(), problem));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    seen
}

#[tokio::test]
async fn a_database_outage_is_a_prompt_503_and_recovery_needs_no_restart() {
    let cluster = Cluster::start();
    let server = Server::start(&cluster.url(), &[]);
    server.wait_healthy(&reqwest::Client::new()).await;
    let client = server.signed_in_client(Duration::from_secs(20)).await;
    let url = |path: &str| format!("{}{path}", server.base);

    // Lists and creates keep flowing from four clients through the outage and the recovery.
    let stop = Arc::new(AtomicBool::new(false));
    let load: Vec<_> = (0..4)
        .map(|worker| {
            tokio::spawn(outage_load(
                client.clone(),
                server.base.clone(),
                stop.clone(),
                worker,
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    cluster.stop();
    for path in ["/api/tickets/", "/api/health", "/api/tickets/stats/"] {
        let started = Instant::now();
        let response = client.get(url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        assert!(
            started.elapsed() < ACQUIRE_TIMEOUT + SLOW_MACHINE_SLACK,
            "{path} answered in {:?}",
            started.elapsed()
        );
    }
    tokio::time::sleep(Duration::from_secs(1)).await;

    cluster.restart();
    let back = Instant::now();
    loop {
        let response = client.get(url("/api/tickets/")).send().await.unwrap();
        if response.status() == StatusCode::OK {
            break;
        }
        assert!(
            back.elapsed() < RECOVERY + SLOW_MACHINE_SLACK,
            "not recovered {RECOVERY:?} (and some slack) after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut created: i64 = 0;
    let mut unavailable = 0;
    for worker in load {
        let seen = worker.await.unwrap();
        // Back to normal at the end of every client's run.
        assert!(seen.last().unwrap().0.is_success(), "{seen:?}");
        for (status, seconds, problem) in seen {
            match status {
                StatusCode::OK => {}
                StatusCode::CREATED => created += 1,
                StatusCode::SERVICE_UNAVAILABLE => {
                    unavailable += 1;
                    assert!(problem, "a 503 without the problem+json envelope");
                    let bound = (ACQUIRE_TIMEOUT + SLOW_MACHINE_SLACK).as_secs_f64();
                    assert!(seconds < bound, "a 503 after {seconds:.1} s");
                }
                other => panic!("unexpected {other} during the outage"),
            }
        }
    }
    assert!(unavailable > 0, "the load never met the outage");
    // Every create answered 201 was stored. One more per client at most: a commit whose
    // acknowledgement the shutdown cut off is in doubt, as with any database.
    let stored = count_tickets(&cluster.url()).await;
    assert!(
        (created..=created + 4).contains(&stored),
        "{stored} stored, {created} answered 201"
    );
    assert_eq!(
        client
            .get(url("/api/health"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_hanging_database_is_a_503_at_the_statement_timeout_not_a_hung_client() {
    let cluster = Cluster::start();
    let server = Server::start(&cluster.url(), &[]);
    server.wait_healthy(&reqwest::Client::new()).await;
    let client = server.signed_in_client(Duration::from_secs(30)).await;
    let url = |path: &str| format!("{}{path}", server.base);

    // Another session takes the tickets table and keeps it: every statement on it now waits.
    let mut blocker = PgConnection::connect(&cluster.url()).await.unwrap();
    sqlx::raw_sql("BEGIN; LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE")
        .execute(&mut blocker)
        .await
        .unwrap();
    let list = client.get(url("/api/tickets/"));
    let create = client
        .post(url("/api/tickets/"))
        .json(&json!({"title": "While stuck", "description": "d", "category": "general", "priority": "low"}));
    for request in [list, create] {
        let started = Instant::now();
        let response = request.send().await.unwrap();
        let waited = started.elapsed();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        // The statement timeout (5 s) cancelled it: neither sooner nor much later.
        assert!(
            waited >= Duration::from_millis(4500)
                && waited < Duration::from_secs(5) + SLOW_MACHINE_SLACK,
            "answered in {waited:?}"
        );
    }

    sqlx::raw_sql("ROLLBACK")
        .execute(&mut blocker)
        .await
        .unwrap();
    let response = client.get(url("/api/tickets/")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let tickets: Vec<Value> = response.json().await.unwrap();
    assert!(tickets.is_empty(), "the cancelled create stored nothing");
}
