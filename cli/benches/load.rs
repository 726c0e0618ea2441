//! Load: 50 devices syncing at once against a real `wildroot serve` process
//! on loopback for 60 s, on SQLite and (when given) PostgreSQL. Each
//! device rings up sales in its own local store and pushes and pulls as
//! fast as the server answers, with a short pause between rounds. Reported:
//! p50/p99 push and pull latency, operations stored, errors (there must be
//! none), and the server's resident memory (sampled, and its peak).
//!
//! `cargo bench -p wildroot --bench load`
//! `WILDROOT_BENCH_DATABASE_URL=$(./scripts/test-postgres) cargo bench -p wildroot --bench load`
//! `LOAD_DEVICES`, `LOAD_SECONDS`, `LOAD_PAUSE_MS` change the shape.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wildroot_core::product::NewProduct;
use wildroot_core::sale::{LineRequest, SaleRequest};
use wildroot_core::sync::{self, SyncClient};
use wildroot_core::Store;
use wildroot_model::op::PayMethod;
use wildroot_model::Money;

const BIN: &str = env!("CARGO_BIN_EXE_wildroot");

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wildroot(db: &Path, database_url: Option<&str>, args: &[&str], stdin: &str) {
    let mut cmd = Command::new(BIN);
    cmd.arg("--db").arg(db).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    if let Some(u) = database_url {
        cmd.env("WILDROOT_DATABASE_URL", u);
    }
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{args:?}: {}{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
}

fn serve(db: &Path, database_url: Option<&str>) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.args(["--db", db.to_str().unwrap(), "serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    if let Some(u) = database_url {
        cmd.env("WILDROOT_DATABASE_URL", u);
    }
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("the server exited before it listened").unwrap();
        if let Some(rest) = line.strip_prefix("Wildroot server on ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            eprintln!("server: {line}");
        }
    });
    // The server made its database; now it has an owner to log in as.
    wildroot(db, database_url, &["server", "user", "add", "--email", "owner@load.test", "--role", "owner"], "load test password\n");
    Server { child, url }
}

/// (resident, peak resident) of a process, in MiB, from /proc.
fn memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[derive(Default)]
struct Tally {
    push: Vec<Duration>,
    pull: Vec<Duration>,
    pushed_ops: usize,
    pulled_ops: usize,
    errors: Vec<String>,
}

async fn device(url: String, db: std::path::PathBuf, name: String, until: Instant, pause: Duration, tally: Arc<Mutex<Tally>>) {
    let store = Arc::new(Mutex::new(Store::open(&db).unwrap()));
    sync::login(&store, &url, "owner@load.test", "load test password", &name).await.unwrap();
    let sku = format!("SALVE-{name}");
    {
        let mut s = store.lock().unwrap();
        s.add_product(NewProduct { sku: sku.clone(), name: "Salve".into(), price: Money(1400), ..Default::default() }).unwrap();
        s.adjust_product(&sku, 1_000_000, "stock").unwrap();
    }
    let token = store.lock().unwrap().sync_config().unwrap().unwrap().device_token;
    let client = SyncClient::new(&url).unwrap();
    let (mut pushed_seq, mut after) = (0i64, 0i64);
    let mut round = 0u64;
    while Instant::now() < until {
        round += 1;
        let ops = {
            let mut s = store.lock().unwrap();
            for _ in 0..1 + round % 3 {
                s.sell(SaleRequest {
                    lines: vec![LineRequest { key: sku.clone(), qty: 1, unit_price: None, discount: None, lot: None, custom: None }],
                    payments: vec![(PayMethod::Cash, Money(2000))],
                    ..Default::default()
                })
                .unwrap();
            }
            s.pending_ops(sync::PAGE).unwrap().into_iter().filter(|o| o.device_seq > pushed_seq).collect::<Vec<_>>()
        };
        let n = ops.len();
        let last = ops.last().map_or(pushed_seq, |o| o.device_seq);
        let started = Instant::now();
        match client.push(&token, ops).await {
            Ok(resp) if resp.acked.len() == n => {
                let took = started.elapsed();
                pushed_seq = last;
                let mut t = tally.lock().unwrap();
                t.push.push(took);
                t.pushed_ops += n;
            }
            Ok(resp) => tally.lock().unwrap().errors.push(format!("{name}: {} of {n} acked, refused {:?}", resp.acked.len(), resp.refused)),
            Err(e) => tally.lock().unwrap().errors.push(format!("{name} push: {e}")),
        }
        loop {
            let started = Instant::now();
            match client.pull(&token, after, 500).await {
                Ok(page) => {
                    let took = started.elapsed();
                    let mut t = tally.lock().unwrap();
                    t.pull.push(took);
                    t.pulled_ops += page.ops.len();
                    after = page.next_after;
                    if !page.more {
                        break;
                    }
                }
                Err(e) => {
                    tally.lock().unwrap().errors.push(format!("{name} pull: {e}"));
                    break;
                }
            }
        }
        tokio::time::sleep(pause).await;
    }
}

fn run(backend: &str, database_url: Option<&str>, devices: usize, seconds: u64, pause: Duration) {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&dir.path().join("server.db"), database_url);
    let pid = server.child.id();
    let (idle_rss, _) = memory_mib(pid);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let tally = Arc::new(Mutex::new(Tally::default()));
    let until = Instant::now() + Duration::from_secs(seconds);
    let sampled = Arc::new(Mutex::new(Vec::<f64>::new()));
    let sampler = {
        let sampled = sampled.clone();
        std::thread::spawn(move || {
            while Instant::now() < until {
                sampled.lock().unwrap().push(memory_mib(pid).0);
                std::thread::sleep(Duration::from_millis(500));
            }
        })
    };
    rt.block_on(async {
        let tasks: Vec<_> = (0..devices)
            .map(|d| {
                let name = format!("D{d:02}");
                tokio::spawn(device(server.url.clone(), dir.path().join(format!("{name}.db")), name, until, pause, tally.clone()))
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    sampler.join().unwrap();
    let (end_rss, peak) = memory_mib(pid);
    let mut t = std::mem::take(&mut *tally.lock().unwrap());
    t.push.sort();
    t.pull.sort();
    let samples = sampled.lock().unwrap().clone();
    let mut sorted_rss = samples.clone();
    sorted_rss.sort_by(f64::total_cmp);
    println!(
        "{backend}: {devices} devices for {seconds} s: {} pushes, {} operations stored ({:.0}/s); push p50 {:.1} ms p99 {:.1} ms; \
         {} pulls, {} operations served; pull p50 {:.1} ms p99 {:.1} ms; errors {}; server memory idle {idle_rss:.0} MiB, \
         median under load {:.0} MiB, at the end {end_rss:.0} MiB, peak {peak:.0} MiB",
        t.push.len(),
        t.pushed_ops,
        t.pushed_ops as f64 / seconds as f64,
        percentile(&t.push, 0.5),
        percentile(&t.push, 0.99),
        t.pull.len(),
        t.pulled_ops,
        percentile(&t.pull, 0.5),
        percentile(&t.pull, 0.99),
        t.errors.len(),
        sorted_rss.get(sorted_rss.len() / 2).copied().unwrap_or(f64::NAN),
    );
    for e in t.errors.iter().take(10) {
        println!("  error: {e}");
    }
    assert!(t.errors.is_empty(), "the server must answer every device");
    assert!(t.pushed_ops > 0);
}

/// A fresh schema of the PostgreSQL at `WILDROOT_BENCH_DATABASE_URL`.
fn postgres_url() -> Option<String> {
    let base = std::env::var("WILDROOT_BENCH_DATABASE_URL").ok()?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        client.batch_execute("DROP SCHEMA IF EXISTS load_bench CASCADE; CREATE SCHEMA load_bench").await.unwrap();
    });
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-csearch_path%3Dload_bench"))
}

fn main() {
    // `cargo test --benches` runs this with --test: a short smoke run only.
    let smoke = std::env::args().any(|a| a == "--test");
    let devices = env_or("LOAD_DEVICES", if smoke { 4 } else { 50 }) as usize;
    let seconds = env_or("LOAD_SECONDS", if smoke { 2 } else { 60 });
    let pause = Duration::from_millis(env_or("LOAD_PAUSE_MS", 100));
    run("SQLite", None, devices, seconds, pause);
    match postgres_url() {
        Some(url) => run("PostgreSQL", Some(&url), devices, seconds, pause),
        None => println!("PostgreSQL: set WILDROOT_BENCH_DATABASE_URL=postgres://… to measure it"),
    }
}
