//! Storage behind one trait, so the server is the same program over SQLite
//! (one file, the default) or PostgreSQL (many devices, a managed database).
//! Every backend runs the same test suite.
use std::future::Future;
use thiserror::Error;
use wildroot_model::sync::{DeviceInfo, PullResponse, PushResponse, Role, UserInfo, WireOp};
use wildroot_model::DeviceId;

#[derive(Debug, Error)]
pub enum StorageError {
    #[error("the server database failed: {0}")]
    Backend(String),
    /// A setting the operator must correct (a malformed database URL).
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
}

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        StorageError::Backend(e.to_string())
    }
}

impl From<rusqlite_migration::Error> for StorageError {
    fn from(e: rusqlite_migration::Error) -> Self {
        StorageError::Backend(e.to_string())
    }
}

pub type StorageResult<T> = Result<T, StorageError>;

#[derive(Clone, Debug)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
}

/// The device behind a sync token.
#[derive(Clone, Debug)]
pub struct DeviceAuth {
    pub device_id: DeviceId,
    pub user_email: String,
    pub role: Role,
    pub revoked: bool,
}

/// One pushed operation with the server's verdict on it, decided before
/// storage: `Err(reason)` is refused for good.
#[derive(Clone, Debug)]
pub struct Judged {
    pub op: WireOp,
    pub verdict: Result<(), String>,
}

/// The rule for (re-)registering `device` for `user_id`, given who holds it
/// now and whether it was revoked: `Ok(true)` to replace its token,
/// `Ok(false)` to add it. Shared by every backend.
pub(crate) fn check_registration(device: DeviceId, holder: Option<(i64, bool)>, user_id: i64) -> StorageResult<bool> {
    match holder {
        Some((_, true)) => Err(StorageError::Conflict(format!("device {device} was revoked: start this device with a new database"))),
        Some((uid, false)) if uid != user_id => {
            Err(StorageError::Conflict(format!("device {device} belongs to another user: log in as that user")))
        }
        Some(_) => Ok(true),
        None => Ok(false),
    }
}

/// The push rule, decided above the backends (each only stores what it is
/// told): a device's operations are taken in its sequence order, each
/// number once, with no gap.
#[derive(Debug, Default)]
pub struct PushPlan {
    /// Numbers the server has passed already: answered from what is stored
    /// under their id (the ack or the refusal), or, when nothing is, the
    /// number was taken by another operation ([`PushPlan::conclude`]).
    pub repeats: Vec<WireOp>,
    /// The next numbers, in order: stored (an id stored already, from
    /// another path, is answered with the number it has).
    pub store: Vec<WireOp>,
    /// The next numbers refused for good, with the reason.
    pub refuse: Vec<(WireOp, String)>,
    /// Where a gap stopped the push: the number the device must send next.
    pub gap: Option<i64>,
    /// The device's last number once this push is stored.
    pub last_seq: i64,
}

impl PushPlan {
    /// Plans a push of `ops` by a device whose last stored number is `last_seq`.
    pub fn new(last_seq: i64, mut ops: Vec<Judged>) -> PushPlan {
        ops.sort_by_key(|j| j.op.device_seq);
        let mut plan = PushPlan { last_seq, ..PushPlan::default() };
        for Judged { op, verdict } in ops {
            if op.device_seq <= last_seq {
                plan.repeats.push(op);
                continue;
            }
            if op.device_seq > plan.last_seq + 1 {
                plan.gap = Some(plan.last_seq + 1);
                break;
            }
            plan.last_seq = op.device_seq;
            match verdict {
                Ok(()) => plan.store.push(op),
                Err(reason) => plan.refuse.push((op, reason)),
            }
        }
        plan
    }

    /// The answer's `expected_seq`: the gap's number, or, when a repeat's
    /// number was taken by another operation (`taken`: the device lost
    /// track of its series, restored from an old backup), the series' next
    /// number, so the device renumbers what this server has never seen.
    pub fn conclude(&self, out: &mut PushResponse, taken: bool) {
        out.expected_seq = self.gap.or(taken.then_some(self.last_seq + 1));
    }

    /// Whether settings pushed with the operations are written: only when
    /// every operation was taken (no gap, no refusal), so a Shopify page's
    /// watermark moves only with the page it covers.
    pub fn settings_go_with(out: &PushResponse) -> bool {
        out.expected_seq.is_none() && out.refused.is_empty()
    }
}

pub trait Storage: Send + Sync + 'static {
    fn get_setting(&self, key: &str) -> impl Future<Output = StorageResult<Option<String>>> + Send;
    fn set_setting(&self, key: &str, value: &str) -> impl Future<Output = StorageResult<()>> + Send;

    fn add_user(&self, email: &str, password_hash: &str, role: Role) -> impl Future<Output = StorageResult<()>> + Send;
    fn user_by_email(&self, email: &str) -> impl Future<Output = StorageResult<Option<UserRecord>>> + Send;
    fn user_count(&self) -> impl Future<Output = StorageResult<i64>> + Send;
    /// Every user, oldest first, with their devices that are not revoked.
    fn list_users(&self) -> impl Future<Output = StorageResult<Vec<UserInfo>>> + Send;

    /// Registers (or re-registers, replacing its token) a device for a user.
    fn register_device(
        &self,
        device: DeviceId,
        user_id: i64,
        name: &str,
        token_hash: &str,
    ) -> impl Future<Output = StorageResult<()>> + Send;
    /// Looks a device up by the hash of its token, and notes that it was seen.
    fn device_by_token(&self, token_hash: &str, now_ms: i64) -> impl Future<Output = StorageResult<Option<DeviceAuth>>> + Send;
    fn list_devices(&self) -> impl Future<Output = StorageResult<Vec<DeviceInfo>>> + Send;
    /// Revokes a device by id or a unique prefix of it. Returns the full id.
    fn revoke_device(&self, device: &str) -> impl Future<Output = StorageResult<DeviceId>> + Send;

    /// Stores a device's judged operations in one transaction, in
    /// `device_seq` order: each id once, refusals recorded, stopping at the
    /// first gap in the device's sequence.
    fn push(&self, device: DeviceId, ops: Vec<Judged>, now_ms: i64) -> impl Future<Output = StorageResult<PushResponse>> + Send {
        self.push_with_settings(device, ops, now_ms, Vec::new())
    }
    /// [`Storage::push`], also writing `settings` in the same transaction
    /// when every operation was taken (no gap, no refusal): the Shopify import's
    /// watermark moves only together with the page it covers.
    fn push_with_settings(
        &self,
        device: DeviceId,
        ops: Vec<Judged>,
        now_ms: i64,
        settings: Vec<(String, String)>,
    ) -> impl Future<Output = StorageResult<PushResponse>> + Send;
    /// Operations after `after` in server order, at most `limit`.
    fn pull(&self, after: i64, limit: usize) -> impl Future<Output = StorageResult<PullResponse>> + Send;
    /// How many operations the server holds.
    fn op_count(&self) -> impl Future<Output = StorageResult<i64>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;
    use wildroot_model::{Hlc, OpId};

    fn op(device_seq: i64, ok: bool) -> Judged {
        let op = WireOp {
            id: OpId::new(),
            device: DeviceId::new(),
            device_seq,
            hlc: Hlc { ms: 1, counter: 0 },
            version: 1,
            kind: "sale_completed".into(),
            payload: wildroot_model::sync::payload_of(&serde_json::json!({})),
        };
        Judged { op, verdict: if ok { Ok(()) } else { Err("no".into()) } }
    }

    #[test]
    fn a_push_takes_the_next_numbers_in_order_and_stops_at_a_gap() {
        let plan = PushPlan::new(3, vec![op(6, true), op(2, true), op(4, true), op(5, false), op(8, true), op(3, true)]);
        let seqs = |ops: &[WireOp]| ops.iter().map(|o| o.device_seq).collect::<Vec<_>>();
        assert_eq!(seqs(&plan.repeats), [2, 3]);
        assert_eq!(seqs(&plan.store), [4, 6]);
        assert_eq!(plan.refuse.iter().map(|(o, _)| o.device_seq).collect::<Vec<_>>(), [5]);
        assert_eq!((plan.gap, plan.last_seq), (Some(7), 6));
        let mut out = PushResponse { acked: vec![], refused: vec![], expected_seq: None, epoch: None };
        plan.conclude(&mut out, true);
        assert_eq!(out.expected_seq, Some(7), "a gap is said before a taken number");
        let plan = PushPlan::new(3, vec![op(3, true), op(4, true)]);
        plan.conclude(&mut out, true);
        assert_eq!(out.expected_seq, Some(5), "a taken number: the series goes on after what was stored");
        plan.conclude(&mut out, false);
        assert!(out.expected_seq.is_none() && PushPlan::settings_go_with(&out));
    }
}
