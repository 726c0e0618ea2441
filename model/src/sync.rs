//! The sync protocol, `/api/v1`: what devices and the server say to each
//! other. These cross app versions, so operations travel as [`WireOp`]: the
//! envelope is fixed and the payload is opaque JSON, which lets the server
//! store and serve kinds it does not know, and lets an older device keep an
//! operation of a newer kind until it is upgraded (DESIGN rule 9).
use crate::hlc::Hlc;
use crate::ids::{DeviceId, OpId};
use crate::op::{OpKind, Operation};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// Protocol version spoken by this build.
pub const PROTOCOL_VERSION: u32 = 1;

/// Most operations in one push or one pull page.
pub const MAX_PAGE: usize = 1000;

/// An operation as it travels: envelope plus opaque payload.
///
/// The payload is kept as the JSON text it came as ([`RawValue`]): checked
/// to be JSON when read, but neither built into a tree nor written out
/// again where it only passes through (the server stores and serves it as
/// text; a device stores it as text). It is read into its kind's type by
/// [`WireOp::to_op`], which is where every rule applies.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WireOp {
    pub id: OpId,
    pub device: DeviceId,
    pub device_seq: i64,
    pub hlc: Hlc,
    pub version: u32,
    pub kind: String,
    pub payload: Box<RawValue>,
}

/// A payload from a tree (the server's own operations, tests). A tree
/// always writes out as JSON, so this cannot fail.
pub fn payload_of(value: &serde_json::Value) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

impl PartialEq for WireOp {
    fn eq(&self, other: &WireOp) -> bool {
        (self.id, self.device, self.device_seq, self.hlc, self.version, &self.kind, self.payload.get())
            == (other.id, other.device, other.device_seq, other.hlc, other.version, &other.kind, other.payload.get())
    }
}

impl WireOp {
    pub fn from_op(op: &Operation) -> Result<WireOp, serde_json::Error> {
        let mut tagged = serde_json::to_value(&op.kind)?;
        let payload = tagged.get_mut("payload").map(serde_json::Value::take).unwrap_or(serde_json::Value::Null);
        Ok(WireOp {
            id: op.id,
            device: op.device,
            device_seq: op.device_seq,
            hlc: op.hlc,
            version: op.version,
            kind: op.kind.name().to_string(),
            payload: payload_of(&payload),
        })
    }

    /// The payload read into a tree, for what looks inside it by hand.
    pub fn payload_value(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_str(self.payload.get())
    }

    /// Replaces the payload with `value`.
    pub fn set_payload(&mut self, value: &serde_json::Value) {
        self.payload = payload_of(value);
    }

    /// Decodes the payload; fails for a kind or version this build does not know.
    pub fn to_op(&self) -> Result<Operation, serde_json::Error> {
        if self.version > crate::op::OP_VERSION {
            return Err(serde::de::Error::custom(format!(
                "payload version {} is newer than this build's {}: upgrade to apply it",
                self.version,
                crate::op::OP_VERSION
            )));
        }
        // The tagged form OpKind reads, around the payload's own text.
        let tagged = format!("{{\"kind\":{},\"payload\":{}}}", serde_json::to_string(&self.kind)?, self.payload.get());
        let kind: OpKind = serde_json::from_str(&tagged)?;
        Ok(Operation { id: self.id, device: self.device, device_seq: self.device_seq, hlc: self.hlc, version: self.version, kind })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Vendor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Vendor => "vendor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "owner" => Some(Role::Owner),
            "vendor" => Some(Role::Vendor),
            _ => None,
        }
    }

    /// Whether this role may record operations of `kind` (DESIGN: roles).
    /// A vendor sells, refunds, voids, runs events and records customers at
    /// the booth; prices, costs, recipes, stock and settings are the owner's.
    pub fn may(self, kind: &str) -> bool {
        match self {
            Role::Owner => true,
            Role::Vendor => matches!(
                kind,
                "sale_completed"
                    | "sale_refunded"
                    | "sale_voided"
                    | "event_opened"
                    | "event_closed"
                    | "event_joined"
                    | "customer_created"
                    | "customer_edited"
                    | "payment_withdrawn"
                    | "receipt_email_requested"
            ),
        }
    }
}

/// What an operation kind does, in words for people ("edit products").
pub fn describe_kind(kind: &str) -> &str {
    match kind {
        "supply_created" => "add supplies",
        "supply_edited" => "edit supplies",
        "supply_received" => "receive supply purchases",
        "stock_adjusted" => "adjust stock",
        "product_created" => "add products",
        "product_edited" => "edit products (prices, names, archiving)",
        "recipe_set" => "change recipes",
        "batch_produced" => "record production batches",
        "event_opened" => "open market events",
        "event_closed" => "close market events",
        "event_joined" => "join market events",
        "stock_allotted" => "allot stock to booth devices",
        "sale_completed" => "record sales",
        "sale_voided" => "void sales",
        "event_edited" => "change an event's place, fee, commission or hours",
        "event_cost_added" => "add a market day's costs",
        "payment_withdrawn" => "take card payments off unfinished sales",
        "sale_refunded" => "refund sales",
        "customer_created" => "add customers",
        "customer_edited" => "edit customers",
        "setting_set" => "change settings",
        "shopify_order_seen" => "import Shopify orders",
        "shopify_sku_mapped" => "map Shopify SKUs to products",
        "shopify_variant_linked" => "link products to Shopify",
        "receipt_email_requested" => "email receipts",
        "receipt_email_outcome" => "record whether receipts were emailed",
        other => other,
    }
}

/// Why `role` may not record `kind`, for the user.
pub fn refusal_reason(role: Role, kind: &str) -> String {
    format!("a {} may not {}: ask the owner to do it", role.as_str(), describe_kind(kind))
}

/// What [`OpsFile::format`] says, so any other JSON is refused by name.
pub const OPS_FILE_FORMAT: &str = "wildroot-operations";

/// A device's not-yet-synced operations carried by hand (a USB stick, an
/// email) for the day the network never comes back before the phone dies.
/// Importing it on the server or on another device is idempotent: every
/// operation keeps its id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpsFile {
    pub format: String,
    pub version: u32,
    /// The device that recorded every operation in the file.
    pub device: DeviceId,
    pub exported_at_ms: i64,
    /// In `device_seq` order.
    pub ops: Vec<WireOp>,
}

impl OpsFile {
    pub fn new(device: DeviceId, exported_at_ms: i64, ops: Vec<WireOp>) -> OpsFile {
        OpsFile { format: OPS_FILE_FORMAT.into(), version: 1, device, exported_at_ms, ops }
    }

    /// Reads a file's bytes, refusing anything that is not a whole, single-device export.
    pub fn parse(bytes: &[u8]) -> Result<OpsFile, String> {
        let file: OpsFile = serde_json::from_slice(bytes)
            .map_err(|e| format!("this is not a Wildroot operations file ({e}): export one on the device that made the changes"))?;
        if file.format != OPS_FILE_FORMAT || file.version != 1 {
            return Err(format!("this file is '{}' version {}, not a Wildroot operations file this app reads", file.format, file.version));
        }
        let mut last = 0;
        for op in &file.ops {
            if op.device != file.device {
                return Err(format!("operation {} belongs to device {}, not to the file's device {}", op.id, op.device, file.device));
            }
            if op.device_seq <= last {
                return Err(format!("the file's operations are out of order at {}: export it again", op.id));
            }
            last = op.device_seq;
        }
        Ok(file)
    }
}

/// Decides, before storage, whether the server will ever take `op` from a
/// device of `role`: the role may record its kind, and a kind this model
/// knows decodes. A kind it does not know comes from a newer app: taken,
/// and served as it is to devices that know it.
/// How far ahead of the server's clock an operation's stamp may be: more is
/// a device clock set wrong (a stamp a year ahead would win every edit for
/// a year), refused until the clock is right (`clock_ahead`).
pub const MAX_CLOCK_AHEAD_MS: i64 = 5 * 60 * 1000;

pub fn judge(op: &WireOp, role: Role) -> Result<(), String> {
    if !role.may(&op.kind) {
        return Err(refusal_reason(role, &op.kind));
    }
    // A newer payload version is stored unread, like an unknown kind: a
    // server older than its devices must never refuse their sales.
    if crate::op::KIND_NAMES.contains(&op.kind.as_str()) && op.version <= crate::op::OP_VERSION {
        match op.to_op() {
            Err(e) => return Err(format!("the {} operation is malformed ({e}): update the app", op.kind)),
            // Its content by the same rules a device applies (`bounds::check`).
            Ok(decoded) => crate::bounds::check(&decoded.kind).map_err(|e| format!("the {} operation is refused: {e}", op.kind))?,
        }
    }
    Ok(())
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Short-lived bearer token for account calls (registering a device, managing devices).
    pub token: String,
    pub expires_at_ms: i64,
    pub role: Role,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RegisterDeviceRequest {
    pub device_id: DeviceId,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RegisterDeviceResponse {
    /// Long-lived token for sync calls; shown once, stored hashed on the server.
    pub device_token: String,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub device_id: DeviceId,
    pub name: String,
    pub user_email: String,
    pub role: Role,
    pub revoked: bool,
    pub last_seen_ms: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PushRequest {
    pub protocol: u32,
    /// This device's operations in `device_seq` order.
    pub ops: Vec<WireOp>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    pub id: OpId,
    pub server_seq: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Refusal {
    pub id: OpId,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub acked: Vec<Ack>,
    /// Operations the server will never store, with the reason to show the user.
    pub refused: Vec<Refusal>,
    /// Set when the push skipped some of this device's sequence: send from here.
    pub expected_seq: Option<i64>,
    /// The epoch of the server's log, as a pull answers it: a device that
    /// only pushed still notices a restored server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PulledOp {
    pub server_seq: i64,
    pub op: WireOp,
}

/// How a pull page gives the asking device's own operations: in full, or
/// named only (it pushed them, so it holds them; it learns their place).
/// A device that finds one it does not hold (it was restored from an old
/// backup) asks for the same page in full.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OwnOps {
    #[default]
    Full,
    Brief,
}

impl OwnOps {
    pub fn as_str(self) -> &'static str {
        match self {
            OwnOps::Full => "full",
            OwnOps::Brief => "brief",
        }
    }
}

/// One of the asking device's own operations, named but not carried.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnOp {
    pub server_seq: i64,
    pub id: OpId,
    pub device_seq: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PullResponse {
    /// The cursor this page answers: a device applies a page only after
    /// exactly this cursor, so a stale or misrouted page can never skip operations.
    pub after: i64,
    pub ops: Vec<PulledOp>,
    /// The asking device's own operations on this page when it asked for
    /// them brief ([`OwnOps::Brief`]); then `ops` holds the others'.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub own: Vec<OwnOp>,
    /// The device `own` belongs to: a page meant for another is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_device: Option<DeviceId>,
    /// The cursor to pull after next time.
    pub next_after: i64,
    /// More operations wait after `next_after`.
    pub more: bool,
    /// The server's epoch: it changes when the server's log goes back (it
    /// was restored from a backup). A device that saw another epoch pushes
    /// its own operations again and pulls from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
}

impl PullResponse {
    /// A page as the server reads it, its operations all in `ops`.
    pub fn new(after: i64, ops: Vec<PulledOp>, next_after: i64, more: bool) -> PullResponse {
        PullResponse { after, ops, own: Vec::new(), own_device: None, next_after, more, epoch: None }
    }

    /// This page for `device` asking its own operations brief: they move
    /// from `ops` to `own`, named only.
    pub fn brief_for(mut self, device: DeviceId) -> PullResponse {
        let (own, others): (Vec<PulledOp>, Vec<PulledOp>) = self.ops.into_iter().partition(|o| o.op.device == device);
        self.own = own.into_iter().map(|o| OwnOp { server_seq: o.server_seq, id: o.op.id, device_seq: o.op.device_seq }).collect();
        self.own_device = Some(device);
        self.ops = others;
        self
    }

    /// Operations on this page, carried or named.
    pub fn len(&self) -> usize {
        self.ops.len() + self.own.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Every error the server returns: what went wrong, in words a person can act on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub retryable: bool,
}

/// A user of the server, as the owner's users list shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    pub email: String,
    pub role: Role,
    pub created_at_ms: i64,
    /// Devices signed in as this user and not revoked.
    pub devices: i64,
}

/// The owner adds a user: a vendor for the booth, or another owner.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NewUserRequest {
    pub email: String,
    pub password: String,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(device: DeviceId, seq: i64) -> WireOp {
        WireOp {
            id: OpId::new(),
            device,
            device_seq: seq,
            hlc: Hlc { ms: 1, counter: 0 },
            version: 1,
            kind: "setting_set".into(),
            payload: payload_of(&serde_json::json!({})),
        }
    }

    /// The payload passes through as the text it came as, is read into its
    /// kind only by `to_op`, and must be JSON to be read at all.
    #[test]
    fn a_payload_travels_as_its_text_and_reads_as_its_kind() {
        let device = DeviceId::new();
        let mut w = op(device, 1);
        w.payload = RawValue::from_string(r#"{ "value": "Wildroot \u00e9", "key": "shop_name" }"#.into())
            .unwrap_or_else(|_| payload_of(&serde_json::Value::Null));
        let bytes = serde_json::to_vec(&w).unwrap_or_default();
        let back: Result<WireOp, _> = serde_json::from_slice(&bytes);
        assert_eq!(back.as_ref().map(|b| b.payload.get()).ok(), Some(w.payload.get()), "the text is kept, spaces and escapes too");
        let read = w.to_op().map(|o| o.kind);
        assert_eq!(read.ok(), Some(OpKind::SettingSet(crate::op::SettingSet { key: "shop_name".into(), value: "Wildroot é".into() })));
        // What a tree reads and what the text reads agree.
        assert_eq!(w.payload_value().ok(), Some(serde_json::json!({ "key": "shop_name", "value": "Wildroot é" })));
        let broken = String::from_utf8_lossy(&bytes).replace(r#""key": "shop_name" }"#, r#""key": "shop_name" "#);
        assert!(serde_json::from_str::<WireOp>(&broken).is_err(), "a payload that is not JSON is refused when read");
        w.kind = "setting_set\"".into();
        assert!(w.to_op().is_err(), "a kind with a quote in it is a kind this build does not know, not JSON to splice");
    }

    #[test]
    fn an_ops_file_is_one_device_s_operations_in_order() {
        let (a, b) = (DeviceId::new(), DeviceId::new());
        let good = OpsFile::new(a, 5, vec![op(a, 1), op(a, 2)]);
        let bytes = serde_json::to_vec(&good).unwrap_or_default();
        assert_eq!(OpsFile::parse(&bytes), Ok(good));
        let mixed = serde_json::to_vec(&OpsFile::new(a, 5, vec![op(a, 1), op(b, 2)])).unwrap_or_default();
        assert!(OpsFile::parse(&mixed).is_err_and(|e| e.contains("belongs to device")));
        let shuffled = serde_json::to_vec(&OpsFile::new(a, 5, vec![op(a, 2), op(a, 1)])).unwrap_or_default();
        assert!(OpsFile::parse(&shuffled).is_err_and(|e| e.contains("out of order")));
        assert!(OpsFile::parse(b"{\"format\": \"csv\"}").is_err_and(|e| e.contains("not a Wildroot operations file")));
    }
}

/// Where the server's own Shopify import stands (`GET /api/v1/shopify/status`); never the token.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerShopifyStatus {
    /// The store's base URL; `None`: the server does not import.
    pub shop: Option<String>,
    pub api_version: Option<String>,
    pub since_ms: Option<i64>,
    /// The newest `updatedAt` recorded.
    pub watermark_ms: Option<i64>,
    pub last_run_ms: Option<i64>,
    pub last_error: Option<String>,
}
