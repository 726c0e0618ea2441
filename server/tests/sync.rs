//! Devices syncing through a real server on 127.0.0.1, every store a real
//! SQLite file: convergence, refusals, revocation, bootstrap, idempotency,
//! gaps and paging.
//!
//! The server's storage is SQLite, or PostgreSQL when
//! `WILDROOT_TEST_DATABASE_URL` is set (each test then gets its own schema):
//! `scripts/test` runs this suite against both.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use tempfile::TempDir;
use wildroot_core::oplog::{dump_tables, replay_check, totals_check};
use wildroot_core::product::{NewProduct, ProductEdit};
use wildroot_core::sale::{LineRequest, SaleRequest};
use wildroot_core::sync::{self, SyncClient};
use wildroot_core::{CoreError, Store};
use wildroot_model::op::PayMethod;
use wildroot_model::sync::{NewUserRequest, Role, WireOp};
use wildroot_model::Money;
use wildroot_server::any::AnyStorage;
use wildroot_server::storage::Storage;

struct Server {
    url: String,
    storage: AnyStorage,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    dir: TempDir,
}

impl Server {
    async fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(dir, 0).await
    }

    async fn start_in(dir: TempDir, port: u16) -> Server {
        let storage = AnyStorage::open(&dir.path().join("server.db"), postgres_schema(&dir).await.as_deref()).await.unwrap();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let s = storage.clone();
        let task = tokio::spawn(async move {
            wildroot_server::serve(s, listener, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        Server { url, storage, stop: Some(stop), task: Some(task), dir }
    }

    async fn user(&self, email: &str, role: Role) {
        let hash = wildroot_server::auth::hash_password("pw-").unwrap();
        self.storage.add_user(email, &hash, role).await.unwrap();
    }

    /// Stops the server and waits until its port is free.
    async fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.unwrap();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// With `WILDROOT_TEST_DATABASE_URL` set, a URL for a schema of this test's
/// own (named after its temporary directory, so a restart finds it again).
async fn postgres_schema(dir: &TempDir) -> Option<String> {
    let base = std::env::var("WILDROOT_TEST_DATABASE_URL").ok()?;
    let name: String = dir.path().file_name()?.to_string_lossy().chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let schema = format!("test_{}", name.to_ascii_lowercase());
    let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    client.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}")).await.unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-csearch_path%3D{schema}"))
}

struct Device {
    store: Arc<Mutex<Store>>,
    _dir: TempDir,
}

impl Device {
    fn new() -> Device {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("device.db")).unwrap();
        Device { store: Arc::new(Mutex::new(store)), _dir: dir }
    }

    async fn login(server: &Server, email: &str, name: &str) -> Device {
        Self::login_with(server, email, "pw-", name).await
    }

    async fn login_with(server: &Server, email: &str, password: &str, name: &str) -> Device {
        let d = Device::new();
        sync::login(&d.store, &server.url, email, password, name).await.unwrap();
        d
    }

    fn s(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap()
    }

    async fn sync(&self) -> Result<wildroot_model::views::SyncReport, CoreError> {
        sync::sync_once(&self.store, &mut |_| {}).await
    }

    fn tables(&self) -> Vec<(String, Vec<String>)> {
        dump_tables(self.s().conn()).unwrap()
    }

    fn on_hand(&self, sku: &str) -> i64 {
        self.s().product(sku).unwrap().on_hand
    }

    fn sell(&self, sku: &str, qty: i64, cash: i64) {
        self.s()
            .sell(SaleRequest {
                lines: vec![LineRequest { key: sku.into(), qty, unit_price: None, discount: None, lot: None, custom: None }],
                payments: vec![(PayMethod::Cash, Money(cash))],
                ..Default::default()
            })
            .unwrap();
    }
}

/// An owner device with one product in stock, synced.
async fn owner_shop(server: &Server) -> Device {
    server.user("owner@shop.test", Role::Owner).await;
    let owner = Device::login(server, "owner@shop.test", "Laptop").await;
    {
        let mut s = owner.s();
        s.add_product(NewProduct { sku: "SALVE".into(), name: "Salve".into(), price: Money(1400), ..Default::default() }).unwrap();
        s.adjust_product("SALVE", 1, "first count").unwrap();
    }
    owner.sync().await.unwrap();
    owner
}

fn assert_converged(devices: &[&Device]) {
    let first = devices[0].tables();
    for d in devices {
        assert_eq!(d.tables(), first, "devices differ");
        assert_eq!(replay_check(&d.s()).unwrap(), None);
        assert_eq!(totals_check(d.s().conn()).unwrap(), None);
    }
}

#[tokio::test]
async fn two_booths_sell_the_last_jar_offline_and_converge() {
    let server = Server::start().await;
    let owner = owner_shop(&server).await;
    server.user("vendor@shop.test", Role::Vendor).await;
    let booth = Device::login(&server, "vendor@shop.test", "Booth phone").await;
    booth.sync().await.unwrap();
    assert_eq!(booth.on_hand("SALVE"), 1);

    // No signal: both sell the last jar.
    owner.sell("SALVE", 1, 1400);
    booth.sell("SALVE", 1, 2000);
    // The network comes back, in any order.
    booth.sync().await.unwrap();
    owner.sync().await.unwrap();
    booth.sync().await.unwrap();
    assert_eq!(owner.on_hand("SALVE"), -1, "both sales count: oversold, not lost");
    assert_converged(&[&owner, &booth]);
    let alerts = booth.s().alerts().unwrap();
    assert!(alerts.iter().any(|a| a.item == "SALVE" && format!("{:?}", a.kind) == "Oversold"));
}

#[tokio::test]
async fn concurrent_price_edits_end_on_one_value_everywhere() {
    let server = Server::start().await;
    let laptop = owner_shop(&server).await;
    let phone = Device::login(&server, "owner@shop.test", "Owner phone").await;
    phone.sync().await.unwrap();
    laptop.s().edit_product("SALVE", ProductEdit { price: Some(Money(1500)), ..Default::default() }).unwrap();
    phone
        .s()
        .edit_product("SALVE", ProductEdit { price: Some(Money(1600)), name: Some("Big Salve".into()), ..Default::default() })
        .unwrap();
    phone.sync().await.unwrap();
    laptop.sync().await.unwrap();
    phone.sync().await.unwrap();
    assert_converged(&[&laptop, &phone]);
    let p = laptop.s().product("SALVE").unwrap();
    assert!(p.price_cents == 1500 || p.price_cents == 1600);
    assert_eq!(p.name, "Big Salve");
}

#[tokio::test]
async fn a_vendor_price_edit_is_refused_with_a_reason_while_its_sales_land() {
    let server = Server::start().await;
    let owner = owner_shop(&server).await;
    server.user("vendor@shop.test", Role::Vendor).await;
    let booth = Device::login(&server, "vendor@shop.test", "Booth").await;
    booth.sync().await.unwrap();
    // Signed in as a vendor, the device itself refuses owner-only changes.
    let local = booth.s().edit_product("SALVE", ProductEdit { price: Some(Money(100)), ..Default::default() }).unwrap_err();
    assert!(local.to_string().contains("signed in as a vendor: a vendor may not edit products"), "{local}");
    // The server is the authority all the same: a device that believes it
    // is the owner (an older build, a tampered file) is refused there.
    booth.s().conn().execute("UPDATE sync_state SET role = 'owner'", []).unwrap();
    booth.s().adjust_product("SALVE", 10, "found a box").unwrap();
    booth.s().edit_product("SALVE", ProductEdit { price: Some(Money(100)), ..Default::default() }).unwrap();
    booth.sell("SALVE", 2, 5000);
    let report = booth.sync().await.unwrap();
    let kinds: Vec<&str> = report.refused.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, vec!["stock_adjusted", "product_edited"]);
    assert!(report.refused[1].reason.contains("a vendor may not edit products"), "{}", report.refused[1].reason);
    // The booth's tables no longer include what was refused; the sale stays.
    let p = booth.s().product("SALVE").unwrap();
    assert_eq!((p.price_cents, p.on_hand), (1400, -1));
    let status = booth.s().sync_status().unwrap();
    assert_eq!((status.state.as_str(), status.pending, status.refused.len()), ("synced", 0, 2));
    owner.sync().await.unwrap();
    assert_eq!(owner.on_hand("SALVE"), -1);
    assert_converged(&[&owner, &booth]);
    // Refusals are final: the next sync pushes nothing and refuses nothing new.
    let again = booth.sync().await.unwrap();
    assert_eq!((again.pushed, again.refused.len()), (0, 0));
}

#[tokio::test]
async fn a_revoked_device_is_refused() {
    let server = Server::start().await;
    let owner = owner_shop(&server).await;
    let spare = Device::login(&server, "owner@shop.test", "Old tablet").await;
    spare.sync().await.unwrap();
    let id = spare.s().device().to_string();
    let client = SyncClient::new(&server.url).unwrap();
    let session = client.login("owner@shop.test", "pw-").await.unwrap();
    client.revoke_device(&session.token, &id[..13]).await.unwrap();
    let err = spare.sync().await.unwrap_err();
    assert!(matches!(&err, CoreError::Server { status: 401, code, .. } if code == "revoked"), "{err}");
    assert_eq!(spare.s().sync_status().unwrap().state, "offline");
    owner.sync().await.unwrap();
    let devices = client.list_devices(&session.token).await.unwrap();
    assert!(devices.iter().any(|d| d.device_id.to_string() == id && d.revoked));
}

#[tokio::test]
async fn a_new_device_bootstraps_the_whole_history_in_pages() {
    let server = Server::start().await;
    let owner = owner_shop(&server).await;
    owner.s().adjust_product("SALVE", 2000, "big batch").unwrap();
    for _ in 0..1100 {
        owner.sell("SALVE", 1, 1400);
    }
    owner.sync().await.unwrap();
    let fresh = Device::login(&server, "owner@shop.test", "New phone").await;
    let mut pages = Vec::new();
    sync::sync_once(&fresh.store, &mut |p| pages.push(p)).await.unwrap();
    let pulled: Vec<bool> =
        pages.iter().filter_map(|p| if let sync::Progress::Pulled { more, .. } = p { Some(*more) } else { None }).collect();
    assert!(pulled.len() >= 2 && pulled[0] && !pulled[pulled.len() - 1], "pulled in pages: {pages:?}");
    assert_eq!(fresh.on_hand("SALVE"), 1 + 2000 - 1100);
    assert_converged(&[&owner, &fresh]);
}

#[tokio::test]
async fn repeated_pushes_store_each_operation_once() {
    let server = Server::start().await;
    let owner = owner_shop(&server).await;
    owner.sell("SALVE", 1, 1400);
    let token = owner.s().sync_config().unwrap().unwrap().device_token;
    let ops: Vec<WireOp> = owner.s().pending_ops(100).unwrap();
    let client = SyncClient::new(&server.url).unwrap();
    // The response was lost after the server committed: the device pushes again.
    let first = client.push(&token, ops.clone()).await.unwrap();
    let second = client.push(&token, ops).await.unwrap();
    assert_eq!(first, second);
    let count = server.storage.op_count().await.unwrap();
    owner.sync().await.unwrap();
    assert_eq!(server.storage.op_count().await.unwrap(), count);
    assert_eq!(owner.s().sync_status().unwrap().pending, 0);
}

#[tokio::test]
async fn a_gap_in_a_device_sequence_is_reported_not_stored() {
    let server = Server::start().await;
    let owner = owner_shop(&server).await;
    owner.sell("SALVE", 1, 1400);
    owner.sell("SALVE", 1, 1400);
    let token = owner.s().sync_config().unwrap().unwrap().device_token;
    let ops = owner.s().pending_ops(100).unwrap();
    let client = SyncClient::new(&server.url).unwrap();
    let resp = client.push(&token, vec![ops[1].clone()]).await.unwrap();
    assert_eq!(resp.expected_seq, Some(ops[0].device_seq));
    assert!(resp.acked.is_empty());
    owner.sync().await.unwrap();
    assert_eq!(owner.s().sync_status().unwrap().pending, 0);
}

#[tokio::test]
async fn pages_end_exactly_on_a_multiple_of_the_page_size() {
    let server = Server::start().await;
    let owner = owner_shop(&server).await; // 2 operations
    owner.s().adjust_product("SALVE", 1, "x").unwrap();
    owner.s().adjust_product("SALVE", 1, "y").unwrap();
    owner.sync().await.unwrap();
    let token = owner.s().sync_config().unwrap().unwrap().device_token;
    let client = SyncClient::new(&server.url).unwrap();
    let p1 = client.pull(&token, 0, 2).await.unwrap();
    assert!(p1.more);
    let p2 = client.pull(&token, p1.next_after, 2).await.unwrap();
    assert_eq!((p2.ops.len(), p2.more), (2, false));
    let p3 = client.pull(&token, p2.next_after, 2).await.unwrap();
    assert_eq!((p3.ops.len(), p3.more, p3.next_after), (0, false, p2.next_after));
}

#[tokio::test]
async fn bad_tokens_and_clocks_get_clear_refusals() {
    let server = Server::start().await;
    let owner = owner_shop(&server).await;
    let client = SyncClient::new(&server.url).unwrap();
    let err = client.pull("wrd_nope", 0, 10).await.unwrap_err();
    assert!(matches!(&err, CoreError::Server { status: 401, .. }), "{err}");
    let err = client.login("owner@shop.test", "wrong").await.unwrap_err();
    assert!(err.to_string().contains("wrong email or password"), "{err}");
    let err = client.list_devices("not-a-jwt").await.unwrap_err();
    assert!(matches!(&err, CoreError::Server { status: 401, .. }), "{err}");
    // A device whose clock ran a year ahead is not stuck until real time
    // catches up: what it stamped that far ahead of the server (which the
    // server therefore never took) is stamped again from the server's
    // clock, in order, and goes through.
    let ahead = owner.s().now_ms() + 365 * 86_400_000;
    owner.s().set_clock(Some(ahead));
    owner.sell("SALVE", 1, 1400);
    owner.s().set_clock(None);
    assert!(owner.s().checkup().unwrap().clock_ahead_ms.is_some(), "doctor tells of the stored clock");
    owner.sell("SALVE", 1, 1400);
    let report = owner.sync().await.unwrap();
    assert!(report.clock_recovered, "{report:?}");
    assert_eq!(owner.s().sync_status().unwrap().pending, 0);
    assert_eq!(owner.s().checkup().unwrap().clock_ahead_ms, None);
    let fresh = Device::login(&server, "owner@shop.test", "Another laptop").await;
    fresh.sync().await.unwrap();
    assert_converged(&[&owner, &fresh]);
    // The two sales kept their order: the one made first is stamped first.
    let stamps: Vec<(i64, u32)> = owner
        .s()
        .conn()
        .prepare("SELECT hlc_ms, hlc_counter FROM ops WHERE kind = 'sale_completed' ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(stamps.windows(2).all(|w| w[0] < w[1]), "{stamps:?}");
}

#[tokio::test]
async fn the_background_loop_syncs_after_a_change_and_survives_the_server_going_away() {
    let mut server = Server::start().await;
    let owner = owner_shop(&server).await;
    let looped = Device::login(&server, "owner@shop.test", "Tablet").await;
    let engine = sync::SyncLoop::spawn(looped.store.clone(), std::time::Duration::from_millis(200), std::time::Duration::from_secs(1));
    owner.sell("SALVE", 1, 1400);
    owner.sync().await.unwrap();
    wait_for(|| looped.on_hand("SALVE") == 0).await;
    // The server goes away: the loop records the failure and keeps going.
    let port: u16 = server.url.rsplit(':').next().unwrap().parse().unwrap();
    server.stop().await;
    looped.sell("SALVE", 1, 1400);
    engine.sync_now();
    wait_for(|| looped.s().sync_status().unwrap().state == "offline").await;
    // It comes back on the same address: the sale goes through.
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let _server = Server::start_in(dir, port).await;
    wait_for(|| looped.s().sync_status().unwrap().state == "synced").await;
    engine.stop().await;
}

async fn wait_for(mut cond: impl FnMut() -> bool) {
    for _ in 0..200 {
        if cond() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("condition not met within 10 s");
}

#[tokio::test]
async fn a_shelf_count_is_a_difference_so_sales_elsewhere_still_count() {
    let server = Server::start().await;
    let laptop = owner_shop(&server).await; // 1 on hand
    laptop.s().adjust_product("SALVE", 9, "delivery").unwrap();
    laptop.sync().await.unwrap();
    let booth = Device::login(&server, "owner@shop.test", "Booth").await;
    booth.sync().await.unwrap();
    // Offline: the booth sells 3 while the owner counts the shelf at home.
    booth.sell("SALVE", 3, 5000);
    laptop.s().count_product("SALVE", 12).unwrap(); // it knew 10: +2
    booth.sync().await.unwrap();
    laptop.sync().await.unwrap();
    booth.sync().await.unwrap();
    assert_eq!(laptop.on_hand("SALVE"), 10 + 2 - 3);
    assert_converged(&[&laptop, &booth]);
}

/// The pitfall of server sequences taken before commit: a pull running
/// while pushes commit out of order must never step past an operation that
/// commits later. Many devices push at once while another keeps pulling; if
/// anything were skipped, the puller would end with fewer than the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pulls_during_concurrent_pushes_miss_nothing() {
    let server = Server::start().await;
    let owner = owner_shop(&server).await;
    let mut pushers = Vec::new();
    for i in 0..6 {
        let d = Device::login(&server, "owner@shop.test", &format!("Till {i}")).await;
        d.sync().await.unwrap();
        for _ in 0..60 {
            d.sell("SALVE", 1, 1400);
        }
        pushers.push(d);
    }
    let watcher = Device::login(&server, "owner@shop.test", "Watcher").await;
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (w, flag) = (watcher.store.clone(), done.clone());
    let pulling = tokio::spawn(async move {
        while !flag.load(std::sync::atomic::Ordering::Relaxed) {
            let _ = sync::sync_once(&w, &mut |_| {}).await;
        }
    });
    let tasks: Vec<_> = pushers
        .iter()
        .map(|d| {
            let store = d.store.clone();
            tokio::spawn(async move {
                // Small pushes, so commits of different devices interleave.
                loop {
                    let ops = store.lock().unwrap().pending_ops(5).unwrap();
                    if ops.is_empty() {
                        break;
                    }
                    let cfg = store.lock().unwrap().sync_config().unwrap().unwrap();
                    let resp = SyncClient::new(&cfg.server_url).unwrap().push(&cfg.device_token, ops).await.unwrap();
                    store.lock().unwrap().record_push(&resp).unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    pulling.await.unwrap();
    watcher.sync().await.unwrap();
    let stored = server.storage.op_count().await.unwrap();
    let applied: i64 = watcher.s().conn().query_row("SELECT COUNT(*) FROM ops WHERE applied = 1", [], |r| r.get(0)).unwrap();
    assert_eq!(applied, stored, "the watcher skipped operations committed late");
    assert_eq!(watcher.on_hand("SALVE"), 1 - 6 * 60);
    owner.sync().await.unwrap();
    assert_converged(&[&owner, &watcher]);
}

#[tokio::test]
async fn health_metrics_and_the_api_description_are_served() {
    let server = Server::start().await;
    let owner = owner_shop(&server).await;
    owner.sell("SALVE", 1, 1400);
    owner.sync().await.unwrap();
    let http = reqwest::Client::new();
    let health: serde_json::Value = http.get(format!("{}/health", server.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let metrics = http.get(format!("{}/metrics", server.url)).send().await.unwrap().text().await.unwrap();
    let value = |name: &str| -> f64 {
        metrics.lines().find(|l| l.starts_with(&format!("{name} "))).and_then(|l| l.split(' ').nth(1)).and_then(|v| v.parse().ok()).unwrap()
    };
    assert_eq!(value("wildroot_ops_received_total"), 3.0);
    assert_eq!(value("wildroot_devices_seen"), 1.0);
    assert!(value("wildroot_push_seconds_count") >= 2.0 && value("wildroot_pull_seconds_count") >= 2.0);
    let api: serde_json::Value = http.get(format!("{}/api/v1/openapi.json", server.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(api["openapi"], "3.0.3");
    for path in ["/api/v1/auth/login", "/api/v1/devices", "/api/v1/devices/{id}/revoke", "/api/v1/sync/push", "/api/v1/sync/pull"] {
        assert!(api["paths"][path].is_object(), "{path} is not described");
    }
    // A body that is not JSON gets a clear 400, not a 500.
    let token = owner.s().sync_config().unwrap().unwrap().device_token;
    let resp = http.post(format!("{}/api/v1/sync/push", server.url)).bearer_auth(&token).body("{not json").send().await.unwrap();
    assert_eq!(resp.status(), 400);
    let err: serde_json::Value = resp.json().await.unwrap();
    assert!(err["message"].as_str().unwrap().contains("push is not valid"), "{err}");
}

/// With PostgreSQL under test: `sslmode=require` connects over TLS verified
/// against the given CA, and the same server is refused without that CA
/// (its certificate is then from an unknown issuer).
#[tokio::test]
#[ignore = "needs PostgreSQL with TLS: WILDROOT_TEST_DATABASE_URL and WILDROOT_TEST_DATABASE_CA (scripts/test runs it)"]
async fn postgres_over_tls_is_verified() {
    let base = std::env::var("WILDROOT_TEST_DATABASE_URL").expect("WILDROOT_TEST_DATABASE_URL: this test needs PostgreSQL");
    let ca = std::env::var("WILDROOT_TEST_DATABASE_CA").expect("WILDROOT_TEST_DATABASE_CA: the CA of the test PostgreSQL");
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}sslmode=require");
    let pg = wildroot_server::postgres::PgStorage::connect_with_ca(&url, Some(std::path::Path::new(&ca))).await.unwrap();
    pg.op_count().await.unwrap();
    let err = wildroot_server::postgres::PgStorage::connect_with_ca(&url, None).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("UnknownIssuer"), "connected without trusting the CA, or failed otherwise: {err}");
}

#[tokio::test]
async fn password_guessing_is_slowed_down() {
    let server = Server::start().await;
    server.user("owner@shop.test", Role::Owner).await;
    let client = SyncClient::new(&server.url).unwrap();
    for _ in 0..wildroot_server::state::MAX_FAILED_LOGINS {
        let err = client.login("Owner@shop.test", "guess").await.unwrap_err();
        assert!(matches!(&err, CoreError::Server { status: 401, .. }), "{err}");
    }
    // Locked out now, even with the right password; other users are not.
    let err = client.login("owner@shop.test", "pw-").await.unwrap_err();
    assert!(matches!(&err, CoreError::Server { status: 429, .. }), "{err}");
    assert!(err.to_string().contains("try again in 15 minutes"), "{err}");
    // Another spelling of the same address is no way round the lockout:
    // only plain ASCII is an email here, on both backends.
    for spelling in ["\u{212A}owner@shop.test".replace("\u{212A}o", "\u{212A}"), "OWNER@SHOP.TEST ".into(), "ｏwner@shop.test".into()] {
        let err = client.login(&spelling, "pw-").await.unwrap_err();
        assert!(matches!(&err, CoreError::Server { status: 429 | 400, .. }), "{spelling}: {err}");
    }
    server.user("booth@shop.test", Role::Vendor).await;
    client.login("booth@shop.test", "pw-").await.unwrap();
}

/// `wildroot server backup` of the SQLite backend (on PostgreSQL, the
/// README's pg_dump/pg_restore): a server started from the copy serves the
/// whole history, with the same logins.
#[tokio::test]
async fn a_server_restored_from_its_backup_serves_everything() {
    let server = Server::start().await;
    let AnyStorage::Sqlite(sqlite) = &server.storage else {
        return a_postgres_server_restored_with_pg_restore_serves_everything(server).await;
    };
    let owner = owner_shop(&server).await;
    owner.sell("SALVE", 1, 1400);
    owner.sync().await.unwrap();
    let copy = tempfile::tempdir().unwrap();
    sqlite.backup_to(&copy.path().join("server.db")).await.unwrap();
    assert!(sqlite.backup_to(&copy.path().join("server.db")).await.is_err(), "never overwrites");
    let restored = Server::start_in(copy, 0).await;
    let fresh = Device::login(&restored, "owner@shop.test", "Replacement laptop").await;
    fresh.sync().await.unwrap();
    assert_eq!(fresh.on_hand("SALVE"), owner.on_hand("SALVE"));
    assert_converged(&[&owner, &fresh]);
}

/// The README's PostgreSQL procedure: `pg_dump -Fc`, the data lost, then
/// `pg_restore` into the emptied database; the server starts on it and a
/// new device gets everything.
async fn a_postgres_server_restored_with_pg_restore_serves_everything(mut server: Server) {
    let base = std::env::var("WILDROOT_TEST_DATABASE_URL").unwrap();
    let schema = format!(
        "test_{}",
        server.dir.path().file_name().unwrap().to_string_lossy().chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>()
    )
    .to_ascii_lowercase();
    let owner = owner_shop(&server).await;
    owner.sell("SALVE", 1, 1400);
    owner.sync().await.unwrap();
    let dump = server.dir.path().join("wildroot.dump");
    let ran = std::process::Command::new("pg_dump").args(["-Fc", "-n", &schema, "-f"]).arg(&dump).arg(&base).status().unwrap();
    assert!(ran.success(), "pg_dump failed");
    server.stop().await;
    let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await.unwrap();
    let ran = std::process::Command::new("pg_restore").args(["--no-owner", "-d", &base]).arg(&dump).status().unwrap();
    assert!(ran.success(), "pg_restore failed");
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let restored = Server::start_in(dir, 0).await;
    let fresh = Device::login(&restored, "owner@shop.test", "Replacement laptop").await;
    fresh.sync().await.unwrap();
    assert_eq!(fresh.on_hand("SALVE"), owner.on_hand("SALVE"));
    assert_converged(&[&owner, &fresh]);
}

#[tokio::test]
async fn the_owner_adds_and_lists_users_and_a_vendor_may_not() {
    let server = Server::start().await;
    server.user("owner@shop.test", Role::Owner).await;
    let client = SyncClient::new(&server.url).unwrap();
    let owner = client.login("owner@shop.test", "pw-").await.unwrap();
    let req = |email: &str, password: &str, role| NewUserRequest { email: email.into(), password: password.into(), role };
    let users = client.add_user(&owner.token, &req(" Sam@Shop.test ", "market-days", Role::Vendor)).await.unwrap();
    let emails: Vec<(&str, Role)> = users.iter().map(|u| (u.email.as_str(), u.role)).collect();
    assert_eq!(emails, vec![("owner@shop.test", Role::Owner), ("sam@shop.test", Role::Vendor)]);
    // The new vendor signs in with the password the owner gave.
    let sam = Device::login_with(&server, "sam@shop.test", "market-days", "Booth phone").await;
    assert_eq!(client.list_users(&owner.token).await.unwrap()[1].devices, 1);
    for (bad, status) in [
        (req("sam@shop.test", "another-one", Role::Vendor), 409),
        (req("not-an-email", "long-enough", Role::Vendor), 400),
        (req("jo@shop.test", "short", Role::Vendor), 400),
    ] {
        let err = client.add_user(&owner.token, &bad).await.unwrap_err();
        assert!(matches!(&err, CoreError::Server { status: s, .. } if *s == status), "{err}");
    }
    let vendor = client.login("sam@shop.test", "market-days").await.unwrap();
    let err = client.add_user(&vendor.token, &req("mallory@shop.test", "long-enough", Role::Owner)).await.unwrap_err();
    assert!(matches!(&err, CoreError::Server { status: 403, .. }), "{err}");
    assert!(client.list_users(&vendor.token).await.is_err());
    assert_eq!(client.list_users(&owner.token).await.unwrap().len(), 2);
    drop(sam);
}

/// A Shopify order's operation id is derived from the order, so two owner
/// devices importing the same orders push the same operations: the server
/// keeps each once and both devices' pushes go through.
#[tokio::test]
async fn the_same_shopify_order_from_two_devices_is_stored_once() {
    use wildroot_model::shopify::{ShopifyCustomer, ShopifyLine, ShopifyOrder};
    let server = Server::start().await;
    let laptop = owner_shop(&server).await;
    laptop.s().adjust_product("SALVE", 9, "restock").unwrap();
    laptop.sync().await.unwrap();
    let office = Device::login(&server, "owner@shop.test", "Office").await;
    office.sync().await.unwrap();
    let t0 = laptop.s().now_ms();
    let orders: Vec<ShopifyOrder> = (0..3)
        .map(|n| ShopifyOrder {
            gid: format!("gid://shopify/Order/{}", 900 + n),
            name: format!("#{}", 1900 + n),
            created_at_ms: t0,
            updated_at_ms: t0 + n,
            cancelled_at_ms: None,
            financial_status: "PAID".into(),
            currency: "USD".into(),
            total_cents: 1400,
            customer: Some(ShopifyCustomer { name: "Ana Silva".into(), email: Some("ana@example.com".into()) }),
            lines: vec![ShopifyLine {
                gid: format!("gid://shopify/LineItem/{n}"),
                sku: Some("SALVE".into()),
                variant_gid: None,
                qty: 1,
                unit_price_cents: 1400,
            }],
            refunds: vec![],
        })
        .collect();
    laptop.s().record_shopify_orders(&orders, t0 + 2).unwrap();
    office.s().record_shopify_orders(&orders, t0 + 2).unwrap();
    // Something of each device's own behind the shared operations.
    laptop.sell("SALVE", 1, 1400);
    office.sell("SALVE", 1, 1400);
    let before = server.storage.op_count().await.unwrap();
    laptop.sync().await.unwrap();
    office.sync().await.unwrap();
    laptop.sync().await.unwrap();
    // Three orders once, and the two sales.
    assert_eq!(server.storage.op_count().await.unwrap(), before + 5);
    for d in [&laptop, &office] {
        assert_eq!(d.s().sync_status().unwrap().pending, 0);
        assert_eq!(d.on_hand("SALVE"), 10 - 3 - 2);
    }
    assert_converged(&[&laptop, &office]);
}

/// A signed-in vendor device pushing crafted sales with its own token: the
/// server judges their content (`bounds::check`), refuses them with a
/// reason, and no other device's books break.
#[tokio::test]
async fn a_vendor_device_cannot_push_crafted_sales() {
    let server = Server::start().await;
    let owner = owner_shop(&server).await;
    server.user("vendor@shop.test", Role::Vendor).await;
    let booth = Device::login(&server, "vendor@shop.test", "Booth").await;
    booth.sync().await.unwrap();
    booth.sell("SALVE", 1, 1400);
    let token = booth.s().sync_config().unwrap().unwrap().device_token;
    let sale = booth.s().pending_ops(10).unwrap().into_iter().find(|o| o.kind == "sale_completed").unwrap();
    let client = SyncClient::new(&server.url).unwrap();
    type Craft = Box<dyn Fn(&mut serde_json::Value)>;
    let crafted: [(&str, Craft); 3] = [
        ("units sold of -500", Box::new(|p| p["lines"][0]["qty"] = (-500).into())),
        ("a line's total", Box::new(|p| p["lines"][0]["total_cents"] = i64::MAX.into())),
        ("what the payments paid", Box::new(|p| p["payments"][0]["amount_cents"] = 1.into())),
    ];
    for (n, (why, change)) in crafted.into_iter().enumerate() {
        let mut op = sale.clone();
        // Each crafted operation its own, in the device's series (a refusal
        // is final and takes its number).
        op.id = wildroot_model::OpId::new();
        op.device_seq += n as i64;
        let mut payload = op.payload_value().unwrap();
        change(&mut payload);
        op.set_payload(&payload);
        let resp = client.push(&token, vec![op]).await.unwrap();
        assert!(resp.acked.is_empty(), "{why}: {resp:?}");
        assert_eq!(resp.refused.len(), 1, "{why}");
        assert!(resp.refused[0].reason.contains(why), "{why}: {}", resp.refused[0].reason);
    }
    owner.sync().await.unwrap();
    assert_eq!(owner.on_hand("SALVE"), owner.s().product("SALVE").unwrap().on_hand);
    assert_eq!(owner.s().books_check().unwrap(), None);
    owner.s().sales_report(wildroot_core::report::GroupBy::Day, None, None).unwrap();
}

/// The steps, on either backend: the server is put back to a backup
/// (`wildroot server backup restore`: the copy in place and a new epoch)
/// while devices carry on; after they sync, every sale made anywhere is on
/// every device and on the server, once.
#[tokio::test]
async fn a_server_restored_from_an_old_backup_loses_no_sale() {
    let mut server = Server::start().await;
    let laptop = owner_shop(&server).await;
    server.user("vendor@shop.test", Role::Vendor).await;
    let booth = Device::login(&server, "vendor@shop.test", "Booth").await;
    booth.sync().await.unwrap();
    let port: u16 = server.url.rsplit(':').next().unwrap().parse().unwrap();
    let base = std::env::var("WILDROOT_TEST_DATABASE_URL").ok();
    let backup = tempfile::tempdir().unwrap();
    let backup_file = backup.path().join("server-backup");
    match (&server.storage, &base) {
        (AnyStorage::Sqlite(sqlite), _) => sqlite.backup_to(&backup_file).await.unwrap(),
        (_, Some(base)) => {
            let ran = std::process::Command::new("pg_dump")
                .args(["-Fc", "-n", &pg_schema(&server), "-f"])
                .arg(&backup_file)
                .arg(base)
                .status()
                .unwrap();
            assert!(ran.success(), "pg_dump failed");
        }
        _ => unreachable!("PostgreSQL storage without its URL"),
    }
    for _ in 0..3 {
        laptop.sell("SALVE", 1, 1400);
    }
    laptop.sync().await.unwrap();
    for _ in 0..2 {
        booth.sell("SALVE", 1, 1400);
    }
    booth.sync().await.unwrap();
    let before = server.storage.op_count().await.unwrap();

    server.stop().await;
    let dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    drop(server); // its storage too: the database must be closed to be replaced
    let db = dir.path().join("server.db");
    let url = match &base {
        None => {
            wildroot_server::sqlite::restore_file(&db, &backup_file).unwrap();
            None
        }
        Some(_) => {
            let url = postgres_schema(&dir).await.unwrap();
            wildroot_server::postgres::restore_dump(&url, &backup_file).unwrap();
            Some(url)
        }
    };
    {
        let storage = AnyStorage::open(&db, url.as_deref()).await.unwrap();
        wildroot_server::new_epoch(&storage).await.unwrap();
    }
    let restored = Server::start_in(dir, port).await;
    assert!(restored.storage.op_count().await.unwrap() < before, "the server went back");

    laptop.sell("SALVE", 1, 1400);
    let report = laptop.sync().await.unwrap();
    assert!(report.server_restored, "{report:?}");
    let report = booth.sync().await.unwrap();
    assert!(report.server_restored, "{report:?}");
    laptop.sync().await.unwrap();
    let sales = |d: &Device| d.s().recent_sales(None, 1000).unwrap().len();
    assert_eq!((sales(&laptop), sales(&booth)), (6, 6), "every sale on every device");
    assert_eq!(restored.storage.op_count().await.unwrap(), before + 1, "every operation on the server once");
    assert_converged(&[&laptop, &booth]);
    let fresh = Device::login(&restored, "owner@shop.test", "New laptop").await;
    fresh.sync().await.unwrap();
    assert_converged(&[&laptop, &booth, &fresh]);
}

/// The schema a test's PostgreSQL storage lives in.
fn pg_schema(server: &Server) -> String {
    format!(
        "test_{}",
        server.dir.path().file_name().unwrap().to_string_lossy().chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>()
    )
    .to_ascii_lowercase()
}

/// A device's own operations come back from a pull named only (it pushed
/// them, so it holds them). A device restored alone from an old backup
/// (the phone lost) lacks some: it asks for those pages in full and gets
/// them back, so no sale is lost and none counted twice.
#[tokio::test]
async fn own_operations_come_back_named_and_a_restored_device_gets_them_in_full() {
    let server = Server::start().await;
    let owner = owner_shop(&server).await;
    owner.s().adjust_product("SALVE", 20, "batch").unwrap();
    owner.sell("SALVE", 1, 1400);
    owner.sync().await.unwrap();
    let path = owner._dir.path().join("device.db");
    let backup = owner._dir.path().join("old.db");
    owner.s().backup_to(&backup).unwrap();
    owner.sell("SALVE", 2, 2800);
    owner.sell("SALVE", 3, 4200);
    owner.sync().await.unwrap();
    let config = owner.s().sync_config().unwrap().unwrap();
    let me = owner.s().device();

    // On the wire: asked brief, this device's operations are named only.
    let client = SyncClient::new(&server.url).unwrap();
    let brief = client.pull_with(&config.device_token, 0, 1000, wildroot_model::sync::OwnOps::Brief).await.unwrap();
    let full = client.pull(&config.device_token, 0, 1000).await.unwrap();
    assert!(brief.ops.iter().all(|o| o.op.device != me) && brief.own_device == Some(me));
    assert_eq!((brief.own.len(), brief.next_after), (full.ops.len(), full.next_after), "all of it is this device's");
    assert!(full.own.is_empty() && full.ops.iter().all(|o| o.op.device == me));

    // The phone is lost; the shop comes back from the old backup alone.
    *owner.s() = Store::open_in_memory().unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    wildroot_core::backup::restore(&path, &backup).unwrap();
    let mut restored = Store::open(&path).unwrap();
    if restored.sync_config().unwrap().is_some_and(|c| c.device_token.is_empty()) {
        restored.connect(&config).unwrap();
    }
    let sales = |s: &Store| s.conn().query_row("SELECT COUNT(*) FROM sales", [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(sales(&restored), 1, "the backup was made after the first sale");
    *owner.s() = restored;
    let report = owner.sync().await.unwrap();
    assert_eq!(sales(&owner.s()), 3, "the two later sales came back: {report:?}");
    assert_eq!(owner.on_hand("SALVE"), 1 + 20 - 6);
    let fresh = Device::login(&server, "owner@shop.test", "New phone").await;
    fresh.sync().await.unwrap();
    assert_converged(&[&owner, &fresh]);
}
