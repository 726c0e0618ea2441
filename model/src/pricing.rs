//! Sale arithmetic, exact and shared: the POS cart shows the same figures the
//! core records. Discounts and tax are spread over lines by largest remainder
//! so that every line's share adds up to the sale's total to the cent.
use crate::money::{allocate, div_round, Money};
use crate::op::{PayMethod, Payment, Tip};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A discount typed as `10%` (basis points) or `2.50` (an amount).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discount {
    PercentBp(i64),
    Amount(Money),
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum PricingError {
    #[error("'{0}' is not a discount: type 10% or an amount like 2.50")]
    BadDiscount(String),
    #[error("'{0}' is more than 100%: a discount takes at most the whole price")]
    DiscountOver100(String),
    #[error("a discount of {discount} is more than the {what} it applies to ({of})")]
    DiscountTooLarge { discount: Money, of: Money, what: &'static str },
    #[error("a quantity of {0} cannot be sold: give 1 or more")]
    BadQuantity(i64),
    #[error("a unit price of {0} is negative")]
    NegativePrice(Money),
    #[error("the sale is too large to total")]
    Overflow,
    #[error("a sale needs at least one line")]
    Empty,
    #[error("the payment of {0} is not positive: give an amount above 0")]
    BadPayment(Money),
    #[error("card and other payments ({paid}) are more than the total ({total}): change can only be given in cash")]
    NonCashOver { paid: Money, total: Money },
    #[error("a tip of {0} is more than any one payment: take the tip with one tender")]
    TipTooLarge(Money),
    #[error("payments of {paid} do not cover the total of {total}: {short} short")]
    Short { paid: Money, total: Money, short: Money },
}

impl Discount {
    pub fn parse(input: &str) -> Result<Discount, PricingError> {
        let s = input.trim();
        let bad = || PricingError::BadDiscount(input.to_string());
        if let Some(pct) = s.strip_suffix('%') {
            // "12.5%" → 1250 bp, read as integers.
            let m = Money::parse(pct).map_err(|_| bad())?;
            if m.0 > 10_000 {
                return Err(PricingError::DiscountOver100(input.trim().to_string()));
            }
            if m.0 < 0 {
                return Err(bad());
            }
            Ok(Discount::PercentBp(m.0))
        } else {
            let m = Money::parse(s).map_err(|_| bad())?;
            if m.0 < 0 {
                return Err(bad());
            }
            Ok(Discount::Amount(m))
        }
    }

    fn of(self, base: i64, what: &'static str) -> Result<i64, PricingError> {
        match self {
            Discount::PercentBp(bp) => Ok(Money(base).percent_bp(bp).0),
            Discount::Amount(m) if m.0 > base => Err(PricingError::DiscountTooLarge { discount: m, of: Money(base), what }),
            Discount::Amount(m) => Ok(m.0),
        }
    }
}

/// As a person types it: `12.5%`, `10.05%`, `2.50`.
impl std::fmt::Display for Discount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Discount::PercentBp(bp) => {
                let whole = bp / 100;
                match bp % 100 {
                    0 => write!(f, "{whole}%"),
                    frac if frac % 10 == 0 => write!(f, "{whole}.{}%", frac / 10),
                    frac => write!(f, "{whole}.{frac:02}%"),
                }
            }
            Discount::Amount(m) => write!(f, "{m}"),
        }
    }
}

/// A discount the owner named for the booth, like "Market regular" = 10%:
/// one tap at the POS instead of typing it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountPreset {
    pub name: String,
    pub discount: Discount,
}

/// More buttons than this do not fit beside a cart.
pub const MAX_PRESETS: usize = 12;

impl DiscountPreset {
    /// Presets typed one per line as `Name = 10%` or `Name = 2.00`; blank
    /// lines are skipped. The whole list is checked ([`DiscountPreset::check_all`]).
    pub fn parse_lines(text: &str) -> Result<Vec<DiscountPreset>, String> {
        let mut out = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (name, discount) =
                line.rsplit_once('=').ok_or_else(|| format!("'{line}' has no '=': type a preset like Market regular = 10%"))?;
            let discount = Discount::parse(discount).map_err(|e| format!("{}: {e}", name.trim()))?;
            out.push(DiscountPreset { name: name.trim().to_string(), discount });
        }
        DiscountPreset::check_all(&out)?;
        Ok(out)
    }

    /// The rules every list of presets keeps, wherever it comes from.
    pub fn check_all(presets: &[DiscountPreset]) -> Result<(), String> {
        if presets.len() > MAX_PRESETS {
            return Err(format!("{} presets are more than the {MAX_PRESETS} the booth shows: keep the ones used most", presets.len()));
        }
        for (i, p) in presets.iter().enumerate() {
            let n = p.name.chars().count();
            if n == 0 || n > 40 || p.name.trim() != p.name || p.name.chars().any(|c| c.is_control() || c == '=') {
                return Err(format!("'{}' is not a preset name: give 1 to 40 characters without '=', like Market regular", p.name));
            }
            match p.discount {
                Discount::PercentBp(bp) if !(1..=10_000).contains(&bp) => {
                    return Err(format!("{}: a preset of {} takes nothing off or more than everything", p.name, p.discount))
                }
                Discount::Amount(m) if m.0 <= 0 || m.0 > crate::bounds::MAX_CENTS => {
                    return Err(format!("{}: a preset of {} is not an amount to take off", p.name, p.discount))
                }
                _ => {}
            }
            if presets[..i].iter().any(|q| q.name.eq_ignore_ascii_case(&p.name)) {
                return Err(format!("'{}' is named twice: give each preset its own name", p.name));
            }
        }
        Ok(())
    }

    /// The list as [`DiscountPreset::parse_lines`] reads it.
    pub fn to_lines(presets: &[DiscountPreset]) -> String {
        presets.iter().map(|p| format!("{} = {}\n", p.name, p.discount)).collect()
    }
}

/// One cart line before pricing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CartLine {
    pub qty: i64,
    pub unit_price: Money,
    pub discount: Option<Discount>,
    /// The line's own tax rate (its tax category's); `None` is the sale's rate.
    pub tax_bp: Option<i64>,
}

/// A priced line: `net` excludes tax; `total = net + tax`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    pub gross_cents: i64,
    pub discount_cents: i64,
    pub tax_cents: i64,
    pub net_cents: i64,
    pub total_cents: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Priced {
    pub lines: Vec<PricedLine>,
    pub gross_cents: i64,
    pub discount_cents: i64,
    pub tax_cents: i64,
    pub total_cents: i64,
}

/// Prices a cart: line discounts, then the sale discount spread over lines,
/// then tax at each line's rate, `tax_bp` where a line names none (added, or
/// already inside the prices).
pub fn price(lines: &[CartLine], sale_discount: Option<Discount>, tax_bp: i64, tax_inclusive: bool) -> Result<Priced, PricingError> {
    if lines.is_empty() {
        return Err(PricingError::Empty);
    }
    let mut gross = Vec::with_capacity(lines.len());
    let mut after_line = Vec::with_capacity(lines.len());
    let mut line_disc = Vec::with_capacity(lines.len());
    for l in lines {
        if l.qty <= 0 {
            return Err(PricingError::BadQuantity(l.qty));
        }
        if l.unit_price.0 < 0 {
            return Err(PricingError::NegativePrice(l.unit_price));
        }
        let g = l.unit_price.0.checked_mul(l.qty).filter(|g| *g < i64::MAX / 20_000).ok_or(PricingError::Overflow)?;
        let d = match l.discount {
            Some(d) => d.of(g, "line")?,
            None => 0,
        };
        gross.push(g);
        line_disc.push(d);
        after_line.push(g - d);
    }
    let subtotal: i64 = after_line.iter().try_fold(0i64, |a, b| a.checked_add(*b)).ok_or(PricingError::Overflow)?;
    let sale_disc = match sale_discount {
        Some(d) => d.of(subtotal, "sale")?,
        None => 0,
    };
    let shares = allocate(sale_disc, &after_line);
    let amounts: Vec<i64> = after_line.iter().zip(&shares).map(|(a, s)| a - s).collect();
    // Tax is computed once per rate on what the lines at that rate come to,
    // then spread over those lines, so a cart of one rate is taxed as a whole.
    let rates: Vec<i64> = lines.iter().map(|l| l.tax_bp.unwrap_or(tax_bp)).collect();
    let mut taxes = vec![0i64; lines.len()];
    let mut tax_total = 0i64;
    let mut seen: Vec<i64> = Vec::new();
    for &rate in &rates {
        if seen.contains(&rate) {
            continue;
        }
        seen.push(rate);
        let members: Vec<usize> = (0..lines.len()).filter(|&i| rates[i] == rate).collect();
        let group: Vec<i64> = members.iter().map(|&i| amounts[i]).collect();
        let base: i64 = group.iter().sum();
        let tax = if tax_inclusive {
            base - div_round(i128::from(base) * 10_000, 10_000 + i128::from(rate)) as i64
        } else {
            Money(base).percent_bp(rate).0
        };
        for (&i, t) in members.iter().zip(allocate(tax, &group)) {
            taxes[i] = t;
        }
        tax_total += tax;
    }
    let mut out = Priced::default();
    for i in 0..lines.len() {
        let (net, total) = if tax_inclusive { (amounts[i] - taxes[i], amounts[i]) } else { (amounts[i], amounts[i] + taxes[i]) };
        out.lines.push(PricedLine {
            gross_cents: gross[i],
            discount_cents: line_disc[i] + shares[i],
            tax_cents: taxes[i],
            net_cents: net,
            total_cents: total,
        });
    }
    out.gross_cents = gross.iter().sum();
    out.discount_cents = line_disc.iter().sum::<i64>() + sale_disc;
    out.tax_cents = tax_total;
    out.total_cents = out.lines.iter().map(|l| l.total_cents).sum();
    Ok(out)
}

/// One payment as handed over, before settling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tendered {
    pub method: PayMethod,
    /// A configured tender's name (paid as `Other`).
    pub tender: Option<String>,
    pub amount: Money,
    /// Cash always does; a configured tender as the shop set it.
    pub gives_change: bool,
}

impl Tendered {
    pub fn of(method: PayMethod, amount: Money) -> Tendered {
        Tendered { method, tender: None, amount, gives_change: method == PayMethod::Cash }
    }
}

/// Settles what was handed over against `total`: change comes out of cash
/// only. Returns the payments with the amount each contributed, and the change.
pub fn settle(total: i64, tendered: &[(PayMethod, Money)]) -> Result<(Vec<Payment>, i64), PricingError> {
    let tendered: Vec<Tendered> = tendered.iter().map(|(m, a)| Tendered::of(*m, *a)).collect();
    settle_with_tip(total, 0, &tendered).map(|(p, c, _)| (p, c))
}

/// Settles what was handed over against `total` and a `tip`, by the change
/// rule (`crate::tender`): tenders that give no change never pay more than
/// is due; change comes out of the cash paid (last first), then out of the
/// other tenders that give change (handed from the drawer). The tip is
/// taken out of the last payment that covers it: the payments then add up
/// to `total` exactly and the tip is recorded apart, with its tender.
pub fn settle_with_tip(total: i64, tip: i64, tendered: &[Tendered]) -> Result<(Vec<Payment>, i64, Option<Tip>), PricingError> {
    for t in tendered {
        if t.amount.0 <= 0 {
            return Err(PricingError::BadPayment(t.amount));
        }
    }
    let sum = |pred: &dyn Fn(&Tendered) -> bool| -> Result<i64, PricingError> {
        tendered.iter().filter(|t| pred(t)).try_fold(0i64, |a, t| a.checked_add(t.amount.0)).ok_or(PricingError::Overflow)
    };
    let due = total.checked_add(tip.max(0)).ok_or(PricingError::Overflow)?;
    let paid = sum(&|_| true)?;
    let no_change = sum(&|t| !t.gives_change && t.method != PayMethod::Cash)?;
    if paid < due {
        return Err(PricingError::Short { paid: Money(paid), total: Money(due), short: Money(due - paid) });
    }
    if no_change > due {
        return Err(PricingError::NonCashOver { paid: Money(no_change), total: Money(due) });
    }
    let change = paid - due;
    let mut payments: Vec<Payment> = tendered
        .iter()
        .map(|t| Payment {
            method: t.method,
            amount_cents: t.amount.0,
            tendered_cents: t.amount.0,
            tender: t.tender.clone(),
            gives_change: t.gives_change && t.method != PayMethod::Cash,
        })
        .collect();
    // Change out of cash first, last first; then out of other tenders that give change.
    let mut left = change;
    for pass_cash in [true, false] {
        for (p, t) in payments.iter_mut().zip(tendered).rev() {
            let eligible = if pass_cash { t.method == PayMethod::Cash } else { t.method != PayMethod::Cash && t.gives_change };
            if eligible && left > 0 {
                let take = left.min(p.amount_cents);
                p.amount_cents -= take;
                left -= take;
            }
        }
    }
    let tip = if tip > 0 {
        let p = payments.iter_mut().rev().find(|p| p.amount_cents >= tip).ok_or(PricingError::TipTooLarge(Money(tip)))?;
        p.amount_cents -= tip;
        p.tendered_cents -= tip;
        Some(Tip { amount_cents: tip, method: p.method, tender: p.tender.clone() })
    } else {
        None
    };
    // A payment the tip used up whole paid nothing towards the sale.
    payments.retain(|p| p.tendered_cents > 0);
    Ok((payments, change, tip))
}

/// Cash amounts a vendor is likely handed for `total`: exact, the next whole
/// dollar, the next $5 and $10, and the $5/$10/$20/$50/$100 notes above it.
pub fn tender_suggestions(total: Money) -> Vec<Money> {
    let t = total.0.max(0);
    let mut out = vec![t];
    for step in [100, 500, 1000, 2000, 5000, 10_000] {
        let up = if t % step == 0 { t } else { (t / step + 1) * step };
        if up > t && !out.contains(&up) {
            out.push(up);
        }
    }
    out.sort_unstable();
    out.into_iter().map(Money).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(qty: i64, cents: i64) -> CartLine {
        CartLine { qty, unit_price: Money(cents), discount: None, tax_bp: None }
    }

    #[test]
    fn presets_are_typed_one_per_line_and_checked() {
        let p = DiscountPreset::parse_lines("Market regular = 10%\n\n  Friend=2.50 \nStaff = 12.5%").unwrap_or_default();
        assert_eq!(
            p,
            vec![
                DiscountPreset { name: "Market regular".into(), discount: Discount::PercentBp(1000) },
                DiscountPreset { name: "Friend".into(), discount: Discount::Amount(Money(250)) },
                DiscountPreset { name: "Staff".into(), discount: Discount::PercentBp(1250) },
            ]
        );
        assert_eq!(DiscountPreset::parse_lines(&DiscountPreset::to_lines(&p)), Ok(p));
        for bad in ["Friend 10%", "Friend = 150%", "Friend = 0%", "= 10%", "A = 1%\na = 2%", "Friend = lots", "A = 10%B = 2.00"] {
            assert!(DiscountPreset::parse_lines(bad).is_err(), "{bad}");
        }
        assert!(DiscountPreset::parse_lines(&"P = 1%\n".repeat(13)).is_err(), "thirteen presets, and twice the same name");
    }

    proptest! {
        /// A discount reads back as what it shows: the text a screen puts
        /// in a field is the discount it came from.
        #[test]
        fn a_discount_reads_back_as_it_is_shown(bp in 0i64..=10_000, cents in 0i64..1_000_000) {
            for d in [Discount::PercentBp(bp), Discount::Amount(Money(cents))] {
                prop_assert_eq!(Discount::parse(&d.to_string()).ok(), Some(d));
            }
        }
    }

    #[test]
    fn exclusive_tax_is_added() -> Result<(), PricingError> {
        let p = price(&[line(2, 1200), line(1, 850)], None, 825, false)?;
        assert_eq!(p.gross_cents, 3250);
        assert_eq!(p.tax_cents, 268); // 3250 × 8.25% = 268.125
        assert_eq!(p.total_cents, 3518);
        Ok(())
    }

    #[test]
    fn inclusive_tax_is_inside_the_price() -> Result<(), PricingError> {
        let p = price(&[line(1, 1100)], None, 1000, true)?;
        assert_eq!(p.total_cents, 1100);
        assert_eq!(p.tax_cents, 100);
        assert_eq!(p.lines[0].net_cents, 1000);
        Ok(())
    }

    #[test]
    fn discounts_stack_and_spread() -> Result<(), PricingError> {
        let lines = [CartLine { qty: 1, unit_price: Money(1000), discount: Some(Discount::PercentBp(1000)), tax_bp: None }, line(1, 500)];
        let p = price(&lines, Some(Discount::Amount(Money(100))), 0, false)?;
        assert_eq!(p.discount_cents, 200);
        assert_eq!(p.total_cents, 1300);
        assert_eq!(p.lines.iter().map(|l| l.discount_cents).sum::<i64>(), 200);
        assert!(price(&[line(1, 500)], Some(Discount::Amount(Money(600))), 0, false).is_err());
        Ok(())
    }

    #[test]
    fn change_comes_from_cash() -> Result<(), PricingError> {
        let (pays, change) = settle(1250, &[(PayMethod::Cash, Money(2000))])?;
        assert_eq!(change, 750);
        assert_eq!(pays[0].amount_cents, 1250);
        let (pays, change) = settle(3000, &[(PayMethod::Card, Money(1000)), (PayMethod::Cash, Money(2500))])?;
        assert_eq!((change, pays[1].amount_cents), (500, 2000));
        assert!(matches!(settle(1000, &[(PayMethod::Card, Money(1500))]), Err(PricingError::NonCashOver { .. })));
        assert!(matches!(settle(1000, &[(PayMethod::Cash, Money(900))]), Err(PricingError::Short { .. })));
        Ok(())
    }

    #[test]
    fn suggestions_round_up() {
        let s: Vec<i64> = tender_suggestions(Money(1250)).into_iter().map(|m| m.0).collect();
        assert_eq!(s, vec![1250, 1300, 1500, 2000, 5000, 10_000]);
        assert_eq!(tender_suggestions(Money(2000))[0], Money(2000));
    }

    #[test]
    fn discounts_parse() {
        assert_eq!(Discount::parse("10%"), Ok(Discount::PercentBp(1000)));
        assert_eq!(Discount::parse("12.5%"), Ok(Discount::PercentBp(1250)));
        assert_eq!(Discount::parse("2.50"), Ok(Discount::Amount(Money(250))));
        // Over 100% says so, not that it is no discount at all.
        assert!(Discount::parse("150%").is_err_and(|e| e.to_string().contains("more than 100%")));
        for bad in ["", "%", "150%", "-1", "abc", "1.234"] {
            assert!(Discount::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        /// A cart of several tax categories is taxed rate by rate: the lines
        /// of one rate carry the tax those lines would carry alone, and an
        /// exempt line (rate 0) carries none.
        #[test]
        fn each_rate_is_taxed_on_its_own_lines(
            items in proptest::collection::vec((1i64..20, 0i64..10_000, prop_oneof![Just(None), Just(Some(0i64)), Just(Some(925))]), 1..8),
            tax in 0i64..2_500, inclusive in any::<bool>()
        ) {
            let lines: Vec<CartLine> = items.iter().map(|(q, c, r)| CartLine { qty: *q, unit_price: Money(*c), discount: None, tax_bp: *r }).collect();
            let all = price(&lines, None, tax, inclusive).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(all.lines.iter().map(|l| l.tax_cents).sum::<i64>(), all.tax_cents);
            for rate in [tax, 0, 925] {
                let idx: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].tax_bp.unwrap_or(tax) == rate).collect();
                if idx.is_empty() {
                    continue;
                }
                let alone: Vec<CartLine> = idx.iter().map(|&i| lines[i]).collect();
                let p = price(&alone, None, tax, inclusive).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(idx.iter().map(|&i| all.lines[i].tax_cents).sum::<i64>(), p.tax_cents);
                if rate == 0 {
                    prop_assert_eq!(p.tax_cents, 0);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn lines_add_up_to_the_sale(
            items in proptest::collection::vec((1i64..20, 0i64..10_000, 0i64..5_000), 1..8),
            sale_pct in 0i64..5_000, tax in 0i64..2_500, inclusive in any::<bool>()
        ) {
            let lines: Vec<CartLine> = items.iter().map(|(q, c, d)| CartLine { qty: *q, unit_price: Money(*c), discount: Some(Discount::PercentBp(*d)), tax_bp: None }).collect();
            let p = price(&lines, Some(Discount::PercentBp(sale_pct)), tax, inclusive).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(p.lines.iter().map(|l| l.total_cents).sum::<i64>(), p.total_cents);
            prop_assert_eq!(p.lines.iter().map(|l| l.tax_cents).sum::<i64>(), p.tax_cents);
            prop_assert_eq!(p.lines.iter().map(|l| l.discount_cents).sum::<i64>(), p.discount_cents);
            prop_assert_eq!(p.gross_cents - p.discount_cents + if inclusive { 0 } else { p.tax_cents }, p.total_cents);
            for l in &p.lines {
                prop_assert!(l.net_cents >= 0 && l.tax_cents >= 0);
                prop_assert_eq!(l.net_cents + l.tax_cents, l.total_cents);
            }
        }
    }

    proptest! {
        /// The change rule and the tip rule, for any payments: a tender that
        /// gives no change never pays more than it was handed and never
        /// more than is due; the payments add up to the total exactly; the
        /// change is what was handed over less the total and the tip.
        #[test]
        fn tenders_settle_by_the_change_rule(
            total in 0i64..10_000, tip in 0i64..500,
            pays in proptest::collection::vec((0usize..4, 1i64..8_000), 1..4),
        ) {
            let tendered: Vec<Tendered> = pays.iter().map(|(k, a)| match k {
                0 => Tendered::of(PayMethod::Cash, Money(*a)),
                1 => Tendered::of(PayMethod::Card, Money(*a)),
                2 => Tendered { method: PayMethod::Other, tender: Some("SNAP".into()), amount: Money(*a), gives_change: false },
                _ => Tendered { method: PayMethod::Other, tender: Some("Check".into()), amount: Money(*a), gives_change: true },
            }).collect();
            let handed: i64 = pays.iter().map(|(_, a)| a).sum();
            match settle_with_tip(total, tip, &tendered) {
                Ok((payments, change, t)) => {
                    prop_assert_eq!(payments.iter().map(|p| p.amount_cents).sum::<i64>(), total);
                    prop_assert_eq!(t.as_ref().map_or(0, |t| t.amount_cents), tip);
                    prop_assert_eq!(change, handed - total - tip);
                    prop_assert_eq!(payments.iter().map(|p| p.tendered_cents - p.amount_cents).sum::<i64>(), change);
                    for p in &payments {
                        prop_assert!(p.amount_cents >= 0 && p.tendered_cents >= p.amount_cents);
                        if p.method != PayMethod::Cash && !p.gives_change {
                            prop_assert_eq!(p.tendered_cents, p.amount_cents, "a tender that gives no change gave some");
                        }
                    }
                }
                Err(PricingError::TipTooLarge(_)) => prop_assert!(tip > 0),
                Err(_) => {
                    let no_change: i64 = pays.iter().filter(|(k, _)| *k == 1 || *k == 2).map(|(_, a)| a).sum();
                    prop_assert!(handed < total + tip || no_change > total + tip, "refused a payment the rule allows");
                }
            }
        }
    }
}
