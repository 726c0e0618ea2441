//! Syncing a device with the central server (DESIGN rule 5).
//!
//! Push: this device's unacknowledged operations, in `device_seq` order; the
//! server stores each id once and answers with acknowledgements, refusals or
//! the sequence number it expected. Pull: everything after this device's
//! cursor, page by page; each page is applied and the cursor advanced in one
//! transaction. Every step is safe to repeat, so a crash, a lost response or
//! a retried request changes nothing.
use crate::error::{CoreError, Result};
use crate::oplog::{self, Clock};
use crate::shopify::link::SEALED_TEXT;
use crate::store::{Store, Tx};
use rusqlite::OptionalExtension;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wildroot_model::sync::*;
use wildroot_model::views::{RefusedOp, SyncReport, SyncStatus};
use wildroot_model::{DeviceId, Hlc};

/// Operations per push and per pull page.
pub const PAGE: usize = MAX_PAGE;

/// Where and as whom this device syncs.
#[derive(Clone, Debug)]
pub struct SyncConfig {
    pub server_url: String,
    pub device_token: String,
    pub device_name: String,
    pub user_email: String,
    pub role: Role,
}

/// The HTTP side: one client per server.
#[derive(Clone)]
pub struct SyncClient {
    base: String,
    http: reqwest::Client,
}

impl SyncClient {
    pub fn new(server_url: &str) -> Result<SyncClient> {
        let base = server_url.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) || base.len() < 10 {
            return Err(CoreError::Invalid(format!("'{server_url}' is not a server address: type it like https://sync.example.com")));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| CoreError::Offline(format!("cannot start the HTTP client: {e}")))?;
        Ok(SyncClient { base, http })
    }

    pub fn server_url(&self) -> &str {
        &self.base
    }

    async fn send<T: serde::de::DeserializeOwned>(&self, req: reqwest::RequestBuilder) -> Result<T> {
        let resp = req.send().await.map_err(|e| CoreError::Offline(describe(&e)))?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(|e| CoreError::Offline(describe(&e)))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| CoreError::Server {
                status: status.as_u16(),
                code: "bad_response".into(),
                message: format!("an answer this app cannot read ({e})"),
                retryable: true,
            });
        }
        Err(match serde_json::from_slice::<ApiError>(&body) {
            Ok(e) => CoreError::Server { status: status.as_u16(), code: e.code, message: e.message, retryable: e.retryable },
            Err(_) => CoreError::Server {
                status: status.as_u16(),
                code: "http".into(),
                message: format!("HTTP {status}"),
                retryable: status.is_server_error() || status.as_u16() == 429,
            },
        })
    }

    /// The server's clock, from `/health`.
    pub async fn server_time_ms(&self) -> Result<i64> {
        let health: serde_json::Value = self.send(self.http.get(format!("{}/health", self.base))).await?;
        health["time_ms"].as_i64().ok_or_else(|| CoreError::Server {
            status: 200,
            code: "bad_response".into(),
            message: "the server did not say its time".into(),
            retryable: false,
        })
    }

    pub async fn login(&self, email: &str, password: &str) -> Result<LoginResponse> {
        let req = LoginRequest { email: email.trim().to_string(), password: password.to_string() };
        self.send(self.http.post(format!("{}/api/v1/auth/login", self.base)).json(&req)).await
    }

    pub async fn register_device(&self, login_token: &str, device_id: DeviceId, name: &str) -> Result<RegisterDeviceResponse> {
        let req = RegisterDeviceRequest { device_id, name: name.to_string() };
        self.send(self.http.post(format!("{}/api/v1/devices", self.base)).bearer_auth(login_token).json(&req)).await
    }

    pub async fn list_devices(&self, login_token: &str) -> Result<Vec<DeviceInfo>> {
        self.send(self.http.get(format!("{}/api/v1/devices", self.base)).bearer_auth(login_token)).await
    }

    pub async fn list_users(&self, login_token: &str) -> Result<Vec<UserInfo>> {
        self.send(self.http.get(format!("{}/api/v1/users", self.base)).bearer_auth(login_token)).await
    }

    pub async fn add_user(&self, login_token: &str, req: &NewUserRequest) -> Result<Vec<UserInfo>> {
        self.send(self.http.post(format!("{}/api/v1/users", self.base)).bearer_auth(login_token).json(req)).await
    }

    pub async fn revoke_device(&self, login_token: &str, device: &str) -> Result<serde_json::Value> {
        self.send(self.http.post(format!("{}/api/v1/devices/{device}/revoke", self.base)).bearer_auth(login_token)).await
    }

    /// Where the server's own Shopify import stands.
    pub async fn shopify_status(&self, device_token: &str) -> Result<ServerShopifyStatus> {
        self.send(self.http.get(format!("{}/api/v1/shopify/status", self.base)).bearer_auth(device_token)).await
    }

    /// Pushes operations, the body gzip-compressed.
    pub async fn push(&self, device_token: &str, ops: Vec<WireOp>) -> Result<PushResponse> {
        let body = gzip(&serde_json::to_vec(&PushRequest { protocol: PROTOCOL_VERSION, ops })?)?;
        let req = self
            .http
            .post(format!("{}/api/v1/sync/push", self.base))
            .bearer_auth(device_token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::CONTENT_ENCODING, "gzip")
            .body(body);
        self.send(req).await
    }

    pub async fn pull(&self, device_token: &str, after: i64, limit: usize) -> Result<PullResponse> {
        self.pull_with(device_token, after, limit, OwnOps::Full).await
    }

    /// A pull page, this device's own operations in full or named only.
    pub async fn pull_with(&self, device_token: &str, after: i64, limit: usize, own: OwnOps) -> Result<PullResponse> {
        let url = format!("{}/api/v1/sync/pull?after={after}&limit={limit}&own={}", self.base, own.as_str());
        self.send(self.http.get(url).bearer_auth(device_token)).await
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the server did not answer in time".into()
    } else if e.is_connect() {
        "no connection to the server (offline, or the server is down)".into()
    } else {
        e.to_string()
    }
}

/// How hard pushes (here) and the server's answers (`server::api`) are
/// compressed. Measured on a page of 1,000 sales with zlib-rs: level 2 is
/// 7 % larger than level 6 and 2.6 times faster (0.9 against 2.4 ms);
/// level 1 is 55 % larger for no gain in time.
pub const GZIP_LEVEL: u32 = 2;

/// Gzip for request bodies; a typical sale compresses to about a third.
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(GZIP_LEVEL));
    enc.write_all(bytes).and_then(|_| enc.finish()).map_err(|e| CoreError::Invalid(format!("cannot compress: {e}")))
}

fn role_of(s: &str) -> Result<Role> {
    Role::parse(s).ok_or_else(|| CoreError::Corrupt(format!("role '{s}'")))
}

/// Reads `id, device, device_seq, hlc_ms, hlc_counter, version, kind, payload` of `ops`.
fn wire_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<WireOp>> {
    let (id, device): (String, String) = (r.get(0)?, r.get(1)?);
    let (device_seq, hlc, version) = (r.get(2)?, Hlc { ms: r.get(3)?, counter: r.get(4)? }, r.get(5)?);
    let (kind, payload): (String, String) = (r.get(6)?, r.get(7)?);
    Ok((|| {
        Ok(WireOp {
            id: id.parse().map_err(|_| CoreError::Corrupt(format!("op id '{id}'")))?,
            device: device.parse().map_err(|_| CoreError::Corrupt(format!("device id '{device}'")))?,
            device_seq,
            hlc,
            version,
            kind,
            payload: serde_json::value::RawValue::from_string(payload)?,
        })
    })())
}

/// The `sync_state` row as read for a status.
type StateRow = (String, String, String, i64, Option<i64>, Option<i64>, Option<String>);

impl Store {
    pub fn sync_config(&self) -> Result<Option<SyncConfig>> {
        let row: Option<(String, String, String, String, String)> = self
            .conn()
            .query_row("SELECT server_url, device_token, device_name, user_email, role FROM sync_state", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        row.map(|(server_url, stored, device_name, user_email, role)| {
            let device_token = self.open_device_token(&server_url, &stored);
            Ok(SyncConfig { server_url, device_token, device_name, user_email, role: role_of(&role)? })
        })
        .transpose()
    }

    /// The sign-in as `sync_state` keeps it: sealed under the device key,
    /// bound to the server it signs in to.
    fn seal_device_token(&self, server_url: &str, token: &str) -> Result<String> {
        match self.device_key()? {
            Some(key) if !token.is_empty() => key.seal_text(token, server_url.as_bytes()),
            _ => Ok(token.to_string()),
        }
    }

    /// The sign-in, opened; empty (so the device asks to sign in again) when
    /// the key beside the database is not the one that sealed it.
    fn open_device_token(&self, server_url: &str, stored: &str) -> String {
        if !stored.starts_with(SEALED_TEXT) {
            return stored.to_string();
        }
        let key = self.device_key().ok().flatten();
        key.and_then(|k| k.open_text(stored, server_url.as_bytes())).unwrap_or_default()
    }

    /// Seals a sign-in an older build kept in the clear (run at open).
    pub(crate) fn seal_plain_device_token(&self) -> Result<()> {
        let row: Option<(String, String)> =
            self.conn().query_row("SELECT server_url, device_token FROM sync_state", [], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        if let Some((url, plain)) = row.filter(|(_, t)| !t.is_empty() && !t.starts_with(SEALED_TEXT)) {
            let sealed = self.seal_device_token(&url, &plain)?;
            if sealed != plain {
                self.conn().pragma_update(None, "secure_delete", "ON")?;
                self.conn().execute("UPDATE sync_state SET device_token = ?1", [&sealed])?;
            }
        }
        Ok(())
    }

    /// Connects this device to a server. Moving to another server starts its cursor over.
    pub fn connect(&mut self, cfg: &SyncConfig) -> Result<()> {
        let previous = self.sync_config()?.map(|c| c.server_url);
        let keep_cursor = previous.as_deref() == Some(cfg.server_url.as_str());
        let token = self.seal_device_token(&cfg.server_url, &cfg.device_token)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sync_state (singleton, server_url, device_token, device_name, user_email, role) VALUES (1, ?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (singleton) DO UPDATE SET server_url = excluded.server_url, device_token = excluded.device_token,
                     device_name = excluded.device_name, user_email = excluded.user_email, role = excluded.role, last_error = NULL",
                (&cfg.server_url, &token, &cfg.device_name, &cfg.user_email, cfg.role.as_str()),
            )?;
            if !keep_cursor {
                tx.execute("UPDATE sync_state SET pull_after = 0", [])?;
                tx.execute("UPDATE ops SET server_seq = NULL WHERE device = ?1", [tx.device().to_string()])?;
            }
            Ok(())
        })
    }

    /// Signs this device out of its server. Its operations stay in the local
    /// log either way; unless `force`, changes the server has not received
    /// yet keep the device signed in so they are not left behind unnoticed.
    pub fn sign_out(&mut self, force: bool) -> Result<()> {
        let status = self.sync_status()?;
        if status.server_url.is_none() {
            return Err(CoreError::NotConnected);
        }
        if status.pending > 0 && !force {
            return Err(CoreError::Invalid(format!(
                "{} change(s) have not reached the server yet: sync first, or sign out anyway (they go up the next time this device signs in)",
                status.pending
            )));
        }
        // Not an operation: who this device signs in as is its own business.
        self.conn().execute("DELETE FROM sync_state", [])?;
        Ok(())
    }

    pub fn sync_status(&self) -> Result<SyncStatus> {
        let conn = self.conn();
        let pending: i64 = conn.query_row(
            "SELECT COUNT(*) FROM ops WHERE device = ?1 AND server_seq IS NULL AND refused_reason IS NULL",
            [self.device().to_string()],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare("SELECT id, kind, refused_reason FROM ops WHERE refused_reason IS NOT NULL ORDER BY seq")?;
        let refused = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?
            .map(|row| {
                let (id, kind, reason) = row?;
                Ok(RefusedOp { op_id: id.parse().map_err(|_| CoreError::Corrupt(format!("op id '{id}'")))?, kind, reason })
            })
            .collect::<Result<Vec<_>>>()?;
        let state: Option<StateRow> = conn
            .query_row(
                "SELECT server_url, device_name, user_email, pull_after, last_attempt_ms, last_success_ms, last_error FROM sync_state",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )
            .optional()?;
        Ok(match state {
            None => SyncStatus {
                state: "not_configured".into(),
                server_url: None,
                device_name: None,
                user_email: None,
                pending,
                refused,
                last_attempt_ms: None,
                last_success_ms: None,
                last_error: None,
                pulled_through: 0,
            },
            Some((url, name, email, after, attempt, success, error)) => SyncStatus {
                state: if error.is_some() {
                    "offline"
                } else if pending > 0 {
                    "pending"
                } else {
                    "synced"
                }
                .into(),
                server_url: Some(url),
                device_name: Some(name),
                user_email: Some(email),
                pending,
                refused,
                last_attempt_ms: attempt,
                last_success_ms: success,
                last_error: error,
                pulled_through: after,
            },
        })
    }

    /// This device's operations the server has not acknowledged, oldest first.
    pub fn pending_ops(&self, limit: usize) -> Result<Vec<WireOp>> {
        self.pending_ops_after(i64::MIN, limit)
    }

    /// The same, numbered after `device_seq`: the page after one on its way.
    pub fn pending_ops_after(&self, device_seq: i64, limit: usize) -> Result<Vec<WireOp>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, device, device_seq, hlc_ms, hlc_counter, version, kind, payload FROM ops
             WHERE device = ?1 AND server_seq IS NULL AND refused_reason IS NULL AND device_seq > ?3 ORDER BY device_seq LIMIT ?2",
        )?;
        let rows = stmt.query_map((self.device().to_string(), limit as i64, device_seq), wire_from_row)?;
        rows.map(|row| row?).collect()
    }

    /// The epoch of the server's log this device last heard of.
    fn known_epoch(&self) -> Result<Option<String>> {
        Ok(self.conn().query_row("SELECT server_epoch FROM sync_state", [], |r| r.get(0)).optional()?.flatten())
    }

    /// Every operation of this device the server has not acknowledged, as a
    /// file to carry by hand. Nothing changes here: the device still pushes
    /// them when it next syncs, and the server takes each once.
    pub fn export_unsynced(&self) -> Result<OpsFile> {
        Ok(OpsFile::new(self.device(), self.now_ms(), self.pending_ops(usize::MAX >> 1)?))
    }

    /// Applies another device's exported operations here, each once (a
    /// second import changes nothing). They stay that device's: this one
    /// shows them now and never pushes them; the server needs the file too
    /// (`wildroot server import-ops`), or the device itself once it syncs.
    ///
    /// A file is trusted with what a booth may record, whatever it says of
    /// itself: the role in a file (or in the database it came from) can be
    /// written by hand, so owner-only changes (prices, recipes, stock)
    /// travel by sync, where the server knows the author's role. Those, and
    /// operations out of bounds, are refused with the reason and left out
    /// of the log, so the server's own answer decides if they ever arrive.
    pub fn import_ops_file(&mut self, file: &OpsFile) -> Result<ImportReport> {
        if file.device == self.device() {
            return Err(CoreError::Invalid("this file was exported from this device: its operations are already here".into()));
        }
        let mut ops = Vec::new();
        let mut refused = Vec::new();
        for w in &file.ops {
            if w.device != file.device {
                refused.push(RefusedOp {
                    op_id: w.id,
                    kind: w.kind.clone(),
                    reason: "it was made by another device than the file's".into(),
                });
                continue;
            }
            if !Role::Vendor.may(&w.kind) {
                refused.push(RefusedOp {
                    op_id: w.id,
                    kind: w.kind.clone(),
                    reason: format!("a file carries only booth work: {}; it arrives when that device syncs", describe_kind(&w.kind)),
                });
                continue;
            }
            let op = w.to_op().map_err(|e| {
                CoreError::Invalid(format!(
                    "operation {} ({}) cannot be read by this app ({e}): update the app and import again",
                    w.id, w.kind
                ))
            })?;
            if let Err(reason) = wildroot_model::bounds::check(&op.kind) {
                refused.push(RefusedOp { op_id: w.id, kind: w.kind.clone(), reason });
                continue;
            }
            ops.push(op);
        }
        let applied = oplog::apply_foreign(self, &ops)?;
        Ok(ImportReport { applied, refused })
    }

    /// Records the server's answer to a push: acknowledged operations get
    /// their server sequence; refused ones leave the tables (which are
    /// rebuilt without them) but stay in the log with the reason; a gap the
    /// server found makes those operations pending again.
    pub fn record_push(&mut self, resp: &PushResponse) -> Result<Vec<RefusedOp>> {
        self.write(|tx| {
            // Prepared once for the page, not once per operation: compiling
            // the statement cost more than running it (#26, perf).
            let mut place = tx.prepare_cached("UPDATE ops SET server_seq = ?1 WHERE id = ?2")?;
            for ack in &resp.acked {
                place.execute((ack.server_seq, ack.id.to_string()))?;
            }
            drop(place);
            let mut refused = Vec::new();
            for r in &resp.refused {
                let kind: Option<String> = tx
                    .query_row(
                        "UPDATE ops SET applied = 0, refused_reason = ?1 WHERE id = ?2 AND refused_reason IS NULL RETURNING kind",
                        (&r.reason, r.id.to_string()),
                        |row| row.get(0),
                    )
                    .optional()?;
                if let Some(kind) = kind {
                    refused.push(RefusedOp { op_id: r.id, kind, reason: r.reason.clone() });
                }
            }
            if !refused.is_empty() {
                oplog::rebuild(tx)?;
            }
            if let Some(expected) = resp.expected_seq {
                let first_pending: Option<i64> = tx.query_row(
                    "SELECT MIN(device_seq) FROM ops WHERE device = ?1 AND server_seq IS NULL AND refused_reason IS NULL",
                    [tx.device().to_string()],
                    |r| r.get(0),
                )?;
                // The server's series of this device is past what it has not
                // taken: this device was restored from an old backup and
                // numbered new work with numbers already used. What the server
                // never took moves on after its series; it comes back on pull.
                if first_pending.is_some_and(|first| expected > first) {
                    oplog::renumber_pending(tx, expected)?;
                    return Ok(refused);
                }
                let have: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM ops WHERE device = ?1 AND device_seq = ?2)",
                    (tx.device().to_string(), expected),
                    |r| r.get(0),
                )?;
                if !have {
                    return Err(CoreError::Invalid(format!(
                        "the server is missing this device's operation {expected}, which this device no longer has: restore this device from a backup"
                    )));
                }
                // From there on, everything goes again. A refusal the server
                // no longer knows of (it was restored from a backup) is sent
                // again too, so its number is taken again: the server refuses
                // it again, or takes it (then it is applied like an operation
                // kept from a newer build, by `apply_kept_ops`).
                tx.execute(
                    "UPDATE ops SET server_seq = NULL, refused_reason = NULL WHERE device = ?1 AND device_seq >= ?2",
                    (tx.device().to_string(), expected),
                )?;
            }
            Ok(refused)
        })
    }

    /// Notes the epoch of the server's log. When it differs from the one
    /// this device last pulled from, the server went back (restored from a
    /// backup): every operation of this device becomes pending again (the
    /// server takes each once, by id, and stores what it lost) and the
    /// next pull starts from the beginning (what is here already is
    /// skipped). Returns whether that happened.
    pub fn server_went_back(&mut self, epoch: Option<&str>) -> Result<bool> {
        let Some(epoch) = epoch else { return Ok(false) };
        self.write(|tx| {
            let seen: Option<String> = tx.query_row("SELECT server_epoch FROM sync_state", [], |r| r.get(0)).optional()?.flatten();
            tx.execute("UPDATE sync_state SET server_epoch = ?1", [epoch])?;
            if seen.is_none_or(|s| s == epoch) {
                return Ok(false);
            }
            tx.execute("UPDATE ops SET server_seq = NULL WHERE device = ?1 AND refused_reason IS NULL", [tx.device().to_string()])?;
            tx.execute("UPDATE sync_state SET pull_after = 0", [])?;
            tracing::warn!("the server's log went back (restored from a backup): sending this device's changes again");
            Ok(true)
        })
    }

    /// Stamps again, from the server's clock, what this device stamped so
    /// far ahead of it that the server cannot hold it (`oplog::restamp_future`).
    /// Returns how many operations.
    pub fn recover_clock(&mut self, server_now_ms: i64) -> Result<usize> {
        let n = self.write(|tx| oplog::restamp_future(tx, server_now_ms))?;
        if n > 0 {
            tracing::warn!(n, "operations stamped by a clock set ahead were stamped again from now");
        }
        Ok(n)
    }

    /// Makes this store a server's own copy of its log (the server's mail
    /// sender reads receipts from it): a cursor to pull after with
    /// [`Store::apply_pulled`], the same code as a device, and no sign-in.
    /// `false` when it followed a log of another epoch (the server was
    /// restored): then start a fresh file.
    pub fn follow_log(&mut self, epoch: &str) -> Result<bool> {
        let followed = crate::receipt::device_get(self.conn(), "replica_epoch")?;
        match followed {
            Some(e) => Ok(e == epoch),
            None => self.write(|tx| {
                tx.execute(
                    "INSERT OR REPLACE INTO sync_state (singleton, server_url, device_token, device_name, user_email, role)
                     VALUES (1, 'replica:', '', 'replica', '', 'owner')",
                    [],
                )?;
                tx.execute("INSERT INTO device_settings (key, value) VALUES ('replica_epoch', ?1)", [epoch])?;
                Ok(true)
            }),
        }
    }

    pub fn pull_cursor(&self) -> Result<i64> {
        Ok(self.conn().query_row("SELECT pull_after FROM sync_state", [], |r| r.get(0)).optional()?.unwrap_or(0))
    }

    /// Applies one pulled page and advances the cursor, in one transaction.
    /// Returns how many operations were new here. A page that does not
    /// answer this device's current cursor is refused: applying it could
    /// move the cursor past operations never seen.
    pub fn apply_pulled(&mut self, page: &PullResponse) -> Result<usize> {
        // Everything a page changes here can be pulled again, so its commit
        // does not wait for the disk (WAL keeps it whole): a power cut loses
        // whole pages at most, the cursor with them. The next commit at
        // `FULL` (a sale) makes them durable with it.
        self.conn().pragma_update(None, "synchronous", "NORMAL")?;
        let applied = self.apply_pulled_in_one(page);
        self.conn().pragma_update(None, "synchronous", "FULL")?;
        applied
    }

    fn apply_pulled_in_one(&mut self, page: &PullResponse) -> Result<usize> {
        self.write(|tx| {
            let cursor: i64 = tx.query_row("SELECT pull_after FROM sync_state", [], |r| r.get(0)).optional()?.unwrap_or(0);
            let outside = |seq: i64| seq <= page.after || seq > page.next_after;
            if page.after != cursor
                || page.next_after < page.after
                || page.ops.iter().any(|o| outside(o.server_seq))
                || page.own.iter().any(|o| outside(o.server_seq))
            {
                return Err(CoreError::Server {
                    status: 200,
                    code: "stale_page".into(),
                    message: format!("a page for position {} arrived while this device is at {cursor}; it was ignored", page.after),
                    retryable: true,
                });
            }
            // This device's own operations, named only: it must hold each,
            // under its number, or it needs them in full (nothing changed yet).
            if !page.own.is_empty() {
                let held = if page.own_device == Some(tx.device()) { own_held(tx, &page.own)? } else { None };
                let Some(held) = held else {
                    return Err(CoreError::Server {
                        status: 200,
                        code: OWN_NOT_HELD.into(),
                        message: "the server named operations of this device's that it does not hold; they are asked for in full".into(),
                        retryable: true,
                    });
                };
                // Their places came with the push's answer; one that did not
                // (the answer was lost) learns it here.
                let mut place = tx.prepare_cached("UPDATE ops SET server_seq = ?1 WHERE id = ?2 AND server_seq IS NULL")?;
                for (own, placed) in page.own.iter().zip(held) {
                    if !placed {
                        place.execute((own.server_seq, own.id.to_string()))?;
                    }
                }
            }
            let mut clock = Clock::load(tx)?;
            let mut applied = 0;
            // This device's own operations coming back that it does not hold
            // (it was restored from an old backup): what it numbered since
            // with the same numbers moves on after them, never dropped.
            let me = tx.device();
            let own_max = page.ops.iter().filter(|o| o.op.device == me).map(|o| o.op.device_seq).max();
            if let Some(own_max) = own_max {
                // One indexed lookup per own operation: (device, device_seq)
                // is unique. A join on the page as JSON was quadratic: SQLite
                // parsed the page again for every row of this device's log.
                let mut clash = false;
                for own in page.ops.iter().filter(|o| o.op.device == me) {
                    if own_id_at(tx, own.op.device_seq)?.is_some_and(|id| id != own.op.id.to_string()) {
                        clash = true;
                        break;
                    }
                }
                if clash {
                    let taken: i64 = tx.query_row(
                        "SELECT COALESCE(MAX(device_seq), 0) FROM ops WHERE device = ?1 AND (server_seq IS NOT NULL OR refused_reason IS NOT NULL)",
                        [me.to_string()],
                        |r| r.get(0),
                    )?;
                    oplog::renumber_pending(tx, own_max.max(taken) + 1)?;
                }
            }
            for pulled in &page.ops {
                let id = pulled.op.id.to_string();
                // An operation already here (this device's own, or pulled
                // before) only learns its place: one lookup by id, as nearly
                // every pulled operation is new here.
                let held: Option<Option<i64>> =
                    tx.prepare_cached("SELECT server_seq FROM ops WHERE id = ?1")?.query_row([&id], |r| r.get(0)).optional()?;
                match held {
                    Some(None) => {
                        tx.prepare_cached("UPDATE ops SET server_seq = ?1 WHERE id = ?2")?.execute((pulled.server_seq, &id))?;
                        continue;
                    }
                    Some(Some(_)) => continue,
                    None => {}
                }
                match pulled.op.to_op() {
                    Ok(op) => {
                        oplog::ingest(tx, &mut clock, &op, pulled.op.payload.get(), Some(pulled.server_seq))?;
                        applied += 1;
                    }
                    // A kind from a newer app: kept, applied after an upgrade (DESIGN rule 9).
                    Err(_) => {
                        let w = &pulled.op;
                        tx.execute(
                            "INSERT OR IGNORE INTO ops (id, device, device_seq, hlc_ms, hlc_counter, version, kind, payload, applied, server_seq)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, ?9)",
                            rusqlite::params![
                                &id,
                                w.device.to_string(),
                                w.device_seq,
                                w.hlc.ms,
                                w.hlc.counter,
                                w.version,
                                &w.kind,
                                w.payload.get(),
                                pulled.server_seq
                            ],
                        )?;
                        clock.merge(w.hlc);
                    }
                }
            }
            clock.save(tx)?;
            if own_max.is_some() {
                oplog::own_counters_forward(tx)?;
            }
            tx.execute("UPDATE sync_state SET pull_after = ?1", [page.next_after])?;
            Ok(applied)
        })
    }

    fn note_sync(&mut self, outcome: std::result::Result<(), String>) -> Result<()> {
        let now = self.now_ms();
        match outcome {
            Ok(()) => self.conn().execute("UPDATE sync_state SET last_attempt_ms = ?1, last_success_ms = ?1, last_error = NULL", [now])?,
            Err(e) => self.conn().execute("UPDATE sync_state SET last_attempt_ms = ?1, last_error = ?2", (now, e))?,
        };
        Ok(())
    }

    /// Kept operations of kinds this build did not know when they arrived,
    /// applied now if it knows them (after an upgrade).
    pub fn apply_kept_ops(&mut self) -> Result<usize> {
        self.write(|tx| {
            let mut stmt = tx.prepare(
                "SELECT id, device, device_seq, hlc_ms, hlc_counter, version, kind, payload FROM ops
                 WHERE applied = 0 AND refused_reason IS NULL ORDER BY seq",
            )?;
            let rows: Vec<Result<WireOp>> = stmt.query_map([], wire_from_row)?.collect::<rusqlite::Result<_>>()?;
            let mut applied = 0;
            for wire in rows {
                if let Ok(op) = wire?.to_op() {
                    crate::apply::apply(tx, &op)?;
                    tx.execute("UPDATE ops SET applied = 1 WHERE id = ?1", [op.id.to_string()])?;
                    applied += 1;
                }
            }
            Ok(applied)
        })
    }
}

/// For each of this device's own operations a page names, in order,
/// whether it already knows its server place; `None` when one is not held
/// under its number with its id (then the page is refused).
/// One range read over `(device, device_seq)` for the page, not two
/// lookups per operation: a device's numbers come back in order, so the
/// range is the page's own operations and little else; what is kept of it
/// is only what the page names.
fn own_held(tx: &Tx<'_>, own: &[wildroot_model::sync::OwnOp]) -> Result<Option<Vec<bool>>> {
    let wanted: std::collections::HashSet<i64> = own.iter().map(|o| o.device_seq).collect();
    let (Some(low), Some(high)) = (wanted.iter().min(), wanted.iter().max()) else {
        return Ok(Some(Vec::new()));
    };
    let mut range =
        tx.prepare_cached("SELECT device_seq, id, server_seq IS NOT NULL FROM ops WHERE device = ?1 AND device_seq BETWEEN ?2 AND ?3")?;
    let mut rows = range.query((tx.device().to_string(), low, high))?;
    let mut held: std::collections::HashMap<i64, (String, bool)> = std::collections::HashMap::with_capacity(wanted.len());
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        if wanted.contains(&seq) {
            held.insert(seq, (row.get(1)?, row.get(2)?));
        }
    }
    Ok(own
        .iter()
        .map(|o| match held.get(&o.device_seq) {
            Some((id, placed)) if *id == o.id.to_string() => Some(*placed),
            _ => None,
        })
        .collect())
}

/// The id of the operation this device holds under its own number
/// `device_seq`: one indexed lookup, `(device, device_seq)` is unique.
fn own_id_at(tx: &Tx<'_>, device_seq: i64) -> Result<Option<String>> {
    let mut held = tx.prepare_cached("SELECT id FROM ops WHERE device = ?1 AND device_seq = ?2")?;
    Ok(held.query_row((tx.device().to_string(), device_seq), |r| r.get(0)).optional()?)
}

fn lock(store: &Mutex<Store>) -> Result<std::sync::MutexGuard<'_, Store>> {
    store.lock().map_err(|_| CoreError::Invalid("the local store is unavailable after an earlier failure: restart the app".into()))
}

/// What importing a file of another device's operations did.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportReport {
    /// Operations new here and applied.
    pub applied: usize,
    /// Operations left out, with the reason.
    pub refused: Vec<RefusedOp>,
}

/// Progress of a sync, for a bootstrap that pulls a long history.
#[derive(Clone, Debug)]
pub enum Progress {
    Pushed { total: usize },
    Pulled { total: usize, through: i64, more: bool },
}

/// How a device reaches the server: HTTP in the app, an in-process network
/// with injected faults in the simulation tests.
pub trait Transport: Sync {
    fn push(&self, device_token: &str, ops: Vec<WireOp>) -> impl std::future::Future<Output = Result<PushResponse>> + Send;
    fn pull(
        &self,
        device_token: &str,
        after: i64,
        limit: usize,
        own: OwnOps,
    ) -> impl std::future::Future<Output = Result<PullResponse>> + Send;
    /// The server's clock, UTC milliseconds.
    fn server_time_ms(&self) -> impl std::future::Future<Output = Result<i64>> + Send;
    /// Operations per push and per pull page: [`PAGE`] over HTTP; fewer in
    /// the simulation, so that a few operations already take many pages.
    fn page_size(&self) -> usize {
        PAGE
    }
}

impl Transport for SyncClient {
    async fn push(&self, device_token: &str, ops: Vec<WireOp>) -> Result<PushResponse> {
        SyncClient::push(self, device_token, ops).await
    }

    async fn pull(&self, device_token: &str, after: i64, limit: usize, own: OwnOps) -> Result<PullResponse> {
        SyncClient::pull_with(self, device_token, after, limit, own).await
    }

    async fn server_time_ms(&self) -> Result<i64> {
        SyncClient::server_time_ms(self).await
    }
}

/// Where the server's own Shopify import stands, asked with this device's token.
pub async fn server_shopify_status(store: &Mutex<Store>) -> Result<ServerShopifyStatus> {
    let cfg = lock(store)?.sync_config()?.ok_or(CoreError::NotConnected)?;
    SyncClient::new(&cfg.server_url)?.shopify_status(&cfg.device_token).await
}

/// One full sync over HTTP: push everything pending, then pull everything new.
pub async fn sync_once(store: &Mutex<Store>, progress: &mut (dyn FnMut(Progress) + Send)) -> Result<SyncReport> {
    let cfg = lock(store)?.sync_config()?.ok_or(CoreError::NotConnected)?;
    let client = SyncClient::new(&cfg.server_url)?;
    sync_with(store, &client, progress).await
}

/// One full sync over any transport, with the outcome noted for the status.
pub async fn sync_with<T: Transport>(
    store: &Mutex<Store>,
    transport: &T,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<SyncReport> {
    let cfg = lock(store)?.sync_config()?.ok_or(CoreError::NotConnected)?;
    if cfg.device_token.is_empty() {
        return Err(CoreError::Invalid(format!(
            "this device holds no sign-in it can open (a backup or a copied database keeps none): sign in to {} again as {}",
            cfg.server_url, cfg.user_email
        )));
    }
    let result = run(store, transport, &cfg.device_token, progress).await;
    lock(store)?.note_sync(result.as_ref().map(|_| ()).map_err(|e| e.to_string()))?;
    result
}

async fn run<T: Transport>(
    store: &Mutex<Store>,
    client: &T,
    token: &str,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    'sync: loop {
        push_all(store, client, token, &mut report, progress).await?;
        let after = lock(store)?.pull_cursor()?;
        let mut fetched = client.pull(token, after, client.page_size(), OwnOps::Brief).await?;
        loop {
            let page = fetched;
            if lock(store)?.server_went_back(page.epoch.as_deref())? {
                // Once: a second change of epoch within one sync is a server
                // being restored again right now; the next sync sees to it.
                if report.server_restored {
                    return Err(CoreError::Server {
                        status: 200,
                        code: "server_restored".into(),
                        message: "the server was restored again during this sync: sync once more".into(),
                        retryable: true,
                    });
                }
                report.server_restored = true;
                continue 'sync;
            }
            report.pulled += page.len();
            if !page.more || page.is_empty() {
                report.applied += apply_page(store, client, token, &page).await?;
                progress(Progress::Pulled { total: report.pulled, through: page.next_after, more: false });
                break 'sync;
            }
            // The next page is asked for before this one is applied, so the
            // server reads and sends it meanwhile (the request is on its way
            // at the first poll, which `join!` gives it first). Its place is
            // this page's end: were this page not applied, the next one
            // would not answer the cursor and `apply_pulled` would refuse it.
            let (next, applied) = tokio::join!(
                client.pull(token, page.next_after, client.page_size(), OwnOps::Brief),
                apply_page(store, client, token, &page)
            );
            report.applied += applied?;
            progress(Progress::Pulled { total: report.pulled, through: page.next_after, more: true });
            fetched = next?;
        }
    }
    Ok(report)
}

/// Applies a page. One that names an operation of this device's that it
/// does not hold (it was restored from an old backup, or the page was
/// meant for another device) is asked for again with every operation in
/// full, exactly as many, so it ends where the brief page did and the page
/// fetched ahead still answers it; `apply_pulled` then brings them back.
async fn apply_page<T: Transport>(store: &Mutex<Store>, client: &T, token: &str, page: &PullResponse) -> Result<usize> {
    let applied = lock(store)?.apply_pulled(page);
    match applied {
        Err(CoreError::Server { code, .. }) if code == OWN_NOT_HELD => {
            let full = client.pull(token, page.after, page.len(), OwnOps::Full).await?;
            if full.epoch != page.epoch || full.next_after != page.next_after {
                return Err(CoreError::Server {
                    status: 200,
                    code: "stale_page".into(),
                    message: "the server's log changed while this device was catching up: sync once more".into(),
                    retryable: true,
                });
            }
            lock(store)?.apply_pulled(&full)
        }
        other => other,
    }
}

/// The code of `apply_pulled`'s refusal of a page that names an operation
/// of this device's it does not hold.
const OWN_NOT_HELD: &str = "own_not_held";

/// Pushes every pending operation of this device, page by page.
///
/// Pages go one after another (the server takes a device's operations in
/// its order only), but the device's own work overlaps the server's: while
/// a page is on its way, the answer to the one before is recorded and the
/// next page is read. That holds only after a clean answer (everything
/// taken, nothing refused, the same log): anything else is recorded first
/// and the next page read again from what is then pending, as if in turn.
async fn push_all<T: Transport>(
    store: &Mutex<Store>,
    client: &T,
    token: &str,
    report: &mut SyncReport,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<()> {
    let page = client.page_size();
    let mut last_expected = None;
    let mut known_epoch = lock(store)?.known_epoch()?;
    // A clean answer taken but not yet written down here.
    let mut unrecorded: Option<PushResponse> = None;
    let mut ops = lock(store)?.pending_ops(page)?;
    while !ops.is_empty() {
        let sent = ops.len();
        let last_seq = ops.last().map(|o| o.device_seq).unwrap_or(i64::MIN);
        // The request is on its way at the first poll (`join!` polls it
        // first); the store's share runs meanwhile.
        let (answer, ahead) = tokio::join!(client.push(token, ops), async {
            if let Some(before) = unrecorded.take() {
                lock(store)?.record_push(&before)?;
            }
            lock(store)?.pending_ops_after(last_seq, page)
        });
        let ahead = ahead?;
        let resp = match answer {
            // Stamped while this device's clock was set ahead: if the clock
            // is right now, what was never pushed is stamped again from now.
            Err(CoreError::Server { code, .. }) if code == "clock_ahead" && !report.clock_recovered => {
                report.clock_recovered = true;
                let server_now = client.server_time_ms().await?;
                if lock(store)?.recover_clock(server_now)? > 0 {
                    ops = lock(store)?.pending_ops(page)?;
                    continue;
                }
                return Err(CoreError::Server {
                    status: 409,
                    code,
                    message: "this device's clock is ahead of the server's: set the date and time on the device".into(),
                    retryable: true,
                });
            }
            other => other?,
        };
        let clean = resp.acked.len() == sent
            && resp.refused.is_empty()
            && resp.expected_seq.is_none()
            && resp.epoch.is_some()
            && resp.epoch == known_epoch;
        if clean {
            report.pushed += sent;
            last_expected = None;
            progress(Progress::Pushed { total: report.pushed });
            unrecorded = Some(resp);
            ops = ahead;
            continue;
        }
        report.refused.extend(lock(store)?.record_push(&resp)?);
        report.pushed += resp.acked.len();
        // What `server_went_back` records, kept here for the next clean check.
        if resp.epoch.is_some() {
            known_epoch = resp.epoch.clone();
        }
        if lock(store)?.server_went_back(resp.epoch.as_deref())? {
            // Everything of this device's goes again, then a pull from 0.
            report.server_restored = true;
            last_expected = None;
            ops = lock(store)?.pending_ops(page)?;
            continue;
        }
        // The same number asked for twice with nothing taken: the device
        // cannot give it; say so rather than ask forever.
        if resp.acked.is_empty() && resp.refused.is_empty() && resp.expected_seq.is_some() && resp.expected_seq == last_expected {
            return Err(CoreError::Server {
                status: 200,
                code: "no_progress".into(),
                message: format!("the server keeps asking for this device's operation {:?}", resp.expected_seq),
                retryable: true,
            });
        }
        last_expected = resp.expected_seq;
        progress(Progress::Pushed { total: report.pushed });
        if resp.acked.len() + resp.refused.len() < sent && resp.expected_seq.is_none() {
            return Err(CoreError::Server {
                status: 200,
                code: "no_progress".into(),
                message: "the server took only part of the push without saying why".into(),
                retryable: true,
            });
        }
        ops = lock(store)?.pending_ops(page)?;
    }
    if let Some(last) = unrecorded {
        lock(store)?.record_push(&last)?;
    }
    Ok(())
}

/// Logs this device in: a login token, then a device token kept in the
/// store. Returns the role the server gave.
pub async fn login(store: &Mutex<Store>, server_url: &str, email: &str, password: &str, device_name: &str) -> Result<Role> {
    let client = SyncClient::new(server_url)?;
    let session = client.login(email, password).await?;
    let device = lock(store)?.device();
    let reg = client.register_device(&session.token, device, device_name).await?;
    lock(store)?.connect(&SyncConfig {
        server_url: client.server_url().to_string(),
        device_token: reg.device_token,
        device_name: device_name.to_string(),
        user_email: email.trim().to_string(),
        role: reg.role,
    })?;
    Ok(reg.role)
}

/// The background sync of the app: every `interval`, right after a local
/// change ([`SyncLoop::sync_now`]), and after failures with exponential
/// backoff and jitter. Stops cleanly.
pub struct SyncLoop {
    wake: Arc<tokio::sync::Notify>,
    busy: Arc<std::sync::atomic::AtomicBool>,
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl SyncLoop {
    pub fn spawn(store: Arc<Mutex<Store>>, interval: Duration, max_backoff: Duration) -> SyncLoop {
        let wake = Arc::new(tokio::sync::Notify::new());
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let woken = wake.clone();
        let busy = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let in_flight = busy.clone();
        let task = tokio::spawn(async move {
            let mut failures: u32 = 0;
            loop {
                let connected = lock(&store).ok().and_then(|s| s.sync_config().ok().flatten()).is_some();
                let wait = if !connected {
                    interval
                } else {
                    in_flight.store(true, std::sync::atomic::Ordering::Relaxed);
                    let outcome = sync_once(&store, &mut |_| {}).await;
                    in_flight.store(false, std::sync::atomic::Ordering::Relaxed);
                    match outcome {
                        Ok(_) => {
                            failures = 0;
                            interval
                        }
                        Err(_) => {
                            failures = failures.saturating_add(1);
                            backoff(failures, interval, max_backoff)
                        }
                    }
                };
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = woken.notified() => {}
                    _ = stopped.changed() => break,
                }
                if *stopped.borrow() {
                    break;
                }
            }
        });
        SyncLoop { wake, busy, stop, task }
    }

    /// Whether a sync is talking to the server right now, for a "syncing" status.
    pub fn is_syncing(&self) -> bool {
        self.busy.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sync as soon as possible (after a sale, say).
    pub fn sync_now(&self) {
        self.wake.notify_one();
    }

    /// Stops the loop, waiting for a sync in flight to finish.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// `base × 2^(failures−1)`, capped, plus up to half again of jitter so
/// devices that lost the network together do not come back together.
pub fn backoff(failures: u32, base: Duration, max: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << failures.saturating_sub(1).min(16)).min(max);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let jitter = exp.mul_f64(f64::from(nanos % 1000) / 2000.0);
    exp + jitter
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pulled page commits without waiting for the disk; whatever the
    /// page did, what the device records next commits at `FULL` again.
    #[test]
    fn after_a_pulled_page_the_store_is_durable_again() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| CoreError::Invalid(e.to_string()))?;
        let mut store = Store::open(&dir.path().join("device.db"))?;
        let level = |s: &Store| -> Result<i64> { Ok(s.conn().query_row("PRAGMA synchronous", [], |r| r.get(0))?) };
        assert_eq!(level(&store)?, 2, "FULL is 2");
        // A page for another cursor is refused, a right one applied.
        assert!(store.apply_pulled(&PullResponse::new(7, Vec::new(), 7, false)).is_err());
        assert_eq!(level(&store)?, 2);
        assert_eq!(store.apply_pulled(&PullResponse::new(0, Vec::new(), 0, false))?, 0);
        assert_eq!(level(&store)?, 2);
        Ok(())
    }

    /// A page naming this device's own operations is taken only when each
    /// is held under its number with its id; then each learns its place
    /// (kept if the push's answer already gave it). Anything else refuses
    /// the whole page and changes nothing.
    #[test]
    fn own_operations_named_on_a_page_are_checked_against_what_the_device_holds() -> Result<()> {
        use wildroot_model::sync::{Ack, OwnOp, PushResponse};
        let mut store = Store::open_in_memory()?;
        store.add_product(crate::product::NewProduct { sku: "SALVE".into(), name: "Salve".into(), ..Default::default() })?;
        store.adjust_product("SALVE", 5, "batch")?;
        let mine = store.pending_ops(10)?;
        assert_eq!(mine.len(), 2);
        // The push's answer placed the first; the second's answer was lost.
        store.record_push(&PushResponse {
            acked: vec![Ack { id: mine[0].id, server_seq: 1 }],
            refused: Vec::new(),
            expected_seq: None,
            epoch: None,
        })?;
        let named = |o: &WireOp, server_seq| OwnOp { server_seq, id: o.id, device_seq: o.device_seq };
        let page = |own: Vec<OwnOp>, device| PullResponse { own, own_device: Some(device), ..PullResponse::new(0, Vec::new(), 2, false) };
        let places = |s: &Store| -> Result<Vec<Option<i64>>> {
            Ok(s.conn()
                .prepare("SELECT server_seq FROM ops ORDER BY device_seq")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?)
        };
        let refused = |r: Result<usize>| matches!(r, Err(CoreError::Server { code, .. }) if code == OWN_NOT_HELD);
        let me = store.device();

        // Another id under its number, a number it does not hold, another device's page.
        let mut wrong = named(&mine[1], 2);
        wrong.id = mine[0].id;
        assert!(refused(store.apply_pulled(&page(vec![named(&mine[0], 1), wrong], me))));
        let mut missing = named(&mine[1], 2);
        missing.device_seq += 10;
        assert!(refused(store.apply_pulled(&page(vec![named(&mine[0], 1), missing], me))));
        assert!(refused(store.apply_pulled(&page(vec![named(&mine[0], 1), named(&mine[1], 2)], wildroot_model::ids::DeviceId::new()))));
        assert_eq!(places(&store)?, vec![Some(1), None], "a refused page changes nothing");
        assert_eq!(store.conn().query_row("SELECT pull_after FROM sync_state", [], |r| r.get::<_, i64>(0)).optional()?.unwrap_or(0), 0);

        // Held, in order: the lost answer's place is learned, the known one kept.
        assert_eq!(store.apply_pulled(&page(vec![named(&mine[0], 1), named(&mine[1], 2)], me))?, 0);
        assert_eq!(places(&store)?, vec![Some(1), Some(2)]);
        Ok(())
    }

    #[test]
    fn a_sign_in_kept_in_the_clear_by_an_older_build_is_sealed_at_open() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| CoreError::Invalid(e.to_string()))?;
        let db = dir.path().join("booth.db");
        let url = "http://127.0.0.1:1";
        Store::open(&db)?.conn().execute(
            "INSERT INTO sync_state (singleton, server_url, device_token, device_name, user_email, role)
             VALUES (1, ?1, 'plain-token-of-an-older-build', 'Booth', 'v@shop.test', 'vendor')",
            [url],
        )?;
        let store = Store::open(&db)?;
        let stored: String = store.conn().query_row("SELECT device_token FROM sync_state", [], |r| r.get(0))?;
        assert!(stored.starts_with(SEALED_TEXT), "{stored}");
        assert_eq!(store.sync_config()?.map(|c| c.device_token).as_deref(), Some("plain-token-of-an-older-build"));
        // Bound to its server: the same text under another address opens to nothing.
        assert_eq!(store.open_device_token("http://127.0.0.1:2", &stored), "");
        Ok(())
    }

    #[test]
    fn backoff_grows_and_caps() {
        let b = Duration::from_secs(1);
        let max = Duration::from_secs(60);
        assert!(backoff(1, b, max) >= b && backoff(1, b, max) <= b.mul_f64(1.5));
        assert!(backoff(3, b, max) >= Duration::from_secs(4));
        assert!(backoff(30, b, max) <= max.mul_f64(1.5));
    }

    #[test]
    fn server_addresses_are_checked() {
        assert!(SyncClient::new("ftp://x").is_err());
        assert!(SyncClient::new("localhost:8080").is_err());
        assert!(SyncClient::new("http://127.0.0.1:8080/").is_ok_and(|c| c.server_url() == "http://127.0.0.1:8080"));
    }
}
