//! Receiving mail by SMTP (`SMTP_INBOUND_ADDR`): the local and self-hosted way in, for a
//! development mail client or a relay (Postfix, a provider's forwarding) in front. The subset
//! of RFC 5321 a relay speaks — EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT — and each
//! message handed to the [`Inbox`], answered with what became of it.
//!
//! No TLS and no authentication: it listens where only a trusted relay reaches it. Senders are
//! verified by that relay's `Authentication-Results` (`MAIL_AUTHSERV_ID`).

use std::{future::Future, sync::Arc, time::Duration};

use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    sync::Semaphore,
};

use super::inbound::{Inbox, InboxError};
use crate::domain::{InboundReason, InboundStatus};

/// Connections served at once; more wait for a free one.
const MAX_CONNECTIONS: usize = 32;
/// RFC 5321 §4.5.3.2 allows a server five minutes per command; a relay needs far less.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest command line read (RFC 5321: 512 octets; room for extensions).
const MAX_LINE: u64 = 2048;
const MAX_RECIPIENTS: usize = 100;

/// Serves SMTP on `listener` until `shutdown` completes.
pub async fn serve(listener: TcpListener, inbox: Inbox, shutdown: impl Future<Output = ()>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => return,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "cannot accept an SMTP connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let inbox = inbox.clone();
        tokio::spawn(async move {
            if let Err(error) = Session::new(stream, &inbox).run().await {
                tracing::debug!(%peer, %error, "SMTP session ended early");
            }
            drop(slot);
        });
    }
}

struct Session<'a> {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
    inbox: &'a Inbox,
    greeted: bool,
    sender: Option<String>,
    recipients: Vec<String>,
}

impl<'a> Session<'a> {
    fn new(stream: TcpStream, inbox: &'a Inbox) -> Self {
        let (read, writer) = stream.into_split();
        Self {
            reader: BufReader::new(read),
            writer,
            inbox,
            greeted: false,
            sender: None,
            recipients: Vec::new(),
        }
    }

    async fn run(mut self) -> std::io::Result<()> {
        self.reply("220 helpdesk ESMTP ready").await?;
        loop {
            let Some(line) = self.line().await? else {
                return Ok(());
            };
            let upper = line.to_ascii_uppercase();
            let verb = upper.split_whitespace().next().unwrap_or_default();
            match verb {
                "EHLO" => {
                    self.greeted = true;
                    self.reset();
                    let max = self.inbox.max_bytes;
                    self.reply(&format!(
                        "250-helpdesk\r\n250-SIZE {max}\r\n250-8BITMIME\r\n250 SMTPUTF8"
                    ))
                    .await?;
                }
                "HELO" => {
                    self.greeted = true;
                    self.reset();
                    self.reply("250 helpdesk").await?;
                }
                "MAIL" if !self.greeted => self.reply("503 5.5.1 Say EHLO first").await?,
                "MAIL" => match path_argument(&line, "MAIL FROM:") {
                    Some(_) if declared_size(&upper).is_some_and(|n| n > self.inbox.max_bytes) => {
                        self.too_large().await?;
                    }
                    Some(sender) => {
                        self.reset();
                        self.sender = Some(sender);
                        self.reply("250 2.1.0 Ok").await?;
                    }
                    None => self.reply("501 5.5.4 Syntax: MAIL FROM:<address>").await?,
                },
                "RCPT" if self.sender.is_none() => self.reply("503 5.5.1 Need MAIL first").await?,
                "RCPT" => match path_argument(&line, "RCPT TO:") {
                    Some(_) if self.recipients.len() >= MAX_RECIPIENTS => {
                        self.reply("452 4.5.3 Too many recipients").await?;
                    }
                    Some(recipient) if !recipient.is_empty() => {
                        self.recipients.push(recipient);
                        self.reply("250 2.1.5 Ok").await?;
                    }
                    _ => self.reply("501 5.5.4 Syntax: RCPT TO:<address>").await?,
                },
                "DATA" if self.recipients.is_empty() => {
                    self.reply("503 5.5.1 Need RCPT first").await?;
                }
                "DATA" => {
                    self.reply("354 End data with <CR><LF>.<CR><LF>").await?;
                    let message = self.data().await?;
                    self.deliver(message).await?;
                    self.reset();
                }
                "RSET" => {
                    self.reset();
                    self.reply("250 2.0.0 Ok").await?;
                }
                "NOOP" => self.reply("250 2.0.0 Ok").await?,
                "QUIT" => {
                    self.reply("221 2.0.0 Bye").await?;
                    return Ok(());
                }
                _ => self.reply("502 5.5.2 Command not recognised").await?,
            }
        }
    }

    fn reset(&mut self) {
        self.sender = None;
        self.recipients.clear();
    }

    /// The message's bytes, dot-unstuffed; `None` if it grew past the size limit (read to its
    /// end all the same, so the session stays in step).
    async fn data(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut message = Vec::new();
        let mut too_large = false;
        let mut line = Vec::new();
        loop {
            line.clear();
            let read = tokio::time::timeout(
                COMMAND_TIMEOUT,
                (&mut self.reader)
                    .take(1024 * 1024)
                    .read_until(b'\n', &mut line),
            )
            .await
            .map_err(|_| std::io::ErrorKind::TimedOut)??;
            if read == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            if line == b".\r\n" || line == b".\n" {
                return Ok((!too_large).then_some(message));
            }
            let content = line.strip_prefix(b".").unwrap_or(&line);
            if message.len() + content.len() > self.inbox.max_bytes {
                too_large = true;
                message = Vec::new();
            } else if !too_large {
                message.extend_from_slice(content);
            }
        }
    }

    async fn deliver(&mut self, message: Option<Vec<u8>>) -> std::io::Result<()> {
        let Some(message) = message else {
            return self.too_large().await;
        };
        // As a final delivery does: the envelope sender on top (`<>` marks a bounce).
        let sender = self.sender.as_deref().unwrap_or_default();
        let mut delivered = format!("Return-Path: <{sender}>\r\n").into_bytes();
        delivered.extend_from_slice(&message);
        match self.inbox.receive(&delivered, &self.recipients).await {
            Ok(receipt) => match (receipt.status, receipt.reason) {
                (InboundStatus::Rejected, Some(InboundReason::TooLarge)) => self.too_large().await,
                (InboundStatus::Rejected, _) => {
                    self.reply("550 5.6.0 Not a valid message: it needs a From address")
                        .await
                }
                (status, _) => {
                    let status = serde_json::to_value(status)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    self.reply(&format!("250 2.0.0 Ok: {status}")).await
                }
            },
            Err(InboxError::NoSupportAddress) => {
                self.reply("451 4.3.0 Not receiving mail yet: no support address is set")
                    .await
            }
            Err(error) => {
                tracing::error!(%error, "a received mail could not be stored");
                self.reply("451 4.3.0 Temporary failure, try again later")
                    .await
            }
        }
    }

    async fn too_large(&mut self) -> std::io::Result<()> {
        let max = self.inbox.max_bytes;
        self.reply(&format!(
            "552 5.3.4 Message too large: the limit is {max} bytes"
        ))
        .await
    }

    async fn line(&mut self) -> std::io::Result<Option<String>> {
        let mut line = Vec::new();
        let read = tokio::time::timeout(
            COMMAND_TIMEOUT,
            (&mut self.reader)
                .take(MAX_LINE)
                .read_until(b'\n', &mut line),
        )
        .await
        .map_err(|_| std::io::ErrorKind::TimedOut)??;
        if read == 0 {
            return Ok(None);
        }
        Ok(Some(String::from_utf8_lossy(&line).trim_end().to_owned()))
    }

    async fn reply(&mut self, text: &str) -> std::io::Result<()> {
        self.writer
            .write_all(format!("{text}\r\n").as_bytes())
            .await
    }
}

/// The address in `MAIL FROM:<a@b> …` or `RCPT TO:<a@b>` (empty for the null sender `<>`).
fn path_argument(line: &str, prefix: &str) -> Option<String> {
    let head = line.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = line[prefix.len()..].trim_start();
    let path = rest.strip_prefix('<')?;
    let end = path.find('>')?;
    Some(path[..end].trim().to_owned())
}

/// The `SIZE=` a client declared with `MAIL FROM` (RFC 1870).
fn declared_size(upper_line: &str) -> Option<usize> {
    upper_line
        .split_whitespace()
        .find_map(|word| word.strip_prefix("SIZE="))
        .and_then(|size| size.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_sizes_are_read_from_commands() {
        assert_eq!(
            path_argument("MAIL FROM:<ada@example.com> SIZE=100", "MAIL FROM:").as_deref(),
            Some("ada@example.com")
        );
        assert_eq!(
            path_argument("mail from: <>", "MAIL FROM:").as_deref(),
            Some("")
        );
        assert_eq!(path_argument("RCPT TO:ada@example.com", "RCPT TO:"), None);
        assert_eq!(declared_size("MAIL FROM:<A@B> SIZE=2048"), Some(2048));
    }
}
