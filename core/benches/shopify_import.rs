//! The Shopify import's targets, against the fake Shopify over loopback
//! HTTP, 10,000 orders of 3 lines into a fresh store each run (fetched,
//! parsed, checked, recorded as operations and projected into sales,
//! movements and customers, a page a transaction):
//! - paged and unthrottled: ≤ 5 s (issue 6);
//! - bulk, the fake answering at once: ≤ 10 s (issue 21);
//! - paged under a Standard store's bucket: within 1.2× of its floor, the
//!   total requested cost over the restore rate (issue 21). The bucket is
//!   Standard's (2,000 points) restoring 100 points a second × `SCALE`, so
//!   a run takes seconds, not hours; the ratio is what is compared.
//!
//! `cargo bench -p wildroot-core --bench shopify_import`
#![allow(clippy::expect_used)] // a benchmark that cannot set up has nothing to measure
use criterion::Criterion;
use fake_shopify::{Bucket, FakeShopify};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use wildroot_core::product::NewProduct;
use wildroot_core::shopify::client::{RetryPolicy, ShopifyClient};
use wildroot_core::shopify::import::{import_orders_with, ImportWay};
use wildroot_core::Store;
use wildroot_model::Money;

const ORDERS: u64 = 10_000;
const START: i64 = 1_764_000_000_000;
const SKUS: [&str; 6] = ["SALVE-LAV", "SALVE-HEAL", "SOAP-OAT", "SOAP-LAV", "TINC-CHAM", "LIP-HONEY"];
/// Standard's restore rate is 100 points a second; the bench's is this many times that.
const SCALE: f64 = 1000.0;

fn fake(rt: &tokio::runtime::Runtime) -> FakeShopify {
    let fake = rt.block_on(FakeShopify::start("bench-token"));
    fake.put_orders((0..ORDERS).map(|n| {
        let at = START + n as i64 * 30_000;
        let (a, b, c) = (SKUS[(n % 6) as usize], SKUS[((n / 6) % 6) as usize], SKUS[((n / 36) % 6) as usize]);
        let lines = [(a, 1 + (n % 3) as i64, 1200), (b, 1, 900), (c, 2, 700)];
        fake_shopify::order(n + 1, at, at, &format!("buyer{}@example.com", n % 2000), &lines)
    }));
    fake
}

fn fresh() -> (TempDir, Mutex<Store>) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut s = Store::open(&dir.path().join("bench.db")).expect("a store");
    for sku in SKUS {
        s.add_product(NewProduct { sku: sku.into(), name: sku.into(), price: Money(1200), ..Default::default() }).expect("a product");
    }
    s.configure_shopify_import(Some(START - 1), None, None).expect("import settings");
    (dir, Mutex::new(s))
}

fn import(rt: &tokio::runtime::Runtime, fake: &FakeShopify, store: &Mutex<Store>, way: ImportWay) {
    let mut client = ShopifyClient::new(&fake.base_url, "bench-token", "2026-10", RetryPolicy::default()).expect("a client");
    let report = rt.block_on(import_orders_with(store, &mut client, way, &mut |_| {})).expect("the import");
    assert_eq!(report.recorded as u64, ORDERS);
}

/// Three throttled paged runs: the median time against the floor.
fn throttled_against_the_floor(rt: &tokio::runtime::Runtime) {
    let mut runs = Vec::new();
    for _ in 0..3 {
        let fake = fake(rt);
        let bucket = Bucket { maximum: 2000.0, restore_per_s: 100.0 * SCALE };
        fake.throttle(bucket, bucket.maximum);
        let (_dir, store) = fresh();
        let t = Instant::now();
        import(rt, &fake, &store, ImportWay::Paged);
        let took = t.elapsed().as_secs_f64();
        let floor = (fake.requested_total() as f64 - bucket.maximum).max(0.0) / bucket.restore_per_s;
        runs.push((took, floor, fake.throttled()));
    }
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (took, floor, throttled) = runs[1];
    println!(
        "shopify/paged_10k_throttled: median {took:.2} s against a floor of {floor:.2} s = {:.2}× \
         (Standard bucket, restore ×{SCALE}: {:.0} s and {:.0} s at 100 points/s; {throttled} throttled answers)",
        took / floor,
        took * SCALE,
        floor * SCALE
    );
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime");
    throttled_against_the_floor(&rt);
    let mut c = Criterion::default().configure_from_args();
    let fake = fake(&rt);
    fake.bulk_polls(0);
    let mut g = c.benchmark_group("shopify");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(40));
    for (name, way) in [("paged_10k_unthrottled", ImportWay::Paged), ("bulk_10k", ImportWay::Bulk)] {
        g.bench_function(name, |b| {
            b.iter_batched(
                fresh,
                |(dir, store)| {
                    import(&rt, &fake, &store, way);
                    (dir, store)
                },
                criterion::BatchSize::PerIteration,
            )
        });
    }
    g.finish();
    c.final_summary();
}
