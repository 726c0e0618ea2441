//! Lots (issue 8) against real stores: first-expired-first-out selling,
//! first-in-first-out supply costing with yield and waste, recall traces,
//! and the property that lot choices made offline converge on every device.
use proptest::prelude::*;
use std::collections::{BTreeSet, HashMap};
use wildroot_core::batch::ProduceRequest;
use wildroot_core::customer::CustomerInput;
use wildroot_core::oplog::{all_ops, apply_foreign, dump_tables, replay_check, totals_check};
use wildroot_core::product::NewProduct;
use wildroot_core::sale::{LineRequest, SaleRequest};
use wildroot_core::supply::NewSupply;
use wildroot_core::{CoreError, Store};
use wildroot_model::op::{OpKind, PayMethod};
use wildroot_model::views::AlertKind;
use wildroot_model::{Money, Unit};

type R = Result<(), CoreError>;

const DAY: i64 = 86_400_000;
/// 2027-01-01, a Friday.
const START: i64 = 1_798_761_600_000;

fn sale(sku: &str, qty: i64, lot: Option<&str>, customer: Option<&str>) -> SaleRequest {
    SaleRequest {
        lines: vec![LineRequest { key: sku.into(), qty, unit_price: None, discount: None, lot: lot.map(str::to_string), custom: None }],
        payments: vec![(PayMethod::Cash, Money(100_000))],
        customer: customer.map(str::to_string),
        ..Default::default()
    }
}

fn produce(s: &mut Store, lot: &str, expires: &str, made: Option<i64>) -> Result<wildroot_model::views::BatchView, CoreError> {
    s.produce(ProduceRequest {
        sku: "SALVE".into(),
        batches: 1,
        lot_code: Some(lot.into()),
        expires_on: Some(expires.parse().map_err(|_| CoreError::Invalid(expires.into()))?),
        made,
        ..Default::default()
    })
}

/// Beeswax in two purchases at different prices, a salve of 100 g a batch of 10.
fn shop(s: &mut Store) -> R {
    s.set_clock(Some(START));
    s.add_supply(NewSupply { name: "Beeswax".into(), unit: Some(Unit::G), supplier: Some("Hive Co".into()), ..Default::default() })?;
    s.receive_supply("Beeswax", "150g", Money(300), Some("BW-0411"))?; // 2¢/g
    s.set_clock(Some(START + 1000));
    s.receive_supply("Beeswax", "1kg", Money(5000), Some("BW-0412"))?; // 5¢/g
    s.add_product(NewProduct { sku: "SALVE".into(), name: "Lavender Salve".into(), price: Money(1400), ..Default::default() })?;
    s.set_recipe("SALVE", 10, &[("Beeswax".into(), "100g".into())])?;
    Ok(())
}

#[test]
fn a_batch_costs_the_supply_lots_it_consumed_oldest_first_and_waste_raises_the_unit_cost() -> R {
    let mut s = Store::open_in_memory()?;
    shop(&mut s)?;
    let plan = s.plan_batch("SALVE", 2)?;
    let uses: Vec<(String, i64)> = plan.lines[0].lots.iter().map(|l| (l.lot_code.clone(), l.qty)).collect();
    assert_eq!(uses, [("BW-0411".to_string(), 150), ("BW-0412".to_string(), 50)]);
    // 150 g at 2¢ + 50 g at 5¢ = 5.50, not 200 g at the 4.61¢ average.
    assert_eq!(plan.cost_cents, 550);
    let made = s.produce(ProduceRequest { sku: "SALVE".into(), batches: 2, made: Some(18), ..Default::default() })?;
    assert_eq!((made.output_qty, made.expected_qty, made.cost_cents, made.unit_cost_cents), (18, Some(20), 550, 31));
    // The next batch starts where that one stopped: the old lot is used up.
    let next = s.plan_batch("SALVE", 1)?;
    assert_eq!(next.lines[0].lots.iter().map(|l| l.lot_code.as_str()).collect::<Vec<_>>(), ["BW-0412"]);
    assert_eq!(next.cost_cents, 500);
    let lots = s.list_lots("Beeswax", true)?;
    assert_eq!(lots.iter().map(|l| (l.lot_code.as_str(), l.on_hand)).collect::<Vec<_>>(), [("BW-0411", 0), ("BW-0412", 950)]);
    assert!(s.list_lots("Beeswax", false)?.iter().all(|l| l.on_hand != 0));
    // A count that is not a count is refused and nothing changes.
    let before = dump_tables(s.conn())?;
    assert!(s.produce(ProduceRequest { sku: "SALVE".into(), batches: 1, made: Some(-1), ..Default::default() }).is_err());
    assert_eq!(dump_tables(s.conn())?, before);
    assert_eq!(replay_check(&s)?, None);
    Ok(())
}

#[test]
fn a_sale_takes_the_earliest_expiring_lot_unless_one_is_picked_and_refunds_go_back_to_it() -> R {
    let mut s = Store::open_in_memory()?;
    shop(&mut s)?;
    s.receive_supply("Beeswax", "1kg", Money(5000), None)?;
    produce(&mut s, "LATE", "2027-09-01", None)?;
    produce(&mut s, "SOON", "2027-03-01", None)?;
    produce(&mut s, "GONE", "2026-12-31", None)?; // already expired on START
    let on_hand = |s: &Store| -> Result<Vec<(String, i64)>, CoreError> {
        Ok(s.list_lots("SALVE", true)?.into_iter().map(|l| (l.lot_code, l.on_hand)).collect())
    };
    s.sell(sale("SALVE", 12, None, None))?;
    // Unexpired first by expiry, then the expired lot last.
    assert_eq!(on_hand(&s)?, [("SOON".into(), 0), ("LATE".into(), 8), ("GONE".into(), 10)]);
    let picked = s.sell(sale("SALVE", 1, Some("GONE"), None))?;
    assert_eq!(on_hand(&s)?[2], ("GONE".into(), 9));
    s.refund(&picked.receipt_no, None, true)?;
    assert_eq!(on_hand(&s)?[2], ("GONE".into(), 10));
    // A lot of another product, or none, is refused with the reason.
    let err = s.sell(sale("SALVE", 1, Some("BW-0412"), None)).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("BW-0412 of SALVE"), "{err}");
    // Selling past every lot leaves the rest unassigned, not invented.
    let big = s.sell(sale("SALVE", 30, None, None))?;
    assert!(big.oversold.contains(&"SALVE".to_string()));
    assert!(on_hand(&s)?.iter().all(|(_, n)| *n == 0));
    // A recall of any of these lots warns of the 12 units no lot covered.
    let soon = s.trace_product_lot("SOON")?;
    assert_eq!(soon.unassigned_units, 12);
    assert!(soon.unassigned_note().is_some_and(|n| n.starts_with("12 unit(s) of Lavender Salve")));
    assert_eq!(replay_check(&s)?, None);
    assert_eq!(totals_check(s.conn())?, None);
    Ok(())
}

/// A label's code (#25) carries the product and the lot: scanning it sells
/// from that exact lot, not the first to expire, so a recall of that lot
/// names who bought the jar. By GTIN (as printed, or as a scanner's raw
/// string) or, for a product with no GTIN, by SKU; a bad code says why.
#[test]
fn a_scanned_label_sells_from_its_own_lot_and_the_recall_finds_the_buyer() -> R {
    use wildroot_core::product::ProductEdit;
    use wildroot_model::gs1;
    let mut s = Store::open_in_memory()?;
    shop(&mut s)?;
    s.receive_supply("Beeswax", "1kg", Money(5000), None)?;
    produce(&mut s, "SOON", "2027-03-01", None)?;
    produce(&mut s, "LATE", "2027-09-01", None)?;
    s.add_customer(CustomerInput { name: Some("Ada".into()), email: Some("ada@example.com".into()), ..Default::default() })?;
    let late = chrono::NaiveDate::from_ymd_opt(2027, 9, 1);
    // No GTIN yet: the label carries the SKU (AI 240).
    let by_sku = gs1::printed_code(None, "SALVE", Some("LATE"), late);
    assert!(by_sku.starts_with("(240)SALVE"));
    s.sell(sale(&by_sku, 1, None, Some("ada@example.com")))?;
    // With a GTIN-13 barcode, as the label prints it and as a scanner sends it raw.
    s.edit_product("SALVE", ProductEdit { barcode: Some("0860001010015".into()), ..Default::default() })?;
    let printed = gs1::printed_code(Some("0860001010015"), "SALVE", Some("LATE"), late);
    assert_eq!(printed, "(01)00860001010015(17)270901(10)LATE");
    s.sell(sale(&printed, 2, None, None))?;
    s.sell(sale("]C1010086000101001517270901\u{1d}10LATE", 1, None, None))?;
    let left: Vec<(String, i64)> = s.list_lots("SALVE", true)?.into_iter().map(|l| (l.lot_code, l.on_hand)).collect();
    assert_eq!(left, [("SOON".into(), 10), ("LATE".into(), 6)], "every jar from the lot on its label, none first-expired");
    let recall = s.trace_product_lot("LATE")?;
    assert_eq!(recall.sales.iter().map(|t| t.qty).sum::<i64>(), 4);
    assert!(recall.sales.iter().any(|t| t.customer.as_deref() == Some("Ada")), "{:?}", recall.sales);
    // The booth's search finds the product by the code.
    assert_eq!(s.list_products(Some(&printed), Some(50))?.iter().map(|p| p.sku.as_str()).collect::<Vec<_>>(), ["SALVE"]);
    // Bad codes say what is wrong and sell nothing.
    let before = dump_tables(s.conn())?;
    for (bad, says) in [
        ("(01)00860001010010(10)LATE", "check digit"),
        ("(01)00860001010022(10)LATE", "no product has this GTIN"),
        ("(01)00860001010015(10)NOPE", "NOPE of SALVE"),
    ] {
        let err = s.sell(sale(bad, 1, None, None)).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains(says), "{bad}: {err}");
    }
    assert_eq!(dump_tables(s.conn())?, before);
    assert_eq!(replay_check(&s)?, None);
    Ok(())
}

#[test]
fn recall_names_exactly_the_customers_of_a_year_of_production_and_sales() -> R {
    // A year of a small shop: beeswax bought monthly, a batch every week,
    // a few sales a day to regulars and walk-ins. The test keeps its own
    // books of which lot fed which batch and which batch each sale took
    // from, by the rules (FIFO in, FEFO out), and the recall must match.
    let mut s = Store::open_in_memory()?;
    s.set_clock(Some(START));
    s.add_supply(NewSupply { name: "Beeswax".into(), unit: Some(Unit::G), supplier: Some("Hive Co".into()), ..Default::default() })?;
    s.add_product(NewProduct { sku: "SALVE".into(), name: "Lavender Salve".into(), price: Money(1400), ..Default::default() })?;
    s.set_recipe("SALVE", 24, &[("Beeswax".into(), "340g".into())])?;
    let emails: Vec<String> = (0..40).map(|i| format!("regular{i}@example.com")).collect();
    for e in &emails {
        s.add_customer(CustomerInput { name: Some(e.clone()), email: Some(e.clone()), ..Default::default() })?;
    }
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    // The test's own books.
    let mut supply_lots: Vec<(String, i64)> = Vec::new();
    let mut product_lots: Vec<(String, String, i64, i64)> = Vec::new(); // code, expires, made at, left
    let mut fed_by: HashMap<String, BTreeSet<String>> = HashMap::new(); // batch → supply lots
    let mut bought: HashMap<String, BTreeSet<String>> = HashMap::new(); // batch → emails
    for d in 0..365 {
        let morning = START + d * DAY + 8 * 3_600_000;
        s.set_clock(Some(morning));
        let today = chrono::DateTime::from_timestamp_millis(morning).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default();
        if d % 30 == 0 {
            let code = format!("BW-{:02}", d / 30 + 1);
            let grams = 1200 + next(4) as i64 * 100;
            s.receive_supply("Beeswax", &format!("{grams}g"), Money(grams * 4), Some(&code))?;
            supply_lots.push((code, grams));
        }
        if d % 7 == 0 {
            let code = format!("SALVE-W{:02}", d / 7 + 1);
            let expires = chrono::DateTime::from_timestamp_millis(morning + (120 + next(60) as i64) * DAY)
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            let mut need = 340;
            for (lot, left) in supply_lots.iter_mut() {
                if need > 0 && *left > 0 {
                    let n = need.min(*left);
                    *left -= n;
                    need -= n;
                    fed_by.entry(code.clone()).or_default().insert(lot.clone());
                }
            }
            let made = 24 - next(3) as i64;
            s.produce(ProduceRequest {
                sku: "SALVE".into(),
                batches: 1,
                lot_code: Some(code.clone()),
                expires_on: Some(expires.parse().map_err(|_| CoreError::Invalid(expires.clone()))?),
                allow_short: true,
                made: Some(made),
            })?;
            product_lots.push((code, expires, morning, made));
        }
        for k in 0..next(5) {
            s.set_clock(Some(morning + (k as i64 + 1) * 600_000));
            let qty = 1 + next(3) as i64;
            let who = (next(3) > 0).then(|| emails[next(emails.len() as u64) as usize].clone());
            // FEFO by the rules: unexpired by expiry, then expired; oldest first on a tie.
            let mut order: Vec<usize> = (0..product_lots.len()).filter(|&i| product_lots[i].3 > 0).collect();
            order.sort_by_key(|&i| (product_lots[i].1 < today, product_lots[i].1.clone(), product_lots[i].2));
            let mut need = qty;
            for i in order {
                if need == 0 {
                    break;
                }
                let n = need.min(product_lots[i].3);
                product_lots[i].3 -= n;
                need -= n;
                if let Some(w) = &who {
                    bought.entry(product_lots[i].0.clone()).or_default().insert(w.clone());
                }
            }
            s.sell(sale("SALVE", qty, None, who.as_deref()))?;
        }
    }
    let mut checked = 0;
    for (lot, _) in &supply_lots {
        let want: BTreeSet<String> = fed_by
            .iter()
            .filter(|(_, fed)| fed.contains(lot))
            .flat_map(|(batch, _)| bought.get(batch).cloned().unwrap_or_default())
            .collect();
        let trace = s.trace_supply_lot(lot)?;
        let got: BTreeSet<String> = trace.batches.iter().flat_map(|b| b.sales.iter().filter_map(|x| x.email.clone())).collect();
        assert_eq!(got, want, "recall of {lot}");
        let batches: BTreeSet<String> = trace.batches.iter().map(|b| b.lot.lot_code.clone()).collect();
        let want_batches: BTreeSet<String> = fed_by.iter().filter(|(_, f)| f.contains(lot)).map(|(b, _)| b.clone()).collect();
        assert_eq!(batches, want_batches, "batches made with {lot}");
        checked += want.len();
    }
    assert!(checked > 100, "the year sold to regulars from many lots ({checked})");
    // Backward: a product lot names the supply lots it was made from.
    let (batch, fed) = fed_by.iter().find(|(_, f)| f.len() == 2).ok_or_else(|| CoreError::Invalid("no batch spans two lots".into()))?;
    let back: BTreeSet<String> = s.trace_product_lot(batch)?.inputs.into_iter().map(|i| i.lot_code).collect();
    assert_eq!(&back, fed);
    assert_eq!(replay_check(&s)?, None);
    Ok(())
}

/// One offline action on a booth device.
#[derive(Clone, Debug)]
enum Act {
    Sell(i64),
    Pick(usize, i64),
    RefundLast,
    /// A batch, consuming beeswax lots oldest first (both booths may use the last of one).
    Make,
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        4 => (1i64..6).prop_map(Act::Sell),
        1 => (0usize..3, 1i64..3).prop_map(|(l, q)| Act::Pick(l, q)),
        1 => Just(Act::RefundLast),
        1 => Just(Act::Make),
    ]
}

const LOTS: [&str; 3] = ["A", "B", "C"];

fn run(s: &mut Store, acts: &[Act], clock: i64) -> R {
    let mut last = None;
    for (i, a) in acts.iter().enumerate() {
        s.set_clock(Some(clock + i as i64 * 1000));
        match a {
            Act::Sell(q) => {
                // FEFO as this device sees it: the first lot taken is the
                // earliest-expiring one it believes has stock.
                let first = s.list_lots("SALVE", false)?.into_iter().find(|l| l.on_hand > 0).map(|l| (l.lot_id, l.on_hand));
                last = Some(s.sell(sale("SALVE", *q, None, None))?.receipt_no);
                if let Some((lot, before)) = first {
                    let after = s.list_lots("SALVE", true)?.into_iter().find(|l| l.lot_id == lot).map(|l| l.on_hand);
                    assert_eq!(after, Some((before - q).max(0)), "the sale took first from the earliest-expiring lot with stock");
                }
            }
            Act::Pick(l, q) => last = Some(s.sell(sale("SALVE", *q, Some(LOTS[*l]), None))?.receipt_no),
            Act::RefundLast => {
                if let Some(r) = last.take() {
                    s.refund(&r, None, true)?;
                }
            }
            Act::Make => {
                s.produce(ProduceRequest { sku: "SALVE".into(), batches: 3, allow_short: true, ..Default::default() })?;
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Two booths sell from the same lots while offline, then exchange
    /// their operations (in either order, and a third device gets both):
    /// every device ends with the same lot figures, each sale keeps the
    /// lots its own device chose, and a lot that went below zero is
    /// reported on every device.
    #[test]
    fn lot_choices_made_offline_converge_on_every_device(a_acts in prop::collection::vec(act(), 1..10), b_acts in prop::collection::vec(act(), 1..10)) {
        let check = || -> R {
            let mut owner = Store::open_in_memory()?;
            shop(&mut owner)?;
            owner.receive_supply("Beeswax", "1kg", Money(5000), None)?;
            produce(&mut owner, "A", "2027-03-01", Some(4))?;
            produce(&mut owner, "B", "2027-04-01", Some(3))?;
            produce(&mut owner, "C", "2027-05-01", Some(5))?;
            let base = all_ops(owner.conn())?;
            let mut a = Store::open_in_memory()?;
            let mut b = Store::open_in_memory()?;
            apply_foreign(&mut a, &base)?;
            apply_foreign(&mut b, &base)?;
            run(&mut a, &a_acts, START + DAY)?;
            run(&mut b, &b_acts, START + DAY + 500)?;
            let from = |s: &Store| -> Result<Vec<_>, CoreError> {
                Ok(all_ops(s.conn())?.into_iter().filter(|o| o.device == s.device()).collect())
            };
            let (a_ops, b_ops) = (from(&a)?, from(&b)?);
            apply_foreign(&mut a, &b_ops)?;
            apply_foreign(&mut b, &a_ops)?;
            let mut c = Store::open_in_memory()?;
            apply_foreign(&mut c, &base)?;
            apply_foreign(&mut c, &b_ops)?;
            apply_foreign(&mut c, &a_ops)?;
            let want = dump_tables(a.conn())?;
            assert_eq!(dump_tables(b.conn())?, want);
            assert_eq!(dump_tables(c.conn())?, want);
            for s in [&a, &b, &c] {
                assert_eq!(totals_check(s.conn())?, None);
                assert_eq!(replay_check(s)?, None);
            }
            // Each sale's lot split is the one its device recorded, everywhere.
            for op in a_ops.iter().chain(&b_ops) {
                if let OpKind::SaleCompleted(sale) = &op.kind {
                    let recorded: i64 = sale.lines.iter().flat_map(|l| &l.lots).map(|t| t.qty).sum();
                    let applied: i64 = c.conn().query_row(
                        "SELECT COALESCE(-SUM(qty), 0) FROM lot_moves WHERE ref_id = ?1 AND reason = 'sale'",
                        [sale.sale_id.to_string()],
                        |r| r.get(0),
                    )?;
                    assert_eq!(applied, recorded);
                }
            }
            let mut lots = c.list_lots("SALVE", true)?;
            lots.extend(c.list_lots("Beeswax", true)?);
            let negative: BTreeSet<String> = lots.iter().filter(|l| l.on_hand < 0).map(|l| l.lot_code.clone()).collect();
            for s in [&a, &b, &c] {
                let alerted: BTreeSet<String> =
                    s.alerts()?.into_iter().filter(|x| x.kind == AlertKind::LotNegative).map(|x| x.item).collect();
                assert_eq!(&alerted, &negative);
            }
            Ok(())
        };
        check().map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
}

#[test]
fn a_device_upgraded_after_applying_lotted_sales_rebuilds_its_lot_figures_from_the_log() -> R {
    let dir = tempfile::tempdir().map_err(|e| CoreError::Invalid(e.to_string()))?;
    let path = dir.path().join("shop.db");
    {
        let mut s = Store::open(&path)?;
        shop(&mut s)?;
        produce(&mut s, "A", "2027-03-01", None)?;
        let sold = s.sell(sale("SALVE", 3, None, None))?;
        s.refund(&sold.receipt_no, Some(&[("SALVE".into(), 1)]), true)?;
        // As a build from before lots left it: the sale applied, no lot tables.
        s.conn().execute_batch(
            "DROP TABLE lot_moves; DROP TABLE lot_levels; ALTER TABLE batches DROP COLUMN expected_qty;
             DROP TABLE event_drawers; DROP TABLE allotments; ALTER TABLE refunds DROP COLUMN device;
             ALTER TABLE sync_state DROP COLUMN server_epoch; DROP TABLE early_voids; ALTER TABLE shopify_import DROP COLUMN withheld;
             ALTER TABLE shopify_import DROP COLUMN bulk_done; ALTER TABLE shopify_import DROP COLUMN bulk_total;
             DROP TABLE parked_carts; ALTER TABLE sale_lines DROP COLUMN description;
             ALTER TABLE sale_lines DROP COLUMN tax_category; ALTER TABLE sale_lines DROP COLUMN tax_bp; DROP TABLE withdrawn_payments;
             ALTER TABLE products DROP COLUMN tax_category; ALTER TABLE events DROP COLUMN tax_place;
             ALTER TABLE events DROP COLUMN fee_cents; ALTER TABLE events DROP COLUMN commission_bp;
             ALTER TABLE events DROP COLUMN commission_base; ALTER TABLE events DROP COLUMN minutes_worked;
             ALTER TABLE sales DROP COLUMN tax_place; DROP TABLE event_costs;
             ALTER TABLE sale_payments DROP COLUMN tender; ALTER TABLE sale_payments DROP COLUMN gives_change;
             ALTER TABLE refunds DROP COLUMN tender; ALTER TABLE sales DROP COLUMN tip_cents; ALTER TABLE sales DROP COLUMN tip_method; DROP TABLE device_settings; ALTER TABLE products DROP COLUMN net_qty; ALTER TABLE products DROP COLUMN net_unit; ALTER TABLE products DROP COLUMN label_name; ALTER TABLE products DROP COLUMN warnings; ALTER TABLE supplies DROP COLUMN inci; ALTER TABLE supplies DROP COLUMN density_mg_per_ml; DROP TABLE receipt_emails; DROP TABLE receipt_email_outcomes; DROP TABLE mail_send_log;
             PRAGMA user_version = 7;",
        )?;
    }
    let s = Store::open(&path)?;
    assert_eq!(s.list_lots("SALVE", true)?.iter().map(|l| (l.lot_code.as_str(), l.on_hand)).collect::<Vec<_>>(), [("A", 8)]);
    // The refund's drawer is read back from the log by the migration.
    assert_eq!(replay_check(&s)?, None);
    assert_eq!(totals_check(s.conn())?, None);
    Ok(())
}

#[test]
fn margins_per_lot_and_per_product_come_from_the_lots_sold() -> R {
    let mut s = Store::open_in_memory()?;
    shop(&mut s)?;
    // Lot CHEAP: 100 g at 2¢ = 2.00 for 10 (0.20 each). Lot DEAR: 50 g at
    // 2¢ + 50 g at 5¢ = 3.50 for 7 made of 10 (0.50 each).
    produce(&mut s, "CHEAP", "2027-03-01", None)?;
    produce(&mut s, "DEAR", "2027-04-01", Some(7))?;
    // 12 at 14.00: 10 from CHEAP, 2 from DEAR; then 2 of DEAR come back.
    let big = s.sell(sale("SALVE", 12, None, None))?;
    s.refund(&big.receipt_no, Some(&[("SALVE".into(), 2)]), true)?;
    // A voided sale counts for nothing.
    let void = s.sell(sale("SALVE", 1, Some("DEAR"), None))?;
    s.void_sale(&void.receipt_no, "rung twice")?;
    let lots: Vec<_> = s.lot_margins()?.into_iter().map(|l| (l.lot_code, l.sold, l.net_cents, l.cost_cents, l.margin_cents)).collect();
    assert_eq!(lots, [("CHEAP".to_string(), 10, 14_000, 200, 13_800), ("DEAR".to_string(), 0, 0, 0, 0)]);
    let m = s.margins()?.into_iter().find(|m| m.sku == "SALVE").ok_or_else(|| CoreError::Invalid("no SALVE".into()))?;
    assert_eq!((m.sold_units, m.sold_net_cents, m.sold_cost_cents), (10, 14_000, 200));
    // The price margin is over every batch made: (2.00 + 3.50) / 17.
    assert_eq!(m.unit_cost_cents, Some(32));
    Ok(())
}
