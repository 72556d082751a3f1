//! The model's key and the ticket text never reach the logs. A test binary of its own: it
//! captures log lines with a subscriber on its thread, which other tests running on other
//! threads could otherwise race (a call site's interest is cached process-wide).

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use serde_json::json;
use shared::{
    classifier::Source,
    config::{Config, Runtime},
};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::method};

const KEY: &str = "AIzaTestKey-not-a-real-one-9f8e7d";

/// Log lines written while the guard lives, on this thread (tokio tests run on one thread).
#[derive(Clone, Default)]
struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_key_and_the_description_never_appear_in_logs() {
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(403).set_body_json(
            json!({"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "mock failure"}}),
        ))
        .mount(&server)
        .await;
    let vars = [
        ("DATABASE_URL", "postgres://unused/unused".to_owned()),
        ("GEMINI_API_KEY", KEY.to_owned()),
        ("GEMINI_BASE_URL", server.uri()),
        ("CLASSIFY_TIMEOUT_SECS", "2".to_owned()),
    ];
    let config = Config::from_lookup(Runtime::Server, |name| {
        vars.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.clone())
    })
    .unwrap();
    let classifier = shared::build_classifier(&config.classifier);
    let description = "My invoice total is wrong and I need it corrected before month end";
    assert_eq!(
        classifier.classify(description).await.source,
        Source::Fallback
    );

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("fell back to rules") && text.contains("PERMISSION_DENIED"),
        "the failure is logged: {text}"
    );
    assert!(!text.contains(KEY), "the key leaked into the logs: {text}");
    assert!(
        !text.contains(description),
        "the description is not logged: {text}"
    );
}
