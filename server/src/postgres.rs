//! The PostgreSQL backend, for a business with many devices or a managed
//! database. Same contract and same test suite as the SQLite backend.
use crate::storage::*;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::collections::HashMap;
use std::path::Path;
use tokio_postgres::config::SslMode;
use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;
use wildroot_model::sync::{Ack, DeviceInfo, PullResponse, PulledOp, PushResponse, Refusal, Role, UserInfo, WireOp};
use wildroot_model::{DeviceId, Hlc};

/// Numbered migrations, applied in order, each once.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/postgres/0001_server.sql")];

#[derive(Clone)]
pub struct PgStorage {
    pool: Pool,
}

impl From<tokio_postgres::Error> for StorageError {
    fn from(e: tokio_postgres::Error) -> Self {
        StorageError::Backend(e.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for StorageError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        // The cause (a refused certificate, a wrong password) is deep in the chain.
        let mut message = format!("no database connection: {e}");
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            message.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        StorageError::Backend(message)
    }
}

fn role(s: &str) -> StorageResult<Role> {
    Role::parse(s).ok_or_else(|| StorageError::Backend(format!("unknown role '{s}' in the database")))
}

fn device_id(s: &str) -> StorageResult<DeviceId> {
    s.parse().map_err(|_| StorageError::Backend(format!("bad device id '{s}' in the database")))
}

/// A TLS connector that verifies the server's certificate against Mozilla's
/// roots and, if given, the PEM certificates in `extra_ca` (a managed
/// database's own CA).
fn tls(extra_ca: Option<&Path>) -> StorageResult<tokio_postgres_rustls::MakeRustlsConnect> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = extra_ca {
        let certs = rustls::pki_types::CertificateDer::pem_file_iter(path)
            .map_err(|e| StorageError::Config(format!("cannot read the database CA file {}: {e}", path.display())))?;
        for cert in certs {
            let cert = cert.map_err(|e| StorageError::Config(format!("the database CA file {} is not PEM: {e}", path.display())))?;
            roots
                .add(cert)
                .map_err(|e| StorageError::Config(format!("the database CA file {} holds a bad certificate: {e}", path.display())))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| StorageError::Config(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// Restores a `pg_dump -Fc` file into the database at `url` with
/// pg_restore (every table of the dump replaced, in one transaction). The
/// server must be stopped; the caller gives the log a new epoch after.
pub fn restore_dump(url: &str, dump: &std::path::Path) -> StorageResult<()> {
    if !dump.is_file() {
        return Err(StorageError::Config(format!("there is no backup file at {}", dump.display())));
    }
    let out = std::process::Command::new("pg_restore")
        .args(["--clean", "--if-exists", "--no-owner", "--single-transaction", "-d"])
        .arg(url)
        .arg(dump)
        .output()
        .map_err(|e| StorageError::Config(format!("cannot run pg_restore (install PostgreSQL's client tools): {e}")))?;
    if !out.status.success() {
        return Err(StorageError::Config(format!(
            "pg_restore could not restore {}: {}",
            dump.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

impl PgStorage {
    /// Connects to `url` (`postgres://user:password@host/db`) and migrates.
    /// With `?sslmode=require` the connection is TLS and the server's
    /// certificate is verified (stricter than libpq's `require`): against
    /// Mozilla's roots, plus the CA file in `WILDROOT_DATABASE_CA` if set.
    pub async fn connect(url: &str) -> StorageResult<PgStorage> {
        let ca = std::env::var_os("WILDROOT_DATABASE_CA").map(std::path::PathBuf::from);
        Self::connect_with_ca(url, ca.as_deref()).await
    }

    /// [`PgStorage::connect`] with the extra CA given explicitly.
    pub async fn connect_with_ca(url: &str, extra_ca: Option<&Path>) -> StorageResult<PgStorage> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| {
            StorageError::Config(format!("the database URL is not valid ({e}): type it like postgres://user:password@host/db"))
        })?;
        let mc = ManagerConfig { recycling_method: RecyclingMethod::Fast };
        let manager = if config.get_ssl_mode() == SslMode::Require {
            Manager::from_config(config, tls(extra_ca)?, mc)
        } else {
            Manager::from_config(config, NoTls, mc)
        };
        let pool = Pool::builder(manager).max_size(16).build().map_err(|e| StorageError::Backend(e.to_string()))?;
        let storage = PgStorage { pool };
        storage.migrate().await?;
        Ok(storage)
    }

    async fn migrate(&self) -> StorageResult<()> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // One migrator at a time, even with several servers starting together.
        tx.execute("SELECT pg_advisory_xact_lock(7361420)", &[]).await?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS wildroot_schema (version INTEGER NOT NULL)").await?;
        let done: i64 = tx.query_one("SELECT COUNT(*) FROM wildroot_schema", &[]).await?.get(0);
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(done as usize) {
            tx.batch_execute(sql).await?;
            tx.execute("INSERT INTO wildroot_schema (version) VALUES ($1)", &[&(i as i32 + 1)]).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

impl Storage for PgStorage {
    async fn get_setting(&self, key: &str) -> StorageResult<Option<String>> {
        let c = self.pool.get().await?;
        Ok(c.query_opt("SELECT value FROM settings WHERE key = $1", &[&key]).await?.map(|r| r.get(0)))
    }

    async fn set_setting(&self, key: &str, value: &str) -> StorageResult<()> {
        let c = self.pool.get().await?;
        c.execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &value],
        )
        .await?;
        Ok(())
    }

    async fn add_user(&self, email: &str, password_hash: &str, r: Role) -> StorageResult<()> {
        let c = self.pool.get().await?;
        let now = chrono::Utc::now().timestamp_millis();
        match c
            .execute(
                "INSERT INTO users (email, password_hash, role, created_at_ms) VALUES ($1, $2, $3, $4)",
                &[&email, &password_hash, &r.as_str(), &now],
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                Err(StorageError::Conflict(format!("a user with the email {email} already exists")))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn user_by_email(&self, email: &str) -> StorageResult<Option<UserRecord>> {
        let c = self.pool.get().await?;
        // Emails are stored and looked up in `model::email`'s normal form:
        // PostgreSQL's lower() folds Unicode, which no other path does.
        let row = c.query_opt("SELECT id, email, password_hash, role FROM users WHERE email = $1", &[&email.trim()]).await?;
        row.map(|r| Ok(UserRecord { id: r.get(0), email: r.get(1), password_hash: r.get(2), role: role(r.get(3))? })).transpose()
    }

    async fn user_count(&self) -> StorageResult<i64> {
        let c = self.pool.get().await?;
        Ok(c.query_one("SELECT COUNT(*) FROM users", &[]).await?.get(0))
    }

    async fn list_users(&self) -> StorageResult<Vec<UserInfo>> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                "SELECT u.email, u.role, u.created_at_ms,
                        (SELECT COUNT(*) FROM devices d WHERE d.user_id = u.id AND d.revoked = false)
                 FROM users u ORDER BY u.created_at_ms, u.id",
                &[],
            )
            .await?;
        rows.iter().map(|r| Ok(UserInfo { email: r.get(0), role: role(r.get(1))?, created_at_ms: r.get(2), devices: r.get(3) })).collect()
    }

    async fn register_device(&self, device: DeviceId, user_id: i64, name: &str, token_hash: &str) -> StorageResult<()> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await?;
        let id = device.to_string();
        let owner = tx.query_opt("SELECT user_id, revoked FROM devices WHERE id = $1 FOR UPDATE", &[&id]).await?;
        if check_registration(device, owner.map(|r| (r.get::<_, i64>(0), r.get::<_, bool>(1))), user_id)? {
            tx.execute("UPDATE devices SET token_hash = $1, name = $2 WHERE id = $3", &[&token_hash, &name, &id]).await?;
        } else {
            let now = chrono::Utc::now().timestamp_millis();
            tx.execute(
                "INSERT INTO devices (id, user_id, name, token_hash, created_at_ms) VALUES ($1, $2, $3, $4, $5)",
                &[&id, &user_id, &name, &token_hash, &now],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn device_by_token(&self, token_hash: &str, now_ms: i64) -> StorageResult<Option<DeviceAuth>> {
        let c = self.pool.get().await?;
        let row = c
            .query_opt(
                "SELECT d.id, u.email, u.role, d.revoked FROM devices d JOIN users u ON u.id = d.user_id WHERE d.token_hash = $1",
                &[&token_hash],
            )
            .await?;
        let Some(r) = row else { return Ok(None) };
        let (id, email, rl, revoked): (String, String, String, bool) = (r.get(0), r.get(1), r.get(2), r.get(3));
        if !revoked {
            c.execute("UPDATE devices SET last_seen_ms = $1 WHERE id = $2", &[&now_ms, &id]).await?;
        }
        Ok(Some(DeviceAuth { device_id: device_id(&id)?, user_email: email, role: role(&rl)?, revoked }))
    }

    async fn list_devices(&self) -> StorageResult<Vec<DeviceInfo>> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                "SELECT d.id, d.name, u.email, u.role, d.revoked, d.last_seen_ms FROM devices d JOIN users u ON u.id = d.user_id ORDER BY d.created_at_ms",
                &[],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(DeviceInfo {
                    device_id: device_id(r.get(0))?,
                    name: r.get(1),
                    user_email: r.get(2),
                    role: role(r.get(3))?,
                    revoked: r.get(4),
                    last_seen_ms: r.get(5),
                })
            })
            .collect()
    }

    async fn revoke_device(&self, device: &str) -> StorageResult<DeviceId> {
        let key = device.trim().to_ascii_lowercase();
        let c = self.pool.get().await?;
        let pattern = format!("{}%", key.replace(['%', '_'], ""));
        let rows = c.query("SELECT id FROM devices WHERE id LIKE $1", &[&pattern]).await?;
        match rows.as_slice() {
            [] => Err(StorageError::NotFound(format!("no device '{key}': see `wildroot server devices`"))),
            [r] => {
                let id: String = r.get(0);
                c.execute("UPDATE devices SET revoked = TRUE WHERE id = $1", &[&id]).await?;
                device_id(&id)
            }
            _ => Err(StorageError::Conflict(format!("'{key}' matches {} devices: give more of the id", rows.len()))),
        }
    }

    async fn push_with_settings(
        &self,
        device: DeviceId,
        ops: Vec<Judged>,
        now_ms: i64,
        settings: Vec<(String, String)>,
    ) -> StorageResult<PushResponse> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await?;
        let dev = device.to_string();
        // One push per device at a time: its sequence is checked and moved here.
        let last_seq: i64 = tx.query_one("SELECT last_seq FROM devices WHERE id = $1 FOR UPDATE", &[&dev]).await?.get(0);
        let plan = PushPlan::new(last_seq, ops);
        let mut out = PushResponse { acked: Vec::new(), refused: Vec::new(), expected_seq: None, epoch: None };
        let mut taken = false;
        for op in &plan.repeats {
            let id = op.id.to_string();
            if let Some(r) = tx.query_opt("SELECT server_seq FROM ops WHERE id = $1", &[&id]).await? {
                out.acked.push(Ack { id: op.id, server_seq: r.get(0) });
            } else if let Some(r) = tx.query_opt("SELECT reason FROM refusals WHERE id = $1", &[&id]).await? {
                out.refused.push(Refusal { id: op.id, reason: r.get(0) });
            } else {
                taken = true;
            }
        }
        for (op, reason) in &plan.refuse {
            tx.execute(
                "INSERT INTO refusals (id, device, device_seq, reason) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
                &[&op.id.to_string(), &dev, &op.device_seq, reason],
            )
            .await?;
            out.refused.push(Refusal { id: op.id, reason: reason.clone() });
        }
        // This device's row is locked: its new operations are stored together.
        let fresh = &plan.store;
        if !fresh.is_empty() {
            // An id can already be stored from another device: a Shopify order's
            // operation id is derived from the order, so the owner's import and
            // the server's webhook record the same one. It is the same
            // operation, answered with the number it has.
            let all_ids: Vec<String> = fresh.iter().map(|o| o.id.to_string()).collect();
            let mut numbered: HashMap<String, i64> = HashMap::new();
            for r in tx.query("SELECT id, server_seq FROM ops WHERE id = ANY($1)", &[&all_ids]).await? {
                numbered.insert(r.get(0), r.get(1));
            }
            let new: Vec<&WireOp> = fresh.iter().filter(|o| !numbered.contains_key(&o.id.to_string())).collect();
            if !new.is_empty() {
                // The counter row stays locked until commit: numbers follow commit order.
                let n = new.len() as i64;
                let end: i64 =
                    tx.query_one("UPDATE counters SET value = value + $1 WHERE name = 'server_seq' RETURNING value", &[&n]).await?.get(0);
                let seqs: Vec<i64> = (end - n + 1..=end).collect();
                let ids: Vec<String> = new.iter().map(|o| o.id.to_string()).collect();
                let devices: Vec<&str> = new.iter().map(|_| dev.as_str()).collect();
                let dseqs: Vec<i64> = new.iter().map(|o| o.device_seq).collect();
                let ms: Vec<i64> = new.iter().map(|o| o.hlc.ms).collect();
                let counters: Vec<i64> = new.iter().map(|o| i64::from(o.hlc.counter)).collect();
                let versions: Vec<i32> = new.iter().map(|o| o.version as i32).collect();
                let kinds: Vec<&str> = new.iter().map(|o| o.kind.as_str()).collect();
                let payloads: Vec<String> = new.iter().map(|o| o.payload.get().to_string()).collect();
                let received: Vec<i64> = new.iter().map(|_| now_ms).collect();
                // A concurrent push of the same id wins the race: this one
                // skips it (its number is left unused) and reads the winner's.
                for r in tx
                    .query(
                        "INSERT INTO ops (server_seq, id, device, device_seq, hlc_ms, hlc_counter, version, kind, payload, received_ms)
                         SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], $5::BIGINT[], $6::BIGINT[], $7::INTEGER[],
                                              $8::TEXT[], $9::TEXT[], $10::BIGINT[])
                         ON CONFLICT (id) DO NOTHING RETURNING id, server_seq",
                        &[&seqs, &ids, &devices, &dseqs, &ms, &counters, &versions, &kinds, &payloads, &received],
                    )
                    .await?
                {
                    numbered.insert(r.get(0), r.get(1));
                }
                let raced: Vec<String> = ids.into_iter().filter(|id| !numbered.contains_key(id)).collect();
                if !raced.is_empty() {
                    for r in tx.query("SELECT id, server_seq FROM ops WHERE id = ANY($1)", &[&raced]).await? {
                        numbered.insert(r.get(0), r.get(1));
                    }
                }
            }
            for (op, id) in fresh.iter().zip(&all_ids) {
                let server_seq =
                    *numbered.get(id).ok_or_else(|| StorageError::Backend(format!("operation {id} was neither stored nor found")))?;
                out.acked.push(Ack { id: op.id, server_seq });
            }
        }
        tx.execute("UPDATE devices SET last_seq = $1 WHERE id = $2", &[&plan.last_seq, &dev]).await?;
        plan.conclude(&mut out, taken);
        if PushPlan::settings_go_with(&out) {
            for (key, value) in &settings {
                tx.execute(
                    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    &[key, value],
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn pull(&self, after: i64, limit: usize) -> StorageResult<PullResponse> {
        let c = self.pool.get().await?;
        let rows = c
            .query(
                "SELECT server_seq, id, device, device_seq, hlc_ms, hlc_counter, version, kind, payload
                 FROM ops WHERE server_seq > $1 ORDER BY server_seq LIMIT $2",
                &[&after, &(limit as i64 + 1)],
            )
            .await?;
        let mut ops = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.get(1);
            let payload: String = r.get(8);
            ops.push(PulledOp {
                server_seq: r.get(0),
                op: WireOp {
                    id: id.parse().map_err(|_| StorageError::Backend(format!("bad op id '{id}'")))?,
                    device: device_id(r.get(2))?,
                    device_seq: r.get(3),
                    hlc: Hlc { ms: r.get(4), counter: u32::try_from(r.get::<_, i64>(5)).unwrap_or(u32::MAX) },
                    version: u32::try_from(r.get::<_, i32>(6)).unwrap_or(0),
                    kind: r.get(7),
                    payload: serde_json::value::RawValue::from_string(payload)
                        .map_err(|e| StorageError::Backend(format!("stored payload of {id}: {e}")))?,
                },
            });
        }
        let more = ops.len() > limit;
        ops.truncate(limit);
        let next_after = ops.last().map(|o| o.server_seq).unwrap_or(after);
        Ok(PullResponse::new(after, ops, next_after, more))
    }

    async fn op_count(&self) -> StorageResult<i64> {
        let c = self.pool.get().await?;
        Ok(c.query_one("SELECT COUNT(*) FROM ops", &[]).await?.get(0))
    }
}
