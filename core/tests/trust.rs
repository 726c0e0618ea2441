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
