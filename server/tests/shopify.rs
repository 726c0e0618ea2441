//! Shopify webhooks against a real server on 127.0.0.1: the signature is
//! checked over the raw bytes, order topics become the same operation the
//! polling import records, repeats change nothing, and a device that syncs
//! applies the order to its stock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use ring::hmac;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use wildroot_core::product::NewProduct;
use wildroot_core::sync;
use wildroot_core::Store;
use wildroot_model::sync::Role;
use wildroot_model::Money;
use wildroot_server::any::AnyStorage;
use wildroot_server::storage::Storage;

const SECRET: &str = "shpss_client_secret_for_tests";

async fn start(dir: &tempfile::TempDir, secret: Option<&str>) -> (String, AnyStorage, tokio::sync::oneshot::Sender<()>) {
    let storage = AnyStorage::open(&dir.path().join("server.db"), None).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let s = storage.clone();
    let options = wildroot_server::Options { shopify_webhook_secret: secret.map(String::from) };
    tokio::spawn(async move {
        wildroot_server::serve_with(
            s,
            listener,
            async {
                let _ = stopped.await;
            },
            options,
        )
        .await
        .unwrap();
    });
    (url, storage, stop)
}

fn sign(body: &[u8]) -> String {
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, SECRET.as_bytes()), body);
    base64::engine::general_purpose::STANDARD.encode(tag.as_ref())
}

async fn post(url: &str, topic: &str, body: &[u8], signature: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{url}/api/v1/shopify/webhooks"))
        .header("X-Shopify-Topic", topic)
        .header("X-Shopify-Hmac-Sha256", signature)
        .header("X-Shopify-Event-Id", "evt-1")
        .header("Content-Type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap_or(Value::Null))
}

fn order(updated: &str, refunds: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": 820982911946154508u64, "admin_graphql_api_id": "gid://shopify/Order/820982911946154508", "name": "#9999",
        "created_at": "2026-11-20T10:00:00-05:00", "updated_at": updated, "cancelled_at": null,
        "financial_status": "paid", "currency": "USD", "total_price": "23.00",
        "customer": {"first_name": "Bo", "last_name": "Reyes", "email": "bo@example.com"},
        "line_items": [{"id": 466157049, "admin_graphql_api_id": "gid://shopify/LineItem/466157049", "sku": "SOAP", "quantity": 2, "price": "9.00", "variant_id": 39072856}],
        "refunds": refunds
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_order_webhooks_reach_every_device_once() {
    let dir = tempfile::tempdir().unwrap();
    let (url, storage, _stop) = start(&dir, Some(SECRET)).await;
    storage.add_user("owner@shop.test", &wildroot_server::auth::hash_password("pw-long-enough").unwrap(), Role::Owner).await.unwrap();
    let device_dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Mutex::new(Store::open(&device_dir.path().join("d.db")).unwrap()));
    sync::login(&store, &url, "owner@shop.test", "pw-long-enough", "Laptop").await.unwrap();
    {
        let mut s = store.lock().unwrap();
        s.add_product(NewProduct { sku: "SOAP".into(), name: "Soap".into(), price: Money(900), ..Default::default() }).unwrap();
        s.adjust_product("SOAP", 10, "count").unwrap();
    }
    sync::sync_once(&store, &mut |_| {}).await.unwrap();
    let ops_before = storage.op_count().await.unwrap();

    // Refused: no signature, a wrong one, a body changed after signing.
    let created = order("2026-11-20T10:00:00-05:00", json!([]));
    assert_eq!(post(&url, "orders/create", &created, "").await.0, 401);
    assert_eq!(post(&url, "orders/create", &created, &sign(b"something else")).await.0, 401);
    let mut tampered = created.clone();
    tampered[10] ^= 1;
    let (status, body) = post(&url, "orders/create", &tampered, &sign(&created)).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("bad_signature")));
    assert_eq!(storage.op_count().await.unwrap(), ops_before, "nothing refused was stored");

    // Accepted once, however often Shopify delivers it.
    let (status, first) = post(&url, "orders/create", &created, &sign(&created)).await;
    assert_eq!((status, first["recorded"].as_bool()), (200, Some(true)), "{first}");
    let (_, again) = post(&url, "orders/create", &created, &sign(&created)).await;
    assert_eq!(again["server_seq"], first["server_seq"], "a repeated webhook is the same operation");
    assert_eq!(storage.op_count().await.unwrap(), ops_before + 1);

    // A refund arrives as the order's update.
    let refund = json!([{"id": 509562969, "admin_graphql_api_id": "gid://shopify/Refund/509562969", "created_at": "2026-11-21T09:00:00-05:00",
        "refund_line_items": [{"quantity": 1, "restock_type": "return", "line_item_id": 466157049}]}]);
    let updated = order("2026-11-21T09:00:00-05:00", refund);
    assert_eq!(post(&url, "orders/updated", &updated, &sign(&updated)).await.0, 200);
    let refund_only = br#"{"id": 509562969, "order_id": 820982911946154508}"#;
    let (_, r) = post(&url, "refunds/create", refund_only, &sign(refund_only)).await;
    assert_eq!(r["recorded"].as_bool(), Some(false));
    let bad = br##"{"id": 1, "name": "#1"}"##;
    assert_eq!(post(&url, "orders/create", bad, &sign(bad)).await.0, 422);

    sync::sync_once(&store, &mut |_| {}).await.unwrap();
    let s = store.lock().unwrap();
    assert_eq!(s.product("SOAP").unwrap().on_hand, 10 - 2 + 1);
    assert_eq!(s.shopify_import_view().unwrap().orders, 1);
    assert_eq!(s.customer("bo@example.com").unwrap().purchases.len(), 1);
    assert_eq!(wildroot_core::oplog::replay_check(&s).unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_secret_webhooks_are_off() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _storage, _stop) = start(&dir, None).await;
    let body = order("2026-11-20T10:00:00-05:00", json!([]));
    let (status, resp) = post(&url, "orders/create", &body, &sign(&body)).await;
    assert_eq!(status, 404);
    assert!(resp["message"].as_str().unwrap().contains("WILDROOT_SHOPIFY_WEBHOOK_SECRET"));
}
