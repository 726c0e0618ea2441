//! Shopify webhooks: `POST /api/v1/shopify/webhooks`. The signature is
//! checked over the raw body in constant time before anything is parsed;
//! an order topic is recorded like a polled order (see the module above).
//! Webhooks may repeat, arrive out of order or not at all: the derived ids
//! absorb the first two, the polling import the last.
use crate::error::{ApiResult, ServerError};
use crate::state::AppState;
use crate::storage::Storage;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use base64::Engine;
use ring::hmac;
use serde_json::{json, Value};
use std::sync::Arc;
use wildroot_model::shopify::order_from_webhook;

/// Whether `signature` (base64, as Shopify sends it) is the HMAC-SHA256 of
/// `body` under `secret`. `ring` compares in constant time.
pub fn signature_ok(secret: &[u8], body: &[u8], signature: &str) -> bool {
    let Ok(tag) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else { return false };
    hmac::verify(&hmac::Key::new(hmac::HMAC_SHA256, secret), body, &tag).is_ok()
}

pub async fn webhook<S: Storage>(State(state): State<Arc<AppState<S>>>, headers: HeaderMap, body: Bytes) -> ApiResult<Json<Value>> {
    let Some(secret) = state.shopify_webhook_secret.as_deref() else {
        return Err(ServerError::NotFound {
            code: "not_configured",
            message: "Shopify webhooks are off: start the server with WILDROOT_SHOPIFY_WEBHOOK_SECRET set to the app's client secret"
                .into(),
        });
    };
    let signature = headers.get("x-shopify-hmac-sha256").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !signature_ok(secret, &body, signature) {
        state.metrics.auth_failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return Err(ServerError::Unauthorized {
            code: "bad_signature",
            message: "the X-Shopify-Hmac-Sha256 signature does not match this body".into(),
        });
    }
    let topic = headers.get("x-shopify-topic").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    // Shopify may deliver one event more than once (a retry, with a new
    // X-Shopify-Triggered-At): its event id says it is the same one. Without
    // an id, the derived operation ids still absorb a repeated body.
    let event = event_id(&headers)?;
    if let Some(id) = &event {
        if state.storage.get_setting(&event_key(id)).await?.is_some() {
            return Ok(Json(json!({ "accepted": true, "recorded": false, "duplicate": true })));
        }
    }
    let seen = event.map(|id| (event_key(&id), chrono::Utc::now().timestamp_millis().to_string()));
    match topic.as_str() {
        "orders/create" | "orders/updated" | "orders/cancelled" => {}
        // A refund's body is not its order: the server's import (when it
        // has the token) reads the order now; else the order's own
        // `orders/updated` or the owner's next import carries it.
        "refunds/create" => {
            let importing = super::import::status(&state.storage).await?.shop.is_some();
            if importing {
                state.shopify_wake.notify_one();
            }
            if let Some((key, at)) = &seen {
                state.storage.set_setting(key, at).await?;
            }
            return Ok(Json(json!({ "accepted": true, "recorded": false, "import_woken": importing })));
        }
        other => return Ok(Json(json!({ "accepted": false, "ignored": other }))),
    }
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| ServerError::BadRequest { code: "bad_json", message: format!("the webhook body is not JSON: {e}") })?;
    let order = order_from_webhook(&value).map_err(|message| ServerError::BadOrder { code: "bad_order", message })?;
    // The event is noted in the order's own transaction: a crash between
    // the two cannot make a retry look already recorded.
    let server_seq = super::record_orders(&state, std::slice::from_ref(&order), seen.into_iter().collect()).await?;
    Ok(Json(json!({ "accepted": true, "recorded": true, "server_seq": server_seq.first() })))
}

/// The `X-Shopify-Event-Id` header, if sent; refused when it is not a
/// short printable id (it becomes part of a stored key).
fn event_id(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get("x-shopify-event-id") else { return Ok(None) };
    match value.to_str().map(str::trim) {
        Ok(id) if !id.is_empty() && id.len() <= 100 && id.chars().all(|c| c.is_ascii_graphic()) => Ok(Some(id.to_string())),
        _ => Err(ServerError::BadRequest { code: "bad_event_id", message: "the X-Shopify-Event-Id header is not an event id".into() }),
    }
}

fn event_key(id: &str) -> String {
    format!("shopify_webhook_event:{id}")
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
