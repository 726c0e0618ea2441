//! The core against real SQLite files: the demo, sales, refunds, batches,
//! the replay invariant and "bad input leaves the database as it was".
use tempfile::TempDir;
use wildroot_core::batch::ProduceRequest;
use wildroot_core::oplog::{dump_tables, op_count, replay_check, totals_check};
use wildroot_core::product::NewProduct;
use wildroot_core::report::GroupBy;
use wildroot_core::sale::{LineRequest, SaleRequest};
use wildroot_core::settings::TaxRule;
use wildroot_core::supply::NewSupply;
use wildroot_core::{CoreError, Store};
use wildroot_model::op::PayMethod;
use wildroot_model::views::AlertKind;
use wildroot_model::{Money, Unit};

type R = Result<(), CoreError>;

fn store() -> Result<(TempDir, Store), CoreError> {
    let dir = tempfile::tempdir().map_err(|e| CoreError::Invalid(e.to_string()))?;
    let store = Store::open(&dir.path().join("shop.db"))?;
    Ok((dir, store))
}

fn line(sku: &str, qty: i64) -> LineRequest {
    LineRequest { key: sku.into(), qty, unit_price: None, discount: None, lot: None, custom: None }
}

fn cash(sku: &str, qty: i64, cents: i64) -> SaleRequest {
    SaleRequest { lines: vec![line(sku, qty)], payments: vec![(PayMethod::Cash, Money(cents))], ..Default::default() }
}

/// A salve with a recipe and supplies for it.
fn salve_shop(s: &mut Store) -> R {
    s.add_supply(NewSupply { name: "Beeswax".into(), unit: Some(Unit::G), reorder_at: Some("500g".into()), ..Default::default() })?;
    s.add_supply(NewSupply { name: "Olive oil".into(), unit: Some(Unit::Ml), ..Default::default() })?;
    s.add_supply(NewSupply { name: "Tin".into(), unit: Some(Unit::Each), ..Default::default() })?;
    s.receive_supply("Beeswax", "1kg", Money(3000), None)?; // 3.0¢/g
    s.receive_supply("Beeswax", "2kg", Money(3000), None)?; // average 2.0¢/g
    s.receive_supply("Olive oil", "3l", Money(3600), None)?; // 1.2¢/ml
    s.receive_supply("Tin", "100", Money(4500), None)?; // 45¢ each
    s.add_product(NewProduct {
        sku: "SALVE".into(),
        name: "Lavender Salve".into(),
        price: Money(1400),
        low_stock_at: Some(5),
        favorite: true,
        ..Default::default()
    })?;
    s.set_recipe("SALVE", 12, &[("Beeswax".into(), "170g".into()), ("Olive oil".into(), "500ml".into()), ("Tin".into(), "12".into())])?;
    Ok(())
}

#[test]
fn demo_seeds_a_shop_that_replays_exactly() -> R {
    let (_dir, mut s) = store()?;
    s.seed_demo()?;
    assert!(s.list_products(None, None)?.len() >= 6);
    assert!(s.list_supplies(false)?.len() >= 10);
    let events = s.list_events()?;
    assert_eq!(events.len(), 1);
    let z = s.z_report(&events[0].id.to_string())?;
    assert_eq!(z.sales_count, 7);
    assert_eq!(z.over_short_cents, Some(-100), "{z:?}");
    assert_eq!(replay_check(&s)?, None);
    assert_eq!(totals_check(s.conn())?, None);
    assert_eq!(s.books_check()?, None, "the demo shop's books balance");
    // A second seed is refused and changes nothing.
    let before = dump_tables(s.conn())?;
    assert!(s.seed_demo().is_err());
    assert_eq!(dump_tables(s.conn())?, before);
    Ok(())
}

#[test]
fn a_batch_takes_supplies_and_costs_them_exactly() -> R {
    let (_dir, mut s) = store()?;
    salve_shop(&mut s)?;
    let b = s.produce(ProduceRequest { sku: "SALVE".into(), batches: 2, ..Default::default() })?;
    assert_eq!(b.output_qty, 24);
    // 340 g from the first beeswax lot (3¢/g, oldest first) + 1000 ml × 1.2¢ + 24 × 45¢ = 1020 + 1200 + 1080
    assert_eq!(b.cost_cents, 3300);
    assert!(b.lot_code.starts_with("SALVE-"), "{}", b.lot_code);
    assert_eq!(s.product("SALVE")?.on_hand, 24);
    assert_eq!(s.supply("Beeswax")?.on_hand, 3000 - 340);
    assert_eq!(s.supply("Tin")?.on_hand, 76);
    // Editing the recipe changes no past batch.
    s.set_recipe("SALVE", 10, &[("Beeswax".into(), "200g".into())])?;
    assert_eq!(s.list_batches(None)?[0].cost_cents, 3300);
    assert_eq!(replay_check(&s)?, None);
    assert_eq!(totals_check(s.conn())?, None);
    Ok(())
}

#[test]
fn a_short_batch_is_refused_with_every_shortage_unless_allowed() -> R {
    let (_dir, mut s) = store()?;
    salve_shop(&mut s)?;
    let before = dump_tables(s.conn())?;
    let err = s.produce(ProduceRequest { sku: "SALVE".into(), batches: 10, ..Default::default() });
    let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("Tin needs 120 but 100 on hand"), "{msg}");
    assert!(msg.contains("Olive oil needs 5 l"), "{msg}");
    assert_eq!(dump_tables(s.conn())?, before);
    s.produce(ProduceRequest { sku: "SALVE".into(), batches: 10, allow_short: true, ..Default::default() })?;
    assert_eq!(s.supply("Tin")?.on_hand, -20);
    assert!(s.alerts()?.iter().any(|a| a.kind == AlertKind::Oversold && a.item == "Tin"));
    Ok(())
}

#[test]
fn sale_change_refund_and_void_move_stock_and_money() -> R {
    let (_dir, mut s) = store()?;
    salve_shop(&mut s)?;
    s.produce(ProduceRequest { sku: "SALVE".into(), batches: 1, ..Default::default() })?;
    s.open_event("Market", None, None, Money(5000))?;
    let r = s.sell(cash("SALVE", 2, 3000))?;
    assert_eq!((r.total_cents, r.change_cents), (2800, 200));
    assert!(r.receipt_no.ends_with("-000001"), "{}", r.receipt_no);
    assert_eq!(s.product("SALVE")?.on_hand, 10);
    let refund = s.refund(&r.receipt_no, Some(&[("SALVE".into(), 1)]), true)?;
    assert_eq!(refund.total_cents, 1400);
    assert_eq!(s.product("SALVE")?.on_hand, 11);
    assert!(s.void_sale(&r.receipt_no, "wrong").is_err(), "a refunded sale cannot be voided");
    let r2 = s.sell(cash("SALVE", 1, 1400))?;
    assert!(r2.receipt_no.ends_with("-000002"));
    s.void_sale(&r2.sale_id.to_string(), "rang twice")?;
    assert_eq!(s.product("SALVE")?.on_hand, 11);
    let z = s.close_event(Money(6400))?;
    // 50.00 float + 28.00 cash − 14.00 refunded = 64.00
    assert_eq!(z.expected_cash_cents, 6400);
    assert_eq!(z.over_short_cents, Some(0));
    assert_eq!(z.sales_count, 1);
    let report = s.sales_report(GroupBy::Product, None, None)?;
    assert_eq!(report.total_cents, 1400);
    assert_eq!(report.rows[0].units, 1);
    assert_eq!(replay_check(&s)?, None);
    assert_eq!(totals_check(s.conn())?, None);
    Ok(())
}

#[test]
fn tax_discount_and_split_payment() -> R {
    let (_dir, mut s) = store()?;
    salve_shop(&mut s)?;
    s.set_tax(TaxRule { bp: 825, inclusive: false })?;
    let r = s.sell(SaleRequest {
        lines: vec![line("SALVE", 3)],
        discount: Some(wildroot_model::pricing::Discount::PercentBp(1000)),
        payments: vec![(PayMethod::Card, Money(2000)), (PayMethod::Cash, Money(2500))],
        customer: None,
        add_customer: false,
        ..Default::default()
    })?;
    // 42.00 − 10% = 37.80; tax 8.25% = 3.1185 → 3.12; total 40.92; change 4.08
    assert_eq!((r.discount_cents, r.tax_cents, r.total_cents, r.change_cents), (420, 312, 4092, 408));
    let by_pay = s.sales_report(GroupBy::Payment, None, None)?;
    assert_eq!(by_pay.total_cents, 4092);
    // Oversold: allowed, reported, alerted.
    assert!(r.oversold.contains(&"SALVE".to_string()));
    assert!(s.alerts()?.iter().any(|a| a.kind == AlertKind::Oversold && a.item == "SALVE"));
    Ok(())
}

#[test]
fn bad_input_leaves_the_database_as_it_was() -> R {
    let (_dir, mut s) = store()?;
    salve_shop(&mut s)?;
    s.produce(ProduceRequest { sku: "SALVE".into(), batches: 1, ..Default::default() })?;
    s.edit_product("SALVE", wildroot_core::product::ProductEdit { no_oversell: Some(true), ..Default::default() })?;
    let before = dump_tables(s.conn())?;
    let ops = op_count(s.conn())?;
    let failures: Vec<(&str, Result<(), CoreError>)> = vec![
        ("unknown SKU", s.sell(cash("NOPE", 1, 1000)).map(drop)),
        ("zero quantity", s.sell(cash("SALVE", 0, 1000)).map(drop)),
        ("short payment", s.sell(cash("SALVE", 1, 1000)).map(drop)),
        ("oversell refused", s.sell(cash("SALVE", 13, 100_000)).map(drop)),
        ("duplicate SKU", s.add_product(NewProduct { sku: "salve".into(), name: "x".into(), ..Default::default() }).map(drop)),
        (
            "negative price",
            s.add_product(NewProduct { sku: "X".into(), name: "x".into(), price: Money(-1), ..Default::default() }).map(drop),
        ),
        ("wrong unit", s.receive_supply("Beeswax", "2l", Money(100), None).map(drop)),
        ("zero receipt", s.receive_supply("Beeswax", "0g", Money(100), None).map(drop)),
        (
            "overflow",
            s.sell(SaleRequest {
                lines: vec![LineRequest { key: "SALVE".into(), qty: i64::MAX, unit_price: None, discount: None, lot: None, custom: None }],
                ..Default::default()
            })
            .map(drop),
        ),
        (
            "card over total",
            s.sell(SaleRequest { lines: vec![line("SALVE", 1)], payments: vec![(PayMethod::Card, Money(5000))], ..Default::default() })
                .map(drop),
        ),
        (
            "unknown customer",
            s.sell(SaleRequest {
                lines: vec![line("SALVE", 1)],
                customer: Some("who@example.com".into()),
                payments: vec![(PayMethod::Cash, Money(1400))],
                ..Default::default()
            })
            .map(drop),
        ),
        ("refund unknown sale", s.refund("A-999999", None, true).map(drop)),
        ("close with no event", s.close_event(Money(0)).map(drop)),
        ("zero batches", s.produce(ProduceRequest { sku: "SALVE".into(), batches: 0, ..Default::default() }).map(drop)),
    ];
    for (what, result) in failures {
        let err = result.err().map(|e| e.to_string());
        assert!(err.is_some(), "{what} should fail");
        assert_eq!(dump_tables(s.conn())?, before, "{what} changed the tables: {err:?}");
        assert_eq!(op_count(s.conn())?, ops, "{what} logged an operation");
    }
    Ok(())
}

#[test]
fn search_finds_by_prefix_of_sku_name_or_barcode() -> R {
    let (_dir, mut s) = store()?;
    s.seed_demo()?;
    let skus = |q: &str| -> Result<Vec<String>, CoreError> { Ok(s.list_products(Some(q), None)?.into_iter().map(|p| p.sku).collect()) };
    assert_eq!(skus("soap")?, vec!["SOAP-LAV", "SOAP-OAT"]);
    assert_eq!(skus("lavender")?, vec!["SALVE-LAV-2OZ", "SOAP-LAV"]);
    assert_eq!(skus("LAVENDER C")?, vec!["SALVE-LAV-2OZ"]);
    assert_eq!(skus("086000101003")?, vec!["SOAP-OAT"]);
    assert!(skus("%")?.is_empty(), "LIKE wildcards are matched literally");
    Ok(())
}

#[test]
fn last_writer_wins_field_by_field_whatever_the_order() -> R {
    use wildroot_core::oplog::{all_ops, apply_foreign};
    let (_dir, mut a) = store()?;
    a.add_product(NewProduct { sku: "S".into(), name: "Salve".into(), price: Money(1000), ..Default::default() })?;
    a.edit_product("S", wildroot_core::product::ProductEdit { price: Some(Money(1200)), ..Default::default() })?;
    a.edit_product("S", wildroot_core::product::ProductEdit { name: Some("Big Salve".into()), ..Default::default() })?;
    let mut ops = all_ops(a.conn())?;
    ops.reverse();
    let mut b = Store::open_in_memory()?;
    apply_foreign(&mut b, &ops)?;
    let p = b.product("S")?;
    assert_eq!((p.name.as_str(), p.price_cents), ("Big Salve", 1200));
    Ok(())
}

#[test]
fn the_totals_check_notices_drift() -> R {
    let (_dir, mut s) = store()?;
    s.seed_demo()?;
    assert_eq!(totals_check(s.conn())?, None);
    s.conn().execute("UPDATE stock_levels SET on_hand = on_hand + 1 WHERE item_id = (SELECT MIN(item_id) FROM stock_levels)", [])?;
    assert!(totals_check(s.conn())?.is_some_and(|m| m.contains("stock_levels")));
    Ok(())
}

#[test]
fn repeated_operations_change_nothing() -> R {
    use wildroot_core::oplog::{all_ops, apply_foreign};
    let (_dir, mut s) = store()?;
    s.seed_demo()?;
    let r = s.sell(cash("SOAP-OAT", 2, 2000))?;
    s.refund(&r.receipt_no, Some(&[("SOAP-OAT".into(), 1)]), true)?;
    let v = s.sell(cash("LIP-HONEY", 1, 500))?;
    s.void_sale(&v.receipt_no, "mistake")?;
    let ops = all_ops(s.conn())?;
    let mut copy = Store::open_in_memory()?;
    apply_foreign(&mut copy, &ops)?;
    let once = dump_tables(copy.conn())?;
    // The same operations again, as a repeated sync would deliver them.
    let conn = copy.conn();
    for op in &ops {
        wildroot_core::apply::apply(conn, op)?;
    }
    assert_eq!(dump_tables(copy.conn())?, once);
    assert_eq!(totals_check(copy.conn())?, None);
    Ok(())
}

#[test]
fn a_stamp_from_the_future_moves_this_device_clock_forward() -> R {
    use wildroot_core::oplog::{all_ops, apply_foreign};
    let (_dir, mut a) = store()?;
    let far = a.now_ms() + 3_600_000;
    a.set_clock(Some(far));
    a.add_product(NewProduct { sku: "S".into(), name: "From the future".into(), price: Money(100), ..Default::default() })?;
    let (_dir2, mut b) = store()?;
    apply_foreign(&mut b, &all_ops(a.conn())?)?;
    // B's own clock is an hour behind, yet its edit must win: it saw A's write first.
    b.edit_product("S", wildroot_core::product::ProductEdit { name: Some("Renamed after".into()), ..Default::default() })?;
    assert_eq!(b.product("S")?.name, "Renamed after");
    let mine = all_ops(b.conn())?.pop().map(|op| op.hlc);
    assert!(mine.is_some_and(|h| h.ms >= far), "{mine:?}");
    Ok(())
}

/// DESIGN rule 9: an operation of a kind this build does not know is kept,
/// not applied, and applied once a build that knows it opens the store.
#[test]
fn unknown_kinds_are_kept_then_applied_after_an_upgrade() -> R {
    use wildroot_model::sync::{PullResponse, PulledOp, WireOp};
    let (dir, mut s) = store()?;
    let future = WireOp {
        id: wildroot_model::OpId::new(),
        device: wildroot_model::DeviceId::new(),
        device_seq: 1,
        hlc: wildroot_model::Hlc { ms: s.now_ms(), counter: 0 },
        version: 9,
        kind: "loyalty_points_awarded".into(),
        payload: wildroot_model::sync::payload_of(&serde_json::json!({ "points": 10 })),
    };
    let before = dump_tables(s.conn())?;
    s.apply_pulled(&PullResponse::new(0, vec![PulledOp { server_seq: 1, op: future }], 1, false))?;
    assert_eq!(dump_tables(s.conn())?, before, "an unknown kind changes no table");
    let kept: i64 = s.conn().query_row("SELECT COUNT(*) FROM ops WHERE applied = 0", [], |r| r.get(0))?;
    assert_eq!(kept, 1);
    assert_eq!(replay_check(&s)?, None);

    // Pretend a later build knows the kind: rewrite the kept row into a known one.
    let payload = serde_json::json!({ "product_id": wildroot_model::ProductId::new(), "fields": { "sku": "LATER", "name": "Arrived later", "price_cents": 100 } });
    s.conn().execute("UPDATE ops SET kind = 'product_created', version = 1, payload = ?1 WHERE applied = 0", [payload.to_string()])?;
    drop(s);
    let s = Store::open(&dir.path().join("shop.db"))?;
    assert_eq!(s.product("LATER")?.name, "Arrived later");
    assert_eq!(replay_check(&s)?, None);
    Ok(())
}

/// A line refunded in parts returns exactly what was paid for it, tax and
/// rounding included, and no more.
#[test]
fn partial_refunds_add_up_to_what_was_paid() -> R {
    let (_dir, mut s) = store()?;
    s.seed_demo()?;
    s.set_tax(TaxRule { bp: 825, inclusive: false })?;
    let sale = s.sell(SaleRequest {
        lines: vec![LineRequest {
            key: "SOAP-OAT".into(),
            qty: 3,
            unit_price: None,
            discount: Some(wildroot_model::pricing::Discount::PercentBp(1000)),
            lot: None,
            custom: None,
        }],
        payments: vec![(PayMethod::Cash, Money(5000))],
        ..Default::default()
    })?;
    let first = s.refund(&sale.receipt_no, Some(&[("SOAP-OAT".into(), 1)]), true)?;
    let rest = s.refund(&sale.receipt_no, Some(&[("SOAP-OAT".into(), 2)]), true)?;
    assert_eq!(first.total_cents + rest.total_cents, sale.total_cents);
    assert!(s.refund(&sale.receipt_no, Some(&[("SOAP-OAT".into(), 1)]), true).is_err());
    assert_eq!(totals_check(s.conn())?, None);
    Ok(())
}

#[test]
fn recent_sales_list_one_event_newest_first_with_refunds_and_voids() -> R {
    let (_dir, mut s) = store()?;
    salve_shop(&mut s)?;
    s.produce(ProduceRequest { sku: "SALVE".into(), batches: 1, ..Default::default() })?;
    let before = s.sell(cash("SALVE", 1, 1400))?;
    let event = s.open_event("Market", None, None, Money(5000))?;
    let fern = s.customer_by_contact("fern@example.com")?;
    let a = s.sell(SaleRequest {
        lines: vec![line("SALVE", 2)],
        payments: vec![(PayMethod::Card, Money(1000)), (PayMethod::Cash, Money(2000))],
        customer: fern.email,
        ..Default::default()
    })?;
    let b = s.sell(cash("SALVE", 1, 1400))?;
    s.refund(&a.receipt_no, Some(&[("SALVE".into(), 1)]), true)?;
    s.void_sale(&b.receipt_no, "rang twice")?;

    let listed = s.recent_sales(Some(event.id), 10)?;
    let receipts: Vec<_> = listed.iter().map(|x| x.receipt_no.as_str()).collect();
    assert_eq!(receipts, [b.receipt_no.as_str(), a.receipt_no.as_str()], "only the event's sales, newest first");
    assert!(listed[0].voided);
    let first = &listed[1];
    assert_eq!((first.total_cents, first.change_cents, first.refunded_cents), (2800, 200, 1400));
    assert_eq!(first.customer.as_deref(), Some("fern@example.com"));
    assert_eq!(first.lines.len(), 1);
    assert_eq!((first.lines[0].sku.as_str(), first.lines[0].qty), ("SALVE", 2));
    let paid: Vec<_> = first.payments.iter().map(|p| (p.method, p.amount_cents)).collect();
    assert_eq!(paid, [(PayMethod::Card, 1000), (PayMethod::Cash, 1800)]);

    let all = s.recent_sales(None, 10)?;
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].receipt_no, before.receipt_no);
    assert_eq!(s.recent_sales(None, 1)?.len(), 1);
    Ok(())
}

#[test]
fn a_contact_at_the_booth_finds_or_adds_one_customer() -> R {
    let (_dir, mut s) = store()?;
    let fern = s.customer_by_contact(" fern@example.com ")?;
    assert_eq!(s.customer_by_contact("fern@example.com")?.id, fern.id, "the same email is the same customer");
    let phone = s.customer_by_contact("+1 555 0100")?;
    assert_eq!(phone.phone.as_deref(), Some("+1 555 0100"));
    assert_ne!(phone.id, fern.id);
    let Err(err) = s.customer_by_contact("Fern") else { panic!("a bare name is not a contact") };
    assert!(err.to_string().contains("neither an email address nor a phone number"), "{err}");
    assert_eq!(s.list_customers(None)?.len(), 2);
    Ok(())
}

#[test]
fn a_batch_plan_shows_needs_shortages_and_unit_cost_before_anything_is_made() -> R {
    let (_dir, mut s) = store()?;
    salve_shop(&mut s)?;
    let before = dump_tables(s.conn())?;
    let plan = s.plan_batch("SALVE", 2)?;
    assert!(plan.enough);
    assert_eq!((plan.output_qty, plan.cost_cents, plan.unit_cost_cents), (24, 3300, 138)); // 3300 / 24 = 137.5
    let wax = plan.lines.iter().find(|l| l.supply == "Beeswax").map(|l| (l.need, l.on_hand, l.short, l.cost_cents));
    assert_eq!(wax, Some((340, 3000, 0, 1020)));
    // The plan is what the batch then records.
    assert_eq!(dump_tables(s.conn())?, before, "planning changes nothing");
    let made = s.produce(ProduceRequest { sku: "SALVE".into(), batches: 2, ..Default::default() })?;
    assert_eq!((made.cost_cents, made.unit_cost_cents), (plan.cost_cents, plan.unit_cost_cents));
    let short = s.plan_batch("SALVE", 10)?;
    assert!(!short.enough);
    let tin = short.lines.iter().find(|l| l.supply == "Tin").map(|l| (l.need, l.on_hand, l.short));
    assert_eq!(tin, Some((120, 76, 44)));
    assert!(s.plan_batch("SALVE", 0).is_err());
    assert!(s.plan_batch("NOPE", 1).is_err());
    Ok(())
}

#[test]
fn recipes_say_how_many_batches_the_shelf_can_make_now() -> R {
    let (_dir, mut s) = store()?;
    salve_shop(&mut s)?;
    let r = s.list_recipes()?;
    assert_eq!(r.len(), 1);
    // Tins: 100 / 12 = 8; olive oil 3000 / 500 = 6; beeswax 3000 / 170 = 17.
    assert_eq!((r[0].makeable_batches, r[0].limited_by.as_deref()), (6, Some("Olive oil")));
    // Costed from the lots a batch would use now (first received first):
    // 170 g of the 3.0¢/g beeswax lot 5.10 + 500 ml of oil 6.00 + 12 tins 5.40.
    assert_eq!(r[0].batch_cost_cents, 1650);
    assert_eq!(r[0].unit_cost_cents, 138);
    s.adjust_supply("Olive oil", "-2900ml", "spilled")?;
    assert_eq!(s.list_recipes()?[0].makeable_batches, 0);
    Ok(())
}

#[test]
fn movement_history_explains_the_stock_with_reasons_lots_and_balances() -> R {
    let (_dir, mut s) = store()?;
    salve_shop(&mut s)?;
    let b = s.produce(ProduceRequest { sku: "SALVE".into(), batches: 1, ..Default::default() })?;
    s.sell(cash("SALVE", 2, 10_000))?;
    s.adjust_product("SALVE", -1, "dented tin")?;
    let m = s.product_movements("SALVE", 10)?;
    let seen: Vec<(i64, &str, i64)> = m.iter().map(|m| (m.qty, m.reason.as_str(), m.balance)).collect();
    assert_eq!(seen, vec![(-1, "adjustment", 9), (-2, "sale", 10), (12, "batch_output", 12)]);
    assert_eq!(m[0].note.as_deref(), Some("dented tin"));
    assert_eq!(m[2].lot_code.as_deref(), Some(b.lot_code.as_str()));
    let wax = s.supply_movements("Beeswax", 2)?;
    assert_eq!(wax.len(), 2, "the limit is kept");
    assert_eq!((wax[0].qty, wax[0].reason.as_str(), wax[0].balance), (-170, "batch_input", 2830));
    assert_eq!(s.supply_movements("Beeswax", 10)?.last().map(|m| m.balance), Some(1000));
    assert_eq!(s.supply("Beeswax")?.on_hand, wax[0].balance);
    Ok(())
}

#[test]
fn currency_is_three_letters() -> R {
    let (_dir, mut s) = store()?;
    assert_eq!(s.currency()?, "USD");
    s.set_currency(" cad ")?;
    assert_eq!(s.currency()?, "CAD");
    for bad in ["", "C$", "DOLLARS", "12A"] {
        assert!(s.set_currency(bad).is_err(), "{bad}");
    }
    assert_eq!(s.currency()?, "CAD");
    // The settings form saves all of it or nothing, and only what changed.
    s.set_business_name("Fern & Flame")?;
    let ops = op_count(s.conn())?;
    let rule = TaxRule { bp: 825, inclusive: false };
    assert!(s.set_shop("Fern and Flame", "DOLLARS", rule).is_err());
    assert_eq!((op_count(s.conn())?, s.currency()?), (ops, "CAD".to_string()), "a bad currency saves no name either");
    s.set_shop("Fern and Flame", "cad", rule)?;
    assert_eq!(op_count(s.conn())?, ops + 3, "the name and the two tax fields, not the unchanged currency");
    assert_eq!(s.tax_rule()?, rule);
    Ok(())
}

#[test]
fn the_views_low_stock_rules_are_the_alerts_rules() -> R {
    let (_dir, mut s) = store()?;
    s.seed_demo()?;
    s.adjust_product("SOAP-LAV", -100, "test: oversold")?;
    s.adjust_supply("Beeswax", "-5kg", "test: below zero")?;
    // One product exactly at its threshold.
    let butter = s.product("BUTTER-SHEA-4OZ")?;
    let to_threshold = butter.low_stock_at.max(1) - butter.on_hand;
    if to_threshold != 0 {
        s.adjust_product("BUTTER-SHEA-4OZ", to_threshold, "test: at the threshold")?;
    }
    let alerts = s.alerts()?;
    let alerted = |item: &str, kinds: &[AlertKind]| alerts.iter().any(|a| a.item == item && kinds.contains(&a.kind));
    for p in s.list_products(None, None)? {
        assert_eq!(p.is_low(), alerted(&p.sku, &[AlertKind::LowStock, AlertKind::Oversold]), "{}", p.sku);
    }
    for sup in s.list_supplies(false)? {
        assert_eq!(sup.needs_reorder(), alerted(&sup.name, &[AlertKind::Reorder, AlertKind::Oversold]), "{}", sup.name);
    }
    assert!(alerts.iter().any(|a| a.kind == AlertKind::LowStock), "the demo has a low product to compare");
    Ok(())
}

/// A month of daily backups of a shop that keeps selling: one a day however
/// often it is asked for, the retention rule prunes only automatic ones,
/// and every kept file restores a shop that passes the checkup.
#[test]
fn daily_backups_keep_a_week_and_a_month_and_never_a_hand_made_one() -> R {
    use wildroot_core::backup::{auto_backup, list_backups};
    let (dir, mut s) = store()?;
    salve_shop(&mut s)?;
    let backups = dir.path().join("backups");
    s.backup_to(&backups.join("before-the-market.db"))?;
    let day = 86_400_000;
    let start = 1_792_972_800_000; // 2026-10-26 00:00 UTC, a Monday
    for d in 0..30 {
        s.set_clock(Some(start + d * day + 9 * 3_600_000));
        s.sell(cash("SALVE", 1, 2000))?;
        let first = auto_backup(&s, &backups)?;
        assert!(first.made.is_some(), "day {d}: the first call of the day backs up");
        s.set_clock(Some(start + d * day + 17 * 3_600_000));
        let again = auto_backup(&s, &backups)?;
        assert_eq!((again.made, again.pruned.len()), (None, 0), "day {d}: one backup a day");
    }
    let list = list_backups(&backups)?;
    let autos: Vec<_> = list.iter().filter(|b| b.automatic).collect();
    // The last 7 days, plus the newest of the two ISO weeks before them.
    assert_eq!(autos.len(), 9, "{autos:#?}");
    assert!(list.iter().any(|b| !b.automatic && b.path.ends_with("before-the-market.db")), "a hand-made backup stays");
    assert!(list.windows(2).all(|w| w[0].at_ms >= w[1].at_ms), "newest first");
    let newest = Store::open(&autos[0].path)?;
    assert!(newest.checkup()?.ok);
    let sold: i64 = newest.conn().query_row("SELECT COUNT(*) FROM sales", [], |r| r.get(0))?;
    assert_eq!(sold, 30, "the newest backup has every sale up to it");
    Ok(())
}

/// The app's daily backup reads the file through a connection of its own,
/// so it needs nothing of the store: it is made while another connection
/// holds a write open (a pull being applied), and it holds what was
/// committed when it began, not what that write has not committed.
#[test]
fn the_daily_backup_of_the_file_waits_for_no_writer_and_keeps_what_was_committed() -> R {
    use wildroot_core::backup::{auto_backup_of_file, list_backups};
    let (dir, mut s) = store()?;
    salve_shop(&mut s)?;
    s.sell(cash("SALVE", 1, 2000))?;
    let db = dir.path().join("shop.db");
    let writer = rusqlite::Connection::open(&db)?;
    writer.execute_batch("BEGIN IMMEDIATE; DELETE FROM sales;")?;
    let backups = dir.path().join("backups");
    let made = auto_backup_of_file(&db, s.now_ms(), &backups)?.made.ok_or_else(|| CoreError::Invalid("no backup made".into()))?;
    writer.execute_batch("ROLLBACK")?;
    assert_eq!(auto_backup_of_file(&db, s.now_ms(), &backups)?.made, None, "once a day");
    assert_eq!(list_backups(&backups)?.len(), 1);
    let copy = Store::open(&made)?;
    assert!(copy.checkup()?.ok);
    let sold: i64 = copy.conn().query_row("SELECT COUNT(*) FROM sales", [], |r| r.get(0))?;
    assert_eq!(sold, 1, "the committed sale, not the uncommitted delete");
    // The store itself was free all along.
    s.sell(cash("SALVE", 1, 2000))?;
    Ok(())
}

/// A refusal names the sale by its receipt number, however it was named:
/// people never see an internal id (a double tap on Refund showed one).
#[test]
fn refusals_name_the_sale_by_its_receipt_number() -> R {
    let mut s = Store::open_in_memory()?;
    salve_shop(&mut s)?;
    let sold =
        s.sell(SaleRequest { lines: vec![line("SALVE", 1)], payments: vec![(PayMethod::Cash, Money(2000))], ..Default::default() })?;
    let id = sold.sale_id.to_string();
    s.refund(&id, None, true)?;
    let again = s.refund(&id, None, true).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(again.contains(&sold.receipt_no) && !again.contains(&id), "{again}");
    let void = s.void_sale(&id, "mistake").err().map(|e| e.to_string()).unwrap_or_default();
    assert!(void.contains(&sold.receipt_no) && !void.contains(&id), "{void}");
    Ok(())
}

/// A void that reaches a device before its sale (another device's, pulled
/// out of order) is held and applied when the sale arrives: the tables are
/// the same as when they arrive in order, and a sale without one is untouched.
#[test]
fn a_void_arriving_before_its_sale_ends_as_if_in_order() -> R {
    let (_dir, mut booth) = store()?;
    booth.add_product(NewProduct { sku: "SALVE".into(), name: "Salve".into(), price: Money(1400), ..Default::default() })?;
    booth.adjust_product("SALVE", 10, "count")?;
    let kept = booth.sell(cash("SALVE", 1, 1400))?;
    let voided = booth.sell(cash("SALVE", 2, 2800))?;
    booth.void_sale(&voided.sale_id.to_string(), "rang twice")?;
    let ops = wildroot_core::oplog::all_ops(booth.conn())?;
    let mut late = ops.clone();
    let void_at = late.iter().position(|o| o.kind.name() == "sale_voided").ok_or(CoreError::Invalid("no void".into()))?;
    let void = late.remove(void_at);
    let sale_at = late
        .iter()
        .position(|o| matches!(&o.kind, wildroot_model::op::OpKind::SaleCompleted(p) if p.sale_id == voided.sale_id))
        .ok_or(CoreError::Invalid("no sale".into()))?;
    late.insert(sale_at, void);
    let (_a, mut in_order) = store()?;
    let (_b, mut out_of_order) = store()?;
    wildroot_core::oplog::apply_foreign(&mut in_order, &ops)?;
    wildroot_core::oplog::apply_foreign(&mut out_of_order, &late)?;
    assert_eq!(dump_tables(in_order.conn())?, dump_tables(out_of_order.conn())?);
    assert_eq!(dump_tables(in_order.conn())?, dump_tables(booth.conn())?);
    assert_eq!(out_of_order.product("SALVE")?.on_hand, 9, "only the kept sale took stock: {kept:?}");
    Ok(())
}

/// A phone whose storage fills mid-market: the sale that does not fit is
/// refused whole, in words that say what to do, and the shop goes on once
/// there is room. SQLite's page limit stands in for the disk: past it,
/// writes fail with the same "full" error a full disk gives.
#[test]
fn a_full_disk_saves_nothing_and_says_what_to_do() -> R {
    let (_dir, mut s) = store()?;
    s.seed_demo()?;
    s.adjust_product("SOAP-LAV", 100_000, "restock")?;
    let pages: i64 = s.conn().query_row("PRAGMA page_count", [], |r| r.get(0))?;
    // A few pages of room: some sales fit before the disk is full.
    s.conn().pragma_update(None, "max_page_count", pages + 4)?;
    let (mut sold, mut refusal) = (0, None);
    for _ in 0..20_000 {
        let before = (dump_tables(s.conn())?, op_count(s.conn())?);
        match s.sell(cash("SOAP-LAV", 1, 2000)) {
            Ok(_) => sold += 1,
            Err(e) => {
                assert_eq!((dump_tables(s.conn())?, op_count(s.conn())?), before, "a refused sale changed the records: {e}");
                refusal = Some(e.to_string());
                break;
            }
        }
    }
    let Some(refusal) = refusal else { panic!("the page limit was never reached") };
    assert!(sold > 0, "no sale fitted in the room left");
    assert_eq!(refusal, "the disk is full, so nothing was saved: free some space on this device and try again", "after {sold} sales");
    assert_eq!(replay_check(&s)?, None);
    assert_eq!(totals_check(s.conn())?, None);
    assert_eq!(s.books_check()?, None);
    // Room again: the same sale goes through, and the books still balance.
    s.conn().pragma_update(None, "max_page_count", 1_073_741_823)?;
    s.sell(cash("SOAP-LAV", 1, 2000))?;
    assert_eq!(s.books_check()?, None);
    Ok(())
}
