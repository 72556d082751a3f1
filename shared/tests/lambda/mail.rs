//! The email channel's two functions, with AWS stood in for by mock servers: `inbound-email`
//! reads the messages an S3 event names (the SES receipt rule's S3 action stored them) from a
//! mock S3, and `mail-outbox` sends the queued mail through a mock SES v2. Events from `events/`,
//! messages from `tests/data/mail/`, a fresh database per test.

use std::sync::Arc;

use base64::Engine;
use serde_json::{Value, json};
use shared::{
    classifier::Classifier,
    config::DEFAULT_MAX_INBOUND_BYTES,
    mail::{
        aws::{S3Event, receive_stored},
        inbound::Inbox,
        outbox::{Drained, Outbox},
        ses::SesTransport,
    },
};
use sqlx::PgPool;
use wiremock::{
    Mock, MockServer, Request, ResponseTemplate,
    matchers::{any, header, method, path},
};

use crate::helpers;

const SUPPORT_ADDRESS: &str = "support@helpdesk.test";
/// The bucket of the events in `events/s3-*.json`.
const BUCKET: &str = "helpdesk-mail-123456789012-0a1b2c3d";
/// How much of a message over the size limit is read: enough to say who sent it.
const TOO_LARGE_RANGE: &str = "bytes=0-65535";

/// A fresh database whose support address is set: mail is on.
async fn database_with_mail_on() -> PgPool {
    let db = helpers::fresh_database().await;
    sqlx::query("UPDATE mail_settings SET support_address = $1")
        .bind(SUPPORT_ADDRESS)
        .execute(&db)
        .await
        .expect("set the support address");
    db
}

/// Test credentials and a fixed region, as every AWS client here is configured.
fn credentials() -> aws_sdk_s3::config::Credentials {
    aws_sdk_s3::config::Credentials::new("test", "test", None, None, "test")
}

fn region() -> aws_sdk_s3::config::Region {
    aws_sdk_s3::config::Region::new("eu-west-1")
}

mod inbound {
    use super::*;

    /// An S3 client talking to `s3`. Path style: requests are `GET /{bucket}/{key}` on the
    /// mock's own host, rather than on `{bucket}.{host}`, which would not resolve.
    fn s3_client(s3: &MockServer) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::new()
                .endpoint_url(s3.uri())
                .region(region())
                .credentials_provider(credentials())
                .force_path_style(true)
                .behavior_version_latest()
                .build(),
        )
    }

    /// The inbox as the function builds it: SES's `Authentication-Results` trusted or not.
    fn inbox(db: &PgPool, authserv_id: Option<&str>) -> Inbox {
        Inbox {
            db: db.clone(),
            classifier: Classifier::rules_only(),
            authserv_id: authserv_id.map(str::to_owned),
            max_bytes: DEFAULT_MAX_INBOUND_BYTES,
        }
    }

    fn stored_mail(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/data/mail/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
    }

    /// S3 serves `mail` as object `key` of the events' bucket, to `times` requests. `key` as
    /// the SDK puts it in the path (percent-encoded).
    async fn store(s3: &MockServer, key: &str, mail: Vec<u8>, times: u64) {
        Mock::given(method("GET"))
            .and(path(format!("/{BUCKET}/{key}")))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", "application/octet-stream")
                    .set_body_bytes(mail),
            )
            .expect(times)
            .named(format!("GET object {key}"))
            .mount(s3)
            .await;
    }

    /// Hands the S3 event `events/{event_name}` to the function, as the runtime would.
    async fn deliver(inbox: &Inbox, s3: &MockServer, event_name: &str) -> Vec<Value> {
        try_deliver(inbox, s3, event_name)
            .await
            .unwrap_or_else(|error| panic!("{event_name}: {error}"))
    }

    /// [`deliver`], for an invocation that may fail (and so be retried by Lambda).
    async fn try_deliver(
        inbox: &Inbox,
        s3: &MockServer,
        event_name: &str,
    ) -> Result<Vec<Value>, lambda_runtime::Error> {
        let event: S3Event = serde_json::from_str(&crate::event(event_name))
            .unwrap_or_else(|error| panic!("{event_name} is not an S3 event: {error}"));
        receive_stored(inbox, &s3_client(s3), event).await
    }

    /// One receipt's `(status, reason)`, as the function reports it.
    fn outcome(receipt: &Value) -> (&str, Option<&str>) {
        let receipt = &receipt["receipt"];
        (
            receipt["status"].as_str().expect("status"),
            receipt["reason"].as_str(),
        )
    }

    #[derive(Debug, PartialEq, Eq, sqlx::FromRow)]
    struct InboundRow {
        id: i64,
        from_address: String,
        status: String,
        reason: Option<String>,
        ticket_id: Option<i64>,
    }

    async fn inbound_rows(db: &PgPool) -> Vec<InboundRow> {
        sqlx::query_as(
            "SELECT id, from_address, status, reason, ticket_id FROM mail_inbound ORDER BY id",
        )
        .fetch_all(db)
        .await
        .expect("mail_inbound rows")
    }

    /// Every ticket as `(id, title, requester's address, requester's name)`.
    async fn tickets(db: &PgPool) -> Vec<(i64, String, String, String)> {
        sqlx::query_as(
            "SELECT t.id, t.title, u.email, u.name FROM tickets AS t \
             JOIN users AS u ON u.id = t.requester_id ORDER BY t.id",
        )
        .fetch_all(db)
        .await
        .expect("tickets")
    }

    #[tokio::test]
    async fn a_new_mail_becomes_a_ticket_of_its_sender() {
        let db = database_with_mail_on().await;
        let s3 = MockServer::start().await;
        // The event's key is `inbound/grace+hopper%2Bplain` (S3 URL-encodes keys in events, a
        // space as `+`): the object is `inbound/grace hopper+plain`.
        store(
            &s3,
            "inbound/grace%20hopper%2Bplain",
            stored_mail("plain.eml"),
            1,
        )
        .await;

        let receipts = deliver(&inbox(&db, None), &s3, "s3-inbound-mail.json").await;

        let tickets = tickets(&db).await;
        assert_eq!(
            tickets,
            [(
                1,
                "Café printer jams".to_owned(),
                "grace@example.org".to_owned(),
                "Grace Hopper".to_owned()
            )]
        );
        let rows = inbound_rows(&db).await;
        assert_eq!(
            rows,
            [InboundRow {
                id: rows[0].id,
                from_address: "grace@example.org".to_owned(),
                status: "accepted".to_owned(),
                reason: None,
                ticket_id: Some(1),
            }]
        );
        assert_eq!(
            receipts,
            [json!({
                "key": "inbound/grace hopper+plain",
                "receipt": {
                    "status": "accepted", "reason": null, "ticket_id": 1, "record_id": rows[0].id,
                },
            })]
        );
        s3.verify().await;
    }

    #[tokio::test]
    async fn the_same_event_delivered_twice_makes_one_ticket() {
        let db = database_with_mail_on().await;
        let s3 = MockServer::start().await;
        store(
            &s3,
            "inbound/grace%20hopper%2Bplain",
            stored_mail("plain.eml"),
            2,
        )
        .await;
        let inbox = inbox(&db, None);

        let first = deliver(&inbox, &s3, "s3-inbound-mail.json").await;
        let again = deliver(&inbox, &s3, "s3-inbound-mail.json").await;

        assert_eq!(outcome(&first[0]), ("accepted", None));
        assert_eq!(outcome(&again[0]), ("ignored", Some("duplicate")));
        assert_eq!(again[0]["receipt"]["ticket_id"], Value::Null);
        assert_eq!(tickets(&db).await.len(), 1);
        let rows = inbound_rows(&db).await;
        let recorded: Vec<_> = rows
            .iter()
            .map(|row| (row.status.as_str(), row.reason.as_deref(), row.ticket_id))
            .collect();
        assert_eq!(
            recorded,
            [
                ("accepted", None, Some(1)),
                ("ignored", Some("duplicate"), None)
            ]
        );
        s3.verify().await;
    }

    #[tokio::test]
    async fn without_a_support_address_the_invocation_fails_and_records_nothing() {
        let db = helpers::fresh_database().await;
        let s3 = MockServer::start().await;
        store(
            &s3,
            "inbound/grace%20hopper%2Bplain",
            stored_mail("plain.eml"),
            1,
        )
        .await;

        let failed = try_deliver(&inbox(&db, None), &s3, "s3-inbound-mail.json").await;

        // Failed, so Lambda tries the event again (twice, for an asynchronous S3 invocation).
        let error = failed.expect_err("no support address: the mail cannot be received");
        assert!(error.to_string().contains("no support address"), "{error}");
        assert_eq!(inbound_rows(&db).await, []);
        assert_eq!(tickets(&db).await, []);
        s3.verify().await;
    }

    #[tokio::test]
    async fn the_ses_setup_notification_is_not_read() {
        let db = database_with_mail_on().await;
        let s3 = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(500))
            .expect(0)
            .named("any request to S3")
            .mount(&s3)
            .await;

        let receipts = deliver(&inbox(&db, None), &s3, "s3-ses-setup-notification.json").await;

        assert_eq!(receipts, Vec::<Value>::new());
        assert_eq!(inbound_rows(&db).await, []);
        assert_eq!(tickets(&db).await, []);
        s3.verify().await;
    }

    /// The first bytes of a message of some 11 MiB, as a ranged GET returns them.
    fn head_of_a_huge_mail() -> Vec<u8> {
        let mut mail = stored_mail("plain.eml");
        while mail.len() < 65_536 {
            mail.extend_from_slice(b"The printer jams again and again and again.\r\n");
        }
        mail.truncate(65_536);
        mail
    }

    #[tokio::test]
    async fn a_message_over_the_limit_is_read_only_in_part_and_rejected() {
        let db = database_with_mail_on().await;
        let s3 = MockServer::start().await;
        let key = "inbound/p3l8m2n6b4v0c9x7z5a1s3d5f7g9h1j3k5l7q9w1";
        Mock::given(method("GET"))
            .and(path(format!("/{BUCKET}/{key}")))
            .and(header("range", TOO_LARGE_RANGE))
            .respond_with(
                ResponseTemplate::new(206)
                    .insert_header("content-range", "bytes 0-65535/11534336")
                    .set_body_bytes(head_of_a_huge_mail()),
            )
            .expect(1)
            .named("ranged GET of the huge object")
            .mount(&s3)
            .await;

        let receipts = deliver(&inbox(&db, None), &s3, "s3-inbound-mail-too-large.json").await;

        let ranges: Vec<_> = s3
            .received_requests()
            .await
            .expect("requests are recorded")
            .iter()
            .map(|request| {
                request
                    .headers
                    .get("range")
                    .map(|value| value.to_str().unwrap().to_owned())
            })
            .collect();
        assert_eq!(ranges, [Some(TOO_LARGE_RANGE.to_owned())]);
        assert_eq!(receipts.len(), 1);
        assert_eq!(outcome(&receipts[0]), ("rejected", Some("too_large")));
        // The sender is still known from the headers.
        let rows = inbound_rows(&db).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (
                rows[0].from_address.as_str(),
                rows[0].status.as_str(),
                rows[0].reason.as_deref()
            ),
            ("grace@example.org", "rejected", Some("too_large"))
        );
        assert_eq!(tickets(&db).await, []);
        s3.verify().await;
    }

    #[tokio::test]
    async fn a_failed_ses_verdict_is_held_and_a_passed_one_accepted() {
        let db = database_with_mail_on().await;
        let s3 = MockServer::start().await;
        store(
            &s3,
            "inbound/7v1ni0nc5hoqp3a4lm5hf02jg8v1qk1bh3e9ta01",
            stored_mail("spf-fail.eml"),
            1,
        )
        .await;
        store(
            &s3,
            "inbound/bq0e2uo8r9s7t6v5w4x3y2z1a0b9c8d7e6f5g401",
            stored_mail("spf-pass.eml"),
            1,
        )
        .await;

        let receipts = deliver(
            &inbox(&db, Some("amazonses.com")),
            &s3,
            "s3-inbound-mail-two.json",
        )
        .await;

        let outcomes: Vec<_> = receipts.iter().map(outcome).collect();
        assert_eq!(
            outcomes,
            [("held", Some("unverified_sender")), ("accepted", None)]
        );
        assert_eq!(
            tickets(&db).await,
            [(
                1,
                "Quarterly access review".to_owned(),
                "ceo@example.com".to_owned(),
                "Margaret Hamilton".to_owned()
            )]
        );
        let rows = inbound_rows(&db).await;
        let recorded: Vec<_> = rows
            .iter()
            .map(|row| (row.status.as_str(), row.reason.as_deref(), row.ticket_id))
            .collect();
        assert_eq!(
            recorded,
            [
                ("held", Some("unverified_sender"), None),
                ("accepted", None, Some(1))
            ]
        );
        // A held mail keeps its text for the agent who decides.
        let held_body: Option<String> =
            sqlx::query_scalar("SELECT body FROM mail_inbound WHERE status = 'held'")
                .fetch_one(&db)
                .await
                .expect("held row");
        assert!(
            held_body.is_some_and(|body| body.contains("make my account an administrator")),
            "the held mail's body is kept"
        );
        s3.verify().await;
    }
}

mod outbox {
    use super::*;

    const PUBLIC_URL: &str = "https://help.example.com";
    const SEND_EMAIL: &str = "/v2/email/outbound-emails";

    /// A SES v2 client talking to `ses`. The SDK's own retries are off: each outbox attempt
    /// is one request, so what SES got is what the worker did.
    fn ses_client(ses: &MockServer) -> aws_sdk_sesv2::Client {
        aws_sdk_sesv2::Client::from_conf(
            aws_sdk_sesv2::config::Builder::new()
                .endpoint_url(ses.uri())
                .region(region())
                .credentials_provider(credentials())
                .retry_config(aws_sdk_sesv2::config::retry::RetryConfig::disabled())
                .behavior_version_latest()
                .build(),
        )
    }

    fn outbox(db: &PgPool, ses: &MockServer) -> Outbox {
        let transport = SesTransport::new(ses_client(ses));
        Outbox::new(db.clone(), Arc::new(transport), PUBLIC_URL)
    }

    /// SES answers `SendEmail` with `response`, once.
    async fn ses_answers(ses: &MockServer, response: ResponseTemplate) {
        Mock::given(method("POST"))
            .and(path(SEND_EMAIL))
            .respond_with(response)
            .expect(1)
            .named("SendEmail")
            .mount(ses)
            .await;
    }

    /// SES's error answer: the error's name in the header and the body, as its REST-JSON
    /// protocol sends it.
    fn ses_error(status: u16, error_type: &str, message: &str) -> ResponseTemplate {
        ResponseTemplate::new(status)
            .insert_header("x-amzn-errortype", error_type)
            .set_body_json(json!({ "__type": error_type, "message": message }))
    }

    /// Ada's ticket, filed by herself: its `created` event queues the `ticket_received` mail.
    async fn ticket_of_ada(db: &PgPool) -> i64 {
        let ada: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, name) VALUES ('ada@example.com', 'Ada Lovelace') RETURNING id",
        )
        .fetch_one(db)
        .await
        .expect("insert requester");
        let ticket: i64 = sqlx::query_scalar(
            "INSERT INTO tickets (title, description, category, priority, requester_id) \
             VALUES ('Printer on fire', 'Smoke comes out of the printer.', 'technical', 'high', $1) \
             RETURNING id",
        )
        .bind(ada)
        .fetch_one(db)
        .await
        .expect("insert ticket");
        sqlx::query(
            "INSERT INTO ticket_events (ticket_id, kind, actor_kind, actor_id, visibility) \
             VALUES ($1, 'created', 'user', $2, 'public')",
        )
        .bind(ticket)
        .bind(ada)
        .execute(db)
        .await
        .expect("insert created event");
        ticket
    }

    #[derive(Debug, sqlx::FromRow)]
    struct OutboxRow {
        template: String,
        to_address: String,
        message_id: String,
        status: String,
        attempts: i32,
        last_error: Option<String>,
        /// Seconds from now until the next attempt.
        retry_in: f64,
    }

    /// The only mail in the outbox.
    async fn the_mail(db: &PgPool) -> OutboxRow {
        let mut rows: Vec<OutboxRow> = sqlx::query_as(
            "SELECT template, to_address, message_id, status, attempts, last_error, \
                 extract(epoch FROM next_attempt_at - now())::float8 AS retry_in \
             FROM mail_outbox",
        )
        .fetch_all(db)
        .await
        .expect("outbox rows");
        assert_eq!(rows.len(), 1, "one mail queued: {rows:?}");
        rows.remove(0)
    }

    async fn send_email_requests(ses: &MockServer) -> Vec<Request> {
        ses.received_requests()
            .await
            .expect("requests are recorded")
            .into_iter()
            .filter(|request| request.url.path() == SEND_EMAIL)
            .collect()
    }

    #[tokio::test]
    async fn a_new_tickets_acknowledgement_is_sent_raw_through_ses() {
        let db = database_with_mail_on().await;
        let ses = MockServer::start().await;
        ses_answers(
            &ses,
            ResponseTemplate::new(200).set_body_json(json!({ "MessageId": "x" })),
        )
        .await;
        let ticket = ticket_of_ada(&db).await;

        let drained = outbox(&db, &ses).drain().await.expect("drain");

        assert_eq!(
            drained,
            Drained {
                sent: 1,
                retried: 0,
                failed: 0
            }
        );
        let mail = the_mail(&db).await;
        assert_eq!(
            (
                mail.template.as_str(),
                mail.to_address.as_str(),
                mail.status.as_str()
            ),
            ("ticket_received", "ada@example.com", "sent")
        );
        assert_eq!((mail.attempts, mail.last_error), (1, None));

        let requests = send_email_requests(&ses).await;
        assert_eq!(requests.len(), 1);
        let body: Value = requests[0].body_json().expect("SendEmail body is JSON");
        assert_eq!(
            body["Destination"]["ToAddresses"],
            json!(["ada@example.com"])
        );
        let raw = base64::engine::general_purpose::STANDARD
            .decode(body["Content"]["Raw"]["Data"].as_str().expect("raw data"))
            .expect("raw data is base64");
        let message = mail_parser::MessageParser::default()
            .parse(&raw)
            .expect("a mail");
        let from = message.from().and_then(|from| from.first());
        assert_eq!(
            from.and_then(|from| from.address.as_deref()),
            Some(SUPPORT_ADDRESS)
        );
        assert_eq!(
            message.subject(),
            Some(format!("[#{ticket}] Printer on fire").as_str())
        );
        assert_eq!(
            message.message_id().map(|id| format!("<{id}>")),
            Some(mail.message_id)
        );
        let reply_token: String =
            sqlx::query_scalar("SELECT reply_token FROM ticket_mail_threads WHERE ticket_id = $1")
                .bind(ticket)
                .fetch_one(&db)
                .await
                .expect("the ticket's thread");
        assert!(
            reply_token.len() == 32
                && reply_token
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{reply_token}"
        );
        let reply_to = message
            .reply_to()
            .and_then(|to| to.first())
            .and_then(|to| to.address.as_deref());
        assert_eq!(
            reply_to,
            Some(format!("support+{reply_token}@helpdesk.test").as_str())
        );
        ses.verify().await;
    }

    #[tokio::test]
    async fn a_message_ses_rejects_is_failed_for_good() {
        let db = database_with_mail_on().await;
        let ses = MockServer::start().await;
        ses_answers(
            &ses,
            ses_error(400, "MessageRejected", "Email address is not verified."),
        )
        .await;
        ticket_of_ada(&db).await;

        let drained = outbox(&db, &ses).drain().await.expect("drain");

        assert_eq!(
            drained,
            Drained {
                sent: 0,
                retried: 0,
                failed: 1
            }
        );
        let mail = the_mail(&db).await;
        assert_eq!((mail.status.as_str(), mail.attempts), ("failed", 1));
        let error = mail.last_error.unwrap_or_default();
        assert!(error.contains("Email address is not verified."), "{error}");
        ses.verify().await;
    }

    #[tokio::test]
    async fn throttling_or_a_server_error_is_tried_again_later() {
        let answers = [
            (
                429,
                "TooManyRequestsException",
                "Maximum sending rate exceeded.",
            ),
            (500, "InternalFailure", "We encountered an internal error."),
        ];
        for (status, error_type, message) in answers {
            let db = database_with_mail_on().await;
            let ses = MockServer::start().await;
            ses_answers(&ses, ses_error(status, error_type, message)).await;
            ticket_of_ada(&db).await;

            let drained = outbox(&db, &ses).drain().await.expect("drain");

            let retried = Drained {
                sent: 0,
                retried: 1,
                failed: 0,
            };
            assert_eq!(drained, retried, "{error_type}");
            let mail = the_mail(&db).await;
            assert_eq!(
                (mail.status.as_str(), mail.attempts),
                ("queued", 1),
                "{error_type}"
            );
            let error = mail.last_error.unwrap_or_default();
            assert!(error.contains(error_type), "{error_type}: {error}");
            // The first retry waits about 30 seconds (`outbox::backoff`).
            assert!(
                (25.0..=31.0).contains(&mail.retry_in),
                "{error_type}: next attempt in {} s",
                mail.retry_in
            );
            ses.verify().await;
        }
    }
}
