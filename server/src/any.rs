//! The backend chosen at run time: the SQLite file by default, PostgreSQL
//! when a database URL is given. The server is generic over [`Storage`];
//! only the binary (and the tests) pick.
use crate::postgres::PgStorage;
use crate::sqlite::SqliteStorage;
use crate::storage::*;
use std::path::Path;
use wildroot_model::sync::{DeviceInfo, PullResponse, PushResponse, Role, UserInfo};
use wildroot_model::DeviceId;

#[derive(Clone)]
pub enum AnyStorage {
    Sqlite(SqliteStorage),
    Postgres(PgStorage),
}

impl AnyStorage {
    /// PostgreSQL at `database_url` if given, else the SQLite file at `path`.
    pub async fn open(path: &Path, database_url: Option<&str>) -> StorageResult<AnyStorage> {
        match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(AnyStorage::Postgres(PgStorage::connect(url).await?))
            }
            Some(url) => Err(StorageError::Config(format!(
                "'{}' is not a PostgreSQL URL: type it like postgres://user:password@host/db",
                url.split('@').next_back().unwrap_or(url)
            ))),
            None => Ok(AnyStorage::Sqlite(SqliteStorage::open(path)?)),
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            AnyStorage::Sqlite(_) => "SQLite",
            AnyStorage::Postgres(_) => "PostgreSQL",
        }
    }
}

macro_rules! delegate {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            AnyStorage::Sqlite($s) => $call.await,
            AnyStorage::Postgres($s) => $call.await,
        }
    };
}

impl Storage for AnyStorage {
    async fn get_setting(&self, key: &str) -> StorageResult<Option<String>> {
        delegate!(self, s => s.get_setting(key))
    }
    async fn set_setting(&self, key: &str, value: &str) -> StorageResult<()> {
        delegate!(self, s => s.set_setting(key, value))
    }
    async fn add_user(&self, email: &str, password_hash: &str, role: Role) -> StorageResult<()> {
        delegate!(self, s => s.add_user(email, password_hash, role))
    }
    async fn user_by_email(&self, email: &str) -> StorageResult<Option<UserRecord>> {
        delegate!(self, s => s.user_by_email(email))
    }
    async fn user_count(&self) -> StorageResult<i64> {
        delegate!(self, s => s.user_count())
    }
    async fn list_users(&self) -> StorageResult<Vec<UserInfo>> {
        delegate!(self, s => s.list_users())
    }
    async fn register_device(&self, device: DeviceId, user_id: i64, name: &str, token_hash: &str) -> StorageResult<()> {
        delegate!(self, s => s.register_device(device, user_id, name, token_hash))
    }
    async fn device_by_token(&self, token_hash: &str, now_ms: i64) -> StorageResult<Option<DeviceAuth>> {
        delegate!(self, s => s.device_by_token(token_hash, now_ms))
    }
    async fn list_devices(&self) -> StorageResult<Vec<DeviceInfo>> {
        delegate!(self, s => s.list_devices())
    }
    async fn revoke_device(&self, device: &str) -> StorageResult<DeviceId> {
        delegate!(self, s => s.revoke_device(device))
    }
    async fn push_with_settings(
        &self,
        device: DeviceId,
        ops: Vec<Judged>,
        now_ms: i64,
        settings: Vec<(String, String)>,
    ) -> StorageResult<PushResponse> {
        delegate!(self, s => s.push_with_settings(device, ops, now_ms, settings))
    }
    async fn pull(&self, after: i64, limit: usize) -> StorageResult<PullResponse> {
        delegate!(self, s => s.pull(after, limit))
    }
    async fn op_count(&self) -> StorageResult<i64> {
        delegate!(self, s => s.op_count())
    }
}
