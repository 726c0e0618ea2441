//! The mail server that sends emailed receipts (#25), as the owner types it
//! (`settings mail`, `wildroot server mail`, the app's Settings): one reader
//! for every place it is set. The password is never part of it: it is read
//! from a file and kept sealed by whoever sends.
use serde::{Deserialize, Serialize};

/// How the connection to the mail server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (usually port 587); refused
    /// if the server does not offer it.
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or network.
    Plain,
}

impl Security {
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Starttls => "starttls",
            Security::Tls => "tls",
            Security::Plain => "plain",
        }
    }

    pub fn parse(s: &str) -> Result<Security, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "starttls" => Ok(Security::Starttls),
            "tls" => Ok(Security::Tls),
            "plain" | "none" => Ok(Security::Plain),
            other => Err(format!("'{other}' is not a way to connect to a mail server: give starttls, tls or plain")),
        }
    }
}

/// Where receipts are sent from: the SMTP server, its login and the
/// sender's address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailServer {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// The login name (often the address itself).
    pub user: String,
    /// The receipts' From address.
    pub from: String,
}

impl MailServer {
    /// Reads `HOST:PORT`, the login and the sender (default: the login, when
    /// it is an address).
    pub fn parse(smtp: &str, security: Security, user: &str, from: Option<&str>) -> Result<MailServer, String> {
        let smtp = smtp.trim();
        let (host, port) =
            smtp.rsplit_once(':').ok_or_else(|| format!("'{smtp}' has no port: type the mail server like smtp.example.com:587"))?;
        let port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("'{port}' is not a port: type the mail server like smtp.example.com:587"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.len() > 253 || !host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c)) {
            return Err(format!("'{host}' is not a mail server's name: type it like smtp.example.com:587"));
        }
        let user = user.trim();
        if user.is_empty() || user.len() > 254 || user.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("the mail login is empty or has spaces: type the login your mail provider gave you".into());
        }
        let from = match from.map(str::trim).filter(|f| !f.is_empty()) {
            Some(f) => crate::email::recipient(f).map_err(|e| format!("the sender: {e}"))?,
            None => crate::email::recipient(user)
                .map_err(|_| format!("the login '{user}' is not an address: give the address receipts come from"))?,
        };
        Ok(MailServer { host: host.to_string(), port, security, user: user.to_string(), from })
    }

    /// `host:port`, as typed.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// A mail password read from a file: its first line, which must not be empty.
pub fn password(file_text: &str) -> Result<String, String> {
    let p = file_text.lines().next().unwrap_or("").trim_end_matches('\r');
    if p.is_empty() {
        return Err("the password file is empty: put the mail password on its first line".into());
    }
    if p.len() > 1024 || p.chars().any(char::is_control) {
        return Err("the password file's first line is not a password".into());
    }
    Ok(p.to_string())
}

/// The id of the outcome that says a request was sent: derived from the
/// request, so a sender that records it twice (after a crash) records one
/// operation.
pub fn sent_outcome_id(request: crate::ids::OpId) -> crate::ids::OpId {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x5c1e_7a2e_0b4d_4c8e_9f31_7d2a_66e0_25a1);
    crate::ids::OpId(uuid::Uuid::new_v5(&NAMESPACE, format!("receipt-email-sent:{request}").as_bytes()))
}

/// What a sender's send log says of a request (one entry per request, kept
/// by whoever sends: the server in its settings, a device in its own
/// table). Written before the mail server is asked and after it answers,
/// so a sender that stops in between knows it may have sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum Logged {
    /// The mail server was being asked.
    Sending,
    /// The mail server took it.
    Sent,
    /// It said no (`permanent`: a refusal that the same settings would
    /// repeat, tried again only once the settings change, `generation`),
    /// or could not be reached (tried again on the next run).
    Failed { permanent: bool, generation: i64, reason: String },
    /// Found `Sending` at the next run: it may have arrived, and is never
    /// sent again on its own.
    Interrupted,
}

/// What a sender does next with a request that has no "sent" outcome yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Send,
    /// Sent before, the outcome not recorded: record it, send nothing.
    RecordSent,
    /// Stopped while sending: say so, send nothing.
    RecordInterrupted,
    Skip,
}

/// The rule that sends each receipt at most once (#25).
pub fn next_step(log: Option<&Logged>, generation: i64) -> Step {
    match log {
        None => Step::Send,
        Some(Logged::Sending) => Step::RecordInterrupted,
        Some(Logged::Sent) => Step::RecordSent,
        Some(Logged::Interrupted) => Step::Skip,
        Some(Logged::Failed { permanent: true, generation: g, .. }) if *g == generation => Step::Skip,
        Some(Logged::Failed { .. }) => Step::Send,
    }
}

/// The status of a request whose sending was interrupted.
pub const INTERRUPTED: &str =
    "the sender stopped while sending it, so it may or may not have arrived: ask the customer, and email it again if it did not";

/// Where an emailed receipt stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailStatus {
    /// Asked for; not sent yet (the request may still be on its way to the sender).
    Queued,
    Sent,
    /// Not sent, with the reason; a later try may still send it.
    Failed,
}

impl EmailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EmailStatus::Queued => "queued",
            EmailStatus::Sent => "sent",
            EmailStatus::Failed => "failed",
        }
    }
}

/// One emailed receipt, for `receipt status` and the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptEmailView {
    /// The request's operation id.
    pub request: String,
    pub receipt_no: String,
    pub to: String,
    pub status: EmailStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub requested_at_ms: i64,
    /// When it was sent, or last failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome_at_ms: Option<i64>,
}

/// A sale's emailed receipts, and its customer's address to offer for the next.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleEmails {
    pub customer_email: Option<String>,
    pub emails: Vec<ReceiptEmailView>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_mail_server_is_read_once_for_every_place_it_is_set() {
        let m = MailServer::parse(" smtp.example.com:587", Security::Starttls, "Shop@Example.com", None).unwrap();
        assert_eq!((m.host.as_str(), m.port, m.from.as_str()), ("smtp.example.com", 587, "shop@example.com"));
        assert_eq!(m.address(), "smtp.example.com:587");
        let m = MailServer::parse("127.0.0.1:2525", Security::Plain, "relay", Some("shop@example.com")).unwrap();
        assert_eq!(m.from, "shop@example.com");
        assert!(MailServer::parse("smtp.example.com", Security::Tls, "a@b.c", None).unwrap_err().contains("no port"));
        assert!(MailServer::parse("smtp.example.com:0", Security::Tls, "a@b.c", None).is_err());
        assert!(MailServer::parse("smtp example:25", Security::Tls, "a@b.c", None).is_err());
        assert!(MailServer::parse("h:25", Security::Tls, "relay", None).unwrap_err().contains("not an address"));
        assert_eq!(Security::parse("STARTTLS"), Ok(Security::Starttls));
        assert!(Security::parse("ssl").is_err());
        assert_eq!(password("s3cret\nignored").as_deref(), Ok("s3cret"));
        assert!(password("\n").is_err());
    }

    #[test]
    fn a_receipt_is_sent_at_most_once_whatever_the_log_says() {
        assert_eq!(next_step(None, 1), Step::Send);
        assert_eq!(next_step(Some(&Logged::Sending), 1), Step::RecordInterrupted);
        assert_eq!(next_step(Some(&Logged::Sent), 1), Step::RecordSent);
        assert_eq!(next_step(Some(&Logged::Interrupted), 2), Step::Skip);
        let refused = Logged::Failed { permanent: true, generation: 1, reason: "535".into() };
        assert_eq!(next_step(Some(&refused), 1), Step::Skip, "the same settings would be refused again");
        assert_eq!(next_step(Some(&refused), 2), Step::Send, "new settings: try again");
        let unreachable = Logged::Failed { permanent: false, generation: 1, reason: "refused".into() };
        assert_eq!(next_step(Some(&unreachable), 1), Step::Send);
        let r = crate::ids::OpId::new();
        assert_eq!(sent_outcome_id(r), sent_outcome_id(r));
        assert_ne!(sent_outcome_id(r), r);
    }
}
