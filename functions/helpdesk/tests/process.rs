//! The real `helpdesk` binary as a process: graceful shutdown under load, recovery from a
//! database outage without a restart, and a bounded wait on a database that hangs. Each test runs its own PostgreSQL cluster (made with the
//! scripts in scripts/lib) so it can stop and start it.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
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

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A PostgreSQL cluster of the test's own, removed when dropped.
struct Cluster {
    dir: PathBuf,
    port: u16,
}

impl Cluster {
    fn start() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "helpdesk-process-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let cluster = Self {
            dir,
            port: free_port(),
        };
        cluster.lib(&format!(
            "chmod 755 {dir}; pg_init {dir}/data; pg_start {dir}/data {port} {dir}/postgres.log $PG_THROWAWAY_OPTS",
            dir = cluster.dir.display(),
            port = cluster.port
        ));
        cluster
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn stop(&self) {
        self.lib(&format!("pg_stop {}/data", self.dir.display()));
    }

    fn restart(&self) {
        self.lib(&format!(
            "pg_start {dir}/data {port} {dir}/postgres.log $PG_THROWAWAY_OPTS",
            dir = self.dir.display(),
            port = self.port
        ));
    }

    fn lib(&self, script: &str) {
        let root = repo_root();
        let status = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "set -euo pipefail; source {root}/scripts/lib/common.sh; source {root}/scripts/lib/postgres.sh; {script}",
                root = root.display()
            ))
            .status()
            .expect("run bash");
        assert!(status.success(), "{script}");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(database_url: &str, extra_env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_helpdesk"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .envs(extra_env.iter().copied())
            .stdout(Stdio::null())
            .spawn()
            .expect("start helpdesk");
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    async fn wait_healthy(&self, client: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let response = client.get(format!("{}/api/health", self.base)).send().await;
            if response.is_ok_and(|response| response.status() == StatusCode::OK) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server did not become healthy");
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit, at most `limit`; returns whether it exited successfully.
    async fn wait_exit(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not exit within {limit:?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn sigterm_finishes_every_accepted_request_and_exits_cleanly() {
    let cluster = Cluster::start();
    // A slow model keeps creates in flight for about a second each when the signal arrives.
    let model = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"candidates": [{"content": {"parts": [{"text": "{\"category\":\"technical\",\"priority\":\"high\"}"}]}, "finishReason": "STOP"}]}))
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
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    server.wait_healthy(&client).await;

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

async fn count_tickets(url: &str) -> i64 {
    let output = Command::new("psql")
        .args([url, "-tAc", "SELECT count(*) FROM tickets"])
        .output()
        .expect("psql");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("a count")
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
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    server.wait_healthy(&client).await;
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
            started.elapsed() < Duration::from_secs(7),
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
            back.elapsed() < Duration::from_secs(5),
            "not recovered 5 s after the database came back"
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
                    assert!(seconds < 7.0, "a 503 after {seconds:.1} s");
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
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    server.wait_healthy(&client).await;
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
            waited >= Duration::from_millis(4500) && waited < Duration::from_secs(8),
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
