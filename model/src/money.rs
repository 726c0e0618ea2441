//! Exact money in integer minor units (cents). Never a float.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Neg, Sub};
use thiserror::Error;

/// An amount in cents. Arithmetic is checked where overflow is possible.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(pub i64);

/// Why a typed amount was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ParseMoneyError {
    #[error("'{0}' is not an amount: type it like 12.50")]
    Malformed(String),
    #[error("'{0}' has more than two decimal places: amounts are in cents, like 12.50")]
    TooPrecise(String),
    #[error("'{0}' is too large an amount")]
    TooLarge(String),
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn cents(self) -> i64 {
        self.0
    }

    /// Parses a decimal amount exactly: `12`, `12.5`, `12.50`, `-3.10`, `$4`.
    /// The digits are read as integers, never through a float.
    pub fn parse(input: &str) -> Result<Money, ParseMoneyError> {
        let s = input.trim();
        let (negative, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let s = s.strip_prefix('$').unwrap_or(s);
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, f),
            None => (s, ""),
        };
        let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) || (s.contains('.') && frac.is_empty()) {
            return Err(ParseMoneyError::Malformed(input.to_string()));
        }
        if frac.len() > 2 {
            return Err(ParseMoneyError::TooPrecise(input.to_string()));
        }
        let too_large = || ParseMoneyError::TooLarge(input.to_string());
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| too_large())? };
        let frac_cents: i64 = match frac.len() {
            0 => 0,
            1 => i64::from(frac.as_bytes()[0] - b'0') * 10,
            _ => frac.parse().map_err(|_| ParseMoneyError::Malformed(input.to_string()))?,
        };
        let cents = whole.checked_mul(100).and_then(|c| c.checked_add(frac_cents)).ok_or_else(too_large)?;
        Ok(Money(if negative { -cents } else { cents }))
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_mul(self, factor: i64) -> Option<Money> {
        self.0.checked_mul(factor).map(Money)
    }

    /// `self × bp / 10000`, rounded half away from zero: a percentage in basis points.
    pub fn percent_bp(self, bp: i64) -> Money {
        Money(div_round(i128::from(self.0) * i128::from(bp), 10_000) as i64)
    }
}

/// Integer division rounded half away from zero. `den` must be positive.
pub fn div_round(num: i128, den: i128) -> i128 {
    let q = num / den;
    let r = num % den;
    if 2 * r.abs() >= den {
        q + num.signum()
    } else {
        q
    }
}

/// Splits `total` across `weights` in proportion, exactly: the parts sum to
/// `total` (largest remainder method). Used to spread a sale discount or the
/// sale's tax over its lines so that refunds of single lines add up.
pub fn allocate(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if sum == 0 || weights.is_empty() {
        let mut out = vec![0; weights.len()];
        if let Some(first) = out.first_mut() {
            *first = total;
        }
        return out;
    }
    let mut parts: Vec<i64> = Vec::with_capacity(weights.len());
    let mut rems: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let num = i128::from(total) * i128::from(*w);
        parts.push((num / sum) as i64);
        rems.push(((num % sum).abs(), i));
    }
    let mut left = total - parts.iter().sum::<i64>();
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let step = left.signum();
    for (_, i) in rems {
        if left == 0 {
            break;
        }
        parts[i] += step;
        left -= step;
    }
    parts
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

/// Basis points as a percentage with two decimals and its sign, the one
/// way every screen and table writes a rate, a margin or a tax
/// (`-50` → `-0.50%`).
pub fn percent(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let bp = bp.unsigned_abs();
    format!("{sign}{}.{:02}%", bp / 100, bp % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn percentages_keep_their_sign() {
        assert_eq!(percent(-50), "-0.50%");
        assert_eq!(percent(-1234), "-12.34%");
        assert_eq!(percent(825), "8.25%");
        assert_eq!(percent(0), "0.00%");
        assert_eq!(percent(i64::MIN), "-92233720368547758.08%");
    }

    #[test]
    fn parses_exactly() {
        assert_eq!(Money::parse("12.50"), Ok(Money(1250)));
        assert_eq!(Money::parse("12.5"), Ok(Money(1250)));
        assert_eq!(Money::parse("12"), Ok(Money(1200)));
        assert_eq!(Money::parse("$0.07"), Ok(Money(7)));
        assert_eq!(Money::parse(".5"), Ok(Money(50)));
        assert_eq!(Money::parse("-3.10"), Ok(Money(-310)));
        assert_eq!(Money::parse("0.10"), Ok(Money(10)));
    }

    #[test]
    fn refuses_bad_amounts() {
        for bad in ["", "abc", "1.2.3", "12.", "1,50", "12.505", "1e3", "--1", "99999999999999999999"] {
            assert!(Money::parse(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(Money::parse("12.505"), Err(ParseMoneyError::TooPrecise("12.505".into())));
    }

    #[test]
    fn allocation_sums_exactly() {
        assert_eq!(allocate(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(allocate(-100, &[1, 1, 1]), vec![-34, -33, -33]);
        assert_eq!(allocate(5, &[0, 0]), vec![5, 0]);
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(c in -1_000_000_000_000i64..1_000_000_000_000) {
            prop_assert_eq!(Money::parse(&Money(c).to_string()), Ok(Money(c)));
        }

        #[test]
        fn parse_matches_integer_reading(w in 0i64..10_000_000, f in 0i64..100) {
            let text = format!("{w}.{f:02}");
            prop_assert_eq!(Money::parse(&text), Ok(Money(w * 100 + f)));
        }

        #[test]
        fn allocate_always_sums(total in -1_000_000i64..1_000_000, weights in proptest::collection::vec(0i64..100_000, 1..12)) {
            let parts = allocate(total, &weights);
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            prop_assert_eq!(parts.len(), weights.len());
        }

        #[test]
        fn percent_rounds_half_away(c in -10_000_000i64..10_000_000, bp in 0i64..10_000) {
            let exact = i128::from(c) * i128::from(bp);
            let got = i128::from(Money(c).percent_bp(bp).0) * 10_000;
            prop_assert!((got - exact).abs() <= 5_000);
        }
    }
}
