//! A season of market days (#24), generated: two places with different
//! rates and a food rate, a taxed, a food and an exempt product, two booth
//! devices selling offline at each day with every tender (cash with change,
//! card, SNAP and tokens that never give change) and tips, whole lines
//! refunded, and the standard rate at one place raised mid-season. After
//! every device has every operation (the sync's result, applied here op by
//! op as the server hands them on), the figures are computed by hand from
//! what was rung up, not by the app's pricing, and must match to the cent:
//!
//! - the tax report, per place and rate, over the season and over the days
//!   before the rate changed (which the change must leave alone);
//! - each day's Z report: every tender's takings, the tips apart, the taxes;
//! - each day's settle statement (gross, refunds, tax, commission, fee);
//! - each market's profit: net sales − refunds − commission − fee − costs −
//!   the goods from their lot;
//! - each receipt: its tax per place and rate, total, change and tip.
//!
//! Cases: `WILDROOT_SEASON_CASES` (default 8). A failure is shrunk to the
//! shortest season and printed; `PROPTEST_RNG_SEED` replays a run.
use proptest::prelude::*;
use std::collections::BTreeMap;
use wildroot_core::batch::ProduceRequest;
use wildroot_core::oplog::{all_ops, apply_foreign, dump_tables, replay_check, totals_check};
use wildroot_core::product::NewProduct;
use wildroot_core::sale::{LineRequest, SaleRequest, TipRequest};
use wildroot_core::supply::NewSupply;
use wildroot_core::{CoreError, Store};
use wildroot_model::op::{Commission, CommissionBase, EventTerms, Operation};
use wildroot_model::tax::TaxPlace;
use wildroot_model::{Money, Unit};

const START: i64 = 1_798_761_600_000; // 2027-01-01, a Friday
const DAY: i64 = 86_400_000;

/// (sku, price, tax category).
const PRODUCTS: [(&str, i64, &str); 3] = [("SALVE", 1400, "standard"), ("TEA", 850, "food"), ("CARD", 300, "exempt")];
/// (place, standard rate, food rate); "exempt" is 0 everywhere.
const PLACES: [(&str, i64, i64); 2] = [("Bristol VA", 530, 250), ("Bristol TN", 925, 400)];
/// Bristol VA's standard rate from the day it changes.
const VA_RAISED: i64 = 575;
/// SALVE's one lot: 1,000 made for 100.00, 0.10 a unit.
const LOT_UNITS: i64 = 1000;
const LOT_COST: i64 = 10_000;

#[derive(Clone, Debug)]
enum Pay {
    /// Cash rounded up to the next $5: change from the drawer.
    Cash,
    Card,
    /// Half in SNAP (never change), the rest in cash rounded up to a dollar.
    SnapAndCash,
    /// Whole dollars in tokens (never change), the rest by card.
    TokensAndCard,
}

#[derive(Clone, Debug)]
struct Sale {
    qty: [i64; 3],
    pay: Pay,
    tip: i64,
    /// A line (by product) refunded whole, restocked.
    refund: Option<usize>,
}

#[derive(Clone, Debug)]
struct Day {
    place: usize,
    fee: i64,
    commission_bp: i64,
    net_base: bool,
    cost: i64,
    booths: [Vec<Sale>; 2],
}

fn sale() -> impl Strategy<Value = Sale> {
    let qty = (0i64..3, 0i64..3, 0i64..3).prop_map(|(a, b, c)| [a, b, c]).prop_filter("a sale has a line", |q| q.iter().any(|x| *x > 0));
    let pay = prop_oneof![Just(Pay::Cash), Just(Pay::Card), Just(Pay::SnapAndCash), Just(Pay::TokensAndCard)];
    (qty, pay, prop_oneof![3 => Just(0i64), 1 => 1i64..500], proptest::option::of(0usize..3)).prop_map(|(qty, pay, tip, refund)| Sale {
        refund: refund.filter(|i| qty[*i] > 0),
        qty,
        pay,
        tip,
    })
}

fn day() -> impl Strategy<Value = Day> {
    (
        0usize..2,
        0i64..5000,
        0i64..2000,
        any::<bool>(),
        0i64..3000,
        proptest::collection::vec(sale(), 0..5),
        proptest::collection::vec(sale(), 0..5),
    )
        .prop_map(|(place, fee, commission_bp, net_base, cost, a, b)| Day {
            place,
            fee,
            commission_bp,
            net_base,
            cost,
            booths: [a, b],
        })
}

fn cases() -> u32 {
    std::env::var("WILDROOT_SEASON_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(8)
}

/// Round half away from zero of `num / den`, for non-negative figures: the hand rule.
fn rounded(num: i64, den: i64) -> i64 {
    (2 * num + den) / (2 * den)
}

fn place(i: usize, va_raised: bool) -> TaxPlace {
    let (name, standard, food) = PLACES[i];
    let standard = if i == 0 && va_raised { VA_RAISED } else { standard };
    TaxPlace { name: name.into(), rate_bp: standard, inclusive: false, categories: [("food".to_string(), food)].into() }
}

/// Operations `s` recorded itself.
fn own(s: &Store) -> Result<Vec<Operation>, CoreError> {
    Ok(all_ops(s.conn())?.into_iter().filter(|o| o.device == s.device()).collect())
}

/// Every device gets every other device's operations.
fn sync(stores: &mut [&mut Store]) -> Result<(), CoreError> {
    let ops: Vec<Vec<Operation>> = stores.iter().map(|s| own(s)).collect::<Result<_, _>>()?;
    for (i, s) in stores.iter_mut().enumerate() {
        for (j, theirs) in ops.iter().enumerate() {
            if i != j {
                apply_foreign(s, theirs)?;
            }
        }
    }
    Ok(())
}

/// What the hand computes for one market day.
#[derive(Debug, Default, PartialEq)]
struct Hand {
    /// Sales with tax, refunds with tax, tax less refunded tax.
    gross: i64,
    refunds: i64,
    tax: i64,
    /// Sales and refunds without tax.
    net_sales: i64,
    net_refunds: i64,
    /// Per tender: what it paid towards sales, and the tips taken in it.
    tenders: BTreeMap<String, (i64, i64)>,
    tips: i64,
    /// SALVE units out and not back.
    salve_out: i64,
}

fn season(days: &[Day], raise_at: usize) -> Result<(), TestCaseError> {
    let fail = |e: CoreError| TestCaseError::fail(e.to_string());
    let mut owner = Store::open_in_memory().map_err(fail)?;
    let mut a = Store::open_in_memory().map_err(fail)?;
    let mut b = Store::open_in_memory().map_err(fail)?;
    owner.set_clock(Some(START));
    for (sku, price, category) in PRODUCTS {
        let p = NewProduct {
            sku: sku.into(),
            name: sku.into(),
            price: Money(price),
            tax_category: Some(category.into()),
            ..Default::default()
        };
        owner.add_product(p).map_err(fail)?;
    }
    for (sku, _, _) in PRODUCTS {
        owner.adjust_product(sku, 1000, "counted").map_err(fail)?;
    }
    owner.add_supply(NewSupply { name: "Wax".into(), unit: Some(Unit::G), ..Default::default() }).map_err(fail)?;
    owner.receive_supply("Wax", "10000g", Money(LOT_COST), None).map_err(fail)?;
    owner.set_recipe("SALVE", LOT_UNITS, &[("Wax".into(), "10000g".into())]).map_err(fail)?;
    owner
        .produce(ProduceRequest { sku: "SALVE".into(), batches: 1, lot_code: None, expires_on: None, allow_short: false, made: None })
        .map_err(fail)?;
    owner.set_tax_place(place(0, false), false).map_err(fail)?;
    owner.set_tax_place(place(1, false), false).map_err(fail)?;
    owner.add_tender("SNAP", false, false).map_err(fail)?;
    owner.add_tender("Tokens", false, true).map_err(fail)?;
    sync(&mut [&mut owner, &mut a, &mut b]).map_err(fail)?;

    // (place, rate) → (net, tax), for the season and for the days before the raise.
    let mut tax_all: BTreeMap<(String, i64), (i64, i64)> = BTreeMap::new();
    let mut tax_before: BTreeMap<(String, i64), (i64, i64)> = BTreeMap::new();
    let mut hands = Vec::new();
    for (d, day) in days.iter().enumerate() {
        let raised = d >= raise_at;
        if d == raise_at {
            owner.set_clock(Some(START + d as i64 * DAY));
            owner.set_tax_place(place(0, true), false).map_err(fail)?;
        }
        let date = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).and_then(|x| x.checked_add_days(chrono::Days::new(d as u64)));
        let date = date.ok_or_else(|| TestCaseError::fail("date"))?;
        let name = format!("Market {d}");
        let terms = EventTerms {
            place: Some(place(day.place, raised)),
            fee_cents: Some(day.fee),
            commission: Some(Commission {
                bp: day.commission_bp,
                base: if day.net_base { CommissionBase::Net } else { CommissionBase::Gross },
            }),
            minutes_worked: Some(300),
        };
        owner.set_clock(Some(START + d as i64 * DAY + 3_600_000));
        owner.plan_event_with(&name, None, date, terms).map_err(fail)?;
        // A day with no other cost records none (a cost of 0 is refused).
        if day.cost > 0 {
            owner.add_event_cost(&name, Money(day.cost), "gas").map_err(fail)?;
        }
        sync(&mut [&mut owner, &mut a, &mut b]).map_err(fail)?;

        let (place_name, standard, food) = (PLACES[day.place].0, place(day.place, raised).rate_bp, PLACES[day.place].2);
        let rates = [standard, food, 0];
        let mut hand = Hand::default();
        // Both booths sell offline: neither sees the other's sales until the evening.
        for (k, booth) in [&mut a, &mut b].into_iter().enumerate() {
            booth.set_clock(Some(START + d as i64 * DAY + 8 * 3_600_000 + k as i64));
            booth.join_event(&name, Money(10_000)).map_err(fail)?;
            for s in &day.booths[k] {
                // Each sale has at most one line per rate: its tax is that line's.
                let mut lines = Vec::new();
                let (mut net, mut tax) = (0, 0);
                for (i, (sku, price, _)) in PRODUCTS.iter().enumerate() {
                    if s.qty[i] == 0 {
                        continue;
                    }
                    let n = price * s.qty[i];
                    let t = rounded(n * rates[i], 10_000);
                    net += n;
                    tax += t;
                    let e = tax_all.entry((place_name.into(), rates[i])).or_default();
                    *e = (e.0 + n, e.1 + t);
                    if !raised {
                        let e = tax_before.entry((place_name.into(), rates[i])).or_default();
                        *e = (e.0 + n, e.1 + t);
                    }
                    lines.push(LineRequest {
                        key: (*sku).into(),
                        qty: s.qty[i],
                        unit_price: None,
                        discount: None,
                        lot: None,
                        custom: None,
                    });
                }
                let total = net + tax;
                let due = total + s.tip;
                let tenders: Vec<(String, i64)> = match s.pay {
                    Pay::Cash => vec![("cash".into(), due.div_euclid(500) * 500 + 500)],
                    Pay::Card => vec![("card".into(), due)],
                    Pay::SnapAndCash => {
                        let snap = total / 2;
                        let rest = due - snap;
                        let cash = rest.div_euclid(100) * 100 + 100;
                        [("SNAP".to_string(), snap), ("cash".to_string(), cash)].into_iter().filter(|t| t.1 > 0).collect()
                    }
                    Pay::TokensAndCard => {
                        let tokens = total.div_euclid(100) * 100;
                        [("Tokens".to_string(), tokens), ("card".to_string(), due - tokens)].into_iter().filter(|t| t.1 > 0).collect()
                    }
                };
                let req = SaleRequest {
                    lines,
                    tenders: tenders.iter().map(|(n, c)| (n.clone(), Money(*c))).collect(),
                    tip: (s.tip > 0).then_some(TipRequest::Amount(Money(s.tip))),
                    ..Default::default()
                };
                let receipt = booth.sell(req).map_err(fail)?;
                prop_assert_eq!((receipt.tax_cents, receipt.total_cents), (tax, total), "the sale prices as the hand does");
                // What each tender paid: change comes out of cash, the tip out of the last payment that covers it.
                let paid: i64 = tenders.iter().map(|t| t.1).sum();
                prop_assert_eq!(receipt.change_cents, paid - due, "change is what was handed over less what was due");
                let mut parts: Vec<(String, i64)> = tenders.clone();
                let mut change = paid - due;
                for p in parts.iter_mut().rev() {
                    if p.0 == "cash" {
                        let take = change.min(p.1);
                        p.1 -= take;
                        change -= take;
                    }
                }
                prop_assert_eq!(change, 0, "only cash gives change here");
                // The receipt (#25) says what the sale recorded: tax per rate at
                // this place, what was handed over, the change and the tip.
                let printed = booth.receipt(&receipt.receipt_no).map_err(fail)?;
                let taxes: Vec<(String, i64, i64)> = printed.taxes.iter().map(|t| (t.place.clone(), t.rate_bp, t.tax_cents)).collect();
                let mut want_taxes: Vec<(String, i64, i64)> = (0..3)
                    .filter(|i| s.qty[*i] > 0 && rates[*i] > 0)
                    .map(|i| (place_name.to_string(), rates[i], rounded(PRODUCTS[i].1 * s.qty[i] * rates[i], 10_000)))
                    .collect();
                want_taxes.sort_by_key(|t| t.1);
                prop_assert_eq!(taxes, want_taxes, "the receipt's tax by place and rate");
                let handed: i64 = printed.payments.iter().map(|p| p.tendered_cents).sum();
                prop_assert_eq!(
                    (printed.total_cents, printed.change_cents, printed.tip_cents, handed - printed.change_cents, handed),
                    (total, paid - due, s.tip, total + s.tip, paid),
                    "the receipt's total, change and tip"
                );
                if s.tip > 0 {
                    let Some(p) = parts.iter_mut().rev().find(|p| p.1 >= s.tip) else {
                        return Err(TestCaseError::fail("no payment covers the tip"));
                    };
                    p.1 -= s.tip;
                    hand.tenders.entry(p.0.to_lowercase()).or_default().1 += s.tip;
                    hand.tips += s.tip;
                }
                for (n, c) in parts {
                    hand.tenders.entry(n.to_lowercase()).or_default().0 += c;
                }
                hand.gross += total;
                hand.tax += tax;
                hand.net_sales += net;
                hand.salve_out += s.qty[0];
                if let Some(i) = s.refund {
                    let (sku, price, _) = PRODUCTS[i];
                    let n = price * s.qty[i];
                    let t = rounded(n * rates[i], 10_000);
                    booth.refund(&receipt.receipt_no, Some(&[(sku.into(), s.qty[i])]), true).map_err(fail)?;
                    hand.refunds += n + t;
                    hand.tax -= t;
                    hand.net_refunds += n;
                    if i == 0 {
                        hand.salve_out -= s.qty[i];
                    }
                    let e = tax_all.entry((place_name.into(), rates[i])).or_default();
                    *e = (e.0 - n, e.1 - t);
                    if !raised {
                        let e = tax_before.entry((place_name.into(), rates[i])).or_default();
                        *e = (e.0 - n, e.1 - t);
                    }
                }
            }
            let z = booth.z_report(&name).map_err(fail)?;
            let counted = z.drawers.iter().find(|x| x.this_device).map(|x| x.expected_cash_cents).unwrap_or(0);
            booth.close_event(Money(counted)).map_err(fail)?;
        }
        sync(&mut [&mut owner, &mut a, &mut b]).map_err(fail)?;
        hands.push((name, day.clone(), hand));
    }

    // Every device holds the same books.
    let want = dump_tables(owner.conn()).map_err(fail)?;
    prop_assert_eq!(&dump_tables(a.conn()).map_err(fail)?, &want);
    prop_assert_eq!(&dump_tables(b.conn()).map_err(fail)?, &want);
    for s in [&owner, &a, &b] {
        prop_assert_eq!(replay_check(s).map_err(fail)?, None);
        prop_assert_eq!(totals_check(s.conn()).map_err(fail)?, None);
    }

    // The tax report, per place and rate, to the cent.
    let rows = |m: &BTreeMap<(String, i64), (i64, i64)>| -> Vec<(String, i64, i64, i64, i64)> {
        m.iter()
            .filter(|(_, (n, t))| *n != 0 || *t != 0)
            .map(|((p, r), (n, t))| if *r == 0 { (p.clone(), *r, 0, *n, *t) } else { (p.clone(), *r, *n, 0, *t) })
            .collect()
    };
    let report_rows = |from: Option<chrono::NaiveDate>, to: Option<chrono::NaiveDate>| -> Result<_, TestCaseError> {
        let r = owner.tax_report(from, to).map_err(fail)?;
        Ok(r.rows
            .into_iter()
            .filter(|x| x.taxable_cents != 0 || x.exempt_cents != 0 || x.tax_cents != 0)
            .map(|x| (x.place, x.rate_bp, x.taxable_cents, x.exempt_cents, x.tax_cents))
            .collect::<Vec<_>>())
    };
    let first = chrono::NaiveDate::from_ymd_opt(2027, 1, 1);
    let end = chrono::NaiveDate::from_ymd_opt(2027, 12, 31);
    prop_assert_eq!(report_rows(first, end)?, rows(&tax_all), "the season's tax report");
    if raise_at > 0 {
        let last_before = first.and_then(|x| x.checked_add_days(chrono::Days::new(raise_at as u64 - 1)));
        prop_assert_eq!(report_rows(first, last_before)?, rows(&tax_before), "the rate raised later leaves past sales alone");
    }

    let results = owner.market_results(Some(2027)).map_err(fail)?;
    prop_assert_eq!(results.markets.len(), hands.len());
    for (name, day, hand) in &hands {
        // The Z report: every tender's takings and tips, one figure each.
        let z = owner.z_report(name).map_err(fail)?;
        let mut tenders: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for p in &z.payments {
            let e = tenders.entry(p.tender.clone().unwrap_or_else(|| p.method.as_str().to_string()).to_lowercase()).or_default();
            *e = (e.0 + p.amount_cents, e.1 + p.tips_cents);
        }
        tenders.retain(|_, v| *v != (0, 0));
        let mut want_tenders = hand.tenders.clone();
        want_tenders.retain(|_, v| *v != (0, 0));
        prop_assert_eq!(&tenders, &want_tenders, "{}: each tender's takings and tips", name);
        prop_assert_eq!((z.total_cents, z.refunds_cents, z.tips_cents), (hand.gross, hand.refunds, hand.tips), "{}: Z totals", name);
        prop_assert_eq!(z.payments.iter().map(|p| p.refunded_cents).sum::<i64>(), hand.refunds, "{}: refunds by tender", name);
        let z_tax: i64 = z.taxes.iter().map(|t| t.tax_cents).sum();
        prop_assert_eq!(z_tax, hand.tax, "{}: the Z report's tax", name);

        // The settle statement, by the day's rule.
        let st = owner.settle_event(name).map_err(fail)?;
        let on = if day.net_base { hand.gross - hand.refunds - hand.tax } else { hand.gross - hand.refunds }.max(0);
        let commission = rounded(on * day.commission_bp, 10_000);
        prop_assert_eq!(
            (st.gross_cents, st.refunds_cents, st.tax_cents, st.commission_on_cents, st.commission_cents, st.owed_cents),
            (hand.gross, hand.refunds, hand.tax, on, commission, commission + day.fee),
            "{}: the settle statement",
            name
        );

        // The profit: the goods are SALVE's lot at 0.10 a unit; TEA and CARD have no batch and cost nothing known.
        let m = results.markets.iter().find(|m| &m.event.name == name).ok_or_else(|| TestCaseError::fail("market missing"))?;
        let goods = rounded(LOT_COST * hand.salve_out, LOT_UNITS);
        let profit = hand.net_sales - hand.net_refunds - commission - day.fee - day.cost - goods;
        prop_assert_eq!(
            (m.net_sales_cents, m.refunds_cents, m.commission_cents, m.fee_cents, m.costs_cents, m.goods_cents, m.profit_cents),
            (hand.net_sales, hand.net_refunds, commission, day.fee, day.cost, goods, profit),
            "{}: what the market earned",
            name
        );
        prop_assert_eq!(m.profit_per_hour_cents, Some(if profit >= 0 { rounded(profit * 60, 300) } else { -rounded(-profit * 60, 300) }));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn a_season_on_two_booths_at_two_places_adds_up_to_the_cent(
        days in proptest::collection::vec(day(), 1..7),
        raise in 0usize..8,
    ) {
        let raise_at = raise.min(days.len());
        season(&days, raise_at)?;
    }
}
