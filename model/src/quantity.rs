//! Quantities in integer base units: grams, millilitres or pieces ("each").
//!
//! People type `2kg`, `1.5l`, `500ml` or `12`; we store 2000, 1500, 500, 12.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// The base unit a supply or product is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// grams
    G,
    /// millilitres
    Ml,
    /// pieces
    Each,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::G => "g",
            Unit::Ml => "ml",
            Unit::Each => "each",
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Unit::G => "a weight",
            Unit::Ml => "a volume",
            Unit::Each => "a count",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Unit {
    type Err = ParseQuantityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "g" => Ok(Unit::G),
            "ml" => Ok(Unit::Ml),
            "each" | "ea" | "pc" | "pcs" => Ok(Unit::Each),
            _ => Err(ParseQuantityError::UnknownUnit(s.to_string())),
        }
    }
}

/// An amount of something in its base unit. Signed: movements go both ways.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity(pub i64);

/// Why a typed quantity was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ParseQuantityError {
    #[error("no quantity was given: type it like 500g, 2kg, 1.5l, 250ml or 12")]
    Empty,
    #[error("'{0}' is not a quantity: type it like 500g, 2kg, 1.5l, 250ml or 12")]
    Malformed(String),
    #[error("'{0}' is not a unit: use g, ml or each (kg and l are accepted in quantities)")]
    UnknownUnit(String),
    #[error("'{input}' is {given}, but this is counted in {expected} ({unit})")]
    WrongUnit { input: String, given: &'static str, expected: &'static str, unit: Unit },
    #[error("'{input}' is not a whole number of {unit}: the smallest amount is 1{unit}")]
    Fractional { input: String, unit: Unit },
    #[error("'{0}' is too large a quantity")]
    TooLarge(String),
}

impl Quantity {
    pub fn base(self) -> i64 {
        self.0
    }

    /// Parses `input` as an amount counted in `unit`, exactly.
    pub fn parse(input: &str, unit: Unit) -> Result<Quantity, ParseQuantityError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseQuantityError::Empty);
        }
        let split = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
        let (number, suffix) = (s[..split].trim(), s[split..].trim().to_ascii_lowercase());
        let (given, factor): (Unit, i64) = match suffix.as_str() {
            "" => (unit, 1),
            "g" => (Unit::G, 1),
            "kg" => (Unit::G, 1000),
            "ml" => (Unit::Ml, 1),
            "l" => (Unit::Ml, 1000),
            "each" | "ea" | "pc" | "pcs" | "x" => (Unit::Each, 1),
            other => return Err(ParseQuantityError::UnknownUnit(other.to_string())),
        };
        if given != unit {
            return Err(ParseQuantityError::WrongUnit { input: input.to_string(), given: given.kind(), expected: unit.kind(), unit });
        }
        let (negative, number) = match number.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, number.strip_prefix('+').unwrap_or(number)),
        };
        let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
        let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) || (number.contains('.') && frac.is_empty()) {
            return Err(ParseQuantityError::Malformed(input.to_string()));
        }
        let too_large = || ParseQuantityError::TooLarge(input.to_string());
        // Read "1.25" as 125 / 10^2, then scale by the unit factor; exact or refused.
        let frac = frac.trim_end_matches('0');
        if frac.len() > 18 {
            return Err(ParseQuantityError::Fractional { input: input.to_string(), unit });
        }
        let scale = 10i128.pow(frac.len() as u32);
        let whole_v: i128 = if whole.is_empty() { 0 } else { whole.parse::<i128>().map_err(|_| too_large())? };
        let frac_v: i128 = if frac.is_empty() { 0 } else { frac.parse::<i128>().map_err(|_| too_large())? };
        let scaled = whole_v
            .checked_mul(scale)
            .and_then(|v| v.checked_add(frac_v))
            .and_then(|v| v.checked_mul(i128::from(factor)))
            .ok_or_else(too_large)?;
        if scaled % scale != 0 {
            return Err(ParseQuantityError::Fractional { input: input.to_string(), unit });
        }
        let value = i64::try_from(scaled / scale).map_err(|_| too_large())?;
        Ok(Quantity(if negative { -value } else { value }))
    }

    /// A friendly rendering: `1.2 kg`, `350 ml`, `12`.
    pub fn display(self, unit: Unit) -> String {
        let (big, name) = match unit {
            Unit::G => ("kg", "g"),
            Unit::Ml => ("l", "ml"),
            Unit::Each => return self.0.to_string(),
        };
        if self.0.abs() >= 1000 {
            let sign = if self.0 < 0 { "-" } else { "" };
            let abs = self.0.unsigned_abs();
            let frac = format!("{:03}", abs % 1000);
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                format!("{sign}{} {big}", abs / 1000)
            } else {
                format!("{sign}{}.{frac} {big}", abs / 1000)
            }
        } else {
            format!("{} {name}", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_units_exactly() {
        assert_eq!(Quantity::parse("2kg", Unit::G), Ok(Quantity(2000)));
        assert_eq!(Quantity::parse("1.5l", Unit::Ml), Ok(Quantity(1500)));
        assert_eq!(Quantity::parse("500ml", Unit::Ml), Ok(Quantity(500)));
        assert_eq!(Quantity::parse("12", Unit::Each), Ok(Quantity(12)));
        assert_eq!(Quantity::parse("0.125 kg", Unit::G), Ok(Quantity(125)));
        assert_eq!(Quantity::parse("-3", Unit::Each), Ok(Quantity(-3)));
        assert_eq!(Quantity::parse("2.500kg", Unit::G), Ok(Quantity(2500)));
    }

    #[test]
    fn refuses_what_cannot_be_stored() {
        assert!(matches!(Quantity::parse("2kg", Unit::Ml), Err(ParseQuantityError::WrongUnit { .. })));
        assert!(matches!(Quantity::parse("1.5", Unit::Each), Err(ParseQuantityError::Fractional { .. })));
        assert!(matches!(Quantity::parse("0.0005kg", Unit::G), Err(ParseQuantityError::Fractional { .. })));
        assert!(matches!(Quantity::parse("3 stone", Unit::G), Err(ParseQuantityError::UnknownUnit(_))));
        assert_eq!(Quantity::parse("  ", Unit::G), Err(ParseQuantityError::Empty));
        assert!(matches!(Quantity::parse("99999999999999999999kg", Unit::G), Err(ParseQuantityError::TooLarge(_))));
        for bad in ["", "kg", "1..2", "1.", "abc", "1,5kg"] {
            assert!(Quantity::parse(bad, Unit::G).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn displays_friendly() {
        assert_eq!(Quantity(1200).display(Unit::G), "1.2 kg");
        assert_eq!(Quantity(350).display(Unit::Ml), "350 ml");
        assert_eq!(Quantity(2000).display(Unit::Ml), "2 l");
        assert_eq!(Quantity(12).display(Unit::Each), "12");
    }

    proptest! {
        #[test]
        fn kilograms_scale_exactly(whole in 0i64..1_000_000, frac in 0i64..1000) {
            let text = format!("{whole}.{frac:03}kg");
            prop_assert_eq!(Quantity::parse(&text, Unit::G), Ok(Quantity(whole * 1000 + frac)));
        }

        #[test]
        fn friendly_display_parses_back(v in -10_000_000i64..10_000_000) {
            for unit in [Unit::G, Unit::Ml, Unit::Each] {
                let shown = Quantity(v).display(unit).replace(' ', "");
                prop_assert_eq!(Quantity::parse(&shown, unit), Ok(Quantity(v)));
            }
        }
    }
}
