//! `helpdesk ingest-mail`: one message on standard input, its outcome as JSON on standard
//! output, and the exit status a mail system's pipe delivery reads.

use std::{io::Write, process::Command, process::Stdio};

use serde_json::Value;

use crate::support::{Cluster, repo_root};

/// Runs `helpdesk ingest-mail` on `message`: (exit success, the printed outcome).
fn ingest(database_url: &str, message: &[u8]) -> (bool, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .arg("ingest-mail")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("MAIL_SUPPORT_ADDRESS", "support@helpdesk.test")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run helpdesk ingest-mail");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(message)
        .expect("write the message");
    let output = child.wait_with_output().expect("ingest-mail ends");
    let outcome = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&output.stdout)));
    (output.status.success(), outcome)
}

fn corpus(name: &str) -> Vec<u8> {
    std::fs::read(repo_root().join("shared/tests/data/mail").join(name)).expect("corpus file")
}

#[tokio::test]
async fn ingest_mail_makes_a_ticket_and_exits_1_for_what_is_not_a_mail() {
    let cluster = Cluster::start();
    let (ok, outcome) = ingest(&cluster.url(), &corpus("plain.eml"));
    assert!(ok, "{outcome}");
    assert_eq!(outcome["status"], "accepted");
    assert_eq!(outcome["ticket_id"], 1);

    let (ok, outcome) = ingest(&cluster.url(), &corpus("plain.eml"));
    assert!(ok, "a duplicate is not an error: {outcome}");
    assert_eq!(
        (&outcome["status"], &outcome["reason"]),
        (&"ignored".into(), &"duplicate".into())
    );

    let (ok, outcome) = ingest(&cluster.url(), &corpus("malformed.eml"));
    assert!(!ok, "{outcome}");
    assert_eq!(
        (&outcome["status"], &outcome["reason"]),
        (&"rejected".into(), &"malformed".into())
    );
    assert_eq!(crate::support::count_tickets(&cluster.url()).await, 1);
}
