//! `inbound-email`, the Lambda function an SES receipt rule's S3 action triggers: each stored
//! message becomes a ticket or a reply, or is recorded as ignored (`shared::mail::aws`).

use shared::{lambda, mail::aws};

#[tokio::main]
async fn main() -> Result<(), lambda::Error> {
    aws::run_inbound().await
}
