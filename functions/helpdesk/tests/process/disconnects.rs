//! What clients do after sending cannot cost an acknowledged write: a storm of clients hanging up
//! mid-request on every route that opens a transaction or runs long, requests cut off by the
//! request timeout, and clients that send half a request and stop.

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::support::{Cluster, Server, bearer_client, seed};

/// Pool size of the server under test: few connections, so one poisoned connection would
/// serve a large share of the writes that follow.
const POOL_SIZE: &str = "8";

/// A word no seeded ticket contains: a search for it cannot fill a page from the newest tickets,
/// so it takes the trigram path, which runs in a transaction.
const ABSENT_WORD: &str = "zqxjvw";

#[tokio::test]
async fn acknowledged_writes_survive_a_storm_of_clients_hanging_up_mid_request() {
    let cluster = Cluster::start();
    seed(&cluster.url(), 20_000);
    let mut server = Server::start(&cluster.url(), &[("DATABASE_MAX_CONNECTIONS", POOL_SIZE)]);
    server.wait_healthy(&http_client()).await;
    let token = server.sign_in().await;
    let client = bearer_client(&token, CLIENT_TIMEOUT);
    let targets = create_tickets(&client, &server.base, 8, "Patch target").await;

    // 32 clients, 3,000 requests, each socket closed 0–4 ms after its request was sent.
    let requests: Vec<Vec<u8>> = (0..3000)
        .map(|n| storm_request(n, &targets.keys().copied().collect::<Vec<_>>(), &token))
        .collect();
    hang_up_storm(server.address(), requests, 32).await;
    let db = &mut PgConnection::connect(&cluster.url()).await.unwrap();
    wait_until_server_sessions_are_quiet(db).await;
    assert_no_session_in_a_forgotten_transaction(db).await;

    let acknowledged = acknowledged_writes(&client, &server.base, &targets).await;
    assert_no_session_in_a_forgotten_transaction(db).await;

    server.signal("TERM");
    assert!(server.wait_exit(Duration::from_secs(30)).await);
    let restarted = Server::start(&cluster.url(), &[]);
    restarted.wait_healthy(&http_client()).await;
    acknowledged.assert_stored(db).await;
}

#[tokio::test]
async fn requests_cut_off_by_the_request_timeout_leave_the_pool_clean() {
    let cluster = Cluster::start();
    let mut server = Server::start(
        &cluster.url(),
        &[
            ("DATABASE_MAX_CONNECTIONS", POOL_SIZE),
            ("HTTP_REQUEST_TIMEOUT_SECS", "1"),
        ],
    );
    server.wait_healthy(&http_client()).await;
    let client = server.signed_in_client(CLIENT_TIMEOUT).await;
    let targets = create_tickets(&client, &server.base, 8, "Patch target").await;
    let db = &mut PgConnection::connect(&cluster.url()).await.unwrap();

    // Another session holds the table for 2.5 s: every statement on it waits past the 1 s
    // request timeout, but not into the 5 s statement timeout.
    let mut blocker = PgConnection::connect(&cluster.url()).await.unwrap();
    sqlx::raw_sql("BEGIN; LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE")
        .execute(&mut blocker)
        .await
        .unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(2500)).await;
        sqlx::raw_sql("ROLLBACK")
            .execute(&mut blocker)
            .await
            .unwrap();
    });
    let target_ids: Vec<i64> = targets.keys().copied().collect();
    let cut_off: Vec<_> = (0..24)
        .map(|n| {
            let (client, base, target) = (
                client.clone(),
                server.base.clone(),
                target_ids[n % target_ids.len()],
            );
            tokio::spawn(async move {
                let request = match n % 3 {
                    0 => client
                        .post(format!("{base}/api/tickets/"))
                        .header("idempotency-key", format!("timed-out-{n}"))
                        .json(&timed_out_body(n)),
                    1 => client
                        .patch(format!("{base}/api/tickets/{target}/"))
                        .json(&json!({"status": "in_progress"})),
                    _ => client.get(format!("{base}/api/tickets/?search={ABSENT_WORD}")),
                };
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
                assert_eq!(
                    response.headers()["content-type"],
                    "application/problem+json"
                );
            })
        })
        .collect();
    for request in cut_off {
        request.await.unwrap();
    }
    release.await.unwrap();
    wait_until_server_sessions_are_quiet(db).await;
    assert_no_session_in_a_forgotten_transaction(db).await;

    // A create answered 503 and retried with its key makes exactly one ticket.
    for n in (0..24).filter(|n| n % 3 == 0) {
        let retry = client
            .post(format!("{}/api/tickets/", server.base))
            .header("idempotency-key", format!("timed-out-{n}"))
            .json(&timed_out_body(n))
            .send()
            .await
            .unwrap();
        assert_eq!(retry.status(), StatusCode::CREATED);
    }
    let copies: Vec<i64> = sqlx::query_scalar(
        "SELECT count(*) FROM tickets WHERE title LIKE 'Timed out %' GROUP BY title",
    )
    .fetch_all(&mut *db)
    .await
    .unwrap();
    assert_eq!(copies, vec![1; 8], "one ticket per idempotency key");

    let acknowledged = acknowledged_writes(&client, &server.base, &targets).await;
    server.signal("TERM");
    assert!(server.wait_exit(Duration::from_secs(30)).await);
    acknowledged.assert_stored(db).await;
}

#[tokio::test]
async fn clients_that_send_half_a_request_are_cut_off_and_cannot_hold_every_connection() {
    let cluster = Cluster::start();
    let server = Server::start(
        &cluster.url(),
        &[
            ("HTTP_HEADER_READ_TIMEOUT_SECS", "1"),
            ("HTTP_MAX_CONNECTIONS", "64"),
        ],
    );
    let client = http_client();
    server.wait_healthy(&client).await;

    let mut stalled = Vec::new();
    for _ in 0..300 {
        let mut stream = TcpStream::connect(server.address()).await.unwrap();
        stream
            .write_all(b"GET /api/health HTTP/1.1\r\nHost: helpdesk\r\n")
            .await
            .unwrap();
        stalled.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sockets = server.open_sockets();
    assert!(
        sockets <= 64 + 16,
        "{sockets} sockets open with 300 stalled clients and a limit of 64 connections"
    );

    // A real client waits its turn, but is served: the stalled ones are cut off after 1 s.
    let started = Instant::now();
    let response = client
        .get(format!("{}/api/health", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "served after {:?}",
        started.elapsed()
    );
    for mut stream in stalled {
        let mut buffer = [0; 256];
        let read = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buffer)).await;
        assert!(
            matches!(read, Ok(Ok(_) | Err(_))),
            "a stalled client was still connected 20 s later"
        );
    }
}

const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(CLIENT_TIMEOUT)
        .build()
        .unwrap()
}

fn timed_out_body(n: usize) -> Value {
    json!({"title": format!("Timed out {n}"), "description": "Sent while the table was locked",
           "category": "general", "priority": "low"})
}

/// Creates `count` tickets through the API; returns their ids and bodies.
async fn create_tickets(
    client: &reqwest::Client,
    base: &str,
    count: usize,
    title: &str,
) -> BTreeMap<i64, Value> {
    let mut tickets = BTreeMap::new();
    for n in 0..count {
        let response = client
            .post(format!("{base}/api/tickets/"))
            .json(&json!({"title": format!("{title} {n}"), "description": "Will be patched"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let ticket: Value = response.json().await.unwrap();
        tickets.insert(ticket["id"].as_i64().unwrap(), ticket);
    }
    tickets
}

const STORM_STATUSES: [&str; 3] = ["open", "in_progress", "resolved"];

/// Request `n` of the storm, signed in with `token`: every route that opens a transaction or
/// runs long.
fn storm_request(n: usize, targets: &[i64], token: &str) -> Vec<u8> {
    let get = |path: &str| {
        format!("GET {path} HTTP/1.1\r\nHost: helpdesk\r\nAuthorization: Bearer {token}\r\n\r\n")
            .into_bytes()
    };
    let with_body = |method: &str, path: &str, headers: &str, body: Value| {
        let body = body.to_string();
        format!(
            "{method} {path} HTTP/1.1\r\nHost: helpdesk\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n{headers}\r\n{body}",
            body.len()
        )
        .into_bytes()
    };
    match n % 6 {
        0 => get(&format!("/api/tickets/?search={ABSENT_WORD}")),
        1 => get(&format!(
            "/api/tickets/?search={ABSENT_WORD}&category=billing&status=open"
        )),
        2 => with_body(
            "POST",
            "/api/tickets/",
            &format!("Idempotency-Key: storm-{n}\r\n"),
            json!({"title": format!("Storm {n}"), "description": "The export crashes"}),
        ),
        3 => with_body(
            "PATCH",
            &format!("/api/tickets/{}/", targets[n % targets.len()]),
            "",
            json!({"status": STORM_STATUSES[n % 3]}),
        ),
        4 => get("/api/tickets/stats/"),
        _ => get("/api/tickets/?search=printer&priority=high"),
    }
}

/// Sends every request on a connection of its own from `clients` concurrent clients, each
/// closing its socket 0–4 ms after sending, without reading the answer.
async fn hang_up_storm(address: SocketAddr, requests: Vec<Vec<u8>>, clients: usize) {
    let requests = Arc::new(requests);
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (requests, next) = (requests.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(request) = requests.get(n) else {
                        break;
                    };
                    let mut stream = TcpStream::connect(address).await.unwrap();
                    stream.write_all(request).await.unwrap();
                    // Spread over 0–4 ms in steps of 37 µs, so hang-ups land at every stage of
                    // the handlers' work.
                    tokio::time::sleep(Duration::from_micros((n as u64 * 37) % 4000)).await;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
}

/// Waits (at most 20 s) until none of the server's sessions is running a statement (work of
/// requests whose clients hung up may still be finishing), then 2 s more: longer than any
/// transaction of the server waits between its statements, shorter than the 10 s after which
/// PostgreSQL ends a session idle in a transaction (the last line of defence, which must not be
/// what makes this test pass).
async fn wait_until_server_sessions_are_quiet(db: &mut PgConnection) {
    // Quiet: no server session has run a statement or changed state for 2 s. The hung-up
    // requests run to completion after their clients left, so thousands may still queue for
    // the pool when the storm ends; a session between two statements of a busy transaction is
    // "idle in transaction" for a moment, one in a forgotten transaction stays so for good.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let busy: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'helpdesk' \
             AND (state = 'active' OR state_change > now() - interval '2 seconds')",
        )
        .fetch_one(&mut *db)
        .await
        .unwrap();
        if busy == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "server sessions still busy");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn assert_no_session_in_a_forgotten_transaction(db: &mut PgConnection) {
    let states: Vec<String> = sqlx::query_scalar(
        "SELECT state FROM pg_stat_activity WHERE application_name = 'helpdesk' \
         AND state LIKE 'idle in transaction%'",
    )
    .fetch_all(&mut *db)
    .await
    .unwrap();
    assert!(
        states.is_empty(),
        "server connections left inside a transaction: {states:?}"
    );
}

/// Writes the server answered 2xx: what must be in the database afterwards.
struct Acknowledged {
    /// Tickets answered 201, as answered.
    created: Vec<Value>,
    /// The status of each patched ticket, as the last 200 gave it.
    patched: BTreeMap<i64, String>,
}

const PRIORITIES: [&str; 4] = ["low", "medium", "high", "critical"];

/// 300 creates (without Idempotency-Key; half classified by the server) and 100 patches from one
/// client, all of which must be answered 2xx.
async fn acknowledged_writes(
    client: &reqwest::Client,
    base: &str,
    targets: &BTreeMap<i64, Value>,
) -> Acknowledged {
    let mut created = Vec::new();
    for n in 0..300 {
        let mut body = json!({"title": format!("Acknowledged {n}"),
                              "description": format!("The invoice export fails, case {n}")});
        if n % 2 == 0 {
            body["category"] = json!("billing");
            body["priority"] = json!(PRIORITIES[n % 4]);
        }
        let response = client
            .post(format!("{base}/api/tickets/"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "create {n}");
        created.push(response.json::<Value>().await.unwrap());
    }
    let mut patched = BTreeMap::new();
    let ids: Vec<i64> = targets.keys().copied().collect();
    for n in 0..100 {
        let id = ids[n % ids.len()];
        let status = ["resolved", "closed", "in_progress", "open"][n % 4];
        let response = client
            .patch(format!("{base}/api/tickets/{id}/"))
            .json(&json!({"status": status, "priority": "high"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "patch {n}");
        let ticket: Value = response.json().await.unwrap();
        patched.insert(id, ticket["status"].as_str().unwrap().to_owned());
    }
    Acknowledged { created, patched }
}

impl Acknowledged {
    async fn assert_stored(&self, db: &mut PgConnection) {
        let mut missing = Vec::new();
        for ticket in &self.created {
            let row: Option<(String, String, String, String, String)> = sqlx::query_as(
                "SELECT title, description, category, priority, status FROM tickets WHERE id = $1",
            )
            .bind(ticket["id"].as_i64().unwrap())
            .fetch_optional(&mut *db)
            .await
            .unwrap();
            let answered = (
                ticket["title"].as_str().unwrap().to_owned(),
                ticket["description"].as_str().unwrap().to_owned(),
                ticket["category"].as_str().unwrap().to_owned(),
                ticket["priority"].as_str().unwrap().to_owned(),
                ticket["status"].as_str().unwrap().to_owned(),
            );
            if row.as_ref() != Some(&answered) {
                missing.push(ticket["id"].clone());
            }
        }
        assert!(
            missing.is_empty(),
            "{} of {} tickets answered 201 are not stored as answered: {missing:?}",
            missing.len(),
            self.created.len()
        );
        for (id, status) in &self.patched {
            let (stored, priority): (String, String) =
                sqlx::query_as("SELECT status, priority FROM tickets WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *db)
                    .await
                    .unwrap();
            assert_eq!(
                (&stored, priority.as_str()),
                (status, "high"),
                "ticket {id} as last answered 200"
            );
        }
    }
}
