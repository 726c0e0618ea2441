//! Benchmarks for the core's performance targets (issue: core):
//! - committing a durable 5-line cash sale, against raw rusqlite inserts of
//!   the same rows in one transaction, side by side;
//! - product search over 10,000 products;
//! - the sales report by product over 1,000,000 sale lines.
//!
//! `cargo bench -p wildroot-core`; criterion prints medians.
#![allow(clippy::unwrap_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;
use tempfile::TempDir;
use wildroot_core::oplog::apply_foreign;
use wildroot_core::report::GroupBy;
use wildroot_core::sale::{LineRequest, SaleRequest};
use wildroot_core::Store;
use wildroot_model::op::*;
use wildroot_model::{DeviceId, EventId, Hlc, Money, OpId, Operation, ProductId, SaleId, OP_VERSION};

/// A store with `products` products, created as operations of another
/// device applied in one transaction (10,000 durable commits would only
/// measure the disk).
fn shop(products: usize) -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bench.db")).unwrap();
    let device = DeviceId::new();
    let ops: Vec<Operation> = (0..products)
        .map(|i| Operation {
            id: OpId::new(),
            device,
            device_seq: i as i64 + 1,
            hlc: Hlc { ms: 1_767_225_600_000, counter: i as u32 },
            version: OP_VERSION,
            kind: OpKind::ProductCreated(ProductCreated {
                product_id: ProductId::new(),
                fields: ProductFields {
                    sku: Some(format!("SKU-{i:05}")),
                    name: Some(format!(
                        "{} {} {i}",
                        ["Lavender", "Calendula", "Rose", "Oatmeal", "Chamomile"][i % 5],
                        ["Salve", "Soap", "Tincture", "Balm"][i % 4]
                    )),
                    price_cents: Some(500 + (i as i64 % 40) * 50),
                    barcode: Some(format!("086{i:09}")),
                    archived: Some(false),
                    ..Default::default()
                },
            }),
        })
        .collect();
    apply_foreign(&mut store, &ops).unwrap();
    (dir, store)
}

fn five_line_sale() -> SaleRequest {
    SaleRequest {
        lines: (0..5)
            .map(|i| LineRequest {
                key: format!("SKU-{i:05}"),
                qty: 1 + i as i64 % 2,
                unit_price: None,
                discount: None,
                lot: None,
                custom: None,
            })
            .collect(),
        payments: vec![(PayMethod::Cash, Money(100_000))],
        ..Default::default()
    }
}

/// The same rows a 5-line sale writes (sale, lines, movements, payment, log
/// entry, device counters, stock levels and daily rollups), written by hand
/// in one durable transaction.
fn raw_sale(conn: &mut rusqlite::Connection, n: i64, products: &[String]) {
    let tx = conn.transaction().unwrap();
    let sale = SaleId::new().to_string();
    let op = OpId::new().to_string();
    tx.execute(
        "INSERT INTO sales (id, receipt_no, device, at_ms, event_id, customer_id, tax_bp, tax_inclusive, gross_cents, discount_cents, tax_cents, total_cents, change_cents)
         VALUES (?1, ?2, 'd', ?3, NULL, NULL, 0, 0, 5000, 0, 0, 5000, 0)",
        (&sale, format!("R-{n:06}"), n),
    )
    .unwrap();
    for (i, p) in products.iter().enumerate() {
        tx.execute(
            "INSERT INTO sale_lines (sale_id, line_no, product_id, qty, unit_price_cents, gross_cents, discount_cents, tax_cents, net_cents, total_cents, at_ms, event_id)
             VALUES (?1, ?2, ?3, 1, 1000, 1000, 0, 0, 1000, 1000, ?4, NULL)",
            (&sale, i as i64, p, n),
        )
        .unwrap();
        tx.execute(
            "INSERT INTO stock_movements (op_id, line, item_kind, item_id, qty, reason, note, lot_id, at_ms) VALUES (?1, ?2, 'product', ?3, -1, 'sale', NULL, NULL, ?4)",
            (&op, i as i64, p, n),
        )
        .unwrap();
        tx.execute(
            "INSERT INTO stock_levels (item_id, on_hand) VALUES (?1, -1) ON CONFLICT (item_id) DO UPDATE SET on_hand = on_hand - 1",
            [p],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO sales_daily (day, product_id, event_id, units, gross_cents, discount_cents, tax_cents, net_cents, total_cents)
             VALUES ('2026-11-24', ?1, '', 1, 1000, 0, 0, 1000, 1000)
             ON CONFLICT (day, product_id, event_id) DO UPDATE SET units = units + 1, gross_cents = gross_cents + 1000,
                 net_cents = net_cents + 1000, total_cents = total_cents + 1000",
            [p],
        )
        .unwrap();
    }
    tx.execute(
        "INSERT INTO payments_daily (day, method, payments, amount_cents) VALUES ('2026-11-24', 'cash', 1, 5000)
         ON CONFLICT (day, method) DO UPDATE SET payments = payments + 1, amount_cents = amount_cents + 5000",
        [],
    )
    .unwrap();
    tx.execute("INSERT INTO sale_payments (sale_id, n, method, amount_cents, tendered_cents) VALUES (?1, 0, 'cash', 5000, 5000)", [&sale])
        .unwrap();
    tx.execute(
        "INSERT INTO ops (id, device, device_seq, hlc_ms, hlc_counter, version, kind, payload) VALUES (?1, 'd', ?2, ?2, 0, 1, 'sale_completed', ?3)",
        (&op, n, "{\"sale_id\":\"x\",\"lines\":[1,2,3,4,5],\"payments\":[{\"method\":\"cash\"}]}"),
    )
    .unwrap();
    tx.execute("UPDATE local_device SET next_receipt = next_receipt + 1, next_seq = next_seq + 1", []).unwrap();
    tx.commit().unwrap();
}

fn sale_commit(c: &mut Criterion) {
    let mut g = c.benchmark_group("sale_commit");
    g.measurement_time(Duration::from_secs(10));
    let (_dir, mut store) = shop(20);
    g.bench_function("wildroot_sell_5_lines", |b| b.iter(|| black_box(store.sell(five_line_sale()).unwrap())));
    // The same store layout, pragmas and rows, without validation, pricing or operations.
    let (raw_dir, raw_store) = shop(20);
    let products: Vec<String> = raw_store.list_products(None, Some(5)).unwrap().into_iter().map(|p| p.id.to_string()).collect();
    drop(raw_store);
    let mut conn = rusqlite::Connection::open(raw_dir.path().join("bench.db")).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    let mut n = 0;
    g.bench_function("raw_rusqlite_same_rows", |b| {
        b.iter(|| {
            n += 1;
            raw_sale(&mut conn, n, &products)
        })
    });
    g.finish();
}

fn product_search(c: &mut Criterion) {
    let (_dir, store) = shop(10_000);
    let mut g = c.benchmark_group("product_search_10k");
    g.bench_function("name_prefix", |b| b.iter(|| black_box(store.list_products(Some("chamomile t"), Some(50)).unwrap())));
    g.bench_function("sku_prefix", |b| b.iter(|| black_box(store.list_products(Some("SKU-071"), Some(50)).unwrap())));
    g.bench_function("barcode_exact", |b| b.iter(|| black_box(store.list_products(Some("086000004321"), Some(50)).unwrap())));
    g.finish();
}

/// 200,000 five-line sales (1,000,000 lines) over a year, applied as
/// operations from another device, in one transaction. As in real life a
/// market event is one day: Saturday's sales belong to that Saturday's
/// market (52 of them), the rest of the week's to none.
fn million_lines() -> (TempDir, Store) {
    let (dir, mut store) = shop(200);
    let products: Vec<ProductId> = store.list_products(None, None).unwrap().into_iter().map(|p| p.id).collect();
    let device = DeviceId::new();
    let events: Vec<EventId> = (0..52).map(|_| EventId::new()).collect();
    let start = 1_767_225_600_000i64; // 2026-01-01
    let mut ops = Vec::with_capacity(200_000);
    for n in 0..200_000i64 {
        let lines: Vec<SaleLine> = (0..5)
            .map(|k| {
                let p = products[((n * 7 + k * 13) % products.len() as i64) as usize];
                SaleLine {
                    product_id: Some(p),
                    description: None,
                    tax_category: None,
                    tax_bp: None,
                    qty: 1 + k % 3,
                    unit_price_cents: 900,
                    gross_cents: 900 * (1 + k % 3),
                    discount_cents: 0,
                    tax_cents: 0,
                    net_cents: 900 * (1 + k % 3),
                    total_cents: 900 * (1 + k % 3),
                    lots: Vec::new(),
                }
            })
            .collect();
        let total = lines.iter().map(|l| l.total_cents).sum();
        ops.push(Operation {
            id: OpId::new(),
            device,
            device_seq: n + 1,
            hlc: Hlc { ms: start + n * 150_000, counter: 0 },
            version: OP_VERSION,
            kind: OpKind::SaleCompleted(SaleCompleted {
                sale_id: SaleId::new(),
                receipt_no: format!("B-{n:06}"),
                at_ms: start + n * 150_000,
                event_id: {
                    let day = (n * 150_000) / 86_400_000;
                    (day % 7 == 2).then(|| events[(day / 7) as usize % events.len()])
                },
                customer_id: None,
                lines,
                tax_place: None,
                tax_bp: 0,
                tax_inclusive: false,
                gross_cents: total,
                discount_cents: 0,
                tax_cents: 0,
                total_cents: total,
                change_cents: 0,
                payments: vec![Payment {
                    method: PayMethod::Card,
                    amount_cents: total,
                    tendered_cents: total,
                    tender: None,
                    gives_change: false,
                }],
                tip: None,
            }),
        });
    }
    apply_foreign(&mut store, &ops).unwrap();
    (dir, store)
}

fn sales_report(c: &mut Criterion) {
    let (_dir, store) = million_lines();
    let lines: i64 = store.conn().query_row("SELECT COUNT(*) FROM sale_lines", [], |r| r.get(0)).unwrap();
    assert_eq!(lines, 1_000_000);
    let mut g = c.benchmark_group("sales_report_1m_lines");
    g.sample_size(20);
    g.bench_function("by_product", |b| b.iter(|| black_box(store.sales_report(GroupBy::Product, None, None).unwrap())));
    g.bench_function("by_product_one_month", |b| {
        let from = chrono::NaiveDate::from_ymd_opt(2026, 3, 1);
        let to = chrono::NaiveDate::from_ymd_opt(2026, 3, 31);
        b.iter(|| black_box(store.sales_report(GroupBy::Product, from, to).unwrap()))
    });
    g.finish();
}

/// A season of 100 market days (#24) and 40,000 five-line sales at them
/// (200,000 lines), each day with a fee, a commission and a cost: what
/// `report markets` reads. Target: ≤ 100 ms.
fn market_season(c: &mut Criterion) {
    let (_dir, mut store) = shop(200);
    let products: Vec<ProductId> = store.list_products(None, None).unwrap().into_iter().map(|p| p.id).collect();
    let device = DeviceId::new();
    let start = 1_767_225_600_000i64; // 2026-01-01
    let events: Vec<EventId> = (0..100).map(|_| EventId::new()).collect();
    let mut ops = Vec::new();
    let mut seq = 0i64;
    let mut next = |kind: OpKind, at: i64, ops: &mut Vec<Operation>| {
        seq += 1;
        ops.push(Operation { id: OpId::new(), device, device_seq: seq, hlc: Hlc { ms: at, counter: 0 }, version: OP_VERSION, kind });
    };
    for (i, e) in events.iter().enumerate() {
        let at = start + i as i64 * 3 * 86_400_000;
        let date = chrono::DateTime::from_timestamp_millis(at).unwrap().format("%Y-%m-%d").to_string();
        let terms = EventTerms {
            place: None,
            fee_cents: Some(4000),
            commission: Some(Commission { bp: 1000, base: CommissionBase::Gross }),
            minutes_worked: Some(420),
        };
        let opened = EventOpened {
            event_id: *e,
            name: format!("Market {i}"),
            location: String::new(),
            date,
            float_cents: 0,
            opened_at_ms: at,
            planned: true,
            terms,
        };
        next(OpKind::EventOpened(opened), at, &mut ops);
        next(OpKind::EventCostAdded(EventCostAdded { event_id: *e, amount_cents: 1500, note: "gas".into(), at_ms: at }), at, &mut ops);
    }
    for n in 0..40_000i64 {
        let event = (n % 100) as usize;
        let at = start + event as i64 * 3 * 86_400_000 + (n / 100) * 60_000;
        let lines: Vec<SaleLine> = (0..5)
            .map(|k| {
                let p = products[((n * 7 + k * 13) % products.len() as i64) as usize];
                SaleLine {
                    product_id: Some(p),
                    description: None,
                    tax_category: None,
                    tax_bp: None,
                    qty: 1,
                    unit_price_cents: 900,
                    gross_cents: 900,
                    discount_cents: 0,
                    tax_cents: 0,
                    net_cents: 900,
                    total_cents: 900,
                    lots: Vec::new(),
                }
            })
            .collect();
        let sale = SaleCompleted {
            sale_id: SaleId::new(),
            receipt_no: format!("M-{n:06}"),
            at_ms: at,
            event_id: Some(events[event]),
            customer_id: None,
            lines,
            tax_place: None,
            tax_bp: 0,
            tax_inclusive: false,
            gross_cents: 4500,
            discount_cents: 0,
            tax_cents: 0,
            total_cents: 4500,
            change_cents: 0,
            payments: vec![Payment {
                method: PayMethod::Card,
                amount_cents: 4500,
                tendered_cents: 4500,
                tender: None,
                gives_change: false,
            }],
            tip: None,
        };
        next(OpKind::SaleCompleted(sale), at, &mut ops);
    }
    apply_foreign(&mut store, &ops).unwrap();
    let r = store.market_results(Some(2026)).unwrap();
    assert_eq!(r.markets.len(), 100);
    assert_eq!(r.net_sales_cents, 40_000 * 4500);
    let mut g = c.benchmark_group("report_markets_100_events_200k_lines");
    g.sample_size(20);
    g.bench_function("season", |b| b.iter(|| black_box(store.market_results(Some(2026)).unwrap())));
    g.finish();
}

criterion_group!(benches, sale_commit, product_search, sales_report, market_season);
criterion_main!(benches);
