//! `mail-outbox`, the Lambda function an EventBridge schedule runs every minute: it sends the
//! queued mail through SES (`shared::mail::aws`).

use shared::{lambda, mail::aws};

#[tokio::main]
async fn main() -> Result<(), lambda::Error> {
    aws::run_outbox().await
}
