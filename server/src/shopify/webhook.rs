//! Shopify webhooks: `POST /api/v1/shopify/webhooks`. The signature is
//! checked over the raw body in constant time before anything is parsed;
//! an order topic is made into the same `shopify_order_seen` operation the
//! polling import records (its id derived from the order and its update
//! time), stored under the server's own "Shopify webhooks" device, so every
//! device applies it with the same core code, and an order both polled and
//! pushed is one operation. Webhooks may repeat, arrive out of order or not
//! at all: the derived ids absorb the first two, the polling import the last.
use crate::api::{ApiResult, AppState, Fail};
use crate::auth;
use crate::storage::{Judged, Storage};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use base64::Engine;
use ring::hmac;
use serde_json::{json, Value};
use std::sync::Arc;
use wildroot_model::shopify::order_from_webhook;
use wildroot_model::sync::{Role, WireOp};
use wildroot_model::{DeviceId, Hlc, OP_VERSION};

const DEVICE_KEY: &str = "shopify_webhook_device";
const SEQ_KEY: &str = "shopify_webhook_seq";

/// Whether `signature` (base64, as Shopify sends it) is the HMAC-SHA256 of
/// `body` under `secret`. `ring` compares in constant time.
pub fn signature_ok(secret: &[u8], body: &[u8], signature: &str) -> bool {
    let Ok(tag) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else { return false };
    hmac::verify(&hmac::Key::new(hmac::HMAC_SHA256, secret), body, &tag).is_ok()
}

pub async fn webhook<S: Storage>(State(state): State<Arc<AppState<S>>>, headers: HeaderMap, body: Bytes) -> ApiResult<Json<Value>> {
    let Some(secret) = state.shopify_webhook_secret.as_deref() else {
        return Err(Fail::new(
            StatusCode::NOT_FOUND,
            "not_configured",
            "Shopify webhooks are off: start the server with WILDROOT_SHOPIFY_WEBHOOK_SECRET set to the app's client secret",
        ));
    };
    let signature = headers.get("x-shopify-hmac-sha256").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !signature_ok(secret, &body, signature) {
        state.metrics.auth_failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return Err(Fail::new(StatusCode::UNAUTHORIZED, "bad_signature", "the X-Shopify-Hmac-Sha256 signature does not match this body"));
    }
    let topic = headers.get("x-shopify-topic").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    match topic.as_str() {
        "orders/create" | "orders/updated" | "orders/cancelled" => {}
        // A refund's body is not its order: the order's own update (or the
        // next polling import) carries it.
        "refunds/create" => return Ok(Json(json!({ "accepted": true, "recorded": false }))),
        other => return Ok(Json(json!({ "accepted": false, "ignored": other }))),
    }
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| Fail::new(StatusCode::BAD_REQUEST, "bad_json", format!("the webhook body is not JSON: {e}")))?;
    let order = order_from_webhook(&value).map_err(|e| Fail::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_order", e))?;
    let payload = json!({ "order": order });
    // One webhook at a time: the webhook device's sequence has no gaps.
    let _one = state.shopify_lock.lock().await;
    let device = webhook_device(&state).await?;
    let mut seq: i64 = state.storage.get_setting(SEQ_KEY).await?.and_then(|s| s.parse().ok()).unwrap_or(0);
    for _ in 0..3 {
        let op = WireOp {
            id: order.op_id(),
            device,
            device_seq: seq + 1,
            hlc: Hlc { ms: chrono::Utc::now().timestamp_millis(), counter: 0 },
            version: OP_VERSION,
            kind: "shopify_order_seen".into(),
            payload: payload.clone(),
        };
        let resp = state.storage.push(device, vec![Judged { op, verdict: Ok(()) }], chrono::Utc::now().timestamp_millis()).await?;
        if let Some(ack) = resp.acked.first() {
            state.storage.set_setting(SEQ_KEY, &(seq + 1).to_string()).await?;
            return Ok(Json(json!({ "accepted": true, "recorded": true, "server_seq": ack.server_seq })));
        }
        // The saved counter fell behind the device (a crash between the two
        // writes): go on from where the server says.
        seq = match resp.expected_seq {
            Some(expected) => expected - 1,
            None => seq + 1,
        };
    }
    Err(Fail::new(StatusCode::SERVICE_UNAVAILABLE, "busy", "the order could not be recorded; Shopify will send it again"))
}

/// The server's own device for what webhooks record, registered under the
/// first owner the first time (its token is random and thrown away: nobody
/// syncs as it).
async fn webhook_device<S: Storage>(state: &AppState<S>) -> ApiResult<DeviceId> {
    if let Some(id) = state.storage.get_setting(DEVICE_KEY).await? {
        return id.parse().map_err(|_| Fail::new(StatusCode::INTERNAL_SERVER_ERROR, "corrupt", format!("stored webhook device '{id}'")));
    }
    let users = state.storage.list_users().await?;
    let owner = users.iter().find(|u| u.role == Role::Owner).ok_or_else(|| {
        Fail::new(StatusCode::SERVICE_UNAVAILABLE, "no_owner", "the server has no owner yet: add one with `wildroot server user add`")
    })?;
    let record = state
        .storage
        .user_by_email(&owner.email)
        .await?
        .ok_or_else(|| Fail::new(StatusCode::INTERNAL_SERVER_ERROR, "no_owner", "the owner vanished"))?;
    let device = DeviceId::new();
    let token = auth::random_hex(32).map_err(|e| Fail::new(StatusCode::INTERNAL_SERVER_ERROR, "random", e))?;
    state.storage.register_device(device, record.id, "Shopify webhooks", &auth::token_hash(&token)).await?;
    state.storage.set_setting(DEVICE_KEY, &device.to_string()).await?;
    Ok(device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_checked_over_the_raw_body() {
        let secret = b"hush";
        let body = br#"{"id":1}"#;
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), body);
        let good = base64::engine::general_purpose::STANDARD.encode(tag.as_ref());
        assert!(signature_ok(secret, body, &good));
        assert!(!signature_ok(secret, br#"{"id": 1}"#, &good), "a re-encoded body is not the signed one");
        assert!(!signature_ok(b"other", body, &good));
        assert!(!signature_ok(secret, body, "not base64!"));
        assert!(!signature_ok(secret, body, ""));
    }
}
