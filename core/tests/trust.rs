//! What a device takes from outside: a file carried by hand is judged like
//! a push, whatever role it claims.
use wildroot_core::oplog::{all_ops, apply_foreign};
use wildroot_core::product::{NewProduct, ProductEdit};
use wildroot_core::{CoreError, Store};
use wildroot_model::Money;

type R = Result<(), CoreError>;

#[test]
fn a_hand_carried_file_cannot_change_the_owners_prices() -> R {
    let mut laptop = Store::open_in_memory()?;
    laptop.add_product(NewProduct { sku: "SALVE".into(), name: "Salve".into(), price: Money(1400), ..Default::default() })?;
    let mut booth = Store::open_in_memory()?;
    apply_foreign(&mut booth, &all_ops(laptop.conn())?)?;
    // Written by hand, or from a booth whose role was edited in its database.
    booth.edit_product("SALVE", ProductEdit { price: Some(Money(100)), ..Default::default() })?;
    booth.add_customer(wildroot_core::customer::CustomerInput { name: Some("Ada".into()), ..Default::default() })?;
    let file = booth.export_unsynced()?;
    let report = laptop.import_ops_file(&file)?;
    assert_eq!(report.applied, 1, "the customer");
    assert_eq!(report.refused.len(), 1);
    assert_eq!(report.refused[0].kind, "product_edited");
    assert!(report.refused[0].reason.contains("booth work"), "{}", report.refused[0].reason);
    assert_eq!(laptop.product("SALVE")?.price_cents, 1400);
    assert!(laptop.checkup()?.ok);
    Ok(())
}

use proptest::prelude::*;
use wildroot_model::sync::{judge, Role, WireOp};

/// Numbers that sit on and around every bound.
fn edgy() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(i64::MIN),
        Just(-1i64),
        Just(0i64),
        Just(1i64),
        Just(wildroot_model::bounds::MAX_QTY),
        Just(wildroot_model::bounds::MAX_QTY + 1),
        Just(wildroot_model::bounds::MAX_CENTS),
        Just(wildroot_model::bounds::MAX_CENTS + 1),
        Just(i64::MAX),
        any::<i64>(),
        -5000i64..5000,
    ]
}

/// Every numeric place in a sale's payload, by JSON pointer.
const SALE_FIELDS: &[&str] = &[
    "/lines/0/qty",
    "/lines/0/unit_price_cents",
    "/lines/0/gross_cents",
    "/lines/0/discount_cents",
    "/lines/0/tax_cents",
    "/lines/0/net_cents",
    "/lines/0/total_cents",
    "/gross_cents",
    "/discount_cents",
    "/tax_cents",
    "/total_cents",
    "/change_cents",
    "/tax_bp",
    "/payments/0/amount_cents",
    "/payments/0/tendered_cents",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A signed-in device's sale with any of its figures changed, many
    /// times over: what `judge` (the server, and `ingest` on a device)
    /// takes, every device applies without failing, and the books balance.
    #[test]
    fn nothing_the_server_takes_breaks_a_device(changes in prop::collection::vec((0usize..SALE_FIELDS.len(), edgy()), 1..4), times in 1usize..40) {
        let check = || -> Result<(), String> {
            let e = |x: CoreError| x.to_string();
            let mut shop = Store::open_in_memory().map_err(e)?;
            shop.add_product(NewProduct { sku: "S".into(), name: "S".into(), price: Money(1400), ..Default::default() }).map_err(e)?;
            shop.sell(wildroot_core::sale::SaleRequest {
                lines: vec![wildroot_core::sale::LineRequest { key: "S".into(), qty: 2, unit_price: None, discount: None, lot: None, custom: None }],
                payments: vec![(wildroot_model::op::PayMethod::Cash, Money(5000))],
                ..Default::default()
            }).map_err(e)?;
            let ops = all_ops(shop.conn()).map_err(e)?;
            let sale = ops.iter().find(|o| o.kind.name() == "sale_completed").ok_or("no sale")?;
            let mut device = Store::open_in_memory().map_err(e)?;
            apply_foreign(&mut device, &ops).map_err(e)?;
            let base = WireOp::from_op(sale).map_err(|x| x.to_string())?;
            for n in 0..times {
                let mut w = base.clone();
                w.id = wildroot_model::OpId::new();
                w.device_seq = base.device_seq + 1 + n as i64;
                let mut p = w.payload_value().map_err(|x| x.to_string())?;
                p["sale_id"] = serde_json::Value::String(wildroot_model::SaleId::new().to_string());
                for (field, value) in &changes {
                    if let Some(v) = p.pointer_mut(SALE_FIELDS[*field]) {
                        *v = (*value).into();
                    }
                }
                w.set_payload(&p);
                if judge(&w, Role::Vendor).is_ok() {
                    let op = w.to_op().map_err(|x| x.to_string())?;
                    apply_foreign(&mut device, &[op]).map_err(e)?;
                }
            }
            if let Some(problem) = device.books_check().map_err(e)? {
                return Err(problem);
            }
            device.sales_report(wildroot_core::report::GroupBy::Day, None, None).map_err(e)?;
            device.valuation().map_err(e)?;
            Ok(())
        };
        check().map_err(TestCaseError::fail)?;
    }
}
