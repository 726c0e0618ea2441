//! Sync performance on loopback (issue: sync). A plain harness, not
//! criterion: each figure is an end-to-end run, repeated, median reported.
//!
//! `cargo bench -p wildroot-server --bench sync`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wildroot_core::product::NewProduct;
use wildroot_core::sale::{LineRequest, SaleRequest};
use wildroot_core::sync::{self, gzip, SyncClient};
use wildroot_core::Store;
use wildroot_model::op::PayMethod;
use wildroot_model::sync::{PushRequest, Role, WireOp, PROTOCOL_VERSION};
use wildroot_model::Money;
use wildroot_server::any::AnyStorage;
use wildroot_server::storage::Storage;

const RUNS: usize = 5;

/// The allocator of every Wildroot binary: the app and the CLI (the
/// devices here) and the server.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A fresh schema of the PostgreSQL at `WILDROOT_BENCH_DATABASE_URL`.
async fn postgres_url(run: &str) -> Option<String> {
    let base = std::env::var("WILDROOT_BENCH_DATABASE_URL").ok()?;
    let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    let schema = format!("bench_{run}");
    client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).await.unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-csearch_path%3D{schema}"))
}

async fn server(dir: &std::path::Path, database_url: Option<String>) -> (String, AnyStorage, tokio::sync::oneshot::Sender<()>) {
    let storage = AnyStorage::open(&dir.join("server.db"), database_url.as_deref()).await.unwrap();
    let hash = wildroot_server::auth::hash_password("benchmark").unwrap();
    storage.add_user("owner@bench", &hash, Role::Owner).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let s = storage.clone();
    tokio::spawn(async move {
        wildroot_server::serve(s, listener, async {
            let _ = stopped.await;
        })
        .await
        .unwrap()
    });
    (url, storage, stop)
}

/// A device with `n` operations made offline: one product, its stock, sales.
fn offline_device(dir: &std::path::Path, name: &str, n: usize) -> Arc<Mutex<Store>> {
    let mut s = Store::open(&dir.join(format!("{name}.db"))).unwrap();
    s.add_product(NewProduct { sku: "SALVE".into(), name: "Salve".into(), price: Money(1400), ..Default::default() }).unwrap();
    s.adjust_product("SALVE", n as i64, "stock").unwrap();
    for _ in 0..n - 2 {
        s.sell(SaleRequest {
            lines: vec![LineRequest { key: "SALVE".into(), qty: 1, unit_price: None, discount: None, lot: None, custom: None }],
            payments: vec![(PayMethod::Cash, Money(2000))],
            ..Default::default()
        })
        .unwrap();
    }
    Arc::new(Mutex::new(s))
}

/// The whole round trip, and the push and pull halves of it.
async fn push_then_pull(n: usize) -> (Duration, Duration, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let (url, _storage, stop) = server(dir.path(), None).await;
    let a = offline_device(dir.path(), "a", n);
    sync::login(&a, &url, "owner@bench", "benchmark", "A").await.unwrap();
    let b = Arc::new(Mutex::new(Store::open(&dir.path().join("b.db")).unwrap()));
    sync::login(&b, &url, "owner@bench", "benchmark", "B").await.unwrap();
    let started = Instant::now();
    let pushed = sync::sync_once(&a, &mut |_| {}).await.unwrap();
    let push_took = started.elapsed();
    let pulled = sync::sync_once(&b, &mut |_| {}).await.unwrap();
    let took = started.elapsed();
    assert_eq!((pushed.pushed, pulled.applied), (n, n));
    let _ = stop.send(());
    (took, push_took, took - push_took)
}

/// Pre-built sale operations of one device, as its app would push them.
fn device_ops(n: usize) -> (Store, Vec<WireOp>) {
    let mut s = Store::open_in_memory().unwrap();
    s.add_product(NewProduct { sku: "SALVE".into(), name: "Salve".into(), price: Money(1400), ..Default::default() }).unwrap();
    for _ in 0..n - 1 {
        s.sell(SaleRequest {
            lines: vec![
                LineRequest { key: "SALVE".into(), qty: 2, unit_price: None, discount: None, lot: None, custom: None },
                LineRequest { key: "SALVE".into(), qty: 1, unit_price: Some(Money(1200)), discount: None, lot: None, custom: None },
            ],
            payments: vec![(PayMethod::Cash, Money(5000))],
            ..Default::default()
        })
        .unwrap();
    }
    let ops = s.pending_ops(n).unwrap();
    (s, ops)
}

async fn concurrent_ingest(devices: usize, per_device: usize, database_url: Option<String>) -> (Duration, usize) {
    let dir = tempfile::tempdir().unwrap();
    let (url, storage, stop) = server(dir.path(), database_url).await;
    let user = storage.user_by_email("owner@bench").await.unwrap().unwrap();
    let mut work = Vec::new();
    for d in 0..devices {
        let (store, ops) = device_ops(per_device);
        let token = format!("wrd_bench_{d}");
        storage.register_device(store.device(), user.id, &format!("d{d}"), &wildroot_server::auth::token_hash(&token)).await.unwrap();
        work.push((token, ops));
    }
    let started = Instant::now();
    let tasks: Vec<_> = work
        .into_iter()
        .map(|(token, ops)| {
            let client = SyncClient::new(&url).unwrap();
            tokio::spawn(async move {
                for chunk in ops.chunks(sync::PAGE) {
                    let resp = client.push(&token, chunk.to_vec()).await.unwrap();
                    assert_eq!(resp.acked.len(), chunk.len());
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let took = started.elapsed();
    let stored = storage.op_count().await.unwrap() as usize;
    let _ = stop.send(());
    (took, stored)
}

/// A new device joining a shop with `n` operations in its server's log:
/// sign-in done, the time of its first sync (the bootstrap), per run.
async fn bootstrap(n: usize, runs: usize) -> Vec<Duration> {
    let dir = tempfile::tempdir().unwrap();
    let (url, storage, stop) = server(dir.path(), None).await;
    let user = storage.user_by_email("owner@bench").await.unwrap().unwrap();
    let (shop, ops) = device_ops(n);
    let token = "wrd_bench_shop";
    storage.register_device(shop.device(), user.id, "shop", &wildroot_server::auth::token_hash(token)).await.unwrap();
    let client = SyncClient::new(&url).unwrap();
    for chunk in ops.chunks(sync::PAGE) {
        assert_eq!(client.push(token, chunk.to_vec()).await.unwrap().acked.len(), chunk.len());
    }
    let mut times = Vec::new();
    for run in 0..runs {
        let device = Arc::new(Mutex::new(Store::open(&dir.path().join(format!("new-{run}.db"))).unwrap()));
        sync::login(&device, &url, "owner@bench", "benchmark", &format!("New {run}")).await.unwrap();
        let started = Instant::now();
        let pulled = sync::sync_once(&device, &mut |_| {}).await.unwrap();
        times.push(started.elapsed());
        assert_eq!(pulled.applied, n);
    }
    let _ = stop.send(());
    times
}

fn main() {
    // `cargo test --benches` runs this with --test: a smoke run only.
    let smoke = std::env::args().any(|a| a == "--test");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let runs = if smoke { 1 } else { RUNS };
    let n = if smoke { 200 } else { 10_000 };

    let n = std::env::var("SYNC_OPS").ok().and_then(|v| v.parse().ok()).unwrap_or(n);
    let times: Vec<_> = (0..runs).map(|_| rt.block_on(push_then_pull(n))).collect();
    println!(
        "push {n} offline operations from one device, pull them on another: median {:.3} s over {runs} runs (push {:.3} s, pull and apply {:.3} s; target ≤ 0.5 s)",
        median(times.iter().map(|t| t.0).collect()).as_secs_f64(),
        median(times.iter().map(|t| t.1).collect()).as_secs_f64(),
        median(times.iter().map(|t| t.2).collect()).as_secs_f64(),
    );
    if std::env::var_os("SYNC_ONLY_ROUND_TRIP").is_some() {
        return;
    }

    let boot = std::env::var("BOOTSTRAP_OPS").ok().and_then(|v| v.parse().ok()).unwrap_or(if smoke { 500 } else { 100_000 });
    let boot_runs = if smoke { 1 } else { 3 };
    let times = rt.block_on(bootstrap(boot, boot_runs));
    println!(
        "a new device's first sync of a shop with {boot} operations (two-line sales): median {:.2} s over {boot_runs} runs (target ≤ 5 s)",
        median(times).as_secs_f64()
    );

    let (devices, per) = if smoke { (4, 50) } else { (20, 1000) };
    let postgres = std::env::var("WILDROOT_BENCH_DATABASE_URL").is_ok();
    for backend in ["SQLite", "PostgreSQL"] {
        if backend == "PostgreSQL" && !postgres {
            println!("PostgreSQL ingest: set WILDROOT_BENCH_DATABASE_URL=postgres://… to measure it");
            continue;
        }
        let mut rates = Vec::new();
        for run in 0..runs {
            let url = if backend == "PostgreSQL" { rt.block_on(postgres_url(&format!("r{run}"))) } else { None };
            let (took, stored) = rt.block_on(concurrent_ingest(devices, per, url));
            assert_eq!(stored, devices * per);
            rates.push(Duration::from_secs_f64(took.as_secs_f64() / stored as f64));
        }
        println!(
            "{devices} devices pushing {per} operations each concurrently, {backend}: median ingest {:.0} operations/s over {runs} runs (target ≥ 5,000 on SQLite)",
            1.0 / median(rates).as_secs_f64()
        );
    }

    let (_s, ops) = device_ops(501);
    let one = serde_json::to_vec(&PushRequest { protocol: PROTOCOL_VERSION, ops: vec![ops[1].clone()] }).unwrap();
    let batch = serde_json::to_vec(&PushRequest { protocol: PROTOCOL_VERSION, ops: ops[1..].to_vec() }).unwrap();
    println!(
        "a typical two-line cash sale on the wire: {} bytes as JSON, {} gzipped alone, {} per sale gzipped in a push of 500",
        one.len(),
        gzip(&one).unwrap().len(),
        gzip(&batch).unwrap().len() / 500
    );
}
