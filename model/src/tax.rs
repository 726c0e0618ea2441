//! Tax that follows the market: named places with a rate, whether shelf
//! prices include it, and rates per tax category. A sale is taxed by the
//! place it happens at (the open market day's, else the shop's home
//! place); each line at its product's category's rate there, and the line
//! keeps the rate it was taxed at, so changing a place never changes a
//! past sale.
use crate::bounds::{tax_category, EXEMPT_CATEGORY, STANDARD_CATEGORY};
use crate::field;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A place's name as people write it: 1 to 60 characters.
pub const MAX_PLACE_NAME: usize = 60;

/// The place sales are taxed at when the shop has named none: the rate in
/// the shop's settings.
pub const SHOP_PLACE: &str = "Shop";

/// A named place and how sales there are taxed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxPlace {
    pub name: String,
    /// The "standard" category's rate, in basis points (5.3 % = 530).
    pub rate_bp: i64,
    /// Shelf prices already include the tax here.
    #[serde(default)]
    pub inclusive: bool,
    /// Other categories' rates ("food" = 250); "exempt" is always 0.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub categories: BTreeMap<String, i64>,
}

impl TaxPlace {
    /// The shop's own rate as a place, where it has named none.
    pub fn shop(rate_bp: i64, inclusive: bool) -> TaxPlace {
        TaxPlace { name: SHOP_PLACE.into(), rate_bp, inclusive, categories: BTreeMap::new() }
    }

    /// The rate a line of `category` is taxed at here. The rule: "exempt" is
    /// never taxed; a category the place names has its own rate; any other
    /// (including "standard") has the place's standard rate, so a product
    /// whose category a place does not know is taxed, never missed.
    pub fn rate_of(&self, category: &str) -> i64 {
        if category == EXEMPT_CATEGORY {
            return 0;
        }
        self.categories.get(category).copied().unwrap_or(self.rate_bp)
    }

    /// Whether a custom-amount item may be rung up in `category` here: the
    /// categories every place has and those this one names (a typed
    /// category that is none of them is a typo, not a rate).
    pub fn knows(&self, category: &str) -> bool {
        category == STANDARD_CATEGORY || category == EXEMPT_CATEGORY || self.categories.contains_key(category)
    }

    /// The rules every place keeps, wherever it comes from (typed, synced, read back).
    pub fn check(&self) -> Result<(), String> {
        place_name(&self.name)?;
        rate("the rate", self.rate_bp)?;
        for (c, bp) in &self.categories {
            tax_category(c)?;
            if c == EXEMPT_CATEGORY || c == STANDARD_CATEGORY {
                return Err(format!("'{c}' is not given a rate by category: give the place's rate with --rate (exempt is always 0%)"));
            }
            rate(&format!("the rate of {c}"), *bp)?;
        }
        Ok(())
    }

    /// The categories in the order a screen lists them: standard, the
    /// place's own, exempt.
    pub fn category_names(&self) -> Vec<String> {
        let mut out = vec![STANDARD_CATEGORY.to_string()];
        out.extend(self.categories.keys().cloned());
        out.push(EXEMPT_CATEGORY.to_string());
        out
    }
}

fn rate(what: &str, bp: i64) -> Result<(), String> {
    if !(0..=10_000).contains(&bp) {
        return Err(format!("{what} of {bp} basis points is outside 0–100%"));
    }
    Ok(())
}

/// A place's name: 1 to 60 characters, no control characters, no ':'.
pub fn place_name(name: &str) -> Result<&str, String> {
    let n = name.chars().count();
    if n == 0 || n > MAX_PLACE_NAME || name.trim() != name || name.chars().any(|c| c.is_control() || c == ':') {
        return Err(format!("'{name}' is not a place name: give 1 to {MAX_PLACE_NAME} characters, like Bristol VA"));
    }
    Ok(name)
}

/// `food=2.5%`: a category and its rate at a place.
pub fn parse_category_rate(text: &str) -> Result<(String, i64), String> {
    let (c, r) = text.split_once('=').ok_or_else(|| format!("'{text}' is not CATEGORY=RATE: type it like food=2.5%"))?;
    let c = tax_category(c.trim())?.to_string();
    let bp = field::percent_bp(&format!("rate of {c}"), r)?;
    Ok((c, bp))
}

impl TaxPlace {
    /// A place as typed (the CLI's flags, the settings form): its standard
    /// rate ("5.3%") and a `CATEGORY=RATE` for each category taxed
    /// differently, each category once. Checked again by `check` when saved.
    pub fn typed<'a>(name: &str, rate: &str, inclusive: bool, categories: impl IntoIterator<Item = &'a str>) -> Result<TaxPlace, String> {
        let mut place =
            TaxPlace { name: name.trim().to_string(), rate_bp: field::percent_bp("rate", rate)?, inclusive, categories: BTreeMap::new() };
        for text in categories.into_iter().map(str::trim).filter(|t| !t.is_empty()) {
            let (c, bp) = parse_category_rate(text)?;
            if place.categories.insert(c.clone(), bp).is_some() {
                return Err(format!("the category {c} is given twice: give each category once"));
            }
        }
        Ok(place)
    }
}

/// The key a place is kept under in the synced settings: one register per
/// place, so two owners' devices editing different places never collide.
pub fn setting_key(name: &str) -> String {
    format!("tax_place:{}", name.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bristol_tn() -> TaxPlace {
        TaxPlace { name: "Bristol TN".into(), rate_bp: 925, inclusive: false, categories: BTreeMap::from([("food".to_string(), 475)]) }
    }

    #[test]
    fn a_category_is_taxed_at_its_rate_and_exempt_never() {
        let p = bristol_tn();
        assert_eq!(p.check(), Ok(()));
        assert_eq!((p.rate_of("standard"), p.rate_of("food"), p.rate_of("exempt"), p.rate_of("candles")), (925, 475, 0, 925));
        assert!(p.knows("food") && p.knows("exempt") && !p.knows("candles"));
        assert_eq!(p.category_names(), ["standard", "food", "exempt"]);
        assert_eq!(parse_category_rate("food=4.75%"), Ok(("food".into(), 475)));
        for bad in ["food", "Food=1%", "food=101%", "=1%", "food=abc"] {
            assert!(parse_category_rate(bad).is_err(), "{bad}");
        }
        let mut wrong = bristol_tn();
        wrong.categories.insert("exempt".into(), 100);
        assert!(wrong.check().is_err());
        for bad in ["", " Bristol", "a:b", &"x".repeat(61)] {
            assert!(place_name(bad).is_err(), "{bad}");
        }
    }
}
