//! Shopify on a real server on 127.0.0.1. Webhooks: the signature is
//! checked over the raw bytes, order topics become the same operation the
//! polling import records, repeats change nothing, and a device that syncs
//! applies the order to its stock. The server's own import, from the fake
//! Shopify on loopback: the token sealed in the server's database, orders
//! reaching devices that never held it, re-runs that change nothing, whole
//! pages only when Shopify fails mid-import.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use fake_shopify::{FakeShopify, Fault};
use ring::hmac;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wildroot_core::product::NewProduct;
use wildroot_core::shopify::client::RetryPolicy;
use wildroot_core::shopify::link::DeviceKey;
use wildroot_core::sync;
use wildroot_core::Store;
use wildroot_model::sync::Role;
use wildroot_model::Money;
use wildroot_server::any::AnyStorage;
use wildroot_server::shopify::import;
use wildroot_server::storage::Storage;

const SECRET: &str = "shpss_client_secret_for_tests";

async fn start(dir: &tempfile::TempDir, secret: Option<&str>) -> (String, AnyStorage, tokio::sync::oneshot::Sender<()>) {
    let options = wildroot_server::Options { shopify_webhook_secret: secret.map(String::from), ..Default::default() };
    start_with(dir, options).await
}

async fn start_with(dir: &tempfile::TempDir, options: wildroot_server::Options) -> (String, AnyStorage, tokio::sync::oneshot::Sender<()>) {
    let storage = AnyStorage::open(&dir.path().join("server.db"), None).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let s = storage.clone();
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

/// A webhook as Shopify delivers it, as a new event each time.
async fn post(url: &str, topic: &str, body: &[u8], signature: &str) -> (u16, Value) {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let event = format!("evt-{}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    post_event(url, topic, body, signature, &event, "2026-11-20T15:00:01.000Z").await
}

async fn post_event(url: &str, topic: &str, body: &[u8], signature: &str, event: &str, triggered_at: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{url}/api/v1/shopify/webhooks"))
        .header("X-Shopify-Topic", topic)
        .header("X-Shopify-Hmac-Sha256", signature)
        .header("X-Shopify-Event-Id", event)
        .header("X-Shopify-Triggered-At", triggered_at)
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

    // A retry of one event (same id, a later X-Shopify-Triggered-At) is
    // answered 200 and records nothing, even with a body that was never
    // recorded; an unsigned one is still refused first.
    let event = "4f6a2b1e-0c1d-4e5f-8a9b-1c2d3e4f5a6b";
    let newer = order("2026-11-20T11:00:00-05:00", json!([]));
    assert_eq!(post_event(&url, "orders/updated", &newer, "", event, "2026-11-20T16:00:00.000Z").await.0, 401);
    let (status, first_try) = post_event(&url, "orders/updated", &newer, &sign(&newer), event, "2026-11-20T16:00:00.000Z").await;
    assert_eq!((status, first_try["recorded"].as_bool()), (200, Some(true)), "{first_try}");
    let (status, retry) = post_event(&url, "orders/updated", &newer, &sign(&newer), event, "2026-11-20T16:05:00.000Z").await;
    assert_eq!((status, retry["recorded"].as_bool(), retry["duplicate"].as_bool()), (200, Some(false), Some(true)), "{retry}");
    let later = order("2026-11-20T12:00:00-05:00", json!([]));
    let (_, reused) = post_event(&url, "orders/updated", &later, &sign(&later), event, "2026-11-20T16:10:00.000Z").await;
    assert_eq!(reused["duplicate"].as_bool(), Some(true), "{reused}");
    assert_eq!(storage.op_count().await.unwrap(), ops_before + 2, "a repeated event recorded something");
    let (status, bad_id) = post_event(&url, "orders/updated", &later, &sign(&later), "two words", "2026-11-20T16:10:00.000Z").await;
    assert_eq!((status, bad_id["code"].as_str()), (400, Some("bad_event_id")));

    // A refund arrives as the order's update.
    let refund = json!([{"id": 509562969, "admin_graphql_api_id": "gid://shopify/Refund/509562969", "created_at": "2026-11-21T09:00:00-05:00",
        "refund_line_items": [{"quantity": 1, "restock_type": "return", "line_item_id": 466157049}]}]);
    let updated = order("2026-11-21T09:00:00-05:00", refund);
    assert_eq!(post(&url, "orders/updated", &updated, &sign(&updated)).await.0, 200);
    let refund_only = br#"{"id": 509562969, "order_id": 820982911946154508}"#;
    let (_, r) = post(&url, "refunds/create", refund_only, &sign(refund_only)).await;
    assert_eq!((r["recorded"].as_bool(), r["import_woken"].as_bool()), (Some(false), Some(false)), "the server does not import here");
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

const TOKEN: &str = "shpat_server_side_token_for_tests";
const START: i64 = 1_790_000_000_000; // 2026-09-21

fn quick() -> RetryPolicy {
    RetryPolicy {
        attempts: 2,
        base_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        min_retry_after: Duration::from_secs(1),
        max_throttled: 100,
        timeout: Duration::from_millis(1500),
        bulk_poll: Duration::from_millis(20),
    }
}

/// Order n sells (n % 3 + 1) soaps, one minute after the one before.
fn orders(range: std::ops::Range<u64>) -> Vec<Value> {
    range
        .map(|n| {
            let at = START + n as i64 * 60_000;
            fake_shopify::order(n, at, at, &format!("buyer{}@example.com", n % 7), &[("SOAP", (n % 3 + 1) as i64, 900)])
        })
        .collect()
}

fn sold(range: std::ops::Range<u64>) -> i64 {
    range.map(|n| (n % 3 + 1) as i64).sum()
}

async fn owner(storage: &AnyStorage) {
    storage.add_user("owner@shop.test", &wildroot_server::auth::hash_password("pw-long-enough").unwrap(), Role::Owner).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_imports_orders_itself_and_booths_get_them_without_the_token() {
    let fake = FakeShopify::start(TOKEN).await;
    fake.put_orders(orders(0..600));
    let dir = tempfile::tempdir().unwrap();
    let key = Arc::new(DeviceKey::load_or_create(&dir.path().join("server.key")).unwrap());
    {
        let storage = AnyStorage::open(&dir.path().join("server.db"), None).await.unwrap();
        owner(&storage).await;
        // A wrong token is tried and refused, and nothing is kept.
        let err = import::connect(&storage, &key, &fake.base_url, "shpat_wrong", None, Some(START), quick()).await.unwrap_err();
        assert!(err.to_string().contains("401"), "{err}");
        assert_eq!(import::status(&storage).await.unwrap().shop, None);
        import::connect(&storage, &key, &fake.base_url, TOKEN, None, Some(START), quick()).await.unwrap();
    }
    let raw = std::fs::read(dir.path().join("server.db")).unwrap();
    assert!(!raw.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()), "the server's database holds the token in the clear");

    // Hourly: runs in between come only from the refund webhooks below.
    let every = Duration::from_secs(3600);
    let options = wildroot_server::Options {
        shopify_webhook_secret: Some(SECRET.into()),
        shopify_import: Some(import::ImportOptions { key: key.clone(), every, policy: quick() }),
        ..Default::default()
    };
    let (url, storage, stop) = start_with(&dir, options).await;
    let newest = START + 599 * 60_000;
    let status = wait_until(|| async { import::status(&storage).await.unwrap() }, |s| s.watermark_ms == Some(newest)).await;
    assert_eq!(status.last_error, None);

    // A booth phone logs in, has never seen a token, and sells from the stock online orders left.
    let booth_dir = tempfile::tempdir().unwrap();
    let booth = Arc::new(Mutex::new(Store::open(&booth_dir.path().join("booth.db")).unwrap()));
    sync::login(&booth, &url, "owner@shop.test", "pw-long-enough", "Booth").await.unwrap();
    {
        let mut s = booth.lock().unwrap();
        s.add_product(NewProduct { sku: "SOAP".into(), name: "Oat Soap".into(), price: Money(900), ..Default::default() }).unwrap();
        s.adjust_product("SOAP", 5_000, "count").unwrap();
    }
    sync::sync_once(&booth, &mut |_| {}).await.unwrap();
    {
        let s = booth.lock().unwrap();
        assert_eq!(s.product("SOAP").unwrap().on_hand, 5_000 - sold(0..600));
        assert_eq!(s.shopify_import_view().unwrap().orders, 600);
        assert_eq!(s.shopify_shop().unwrap(), None, "the booth holds no link and no token");
        assert_eq!(wildroot_core::oplog::replay_check(&s).unwrap(), None);
    }

    // The booth can see where the server's import stands, and only a device can.
    let seen = sync::server_shopify_status(&booth).await.unwrap();
    assert_eq!((seen.shop.as_deref(), seen.watermark_ms, seen.last_error), (Some(fake.base_url.as_str()), Some(newest), None));
    let anonymous = reqwest::get(format!("{url}/api/v1/shopify/status")).await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);

    // A refund webhook wakes the import: it reads the overlap again and
    // records nothing new, then brings the order's change through.
    let refund_hook = br#"{"id": 77, "order_id": 599}"#;
    let ops = storage.op_count().await.unwrap();
    let ran = status.last_run_ms;
    let (code, woke) = post(&url, "refunds/create", refund_hook, &sign(refund_hook)).await;
    assert_eq!((code, woke["import_woken"].as_bool()), (200, Some(true)), "{woke}");
    wait_until(|| async { import::status(&storage).await.unwrap() }, |s| s.last_run_ms > ran).await;
    assert_eq!(storage.op_count().await.unwrap(), ops, "a re-import stores nothing");
    let later = newest + 3_600_000;
    fake.put_orders([fake_shopify::refund(orders(599..600).remove(0), 77, later, &[(0, 1, "RETURN")])]);
    post(&url, "refunds/create", refund_hook, &sign(refund_hook)).await;
    wait_until(|| async { import::status(&storage).await.unwrap() }, |s| s.watermark_ms == Some(later)).await;
    assert_eq!(storage.op_count().await.unwrap(), ops + 1);
    sync::sync_once(&booth, &mut |_| {}).await.unwrap();
    assert_eq!(booth.lock().unwrap().product("SOAP").unwrap().on_hand, 5_000 - sold(0..600) + 1);

    // Disconnected: nothing asks Shopify any more.
    import::disconnect(&storage).await.unwrap();
    let asked = fake.requests();
    let (_, woke) = post(&url, "refunds/create", refund_hook, &sign(refund_hook)).await;
    assert_eq!(woke["import_woken"].as_bool(), Some(false));
    assert_eq!(sync::server_shopify_status(&booth).await.unwrap(), Default::default(), "the booth sees the import stopped");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fake.requests(), asked);
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_mid_import_on_the_server_keeps_whole_pages_only() {
    let fake = FakeShopify::start(TOKEN).await;
    fake.put_orders(orders(0..600));
    let dir = tempfile::tempdir().unwrap();
    let key = DeviceKey::load_or_create(&dir.path().join("server.key")).unwrap();
    let storage = AnyStorage::open(&dir.path().join("server.db"), None).await.unwrap();
    owner(&storage).await;
    import::connect(&storage, &key, &fake.base_url, TOKEN, None, Some(START), quick()).await.unwrap();
    let state = wildroot_server::state(storage.clone()).await.unwrap();
    let ops = storage.op_count().await.unwrap();
    // The first page arrives; the second is cut off until the client gives up.
    fake.fail_next([Fault::Pass, Fault::Truncated, Fault::Truncated]);
    let err = import::import_once(&state, &key, quick()).await.unwrap_err();
    assert!(err.to_string().contains("not JSON"), "{err}");
    // A page holds as many orders as fit in Shopify's cost limit.
    let p = i64::from(wildroot_core::shopify::client::orders_page_len(wildroot_core::shopify::import::DEFAULT_API_VERSION).unwrap());
    assert_eq!(storage.op_count().await.unwrap(), ops + p, "exactly the first page is in");
    let status = import::status(&storage).await.unwrap();
    assert_eq!(status.watermark_ms, Some(START + (p - 1) * 60_000));
    assert!(status.last_error.is_some_and(|e| e.contains("not JSON")));

    let run = import::import_once(&state, &key, quick()).await.unwrap().unwrap();
    // From the watermark less five minutes: orders p − 6 to 599.
    let again = 600 - (p - 6);
    assert_eq!((run.pages as i64, run.orders as i64), ((again + p - 1) / p, again));
    assert!(fake.over_cost() == 0 && fake.max_requested_cost() <= 1000);
    assert_eq!(storage.op_count().await.unwrap(), ops + 600);
    assert_eq!(import::status(&storage).await.unwrap().last_error, None);

    // Another key cannot open the token: the run says to connect again.
    let other = DeviceKey::load_or_create(&dir.path().join("other.key")).unwrap();
    let err = import::import_once(&state, &other, quick()).await.unwrap_err();
    assert!(err.to_string().contains("connect again"), "{err}");
}

/// Polls `read` until `done` holds (at most 30 s).
async fn wait_until<T: std::fmt::Debug, F: std::future::Future<Output = T>>(read: impl Fn() -> F, done: impl Fn(&T) -> bool) -> T {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let v = read().await;
        if done(&v) {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "still {v:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Connected with a start years back, the server reads that history with
/// one bulk operation (core's reading, the server's sink); the next run is
/// paged from the watermark and stores nothing new.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_reads_a_long_history_with_one_bulk_operation() {
    let fake = FakeShopify::start(TOKEN).await;
    let long_ago = 1_609_459_200_000; // 2021-01-01
    fake.put_orders((0..700u64).map(|n| {
        let at = long_ago + n as i64 * 86_400_000;
        fake_shopify::order(n, at, at, "buyer@example.com", &[("SOAP", 1, 900)])
    }));
    fake.bulk_polls(1);
    let dir = tempfile::tempdir().unwrap();
    let key = DeviceKey::load_or_create(&dir.path().join("server.key")).unwrap();
    let storage = AnyStorage::open(&dir.path().join("server.db"), None).await.unwrap();
    owner(&storage).await;
    import::connect(&storage, &key, &fake.base_url, TOKEN, None, Some(long_ago), quick()).await.unwrap();
    let state = wildroot_server::state(storage.clone()).await.unwrap();
    let ops = storage.op_count().await.unwrap();
    let run = import::import_once(&state, &key, quick()).await.unwrap().unwrap();
    assert_eq!((run.orders, fake.bulk_runs()), (700, 1), "{run:?}");
    assert_eq!(storage.op_count().await.unwrap(), ops + 700);
    let newest = long_ago + 699 * 86_400_000;
    assert_eq!(import::status(&storage).await.unwrap().watermark_ms, Some(newest));
    let again = import::import_once(&state, &key, quick()).await.unwrap().unwrap();
    assert_eq!((again.orders, fake.bulk_runs()), (1, 1), "paged from the watermark: {again:?}");
    assert_eq!(storage.op_count().await.unwrap(), ops + 700);
}
