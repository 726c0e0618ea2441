//! What people type, read one way for every front end: the CLI's arguments,
//! the app's forms and its shell. Money, whole numbers, dates and
//! percentages each have one parser here, and every refusal is one sentence
//! that names the field and shows what to type.
use crate::money::Money;
use crate::quantity::{Quantity, Unit};
use chrono::NaiveDate;

type Result<T> = std::result::Result<T, String>;

/// An amount in the shop's currency: `14`, `12.50`, `$7.25`, `1,250.00`
/// (commas only between groups of three digits). Negative amounts are
/// read (a refund, a correction); [`price`] refuses them.
pub fn amount(field: &str, text: &str) -> Result<Money> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("the {field} is empty: type it like 14.00"));
    }
    let (sign, rest) = match t.strip_prefix('-') {
        Some(r) => ("-", r.trim_start()),
        None => ("", t),
    };
    let digits = rest.strip_prefix('$').unwrap_or(rest).trim_start();
    let bad = || format!("the {field} '{t}' is not an amount: type dollars and cents like 14 or 12.50");
    if !digits.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return Err(bad());
    }
    let plain = ungroup(digits).ok_or_else(bad)?;
    Money::parse(&format!("{sign}{plain}")).map_err(|e| match e {
        crate::money::ParseMoneyError::TooPrecise(_) => format!("the {field} '{t}' has more than two decimals: type cents, like 12.50"),
        _ => bad(),
    })
}

/// An amount that cannot be below zero: a price, a cost, a payment.
pub fn price(field: &str, text: &str) -> Result<Money> {
    let m = amount(field, text)?;
    if m.0 < 0 {
        return Err(format!("the {field} '{}' is below zero: type it without the minus", text.trim()));
    }
    Ok(m)
}

/// `1,250.00` → `1250.00`: commas must separate groups of three digits.
fn ungroup(s: &str) -> Option<String> {
    if !s.contains(',') {
        return Some(s.to_string());
    }
    let (whole, frac) = s.split_once('.').map_or((s, None), |(w, f)| (w, Some(f)));
    let mut groups = whole.split(',');
    let head = groups.next()?;
    if head.is_empty() || head.len() > 3 || !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut out = head.to_string();
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push_str(g);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}

/// A whole number, signed (`6`, `-2`, `+5`); empty is refused.
pub fn whole(field: &str, text: &str) -> Result<i64> {
    optional_whole(field, text)?.ok_or_else(|| format!("the {field} is empty: type a whole number like 6"))
}

/// A whole number, or `None` when the field was left empty (for fields
/// where empty means "none", like a low-stock alert).
pub fn optional_whole(field: &str, text: &str) -> Result<Option<i64>> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let digits = t.strip_prefix('+').unwrap_or(t);
    let bad = || format!("the {field} '{t}' is not a whole number: type it like 3, -2 or +5");
    let (neg, abs) = match digits.strip_prefix('-') {
        Some(a) => (true, a),
        None => (false, digits),
    };
    if abs.is_empty() || !abs.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: i64 = abs.parse().map_err(|_| format!("the {field} '{t}' is too large"))?;
    Ok(Some(if neg { -n } else { n }))
}

/// A day as `YYYY-MM-DD`.
pub fn day(field: &str, text: &str) -> Result<NaiveDate> {
    optional_day(field, text)?.ok_or_else(|| format!("the {field} is empty: type it like 2026-11-24"))
}

/// A day, or `None` when the field was left empty.
pub fn optional_day(field: &str, text: &str) -> Result<Option<NaiveDate>> {
    match text.trim() {
        "" => Ok(None),
        t => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("the {field} '{t}' is not a date: type it like 2026-11-24")),
    }
}

/// A percentage from 0 to 100 with at most two decimals (`8.25`, `8.25%`),
/// in basis points.
pub fn percent_bp(field: &str, text: &str) -> Result<i64> {
    let input = text.trim();
    let s = input.trim_end_matches('%').trim();
    let bad = || format!("the {field} '{input}' is not a percentage: type it like 8.25%");
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty() || !whole.bytes().all(|c| c.is_ascii_digit()) || !frac.bytes().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if frac.len() > 2 {
        return Err(format!("the {field} '{input}' has more than two decimals: percentages go to 0.01%, like 8.25%"));
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    match whole.checked_mul(100).and_then(|w| w.checked_add(frac)).filter(|bp| *bp <= 10_000) {
        Some(bp) => Ok(bp),
        None => Err(format!("the {field} '{input}' is more than 100%")),
    }
}

/// A market's commission as typed: `10%` (of sales with tax, the usual
/// rule), `10%:gross` or `8%:net` (of sales without tax).
pub fn commission(text: &str) -> Result<crate::op::Commission> {
    use crate::op::{Commission, CommissionBase};
    let (rate, base) = match text.trim().rsplit_once(':') {
        Some((r, b)) => (r, b.trim()),
        None => (text.trim(), "gross"),
    };
    let base = match base.to_ascii_lowercase().as_str() {
        "gross" => CommissionBase::Gross,
        "net" => CommissionBase::Net,
        _ => return Err(format!("'{base}' is not a commission base: type 10%:gross (of sales with tax) or 10%:net (without)")),
    };
    Ok(Commission { bp: percent_bp("commission", rate)?, base })
}

/// Hours worked as typed (`7`, `7.5`, `7:30`), in whole minutes.
pub fn minutes(field: &str, text: &str) -> Result<i64> {
    let t = text.trim();
    let bad = || format!("the {field} '{t}' is not a number of hours: type it like 7.5 or 7:30");
    let minutes = if let Some((h, m)) = t.split_once(':') {
        let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if !(0..60).contains(&m) {
            return Err(bad());
        }
        h.checked_mul(60).and_then(|h| h.checked_add(m)).ok_or_else(bad)?
    } else {
        // Hundredths of an hour, read as integers like a price.
        let hundredths = crate::money::Money::parse(t).map_err(|_| bad())?.0;
        crate::money::div_round(i128::from(hundredths) * 60, 100) as i64
    };
    if !(0..=60 * 24 * 7).contains(&minutes) {
        return Err(format!("the {field} '{t}' is not within a week"));
    }
    Ok(minutes)
}

/// A label's net content: a weight ("56 g", "0.25kg") or a volume ("30 ml",
/// "1l"), in base units of g or ml.
pub fn net_content(what: &str, input: &str) -> Result<(i64, Unit)> {
    let v = input.trim();
    for unit in [Unit::G, Unit::Ml] {
        if let Ok(q) = Quantity::parse(v, unit) {
            if q.0 > 0 && q.0 <= crate::bounds::MAX_QTY {
                return Ok((q.0, unit));
            }
        }
    }
    Err(format!("the {what} '{v}' is not a weight or a volume: give it like 56 g or 30 ml"))
}

/// A density in grams per ml ("0.92", "0.92 g/ml"), exactly, in mg per ml.
pub fn density_mg_per_ml(what: &str, input: &str) -> Result<i64> {
    let v = input.trim();
    let bad = || format!("the {what} '{v}' is not grams per ml: give it like 0.92 (most oils) or 1.26 (glycerin)");
    let number = v.strip_suffix("g/ml").unwrap_or(v).trim();
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 3 || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let frac: i64 = format!("{frac:0<3}").parse().map_err(|_| bad())?;
    let mg = whole.checked_mul(1000).and_then(|w| w.checked_add(frac)).ok_or_else(bad)?;
    if !(1..=crate::bounds::MAX_DENSITY_MG_PER_ML).contains(&mg) {
        return Err(bad());
    }
    Ok(mg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_the_way_people_type_them() {
        for (typed, cents) in [("14", 1400), ("12.5", 1250), ("$7.25", 725), (" 1,250.00 ", 125_000), ("-3.10", -310), ("-$2", -200)] {
            assert_eq!(amount("price", typed), Ok(Money(cents)), "{typed}");
        }
        for bad in ["", "abc", "1,50", "12,3456", ",100", "1.234", "$$1", "1e3"] {
            let e = amount("price", bad).err().unwrap_or_default();
            assert!(e.starts_with("the price"), "{bad}: {e}");
        }
        assert!(price("price", "-1").is_err_and(|e| e.contains("below zero")));
    }

    #[test]
    fn whole_numbers_days_and_percentages() {
        assert_eq!(whole("change", "+5"), Ok(5));
        assert_eq!(whole("change", "-2"), Ok(-2));
        assert!(whole("change", "").is_err_and(|e| e.contains("empty")));
        assert_eq!(optional_whole("alert", " "), Ok(None));
        for bad in ["1.5", "--1", "+", "6 jars", "99999999999999999999"] {
            assert!(whole("change", bad).is_err(), "{bad}");
        }
        assert!(day("expiry date", "2026-02-30").is_err());
        assert_eq!(optional_day("expiry date", ""), Ok(None));
        assert_eq!(percent_bp("tax", "8.25%"), Ok(825));
        assert_eq!(percent_bp("tax", ".5"), Ok(50));
        assert!(percent_bp("tax", "100.01").is_err());
        assert!(percent_bp("tax", "8.125").is_err_and(|e| e.contains("two decimals")));
    }

    #[test]
    fn commissions_and_hours_read_as_typed() {
        use crate::op::{Commission, CommissionBase};
        assert_eq!(commission("10%"), Ok(Commission { bp: 1000, base: CommissionBase::Gross }));
        assert_eq!(commission("8.5%:net"), Ok(Commission { bp: 850, base: CommissionBase::Net }));
        for bad in ["10%:tax", "abc", "101%"] {
            assert!(commission(bad).is_err(), "{bad}");
        }
        assert_eq!((minutes("hours", "7.5"), minutes("hours", "7:30"), minutes("hours", "8")), (Ok(450), Ok(450), Ok(480)));
        for bad in ["7:60", "-1", "x", "1000"] {
            assert!(minutes("hours", bad).is_err(), "{bad}");
        }
    }
}
