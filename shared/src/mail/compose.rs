//! A queued mail made into a message: the template's text and HTML parts, and the headers that
//! thread a ticket's mails, route replies back to it, and keep auto-responders quiet.

use std::sync::LazyLock;

use lettre::{
    Message,
    message::{
        Mailbox, MultiPart,
        header::{Header, HeaderName, HeaderValue},
    },
};
use minijinja::{Environment, context};

use crate::domain::{Category, MailTemplate, Priority, SupportAddress};

/// The first line of every mail to a requester; everything from it down is dropped from their
/// reply (`inbound::strip_quoted`).
pub const REPLY_MARKER: &str = "##- Please type your reply above this line -##";

/// How much of a ticket's description an agent's mail shows.
const EXCERPT_CHARS: usize = 600;

/// Everything a mail is made from, read when it is sent (so it shows the ticket as it then is).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailToSend {
    pub outbox_id: i64,
    pub template: MailTemplate,
    pub to_address: String,
    pub to_name: Option<String>,
    /// `<…@domain>`, fixed when queued.
    pub message_id: String,
    pub ticket_id: i64,
    pub title: String,
    pub description: String,
    pub category: Category,
    pub priority: Priority,
    pub requester_name: Option<String>,
    pub requester_email: Option<String>,
    pub reply_author: Option<String>,
    pub reply_body: Option<String>,
    pub actor_name: Option<String>,
    pub support_address: String,
    pub sender_name: String,
    pub reply_token: String,
    /// The Message-ID of the mail that opened the ticket, if one did.
    pub origin_message_id: Option<String>,
    pub attachments_dropped: i32,
    pub unsubscribe_token: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("an address of the mail is invalid: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("the template failed: {0}")]
    Template(#[from] minijinja::Error),
    #[error("the message could not be built: {0}")]
    Message(#[from] lettre::error::Error),
}

/// The templates, kept in files beside this one; `.html` ones escape what they are given.
static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    macro_rules! add {
        ($($name:literal),*) => {$(
            env.add_template(concat!($name, ".txt"), include_str!(concat!("templates/", $name, ".txt")))
                .expect("a mail template in the binary parses");
            env.add_template(concat!($name, ".html"), include_str!(concat!("templates/", $name, ".html")))
                .expect("a mail template in the binary parses");
        )*};
    }
    add!(
        "ticket_received",
        "agent_replied",
        "ticket_resolved",
        "ticket_assigned",
        "new_ticket"
    );
    env
});

/// The message for `mail`, its links under `public_url`.
pub fn compose(mail: &MailToSend, public_url: &str) -> Result<Message, ComposeError> {
    let support = SupportAddress::parse(&mail.support_address)
        .map_err(|_| lettre::address::AddressError::InvalidInput)?;
    let from = Mailbox::new(
        Some(one_line(&mail.sender_name)),
        mail.support_address.parse()?,
    );
    let to = Mailbox::new(
        mail.to_name.as_deref().map(one_line),
        mail.to_address.parse()?,
    );
    let ticket_url = format!("{public_url}/tickets/{}", mail.ticket_id);
    let unsubscribe_url = mail
        .unsubscribe_token
        .as_deref()
        .map(|token| format!("{public_url}/unsubscribe#{token}"));
    let requester = match (&mail.requester_name, &mail.requester_email) {
        (Some(name), Some(email)) => format!("{name} <{email}>"),
        (None, Some(email)) => email.clone(),
        (Some(name), None) => name.clone(),
        (None, None) => "nobody in particular".to_owned(),
    };
    let values = context! {
        marker => REPLY_MARKER,
        sender_name => mail.sender_name,
        recipient_name => mail.to_name.as_deref().unwrap_or("there"),
        actor_name => mail.actor_name,
        attachments_dropped => mail.attachments_dropped,
        unsubscribe_url => unsubscribe_url,
        ticket => context! {
            id => mail.ticket_id,
            title => mail.title,
            url => ticket_url,
            category => mail.category.to_string(),
            priority => mail.priority.to_string(),
            requester => requester,
            excerpt => excerpt(&mail.description),
        },
        reply => context! {
            author => mail.reply_author.as_deref().unwrap_or("Support"),
            body => mail.reply_body,
        },
    };
    let name = mail.template.name();
    let text = TEMPLATES
        .get_template(&format!("{name}.txt"))?
        .render(&values)?;
    let html = TEMPLATES
        .get_template(&format!("{name}.html"))?
        .render(&values)?;

    // Every mail of a ticket references the same root (and the requester's own first mail, when
    // the ticket came by mail), so clients file them in one thread.
    let root = format!("<ticket.{}@{}>", mail.ticket_id, support.domain());
    let references = match &mail.origin_message_id {
        Some(origin) => format!("{origin} {root}"),
        None => root.clone(),
    };
    let in_reply_to = mail.origin_message_id.clone().unwrap_or(root);

    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject(mail))
        .message_id(Some(mail.message_id.clone()))
        .in_reply_to(in_reply_to)
        .references(references)
        .header(AutoSubmitted)
        .header(TicketNumber(mail.ticket_id));
    if mail.template.to_requester() {
        // Replies come back to the ticket's own address.
        builder = builder.reply_to(Mailbox::new(
            from.name,
            support.reply_address(&mail.reply_token).parse()?,
        ));
    }
    if let Some(token) = &mail.unsubscribe_token {
        let one_click = format!("{public_url}/api/mail/unsubscribe/?token={token}");
        builder = builder
            .header(ListUnsubscribe(format!("<{one_click}>")))
            .header(ListUnsubscribePost);
    }
    Ok(builder.multipart(MultiPart::alternative_plain_html(text, html))?)
}

/// `[#42] Title`, with what happened in front for the mails that are news.
fn subject(mail: &MailToSend) -> String {
    let title = one_line(&mail.title);
    let id = mail.ticket_id;
    match mail.template {
        MailTemplate::TicketReceived => format!("[#{id}] {title}"),
        MailTemplate::AgentReplied => format!("Re: [#{id}] {title}"),
        MailTemplate::TicketResolved => format!("[#{id}] Resolved: {title}"),
        MailTemplate::TicketAssigned => format!("[#{id}] Assigned to you: {title}"),
        MailTemplate::NewTicket => format!("[#{id}] New ticket: {title}"),
    }
}

/// Text for a header: control characters (a line break would start a new header) become
/// spaces. lettre encodes what remains.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn excerpt(description: &str) -> String {
    match description.char_indices().nth(EXCERPT_CHARS) {
        Some((end, _)) => format!("{}…", &description[..end]),
        None => description.to_owned(),
    }
}

/// RFC 3834: made by a program, so auto-responders do not answer it (and no loop starts).
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// Which ticket a mail is about, for filters and for recognising our own mail coming back.
#[derive(Clone)]
struct TicketNumber(i64);

pub const TICKET_HEADER: &str = "X-Helpdesk-Ticket";

impl Header for TicketNumber {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str(TICKET_HEADER)
    }
    fn parse(raw: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(raw.trim().parse()?))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.to_string())
    }
}

/// RFC 2369 / RFC 8058: the one-click unsubscribe of opt-in mails.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(raw: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(raw.to_owned()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(template: MailTemplate) -> MailToSend {
        MailToSend {
            outbox_id: 1,
            template,
            to_address: "ada@example.com".to_owned(),
            to_name: Some("Ada Lovelace".to_owned()),
            message_id: "<abc.42@example.com>".to_owned(),
            ticket_id: 42,
            title: "Printer <on fire>\r\nBcc: evil@example.net".to_owned(),
            description: "It smokes.".to_owned(),
            category: Category::Technical,
            priority: Priority::High,
            requester_name: Some("Ada Lovelace".to_owned()),
            requester_email: Some("ada@example.com".to_owned()),
            reply_author: Some("Alex Agent".to_owned()),
            reply_body: Some("Unplug it <now> & wait.".to_owned()),
            actor_name: None,
            support_address: "support@example.com".to_owned(),
            sender_name: "Example Support".to_owned(),
            reply_token: "0123456789abcdef0123456789abcdef".to_owned(),
            origin_message_id: Some("<first@client.example>".to_owned()),
            attachments_dropped: 0,
            unsubscribe_token: None,
        }
    }

    fn text_of(raw: &[u8]) -> String {
        mail_parser::MessageParser::default()
            .parse(raw)
            .and_then(|message| message.body_text(0).map(|text| text.into_owned()))
            .unwrap_or_default()
    }

    fn headers(raw: &str) -> Vec<&str> {
        raw.split("\r\n\r\n")
            .next()
            .unwrap()
            .split("\r\n")
            .collect()
    }

    #[test]
    fn a_reply_mail_threads_routes_replies_and_cannot_be_given_headers() {
        let message = compose(
            &mail(MailTemplate::AgentReplied),
            "https://help.example.com",
        )
        .unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        let headers = headers(&raw);
        assert!(
            !headers
                .iter()
                .any(|h| h.to_ascii_lowercase().starts_with("bcc")),
            "{raw}"
        );
        assert!(
            headers.contains(&"Message-ID: <abc.42@example.com>"),
            "{raw}"
        );
        assert!(
            headers.contains(&"In-Reply-To: <first@client.example>"),
            "{raw}"
        );
        assert!(
            headers.contains(&"References: <first@client.example> <ticket.42@example.com>"),
            "{raw}"
        );
        assert!(headers.contains(&"Auto-Submitted: auto-generated"), "{raw}");
        assert!(
            raw.contains("support+0123456789abcdef0123456789abcdef@example.com"),
            "{raw}"
        );
        assert!(
            raw.contains("Re: [#42] Printer <on fire>  Bcc: evil@example.net"),
            "{raw}"
        );
        // The HTML part escapes what people wrote; the text part keeps it as written.
        assert!(raw.contains("Unplug it &lt;now&gt; &amp; wait."), "{raw}");
        let text = text_of(raw.as_bytes());
        assert!(text.contains("Unplug it <now> & wait."), "{text}");
        assert!(text.contains(REPLY_MARKER));
    }

    #[test]
    fn opt_in_mails_carry_a_one_click_unsubscribe_and_no_reply_address() {
        let mut new_ticket = mail(MailTemplate::NewTicket);
        new_ticket.unsubscribe_token = Some("feedface".to_owned());
        let raw = String::from_utf8(
            compose(&new_ticket, "https://help.example.com")
                .unwrap()
                .formatted(),
        )
        .unwrap();
        let headers = headers(&raw);
        assert!(
            headers.contains(
                &"List-Unsubscribe: <https://help.example.com/api/mail/unsubscribe/?token=feedface>"
            ),
            "{raw}"
        );
        assert!(headers.contains(&"List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(!headers.iter().any(|h| h.starts_with("Reply-To:")), "{raw}");
        let text = text_of(raw.as_bytes());
        assert!(
            text.contains("https://help.example.com/unsubscribe#feedface"),
            "{text}"
        );
        assert!(!text.contains(REPLY_MARKER));
    }
}
