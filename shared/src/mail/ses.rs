//! Sending through Amazon SES v2 (`MAIL_TRANSPORT=ses`, the Lambda deployment): the message as
//! built, sent raw, so SMTP and SES deliver the same bytes.

use async_trait::async_trait;
use aws_sdk_sesv2::{
    Client,
    error::{DisplayErrorContext, SdkError},
    operation::send_email::SendEmailError,
    primitives::Blob,
    types::{Destination, EmailContent, RawMessage},
};
use lettre::address::Envelope;

use super::{SendError, Transport};

pub struct SesTransport {
    client: Client,
}

impl SesTransport {
    /// With the process's AWS configuration (the function's role, `AWS_ENDPOINT_URL_SESV2` in
    /// tests).
    pub async fn from_environment() -> Self {
        Self::new(Client::new(&aws_config::load_from_env().await))
    }

    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl Transport for SesTransport {
    async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SendError> {
        let raw = RawMessage::builder()
            .data(Blob::new(message))
            .build()
            .map_err(|error| SendError::Permanent(error.to_string()))?;
        let destination = Destination::builder()
            .set_to_addresses(Some(
                envelope.to().iter().map(ToString::to_string).collect(),
            ))
            .build();
        let sent = self
            .client
            .send_email()
            .destination(destination)
            .content(EmailContent::builder().raw(raw).build())
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(error)) => {
                let message = DisplayErrorContext(error.err()).to_string();
                match error.err() {
                    // The message or its sender will not be accepted however often it is sent.
                    SendEmailError::MessageRejected(_)
                    | SendEmailError::MailFromDomainNotVerifiedException(_)
                    | SendEmailError::BadRequestException(_)
                    | SendEmailError::NotFoundException(_)
                    | SendEmailError::AccountSuspendedException(_) => {
                        Err(SendError::Permanent(message))
                    }
                    _ => Err(SendError::Transient(message)),
                }
            }
            Err(other) => Err(SendError::Transient(
                DisplayErrorContext(&other).to_string(),
            )),
        }
    }
}
