//! The email channel's values: the support address and its reply addresses, the settings an
//! admin keeps, the mails queued and the mails received.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{FieldErrors, JsonObject, user::check_email};

/// The address people write to, `local@domain`; a ticket's replies go to `local+TOKEN@domain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportAddress {
    local: String,
    domain: String,
}

/// How a reply token is spelled: 128 random bits as lowercase hex.
pub const REPLY_TOKEN_CHARS: usize = 32;

impl SupportAddress {
    /// An address without `+` in its local part (the `+` starts a reply token).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let address = check_email(raw)?;
        let (local, domain) = address
            .rsplit_once('@')
            .ok_or_else(|| "must be an email address such as support@example.com".to_owned())?;
        if local.contains('+') {
            return Err("must not contain '+' (reply addresses add it)".to_owned());
        }
        Ok(Self {
            local: local.to_owned(),
            domain: domain.to_ascii_lowercase(),
        })
    }

    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// Where replies about the ticket of `token` go.
    pub fn reply_address(&self, token: &str) -> String {
        format!("{}+{token}@{}", self.local, self.domain)
    }

    /// Whether `address` is this address (any case), with or without a reply token.
    pub fn is_ours(&self, address: &str) -> bool {
        self.split(address).is_some()
    }

    /// The reply token `address` carries, if it is one of this address's reply addresses.
    pub fn reply_token<'a>(&self, address: &'a str) -> Option<&'a str> {
        self.split(address)
            .flatten()
            .filter(|token| is_reply_token(token))
    }

    /// `Some(token)` for `local+token@domain`, `Some(None)` for `local@domain`, else `None`.
    fn split<'a>(&self, address: &'a str) -> Option<Option<&'a str>> {
        let (local, domain) = address.trim().rsplit_once('@')?;
        if !domain.eq_ignore_ascii_case(&self.domain) {
            return None;
        }
        match local.split_once('+') {
            Some((base, token)) if base.eq_ignore_ascii_case(&self.local) => Some(Some(token)),
            None if local.eq_ignore_ascii_case(&self.local) => Some(None),
            _ => None,
        }
    }
}

impl std::fmt::Display for SupportAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)
    }
}

pub fn is_reply_token(token: &str) -> bool {
    token.len() == REPLY_TOKEN_CHARS
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The sender name: one line, something visible, at most 100 characters.
pub const SENDER_NAME_MAX_CHARS: usize = 100;

/// What an admin keeps: the support address (none: no mail is queued) and the name mails come
/// from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    pub support_address: Option<SupportAddress>,
    pub sender_name: String,
}

impl MailSettings {
    /// Reads a `PUT` body: `support_address` (an address, or null to stop mail) and
    /// `sender_name`, both required.
    pub fn parse(body: &JsonObject) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut fail = |field: &str, message: String| {
            errors.entry(field.to_owned()).or_default().push(message);
        };
        let member = |name: &str| body.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        for (name, _) in body {
            if !matches!(name.as_str(), "support_address" | "sender_name") {
                fail(name, "is not a member of the mail settings".to_owned());
            }
        }
        let support_address = match member("support_address") {
            None => {
                fail(
                    "support_address",
                    "is required (null turns mail off)".to_owned(),
                );
                None
            }
            Some(Value::Null) => None,
            Some(Value::String(raw)) => SupportAddress::parse(raw)
                .map_err(|reason| fail("support_address", reason))
                .ok(),
            Some(_) => {
                fail("support_address", "must be a string or null".to_owned());
                None
            }
        };
        let sender_name = match member("sender_name") {
            Some(Value::String(raw)) => check_sender_name(raw)
                .map_err(|reason| fail("sender_name", reason))
                .ok(),
            Some(_) => {
                fail("sender_name", "must be a string".to_owned());
                None
            }
            None => {
                fail("sender_name", "is required".to_owned());
                None
            }
        };
        match (errors.is_empty(), sender_name) {
            (true, Some(sender_name)) => Ok(Self {
                support_address,
                sender_name,
            }),
            _ => Err(errors),
        }
    }
}

/// A sender name goes into the `From` header: no control character can reach it.
pub fn check_sender_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("must not be blank".to_owned());
    }
    if name.chars().count() > SENDER_NAME_MAX_CHARS {
        return Err(super::too_long(SENDER_NAME_MAX_CHARS));
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters or line breaks".to_owned());
    }
    Ok(name.to_owned())
}

/// A `PUT /api/mail/settings/` body, as the API document shows it ([`MailSettings::parse`]
/// reads it).
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailSettingsRequest {
    /// An address without `+` (reply addresses add it); null turns mail off: nothing is queued.
    #[schema(
        required = true,
        example = "support@example.com",
        max_length = 254,
        pattern = r"^[^@\s+\u0000-\u001f\u007f-\u009f]+@[^@\s\u0000-\u001f\u007f-\u009f]+$"
    )]
    pub support_address: Option<String>,
    /// One line, something visible.
    #[schema(
        example = "Example Support",
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub sender_name: String,
}

/// How outbound mail leaves this deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    Smtp,
    Ses,
    /// Mails are queued and stay so until a transport is configured.
    None,
}

/// `GET`/`PUT /api/mail/settings/`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailSettingsView {
    #[schema(example = "support@example.com")]
    pub support_address: Option<String>,
    #[schema(example = "Example Support")]
    pub sender_name: String,
    pub transport: MailTransportKind,
    /// What a ticket's reply address looks like.
    #[schema(example = "support+<token>@example.com")]
    pub reply_address_example: Option<String>,
    /// Mails waiting to be sent, and mails given up on.
    pub queued: i64,
    pub failed: i64,
}

/// Which mail an outbox row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum MailTemplate {
    /// To the requester: their ticket was received, with its number.
    TicketReceived,
    /// To the requester: an agent's public reply.
    AgentReplied,
    /// To the requester: the ticket was resolved.
    TicketResolved,
    /// To an agent: a ticket was assigned to them.
    TicketAssigned,
    /// To agents who asked for it: a new ticket.
    NewTicket,
}

impl MailTemplate {
    /// Whether it goes to the requester (with the reply address and the reply marker).
    pub fn to_requester(self) -> bool {
        matches!(
            self,
            Self::TicketReceived | Self::AgentReplied | Self::TicketResolved
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::TicketReceived => "ticket_received",
            Self::AgentReplied => "agent_replied",
            Self::TicketResolved => "ticket_resolved",
            Self::TicketAssigned => "ticket_assigned",
            Self::NewTicket => "new_ticket",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum OutboxStatus {
    Queued,
    /// A worker holds it (until its lease runs out).
    Sending,
    Sent,
    /// Given up: refused for good, or too many attempts. An admin may retry it.
    Failed,
}

/// A queued mail, as admins see it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct OutboxEntry {
    pub id: i64,
    pub ticket_id: i64,
    pub template: MailTemplate,
    #[schema(example = "ada@example.com")]
    pub to_address: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    #[schema(example = "451 4.3.0 try again later")]
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "text", rename_all = "lowercase")]
pub enum InboundStatus {
    /// Made a ticket or a comment.
    Accepted,
    /// Waiting for an agent: the sender could not be verified.
    Held,
    /// Deliberately not turned into anything (auto-replies, bounces, loops, strangers).
    Ignored,
    /// Refused: too large, or not a mail.
    Rejected,
    /// Held, then accepted by an agent.
    Released,
    /// Held, then thrown away by an agent.
    Discarded,
}

/// Why a received mail was not simply accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum InboundReason {
    AutoReply,
    Bounce,
    Loop,
    UnknownSender,
    UnverifiedSender,
    TooLarge,
    Malformed,
    Duplicate,
    Spam,
}

/// A received mail and what became of it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct InboundMail {
    pub id: i64,
    #[schema(example = "grace@example.org")]
    pub from_address: String,
    pub from_name: Option<String>,
    #[schema(example = "The printer jams")]
    pub subject: String,
    /// The text, kept while the mail is held.
    pub body: Option<String>,
    pub received_at: DateTime<Utc>,
    pub status: InboundStatus,
    pub reason: Option<InboundReason>,
    /// The ticket it made or was added to.
    pub ticket_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_addresses_carry_a_token_of_the_support_address_only() {
        let ours = SupportAddress::parse("Support@Example.com").unwrap();
        let token = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            ours.reply_address(token),
            format!("Support+{token}@example.com")
        );
        assert_eq!(
            ours.reply_token(&format!("support+{token}@EXAMPLE.com")),
            Some(token)
        );
        assert!(ours.is_ours("SUPPORT@example.com"));
        assert_eq!(ours.reply_token("support@example.com"), None);
        assert_eq!(ours.reply_token("support+short@example.com"), None);
        assert_eq!(
            ours.reply_token(&format!("sales+{token}@example.com")),
            None
        );
        assert_eq!(
            ours.reply_token(&format!("support+{token}@example.org")),
            None
        );
        assert!(SupportAddress::parse("support+x@example.com").is_err());
        assert!(SupportAddress::parse("not an address").is_err());
    }

    #[test]
    fn settings_refuse_header_breaking_names_and_unknown_members() {
        let body = |json: serde_json::Value| -> JsonObject {
            json.as_object().unwrap().clone().into_iter().collect()
        };
        let settings = MailSettings::parse(&body(serde_json::json!({
            "support_address": "help@example.com", "sender_name": "  Example Support "
        })))
        .unwrap();
        assert_eq!(settings.sender_name, "Example Support");
        let errors = MailSettings::parse(&body(serde_json::json!({
            "support_address": "help+x@example.com", "sender_name": "Evil\r\nBcc: x@y", "extra": 1
        })))
        .unwrap_err();
        assert_eq!(
            errors.keys().collect::<Vec<_>>(),
            ["extra", "sender_name", "support_address"]
        );
        let off = MailSettings::parse(&body(serde_json::json!({
            "support_address": null, "sender_name": "Helpdesk"
        })))
        .unwrap();
        assert_eq!(off.support_address, None);
    }
}
