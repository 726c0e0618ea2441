//! The server sends the shop's emailed receipts (#25): vendor phones never
//! hold the mail password. The owner sets the mail server here
//! (`wildroot server mail`); the password is sealed with the server's key
//! file and only the sealed form is in its database.
//!
//! The server keeps no business tables, so it reads receipts from a
//! replica: a core store beside its key file that applies the server's own
//! log with the same code as every device (`Store::follow_log`,
//! `Store::apply_pulled`). It can be deleted at any time (it is rebuilt)
//! and is started over when the log's epoch changes (a restored server).
//!
//! Each receipt is sent at most once: the send log is the server's
//! settings, one `mail_send:<request op id>` entry per request
//! ([`Logged`]), written before the mail server is asked and after it
//! answers; the outcome operation is recorded in the same transaction as
//! its entry, under the server's own "Mail" device. A server stopped
//! between asking and noting finds `sending` at the next run and records
//! that it may have arrived, without sending again
//! ([`wildroot_model::mail::next_step`]).
use crate::shopify::{record_as, ServerDevice};
use crate::state::AppState;
use crate::storage::{Storage, StorageError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use thiserror::Error;
use wildroot_core::mail::{send, SendRun};
use wildroot_core::shopify::link::DeviceKey;
use wildroot_core::store::Store;
use wildroot_core::CoreError;
use wildroot_model::mail::{next_step, sent_outcome_id, Logged, MailServer, Step, INTERRUPTED};
use wildroot_model::op::ReceiptEmailOutcome;
use wildroot_model::OpId;

const SERVER: &str = "mail_server";
const PASSWORD: &str = "mail_password";
const GENERATION: &str = "mail_generation";
const LAST_RUN: &str = "mail_last_run_ms";
const LAST_ERROR: &str = "mail_last_error";
const LOG: &str = "mail_send:";

const MAIL: ServerDevice = ServerDevice { id_key: "mail_device", seq_key: "mail_seq", name: "Mail" };

#[derive(Debug, Error)]
pub enum MailError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error("{0}")]
    Record(String),
}

type Result<T> = std::result::Result<T, MailError>;

/// Where the server's sending stands, for `wildroot server mail`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MailStatus {
    pub server: Option<MailServer>,
    pub last_run_ms: Option<i64>,
    pub last_error: Option<String>,
}

fn context(server: &MailServer) -> Vec<u8> {
    let mut c = b"wildroot-server-".to_vec();
    c.extend(wildroot_core::mail::password_context(server));
    c
}

async fn setting<S: Storage>(storage: &S, key: &str) -> Result<Option<String>> {
    Ok(storage.get_setting(key).await?.filter(|v| !v.is_empty()))
}

/// Sets the mail server and password (sealed with `key`). Failed receipts
/// are tried again with the new settings.
pub async fn configure<S: Storage>(storage: &S, key: &DeviceKey, server: &MailServer, password: &str) -> Result<()> {
    let sealed = key.seal_text(password, &context(server))?;
    let generation = setting(storage, GENERATION).await?.and_then(|g| g.parse::<i64>().ok()).unwrap_or(0) + 1;
    storage.set_setting(PASSWORD, &sealed).await?;
    storage.set_setting(GENERATION, &generation.to_string()).await?;
    storage.set_setting(LAST_ERROR, "").await?;
    // Last: the loop sends once the server is there.
    storage.set_setting(SERVER, &serde_json::to_string(server).map_err(|e| MailError::Record(e.to_string()))?).await?;
    Ok(())
}

/// Stops sending and forgets the password.
pub async fn disconnect<S: Storage>(storage: &S) -> Result<()> {
    for k in [SERVER, PASSWORD, LAST_ERROR] {
        storage.set_setting(k, "").await?;
    }
    Ok(())
}

pub async fn status<S: Storage>(storage: &S) -> Result<MailStatus> {
    Ok(MailStatus {
        server: setting(storage, SERVER).await?.and_then(|s| serde_json::from_str(&s).ok()),
        last_run_ms: setting(storage, LAST_RUN).await?.and_then(|v| v.parse().ok()),
        last_error: setting(storage, LAST_ERROR).await?,
    })
}

/// The server's copy of its log, for reading receipts.
pub struct Replica {
    path: PathBuf,
    store: Option<Arc<Mutex<Store>>>,
}

impl Replica {
    /// Kept at `path` (opened at the first run).
    pub fn at(path: PathBuf) -> Replica {
        Replica { path, store: None }
    }

    fn open(path: &Path, epoch: &str) -> Result<Store> {
        let mut store = Store::open(path)?;
        if store.follow_log(epoch)? {
            return Ok(store);
        }
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
        let mut store = Store::open(path)?;
        store.follow_log(epoch)?;
        Ok(store)
    }

    /// Brings the replica up to the log's end.
    async fn catch_up<S: Storage>(&mut self, state: &AppState<S>) -> Result<Arc<Mutex<Store>>> {
        let store = match &self.store {
            Some(s) => s.clone(),
            None => {
                let (path, epoch) = (self.path.clone(), state.epoch.clone());
                let s = tokio::task::spawn_blocking(move || Replica::open(&path, &epoch))
                    .await
                    .map_err(|e| MailError::Record(format!("the mail replica could not be opened: {e}")))??;
                let s = Arc::new(Mutex::new(s));
                self.store = Some(s.clone());
                s
            }
        };
        loop {
            let after = with(&store, |s| s.pull_cursor())?;
            let page = state.storage.pull(after, 1000).await?;
            let more = page.more;
            let s = store.clone();
            tokio::task::spawn_blocking(move || with(&s, |s| s.apply_pulled(&page)))
                .await
                .map_err(|e| MailError::Record(format!("the mail replica stopped: {e}")))??;
            if !more {
                return Ok(store);
            }
        }
    }
}

fn with<T>(store: &Mutex<Store>, f: impl FnOnce(&mut Store) -> wildroot_core::Result<T>) -> Result<T> {
    let mut s = store.lock().map_err(|_| MailError::Record("the mail replica is unavailable after an earlier failure".into()))?;
    Ok(f(&mut s)?)
}

/// Records what became of `request`, with its send log entry, in one transaction.
async fn record<S: Storage>(state: &AppState<S>, request: OpId, logged: &Logged, outcome: Option<(bool, Option<String>)>) -> Result<()> {
    let entry = (format!("{LOG}{request}"), serde_json::to_string(logged).map_err(|e| MailError::Record(e.to_string()))?);
    let _one = state.mail_lock.lock().await;
    match outcome {
        None => state.storage.set_setting(&entry.0, &entry.1).await?,
        Some((sent, reason)) => {
            let at_ms = chrono::Utc::now().timestamp_millis();
            let payload =
                serde_json::to_value(ReceiptEmailOutcome { request, sent, reason, at_ms }).map_err(|e| MailError::Record(e.to_string()))?;
            let id = if sent { sent_outcome_id(request) } else { OpId::new() };
            record_as(state, &MAIL, vec![(id, "receipt_email_outcome", payload)], vec![entry])
                .await
                .map_err(|e| MailError::Record(e.wire().message))?;
        }
    }
    Ok(())
}

/// Sends every receipt asked for and not sent, if the server has a mail
/// server (`Ok(None)` if not). The outcome is noted for `status` either way.
pub async fn send_once<S: Storage>(state: &AppState<S>, key: &DeviceKey, replica: &mut Replica) -> Result<Option<SendRun>> {
    let Some(server) = setting(&state.storage, SERVER).await? else { return Ok(None) };
    let server: MailServer =
        serde_json::from_str(&server).map_err(|_| MailError::Record("the stored mail server cannot be read: set it again".into()))?;
    let outcome = run(state, key, &server, replica).await;
    state.storage.set_setting(LAST_RUN, &chrono::Utc::now().timestamp_millis().to_string()).await?;
    let error = outcome.as_ref().err().map(ToString::to_string).unwrap_or_default();
    state.storage.set_setting(LAST_ERROR, &error).await?;
    outcome.map(Some)
}

async fn run<S: Storage>(state: &AppState<S>, key: &DeviceKey, server: &MailServer, replica: &mut Replica) -> Result<SendRun> {
    let unreadable =
        || MailError::Record("the mail password cannot be opened with the server's key file: set the mail server again".into());
    let sealed = setting(&state.storage, PASSWORD).await?.ok_or_else(unreadable)?;
    let password = key.open_text(&sealed, &context(server)).ok_or_else(unreadable)?;
    let generation = setting(&state.storage, GENERATION).await?.and_then(|g| g.parse().ok()).unwrap_or(0);
    let store = replica.catch_up(state).await?;
    let mut run = SendRun::default();
    for request in with(&store, |s| s.unsent_receipt_emails())? {
        let previous: Option<Logged> =
            setting(&state.storage, &format!("{LOG}{request}")).await?.and_then(|t| serde_json::from_str(&t).ok());
        match next_step(previous.as_ref(), generation) {
            Step::Skip => {}
            Step::RecordSent => {
                record(state, request, &Logged::Sent, Some((true, None))).await?;
                run.sent += 1;
            }
            Step::RecordInterrupted => {
                record(state, request, &Logged::Interrupted, Some((false, Some(INTERRUPTED.to_string())))).await?;
                run.failed += 1;
            }
            Step::Send => {
                let mail = match with(&store, |s| s.receipt_email_message(request)) {
                    Ok(m) => m,
                    Err(e) => {
                        // A request for a sale the log does not hold: said once, never sent.
                        let reason = format!("the receipt cannot be made: {e}");
                        let logged = Logged::Failed { permanent: true, generation, reason: reason.clone() };
                        record(state, request, &logged, Some((false, Some(reason)))).await?;
                        run.failed += 1;
                        continue;
                    }
                };
                record(state, request, &Logged::Sending, None).await?;
                match send(server, &password, &mail).await {
                    Ok(()) => {
                        // Noted first on its own, so a stop while the
                        // outcome is recorded finds "sent", not "sending".
                        record(state, request, &Logged::Sent, None).await?;
                        if std::env::var_os("WILDROOT_FAULT_AFTER_MAIL_SENT").is_some() {
                            // The crash test's stop between sending and recording.
                            std::process::abort();
                        }
                        record(state, request, &Logged::Sent, Some((true, None))).await?;
                        run.sent += 1;
                    }
                    Err(e) => {
                        tracing::warn!(request = %request, "a receipt email was not sent: {}", e.reason());
                        let logged = Logged::Failed { permanent: e.permanent(), generation, reason: e.reason().to_string() };
                        let same = matches!(&previous, Some(Logged::Failed { reason, .. }) if reason == e.reason());
                        record(state, request, &logged, (!same).then(|| (false, Some(e.reason().to_string())))).await?;
                        run.failed += 1;
                    }
                }
            }
        }
    }
    Ok(run)
}

/// How the server runs its sender.
#[derive(Clone)]
pub struct MailOptions {
    /// Opens the sealed password.
    pub key: Arc<DeviceKey>,
    /// Where the replica is kept.
    pub replica: PathBuf,
    /// Time between runs (a push with a request wakes it sooner).
    pub every: Duration,
}

/// The server's sender loop: a run at start, every `every` after and when
/// a push brings a request (`AppState::mail_wake`). Ends when `stop` turns
/// true, after the run in flight.
pub fn spawn<S: Storage>(
    state: Arc<AppState<S>>,
    options: MailOptions,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut replica = Replica::at(options.replica.clone());
        loop {
            // A run is finished, not dropped, when the server stops: one
            // dropped mid-send would be reported as "may have arrived".
            match send_once(&state, &options.key, &mut replica).await {
                Ok(Some(r)) if r.sent + r.failed > 0 => tracing::info!(sent = r.sent, failed = r.failed, "receipt emails"),
                Ok(_) => {}
                Err(e) => tracing::warn!("receipt emails: {e}"),
            }
            if *stop.borrow() {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(options.every) => {}
                _ = state.mail_wake.notified() => {}
                _ = stop.changed() => break,
            }
            if *stop.borrow() {
                break;
            }
        }
    })
}
