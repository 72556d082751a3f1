//! What the process tests share: a PostgreSQL cluster of their own (made with the scripts in
//! scripts/lib, so a test can stop and start it) and the real `helpdesk` binary as a child process.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use reqwest::StatusCode;

/// The admin every server under test starts with (HELPDESK_BOOTSTRAP_ADMIN_*).
pub const ADMIN_EMAIL: &str = "admin@helpdesk.test";
pub const ADMIN_PASSWORD: &str = "process-test-admin-password";

/// Added to every upper bound on elapsed time: what a test asserts exactly is the behaviour
/// (statuses, stored rows); a busy 2-core machine must not fail it by being slow.
pub const SLOW_MACHINE_SLACK: Duration = Duration::from_secs(5);

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A PostgreSQL cluster of the test's own, removed when dropped.
pub struct Cluster {
    dir: PathBuf,
    port: u16,
}

impl Cluster {
    pub fn start() -> Self {
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

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    pub fn stop(&self) {
        self.lib(&format!("pg_stop {}/data", self.dir.display()));
    }

    pub fn restart(&self) {
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

pub struct Server {
    child: Child,
    port: u16,
    pub base: String,
}

impl Server {
    pub fn start(database_url: &str, extra_env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_helpdesk"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .env("HELPDESK_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("HELPDESK_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .envs(extra_env.iter().copied())
            .stdout(Stdio::null())
            .spawn()
            .expect("start helpdesk");
        Self {
            child,
            port,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    pub fn address(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// How many sockets the process holds open (listener, clients, database connections).
    pub fn open_sockets(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .expect("the server's file descriptors")
            .filter_map(Result::ok)
            .filter(|fd| {
                std::fs::read_link(fd.path())
                    .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"))
            })
            .count()
    }

    /// A client signed in as the bootstrap admin, whose requests time out after `timeout`.
    pub async fn signed_in_client(&self, timeout: Duration) -> reqwest::Client {
        bearer_client(&self.sign_in().await, timeout)
    }

    /// An access token of the bootstrap admin. Signing in is not what these tests test: a 503
    /// (a password check slower than a short request timeout on a busy machine) is tried again.
    pub async fn sign_in(&self) -> String {
        for _ in 0..5 {
            let response = reqwest::Client::new()
                .post(format!("{}/api/auth/login", self.base))
                .json(&serde_json::json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
                .send()
                .await
                .expect("sign in");
            if response.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE {
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
            let session: serde_json::Value = response.json().await.expect("a session");
            return session["access_token"]
                .as_str()
                .expect("an access token")
                .to_owned();
        }
        panic!("signing in was a 503 five times");
    }

    pub async fn wait_healthy(&self, client: &reqwest::Client) {
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

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit, at most `limit`; returns whether it exited successfully.
    pub async fn wait_exit(&mut self, limit: Duration) -> bool {
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

pub async fn count_tickets(url: &str) -> i64 {
    let output = Command::new("psql")
        .args([url, "-tAc", "SELECT count(*) FROM tickets"])
        .output()
        .expect("psql");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("a count")
}

/// A client that sends `token` as its bearer token.
pub fn bearer_client(token: &str, timeout: Duration) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().expect("header"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .timeout(timeout)
        .build()
        .unwrap()
}

/// Inserts `count` realistic tickets with the binary's own seeder.
pub fn seed(database_url: &str, count: u64) {
    let status = Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .args(["seed", "--count", &count.to_string()])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .status()
        .expect("run helpdesk seed");
    assert!(status.success(), "helpdesk seed");
}
