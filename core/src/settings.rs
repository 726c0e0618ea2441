//! Business-wide settings: tax rate and whether prices include tax, business name.
use crate::error::{invalid, Result};
use crate::store::{Store, Tx};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use wildroot_model::op::{OpKind, SettingSet};
use wildroot_model::pricing::DiscountPreset;

pub const TAX_BP: &str = "tax_bp";
pub const TAX_INCLUSIVE: &str = "tax_inclusive";
pub const BUSINESS_NAME: &str = "business_name";
/// The name a shop goes by until the owner sets one, on every screen,
/// receipt and report alike.
pub const DEFAULT_BUSINESS_NAME: &str = "My shop";
pub const CURRENCY: &str = "currency";
/// The owner's named discounts for the booth, as JSON (`model::pricing::DiscountPreset`).
pub const DISCOUNT_PRESETS: &str = "discount_presets";

/// How sales are taxed: a rate in basis points (825 = 8.25 %), and whether
/// shelf prices already include it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRule {
    pub bp: i64,
    pub inclusive: bool,
}

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub fn tax_rule(conn: &Connection) -> Result<TaxRule> {
    let bp = get(conn, TAX_BP)?.and_then(|v| v.parse().ok()).unwrap_or(0);
    let inclusive = get(conn, TAX_INCLUSIVE)?.is_some_and(|v| v == "true");
    Ok(TaxRule { bp, inclusive })
}

/// Parses a percentage typed like `8.25%` or `8.25` into basis points, exactly.
pub fn parse_percent_bp(input: &str) -> Result<i64> {
    wildroot_model::field::percent_bp("tax rate", input).map_err(crate::CoreError::Invalid)
}

fn check_tax(rule: TaxRule) -> Result<()> {
    if !(0..=10_000).contains(&rule.bp) {
        return invalid(format!("a tax rate of {} basis points is outside 0–100%", rule.bp));
    }
    Ok(())
}

fn check_currency(code: &str) -> Result<String> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() != 3 || !code.chars().all(|c| c.is_ascii_uppercase()) {
        return invalid(format!("'{code}' is not a currency code: give three letters such as USD, CAD or EUR"));
    }
    Ok(code)
}

pub(crate) fn set_in(tx: &Tx<'_>, key: &str, value: String) -> Result<()> {
    tx.record(OpKind::SettingSet(SettingSet { key: key.to_string(), value }))?;
    Ok(())
}

impl Store {
    /// Sets the sales tax rate and whether prices include it.
    pub fn set_tax(&mut self, rule: TaxRule) -> Result<()> {
        check_tax(rule)?;
        self.write(|tx| {
            set_in(tx, TAX_BP, rule.bp.to_string())?;
            set_in(tx, TAX_INCLUSIVE, rule.inclusive.to_string())
        })
    }

    /// The owner's preset discounts, in the order the booth shows them. A
    /// value this build cannot read (a newer app's) shows none, never fails the booth.
    pub fn discount_presets(&self) -> Result<Vec<DiscountPreset>> {
        Ok(get(self.conn(), DISCOUNT_PRESETS)?
            .and_then(|v| serde_json::from_str::<Vec<DiscountPreset>>(&v).ok())
            .filter(|p| DiscountPreset::check_all(p).is_ok())
            .unwrap_or_default())
    }

    /// Replaces the preset discounts (every booth gets them by sync).
    pub fn set_discount_presets(&mut self, presets: &[DiscountPreset]) -> Result<Vec<DiscountPreset>> {
        DiscountPreset::check_all(presets).map_err(crate::CoreError::Invalid)?;
        let json = serde_json::to_string(presets).map_err(|e| crate::CoreError::Invalid(e.to_string()))?;
        self.write(|tx| set_in(tx, DISCOUNT_PRESETS, json))?;
        self.discount_presets()
    }

    /// The shop's name, or [`DEFAULT_BUSINESS_NAME`] before one is set.
    pub fn business_name(&self) -> Result<String> {
        Ok(get(self.conn(), BUSINESS_NAME)?.unwrap_or_else(|| DEFAULT_BUSINESS_NAME.to_string()))
    }

    pub fn set_business_name(&mut self, name: &str) -> Result<()> {
        let name = crate::error::text("business name", name, 120)?;
        self.write(|tx| set_in(tx, BUSINESS_NAME, name))
    }

    /// Sets the shop's currency: an ISO 4217 code such as USD, CAD or EUR.
    /// Amounts stay in that currency's minor units (cents).
    pub fn set_currency(&mut self, code: &str) -> Result<()> {
        let code = check_currency(code)?;
        self.write(|tx| set_in(tx, CURRENCY, code))
    }

    /// The shop's name, currency and tax, as a settings form saves them:
    /// everything checked first, then only what changed recorded, in one
    /// transaction, so a bad field saves nothing.
    pub fn set_shop(&mut self, name: &str, currency: &str, rule: TaxRule) -> Result<()> {
        let name = crate::error::text("business name", name, 120)?;
        let currency = check_currency(currency)?;
        check_tax(rule)?;
        let (old_name, old_currency, old_rule) = (get(self.conn(), BUSINESS_NAME)?, self.currency()?, self.tax_rule()?);
        self.write(|tx| {
            if old_name.as_deref() != Some(name.as_str()) {
                set_in(tx, BUSINESS_NAME, name)?;
            }
            if old_currency != currency {
                set_in(tx, CURRENCY, currency)?;
            }
            if old_rule != rule {
                set_in(tx, TAX_BP, rule.bp.to_string())?;
                set_in(tx, TAX_INCLUSIVE, rule.inclusive.to_string())?;
            }
            Ok(())
        })
    }

    /// The shop's currency code; USD until one is set.
    pub fn currency(&self) -> Result<String> {
        Ok(get(self.conn(), CURRENCY)?.unwrap_or_else(|| "USD".to_string()))
    }

    pub fn tax_rule(&self) -> Result<TaxRule> {
        tax_rule(self.conn())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_parse_exactly() {
        assert_eq!(parse_percent_bp("8.25%").ok(), Some(825));
        assert_eq!(parse_percent_bp("10").ok(), Some(1000));
        assert_eq!(parse_percent_bp("0.5%").ok(), Some(50));
        assert_eq!(parse_percent_bp("100%").ok(), Some(10_000));
        for bad in ["", "%", "abc", "8.255%", "101%", "-5%"] {
            assert!(parse_percent_bp(bad).is_err(), "{bad}");
        }
    }
}
