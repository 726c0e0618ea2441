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
use wildroot_model::{DeviceId, Hlc, OP_VERSION};

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
    // One writer at a time: the device's sequence has no gaps.
    let _one = state.shopify_lock.lock().await;
    let device = recording_device(state).await?;
    let mut seq: i64 = state.storage.get_setting(SEQ_KEY).await?.and_then(|s| s.parse().ok()).unwrap_or(0);
    for _ in 0..3 {
        let now = chrono::Utc::now().timestamp_millis();
        let ops: Vec<Judged> = orders
            .iter()
            .zip(seq + 1..)
            .map(|(order, device_seq)| Judged {
                op: WireOp {
                    id: order.op_id(),
                    device,
                    device_seq,
                    hlc: Hlc { ms: now, counter: 0 },
                    version: OP_VERSION,
                    kind: "shopify_order_seen".into(),
                    payload: json!({ "order": order }),
                },
                verdict: Ok(()),
            })
            .collect();
        let last = seq + orders.len() as i64;
        let mut with = settings.clone();
        with.push((SEQ_KEY.to_string(), last.to_string()));
        let resp = state.storage.push_with_settings(device, ops, now, with).await?;
        if resp.expected_seq.is_none() && resp.acked.len() == orders.len() {
            return Ok(resp.acked.iter().map(|a| a.server_seq).collect());
        }
        // The saved counter is not where the server has the device (a
        // database restored from an older backup): go on from the server's.
        seq = match resp.expected_seq {
            Some(expected) => expected - 1,
            None => last,
        };
    }
    Err(ServerError::Unavailable { code: "busy", message: "the orders could not be recorded; they will be tried again".into() })
}

/// The server's own device for the orders it records, registered under the
/// first owner the first time (its token is random and thrown away: nobody
/// syncs as it).
async fn recording_device<S: Storage>(state: &AppState<S>) -> ApiResult<DeviceId> {
    if let Some(id) = state.storage.get_setting(DEVICE_KEY).await? {
        return id.parse().map_err(|_| ServerError::Internal(format!("the stored Shopify device '{id}' is not a device id")));
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
        .ok_or_else(|| ServerError::Internal("the owner vanished while the Shopify device was made".into()))?;
    let device = DeviceId::new();
    let token = auth::random_hex(32).map_err(ServerError::Internal)?;
    state.storage.register_device(device, record.id, "Shopify", &auth::token_hash(&token)).await?;
    state.storage.set_setting(DEVICE_KEY, &device.to_string()).await?;
    Ok(device)
}
