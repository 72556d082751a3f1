//! A real SMTP server on loopback that records what the code under test sends, with faults that
//! can be injected per message.
//!
//! It speaks plain SMTP (no TLS, no AUTH) well enough for lettre: a greeting, EHLO/HELO, MAIL,
//! RCPT, DATA with dot-unstuffing, RSET, NOOP and QUIT, and any number of messages on one
//! connection. Accepted messages are kept in order and can be awaited; faults queued with
//! [`SmtpSink::fail_next`] are taken one per message, in order, when the message's DATA command
//! is accepted.
//!
//! Dropping the last [`SmtpSink`] handle stops the server and closes every connection it holds,
//! stalled ones included, so a test leaves nothing behind.

// Each test uses only part of this API, and an integration test crate reports every unused item.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// The name the server gives itself in its greeting and EHLO reply.
const SERVER_NAME: &str = "smtp-sink.test";

/// Longest command line accepted. RFC 5321 asks for at least 512 octets; extensions such as
/// SMTPUTF8 addresses make real clients send longer ones, so leave plenty of room.
const MAX_COMMAND_LINE: u64 = 4096;

/// Largest message accepted, advertised with SIZE. Bounds the memory a runaway client can make
/// the test process use; far above anything a test is expected to send.
const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// How much of the message is read at once. Lines longer than this are read in pieces, so an
/// unwrapped line cannot make a single read unbounded.
const DATA_CHUNK: u64 = 64 * 1024;

/// One message the sink accepted (answered `250` at the end of DATA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The reverse path of `MAIL FROM`, without angle brackets (empty for the null sender `<>`).
    pub mail_from: String,
    /// The forward paths of every accepted `RCPT TO`, without angle brackets, in order.
    pub rcpt_to: Vec<String>,
    /// The message as sent after DATA: dot-unstuffed, CRLF line endings kept, without the
    /// terminating `.\r\n`.
    pub data: Vec<u8>,
}

impl Received {
    /// The value of the first header field called `name` (ASCII case-insensitive), unfolded and
    /// trimmed. The value is raw: encoded words (RFC 2047) are not decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let text = self.text();
        let mut value: Option<String> = None;
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            // The header section ends at the first empty line; the body is never searched.
            if line.is_empty() {
                break;
            }
            if line.starts_with([' ', '\t']) {
                // Unfolding removes the line break only; the whitespace that follows stays.
                if let Some(value) = value.as_mut() {
                    value.push_str(line);
                }
                continue;
            }
            if value.is_some() {
                // The next field starts: the one wanted is complete.
                break;
            }
            if let Some((field, rest)) = line.split_once(':')
                // RFC 5322's obsolete syntax allows whitespace before the colon.
                && field.trim_end().eq_ignore_ascii_case(name)
            {
                value = Some(rest.to_owned());
            }
        }
        value.map(|value| value.trim().to_owned())
    }

    /// The whole message as text; invalid UTF-8 is replaced, not rejected.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// A failure injected into one message, at its DATA phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Read the whole message, then answer `451 4.3.0 try again later`.
    RefuseTransient,
    /// Read the whole message, then answer `554 5.7.1 rejected`.
    RefusePermanent,
    /// Read the start of the message, then close the connection without a reply.
    DropDuringData,
    /// Read the start of the message, then stop reading and never reply; the connection stays
    /// open until the sink is dropped, so the client has to give up on its own.
    StallDuringData,
}

/// Handle to a running SMTP sink; clones share the same server.
#[derive(Clone)]
pub struct SmtpSink {
    inner: Arc<Inner>,
}

/// Owned by the handles only (the server tasks hold [`Shared`]), so that dropping the last
/// handle is what stops the server.
struct Inner {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The accept loop owns the connection tasks (a JoinSet), so aborting it ends them too.
        self.server.abort();
    }
}

/// State the handles and the connection tasks share.
struct Shared {
    /// Accepted messages. A watch channel rather than a mutex so that `wait_for` can sleep until
    /// the list grows instead of polling.
    received: watch::Sender<Vec<Received>>,
    faults: Mutex<VecDeque<Fault>>,
    attempts: AtomicUsize,
}

impl Shared {
    fn next_fault(&self) -> Option<Fault> {
        // A test that panicked while holding the lock must not wedge the server for the others.
        self.faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
    }

    fn pending_faults(&self) -> Vec<Fault> {
        self.faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .copied()
            .collect()
    }

    /// Records an accepted message and returns its 1-based number.
    fn record(&self, message: Received) -> usize {
        let mut number = 0;
        // `send_modify` updates the value even while nobody is subscribed, unlike `send`.
        self.received.send_modify(|received| {
            received.push(message);
            number = received.len();
        });
        number
    }
}

impl SmtpSink {
    /// Starts a sink on an ephemeral port of 127.0.0.1, serving every connection on its own task
    /// of the current tokio runtime.
    ///
    /// # Panics
    /// If the port cannot be bound: a test cannot go on without its server.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
            .await
            .unwrap_or_else(|err| panic!("SmtpSink: cannot bind 127.0.0.1:0: {err}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|err| panic!("SmtpSink: cannot read the bound address: {err}"));
        let shared = Arc::new(Shared {
            received: watch::Sender::new(Vec::new()),
            faults: Mutex::new(VecDeque::new()),
            attempts: AtomicUsize::new(0),
        });
        let server = tokio::spawn(serve(listener, Arc::clone(&shared)));
        SmtpSink {
            inner: Arc::new(Inner {
                addr,
                shared,
                server,
            }),
        }
    }

    /// `smtp://127.0.0.1:PORT`: with lettre's `from_url`, plain SMTP without TLS.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.inner.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// Every message accepted so far, in the order they were accepted.
    pub fn received(&self) -> Vec<Received> {
        self.inner.shared.received.borrow().clone()
    }

    /// Queues `fault` for the next message that reaches DATA. Faults are taken in the order they
    /// were queued, one per message; messages after the queue empties are accepted.
    pub fn fail_next(&self, fault: Fault) {
        self.inner
            .shared
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(fault);
    }

    /// Waits until at least `count` messages have been accepted and returns all of them.
    ///
    /// # Panics
    /// After `timeout`, with a message listing what did arrive.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let mut updates = self.inner.shared.received.subscribe();
        let waited = tokio::time::timeout(
            timeout,
            updates.wait_for(|received| received.len() >= count),
        )
        .await;
        match waited {
            Ok(Ok(received)) => received.clone(),
            // The sender lives in `Shared`, which `self` keeps alive, so it cannot have closed.
            Ok(Err(_closed)) => panic!("SmtpSink: the received-message channel closed"),
            Err(_elapsed) => panic!(
                "SmtpSink: timed out after {timeout:?} waiting for {count} message(s); {}",
                self.describe()
            ),
        }
    }

    /// How many messages reached DATA (answered `354`), whether they were then accepted, refused,
    /// dropped or stalled.
    pub fn attempts(&self) -> usize {
        self.inner.shared.attempts.load(Ordering::SeqCst)
    }

    /// What arrived, for failure messages.
    fn describe(&self) -> String {
        let received = self.received();
        let mut text = format!(
            "{} accepted, {} DATA attempt(s), faults still queued: {:?}",
            received.len(),
            self.attempts(),
            self.inner.shared.pending_faults()
        );
        for (index, message) in received.iter().enumerate() {
            text.push_str(&format!(
                "\n  #{}: from <{}> to {:?}, Subject: {:?}, {} bytes",
                index + 1,
                message.mail_from,
                message.rcpt_to,
                message.header("Subject").unwrap_or_default(),
                message.data.len()
            ));
        }
        text
    }
}

impl std::fmt::Debug for SmtpSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSink")
            .field("addr", &self.inner.addr)
            .field("received", &self.inner.shared.received.borrow().len())
            .field("attempts", &self.attempts())
            .finish()
    }
}

/// Accepts connections until aborted. Connection tasks live in a JoinSet owned here, so that
/// aborting this task (when the sink is dropped) closes them all.
async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let shared = Arc::clone(&shared);
                    connections.spawn(async move {
                        // I/O errors are how clients hang up, and fault injection provokes them
                        // on purpose: nothing to report.
                        let _ = Session::new(shared).run(stream).await;
                    });
                }
                Err(err) => {
                    // Typically running out of file descriptors; back off instead of spinning.
                    eprintln!("SmtpSink: accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            // Reap finished connections so the set does not grow for the whole test.
            Some(finished) = connections.join_next() => {
                if let Err(err) = finished
                    && err.is_panic()
                {
                    eprintln!("SmtpSink: a connection task panicked: {err}");
                }
            }
        }
    }
}

/// What DATA ended in, once the message has been read as far as the fault lets it be.
enum DataOutcome {
    /// The terminator was read; the reply depends on the fault and the size.
    Complete { data: Vec<u8>, too_big: bool },
    /// `DropDuringData`: close without replying.
    Drop,
    /// `StallDuringData`: keep the socket, never reply.
    Stall,
}

/// One SMTP connection: whether the client greeted, and the transaction in progress.
struct Session {
    shared: Arc<Shared>,
    greeted: bool,
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
}

impl Session {
    fn new(shared: Arc<Shared>) -> Self {
        Session {
            shared,
            greeted: false,
            mail_from: None,
            rcpt_to: Vec::new(),
        }
    }

    fn reset_transaction(&mut self) {
        self.mail_from = None;
        self.rcpt_to.clear();
    }

    async fn run(mut self, mut stream: TcpStream) -> io::Result<()> {
        let (reader, mut writer) = stream.split();
        // Commands are read line by line from a buffer, which also handles a pipelining client:
        // whatever it sent ahead waits in the buffer and is answered in order.
        let mut reader = BufReader::new(reader);
        writer
            .write_all(format!("220 {SERVER_NAME} ESMTP smtp-sink ready\r\n").as_bytes())
            .await?;

        let mut line = Vec::new();
        loop {
            line.clear();
            if !read_command_line(&mut reader, &mut line).await? {
                // The client hung up without QUIT.
                return Ok(());
            }
            let Some(line) = line.strip_suffix(b"\n") else {
                writer.write_all(b"500 5.5.6 line too long\r\n").await?;
                continue;
            };
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let line = String::from_utf8_lossy(line);
            let (verb, argument) = match line.split_once(' ') {
                Some((verb, argument)) => (verb, argument.trim()),
                None => (line.as_ref(), ""),
            };

            let reply: String = match verb.to_ascii_uppercase().as_str() {
                "EHLO" if argument.is_empty() => "501 5.5.4 EHLO needs a domain\r\n".into(),
                "EHLO" => {
                    // A new greeting abandons any transaction (RFC 5321 4.1.4).
                    self.greeted = true;
                    self.reset_transaction();
                    // ENHANCEDSTATUSCODES because the replies carry them; SMTPUTF8 because
                    // lettre refuses to send to non-ASCII addresses without it.
                    format!(
                        "250-{SERVER_NAME} greets {argument}\r\n\
                         250-8BITMIME\r\n\
                         250-SMTPUTF8\r\n\
                         250-ENHANCEDSTATUSCODES\r\n\
                         250-PIPELINING\r\n\
                         250 SIZE {MAX_MESSAGE_BYTES}\r\n"
                    )
                }
                "HELO" if argument.is_empty() => "501 5.5.4 HELO needs a domain\r\n".into(),
                "HELO" => {
                    self.greeted = true;
                    self.reset_transaction();
                    format!("250 {SERVER_NAME}\r\n")
                }
                "MAIL" if !self.greeted => "503 5.5.1 send EHLO or HELO first\r\n".into(),
                "MAIL" if self.mail_from.is_some() => {
                    "503 5.5.1 a transaction is already in progress\r\n".into()
                }
                "MAIL" => match parse_path(argument, "FROM:") {
                    Some(path) => {
                        self.mail_from = Some(path);
                        "250 2.1.0 sender OK\r\n".into()
                    }
                    None => "501 5.5.4 syntax: MAIL FROM:<address>\r\n".into(),
                },
                "RCPT" if self.mail_from.is_none() => "503 5.5.1 send MAIL first\r\n".into(),
                "RCPT" => match parse_path(argument, "TO:") {
                    Some(path) if !path.is_empty() => {
                        self.rcpt_to.push(path);
                        "250 2.1.5 recipient OK\r\n".into()
                    }
                    _ => "501 5.5.4 syntax: RCPT TO:<address>\r\n".into(),
                },
                "DATA" if self.rcpt_to.is_empty() => "503 5.5.1 send RCPT first\r\n".into(),
                "DATA" => {
                    writer
                        .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    self.shared.attempts.fetch_add(1, Ordering::SeqCst);
                    let fault = self.shared.next_fault();
                    // The transaction ends with DATA whatever its outcome (RFC 5321 4.1.1.4).
                    let mail_from = self.mail_from.take().unwrap_or_default();
                    let rcpt_to = std::mem::take(&mut self.rcpt_to);
                    match read_data(&mut reader, fault).await? {
                        DataOutcome::Drop => return Ok(()),
                        DataOutcome::Stall => {
                            // Holding `stream` here keeps the socket open without reading from
                            // it, so a client sending a large message also blocks on write. The
                            // task ends when the sink is dropped (see `serve`).
                            std::future::pending::<()>().await;
                            return Ok(());
                        }
                        DataOutcome::Complete { data, too_big } => match fault {
                            Some(Fault::RefuseTransient) => "451 4.3.0 try again later\r\n".into(),
                            Some(Fault::RefusePermanent) => "554 5.7.1 rejected\r\n".into(),
                            _ if too_big => "552 5.3.4 message too big\r\n".into(),
                            _ => {
                                let number = self.shared.record(Received {
                                    mail_from,
                                    rcpt_to,
                                    data,
                                });
                                format!("250 2.0.0 OK queued as {number}\r\n")
                            }
                        },
                    }
                }
                "RSET" => {
                    self.reset_transaction();
                    "250 2.0.0 OK\r\n".into()
                }
                "NOOP" => "250 2.0.0 OK\r\n".into(),
                "QUIT" => {
                    writer.write_all(b"221 2.0.0 bye\r\n").await?;
                    return Ok(());
                }
                "VRFY" | "EXPN" | "HELP" | "STARTTLS" | "AUTH" | "BDAT" | "ETRN" => {
                    "502 5.5.1 command not implemented\r\n".into()
                }
                _ => "500 5.5.2 command not recognized\r\n".into(),
            };
            writer.write_all(reply.as_bytes()).await?;
        }
    }
}

/// Reads one command line into `line`, up to [`MAX_COMMAND_LINE`] bytes. Returns false at end of
/// stream. A longer line is consumed to its end but left in `line` without its `\n`, which is how
/// the caller tells it apart.
async fn read_command_line<R>(reader: &mut R, line: &mut Vec<u8>) -> io::Result<bool>
where
    R: AsyncBufRead + Unpin,
{
    let read = (&mut *reader)
        .take(MAX_COMMAND_LINE)
        .read_until(b'\n', line)
        .await?;
    if read == 0 {
        return Ok(false);
    }
    if !line.ends_with(b"\n") && read as u64 == MAX_COMMAND_LINE {
        // Skip the rest of the overlong line so the next read starts at a command.
        let mut rest = Vec::new();
        loop {
            rest.clear();
            let read = (&mut *reader)
                .take(DATA_CHUNK)
                .read_until(b'\n', &mut rest)
                .await?;
            if read == 0 || rest.ends_with(b"\n") {
                break;
            }
        }
    }
    Ok(true)
}

/// Reads a message after `354` up to the `.\r\n` line, undoing dot-stuffing, unless `fault` cuts
/// it short. A message over [`MAX_MESSAGE_BYTES`] is still read to its end (so the connection
/// stays in sync) but not kept.
async fn read_data<R>(reader: &mut R, fault: Option<Fault>) -> io::Result<DataOutcome>
where
    R: AsyncBufRead + Unpin,
{
    let mut data = Vec::new();
    let mut too_big = false;
    let mut chunk = Vec::new();
    // Dot-stuffing and the terminator are defined at the start of a line; a long line arrives in
    // several chunks and only the first one is at a line start.
    let mut at_line_start = true;
    loop {
        chunk.clear();
        let read = (&mut *reader)
            .take(DATA_CHUNK)
            .read_until(b'\n', &mut chunk)
            .await?;
        if read == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "client closed the connection in the middle of DATA",
            ));
        }
        // The "during data" faults strike once part of the message has been read.
        match fault {
            Some(Fault::DropDuringData) => return Ok(DataOutcome::Drop),
            Some(Fault::StallDuringData) => return Ok(DataOutcome::Stall),
            _ => {}
        }
        if at_line_start && chunk == b".\r\n" {
            return Ok(DataOutcome::Complete { data, too_big });
        }
        let content = match chunk.strip_prefix(b".") {
            Some(unstuffed) if at_line_start => unstuffed,
            _ => &chunk[..],
        };
        if data.len() + content.len() > MAX_MESSAGE_BYTES {
            too_big = true;
            data = Vec::new();
        }
        if !too_big {
            data.extend_from_slice(content);
        }
        at_line_start = chunk.ends_with(b"\n");
    }
}

/// Parses the argument of MAIL (`keyword` "FROM:") or RCPT ("TO:"): the keyword, then a path in
/// angle brackets, then ESMTP parameters, which are ignored. Returns the address without
/// brackets (empty for the null path `<>`), or None if the syntax is wrong.
fn parse_path(argument: &str, keyword: &str) -> Option<String> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    // Some clients put a space after the colon; RFC 5321 does not, but it costs nothing.
    let rest = argument[keyword.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    Some(rest[..end].to_owned())
}
