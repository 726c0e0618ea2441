//! A market day worked by two booth devices (issue 8): the owner plans it
//! and allots stock to each booth, each booth sells offline from its own
//! cash drawer, and after they sync the event has one combined Z report:
//! cash expected against counted per drawer, units sold, what comes back.
use wildroot_core::oplog::{all_ops, apply_foreign, dump_tables, replay_check, totals_check};
use wildroot_core::product::NewProduct;
use wildroot_core::sale::{LineRequest, SaleRequest};
use wildroot_core::{CoreError, Store};
use wildroot_model::op::PayMethod;
use wildroot_model::sync::Role;
use wildroot_model::views::AllotmentLine;
use wildroot_model::Money;

type R = Result<(), CoreError>;

const START: i64 = 1_798_761_600_000; // 2027-01-01

fn sale(lines: &[(&str, i64)], pay: PayMethod, cents: i64) -> SaleRequest {
    SaleRequest {
        lines: lines
            .iter()
            .map(|(k, q)| LineRequest { key: (*k).into(), qty: *q, unit_price: None, discount: None, lot: None, custom: None })
            .collect(),
        payments: vec![(pay, Money(cents))],
        ..Default::default()
    }
}

/// Operations `s` recorded itself.
fn own(s: &Store) -> Result<Vec<wildroot_model::Operation>, CoreError> {
    Ok(all_ops(s.conn())?.into_iter().filter(|o| o.device == s.device()).collect())
}

fn lines(v: &[AllotmentLine]) -> Vec<(String, i64, i64, i64)> {
    v.iter().map(|l| (l.sku.clone(), l.allotted, l.sold, l.left)).collect()
}

#[test]
fn two_booths_at_one_market_day_close_into_one_z_report() -> R {
    let mut owner = Store::open_in_memory()?;
    owner.set_clock(Some(START));
    owner.add_product(NewProduct { sku: "SALVE".into(), name: "Lavender Salve".into(), price: Money(1400), ..Default::default() })?;
    owner.add_product(NewProduct { sku: "SOAP".into(), name: "Oat Soap".into(), price: Money(900), ..Default::default() })?;
    owner.adjust_product("SALVE", 40, "counted")?;
    owner.adjust_product("SOAP", 40, "counted")?;
    let mut a = Store::open_in_memory()?;
    let mut b = Store::open_in_memory()?;
    let planned = owner.plan_event(
        "Saturday Market",
        Some("Riverside Park"),
        "2027-01-02".parse().map_err(|_| CoreError::Invalid("date".into()))?,
    )?;
    assert!(owner.current_event()?.is_none(), "planning opens no drawer on the owner's laptop");
    let open = |s: &Store| -> Result<Vec<bool>, CoreError> { Ok(s.list_events()?.into_iter().map(|e| e.open).collect()) };
    assert_eq!(open(&owner)?, [true], "a planned day is open for booths to join");
    owner.allot("Saturday Market", &a.device().to_string(), &[("SALVE".into(), 10), ("SOAP".into(), 5)])?;
    owner.allot("Saturday Market", &b.device().to_string(), &[("SALVE".into(), 8)])?;
    // A vendor may open and close its drawer but not allot stock.
    assert!(Role::Vendor.may("event_joined") && !Role::Vendor.may("stock_allotted"));
    // Bad input says what to fix and changes nothing.
    let before = dump_tables(owner.conn())?;
    for bad in
        [owner.allot("Saturday Market", "nope", &[("SALVE".into(), 1)]), owner.allot("Saturday Market", "this", &[("SALVE".into(), -1)])]
    {
        assert!(bad.is_err());
    }
    assert!(owner.allot("No Such Fair", "this", &[("SALVE".into(), 1)]).is_err());
    let typo = owner.plan_event("Fair", None, "0001-12-12".parse().map_err(|_| CoreError::Invalid("date".into()))?);
    assert!(typo.is_err_and(|e| e.to_string().contains("0001-12-12 is not a market day to plan")));
    assert_eq!(dump_tables(owner.conn())?, before);
    let plan_ops = own(&owner)?;
    apply_foreign(&mut a, &plan_ops)?;
    apply_foreign(&mut b, &plan_ops)?;

    // The morning: both booths open their drawers at the same event, offline.
    a.set_clock(Some(START + 86_400_000 + 8 * 3_600_000));
    b.set_clock(Some(START + 86_400_000 + 8 * 3_600_000 + 1));
    let joined = a.join_event("Saturday Market", Money(5000))?;
    assert_eq!((joined.id, joined.float_cents), (planned.id, 5000));
    b.join_event(&planned.id.to_string(), Money(3000))?;
    assert!(a.join_event("Saturday Market", Money(0)).is_err(), "one drawer at a time");
    let mine = a.allotment()?.ok_or_else(|| CoreError::Invalid("no allotment".into()))?;
    assert_eq!(lines(&mine.lines), [("SALVE".into(), 10, 0, 10), ("SOAP".into(), 5, 0, 5)]);

    let first = a.sell(sale(&[("SALVE", 3)], PayMethod::Cash, 4200))?;
    assert!(first.over_allotment.is_empty());
    let soap = a.sell(sale(&[("SOAP", 6)], PayMethod::Card, 5400))?;
    assert_eq!(soap.over_allotment, ["SOAP"], "a sixth soap is past what the booth was given");
    a.refund(&first.receipt_no, Some(&[("SALVE".into(), 1)]), true)?; // 14.00 back in cash
    b.sell(sale(&[("SALVE", 2)], PayMethod::Cash, 3000))?; // 28.00, change 2.00
    let a_left = a.allotment()?.map(|x| lines(&x.lines)).unwrap_or_default();
    assert_eq!(a_left, [("SALVE".into(), 10, 2, 8), ("SOAP".into(), 5, 6, -1)]);
    // Evening: each counts its own drawer. A is exact, B a dollar short.
    let a_z = a.close_event(Money(5000 + 4200 - 1400))?;
    apply_foreign(&mut owner, &own(&b)?)?;
    assert_eq!(open(&owner)?, [true], "still open while booth B sells");
    let mine = a_z.drawers.iter().find(|d| d.this_device).map(|d| (d.expected_cash_cents, d.over_short_cents));
    assert_eq!(mine, Some((7800, Some(0))));
    assert_eq!((a_z.drawers.len(), a_z.over_short_cents), (1, Some(0)), "offline, A knows only its own drawer");
    b.close_event(Money(3000 + 2800 - 100))?;

    // Everyone syncs: the same figures everywhere, one report for the day.
    let (a_ops, b_ops) = (own(&a)?, own(&b)?);
    apply_foreign(&mut owner, &a_ops)?;
    apply_foreign(&mut owner, &b_ops)?;
    apply_foreign(&mut a, &b_ops)?;
    apply_foreign(&mut b, &a_ops)?;
    assert_eq!(open(&owner)?, [false], "closed once every drawer at it is");
    let want = dump_tables(owner.conn())?;
    assert_eq!(dump_tables(a.conn())?, want);
    assert_eq!(dump_tables(b.conn())?, want);
    let z = owner.z_report("Saturday Market")?;
    let drawers: Vec<_> =
        z.drawers.iter().map(|d| (d.device, d.sales_count, d.expected_cash_cents, d.counted_cash_cents, d.over_short_cents)).collect();
    assert_eq!(drawers, [(a.device(), 2, 7800, Some(7800), Some(0)), (b.device(), 1, 5800, Some(5700), Some(-100))]);
    assert_eq!((z.sales_count, z.total_cents, z.refunds_cents), (3, 4200 + 5400 + 2800, 1400));
    assert_eq!((z.expected_cash_cents, z.counted_cash_cents, z.over_short_cents), (13_600, Some(13_500), Some(-100)));
    let back: Vec<_> = z.allotments.iter().map(|l| (l.device, l.sku.clone(), l.left)).collect();
    assert_eq!(back, {
        let mut v = vec![(a.device(), "SALVE".to_string(), 8), (a.device(), "SOAP".to_string(), -1), (b.device(), "SALVE".to_string(), 6)];
        v.sort_by_key(|x| (x.0.to_string(), x.1.clone()));
        v
    });
    for s in [&owner, &a, &b] {
        assert_eq!(replay_check(s)?, None);
        assert_eq!(totals_check(s.conn())?, None);
    }
    Ok(())
}

#[test]
fn one_device_opening_and_closing_its_own_event_reports_as_before() -> R {
    let mut s = Store::open_in_memory()?;
    s.set_clock(Some(START));
    s.add_product(NewProduct { sku: "SALVE".into(), name: "Lavender Salve".into(), price: Money(1400), ..Default::default() })?;
    s.open_event("Fair", None, None, Money(10_000))?;
    s.sell(sale(&[("SALVE", 1)], PayMethod::Cash, 2000))?;
    let z = s.close_event(Money(11_300))?;
    assert_eq!((z.expected_cash_cents, z.counted_cash_cents, z.over_short_cents), (11_400, Some(11_300), Some(-100)));
    assert_eq!(z.drawers.len(), 1);
    assert_eq!(z.event.counted_cents, Some(11_300));
    assert!(z.allotments.is_empty());
    assert_eq!(replay_check(&s)?, None);
    Ok(())
}

/// A custom-amount item (#23): something not in the catalogue, rung up at
/// a typed price. It is a sale line with a description and a tax category,
/// moves no stock, shows in the Z report as "Custom items", is refunded by
/// what it was called, and a line that claims both a product and a
/// description, or a category the shop has no rate for, is refused.
#[test]
fn a_custom_amount_item_is_sold_taxed_by_its_category_and_takes_no_stock() -> R {
    use wildroot_core::sale::CustomItem;
    use wildroot_core::settings::TaxRule;
    let mut s = Store::open_in_memory()?;
    s.set_clock(Some(START));
    s.add_product(NewProduct { sku: "SALVE".into(), name: "Lavender Salve".into(), price: Money(1000), ..Default::default() })?;
    s.adjust_product("SALVE", 5, "counted")?;
    s.set_tax(TaxRule { bp: 1000, inclusive: false })?;
    s.open_event("Saturday Market", None, None, Money(0))?;
    let custom = |name: &str, cents: i64, category: &str| LineRequest {
        key: name.into(),
        qty: 1,
        unit_price: Some(Money(cents)),
        discount: None,
        lot: None,
        custom: Some(CustomItem { tax_category: category.into() }),
    };
    let mut req = sale(&[("SALVE", 1)], PayMethod::Cash, 2000);
    req.lines.push(custom("Seconds jar", 400, "standard"));
    req.lines.push(custom("Gift wrap", 150, "exempt"));
    let r = s.sell(req)?;
    // 10.00 + 4.00 taxed at 10 %, 1.50 exempt.
    assert_eq!((r.tax_cents, r.total_cents), (140, 1690));
    assert_eq!(s.product("SALVE")?.on_hand, 4, "only the product took stock");
    let conn = s.conn();
    let moves: i64 = conn.query_row("SELECT COUNT(*) FROM stock_movements WHERE item_id = ''", [], |r| r.get(0))?;
    assert_eq!(moves, 0);
    let lines = &s.recent_sales(None, 1)?[0].lines;
    assert_eq!(lines.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["Lavender Salve", "Seconds jar", "Gift wrap"]);
    let event = s.current_event()?.map(|e| e.id.to_string()).unwrap_or_default();
    let z = s.z_report(&event)?;
    let custom_row = z.units.iter().find(|u| u.name == "Custom items").map(|u| (u.units, u.total_cents));
    assert_eq!(custom_row, Some((2, 590)), "{:?}", z.units);
    assert_eq!(z.total_cents, 1690);
    // Refunded by what it was called; nothing goes back on a shelf.
    let refund = s.refund(&r.receipt_no, Some(&[("gift wrap".into(), 1)]), true)?;
    assert_eq!(refund.total_cents, 150);
    assert_eq!(s.product("SALVE")?.on_hand, 4);
    // Refused, each with its sentence, and nothing recorded.
    let before = all_ops(s.conn())?.len();
    let mut no_price = custom("Seconds jar", 0, "standard");
    no_price.unit_price = None;
    for (bad, says) in [
        (custom("Seconds jar", 400, "luxury"), "has no tax category 'luxury'"),
        (custom("", 400, "standard"), "does not describe an item"),
        (no_price, "has no price"),
    ] {
        let mut req = sale(&[], PayMethod::Cash, 2000);
        req.lines.push(bad);
        let err = s.sell(req).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains(says), "{err}");
    }
    assert_eq!(all_ops(s.conn())?.len(), before);
    assert_eq!(replay_check(&s)?, None);
    assert_eq!(totals_check(s.conn())?, None);
    // The server's judge refuses a line that is both a product and a custom item.
    let mut op = all_ops(s.conn())?.into_iter().find(|o| o.kind.name() == "sale_completed").ok_or(CoreError::Invalid("no sale".into()))?;
    if let wildroot_model::OpKind::SaleCompleted(p) = &mut op.kind {
        p.lines[1].product_id = p.lines[0].product_id;
    }
    let wire = wildroot_model::sync::WireOp::from_op(&op).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let judged = wildroot_model::sync::judge(&wire, Role::Vendor).err().unwrap_or_default();
    assert!(judged.contains("one or the other"), "{judged}");
    Ok(())
}

/// A card payment taken off an unfinished sale is recorded with the
/// vendor's answer to "was it charged?" (#23) and listed in the Z report;
/// it is not a sale and moves no total. A vendor may record it; cash is
/// never "withdrawn" (it is handed back), and the judge refuses it.
#[test]
fn a_card_payment_taken_off_an_unfinished_sale_is_in_the_z_report_with_the_answer() -> R {
    let mut s = Store::open_in_memory()?;
    s.set_clock(Some(START));
    s.open_event("Saturday Market", None, None, Money(5000))?;
    s.withdraw_payment(PayMethod::Card, Money(500), true)?;
    s.withdraw_payment(PayMethod::Card, Money(300), false)?;
    let event = s.current_event()?.map(|e| e.id.to_string()).unwrap_or_default();
    let z = s.z_report(&event)?;
    assert_eq!(z.withdrawn.iter().map(|w| (w.amount_cents, w.charged)).collect::<Vec<_>>(), [(500, true), (300, false)]);
    assert_eq!((z.sales_count, z.total_cents, z.expected_cash_cents), (0, 0, 5000), "not a sale, not cash");
    assert!(Role::Vendor.may("payment_withdrawn"));
    let err = s.withdraw_payment(PayMethod::Cash, Money(500), true).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("only card and other payments"), "{err}");
    assert_eq!(replay_check(&s)?, None);
    Ok(())
}

/// What a market really earned (#24): the goods sold cost what their lots
/// cost (units refunded onto the shelf come back off it), units no lot
/// covers cost their product's average batch cost, and profit is net
/// sales − refunds − commission − fee − costs − goods, per hour worked.
#[test]
fn a_market_s_profit_is_its_sales_less_the_market_s_cut_costs_and_the_goods_from_their_lots() -> R {
    use wildroot_core::batch::ProduceRequest;
    use wildroot_core::supply::NewSupply;
    use wildroot_model::op::{Commission, CommissionBase, EventTerms};
    let mut s = Store::open_in_memory()?;
    s.set_clock(Some(START));
    s.add_supply(NewSupply { name: "Wax".into(), unit: Some(wildroot_model::Unit::G), ..Default::default() })?;
    s.receive_supply("Wax", "1000g", Money(1000), None)?;
    s.add_product(NewProduct { sku: "SALVE".into(), name: "Salve".into(), price: Money(1000), ..Default::default() })?;
    s.set_recipe("SALVE", 10, &[("Wax".into(), "100g".into())])?;
    // 10 salves from 100 g at 1¢ a gram: 1.00 for the lot, 0.10 each.
    s.produce(ProduceRequest { sku: "SALVE".into(), batches: 1, lot_code: None, expires_on: None, allow_short: false, made: None })?;
    let terms = EventTerms {
        place: None,
        fee_cents: Some(2000),
        commission: Some(Commission { bp: 1000, base: CommissionBase::Gross }),
        minutes_worked: Some(240),
    };
    s.open_event_with("Saturday Market", None, None, Money(0), terms)?;
    // 12 sold: 10 from the lot, 2 from no lot (costed at the 0.10 average).
    let sold = s.sell(sale(&[("SALVE", 12)], PayMethod::Cash, 12_000))?;
    s.refund(&sold.receipt_no, Some(&[("SALVE".into(), 1)]), true)?;
    s.add_event_cost("Saturday Market", Money(500), "gas")?;
    let r = s.market_results(None)?;
    let m = &r.markets[0];
    // 120.00 sold, 10.00 refunded; 10 % of 110.00 = 11.00; fee 20.00; gas 5.00.
    assert_eq!((m.net_sales_cents, m.refunds_cents, m.commission_cents, m.fee_cents, m.costs_cents), (12_000, 1000, 1100, 2000, 500));
    // The refunded unit went back to the lot: 9 from it and 2 from none, 0.10 each.
    assert_eq!((m.goods_cents, m.units_at_average), (110, 2));
    assert_eq!(m.profit_cents, 12_000 - 1000 - 1100 - 2000 - 500 - 110);
    // 72.90 over 4 hours: 18.225 an hour, rounded half away from zero.
    assert_eq!(m.profit_per_hour_cents, Some(1823));
    let st = s.settle_event("Saturday Market")?;
    assert_eq!((st.commission_cents, st.owed_cents), (1100, 3100));
    Ok(())
}
