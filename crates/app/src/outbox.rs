//! The e-mail path every feature shares: use cases queue a message through their
//! unit of work ([`crate::Work::queue_mail`]); each pass of the worker loop
//! ([`crate::jobs::run_worker`]) runs [`deliver_due`], which claims due messages,
//! hands them to the transport and records delivery, a retry with backoff, or failure.
//!
//! A message is claimed by one worker at a time (an atomic claim; `SKIP LOCKED` on
//! PostgreSQL), so several workers never send it twice. A worker that dies between
//! the SMTP server's acceptance and the record of it leaves the message claimed;
//! once its lease runs out another worker sends it again with the same
//! `Message-ID`, which receiving servers use to drop the duplicate.

use crate::{App, AppError, AppResult};
use bilan_db::outbox::{self as store, AttachmentRow, OutboxRow};
use bilan_db::Conn;
use bilan_domain::outbox::{after_failure, OutboxStatus, SendFailure};
use chrono::{DateTime, Duration, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Attachment as MailAttachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Instant;
use uuid::Uuid;

/// How long a worker holds a claimed message before another may take it over.
const LEASE: Duration = Duration::minutes(5);

/// A message to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    /// What it is for (`survey_invitation`…).
    pub purpose: &'static str,
    /// The record it is about.
    pub subject_id: Option<Uuid>,
    /// Recipient address.
    pub to_address: String,
    /// Recipient name.
    pub to_name: Option<String>,
    /// Subject line.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
    /// Not before.
    pub not_before: DateTime<Utc>,
    /// Files sent with it.
    pub attachments: Vec<Attachment>,
}

/// A file sent with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// File name as the recipient sees it.
    pub filename: String,
    /// MIME type, with its parameters (`text/calendar; method=REQUEST; charset=UTF-8`).
    pub content_type: String,
    /// Content.
    pub content: Vec<u8>,
}

/// Queues a message in the caller's transaction; returns its id. Use cases go
/// through [`crate::Work::queue_mail`].
pub(crate) async fn queue(c: &mut Conn<'_>, workspace: Uuid, now: DateTime<Utc>, m: Outgoing) -> AppResult<Uuid> {
    let id = bilan_db::new_id();
    let row = OutboxRow {
        id,
        workspace_id: workspace,
        purpose: m.purpose.to_owned(),
        subject_id: m.subject_id,
        to_address: m.to_address,
        to_name: m.to_name,
        subject: m.subject,
        body_text: m.text,
        body_html: m.html,
        message_id: format!("<{}@bilan.invalid>", id.simple()),
        status: OutboxStatus::Pending.code().to_owned(),
        not_before: m.not_before,
        attempts: 0,
        claimed_by: None,
        claimed_until: None,
        last_error: None,
        sent_at: None,
        created_at: now,
    };
    store::insert(c, &row).await?;
    let files: Vec<AttachmentRow> = m
        .attachments
        .into_iter()
        .enumerate()
        .map(|(i, a)| AttachmentRow {
            id: bilan_db::new_id(),
            workspace_id: workspace,
            outbox_id: id,
            filename: a.filename,
            content_type: a.content_type,
            content: a.content,
            position: i32::try_from(i).unwrap_or(i32::MAX),
        })
        .collect();
    store::insert_attachments(c, &files).await?;
    Ok(id)
}

/// How the connection to the SMTP server is protected.
#[derive(Clone)]
pub enum SmtpSecurity {
    /// None: a relay on a trusted network (`smtp://host`).
    Plain,
    /// STARTTLS required before anything is sent (`smtp://host?tls=starttls`): a
    /// server that does not offer it gets nothing, never a plain-text fallback.
    StartTls(TlsParameters),
    /// TLS from the first byte (`smtps://host`, port 465 by default).
    Implicit(TlsParameters),
}

/// An SMTP server and the connection kept open to it between messages.
///
/// Bilan opens the TCP connection itself to turn Nagle's algorithm off: lettre
/// writes a message's body and its final "." in two writes, and with Nagle on the
/// second waits for the server's delayed acknowledgement, 40 ms a message. (Implicit
/// TLS connections are opened by lettre, which does the handshake first.)
pub struct SmtpServer {
    host: String,
    port: u16,
    credentials: Option<Credentials>,
    security: SmtpSecurity,
    connection: tokio::sync::Mutex<Option<(AsyncSmtpConnection, Instant)>>,
}

/// A connection idle for longer is checked (NOOP) before use: servers close idle ones.
const IDLE_CHECK: std::time::Duration = std::time::Duration::from_secs(10);
const SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

impl SmtpServer {
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendFailure> {
        let transient = |e: String| SendFailure::Transient(format!("{}:{}: {e}", self.host, self.port));
        if let SmtpSecurity::Implicit(tls) = &self.security {
            let conn = AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(SMTP_TIMEOUT),
                &ClientId::default(),
                Some(tls.clone()),
                None,
            )
            .await
            .map_err(|e| transient(format!("TLS connection failed: {}", describe_error(&e))))?;
            return self.authenticate(conn).await;
        }
        let stream = tokio::time::timeout(
            SMTP_TIMEOUT,
            tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        .map_err(|_| transient("connection timed out".into()))?
        .map_err(|e| transient(e.to_string()))?;
        stream.set_nodelay(true).map_err(|e| transient(e.to_string()))?;
        let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(stream), &ClientId::default())
            .await
            .map_err(|e| transient(e.to_string()))?;
        if let SmtpSecurity::StartTls(tls) = &self.security {
            conn.starttls(tls.clone(), &ClientId::default())
                .await
                .map_err(|e| transient(format!("STARTTLS failed: {}", describe_error(&e))))?;
        }
        self.authenticate(conn).await
    }

    async fn authenticate(&self, mut conn: AsyncSmtpConnection) -> Result<AsyncSmtpConnection, SendFailure> {
        let transient = |e: String| SendFailure::Transient(format!("{}:{}: {e}", self.host, self.port));
        if let Some(c) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], c).await.map_err(|e| {
                if e.is_permanent() {
                    SendFailure::Permanent(format!("SMTP authentication refused: {e}"))
                } else {
                    transient(e.to_string())
                }
            })?;
        }
        Ok(conn)
    }

    async fn send(&self, message: &Message) -> Result<(), SendFailure> {
        let mut slot = self.connection.lock().await;
        let kept = match slot.take() {
            Some((c, _)) if c.has_broken() => None,
            Some((c, last)) if last.elapsed() < IDLE_CHECK => Some(c),
            Some((mut c, _)) => c.test_connected().await.then_some(c),
            None => None,
        };
        let mut conn = match kept {
            Some(c) => c,
            None => self.connect().await?,
        };
        let sent = tokio::time::timeout(SMTP_TIMEOUT, conn.send(message.envelope(), &message.formatted())).await;
        match sent {
            Ok(Ok(_)) => {
                *slot = Some((conn, Instant::now()));
                Ok(())
            }
            // A failed transaction aborts the connection; the next message opens another.
            Ok(Err(e)) if e.is_permanent() => Err(SendFailure::Permanent(e.to_string())),
            Ok(Err(e)) => Err(SendFailure::Transient(e.to_string())),
            Err(_) => Err(SendFailure::Transient("the SMTP server did not answer in time".into())),
        }
    }
}

/// An SMTP server from the part of a URL after `smtp://` or `smtps://`:
/// `[user:password@]host[:port][?tls=starttls|none][&ca=/path/ca.pem]`.
fn smtp_server(url: &str, implicit: bool, rest: &str) -> AppResult<SmtpServer> {
    let bad = |what: &str| AppError::Internal(format!("{what} in {url:?}"));
    let (auth, hostport) = match rest.rsplit_once('@') {
        Some((a, h)) => (Some(a), h),
        None => (None, rest),
    };
    let (hostport, query) = hostport.split_once('?').unwrap_or((hostport, ""));
    let hostport = hostport.trim_end_matches('/');
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad("bad SMTP port"))?),
        None => (hostport, if implicit { 465 } else { 25 }),
    };
    if host.is_empty() {
        return Err(bad("no SMTP host"));
    }
    let mut starttls = false;
    let mut ca: Option<String> = None;
    for (k, v) in serde_urlencoded::from_str::<Vec<(String, String)>>(query).map_err(|_| bad("bad parameters"))? {
        match (k.as_str(), v.as_str()) {
            ("tls", "starttls") if !implicit => starttls = true,
            ("tls", "none") if !implicit => starttls = false,
            ("ca", path) => ca = Some(path.to_owned()),
            _ => {
                return Err(bad(&format!(
                    "unknown parameter {k}={v} (tls=starttls|none, ca=/path/ca.pem)"
                )))
            }
        }
    }
    let tls = if implicit || starttls {
        let mut b = TlsParameters::builder(host.to_owned());
        if let Some(path) = &ca {
            let pem = std::fs::read(path)
                .map_err(|e| AppError::Internal(format!("cannot read the CA certificate {path}: {e}")))?;
            let cert = Certificate::from_pem(&pem)
                .map_err(|e| AppError::Internal(format!("{path} is not a PEM certificate: {e}")))?;
            b = b.add_root_certificate(cert);
        }
        Some(
            b.build_rustls()
                .map_err(|e| AppError::Internal(format!("TLS set-up failed: {e}")))?,
        )
    } else {
        if ca.is_some() {
            return Err(bad("ca= without TLS (use smtps:// or tls=starttls)"));
        }
        None
    };
    let security = match (implicit, tls) {
        (true, Some(t)) => SmtpSecurity::Implicit(t),
        (false, Some(t)) => SmtpSecurity::StartTls(t),
        _ => SmtpSecurity::Plain,
    };
    let credentials = auth.map(|auth| {
        let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
        Credentials::new(user.to_owned(), password.to_owned())
    });
    Ok(SmtpServer {
        host: host.to_owned(),
        port,
        credentials,
        security,
        connection: tokio::sync::Mutex::new(None),
    })
}

/// An SMTP error with its cause (a certificate refused says why).
fn describe_error(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

/// Where messages go.
pub enum Transport {
    /// An SMTP server (a relay on the local network, or the suite's test server).
    Smtp(Box<SmtpServer>),
    /// `.eml` files in a directory (the demo: open them with any mail reader).
    File(AsyncFileTransport<Tokio1Executor>, PathBuf),
    /// The log only (nothing leaves the machine).
    Log,
}

/// Stands for the server's public base URL in queued messages: the worker that
/// sends a message knows where the server is reached, the use case that queued it
/// need not.
pub const PUBLIC_URL_MARKER: &str = "{{BILAN_PUBLIC_URL}}";

/// The transport, the sender address and the public base URL of links.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    public_url: String,
}

impl Mailer {
    /// A mailer from a URL: `smtp://[user:password@]host[:port]`, `file:///directory`
    /// or `log`, sending as `from` (`Name <address>`), with links under `public_url`.
    pub fn from_url(url: &str, from: &str, public_url: &str) -> AppResult<Self> {
        let from: Mailbox = from
            .parse()
            .map_err(|_| AppError::Internal(format!("the sender address {from:?} is not an e-mail address")))?;
        let transport = if url == "log" {
            Transport::Log
        } else if let Some(dir) = url.strip_prefix("file://") {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir)
                .map_err(|e| AppError::Internal(format!("cannot create the mail directory {}: {e}", dir.display())))?;
            Transport::File(AsyncFileTransport::<Tokio1Executor>::new(&dir), dir)
        } else if let Some((implicit, rest)) = url
            .strip_prefix("smtps://")
            .map(|r| (true, r))
            .or_else(|| url.strip_prefix("smtp://").map(|r| (false, r)))
        {
            Transport::Smtp(Box::new(smtp_server(url, implicit, rest)?))
        } else {
            return Err(AppError::Internal(format!(
                "unknown mail transport {url:?} (use smtp://host:port, smtp://host:587?tls=starttls, smtps://host, file:///directory or log)"
            )));
        };
        Ok(Self {
            transport,
            from,
            public_url: public_url.trim_end_matches('/').to_owned(),
        })
    }

    /// A short description for start-up logs (no password).
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(s) => match s.security {
                SmtpSecurity::Plain => format!("smtp://{}:{} (no TLS)", s.host, s.port),
                SmtpSecurity::StartTls(_) => format!("smtp://{}:{} (STARTTLS)", s.host, s.port),
                SmtpSecurity::Implicit(_) => format!("smtps://{}:{} (TLS)", s.host, s.port),
            },
            Transport::File(_, dir) => format!("files in {}", dir.display()),
            Transport::Log => "log only".to_owned(),
        }
    }

    fn message(&self, row: &OutboxRow, files: &[AttachmentRow]) -> Result<Message, SendFailure> {
        let address: Address = row
            .to_address
            .parse()
            .map_err(|_| SendFailure::Permanent(format!("the address {:?} cannot be written", row.to_address)))?;
        let fill = |s: &str| s.replace(PUBLIC_URL_MARKER, &self.public_url);
        Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(row.to_name.clone(), address))
            .subject(row.subject.clone())
            .message_id(Some(row.message_id.clone()))
            .multipart(with_files(
                MultiPart::alternative_plain_html(fill(&row.body_text), fill(&row.body_html)),
                files,
            )?)
            .map_err(|e| SendFailure::Permanent(format!("the message cannot be built: {e}")))
    }

    /// Hands one message, with its attachments, to the transport.
    pub async fn send(&self, row: &OutboxRow, files: &[AttachmentRow]) -> Result<(), SendFailure> {
        let message = self.message(row, files)?;
        match &self.transport {
            // 4xx, timeouts, refused connections are transient: the server may be back soon.
            Transport::Smtp(server) => server.send(&message).await,
            Transport::File(t, _) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| SendFailure::Transient(e.to_string())),
            Transport::Log => {
                // Recipient and subject only: bodies carry single-use link secrets,
                // and logs are read by more people than mailboxes are.
                tracing::info!(to = %row.to_address, subject = %row.subject, outbox.id = %row.id, "e-mail (log transport, body not logged)");
                Ok(())
            }
        }
    }
}

/// The message's body, then its files: a calendar invitation also goes inline as
/// an alternative part, which is how calendar programs offer "accept / decline".
fn with_files(body: MultiPart, files: &[AttachmentRow]) -> Result<MultiPart, SendFailure> {
    if files.is_empty() {
        return Ok(body);
    }
    let mut mixed = MultiPart::mixed().multipart(body);
    for f in files {
        let kind = ContentType::parse(&f.content_type).map_err(|_| {
            SendFailure::Permanent(format!("the attachment type {:?} cannot be written", f.content_type))
        })?;
        mixed = mixed.singlepart(MailAttachment::new(f.filename.clone()).body(f.content.clone(), kind));
    }
    Ok(mixed)
}

/// What one pass of a worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Accepted by the transport.
    pub sent: usize,
    /// Failed for now, to be retried later.
    pub retried: usize,
    /// Given up.
    pub failed: usize,
}

impl DeliveryReport {
    /// Messages handled.
    pub fn handled(&self) -> usize {
        self.sent + self.retried + self.failed
    }
}

/// Claims up to `limit` due messages for `worker`, sends them, records each outcome.
pub async fn deliver_due(app: &App, mailer: &Mailer, worker: &str, limit: i64) -> AppResult<DeliveryReport> {
    let now = app.now();
    let claimed = {
        let mut tx = app.db.begin().await?;
        let rows = store::claim(&mut tx.conn(), worker, now, now + LEASE, limit).await?;
        tx.commit().await?;
        rows
    };
    let ids: Vec<Uuid> = claimed.iter().map(|r| r.id).collect();
    let files = {
        let mut pc = app.db.acquire().await?;
        store::attachments_of(&mut pc.conn(), &ids).await?
    };
    let mut report = DeliveryReport::default();
    for row in claimed {
        let mine: Vec<AttachmentRow> = files.iter().filter(|f| f.outbox_id == row.id).cloned().collect();
        let outcome = mailer.send(&row, &mine).await;
        let done = app.now();
        // Each outcome is recorded at once, on the writer: a crash loses at most one.
        let mut tx = app.db.begin().await?;
        let mut c = tx.conn();
        match outcome {
            Ok(()) => {
                if store::mark_sent(&mut c, row.id, worker, done).await? {
                    report.sent += 1;
                } else {
                    tracing::warn!(outbox.id = %row.id, "sent after the lease ran out; another worker may resend it");
                }
            }
            Err(failure) => {
                let (status, not_before) = after_failure(&failure, row.attempts, done);
                store::mark_failed(&mut c, row.id, worker, status.code(), not_before, failure.reason()).await?;
                if status == OutboxStatus::Failed {
                    report.failed += 1;
                    tracing::warn!(outbox.id = %row.id, attempts = row.attempts, error = failure.reason(), "e-mail given up");
                } else {
                    report.retried += 1;
                    tracing::info!(outbox.id = %row.id, attempts = row.attempts, error = failure.reason(), "e-mail to retry");
                }
            }
        }
        tx.commit().await?;
    }
    Ok(report)
}

/// A unique worker name: host and process, plus a random suffix for several in one process.
pub fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "bilan".into());
    format!(
        "{host}-{}-{}",
        std::process::id(),
        &Uuid::new_v4().simple().to_string()[..8]
    )
}

/// A queued or sent message as the outbox page shows it: never its body, which
/// holds link secrets until it is sent.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OutboxMessage {
    /// Identifier.
    pub id: Uuid,
    /// What it is for (`survey_invitation`…).
    pub purpose: String,
    /// Recipient address.
    pub to_address: String,
    /// Subject line.
    pub subject: String,
    /// `pending`, `sending`, `sent` or `failed`.
    pub status: String,
    /// Not to be sent before.
    pub not_before: DateTime<Utc>,
    /// Attempts so far.
    pub attempts: i32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the SMTP server accepted it.
    pub sent_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<OutboxRow> for OutboxMessage {
    fn from(r: OutboxRow) -> Self {
        OutboxMessage {
            id: r.id,
            purpose: r.purpose,
            to_address: r.to_address,
            subject: r.subject,
            status: r.status,
            not_before: r.not_before,
            attempts: r.attempts,
            last_error: r.last_error,
            sent_at: r.sent_at,
            created_at: r.created_at,
        }
    }
}

/// The workspace's messages, newest first, and the count per status.
pub async fn overview(
    app: &App,
    actor: &crate::Actor,
    limit: i64,
) -> AppResult<(Vec<OutboxMessage>, Vec<(String, i64)>)> {
    actor.require(bilan_domain::roles::Permission::ManageSurveys)?;
    let mut conn = app.db.acquire().await?;
    let mut c = conn.conn();
    let rows = store::list(&mut c, actor.workspace_id, limit).await?;
    let counts = store::counts(&mut c, actor.workspace_id).await?;
    Ok((rows.into_iter().map(OutboxMessage::from).collect(), counts))
}

/// One message with the recipient's name and the account it is about (a survey
/// invitation's), never its body.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutboxDetail {
    /// The message.
    pub message: OutboxMessage,
    /// The recipient's name.
    pub to_name: Option<String>,
    /// Its `Message-ID`, to find it in a relay's logs.
    pub message_id: String,
    /// The account it is about, with its name.
    pub account: Option<(Uuid, String)>,
}

/// One message of the workspace.
pub async fn message(app: &App, actor: &crate::Actor, id: Uuid) -> AppResult<OutboxDetail> {
    actor.require(bilan_domain::roles::Permission::ManageSurveys)?;
    let mut pc = app.db.acquire().await?;
    let mut c = pc.conn();
    let row = store::find(&mut c, actor.workspace_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let account = match (row.purpose.as_str(), row.subject_id) {
        ("survey_invitation", Some(inv)) => store::invitation_account(&mut c, actor.workspace_id, inv).await?,
        _ => None,
    };
    Ok(OutboxDetail {
        to_name: row.to_name.clone(),
        message_id: row.message_id.clone(),
        account,
        message: OutboxMessage::from(row),
    })
}

/// Puts a failed message back in the queue, to be sent at once (after the address
/// or the relay was fixed).
pub async fn retry(app: &App, actor: &crate::Actor, id: Uuid) -> AppResult<()> {
    let mut w = app.write(actor, bilan_domain::roles::Permission::ManageSurveys).await?;
    let now = w.now();
    if !store::requeue(&mut w.conn(), actor.workspace_id, id, now).await? {
        // Unknown in this workspace, or not failed: either way nothing to retry.
        return Err(AppError::NotFound);
    }
    w.audit_entry(
        bilan_domain::audit::AuditAction::Update,
        "outbox",
        id,
        Some(&serde_json::json!({ "status": "failed" })),
        Some(&serde_json::json!({ "status": "pending" })),
    );
    w.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transports_are_read_from_urls() {
        let from = "Acme <no-reply@acme.test>";
        let m = Mailer::from_url(
            "smtp://user:secret@relay.internal:2525",
            from,
            "https://bilan.acme.test/",
        )
        .unwrap();
        match &m.transport {
            Transport::Smtp(s) => {
                assert_eq!((s.host.as_str(), s.port), ("relay.internal", 2525));
                assert!(s.credentials.is_some());
            }
            _ => panic!("not SMTP"),
        }
        assert_eq!(
            m.public_url, "https://bilan.acme.test",
            "no trailing slash: links add /s/…"
        );
        assert!(!m.describe().contains("secret"), "the password is never shown");
        let plain = Mailer::from_url("smtp://localhost", from, "http://x").unwrap();
        assert!(matches!(&plain.transport, Transport::Smtp(s) if s.port == 25 && s.credentials.is_none()));
        assert!(matches!(
            Mailer::from_url("log", from, "http://x").unwrap().transport,
            Transport::Log
        ));
        let smtps = Mailer::from_url("smtps://relay.example.com", from, "http://x").unwrap();
        assert!(
            matches!(&smtps.transport, Transport::Smtp(s) if s.port == 465 && matches!(s.security, SmtpSecurity::Implicit(_)))
        );
        let starttls = Mailer::from_url("smtp://u:p@relay.example.com:587?tls=starttls", from, "http://x").unwrap();
        assert!(
            matches!(&starttls.transport, Transport::Smtp(s) if s.port == 587 && matches!(s.security, SmtpSecurity::StartTls(_)))
        );
        assert!(starttls.describe().contains("STARTTLS") && !starttls.describe().contains(":p@"));
        // A user name that is an e-mail address, and a password with '@' and '?', as they are.
        let provider = Mailer::from_url(
            "smtp://bilan@acme.fr:se?c@ret@smtp.provider.example:587?tls=starttls",
            from,
            "http://x",
        )
        .unwrap();
        assert!(matches!(&provider.transport, Transport::Smtp(s)
            if s.host == "smtp.provider.example" && s.port == 587 && s.credentials.is_some()));
        assert!(plain.describe().contains("no TLS"));
        for bad in [
            "smtp://",
            "smtp://host:port",
            "ftp://host",
            "gmail",
            "smtp://host?tls=maybe",
            "smtps://host?tls=none",
            "smtp://host?ca=/etc/ssl/certs/x.pem",
            "smtps://host?ca=/nowhere/ca.pem",
        ] {
            assert!(Mailer::from_url(bad, from, "http://x").is_err(), "{bad}");
        }
        assert!(Mailer::from_url("log", "not an address", "http://x").is_err());
    }

    #[test]
    fn messages_get_the_public_url_and_a_stable_message_id() {
        let m = Mailer::from_url("log", "Acme <no-reply@acme.test>", "https://bilan.acme.test").unwrap();
        let row = sample_row();
        let raw = String::from_utf8(m.message(&row, &[]).unwrap().formatted()).unwrap();
        assert!(raw.contains("Message-ID: <m1@bilan.invalid>"), "{raw}");
        assert!(raw.contains("https://bilan.acme.test/s/abc"));
        assert!(!raw.contains(PUBLIC_URL_MARKER));
        let bad = OutboxRow {
            to_address: "not an address".into(),
            ..row
        };
        assert!(matches!(m.message(&bad, &[]), Err(SendFailure::Permanent(_))));
    }

    /// A log writer the test reads back.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn the_log_transport_never_logs_a_body_or_its_link() {
        let m = Mailer::from_url("log", "Acme <no-reply@acme.test>", "https://bilan.acme.test").unwrap();
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        m.send(&sample_row(), &[]).await.unwrap();
        let logged = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(
            logged.contains("claire@client.test") && logged.contains("Votre avis"),
            "{logged}"
        );
        assert!(
            !logged.contains("/s/abc") && !logged.contains("Répondre"),
            "a secret leaked: {logged}"
        );
    }

    fn sample_row() -> OutboxRow {
        OutboxRow {
            id: Uuid::nil(),
            workspace_id: Uuid::nil(),
            purpose: "survey_invitation".into(),
            subject_id: None,
            to_address: "claire@client.test".into(),
            to_name: Some("Claire Durand".into()),
            subject: "Votre avis".into(),
            body_text: format!("Répondre : {PUBLIC_URL_MARKER}/s/abc"),
            body_html: format!("<a href=\"{PUBLIC_URL_MARKER}/s/abc\">Répondre</a>"),
            message_id: "<m1@bilan.invalid>".into(),
            status: "sending".into(),
            not_before: DateTime::<Utc>::UNIX_EPOCH,
            attempts: 1,
            claimed_by: None,
            claimed_until: None,
            last_error: None,
            sent_at: None,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }
}
