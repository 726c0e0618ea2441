//! Emailed receipts (#25). A request is an operation (`receipt_email_requested`,
//! any role), so one made offline survives a dead phone and syncs; one
//! sender sends it and records the outcome as an operation every device
//! sees (`receipt_email_outcome`):
//! - the server, when the shop has one (`wildroot-server::mail`): vendor
//!   phones never hold the mail password;
//! - otherwise the device holding the mail settings (`settings mail`), in
//!   [`send_queued`]. A device that syncs with a server never sends: two
//!   senders would each send once.
//!
//! Each receipt is sent at most once: the sender's send log
//! ([`wildroot_model::mail::Logged`], keyed by the request's operation id)
//! is written before the mail server is asked and after it answers, and
//! [`wildroot_model::mail::next_step`] reads it. A sender stopped between
//! the two sends nothing more and says it may have arrived.
use crate::receipt::device_get;
use crate::shopify::link::DeviceKey;
use crate::store::Store;
use crate::{CoreError, Result};
use rusqlite::OptionalExtension;
use std::str::FromStr;
use std::time::Duration;
use wildroot_model::mail::{next_step, sent_outcome_id, EmailStatus, Logged, MailServer, ReceiptEmailView, Security, Step, INTERRUPTED};
use wildroot_model::op::{OpKind, ReceiptEmailOutcome, ReceiptEmailRequested};
use wildroot_model::{OpId, SaleId};

/// This device's mail server (`device_settings`, JSON of [`MailServer`]).
const MAIL_SERVER: &str = "mail_server";
/// Its password, sealed with the device key ([`DeviceKey::seal_text`]).
const MAIL_PASSWORD: &str = "mail_password";
/// Bumped whenever the settings are set: a refusal under older settings is tried again.
const MAIL_GENERATION: &str = "mail_generation";

/// How long the mail server may take to answer, each step.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// An email ready to send.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub request: OpId,
    pub to: String,
    /// The business name, shown as the sender.
    pub from_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Why an email was not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    /// The mail server said no, and would again with the same settings
    /// (a wrong password, an address it will not take).
    Refused(String),
    /// It could not be reached or asked to try later: tried again next run.
    Unreachable(String),
}

impl SendError {
    pub fn reason(&self) -> &str {
        match self {
            SendError::Refused(r) | SendError::Unreachable(r) => r,
        }
    }

    pub fn permanent(&self) -> bool {
        matches!(self, SendError::Refused(_))
    }
}

/// The bound context of a sealed mail password: it opens only for the
/// login and server it was given for.
pub fn password_context(server: &MailServer) -> Vec<u8> {
    format!("wildroot-mail:{}@{}", server.user, server.address()).into_bytes()
}

/// Sends one email. The reason of a failure names the mail server's own
/// answer, never the password.
pub async fn send(server: &MailServer, password: &str, mail: &Outgoing) -> std::result::Result<(), SendError> {
    use lettre::message::{Mailbox, MultiPart};
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let refused = |what: &str, e: &dyn std::fmt::Display| SendError::Refused(format!("{what}: {e}"));
    let from =
        Mailbox::new(Some(mail.from_name.clone()), server.from.parse().map_err(|e| refused("the sender's address cannot be used", &e))?);
    let to = Mailbox::new(None, mail.to.parse().map_err(|e| refused("the customer's address cannot be used", &e))?);
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}@receipt.wildroot>", mail.request)))
        .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
        .map_err(|e| refused("the email could not be made", &e))?;
    let builder = match server.security {
        Security::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&server.host),
        Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&server.host),
        Security::Plain => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server.host.clone())),
    }
    .map_err(|e| refused("the mail server's name cannot be used", &e))?;
    let transport = builder
        .port(server.port)
        .credentials(Credentials::new(server.user.clone(), password.to_string()))
        .timeout(Some(SEND_TIMEOUT))
        .build();
    match transport.send(message).await {
        Ok(_) => Ok(()),
        Err(e) => Err(why(server, &e)),
    }
}

/// A mail server's answer in plain words.
fn why(server: &MailServer, e: &lettre::transport::smtp::Error) -> SendError {
    let code = e.status().map(|c| c.to_string());
    let said = e.to_string();
    match code.as_deref() {
        Some("535" | "534" | "530") => {
            SendError::Refused(format!("the mail server refused the login of {}: check the user and password ({said})", server.user))
        }
        _ if e.is_permanent() => SendError::Refused(format!("the mail server at {} refused it ({said})", server.address())),
        _ if e.is_transient() => SendError::Unreachable(format!("the mail server at {} asked to try later ({said})", server.address())),
        // A secure connection that cannot be made (STARTTLS not offered, TLS
        // spoken to a plain port, a certificate refused) fails the same way
        // every time: a setting to change, not a server to wait for.
        _ if e.is_tls() || e.is_client() || {
            let l = said.to_ascii_lowercase();
            l.contains("certificate") || l.contains("corrupt message") || l.contains("handshake") || l.contains("tls")
        } =>
        {
            SendError::Refused(format!(
                "a secure connection to the mail server at {} could not be made ({said}): check starttls, tls or plain and the port",
                server.address()
            ))
        }
        _ => SendError::Unreachable(format!("the mail server at {} could not be reached ({said})", server.address())),
    }
}

impl Store {
    /// Records a request to email `key`'s receipt (receipt number or sale
    /// id) to `to`, and returns it as it stands (queued).
    pub fn request_receipt_email(&mut self, key: &str, to: &str) -> Result<ReceiptEmailView> {
        let to = wildroot_model::email::recipient(to).map_err(CoreError::Invalid)?;
        let key = key.trim();
        let sale: Option<String> =
            self.conn().query_row("SELECT id FROM sales WHERE id = ?1 OR receipt_no = ?1 LIMIT 1", [key], |r| r.get(0)).optional()?;
        let sale = sale.ok_or_else(|| CoreError::NotFound {
            what: "sale",
            key: key.to_string(),
            hint: "give its receipt number (like A-000123) or sale id",
        })?;
        let sale_id = SaleId::from_str(&sale).map_err(|_| CoreError::Invalid(format!("the sale id '{sale}' is not an id")))?;
        let op = self.write(|tx| tx.record(OpKind::ReceiptEmailRequested(ReceiptEmailRequested { sale_id, to, at_ms: tx.now_ms() })))?;
        self.receipt_email(op.id)?.ok_or_else(|| CoreError::Invalid("the request was not recorded".into()))
    }

    /// Every emailed receipt, newest first.
    pub fn receipt_emails(&self) -> Result<Vec<ReceiptEmailView>> {
        self.email_rows("1 = 1", rusqlite::params![])
    }

    /// One request, as it stands.
    pub fn receipt_email(&self, request: OpId) -> Result<Option<ReceiptEmailView>> {
        Ok(self.email_rows("e.request_id = ?1", rusqlite::params![request.to_string()])?.pop())
    }

    /// The emailed receipts of one sale (by receipt number or id), newest first.
    pub fn receipt_emails_of(&self, key: &str) -> Result<Vec<ReceiptEmailView>> {
        self.email_rows("(s.id = ?1 OR s.receipt_no = ?1)", rusqlite::params![key.trim()])
    }

    /// The address of the sale's customer, when the sale has one with an address.
    pub fn sale_customer_email(&self, key: &str) -> Result<Option<String>> {
        let email: Option<Option<String>> = self
            .conn()
            .query_row(
                "SELECT c.email FROM sales s JOIN customers c ON c.id = s.customer_id WHERE s.id = ?1 OR s.receipt_no = ?1 LIMIT 1",
                [key.trim()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(email.flatten().and_then(|e| wildroot_model::email::recipient(&e).ok()))
    }

    fn email_rows(&self, filter: &str, params: &[&dyn rusqlite::ToSql]) -> Result<Vec<ReceiptEmailView>> {
        // The status rule (migration 0022): sent if any outcome says so,
        // else the latest failure by its clock, else queued.
        let sql = format!(
            "SELECT e.request_id, COALESCE(s.receipt_no, ''), e.address, e.requested_at_ms, o.sent, o.reason, o.at_ms
             FROM receipt_emails e
             LEFT JOIN sales s ON s.id = e.sale_id
             LEFT JOIN receipt_email_outcomes o ON o.op_id = (
                 SELECT op_id FROM receipt_email_outcomes WHERE request_id = e.request_id
                 ORDER BY sent DESC, hlc_ms DESC, hlc_counter DESC, op_id DESC LIMIT 1)
             WHERE {filter}
             ORDER BY e.requested_at_ms DESC, e.request_id DESC"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(params, |r| {
            let sent: Option<bool> = r.get(4)?;
            Ok(ReceiptEmailView {
                request: r.get(0)?,
                receipt_no: r.get(1)?,
                to: r.get(2)?,
                requested_at_ms: r.get(3)?,
                status: match sent {
                    None => EmailStatus::Queued,
                    Some(true) => EmailStatus::Sent,
                    Some(false) => EmailStatus::Failed,
                },
                reason: r.get(5)?,
                outcome_at_ms: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Requests with no "sent" outcome yet, oldest first: what a sender looks at.
    pub fn unsent_receipt_emails(&self) -> Result<Vec<OpId>> {
        let mut stmt = self.conn().prepare(
            "SELECT request_id FROM receipt_emails e
             WHERE NOT EXISTS (SELECT 1 FROM receipt_email_outcomes o WHERE o.request_id = e.request_id AND o.sent = 1)
             ORDER BY requested_at_ms, request_id",
        )?;
        let ids: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(ids.iter().filter_map(|i| OpId::from_str(i).ok()).collect())
    }

    /// The email of a request: the receipt as recorded now, as text and HTML.
    pub fn receipt_email_message(&self, request: OpId) -> Result<Outgoing> {
        let (sale, to): (String, String) = self
            .conn()
            .query_row("SELECT sale_id, address FROM receipt_emails WHERE request_id = ?1", [request.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .ok_or_else(|| CoreError::NotFound {
                what: "emailed receipt",
                key: request.to_string(),
                hint: "see the requests with the receipt status",
            })?;
        let receipt = self.receipt(&sale)?;
        Ok(Outgoing {
            request,
            to,
            from_name: receipt.business_name.clone(),
            subject: format!("Your receipt {} from {}", receipt.receipt_no, receipt.business_name),
            text: wildroot_model::receipt::text(&receipt, 48),
            html: wildroot_model::receipt::html(&receipt),
        })
    }

    /// Sets this device's mail server and password (sealed with `key`):
    /// only for a shop with no server, whose owner's device sends.
    pub fn set_mail(&mut self, key: &DeviceKey, server: &MailServer, password: &str) -> Result<()> {
        if self.sync_config()?.is_some() {
            return Err(CoreError::Invalid(
                "this device syncs with a server, which sends the shop's receipts: set the mail server on the server".into(),
            ));
        }
        let sealed = key.seal_text(password, &password_context(server))?;
        let settings = serde_json::to_string(server)?;
        self.write(|tx| {
            let generation: i64 = device_get(tx, MAIL_GENERATION)?.and_then(|g| g.parse().ok()).unwrap_or(0) + 1;
            for (k, v) in [(MAIL_SERVER, settings), (MAIL_PASSWORD, sealed), (MAIL_GENERATION, generation.to_string())] {
                tx.execute("INSERT OR REPLACE INTO device_settings (key, value) VALUES (?1, ?2)", (k, v))?;
            }
            Ok(())
        })
    }

    /// Forgets this device's mail server and password.
    pub fn clear_mail(&mut self) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM device_settings WHERE key IN (?1, ?2)", [MAIL_SERVER, MAIL_PASSWORD])?;
            Ok(())
        })
    }

    /// This device's mail server, if it sends receipts.
    pub fn mail_server(&self) -> Result<Option<MailServer>> {
        Ok(device_get(self.conn(), MAIL_SERVER)?.and_then(|s| serde_json::from_str(&s).ok()))
    }

    fn mail_password(&self, key: &DeviceKey, server: &MailServer) -> Result<String> {
        device_get(self.conn(), MAIL_PASSWORD)?.and_then(|s| key.open_text(&s, &password_context(server))).ok_or_else(|| {
            CoreError::Invalid("the mail password cannot be opened with this device's key: set the mail server again".into())
        })
    }

    fn mail_generation(&self) -> Result<i64> {
        Ok(device_get(self.conn(), MAIL_GENERATION)?.and_then(|g| g.parse().ok()).unwrap_or(0))
    }

    fn send_log(&self, request: OpId) -> Result<Option<Logged>> {
        let row: Option<(String, i64, Option<String>)> = self
            .conn()
            .query_row("SELECT state, generation, reason FROM mail_send_log WHERE request_id = ?1", [request.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        Ok(row.map(|(state, generation, reason)| match state.as_str() {
            "sending" => Logged::Sending,
            "sent" => Logged::Sent,
            "failed" => Logged::Failed { permanent: generation >= 0, generation, reason: reason.unwrap_or_default() },
            // "interrupted", or anything a newer build wrote: never sent again on its own.
            _ => Logged::Interrupted,
        }))
    }

    /// Writes the send log's entry for `request`, and with it (one
    /// transaction) the outcome to record, if any.
    fn log_send(&mut self, request: OpId, logged: &Logged, outcome: Option<(bool, Option<String>)>) -> Result<()> {
        let (state, generation, reason) = match logged {
            Logged::Sending => ("sending", 0, None),
            Logged::Sent => ("sent", 0, None),
            Logged::Interrupted => ("interrupted", 0, Some(INTERRUPTED.to_string())),
            // A transient failure keeps -1 (read back as not permanent).
            Logged::Failed { permanent, generation, reason } => ("failed", if *permanent { *generation } else { -1 }, Some(reason.clone())),
        };
        self.write(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO mail_send_log (request_id, state, generation, reason) VALUES (?1, ?2, ?3, ?4)",
                (request.to_string(), state, generation, reason),
            )?;
            if let Some((sent, reason)) = outcome {
                let kind = OpKind::ReceiptEmailOutcome(ReceiptEmailOutcome { request, sent, reason, at_ms: tx.now_ms() });
                if sent {
                    tx.record_derived(sent_outcome_id(request), kind)?;
                } else {
                    tx.record(kind)?;
                }
            }
            Ok(())
        })
    }
}

/// What one run of a sender did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SendRun {
    pub sent: usize,
    pub failed: usize,
}

/// How the sender reaches the store: a step at a time, so the app's
/// shared store is never held while the mail server is asked.
pub trait StoreAccess {
    fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T>;
}

impl StoreAccess for std::sync::Mutex<Store> {
    fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let mut s = self
            .lock()
            .map_err(|_| CoreError::Invalid("the local store is unavailable after an earlier failure: restart the app".into()))?;
        f(&mut s)
    }
}

/// A store the caller owns alone (the CLI).
impl StoreAccess for std::cell::RefCell<&mut Store> {
    fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        f(&mut self.borrow_mut())
    }
}

/// The device's sender: sends every receipt asked for and not sent, when
/// this device holds the mail settings (`Ok(None)` when it does not). The
/// store is locked for each step, never while the mail server is asked.
pub async fn send_queued(store: &impl StoreAccess, key: &DeviceKey) -> Result<Option<SendRun>> {
    let Some((server, password, generation, unsent)) = store.with(|s| {
        let Some(server) = s.mail_server()? else { return Ok(None) };
        if s.sync_config()?.is_some() {
            return Ok(None);
        }
        let password = s.mail_password(key, &server)?;
        Ok(Some((server, password, s.mail_generation()?, s.unsent_receipt_emails()?)))
    })?
    else {
        return Ok(None);
    };
    let mut run = SendRun::default();
    for request in unsent {
        let previous = store.with(|s| s.send_log(request))?;
        match next_step(previous.as_ref(), generation) {
            Step::Skip => {}
            Step::RecordSent => {
                store.with(|s| s.log_send(request, &Logged::Sent, Some((true, None))))?;
                run.sent += 1;
            }
            Step::RecordInterrupted => {
                store.with(|s| s.log_send(request, &Logged::Interrupted, Some((false, Some(INTERRUPTED.to_string())))))?;
                run.failed += 1;
            }
            Step::Send => {
                let mail = store.with(|s| {
                    let mail = s.receipt_email_message(request)?;
                    s.log_send(request, &Logged::Sending, None)?;
                    Ok(mail)
                })?;
                match send(&server, &password, &mail).await {
                    Ok(()) => {
                        // Noted first on its own (a small write), so a stop
                        // while the outcome is recorded finds "sent", not "sending".
                        store.with(|s| {
                            s.log_send(request, &Logged::Sent, None)?;
                            s.log_send(request, &Logged::Sent, Some((true, None)))
                        })?;
                        run.sent += 1;
                    }
                    Err(e) => {
                        let logged = Logged::Failed { permanent: e.permanent(), generation, reason: e.reason().to_string() };
                        // A failure already recorded with the same reason is not recorded again.
                        let same = matches!(&previous, Some(Logged::Failed { reason, .. }) if reason == e.reason());
                        let outcome = (!same).then(|| (false, Some(e.reason().to_string())));
                        store.with(|s| s.log_send(request, &logged, outcome))?;
                        run.failed += 1;
                    }
                }
            }
        }
    }
    Ok(Some(run))
}
