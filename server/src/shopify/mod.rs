//! Shopify on the server. Orders reach the server two ways, by Shopify's
//! webhooks ([`webhook`]) and by the server's own polling import
//! ([`import`]), and both record an order the same way: as the
//! `shopify_order_seen` operation the owner's device would record (its id
//! derived from the order and its update time), stored under the server's
//! own "Shopify" device, so every device applies it with the same core code
//! and an order seen by several paths is one operation.
pub mod import;
pub mod webhook;

use crate::auth;
use crate::error::{ApiResult, ServerError};
use crate::state::AppState;
use crate::storage::{Judged, Storage};
use serde_json::json;
use wildroot_model::shopify::ShopifyOrder;
use wildroot_model::sync::{Role, WireOp};
use wildroot_model::{DeviceId, Hlc, OpId, OP_VERSION};

const DEVICE_KEY: &str = "shopify_webhook_device";
const SEQ_KEY: &str = "shopify_webhook_seq";

/// Records `orders` as operations of the server's Shopify device, in one
/// transaction together with `settings`. Returns each order's server
/// sequence number. Orders already stored (from a device, a webhook or an
/// earlier poll) are answered with the number they have.
pub(crate) async fn record_orders<S: Storage>(
    state: &AppState<S>,
    orders: &[ShopifyOrder],
    settings: Vec<(String, String)>,
) -> ApiResult<Vec<i64>> {
    for o in orders {
        o.validate().map_err(|e| ServerError::BadOrder { code: "bad_order", message: format!("order {}: {e}", o.name) })?;
    }
    let ops = orders.iter().map(|order| (order.op_id(), "shopify_order_seen", json!({ "order": order }))).collect();
    // One writer at a time: the device's sequence has no gaps.
    let _one = state.shopify_lock.lock().await;
    record_as(state, &SHOPIFY, ops, settings).await
}

/// One of the server's own devices, which record what the server learns
/// by itself (Shopify's orders, emailed receipts' outcomes).
pub(crate) struct ServerDevice {
    /// The setting that holds its id.
    pub id_key: &'static str,
    /// The setting that holds its last sequence number.
    pub seq_key: &'static str,
    pub name: &'static str,
}

pub(crate) const SHOPIFY: ServerDevice = ServerDevice { id_key: DEVICE_KEY, seq_key: SEQ_KEY, name: "Shopify" };

/// Records `ops` (id, kind, payload) as the next operations of `who`, in
/// one transaction together with `settings`. The caller holds the lock
/// that makes it the device's only writer.
pub(crate) async fn record_as<S: Storage>(
    state: &AppState<S>,
    who: &ServerDevice,
    ops: Vec<(OpId, &str, serde_json::Value)>,
    settings: Vec<(String, String)>,
) -> ApiResult<Vec<i64>> {
    let device = recording_device(state, who).await?;
    let mut seq: i64 = state.storage.get_setting(who.seq_key).await?.and_then(|s| s.parse().ok()).unwrap_or(0);
    for _ in 0..3 {
        let now = chrono::Utc::now().timestamp_millis();
        let judged: Vec<Judged> = ops
            .iter()
            .zip(seq + 1..)
            .map(|((id, kind, payload), device_seq)| Judged {
                op: WireOp {
                    id: *id,
                    device,
                    device_seq,
                    hlc: Hlc { ms: now, counter: 0 },
                    version: OP_VERSION,
                    kind: kind.to_string(),
                    payload: wildroot_model::sync::payload_of(payload),
                },
                verdict: Ok(()),
            })
            .collect();
        let last = seq + ops.len() as i64;
        let mut with = settings.clone();
        with.push((who.seq_key.to_string(), last.to_string()));
        let resp = state.storage.push_with_settings(device, judged, now, with).await?;
        if resp.expected_seq.is_none() && resp.acked.len() == ops.len() {
            return Ok(resp.acked.iter().map(|a| a.server_seq).collect());
        }
        // The saved counter is not where the server has the device (a
        // database restored from an older backup): go on from the server's.
        seq = match resp.expected_seq {
            Some(expected) => expected - 1,
            None => last,
        };
    }
    Err(ServerError::Unavailable {
        code: "busy",
        message: format!("the {} device's operations could not be recorded; they will be tried again", who.name),
    })
}

/// One of the server's own devices, registered under the first owner the
/// first time (its token is random and thrown away: nobody syncs as it).
async fn recording_device<S: Storage>(state: &AppState<S>, who: &ServerDevice) -> ApiResult<DeviceId> {
    if let Some(id) = state.storage.get_setting(who.id_key).await? {
        return id.parse().map_err(|_| ServerError::Internal(format!("the stored {} device '{id}' is not a device id", who.name)));
    }
    let users = state.storage.list_users().await?;
    let owner = users.iter().find(|u| u.role == Role::Owner).ok_or_else(|| ServerError::Unavailable {
        code: "no_owner",
        message: "the server has no owner yet: add one with `wildroot server user add`".into(),
    })?;
    let record = state
        .storage
        .user_by_email(&owner.email)
        .await?
        .ok_or_else(|| ServerError::Internal(format!("the owner vanished while the {} device was made", who.name)))?;
    let device = DeviceId::new();
    let token = auth::random_hex(32).map_err(ServerError::Internal)?;
    state.storage.register_device(device, record.id, who.name, &auth::token_hash(&token)).await?;
    state.storage.set_setting(who.id_key, &device.to_string()).await?;
    Ok(device)
}
