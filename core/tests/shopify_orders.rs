//! Online orders as operations: stock, money and customers from each
//! order's newest state, the same whatever order the states arrive in, and
//! on every device.
use tempfile::TempDir;
use wildroot_core::customer::CustomerInput;
use wildroot_core::oplog::{all_ops, apply_foreign, dump_tables, op_count, replay_check, totals_check};
use wildroot_core::product::{NewProduct, ProductEdit};
use wildroot_core::report::GroupBy;
use wildroot_core::{CoreError, Store};
use wildroot_model::shopify::{ShopifyCustomer, ShopifyLine, ShopifyOrder, ShopifyRefund, ShopifyRefundLine};
use wildroot_model::views::AlertKind;
use wildroot_model::Money;

type R = Result<(), CoreError>;

const DAY: i64 = 1_764_000_000_000; // 2025-11-24T16:00:00Z

fn store() -> Result<(TempDir, Store), CoreError> {
    let dir = tempfile::tempdir().map_err(|e| CoreError::Invalid(e.to_string()))?;
    let mut store = Store::open(&dir.path().join("shop.db"))?;
    store.set_clock(Some(DAY + 86_400_000));
    Ok((dir, store))
}

fn shop(s: &mut Store) -> R {
    for (sku, name, price, qty) in [("SALVE", "Lavender Salve", 1200, 20), ("SOAP", "Oat Soap", 800, 10)] {
        s.add_product(NewProduct { sku: sku.into(), name: name.into(), price: Money(price), ..Default::default() })?;
        s.adjust_product(sku, qty, "opening count")?;
    }
    Ok(())
}

fn order(n: u32, updated: i64, lines: &[(&str, i64, i64)]) -> ShopifyOrder {
    ShopifyOrder {
        gid: format!("gid://shopify/Order/{n}"),
        name: format!("#{n}"),
        created_at_ms: DAY,
        updated_at_ms: DAY + updated,
        cancelled_at_ms: None,
        financial_status: "PAID".into(),
        currency: "USD".into(),
        total_cents: lines.iter().map(|(_, q, p)| q * p).sum::<i64>() + 500,
        customer: Some(ShopifyCustomer { name: "Ana Silva".into(), email: Some("ana@example.com".into()) }),
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, (sku, qty, price))| ShopifyLine {
                gid: format!("gid://shopify/LineItem/{n}{i}"),
                sku: if sku.is_empty() { None } else { Some(sku.to_string()) },
                variant_gid: None,
                qty: *qty,
                unit_price_cents: *price,
            })
            .collect(),
        refunds: vec![],
    }
}

fn on_hand(s: &Store, sku: &str) -> Result<i64, CoreError> {
    Ok(s.product(sku)?.on_hand)
}

fn consistent(s: &Store) -> R {
    assert_eq!(totals_check(s.conn())?, None);
    assert_eq!(replay_check(s)?, None);
    Ok(())
}

#[test]
fn an_order_moves_stock_once_however_often_it_is_imported() -> R {
    let (_dir, mut s) = store()?;
    shop(&mut s)?;
    let page = vec![order(1001, 10, &[("SALVE", 3, 1200), ("SOAP", 1, 800)])];
    let first = s.record_shopify_orders(&page, DAY + 10)?;
    assert_eq!((first.recorded, first.unchanged), (1, 0));
    assert_eq!((on_hand(&s, "SALVE")?, on_hand(&s, "SOAP")?), (17, 9));
    let ops = op_count(s.conn())?;
    let before = dump_tables(s.conn())?;
    let again = s.record_shopify_orders(&page, DAY + 10)?;
    assert_eq!((again.recorded, again.unchanged), (0, 1));
    assert_eq!(op_count(s.conn())?, ops, "a re-import records nothing");
    assert_eq!(dump_tables(s.conn())?, before, "a re-import changes nothing");

    // The online sale is in the reports under its own venue, with its money.
    let report = s.sales_report(GroupBy::Event, None, None)?;
    let online = report.rows.iter().find(|r| r.label == "Shopify (online)").ok_or(CoreError::Invalid("no online row".into()))?;
    assert_eq!((online.units, online.total_cents), (4, 4400));
    let by_method = s.sales_report(GroupBy::Payment, None, None)?;
    assert!(by_method.rows.iter().any(|r| r.key == "shopify" && r.total_cents == 4900), "{by_method:?}");
    // The customer joined the list with the purchase.
    let ana = s.customer("ana@example.com")?;
    assert_eq!((ana.name.as_str(), ana.purchases.len()), ("Ana Silva", 1));
    let sales = s.recent_sales(None, 10)?;
    assert_eq!(sales[0].receipt_no, "#1001");
    consistent(&s)
}

#[test]
fn cancellations_and_refunds_put_back_what_went_back_on_the_shelf() -> R {
    let (_dir, mut s) = store()?;
    shop(&mut s)?;
    let placed = order(1002, 10, &[("SALVE", 3, 1200)]);
    s.record_shopify_orders(std::slice::from_ref(&placed), DAY + 10)?;
    assert_eq!(on_hand(&s, "SALVE")?, 17);

    // One jar returned to the shelf, one refunded but not restocked (broken).
    let mut refunded = placed.clone();
    refunded.updated_at_ms = DAY + 20;
    refunded.financial_status = "PARTIALLY_REFUNDED".into();
    let line = refunded.lines[0].gid.clone();
    refunded.refunds = vec![ShopifyRefund {
        gid: "gid://shopify/Refund/1".into(),
        at_ms: DAY + 20,
        lines: vec![
            ShopifyRefundLine { line_gid: line.clone(), qty: 1, restock: true },
            ShopifyRefundLine { line_gid: line, qty: 1, restock: false },
        ],
    }];
    s.record_shopify_orders(std::slice::from_ref(&refunded), DAY + 20)?;
    assert_eq!(on_hand(&s, "SALVE")?, 18);
    let report = s.sales_report(GroupBy::Product, None, None)?;
    assert_eq!((report.rows[0].units, report.rows[0].refund_cents), (1, 2400));
    consistent(&s)?;

    // Then the order is cancelled: the jar never refunded comes back too.
    let mut cancelled = refunded.clone();
    cancelled.updated_at_ms = DAY + 30;
    cancelled.cancelled_at_ms = Some(DAY + 30);
    s.record_shopify_orders(std::slice::from_ref(&cancelled), DAY + 30)?;
    assert_eq!(on_hand(&s, "SALVE")?, 19, "everything but the broken jar is back");
    let report = s.sales_report(GroupBy::Event, None, None)?;
    assert_eq!(report.total_cents, 0, "a cancelled order sold nothing: {report:?}");
    consistent(&s)?;

    // Another device that receives the states newest first ends the same.
    let (_d2, mut other) = store()?;
    let mut ops = all_ops(s.conn())?;
    ops.reverse();
    apply_foreign(&mut other, &ops)?;
    assert_eq!(dump_tables(other.conn())?, dump_tables(s.conn())?);
    assert_eq!(totals_check(other.conn())?, None);
    Ok(())
}

#[test]
fn unmatched_skus_are_held_until_mapped() -> R {
    let (_dir, mut s) = store()?;
    shop(&mut s)?;
    // "salve" differs only in case from ours: matched. The others are held.
    let page = vec![order(1003, 10, &[("salve", 1, 1200), ("TINCT-30", 2, 1500), ("", 1, 100)])];
    s.record_shopify_orders(&page, DAY + 10)?;
    assert_eq!(on_hand(&s, "SALVE")?, 19);
    let held = s.shopify_unmatched()?;
    assert_eq!(held.iter().map(|u| (u.sku.as_str(), u.units)).collect::<Vec<_>>(), vec![("", 1), ("TINCT-30", 2)]);
    assert_eq!(held[1].orders, vec!["#1003".to_string()]);
    let alerts = s.alerts()?;
    assert!(alerts.iter().any(|a| a.kind == AlertKind::UnmatchedSku && a.item == "TINCT-30"), "{alerts:?}");

    s.add_product(NewProduct { sku: "TINCTURE".into(), name: "Echinacea Tincture".into(), price: Money(1500), ..Default::default() })?;
    assert_eq!(s.map_shopify_sku("tinct-30", "TINCTURE")?, 1);
    assert_eq!(on_hand(&s, "TINCTURE")?, -2, "the held line was applied");
    assert!(!s.alerts()?.iter().any(|a| a.item == "TINCT-30"));
    // Later orders with the SKU follow the mapping.
    s.record_shopify_orders(&[order(1004, 20, &[("TINCT-30", 1, 1500)])], DAY + 20)?;
    assert_eq!(on_hand(&s, "TINCTURE")?, -3);
    assert!(s.map_shopify_sku("  ", "TINCTURE").is_err());
    assert!(s.map_shopify_sku("X", "NO-SUCH-PRODUCT").is_err());
    consistent(&s)?;

    // A product renamed to a held SKU picks its lines up too.
    s.record_shopify_orders(&[order(1005, 30, &[("BALM", 2, 900)])], DAY + 30)?;
    s.edit_product("SOAP", ProductEdit { sku: Some("BALM".into()), ..Default::default() })?;
    assert_eq!(on_hand(&s, "BALM")?, 8);
    consistent(&s)
}

#[test]
fn two_devices_importing_the_same_orders_converge() -> R {
    let (_d1, mut a) = store()?;
    let (_d2, mut b) = store()?;
    shop(&mut a)?;
    apply_foreign(&mut b, &all_ops(a.conn())?)?;
    // The owner already knows Ana on device B.
    b.add_customer(CustomerInput { name: Some("Ana S.".into()), email: Some("ANA@example.com".into()), ..Default::default() })?;
    let mut later = order(1006, 40, &[("SALVE", 2, 1200)]);
    later.refunds = vec![ShopifyRefund {
        gid: "gid://shopify/Refund/2".into(),
        at_ms: DAY + 40,
        lines: vec![ShopifyRefundLine { line_gid: later.lines[0].gid.clone(), qty: 1, restock: true }],
    }];
    let early = order(1006, 10, &[("SALVE", 2, 1200)]);
    a.record_shopify_orders(&[early.clone(), order(1007, 10, &[("SOAP", 4, 800)])], DAY + 10)?;
    b.record_shopify_orders(&[later.clone(), order(1007, 10, &[("SOAP", 4, 800)])], DAY + 40)?;
    b.record_shopify_orders(&[early], DAY + 40)?;
    let ops_a = all_ops(a.conn())?;
    let ops_b = all_ops(b.conn())?;
    apply_foreign(&mut a, &ops_b)?;
    apply_foreign(&mut b, &ops_a)?;
    assert_eq!(dump_tables(a.conn())?, dump_tables(b.conn())?);
    assert_eq!((on_hand(&a, "SALVE")?, on_hand(&a, "SOAP")?), (19, 6));
    // Both orders belong to the customer the owner made, on both devices.
    let ana = a.customer("ana@example.com")?;
    assert_eq!((ana.name.as_str(), ana.purchases.len()), ("Ana S.", 2));
    assert_eq!(a.list_customers(None)?.len(), 1, "no second Ana");
    consistent(&a)?;
    consistent(&b)
}

#[test]
fn a_bad_order_refuses_the_whole_page() -> R {
    let (_dir, mut s) = store()?;
    shop(&mut s)?;
    let mut bad = order(1008, 10, &[("SALVE", 1, 1200)]);
    bad.lines[0].qty = 0;
    let ops = op_count(s.conn())?;
    let err = s.record_shopify_orders(&[order(1009, 10, &[("SALVE", 1, 1200)]), bad], DAY + 10).err().map(|e| e.to_string());
    assert!(err.as_deref().is_some_and(|e| e.contains("#1008") && e.contains("quantity 0")), "{err:?}");
    assert_eq!(op_count(s.conn())?, ops);
    assert_eq!(on_hand(&s, "SALVE")?, 20);
    assert_eq!(s.shopify_import_view()?.cursor_ms, None, "the watermark did not move");
    Ok(())
}

#[test]
fn online_sales_are_changed_in_shopify_not_at_the_booth() -> R {
    let (_dir, mut s) = store()?;
    shop(&mut s)?;
    s.record_shopify_orders(&[order(1010, 10, &[("SALVE", 1, 1200)])], DAY + 10)?;
    for err in [s.void_sale("#1010", "mistake").err(), s.refund("#1010", None, true).err()] {
        let msg = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("refund or cancel it in Shopify"), "{msg}");
    }
    Ok(())
}
