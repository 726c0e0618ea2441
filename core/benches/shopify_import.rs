//! Issue 6's target: 10,000 orders from the (fake) Shopify API, unthrottled,
//! imported into a fresh store in ≤ 5 s: fetched page by page over loopback
//! HTTP, parsed, checked, recorded as operations and projected into sales,
//! movements and customers, each page in its own transaction.
//!
//! `cargo bench -p wildroot-core --bench shopify_import`
#![allow(clippy::expect_used)] // a benchmark that cannot set up has nothing to measure
use criterion::{criterion_group, criterion_main, Criterion};
use fake_shopify::FakeShopify;
use std::sync::Mutex;
use std::time::Duration;
use wildroot_core::product::NewProduct;
use wildroot_core::shopify::client::{RetryPolicy, ShopifyClient};
use wildroot_core::shopify::import::import_orders;
use wildroot_core::Store;
use wildroot_model::Money;

const ORDERS: u64 = 10_000;
const START: i64 = 1_764_000_000_000;

fn import_10k(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let fake = rt.block_on(FakeShopify::start("bench-token"));
    let skus = ["SALVE-LAV", "SALVE-HEAL", "SOAP-OAT", "SOAP-LAV", "TINC-CHAM", "LIP-HONEY"];
    fake.put_orders((0..ORDERS).map(|n| {
        let at = START + n as i64 * 30_000;
        let a = skus[(n % 6) as usize];
        let b = skus[((n / 6) % 6) as usize];
        fake_shopify::order(n + 1, at, at, &format!("buyer{}@example.com", n % 2000), &[(a, 1 + (n % 3) as i64, 1200), (b, 1, 900)])
    }));
    let mut g = c.benchmark_group("shopify");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(40));
    g.bench_function("import_10k_orders", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("a temp dir");
                let mut s = Store::open(&dir.path().join("bench.db")).expect("a store");
                for sku in skus {
                    s.add_product(NewProduct { sku: sku.into(), name: sku.into(), price: Money(1200), ..Default::default() })
                        .expect("a product");
                }
                s.configure_shopify_import(Some(START - 1), None, None).expect("import settings");
                (dir, Mutex::new(s))
            },
            |(dir, store)| {
                let mut client = ShopifyClient::new(&fake.base_url, "bench-token", "2026-10", RetryPolicy::default()).expect("a client");
                let report = rt.block_on(import_orders(&store, &mut client)).expect("the import");
                assert_eq!(report.recorded as u64, ORDERS);
                (dir, store)
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, import_10k);
criterion_main!(benches);
