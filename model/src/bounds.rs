//! The limits of every quantity and amount Wildroot records, and the one
//! stateless check of an operation's content against them.
//!
//! The same rules hold on every path in: a command on a device checks its
//! input here before it records anything, `Tx::record` checks the
//! operation it is about to apply, the server's `judge` refuses a pushed
//! operation that breaks them, and a device keeps a pulled or imported one
//! unapplied. With every figure bounded, no running total (stock, lots, the
//! daily rollups, a drawer) can leave `i64` even after a billion operations.
use crate::op::*;

/// The most base units (g, ml or pieces) one line of an operation may
/// carry: a thousand tonnes, a million litres, a billion pieces.
pub const MAX_QTY: i64 = 1_000_000_000;
/// The most any amount of money may be, in cents: 100,000,000.00.
pub const MAX_CENTS: i64 = 10_000_000_000;
/// The most lines, payments or lot parts one operation may carry.
pub const MAX_LINES: usize = 1_000;

/// Why a figure is out of bounds, in words a person can act on.
fn out_of(what: &str, value: i64, low: i64, high: i64) -> String {
    let side = if value > high { "too large" } else { "too small" };
    format!("{what} of {value} is {side}: give {} to {}", group(low), group(high))
}

/// 1000000000 → "1,000,000,000" (the limits are read by people).
fn group(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A quantity in `low..=high`, said with what it is.
pub fn qty_in(what: &str, value: i64, low: i64, high: i64) -> Result<i64, String> {
    if (low..=high).contains(&value) {
        Ok(value)
    } else {
        Err(out_of(what, value, low, high))
    }
}

/// A quantity from 1 to [`MAX_QTY`] (units sold, received, refunded).
pub fn positive_qty(what: &str, value: i64) -> Result<i64, String> {
    qty_in(what, value, 1, MAX_QTY)
}

/// A change of stock, either way, at most [`MAX_QTY`].
pub fn signed_qty(what: &str, value: i64) -> Result<i64, String> {
    qty_in(what, value, -MAX_QTY, MAX_QTY)
}

/// Money from 0 to [`MAX_CENTS`] (a price, a cost, a float, a count).
pub fn cents(what: &str, value: i64) -> Result<i64, String> {
    if (0..=MAX_CENTS).contains(&value) {
        Ok(value)
    } else {
        let side = if value > MAX_CENTS { "too large" } else { "too small" };
        Err(format!("{what} of {} is {side}: give 0.00 to 100,000,000.00", crate::Money(value)))
    }
}

fn lines<T>(what: &str, v: &[T]) -> Result<(), String> {
    if v.len() > MAX_LINES {
        return Err(format!("{} {what} are more than the {MAX_LINES} one operation may carry", v.len()));
    }
    Ok(())
}

/// Lot parts: each at least one unit, together no more than the line.
fn lot_takes(what: &str, takes: &[LotTake], line_qty: i64) -> Result<(), String> {
    lines("lot parts", takes)?;
    let mut sum = 0i64;
    for t in takes {
        positive_qty(&format!("a lot part of {what}"), t.qty)?;
        cents(&format!("the cost of a lot part of {what}"), t.cost_cents)?;
        sum += t.qty;
    }
    if sum > line_qty.abs() {
        return Err(format!("the lot parts of {what} ({sum}) are more than its {} units", line_qty.abs()));
    }
    Ok(())
}

fn equal(what: &str, total: i64, parts: i64) -> Result<(), String> {
    if total != parts {
        return Err(format!("{what} is {total} but its parts add up to {parts}"));
    }
    Ok(())
}

/// Checks what an operation says, without looking at any table: signs and
/// bounds of every quantity and amount, totals equal to their parts. An
/// operation that passes cannot make applying it overflow a running total.
pub fn check(kind: &OpKind) -> Result<(), String> {
    match kind {
        OpKind::SupplyCreated(p) => supply_fields(&p.fields),
        OpKind::SupplyEdited(p) => supply_fields(&p.fields),
        OpKind::SupplyReceived(p) => {
            positive_qty("a purchase quantity", p.qty)?;
            cents("a purchase cost", p.cost_cents)?;
            Ok(())
        }
        OpKind::StockAdjusted(p) => {
            signed_qty("an adjustment", p.qty)?;
            lot_takes("an adjustment", &p.lots, p.qty)
        }
        OpKind::ProductCreated(p) => product_fields(&p.fields),
        OpKind::ProductEdited(p) => product_fields(&p.fields),
        OpKind::RecipeSet(p) => {
            positive_qty("a recipe's yield", p.yield_qty)?;
            lines("recipe lines", &p.lines)?;
            for l in &p.lines {
                positive_qty("a recipe line", l.qty)?;
            }
            Ok(())
        }
        OpKind::BatchProduced(p) => {
            positive_qty("a number of batches", p.batches)?;
            qty_in("units made", p.output_qty, 0, MAX_QTY)?;
            if let Some(e) = p.expected_qty {
                qty_in("units expected", e, 0, MAX_QTY)?;
            }
            cents("a batch's cost", p.cost_cents)?;
            lines("batch inputs", &p.inputs)?;
            for i in &p.inputs {
                qty_in("a batch input", i.qty, 0, MAX_QTY)?;
                if !(0..=MAX_CENTS.saturating_mul(1_000_000)).contains(&i.cost_microcents) {
                    return Err(format!("a batch input's cost of {} millionths of a cent is out of bounds", i.cost_microcents));
                }
                lot_takes("a batch input", &i.lots, i.qty)?;
            }
            Ok(())
        }
        OpKind::EventOpened(p) => {
            cents("an opening float", p.float_cents)?;
            event_terms(&p.terms)
        }
        OpKind::EventEdited(p) => event_terms(&p.terms),
        OpKind::EventCostAdded(p) => {
            cents("a market day's cost", p.amount_cents)?;
            if p.note.chars().count() > 200 || p.note.chars().any(char::is_control) {
                return Err("a cost's note is longer than 200 characters or has control characters".into());
            }
            Ok(())
        }
        OpKind::EventJoined(p) => cents("an opening float", p.float_cents).map(drop),
        OpKind::EventClosed(p) => cents("a counted amount", p.counted_cents).map(drop),
        OpKind::StockAllotted(p) => qty_in("an allotment", p.qty, 0, MAX_QTY).map(drop),
        OpKind::SaleCompleted(p) => sale(p),
        OpKind::SaleVoided(_) => Ok(()),
        OpKind::ReceiptEmailRequested(p) => crate::email::recipient(&p.to).and_then(|to| {
            if to == p.to {
                Ok(())
            } else {
                Err(format!("a receipt's address '{}' is not written as read ('{to}')", p.to))
            }
        }),
        OpKind::ReceiptEmailOutcome(p) => match &p.reason {
            Some(r) if r.chars().count() > 500 || r.chars().any(char::is_control) => {
                Err("an email's outcome is longer than 500 characters or has control characters".into())
            }
            None if !p.sent => Err("a receipt email that was not sent says why".into()),
            _ => Ok(()),
        },
        OpKind::SaleRefunded(p) => {
            if p.lines.is_empty() {
                return Err("a refund has no lines".into());
            }
            lines("refund lines", &p.lines)?;
            let mut sum = 0i64;
            for l in &p.lines {
                qty_in("a refunded line number", l.line_no, 0, MAX_LINES as i64)?;
                positive_qty("units refunded", l.qty)?;
                cents("a refunded amount", l.amount_cents)?;
                cents("refunded tax", l.tax_cents)?;
                if l.tax_cents > l.amount_cents {
                    return Err(format!("refunded tax of {} is more than the {} refunded", l.tax_cents, l.amount_cents));
                }
                lot_takes("a refund line", &l.lots, l.qty)?;
                sum += l.amount_cents;
            }
            cents("a refund", p.total_cents)?;
            equal("a refund's total", p.total_cents, sum)
        }
        OpKind::PaymentWithdrawn(p) => {
            if p.method == PayMethod::Cash || p.method == PayMethod::Shopify {
                return Err(format!("a {} payment is not withdrawn: only card and other payments are", p.method.as_str()));
            }
            if p.amount_cents <= 0 {
                return Err(format!("a withdrawn payment of {} is not positive", p.amount_cents));
            }
            cents("a withdrawn payment", p.amount_cents).map(drop)
        }
        OpKind::CustomerCreated(_) | OpKind::CustomerEdited(_) | OpKind::SettingSet(_) => Ok(()),
        OpKind::ShopifyOrderSeen(_) | OpKind::ShopifySkuMapped(_) | OpKind::ShopifyVariantLinked(_) => Ok(()),
    }
}

fn supply_fields(f: &SupplyFields) -> Result<(), String> {
    if let Some(r) = f.reorder_at {
        qty_in("a reorder point", r, 0, MAX_QTY)?;
    }
    if let Some(d) = f.density_mg_per_ml {
        qty_in("a density in mg per ml", d, 1, MAX_DENSITY_MG_PER_ML)?;
    }
    label_text("an INCI name", &f.inci, 200)
}

/// 20 g/ml: denser than anything a maker measures by volume.
pub const MAX_DENSITY_MG_PER_ML: i64 = 20_000;

/// Text printed on a label: bounded, one line, nothing unprintable.
pub fn label_text(what: &str, v: &Option<String>, max: usize) -> Result<(), String> {
    if let Some(v) = v {
        if v.chars().count() > max || v.chars().any(char::is_control) {
            return Err(format!("{what} is longer than {max} characters or not printable"));
        }
    }
    Ok(())
}

fn event_terms(t: &EventTerms) -> Result<(), String> {
    if let Some(place) = &t.place {
        place.check()?;
    }
    if let Some(fee) = t.fee_cents {
        cents("a booth fee", fee)?;
    }
    if let Some(c) = t.commission {
        qty_in("a commission in basis points", c.bp, 0, 10_000)?;
    }
    if let Some(m) = t.minutes_worked {
        qty_in("minutes worked", m, 0, 60 * 24 * 7)?;
    }
    Ok(())
}

fn product_fields(f: &ProductFields) -> Result<(), String> {
    if let Some(c) = &f.tax_category {
        tax_category(c)?;
    }
    if let Some(p) = f.price_cents {
        cents("a price", p)?;
    }
    if let Some(l) = f.low_stock_at {
        qty_in("a low-stock level", l, 0, MAX_QTY)?;
    }
    if let Some(n) = f.net_qty {
        positive_qty("a net content", n)?;
    }
    if f.net_qty.is_some() != f.net_unit.is_some() || f.net_unit == Some(crate::quantity::Unit::Each) && f.net_qty.is_some() {
        return Err("a net content is a weight (g) or a volume (ml) with its unit".into());
    }
    label_text("a label name", &f.label_name, 120)?;
    label_text("a label's warnings", &f.warnings, 500)
}

fn sale(p: &SaleCompleted) -> Result<(), String> {
    if p.lines.is_empty() {
        return Err("a sale has no lines".into());
    }
    lines("sale lines", &p.lines)?;
    lines("payments", &p.payments)?;
    qty_in("a tax rate in basis points", p.tax_bp, 0, 10_000)?;
    let (mut gross, mut discount, mut tax, mut total) = (0i64, 0i64, 0i64, 0i64);
    for l in &p.lines {
        positive_qty("units sold", l.qty)?;
        cents("a unit price", l.unit_price_cents)?;
        for (what, v) in [
            ("a line's gross", l.gross_cents),
            ("a line's discount", l.discount_cents),
            ("a line's tax", l.tax_cents),
            ("a line's net", l.net_cents),
            ("a line's total", l.total_cents),
        ] {
            cents(what, v)?;
        }
        if l.unit_price_cents.checked_mul(l.qty) != Some(l.gross_cents) {
            return Err(format!("a line's gross of {} is not its {} units at {}", l.gross_cents, l.qty, l.unit_price_cents));
        }
        if l.discount_cents > l.gross_cents {
            return Err(format!("a line's discount of {} is more than its gross of {}", l.discount_cents, l.gross_cents));
        }
        equal("a line's total", l.total_cents, l.net_cents + l.tax_cents)?;
        // Tax added on top, or inside the price: what is left after the
        // discount is the net (exclusive) or the total (inclusive).
        let after_discount = l.gross_cents - l.discount_cents;
        let expect = if p.tax_inclusive { l.total_cents } else { l.net_cents };
        equal("a line's price after discount", after_discount, expect)?;
        lot_takes("a sale line", &l.lots, l.qty)?;
        item(l)?;
        gross += l.gross_cents;
        discount += l.discount_cents;
        tax += l.tax_cents;
        total += l.total_cents;
    }
    for (what, v) in [("a sale's gross", p.gross_cents), ("a sale's discount", p.discount_cents), ("a sale's tax", p.tax_cents)] {
        cents(what, v)?;
    }
    cents("a sale's total", p.total_cents)?;
    cents("a sale's change", p.change_cents)?;
    equal("a sale's gross", p.gross_cents, gross)?;
    equal("a sale's discount", p.discount_cents, discount)?;
    equal("a sale's tax", p.tax_cents, tax)?;
    equal("a sale's total", p.total_cents, total)?;
    let (mut paid, mut tendered) = (0i64, 0i64);
    for pay in &p.payments {
        cents("a payment", pay.amount_cents)?;
        cents("an amount tendered", pay.tendered_cents)?;
        if pay.tendered_cents < pay.amount_cents {
            return Err(format!("a payment of {} is more than the {} handed over", pay.amount_cents, pay.tendered_cents));
        }
        if pay.method != PayMethod::Cash && !pay.gives_change && pay.tendered_cents != pay.amount_cents {
            return Err("change is given only for cash or a tender that gives change".into());
        }
        if let Some(t) = &pay.tender {
            crate::tender::tender_name(t)?;
        }
        paid += pay.amount_cents;
        tendered += pay.tendered_cents;
    }
    equal("what the payments paid", paid, p.total_cents)?;
    if let Some(tip) = &p.tip {
        if tip.amount_cents <= 0 || tip.method == PayMethod::Shopify {
            return Err(format!("a tip of {} is not one the booth takes", tip.amount_cents));
        }
        cents("a tip", tip.amount_cents)?;
    }
    equal("the change", p.change_cents, tendered - paid)
}

/// A sale line is a product or a custom-amount item with a description,
/// never both; a custom item takes no stock, so no lots; its tax category
/// and rate are within bounds.
fn item(l: &SaleLine) -> Result<(), String> {
    match (&l.product_id, &l.description) {
        (Some(_), Some(_)) => return Err("a sale line names a product and a custom description: it is one or the other".into()),
        (None, None) => return Err("a sale line names no product and no description".into()),
        (None, Some(d)) => {
            custom_description(d)?;
            if !l.lots.is_empty() {
                return Err("a custom-amount item takes no stock, so it comes from no lot".into());
            }
        }
        (Some(_), None) => {}
    }
    if let Some(c) = &l.tax_category {
        tax_category(c)?;
    }
    if let Some(bp) = l.tax_bp {
        qty_in("a line's tax rate in basis points", bp, 0, 10_000)?;
    }
    Ok(())
}

/// Most characters in what a custom-amount item is called.
pub const MAX_DESCRIPTION: usize = 80;

/// What a custom-amount item is called: 1 to 80 characters, no control characters.
pub fn custom_description(d: &str) -> Result<&str, String> {
    let n = d.chars().count();
    if n == 0 || n > MAX_DESCRIPTION || d.trim() != d || d.chars().any(char::is_control) {
        return Err(format!("'{d}' does not describe an item: give 1 to {MAX_DESCRIPTION} characters, like Seconds jar or Gift wrap"));
    }
    Ok(d)
}

/// The tax category every product has unless the owner gives another.
pub const STANDARD_CATEGORY: &str = "standard";
/// The category taxed at 0 everywhere.
pub const EXEMPT_CATEGORY: &str = "exempt";

/// A tax category's name: 1 to 30 lower-case letters, digits, '-' or '_'.
pub fn tax_category(c: &str) -> Result<&str, String> {
    let ok = !c.is_empty() && c.len() <= 30 && c.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_');
    if !ok {
        return Err(format!("'{c}' is not a tax category: use 1 to 30 lower-case letters, digits, - or _, like food or exempt"));
    }
    Ok(c)
}

/// What `n` units taken from a lot cost, in whole cents, when `before`
/// of its `qty` units were taken already and the whole lot cost `cost`.
///
/// The rule (one costing rule for batches, write-offs and valuation): the
/// running total of what has been taken from a lot is rounded, not each
/// take, so the takes of a lot add up to `round(taken × cost / qty)`, a lot
/// used to the end has cost exactly what was paid for it, and what is left
/// of it is worth `cost − round(taken × cost / qty)`.
pub fn take_cost(cost: i64, qty: i64, before: i64, n: i64) -> i64 {
    consumed_cost(cost, qty, before.saturating_add(n)) - consumed_cost(cost, qty, before)
}

/// What the first `taken` units of a lot of `qty` units bought for `cost` cost.
pub fn consumed_cost(cost: i64, qty: i64, taken: i64) -> i64 {
    if qty <= 0 {
        return 0;
    }
    let taken = taken.clamp(0, qty);
    crate::money::div_round(i128::from(cost) * i128::from(taken), i128::from(qty)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_of_a_lot_add_up_to_what_it_cost() {
        // 3 units for 0.10, taken one at a time: 0.03, 0.04, 0.03 (running total rounded).
        let parts: Vec<i64> = (0..3).map(|k| take_cost(10, 3, k, 1)).collect();
        assert_eq!(parts.iter().sum::<i64>(), 10);
        assert!(parts.iter().all(|p| *p >= 0));
        assert_eq!(consumed_cost(3000, 1000, 1000), 3000);
        assert_eq!(consumed_cost(3000, 1000, 5000), 3000);
    }

    #[test]
    fn limits_are_said_with_their_digits_grouped() {
        let e = positive_qty("units sold", 9_000_000_000_000_000_000).err().unwrap_or_default();
        assert!(e.contains("too large: give 1 to 1,000,000,000"), "{e}");
        assert!(cents("a price", -1).err().unwrap_or_default().contains("too small: give 0.00 to 100,000,000.00"));
        assert_eq!(group(-1234567), "-1,234,567");
    }
}
