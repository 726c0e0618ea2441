//! Benchmarks for #25's targets, on the demo shop:
//! - rendering a receipt (any format) ≤ 20 ms: read from the store, then
//!   text, HTML, PDF and ESC/POS;
//! - a sheet of 30 labels as PDF ≤ 300 ms: the label read from its lot's
//!   batch, then drawn 30 times on rectangle stock.
//!
//! `cargo bench -p wildroot-core --bench documents`; criterion prints medians.
#![allow(clippy::unwrap_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use wildroot_core::Store;
use wildroot_model::label::{self, Stock};
use wildroot_model::receipt::{self as fmt, Paper};

fn shop() -> (tempfile::TempDir, Store, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bench.db")).unwrap();
    store.seed_demo().unwrap();
    let sale = store.recent_sales(None, 1).unwrap()[0].receipt_no.clone();
    let lot: String = store.conn().query_row("SELECT lot_code FROM batches ORDER BY made_at_ms LIMIT 1", [], |r| r.get(0)).unwrap();
    (dir, store, sale, lot)
}

fn receipts(c: &mut Criterion) {
    let (_dir, store, sale, _) = shop();
    let mut g = c.benchmark_group("receipt");
    g.bench_function("read", |b| b.iter(|| black_box(store.receipt(&sale).unwrap())));
    g.bench_function("read_and_text", |b| b.iter(|| black_box(fmt::text(&store.receipt(&sale).unwrap(), 48))));
    g.bench_function("read_and_html", |b| b.iter(|| black_box(fmt::html(&store.receipt(&sale).unwrap()))));
    g.bench_function("read_and_pdf", |b| b.iter(|| black_box(fmt::pdf(&store.receipt(&sale).unwrap()))));
    g.bench_function("read_and_escpos_80", |b| b.iter(|| black_box(fmt::escpos(&store.receipt(&sale).unwrap(), Paper::Mm80))));
    g.finish();
}

fn labels(c: &mut Criterion) {
    let (_dir, store, _, lot) = shop();
    let mut g = c.benchmark_group("labels");
    g.bench_function("sheet_of_30_pdf", |b| b.iter(|| black_box(label::pdf(&store.label(&lot).unwrap(), Stock::Rect, 30).unwrap())));
    g.finish();
}

criterion_group!(benches, receipts, labels);
criterion_main!(benches);
