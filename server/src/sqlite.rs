//! The SQLite backend: one file, no other process. rusqlite is blocking, so
//! every call runs on tokio's blocking pool behind one connection.
use crate::storage::*;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use rusqlite_migration::{Migrations, M};
use std::path::Path;
use std::sync::{Arc, Mutex};
use wildroot_model::sync::{Ack, DeviceInfo, PullResponse, PulledOp, PushResponse, Refusal, Role, UserInfo, WireOp};
use wildroot_model::{DeviceId, Hlc};

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(include_str!("../migrations/0001_server.sql"))])
}

#[derive(Clone)]
pub struct SqliteStorage {
    conn: Arc<Mutex<Connection>>,
}

/// Puts a `server backup` copy in place of the database at `db`, which
/// must not be open (the server stopped); checks the copy first and keeps
/// the replaced database beside it (returned). The caller gives the log a
/// new epoch (`crate::new_epoch`) once it is in place.
pub fn restore_file(db: &Path, backup: &Path) -> StorageResult<Option<std::path::PathBuf>> {
    let fail = |m: String| StorageError::Config(m);
    if !backup.is_file() {
        return Err(fail(format!("there is no backup file at {}", backup.display())));
    }
    if Path::new(&format!("{}-shm", db.display())).exists() {
        return Err(fail(format!(
            "{} is open (its -shm file is there): stop the server first (if it is stopped, it did not shut down cleanly: start and stop it once)",
            db.display()
        )));
    }
    let header = std::fs::read(backup).map_err(|e| fail(format!("cannot read {}: {e}", backup.display())))?;
    if !header.starts_with(b"SQLite format 3\0") {
        return Err(fail(format!("{} is not a server backup (not an SQLite database)", backup.display())));
    }
    let staged = db.with_extension("restoring");
    let _ = std::fs::remove_file(&staged);
    std::fs::copy(backup, &staged).map_err(|e| fail(format!("cannot copy {}: {e}", backup.display())))?;
    let check: String = Connection::open(&staged)?.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        let _ = std::fs::remove_file(&staged);
        return Err(fail(format!("{} is damaged ({check}): nothing was restored", backup.display())));
    }
    let kept = if db.exists() {
        let kept = db.with_extension(format!("before-restore-{}.db", chrono::Utc::now().format("%Y%m%d-%H%M%S")));
        std::fs::rename(db, &kept).map_err(|e| fail(format!("cannot move {} aside: {e}", db.display())))?;
        let _ = std::fs::remove_file(format!("{}-wal", db.display()));
        Some(kept)
    } else {
        None
    };
    std::fs::rename(&staged, db).map_err(|e| fail(format!("cannot move the backup into place: {e}")))?;
    Ok(kept)
}

impl SqliteStorage {
    pub fn open(path: &Path) -> StorageResult<SqliteStorage> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| StorageError::Backend(format!("cannot create {}: {e}", dir.display())))?;
            }
        }
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        migrations().to_latest(&mut conn)?;
        Ok(SqliteStorage { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Writes a consistent copy of the server's database to `path` (which
    /// must not exist) while the server keeps running; checks the copy.
    pub async fn backup_to(&self, path: &Path) -> StorageResult<()> {
        if path.exists() {
            return Err(StorageError::Config(format!("{} already exists: choose a new backup file name", path.display())));
        }
        let path = path.to_path_buf();
        self.with(move |c| {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| StorageError::Config(format!("cannot create {}: {e}", dir.display())))?;
            }
            let mut target = Connection::open(&path)?;
            rusqlite::backup::Backup::new(c, &mut target)?.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
            let check: String = target.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            if check != "ok" {
                drop(target);
                let _ = std::fs::remove_file(&path);
                return Err(StorageError::Backend(format!("the backup failed its integrity check ({check}); nothing was kept")));
            }
            // A copy is a point the log may go back to: it gets an epoch of
            // its own, so devices notice when it is put back.
            let epoch = crate::auth::random_hex(16).map_err(StorageError::Backend)?;
            target.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (crate::EPOCH_KEY, &epoch),
            )?;
            Ok(())
        })
        .await
    }

    async fn with<T: Send + 'static>(&self, f: impl FnOnce(&mut Connection) -> StorageResult<T> + Send + 'static) -> StorageResult<T> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock poisons it; the connection itself is still sound.
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StorageError::Backend(format!("storage task failed: {e}")))?
    }
}

fn role(s: &str) -> StorageResult<Role> {
    Role::parse(s).ok_or_else(|| StorageError::Backend(format!("unknown role '{s}' in the database")))
}

fn device_id(s: &str) -> StorageResult<DeviceId> {
    s.parse().map_err(|_| StorageError::Backend(format!("bad device id '{s}' in the database")))
}

impl Storage for SqliteStorage {
    async fn get_setting(&self, key: &str) -> StorageResult<Option<String>> {
        let key = key.to_string();
        self.with(move |c| Ok(c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)).await
    }

    async fn set_setting(&self, key: &str, value: &str) -> StorageResult<()> {
        let (key, value) = (key.to_string(), value.to_string());
        self.with(move |c| {
            c.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )?;
            Ok(())
        })
        .await
    }

    async fn add_user(&self, email: &str, password_hash: &str, role: Role) -> StorageResult<()> {
        let (email, hash) = (email.to_string(), password_hash.to_string());
        self.with(move |c| {
            let now = chrono::Utc::now().timestamp_millis();
            match c.execute(
                "INSERT INTO users (email, password_hash, role, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
                (&email, hash, role.as_str(), now),
            ) {
                Ok(_) => Ok(()),
                Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                    Err(StorageError::Conflict(format!("a user with the email {email} already exists")))
                }
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    async fn user_by_email(&self, email: &str) -> StorageResult<Option<UserRecord>> {
        let email = email.trim().to_string();
        self.with(move |c| {
            let row: Option<(i64, String, String, String)> = c
                .query_row("SELECT id, email, password_hash, role FROM users WHERE email = ?1", [email], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?;
            row.map(|(id, email, password_hash, r)| Ok(UserRecord { id, email, password_hash, role: role(&r)? })).transpose()
        })
        .await
    }

    async fn user_count(&self) -> StorageResult<i64> {
        self.with(|c| Ok(c.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?)).await
    }

    async fn list_users(&self) -> StorageResult<Vec<UserInfo>> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT u.email, u.role, u.created_at_ms,
                        (SELECT COUNT(*) FROM devices d WHERE d.user_id = u.id AND d.revoked = 0)
                 FROM users u ORDER BY u.created_at_ms, u.id",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?)))?;
            rows.map(|row| {
                let (email, r, created_at_ms, devices) = row?;
                Ok(UserInfo { email, role: role(&r)?, created_at_ms, devices })
            })
            .collect()
        })
        .await
    }

    async fn register_device(&self, device: DeviceId, user_id: i64, name: &str, token_hash: &str) -> StorageResult<()> {
        let (name, hash) = (name.to_string(), token_hash.to_string());
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let owner: Option<(i64, bool)> = tx
                .query_row("SELECT user_id, revoked FROM devices WHERE id = ?1", [device.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if check_registration(device, owner, user_id)? {
                tx.execute("UPDATE devices SET token_hash = ?1, name = ?2 WHERE id = ?3", (&hash, &name, device.to_string()))?;
            } else {
                tx.execute(
                    "INSERT INTO devices (id, user_id, name, token_hash, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                    (device.to_string(), user_id, &name, &hash, chrono::Utc::now().timestamp_millis()),
                )?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn device_by_token(&self, token_hash: &str, now_ms: i64) -> StorageResult<Option<DeviceAuth>> {
        let hash = token_hash.to_string();
        self.with(move |c| {
            let row: Option<(String, String, String, bool)> = c
                .query_row(
                    "SELECT d.id, u.email, u.role, d.revoked FROM devices d JOIN users u ON u.id = d.user_id WHERE d.token_hash = ?1",
                    [&hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((id, email, r, revoked)) = row else { return Ok(None) };
            if !revoked {
                c.execute("UPDATE devices SET last_seen_ms = ?1 WHERE id = ?2", (now_ms, &id))?;
            }
            Ok(Some(DeviceAuth { device_id: device_id(&id)?, user_email: email, role: role(&r)?, revoked }))
        })
        .await
    }

    async fn list_devices(&self) -> StorageResult<Vec<DeviceInfo>> {
        self.with(|c| {
            let mut stmt = c.prepare(
                "SELECT d.id, d.name, u.email, u.role, d.revoked, d.last_seen_ms FROM devices d JOIN users u ON u.id = d.user_id
                 ORDER BY d.created_at_ms",
            )?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?, r.get(4)?, r.get(5)?)))?;
            rows.map(|row| {
                let (id, name, user_email, r, revoked, last_seen_ms) = row?;
                Ok(DeviceInfo { device_id: device_id(&id)?, name, user_email, role: role(&r)?, revoked, last_seen_ms })
            })
            .collect()
        })
        .await
    }

    async fn revoke_device(&self, device: &str) -> StorageResult<DeviceId> {
        let key = device.trim().to_ascii_lowercase();
        self.with(move |c| {
            let mut stmt = c.prepare("SELECT id FROM devices WHERE id LIKE ?1 || '%'")?;
            let ids: Vec<String> = stmt.query_map([&key], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            match ids.as_slice() {
                [] => Err(StorageError::NotFound(format!("no device '{key}': see `wildroot server devices`"))),
                [id] => {
                    c.execute("UPDATE devices SET revoked = 1 WHERE id = ?1", [id])?;
                    device_id(id)
                }
                _ => Err(StorageError::Conflict(format!("'{key}' matches {} devices: give more of the id", ids.len()))),
            }
        })
        .await
    }

    async fn push_with_settings(
        &self,
        device: DeviceId,
        ops: Vec<Judged>,
        now_ms: i64,
        settings: Vec<(String, String)>,
    ) -> StorageResult<PushResponse> {
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let dev = device.to_string();
            let last_seq: i64 = tx.query_row("SELECT last_seq FROM devices WHERE id = ?1", [&dev], |r| r.get(0))?;
            let plan = PushPlan::new(last_seq, ops);
            let mut out = PushResponse { acked: Vec::new(), refused: Vec::new(), expected_seq: None, epoch: None };
            let mut taken = false;
            for op in &plan.repeats {
                let id = op.id.to_string();
                if let Some(seq) =
                    tx.prepare_cached("SELECT server_seq FROM ops WHERE id = ?1")?.query_row([&id], |r| r.get(0)).optional()?
                {
                    out.acked.push(Ack { id: op.id, server_seq: seq });
                } else if let Some(reason) = tx.query_row("SELECT reason FROM refusals WHERE id = ?1", [&id], |r| r.get(0)).optional()? {
                    out.refused.push(Refusal { id: op.id, reason });
                } else {
                    taken = true;
                }
            }
            for op in &plan.store {
                let id = op.id.to_string();
                let inserted = tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO ops (id, device, device_seq, hlc_ms, hlc_counter, version, kind, payload, received_ms)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    )?
                    .execute(rusqlite::params![
                        &id,
                        &dev,
                        op.device_seq,
                        op.hlc.ms,
                        op.hlc.counter,
                        op.version,
                        &op.kind,
                        op.payload.get(),
                        now_ms
                    ])?;
                // An id stored already (a Shopify order recorded by another
                // path) is the same operation, answered with the number it has.
                let seq: i64 = if inserted == 1 {
                    tx.last_insert_rowid()
                } else {
                    tx.query_row("SELECT server_seq FROM ops WHERE id = ?1", [&id], |r| r.get(0))?
                };
                out.acked.push(Ack { id: op.id, server_seq: seq });
            }
            for (op, reason) in &plan.refuse {
                tx.execute(
                    "INSERT OR IGNORE INTO refusals (id, device, device_seq, reason) VALUES (?1, ?2, ?3, ?4)",
                    (op.id.to_string(), &dev, op.device_seq, reason),
                )?;
                out.refused.push(Refusal { id: op.id, reason: reason.clone() });
            }
            tx.execute("UPDATE devices SET last_seq = ?1 WHERE id = ?2", (plan.last_seq, &dev))?;
            plan.conclude(&mut out, taken);
            if PushPlan::settings_go_with(&out) {
                for (key, value) in &settings {
                    tx.execute(
                        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (key, value),
                    )?;
                }
            }
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    async fn pull(&self, after: i64, limit: usize) -> StorageResult<PullResponse> {
        self.with(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT server_seq, id, device, device_seq, hlc_ms, hlc_counter, version, kind, payload
                 FROM ops WHERE server_seq > ?1 ORDER BY server_seq LIMIT ?2",
            )?;
            // One more than asked tells whether another page waits, even when
            // the total is an exact multiple of the page size.
            let rows = stmt.query_map((after, limit as i64 + 1), |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, u32>(5)?,
                    r.get::<_, u32>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                ))
            })?;
            let mut ops = Vec::new();
            for row in rows {
                let (server_seq, id, device, device_seq, ms, counter, version, kind, payload) = row?;
                ops.push(PulledOp {
                    server_seq,
                    op: WireOp {
                        id: id.parse().map_err(|_| StorageError::Backend(format!("bad op id '{id}'")))?,
                        device: device_id(&device)?,
                        device_seq,
                        hlc: Hlc { ms, counter },
                        version,
                        kind,
                        payload: serde_json::value::RawValue::from_string(payload)
                            .map_err(|e| StorageError::Backend(format!("stored payload of {id}: {e}")))?,
                    },
                });
            }
            let more = ops.len() > limit;
            ops.truncate(limit);
            let next_after = ops.last().map(|o| o.server_seq).unwrap_or(after);
            Ok(PullResponse::new(after, ops, next_after, more))
        })
        .await
    }

    async fn op_count(&self) -> StorageResult<i64> {
        self.with(|c| Ok(c.query_row("SELECT COUNT(*) FROM ops", [], |r| r.get(0))?)).await
    }
}
