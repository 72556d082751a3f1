//! Sending over SMTP (`SMTP_URL`): plain on a local sink, STARTTLS (`?tls=required`) or TLS
//! (`smtps://`) with a real relay.

use std::time::Duration;

use async_trait::async_trait;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor, address::Envelope};

use super::{SendError, Transport, TransportError};
use crate::config::Secret;

/// How long connecting may take, and one whole conversation with the server, before it
/// counts as failed (and is retried later). lettre's own timeout bounds only the connect: a
/// server that stops answering mid-message is cut off by the outer one.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const SEND_TIMEOUT: Duration = Duration::from_secs(120);

pub struct SmtpTransport {
    inner: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpTransport {
    pub fn new(url: &Secret) -> Result<Self, TransportError> {
        let inner = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
            // The URL may hold a password: the error says what is wrong without it.
            .map_err(|error| TransportError::InvalidSmtpUrl(error.to_string()))?
            .timeout(Some(CONNECT_TIMEOUT))
            .build();
        Ok(Self { inner })
    }
}

#[async_trait]
impl Transport for SmtpTransport {
    async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SendError> {
        let sent = tokio::time::timeout(SEND_TIMEOUT, self.inner.send_raw(envelope, message)).await;
        let Ok(sent) = sent else {
            return Err(SendError::Transient(format!(
                "the SMTP server did not finish within {} s",
                SEND_TIMEOUT.as_secs()
            )));
        };
        match sent {
            Ok(_) => Ok(()),
            Err(error) if error.is_permanent() => Err(SendError::Permanent(error.to_string())),
            // A 4xx answer, a timeout, a dropped connection, a TLS failure: try again later.
            Err(error) => Err(SendError::Transient(error.to_string())),
        }
    }
}
