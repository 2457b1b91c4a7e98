//! An in-process fake SMTP server: mail sent to it (by `lettre` or by hand) is
//! captured for assertions instead of delivered, and the next transactions can
//! be made to fail so retry and bounce handling can be tested.
//!
//! It speaks just enough SMTP (no AUTH) for `lettre`'s SMTP transport: plain,
//! STARTTLS, or implicit TLS with a certificate of its own, signed by a CA the test
//! makes ([`SmtpServer::start_tls`]). MIME parsing of what it captured is `mail-parser`'s, so tests
//! check what a real mail client would show, not the wire encoding.

use mail_parser::{MessageParser, PartType};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

/// One message accepted by the server, as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedMail {
    /// The `MAIL FROM` address (empty for a null reverse-path `<>`).
    pub from: String,
    /// The `RCPT TO` addresses, in order.
    pub to: Vec<String>,
    /// The raw DATA, dot-unstuffed, line endings kept as sent (CRLF).
    pub data: String,
}

impl CapturedMail {
    /// The decoded `Subject` (RFC 2047 encoded words and folding undone).
    pub fn subject(&self) -> Option<String> {
        let message = MessageParser::default().parse(self.data.as_bytes())?;
        message.subject().map(str::to_owned)
    }

    /// The first top-level header called `name` (any case), unfolded but not decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let message = MessageParser::default().parse(self.data.as_bytes())?;
        let raw = message
            .headers_raw()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)?;
        Some(unfold(raw))
    }

    /// The decoded text/plain body (the plain alternative of a multipart message).
    pub fn text_body(&self) -> Option<String> {
        let message = MessageParser::default().parse(self.data.as_bytes())?;
        // `text_bodies` falls back to the HTML part when there is no plain one;
        // a test asking for the plain text must not get markup instead.
        let text = message.text_bodies().find_map(|part| match &part.body {
            PartType::Text(text) => Some(text.to_string()),
            _ => None,
        });
        text
    }
}

/// Removes header folding (a line break followed by white space) and the
/// surrounding white space, as RFC 5322 §2.2.3 says a reader should.
fn unfold(raw: &str) -> String {
    // The raw value holds line breaks only where it was folded (and at its end).
    let unfolded: String = raw.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    unfolded.trim().to_owned()
}

/// What the server answers at the end of DATA for an injected failure.
#[derive(Debug, Clone, Copy)]
enum Injected {
    Fail,
    Reject,
}

#[derive(Default)]
struct Inner {
    messages: Vec<CapturedMail>,
    injected: VecDeque<Injected>,
}

#[derive(Default)]
struct Shared {
    inner: Mutex<Inner>,
    arrived: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A test that panicked while holding the lock must not hide the mail
        // from the assertions of the tests that come after.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A fake SMTP server on `127.0.0.1`, stopped when dropped.
pub struct SmtpServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
    ca_pem: Option<String>,
}

/// How a TLS test server speaks TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain until the client sends STARTTLS (offered in EHLO).
    StartTls,
    /// TLS from the first byte (smtps, port 465 in real life).
    Implicit,
}

/// What a connection speaks.
#[derive(Clone)]
enum Security {
    Plain,
    StartTls(tokio_rustls::TlsAcceptor),
    Implicit(tokio_rustls::TlsAcceptor),
}

impl SmtpServer {
    /// Binds a free port on `127.0.0.1` and starts accepting plain connections.
    pub async fn start() -> std::io::Result<SmtpServer> {
        Self::start_with(Security::Plain, None).await
    }

    /// A server speaking TLS with a certificate for `localhost` and `127.0.0.1`,
    /// signed by a certificate authority made for it; [`SmtpServer::ca_pem`] is that
    /// authority's certificate, which a client must be told to trust.
    pub async fn start_tls(mode: TlsMode) -> std::io::Result<SmtpServer> {
        let (acceptor, ca_pem) = test_certificates().map_err(std::io::Error::other)?;
        let security = match mode {
            TlsMode::StartTls => Security::StartTls(acceptor),
            TlsMode::Implicit => Security::Implicit(acceptor),
        };
        Self::start_with(security, Some(ca_pem)).await
    }

    async fn start_with(security: Security, ca_pem: Option<String>) -> std::io::Result<SmtpServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let accept = tokio::spawn(accept_loop(listener, Arc::clone(&shared), security));
        Ok(SmtpServer {
            addr,
            shared,
            accept,
            ca_pem,
        })
    }

    /// The PEM certificate of the authority that signed a TLS server's certificate.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every message accepted so far, in the order their DATA ended.
    pub fn messages(&self) -> Vec<CapturedMail> {
        self.shared.lock().messages.clone()
    }

    /// Waits until at least `n` messages arrived, or `timeout` passed; returns what arrived.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<CapturedMail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Registered before the count is read, so a message captured in
            // between still wakes us.
            let notified = self.shared.arrived.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.messages();
            }
        }
    }

    /// The next `n` transactions get `451 4.3.0` after their final "." and are not captured.
    ///
    /// Injected failures queue up: they apply after any already injected, in call order.
    pub fn fail_next(&self, n: usize) {
        self.inject(Injected::Fail, n);
    }

    /// The next `n` transactions get `554 5.0.0` after their final "." and are not captured.
    ///
    /// Injected failures queue up: they apply after any already injected, in call order.
    pub fn reject_next(&self, n: usize) {
        self.inject(Injected::Reject, n);
    }

    fn inject(&self, what: Injected, n: usize) {
        self.shared.lock().injected.extend(std::iter::repeat_n(what, n));
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        // Aborting the accept task drops its JoinSet, which aborts every open
        // connection too, so no task outlives the test that started it.
        self.accept.abort();
    }
}

/// A certificate authority and a server certificate it signed, made for this run.
fn test_certificates() -> Result<(tokio_rustls::TlsAcceptor, String), Box<dyn std::error::Error + Send + Sync>> {
    use tokio_rustls::rustls;
    let ca_key = rcgen::KeyPair::generate()?;
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, "Bilan test CA");
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = rcgen::Issuer::from_params(&ca, &ca_key);
    let key = rcgen::KeyPair::generate()?;
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?
        .signed_by(&key, &issuer)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
        )?;
    Ok((tokio_rustls::TlsAcceptor::from(Arc::new(config)), ca_cert.pem()))
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, security: Security) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(connection(stream, Arc::clone(&shared), security.clone()));
                }
                // Out of file descriptors or a connection reset before accept:
                // keep serving the others, without spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            // Reaps finished connections so the set does not grow for ever.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// The envelope of the transaction in progress.
#[derive(Default)]
struct Envelope {
    from: Option<String>,
    to: Vec<String>,
}

/// One connection, with TLS from the start, after STARTTLS, or none.
async fn connection(stream: TcpStream, shared: Arc<Shared>, security: Security) {
    match security {
        Security::Plain => drop(session(stream, &shared, false).await),
        Security::Implicit(acceptor) => {
            if let Ok(tls) = acceptor.accept(stream).await {
                drop(session(tls, &shared, false).await);
            }
        }
        Security::StartTls(acceptor) => {
            if let Some(plain) = session(stream, &shared, true).await {
                if let Ok(tls) = acceptor.accept(plain).await {
                    drop(session(tls, &shared, false).await);
                }
            }
        }
    }
}

/// Speaks SMTP until QUIT, end of stream or an I/O error; with `offer_starttls`, gives
/// the stream back when the client asks for STARTTLS (to be wrapped in TLS).
async fn session<S: AsyncRead + AsyncWrite + Unpin>(stream: S, shared: &Shared, offer_starttls: bool) -> Option<S> {
    // Commands may arrive split across reads (or several in one): read by line.
    let mut conn = BufReader::new(stream);
    if !say(&mut conn, b"220 localhost fake SMTP ready\r\n").await {
        return None;
    }
    let mut envelope = Envelope::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        match conn.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        let command = String::from_utf8_lossy(&line);
        let command = command.trim_end_matches(['\r', '\n']);
        let (verb, rest) = command.split_once(' ').unwrap_or((command, ""));
        let reply: &[u8] = match verb.to_ascii_uppercase().as_str() {
            "EHLO" if offer_starttls => {
                envelope = Envelope::default();
                b"250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-STARTTLS\r\n250 OK\r\n"
            }
            "EHLO" => {
                envelope = Envelope::default();
                b"250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 OK\r\n"
            }
            "STARTTLS" if offer_starttls => {
                if !say(&mut conn, b"220 2.0.0 Ready to start TLS\r\n").await {
                    return None;
                }
                return Some(conn.into_inner());
            }
            "HELO" => {
                envelope = Envelope::default();
                b"250 localhost\r\n"
            }
            "MAIL" => match path_after(rest, "FROM:") {
                Some(from) => {
                    envelope = Envelope {
                        from: Some(from),
                        to: Vec::new(),
                    };
                    b"250 2.1.0 OK\r\n"
                }
                None => b"501 5.5.4 Syntax: MAIL FROM:<address>\r\n",
            },
            "RCPT" if envelope.from.is_none() => b"503 5.5.1 MAIL first\r\n",
            "RCPT" => match path_after(rest, "TO:") {
                Some(to) if !to.is_empty() => {
                    envelope.to.push(to);
                    b"250 2.1.5 OK\r\n"
                }
                _ => b"501 5.5.4 Syntax: RCPT TO:<address>\r\n",
            },
            "DATA" if envelope.to.is_empty() => b"503 5.5.1 RCPT first\r\n",
            "DATA" => {
                if !say(&mut conn, b"354 End data with <CR><LF>.<CR><LF>\r\n").await {
                    return None;
                }
                let data = read_data(&mut conn).await?;
                let envelope = std::mem::take(&mut envelope);
                finish(shared, envelope, data)
            }
            "RSET" => {
                envelope = Envelope::default();
                b"250 2.0.0 OK\r\n"
            }
            "NOOP" => b"250 2.0.0 OK\r\n",
            "QUIT" => {
                say(&mut conn, b"221 2.0.0 Bye\r\n").await;
                return None;
            }
            _ => b"502 5.5.2 Command not implemented\r\n",
        };
        if !say(&mut conn, reply).await {
            return None;
        }
    }
}

/// Writes a reply and flushes it (a TLS stream holds records until flushed).
async fn say<S: AsyncWrite + Unpin>(conn: &mut S, reply: &[u8]) -> bool {
    conn.write_all(reply).await.is_ok() && conn.flush().await.is_ok()
}

/// Ends a transaction: captures the message unless a failure was injected.
fn finish(shared: &Shared, envelope: Envelope, data: String) -> &'static [u8] {
    let mut inner = shared.lock();
    // The injected failure is taken under the same lock as the capture, so
    // concurrent transactions each consume exactly one.
    match inner.injected.pop_front() {
        Some(Injected::Fail) => b"451 4.3.0 Temporary failure\r\n",
        Some(Injected::Reject) => b"554 5.0.0 Rejected\r\n",
        None => {
            inner.messages.push(CapturedMail {
                from: envelope.from.unwrap_or_default(),
                to: envelope.to,
                data,
            });
            drop(inner);
            shared.arrived.notify_waiters();
            b"250 2.0.0 OK queued\r\n"
        }
    }
}

/// The address in `FROM:<a@b> PARAM=…` (parameters such as `BODY=8BITMIME` are ignored).
fn path_after(rest: &str, keyword: &str) -> Option<String> {
    let rest = rest.trim_start();
    let head = rest.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let path = rest[keyword.len()..].trim_start();
    let path = path.strip_prefix('<')?;
    let end = path.find('>')?;
    Some(path[..end].to_owned())
}

/// Reads DATA up to the lone "." line, undoing dot-stuffing; `None` if the
/// connection ends first (the transaction is then abandoned, as RFC 5321 says).
async fn read_data<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> Option<String> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        if line == b".\r\n" || line == b".\n" {
            // 8BITMIME lets a client send Latin-1; keep the rest of the message readable.
            return Some(String::from_utf8_lossy(&data).into_owned());
        }
        let line = line.strip_prefix(b".").unwrap_or(&line);
        data.extend_from_slice(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    /// A hand-driven SMTP client that checks every reply code.
    struct Client {
        reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
        writer: tokio::net::tcp::OwnedWriteHalf,
    }

    impl Client {
        async fn connect(server: &SmtpServer) -> Client {
            let stream = TcpStream::connect(server.addr()).await.unwrap();
            let (read, writer) = stream.into_split();
            let mut client = Client {
                reader: BufReader::new(read),
                writer,
            };
            client.expect("220").await;
            client
        }

        /// Reads one (possibly multi-line) reply and checks its code.
        async fn expect(&mut self, code: &str) -> String {
            let mut reply = String::new();
            loop {
                let mut line = String::new();
                self.reader.read_line(&mut line).await.unwrap();
                assert!(line.starts_with(code), "expected {code}, got {line:?} after {reply:?}");
                reply.push_str(&line);
                if line.as_bytes().get(3) != Some(&b'-') {
                    return reply;
                }
            }
        }

        async fn send(&mut self, bytes: &str) {
            self.writer.write_all(bytes.as_bytes()).await.unwrap();
        }

        async fn command(&mut self, line: &str, code: &str) -> String {
            self.send(&format!("{line}\r\n")).await;
            self.expect(code).await
        }

        /// A whole transaction; returns the reply to the final ".".
        async fn transaction(&mut self, from: &str, to: &[&str], data: &str, code: &str) -> String {
            self.command(&format!("MAIL FROM:<{from}>"), "250").await;
            for rcpt in to {
                self.command(&format!("RCPT TO:<{rcpt}>"), "250").await;
            }
            self.command("DATA", "354").await;
            self.send(data).await;
            self.send(".\r\n").await;
            self.expect(code).await
        }
    }

    const SUBJECT: &str = "Votre avis sur la livraison – Élodie";

    /// A message like the survey invitations: multipart/alternative, a folded
    /// subject in two encoded words (base64 then Q, different cases), a
    /// quoted-printable plain part with a dot-stuffed line, a base64 HTML part.
    const MULTIPART: &str = "From: Bilan <noreply@bilan.test>\r\n\
        To: elodie@client.test\r\n\
        Subject: =?utf-8?b?Vm90cmUgYXZpcyBzdXIgbGEg?=\r\n \
        =?UTF-8?Q?livraison_=E2=80=93_=C3=89lodie?=\r\n\
        X-Bilan-Job: send_survey_invitation\r\n\
        MIME-Version: 1.0\r\n\
        Content-Type: multipart/alternative;\r\n boundary=\"=_b1\"\r\n\
        \r\n\
        --=_b1\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\
        Content-Transfer-Encoding: quoted-printable\r\n\
        \r\n\
        Bonjour =C3=89lodie,\r\n\
        \r\n\
        Merci de nous donner votre avis sur une livraison qui a eu lieu r=C3=A9cem=\r\n\
        ment.\r\n\
        ..Le point en d=C3=A9but de ligne reste.\r\n\
        --=_b1\r\n\
        Content-Type: text/html; charset=utf-8\r\n\
        Content-Transfer-Encoding: base64\r\n\
        \r\n\
        PHA+Qm9uam91ciDDiWxvZGllLDwvcD48cD5NZXJjaSBwb3VyIHZvdHJlIHJldG91ci48L3A+\r\n\
        --=_b1--\r\n";

    fn simple(n: usize) -> String {
        format!("Subject: message {n}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBody {n}\r\n")
    }

    #[tokio::test]
    async fn captures_a_multipart_message_and_decodes_subject_and_plain_text() {
        let server = SmtpServer::start().await.unwrap();
        let mut client = Client::connect(&server).await;
        let ehlo = client.command("EHLO client.test", "250").await;
        assert!(ehlo.contains("8BITMIME"), "{ehlo}");
        client.command("NOOP", "250").await;
        client
            .transaction(
                "noreply@bilan.test",
                &["elodie@client.test", "copie@client.test"],
                MULTIPART,
                "250",
            )
            .await;
        client.command("QUIT", "221").await;

        let mails = server.wait_for(1, Duration::from_secs(5)).await;
        assert_eq!(mails.len(), 1);
        let mail = &mails[0];
        assert_eq!(mail.from, "noreply@bilan.test");
        assert_eq!(mail.to, ["elodie@client.test", "copie@client.test"]);
        assert!(mail.data.contains("\r\n.Le point"), "dot-unstuffed: {}", mail.data);
        assert!(mail.data.ends_with("--=_b1--\r\n"));
        assert_eq!(mail.subject().as_deref(), Some(SUBJECT));
        assert_eq!(mail.header("x-bilan-job").as_deref(), Some("send_survey_invitation"));
        assert_eq!(
            mail.header("Content-Type").as_deref(),
            Some("multipart/alternative; boundary=\"=_b1\"")
        );
        assert_eq!(mail.header("Cc"), None);
        let text = mail.text_body().unwrap();
        assert!(text.starts_with("Bonjour Élodie,"), "{text:?}");
        assert!(
            text.contains("a eu lieu récemment."),
            "soft line break joined: {text:?}"
        );
        assert!(text.contains(".Le point en début de ligne reste."), "{text:?}");
        assert!(!text.contains("<p>"), "{text:?}");
    }

    #[tokio::test]
    async fn a_message_without_a_plain_part_has_no_text_body() {
        let server = SmtpServer::start().await.unwrap();
        let mut client = Client::connect(&server).await;
        client.command("HELO client.test", "250").await;
        let html = "Subject: =?utf-8?B?w4lsb2RpZQ==?=\r\nContent-Type: text/html; charset=utf-8\r\n\
                    Content-Transfer-Encoding: 8bit\r\n\r\n<p>Élodie</p>\r\n";
        client
            .transaction("a@bilan.test", &["b@client.test"], html, "250")
            .await;
        let mail = &server.wait_for(1, Duration::from_secs(5)).await[0];
        assert_eq!(mail.subject().as_deref(), Some("Élodie"));
        assert_eq!(mail.text_body(), None);
    }

    #[tokio::test]
    async fn an_injected_failure_answers_451_then_the_retry_is_captured() {
        let server = SmtpServer::start().await.unwrap();
        server.fail_next(1);
        let mut client = Client::connect(&server).await;
        client.command("EHLO client.test", "250").await;
        let reply = client
            .transaction("a@bilan.test", &["b@client.test"], &simple(1), "451")
            .await;
        assert_eq!(reply, "451 4.3.0 Temporary failure\r\n");
        assert!(server.messages().is_empty());
        // The same connection goes on, as lettre's pooled connection would.
        client
            .transaction("a@bilan.test", &["b@client.test"], &simple(1), "250")
            .await;
        let mails = server.wait_for(1, Duration::from_secs(5)).await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].subject().as_deref(), Some("message 1"));
        assert_eq!(mails[0].text_body().as_deref(), Some("Body 1\r\n"));
    }

    #[tokio::test]
    async fn injected_failures_queue_up_in_call_order() {
        let server = SmtpServer::start().await.unwrap();
        server.reject_next(1);
        server.fail_next(2);
        let mut client = Client::connect(&server).await;
        client.command("EHLO client.test", "250").await;
        let reply = client
            .transaction("a@bilan.test", &["b@client.test"], &simple(1), "554")
            .await;
        assert_eq!(reply, "554 5.0.0 Rejected\r\n");
        client
            .transaction("a@bilan.test", &["b@client.test"], &simple(2), "451")
            .await;
        client
            .transaction("a@bilan.test", &["b@client.test"], &simple(3), "451")
            .await;
        client
            .transaction("a@bilan.test", &["b@client.test"], &simple(4), "250")
            .await;
        let mails = server.wait_for(1, Duration::from_secs(5)).await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].subject().as_deref(), Some("message 4"));
    }

    #[tokio::test]
    async fn out_of_order_and_unknown_commands_are_refused_and_rset_clears_the_envelope() {
        let server = SmtpServer::start().await.unwrap();
        let mut client = Client::connect(&server).await;
        client.command("EHLO client.test", "250").await;
        client.command("RCPT TO:<b@client.test>", "503").await;
        client.command("DATA", "503").await;
        client.command("MAIL FROM:a@bilan.test", "501").await;
        client.command("STARTTLS", "502").await;
        client.command("AUTH PLAIN AGE=", "502").await;
        client.command("mail from:<a@bilan.test> BODY=8BITMIME", "250").await;
        client.command("RSET", "250").await;
        client.command("RCPT TO:<b@client.test>", "503").await;
        client.command("MAIL FROM:<>", "250").await;
        client.command("rcpt to: <b@client.test>", "250").await;
        client.command("DATA", "354").await;
        client.send(&simple(1)).await;
        client.send(".\r\n").await;
        client.expect("250").await;
        client.command("QUIT", "221").await;
        let mails = server.wait_for(1, Duration::from_secs(5)).await;
        assert_eq!(mails[0].from, "");
        assert_eq!(mails[0].to, ["b@client.test"]);
    }

    #[tokio::test]
    async fn commands_split_across_writes_and_pipelined_together_are_understood() {
        let server = SmtpServer::start().await.unwrap();
        let mut client = Client::connect(&server).await;
        for piece in ["EH", "LO cli", "ent.test\r", "\n"] {
            client.send(piece).await;
            client.writer.flush().await.unwrap();
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        client.expect("250").await;
        client
            .send("MAIL FROM:<a@bilan.test>\r\nRCPT TO:<b@client.test>\r\nDATA\r\n")
            .await;
        client.expect("250").await;
        client.expect("250").await;
        client.expect("354").await;
        client.send("Subject: split\r\n\r\nBody\r").await;
        client.writer.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        client.send("\n.").await;
        client.writer.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        client.send("\r\nQUIT\r\n").await;
        client.expect("250").await;
        client.expect("221").await;
        let mails = server.wait_for(1, Duration::from_secs(5)).await;
        assert_eq!(mails[0].data, "Subject: split\r\n\r\nBody\r\n");
    }

    #[tokio::test]
    async fn many_sequential_and_concurrent_connections_are_all_captured() {
        let server = SmtpServer::start().await.unwrap();
        for n in 0..3 {
            let mut client = Client::connect(&server).await;
            client.command("EHLO client.test", "250").await;
            client
                .transaction("a@bilan.test", &["b@client.test"], &simple(n), "250")
                .await;
            client.command("QUIT", "221").await;
        }
        let mut clients = JoinSet::new();
        for n in 3..13 {
            let mut client = Client::connect(&server).await;
            clients.spawn(async move {
                client.command("EHLO client.test", "250").await;
                client
                    .transaction("a@bilan.test", &["b@client.test"], &simple(n), "250")
                    .await;
                client.command("QUIT", "221").await;
            });
        }
        while let Some(done) = clients.join_next().await {
            done.unwrap();
        }
        let mails = server.wait_for(13, Duration::from_secs(5)).await;
        let mut subjects: Vec<String> = mails.iter().filter_map(CapturedMail::subject).collect();
        subjects.sort();
        let mut expected: Vec<String> = (0..13).map(|n| format!("message {n}")).collect();
        expected.sort();
        assert_eq!(subjects, expected);
    }

    #[tokio::test]
    async fn wait_for_returns_what_arrived_at_the_timeout() {
        let server = SmtpServer::start().await.unwrap();
        let started = std::time::Instant::now();
        assert!(server.wait_for(1, Duration::from_millis(50)).await.is_empty());
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert!(server.wait_for(0, Duration::from_secs(5)).await.is_empty());
    }

    #[tokio::test]
    async fn wait_for_wakes_when_a_message_arrives_later() {
        let server = SmtpServer::start().await.unwrap();
        let addr = server.addr();
        let sender = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let stream = TcpStream::connect(addr).await.unwrap();
            let mut stream = BufReader::new(stream);
            let script = "HELO x\r\nMAIL FROM:<a@bilan.test>\r\nRCPT TO:<b@client.test>\r\nDATA\r\n\
                          Subject: late\r\n\r\nBody\r\n.\r\nQUIT\r\n";
            stream.get_mut().write_all(script.as_bytes()).await.unwrap();
            let mut replies = String::new();
            stream.read_to_string(&mut replies).await.unwrap();
            replies
        });
        let mails = server.wait_for(1, Duration::from_secs(5)).await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].subject().as_deref(), Some("late"));
        let replies = sender.await.unwrap();
        assert!(replies.ends_with("221 2.0.0 Bye\r\n"), "{replies}");
    }

    #[tokio::test]
    async fn dropping_the_server_closes_its_port_and_open_connections() {
        let server = SmtpServer::start().await.unwrap();
        let addr = server.addr();
        assert_eq!(server.port(), addr.port());
        let mut client = Client::connect(&server).await;
        drop(server);
        let mut rest = String::new();
        let read = tokio::time::timeout(Duration::from_secs(5), client.reader.read_to_string(&mut rest)).await;
        assert!(matches!(read, Ok(Ok(0) | Err(_))), "{read:?} {rest:?}");
        // Aborted tasks end at their next await point: give the runtime a moment.
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(TcpStream::connect(addr).await.is_err());
    }
}
