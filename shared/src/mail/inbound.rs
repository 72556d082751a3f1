//! Received mail: read (MIME, charsets, HTML to text), judged (bounce, loop, auto-reply,
//! unverified sender, stranger), and turned into a ticket or a requester's reply. Every mail
//! leaves a record in `mail_inbound`, whatever became of it.

use std::borrow::Cow;

use mail_parser::{Addr, HeaderValue, Message, MessageParser, MimeHeaders};
use sqlx::PgPool;

use super::compose::{REPLY_MARKER, TICKET_HEADER};
use crate::{
    classifier::Classifier,
    domain::{
        Actor, DESCRIPTION_MAX_CHARS, Description, Email, InboundMail, InboundReason,
        InboundStatus, NewTicket, SupportAddress, TITLE_MAX_CHARS, Title,
    },
    repository::{self, Accepted, MailThread, ReceivedMail, Requester},
};

/// What the receiving side needs: the database, the classifier (a mailed ticket is labelled
/// like any other), and the policy.
#[derive(Clone)]
pub struct Inbox {
    pub db: PgPool,
    pub classifier: Classifier,
    /// Whose `Authentication-Results` count (see `MailConfig::authserv_id`).
    pub authserv_id: Option<String>,
    pub max_bytes: usize,
}

/// What became of a mail.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Receipt {
    pub status: InboundStatus,
    pub reason: Option<InboundReason>,
    pub ticket_id: Option<i64>,
    /// The record in `mail_inbound` (none when no support address is set).
    pub record_id: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error("no support address is set: mail cannot be received")]
    NoSupportAddress,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    NoRandomness(#[from] super::NoRandomness),
}

/// How a mail was read.
#[derive(Debug, Clone)]
struct Reading {
    mail: ReceivedMail,
    /// Reply tokens among the recipients (envelope and headers), and the Message-IDs it answers.
    reply_tokens: Vec<String>,
    answers: Vec<String>,
    verdict: Verdict,
}

/// What the headers say about a mail before anyone looks at its sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Fine,
    Ignore(InboundReason),
    Hold(InboundReason),
}

impl Inbox {
    pub fn new(db: PgPool, classifier: Classifier, config: &crate::config::MailConfig) -> Self {
        Self {
            db,
            classifier,
            authserv_id: config.authserv_id.clone(),
            max_bytes: config.max_inbound_bytes,
        }
    }

    /// Receives one message, delivered to `recipients` (the SMTP envelope's; empty when not
    /// known, as for a message read from S3: then its headers say).
    pub async fn receive(&self, raw: &[u8], recipients: &[String]) -> Result<Receipt, InboxError> {
        let settings = repository::mail_settings(&self.db).await?;
        let support = settings
            .support_address
            .ok_or(InboxError::NoSupportAddress)?;
        if raw.len() > self.max_bytes {
            return self.refuse_too_large(raw).await;
        }
        let Some(reading) = read(raw, recipients, &support, self.authserv_id.as_deref()) else {
            let mail = headers_only(raw);
            return self
                .refuse(
                    &mail,
                    InboundStatus::Rejected,
                    InboundReason::Malformed,
                    Record::New { reply_to: None },
                )
                .await;
        };
        if let Verdict::Ignore(reason) = reading.verdict {
            return self
                .refuse(
                    &reading.mail,
                    InboundStatus::Ignored,
                    reason,
                    Record::New { reply_to: None },
                )
                .await;
        }
        let thread = self.thread(&reading).await?;
        if let Verdict::Hold(reason) = reading.verdict {
            let reply_to = thread.as_ref().map(|thread| thread.ticket_id);
            return self
                .refuse(
                    &reading.mail,
                    InboundStatus::Held,
                    reason,
                    Record::New { reply_to },
                )
                .await;
        }
        match thread {
            Some(thread) => self.reply(&reading.mail, &thread, None).await,
            // A reply whose ticket cannot be told (an unknown token): not a new ticket either.
            None if !reading.reply_tokens.is_empty() => {
                self.refuse(
                    &reading.mail,
                    InboundStatus::Ignored,
                    InboundReason::UnknownSender,
                    Record::New { reply_to: None },
                )
                .await
            }
            None => self.open_ticket(&reading.mail, None).await,
        }
    }

    /// Records a message over the size limit as rejected, by what its first bytes say.
    pub async fn refuse_too_large(&self, head: &[u8]) -> Result<Receipt, InboxError> {
        let mail = headers_only(head);
        self.refuse(
            &mail,
            InboundStatus::Rejected,
            InboundReason::TooLarge,
            Record::New { reply_to: None },
        )
        .await
    }

    /// Accepts held mail `id` as if its sender had been verified: the ticket or reply it would
    /// have made. `None` if there is no held mail `id`.
    pub async fn release(&self, id: i64) -> Result<Option<Receipt>, InboxError> {
        let Some(held) = repository::find_held_mail(&self.db, id).await? else {
            return Ok(None);
        };
        let thread = match held.reply_to_ticket_id {
            Some(ticket_id) => repository::thread_of_ticket(&self.db, ticket_id).await?,
            None => None,
        };
        let receipt = match thread {
            Some(thread) => self.reply(&held.mail, &thread, Some(id)).await?,
            None => self.open_ticket(&held.mail, Some(id)).await?,
        };
        Ok(Some(receipt))
    }

    async fn thread(&self, reading: &Reading) -> Result<Option<MailThread>, InboxError> {
        for token in &reading.reply_tokens {
            if let Some(thread) = repository::thread_by_reply_token(&self.db, token).await? {
                return Ok(Some(thread));
            }
        }
        if reading.answers.is_empty() {
            return Ok(None);
        }
        Ok(repository::thread_by_sent_message(&self.db, &reading.answers).await?)
    }

    /// The requester's reply, as a public comment of theirs. From anyone else, or to a ticket
    /// no longer theirs to answer: recorded and ignored.
    async fn reply(
        &self,
        mail: &ReceivedMail,
        thread: &MailThread,
        released: Option<i64>,
    ) -> Result<Receipt, InboxError> {
        let from_requester = thread
            .requester_email
            .as_deref()
            .is_some_and(|email| email.eq_ignore_ascii_case(&mail.from_address));
        let author = match (from_requester, thread.requester_id) {
            (true, Some(id)) => repository::find_user(&self.db, id).await?,
            _ => None,
        };
        let Some(author) = author.filter(|author| !author.disabled) else {
            return self
                .refuse(
                    mail,
                    InboundStatus::Ignored,
                    InboundReason::UnknownSender,
                    Record::of(released, None),
                )
                .await;
        };
        let mut mail = mail.clone();
        mail.body = with_attachment_note(strip_quoted(&mail.body), mail.attachments);
        let accepted =
            repository::accept_mailed_reply(&self.db, &mail, thread, &author, released).await?;
        self.accepted(&mail, accepted, Some(thread.ticket_id), released)
            .await
    }

    /// A new ticket from the mail's sender (an account made for them if they have none).
    async fn open_ticket(
        &self,
        mail: &ReceivedMail,
        released: Option<i64>,
    ) -> Result<Receipt, InboxError> {
        let Ok(email) = Email::parse(&mail.from_address) else {
            return self
                .refuse(
                    mail,
                    InboundStatus::Rejected,
                    InboundReason::Malformed,
                    Record::of(released, None),
                )
                .await;
        };
        let name = mail
            .from_name
            .clone()
            .unwrap_or_else(|| mail.from_address.clone());
        let text = with_attachment_note(mail.body.clone(), mail.attachments);
        let (Ok(title), Ok(description)) = (
            title_from_subject(&mail.subject),
            description_from_text(&text),
        ) else {
            return self
                .refuse(
                    mail,
                    InboundStatus::Rejected,
                    InboundReason::Malformed,
                    Record::of(released, None),
                )
                .await;
        };
        let new_ticket = NewTicket {
            title,
            description,
            category: None,
            priority: None,
            requester: None,
        };
        // Labelled before the transaction: the model is not waited for with a row locked.
        let placeholder = Requester {
            id: None,
            email: email.as_str().to_owned(),
            name: name.clone(),
        };
        let draft = crate::intake::labelled(
            &self.classifier,
            new_ticket,
            placeholder,
            Actor::Person(None),
        )
        .await;
        let token = super::new_token()?;
        let accepted = repository::accept_mailed_ticket(
            &self.db,
            mail,
            (&email, &name),
            |account| {
                let mut draft = draft.clone();
                draft.requester = Requester::from(account);
                draft.filed_by(Actor::Person(Some(account.id)));
                draft
            },
            &token,
            released,
        )
        .await?;
        self.accepted(mail, accepted, None, released).await
    }

    async fn accepted(
        &self,
        mail: &ReceivedMail,
        accepted: Accepted,
        ticket: Option<i64>,
        released: Option<i64>,
    ) -> Result<Receipt, InboxError> {
        match accepted {
            Accepted::Done(record) => Ok(receipt(&record)),
            Accepted::Duplicate => {
                self.refuse(
                    mail,
                    InboundStatus::Ignored,
                    InboundReason::Duplicate,
                    Record::of(released, None),
                )
                .await
            }
            Accepted::Refused => {
                self.refuse(
                    mail,
                    InboundStatus::Ignored,
                    InboundReason::UnknownSender,
                    Record::of(released, ticket),
                )
                .await
            }
        }
    }

    async fn refuse(
        &self,
        mail: &ReceivedMail,
        status: InboundStatus,
        reason: InboundReason,
        record: Record,
    ) -> Result<Receipt, InboxError> {
        let settled = match record {
            Record::Held(id) => repository::settle_held_mail(&self.db, id, status, reason).await?,
            Record::New { .. } => None,
        };
        let record = match (settled, record) {
            (Some(settled), _) => settled,
            (None, Record::New { reply_to }) => {
                repository::record_inbound(&self.db, mail, status, reason, reply_to).await?
            }
            // Decided meanwhile by someone else: their decision stands.
            (None, Record::Held(id)) => repository::find_inbound(&self.db, id)
                .await?
                .ok_or(sqlx::Error::RowNotFound)?,
        };
        tracing::info!(
            record = record.id,
            status = ?record.status,
            reason = ?record.reason,
            "mail not turned into a ticket or reply"
        );
        Ok(receipt(&record))
    }
}

/// Where a refusal is written: a new record (with the ticket a reply was meant for), or the held
/// mail an agent's decision settles.
#[derive(Debug, Clone, Copy)]
enum Record {
    New { reply_to: Option<i64> },
    Held(i64),
}

impl Record {
    fn of(released: Option<i64>, reply_to: Option<i64>) -> Self {
        match released {
            Some(id) => Self::Held(id),
            None => Self::New { reply_to },
        }
    }
}

fn receipt(record: &InboundMail) -> Receipt {
    Receipt {
        status: record.status,
        reason: record.reason,
        ticket_id: record.ticket_id,
        record_id: Some(record.id),
    }
}

/// Reads a mail: who, what, to which ticket, and the verdict of its headers. `None` for
/// something that is not a mail (no sender).
fn read(
    raw: &[u8],
    recipients: &[String],
    support: &SupportAddress,
    authserv_id: Option<&str>,
) -> Option<Reading> {
    let message = MessageParser::default().parse(raw)?;
    let sender = message.from().and_then(|from| from.first())?;
    let from_address = sender.address.as_deref()?.trim().to_owned();
    if !from_address.contains('@') {
        return None;
    }
    let mail = ReceivedMail {
        message_id: message.message_id().map(str::to_owned),
        from_address,
        from_name: sender
            .name
            .as_deref()
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned),
        subject: message.subject().unwrap_or_default().to_owned(),
        body: body_text(&message),
        attachments: i32::try_from(message.attachment_count()).unwrap_or(i32::MAX),
    };
    let addressed: Vec<String> = recipients
        .iter()
        .cloned()
        .chain(header_addresses(&message))
        .collect();
    let reply_tokens = addressed
        .iter()
        .filter_map(|address| support.reply_token(address))
        .map(str::to_owned)
        .collect();
    let answers = message_ids(message.in_reply_to())
        .chain(message_ids(message.references()))
        .map(|id| format!("<{id}>"))
        .collect();
    let verdict = verdict(&message, &mail, support, authserv_id);
    Some(Reading {
        mail,
        reply_tokens,
        answers,
        verdict,
    })
}

/// Bounces first (they carry the original, our headers included), then loops, then
/// auto-replies, then the spam verdict and the sender's authentication.
fn verdict(
    message: &Message<'_>,
    mail: &ReceivedMail,
    support: &SupportAddress,
    authserv_id: Option<&str>,
) -> Verdict {
    let header = |name: &str| first_raw_header(message, name);
    let is_report = message.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    let local = mail.from_address.split('@').next().unwrap_or_default();
    let daemon = ["mailer-daemon", "postmaster"]
        .iter()
        .any(|name| local.eq_ignore_ascii_case(name));
    let null_sender = header("Return-Path").is_some_and(|path| path.trim() == "<>");
    if is_report || daemon || null_sender {
        return Verdict::Ignore(InboundReason::Bounce);
    }
    if support.is_ours(&mail.from_address) || header(TICKET_HEADER).is_some() {
        return Verdict::Ignore(InboundReason::Loop);
    }
    let auto_submitted =
        header("Auto-Submitted").is_some_and(|value| !value.trim().eq_ignore_ascii_case("no"));
    let bulk = header("Precedence").is_some_and(|value| {
        ["bulk", "junk", "list", "auto_reply"]
            .iter()
            .any(|kind| value.trim().eq_ignore_ascii_case(kind))
    });
    let autoresponder = ["X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"]
        .iter()
        .any(|name| {
            header(name).is_some_and(|value| {
                *name != "X-Auto-Response-Suppress" || value.to_ascii_lowercase().contains("all")
            })
        });
    if auto_submitted || bulk || autoresponder {
        return Verdict::Ignore(InboundReason::AutoReply);
    }
    let Some(authserv_id) = authserv_id else {
        return Verdict::Fine;
    };
    // The receiving service puts its headers on top: only the topmost of each counts, as a
    // sender can write any header further down.
    if ["X-SES-Spam-Verdict", "X-SES-Virus-Verdict"]
        .iter()
        .any(|name| header(name).is_some_and(|v| v.trim().eq_ignore_ascii_case("FAIL")))
    {
        return Verdict::Ignore(InboundReason::Spam);
    }
    if authenticated(header("Authentication-Results"), authserv_id) {
        Verdict::Fine
    } else {
        Verdict::Hold(InboundReason::UnverifiedSender)
    }
}

/// Whether `Authentication-Results` (RFC 8601) from `authserv_id` says SPF or DKIM passed.
fn authenticated(results: Option<&str>, authserv_id: &str) -> bool {
    let Some(results) = results else {
        return false;
    };
    let mut parts = results.split(';');
    let from_trusted = parts
        .next()
        .and_then(|id| id.split_whitespace().next())
        .is_some_and(|id| id.eq_ignore_ascii_case(authserv_id));
    from_trusted
        && parts.any(|part| {
            let part = part.trim().to_ascii_lowercase();
            part.starts_with("spf=pass") || part.starts_with("dkim=pass")
        })
}

/// The first (topmost) header `name`, unfolded.
fn first_raw_header<'a>(message: &'a Message<'_>, name: &str) -> Option<&'a str> {
    message
        .headers_raw()
        .find(|(header, _)| header.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

fn header_addresses<'a>(message: &'a Message<'_>) -> impl Iterator<Item = String> + 'a {
    let listed = [message.to(), message.cc()]
        .into_iter()
        .flatten()
        .flat_map(|address| address.iter())
        .filter_map(|addr: &Addr<'_>| addr.address.as_deref().map(str::to_owned));
    let delivered = message
        .headers_raw()
        .filter(|(name, _)| {
            name.eq_ignore_ascii_case("Delivered-To") || name.eq_ignore_ascii_case("X-Original-To")
        })
        .map(|(_, value)| value.trim().trim_matches(['<', '>']).to_owned());
    listed.chain(delivered)
}

fn message_ids<'a>(value: &'a HeaderValue<'_>) -> Box<dyn Iterator<Item = String> + 'a> {
    match value {
        HeaderValue::Text(id) => Box::new(std::iter::once(id.to_string())),
        HeaderValue::TextList(ids) => Box::new(ids.iter().map(ToString::to_string)),
        _ => Box::new(std::iter::empty()),
    }
}

/// The mail's text: its first text part, or its HTML converted (scripts and styles dropped).
fn body_text(message: &Message<'_>) -> String {
    let Some(part) = message.text_part(0) else {
        return String::new();
    };
    let text: Cow<'_, str> = match part.text_contents() {
        Some(html) if part.is_text_html() => Cow::Owned(mail_parser::decoders::html::html_to_text(
            &without_code(html),
        )),
        Some(text) => Cow::Borrowed(text),
        None => Cow::Borrowed(""),
    };
    text.replace("\r\n", "\n")
}

/// HTML without its `<script>`, `<style>` and `<head>` elements, whatever their attributes.
fn without_code(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut kept = String::with_capacity(html.len());
    let mut at = 0;
    'scan: while at < html.len() {
        for element in ["script", "style", "head"] {
            let open = format!("<{element}");
            if lower[at..].starts_with(&open)
                && lower[at + open.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c == '>' || c.is_ascii_whitespace())
            {
                let close = format!("</{element}");
                at = match lower[at..].find(&close) {
                    Some(end) => {
                        at + end + lower[at + end..].find('>').map_or(close.len(), |gt| gt + 1)
                    }
                    None => html.len(),
                };
                continue 'scan;
            }
        }
        let next = html[at..].chars().next().map_or(1, char::len_utf8);
        kept.push_str(&html[at..at + next]);
        at += next;
    }
    kept
}

/// For a mail that cannot be read as one: whatever its first headers say.
fn headers_only(raw: &[u8]) -> ReceivedMail {
    let head = &raw[..raw.len().min(64 * 1024)];
    let parsed = MessageParser::default().parse_headers(head);
    let sender = parsed
        .as_ref()
        .and_then(|message| message.from())
        .and_then(|from| from.first());
    ReceivedMail {
        message_id: None,
        from_address: sender
            .and_then(|addr| addr.address.as_deref())
            .unwrap_or("(unknown)")
            .to_owned(),
        from_name: sender
            .and_then(|addr| addr.name.as_deref())
            .map(str::to_owned),
        subject: parsed
            .as_ref()
            .and_then(|message| message.subject())
            .unwrap_or_default()
            .to_owned(),
        body: String::new(),
        attachments: 0,
    }
}

/// Says in the text itself that attachments were not kept, so nobody thinks they were.
fn with_attachment_note(text: String, attachments: i32) -> String {
    match attachments {
        0 => text,
        1 => format!(
            "{text}\n\n[1 attachment was not kept: Helpdesk does not store attachments yet.]"
        ),
        n => format!(
            "{text}\n\n[{n} attachments were not kept: Helpdesk does not store attachments yet.]"
        ),
    }
}

/// The new text of a reply: without our marker and what follows it, the client's
/// "On … wrote:" or Outlook's header block and what follows, and a trailing quote.
pub fn strip_quoted(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut end = lines.len();
    for (index, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start_matches(['>', ' ']).trim();
        let outlook_rule = trimmed.len() >= 10 && trimmed.chars().all(|c| c == '_');
        let original = trimmed.eq_ignore_ascii_case("-----Original Message-----");
        let outlook_header = trimmed.starts_with("From:")
            && lines[index + 1..].iter().take(3).any(|next| {
                next.trim_start().starts_with("Sent:") || next.trim_start().starts_with("Date:")
            });
        if trimmed.contains(REPLY_MARKER) || outlook_rule || original || outlook_header {
            end = index;
            break;
        }
        if attribution(&lines[index..]) {
            end = index;
            break;
        }
    }
    let mut kept = &lines[..end];
    // A quote left at the end (a client that quotes below without an attribution line).
    while let Some((last, rest)) = kept.split_last() {
        if last.trim().is_empty() || last.trim_start().starts_with('>') {
            kept = rest;
        } else {
            break;
        }
    }
    let reply = kept.join("\n").trim().to_owned();
    if reply.is_empty() {
        // Nothing new above the quote: keep all of it rather than lose what was sent.
        text.trim().to_owned()
    } else {
        reply
    }
}

/// "On Mon, 30 Nov 2026 at 10:14, Helpdesk <support@…> wrote:", which clients wrap over up to
/// three lines.
fn attribution(lines: &[&str]) -> bool {
    let Some(first) = lines.first() else {
        return false;
    };
    if !(first.starts_with("On ") || first.starts_with("Le ") || first.starts_with("Am ")) {
        return false;
    }
    lines.iter().take(3).any(|line| {
        let line = line.trim_end();
        line.ends_with("wrote:") || line.ends_with("a écrit :") || line.ends_with("schrieb:")
    })
}

/// A mail's subject as a title: one line, within the title's length, "(no subject)" for none.
fn title_from_subject(subject: &str) -> Result<Title, String> {
    let line: String = subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let line = line.trim();
    let line = if line.is_empty() {
        "(no subject)"
    } else {
        line
    };
    Title::parse(&truncate(line, TITLE_MAX_CHARS, "…"))
}

/// A mail's text as a description: within the description's length, saying what was cut.
fn description_from_text(text: &str) -> Result<Description, String> {
    let text: String = text
        .chars()
        .filter(|&c| !c.is_control() || c == '\n' || c == '\t')
        .collect();
    let text = text.trim();
    let text = if text.is_empty() {
        "(The email had no text.)"
    } else {
        text
    };
    let total = text.chars().count();
    let note =
        format!("\n\n[The email was {total} characters long: only the first part is kept here.]");
    Description::parse(&truncate(text, DESCRIPTION_MAX_CHARS, &note))
}

/// `text` within `max` characters, ending in `suffix` when cut.
fn truncate(text: &str, max: usize, suffix: &str) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let keep = max.saturating_sub(suffix.chars().count());
    let cut: String = text.chars().take(keep).collect();
    format!("{}{suffix}", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_history_is_stripped_in_the_usual_shapes() {
        let gmail = "Still broken.\n\nOn Mon, 30 Nov 2026 at 10:14, Helpdesk <\nsupport@x.test> wrote:\n> ##- Please type your reply above this line -##\n> old";
        assert_eq!(strip_quoted(gmail), "Still broken.");
        let outlook = "Thanks!\n\n________________________________\nFrom: Helpdesk <support@x.test>\nSent: Monday\nold";
        assert_eq!(strip_quoted(outlook), "Thanks!");
        let marker = "Yes please\n##- Please type your reply above this line -##\nold text";
        assert_eq!(strip_quoted(marker), "Yes please");
        let bottom = "Top line\n> quoted\n> more\n";
        assert_eq!(strip_quoted(bottom), "Top line");
        assert_eq!(strip_quoted("> only a quote"), "> only a quote");
    }

    #[test]
    fn html_code_is_not_text() {
        let html = "<html><HEAD><title>x</title></HEAD><body><script type=\"text/javascript\">var x = 1;</script><p>Hello</p><style media=\"all\">p{}</style><scripted>kept</scripted></body></html>";
        let kept = without_code(html);
        assert!(
            !kept.contains("var x") && !kept.contains("p{}") && !kept.contains("title"),
            "{kept}"
        );
        assert!(kept.contains("Hello") && kept.contains("kept"), "{kept}");
    }

    #[test]
    fn only_the_trusted_service_verdict_counts() {
        let pass = "amazonses.com; spf=pass smtp.mailfrom=a@b.c; dkim=fail";
        assert!(authenticated(Some(pass), "amazonses.com"));
        assert!(!authenticated(Some(pass), "mx.example.org"));
        assert!(!authenticated(
            Some("amazonses.com; spf=fail; dkim=fail"),
            "amazonses.com"
        ));
        assert!(!authenticated(None, "amazonses.com"));
    }

    #[test]
    fn subjects_and_long_texts_fit_the_ticket() {
        assert_eq!(title_from_subject("  ").unwrap().as_str(), "(no subject)");
        assert_eq!(
            title_from_subject("Help\r\nBcc: x").unwrap().as_str(),
            "Help  Bcc: x"
        );
        let long = "x".repeat(20_000);
        let description = description_from_text(&long).unwrap();
        assert_eq!(description.as_str().chars().count(), 10_000);
        assert!(
            description
                .as_str()
                .ends_with("only the first part is kept here.]")
        );
    }
}
