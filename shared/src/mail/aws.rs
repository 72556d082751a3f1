//! The email channel on AWS: `mail-outbox`, run every minute by an EventBridge schedule, drains
//! the outbox through SES; `inbound-email` reads each message the SES receipt rule stored in S3
//! and receives it.

use std::time::Duration;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde::Deserialize;

use super::{inbound::Inbox, outbox::Outbox, ses::SesTransport};
use crate::{db, lambda::configure};

/// How long one scheduled run keeps leasing mail: well inside the function's timeout, so the
/// run ends before the next one starts.
const OUTBOX_RUN: Duration = Duration::from_secs(40);

/// The life of a `mail-outbox` instance: each invocation (the schedule's event is not read)
/// sends what is due.
pub async fn run_outbox() -> Result<(), Error> {
    let config = configure()?;
    if config.mail.public_url.is_empty() {
        return Err("PUBLIC_URL is required: the links in mails".into());
    }
    let db = db::pool(&config.database)
        .map_err(|error| format!("DATABASE_URL is not usable: {error}"))?;
    configured_settings(&config, &db).await;
    let transport = std::sync::Arc::new(SesTransport::from_environment().await);
    let outbox = Outbox::new(db, transport, &config.mail.public_url);
    lambda_runtime::run(service_fn(|_: LambdaEvent<serde_json::Value>| {
        let outbox = outbox.clone();
        async move {
            let drained = outbox.drain_for(OUTBOX_RUN).await?;
            tracing::info!(?drained, "outbox run");
            Ok::<_, Error>(serde_json::json!({
                "sent": drained.sent, "retried": drained.retried, "failed": drained.failed,
            }))
        }
    }))
    .await
}

/// The life of an `inbound-email` instance: each invocation is an S3 event naming the stored
/// messages.
pub async fn run_inbound() -> Result<(), Error> {
    let config = configure()?;
    let db = db::pool(&config.database)
        .map_err(|error| format!("DATABASE_URL is not usable: {error}"))?;
    let inbox = Inbox::new(
        db,
        crate::build_classifier(&config.classifier),
        &config.mail,
    );
    let s3 = aws_sdk_s3::Client::new(&aws_config::load_from_env().await);
    lambda_runtime::run(service_fn(|event: LambdaEvent<S3Event>| {
        let (inbox, s3) = (inbox.clone(), s3.clone());
        async move { receive_stored(&inbox, &s3, event.payload).await }
    }))
    .await
}

/// The template's `MAIL_SUPPORT_ADDRESS`, stored at each cold start until an admin saves their
/// own settings. A database that cannot be reached now is tried again at the next cold start.
async fn configured_settings(config: &crate::config::Config, db: &sqlx::PgPool) {
    if let Err(error) = super::apply_configured_settings(&config.mail, db).await {
        tracing::warn!(%error, "cannot store MAIL_SUPPORT_ADDRESS now");
    }
}

/// The part of an S3 event notification read here.
#[derive(Debug, Deserialize)]
pub struct S3Event {
    #[serde(rename = "Records", default)]
    pub records: Vec<S3Record>,
}

#[derive(Debug, Deserialize)]
pub struct S3Record {
    pub s3: S3Entity,
}

#[derive(Debug, Deserialize)]
pub struct S3Entity {
    pub bucket: S3Bucket,
    pub object: S3Object,
}

#[derive(Debug, Deserialize)]
pub struct S3Bucket {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct S3Object {
    /// URL-encoded, as S3 sends it.
    pub key: String,
    #[serde(default)]
    pub size: u64,
}

/// What became of each stored message of `event`. A database failure fails the invocation, so
/// Lambda tries it again; a message received twice is taken once (its Message-ID).
pub async fn receive_stored(
    inbox: &Inbox,
    s3: &aws_sdk_s3::Client,
    event: S3Event,
) -> Result<Vec<serde_json::Value>, Error> {
    let mut receipts = Vec::new();
    for record in event.records {
        let bucket = record.s3.bucket.name;
        let key: String = form_urlencoded::parse(format!("k={}", record.s3.object.key).as_bytes())
            .map(|(_, value)| value.into_owned())
            .next()
            .unwrap_or_default();
        // SES writes this when the receipt rule is made: not a mail.
        if key.ends_with("AMAZON_SES_SETUP_NOTIFICATION") {
            continue;
        }
        let too_large =
            usize::try_from(record.s3.object.size).map_or(true, |n| n > inbox.max_bytes);
        // A message over the limit is not downloaded: its first part names the sender.
        let range = too_large.then(|| "bytes=0-65535".to_owned());
        let object = s3
            .get_object()
            .bucket(&bucket)
            .key(&key)
            .set_range(range)
            .send()
            .await
            .map_err(|error| {
                format!(
                    "reading s3://{bucket}/{key}: {}",
                    aws_sdk_s3::error::DisplayErrorContext(&error)
                )
            })?;
        let bytes = object.body.collect().await?.into_bytes();
        let receipt = if too_large {
            inbox.refuse_too_large(&bytes).await?
        } else {
            inbox.receive(&bytes, &[]).await?
        };
        tracing::info!(%key, status = ?receipt.status, reason = ?receipt.reason, "stored mail received");
        receipts.push(serde_json::json!({ "key": key, "receipt": receipt }));
    }
    Ok(receipts)
}
