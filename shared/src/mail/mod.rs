//! The email channel: notifications rendered from templates and sent by the outbox worker
//! through a transport (SMTP, or Amazon SES on AWS), and received mail turned into tickets and
//! replies (parsed here; accepted by SMTP locally, or read from S3 on AWS).

#[cfg(feature = "lambda")]
pub mod aws;
pub mod compose;
pub mod inbound;
pub mod outbox;
#[cfg(feature = "aws-mail")]
pub mod ses;
pub mod smtp;
pub mod smtp_server;

use std::sync::Arc;

use async_trait::async_trait;
use aws_lc_rs::rand::SecureRandom;

use crate::{
    config::{MailConfig, MailTransportConfig},
    domain::MailTransportKind,
};

/// Stores the configured support address and sender name (`MAIL_SUPPORT_ADDRESS`,
/// `MAIL_SENDER_NAME`) unless an admin has saved their own. Every binary that sends or receives
/// mail calls it at start.
pub async fn apply_configured_settings(
    config: &MailConfig,
    db: &sqlx::PgPool,
) -> Result<(), sqlx::Error> {
    if let Some(address) = &config.support_address
        && crate::repository::apply_configured_mail_settings(
            db,
            address,
            config.sender_name.as_deref(),
        )
        .await?
    {
        tracing::info!(%address, "support address set from MAIL_SUPPORT_ADDRESS");
    }
    Ok(())
}

/// A new reply or unsubscribe token: 128 random bits as lowercase hex.
pub fn new_token() -> Result<String, NoRandomness> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| NoRandomness)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[derive(Debug, thiserror::Error)]
#[error("the system's random number generator failed")]
pub struct NoRandomness;

/// Why the configured transport cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("SMTP_URL is invalid: {0}")]
    InvalidSmtpUrl(String),
    #[error("MAIL_TRANSPORT=ses needs a build with the `aws-mail` feature (the Lambda functions)")]
    SesNotBuilt,
}

/// Why a mail was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth retrying: the server said "later", or could not be reached.
    #[error("transient: {0}")]
    Transient(String),
    /// Refused for good (an unknown mailbox, a rejected message).
    #[error("permanent: {0}")]
    Permanent(String),
}

/// Where outbound mail leaves: the envelope sender and recipients, and the message as bytes.
#[async_trait]
pub trait Transport: Send + Sync {
    async fn send(
        &self,
        envelope: &lettre::address::Envelope,
        message: &[u8],
    ) -> Result<(), SendError>;
}

/// The configured transport, if any: SMTP (`SMTP_URL`) or SES (`MAIL_TRANSPORT=ses`).
pub async fn transport(config: &MailConfig) -> Result<Option<Arc<dyn Transport>>, TransportError> {
    Ok(match &config.transport {
        MailTransportConfig::None => None,
        MailTransportConfig::Smtp(url) => Some(Arc::new(smtp::SmtpTransport::new(url)?)),
        #[cfg(feature = "aws-mail")]
        MailTransportConfig::Ses => Some(Arc::new(ses::SesTransport::from_environment().await)),
        #[cfg(not(feature = "aws-mail"))]
        MailTransportConfig::Ses => return Err(TransportError::SesNotBuilt),
    })
}

impl MailTransportConfig {
    pub fn kind(&self) -> MailTransportKind {
        match self {
            Self::None => MailTransportKind::None,
            Self::Smtp(_) => MailTransportKind::Smtp,
            Self::Ses => MailTransportKind::Ses,
        }
    }
}
