//! The ways people pay beyond cash and card: market tokens, SNAP/EBT,
//! checks, Venmo. Each configured tender has a name, whether it gives
//! change and whether it counts in the drawer.
//!
//! The change rule: change always comes back in cash. A tender that gives
//! no change (tokens, SNAP, cards) is never taken above what is still due;
//! one that gives change (cash, a check written for more) may be, and the
//! change is taken out of the cash paid first, then handed out of the
//! drawer for the rest.
use serde::{Deserialize, Serialize};

/// A tender the shop configured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tender {
    pub name: String,
    pub gives_change: bool,
    /// Counted in the drawer at close (tokens, checks), listed apart from cash.
    pub in_drawer: bool,
}

/// Names the built-in tenders have; a configured one takes none of them.
pub const BUILT_IN: [&str; 4] = ["cash", "card", "other", "shopify"];

/// More buttons than this do not fit beside Cash and Card.
pub const MAX_TENDERS: usize = 12;

/// A tender's name: 1 to 30 characters, no control characters, '=' or ':',
/// and none of the built-in names.
pub fn tender_name(name: &str) -> Result<&str, String> {
    let n = name.chars().count();
    if n == 0 || n > 30 || name.trim() != name || name.chars().any(|c| c.is_control() || c == '=' || c == ':') {
        return Err(format!("'{name}' is not a tender name: give 1 to 30 characters without '=' or ':', like SNAP or Tokens"));
    }
    if BUILT_IN.iter().any(|b| b.eq_ignore_ascii_case(name)) {
        return Err(format!("'{name}' is already a way to pay: name the new tender something else"));
    }
    Ok(name)
}

/// The key a tender is kept under in the synced settings.
pub fn setting_key(name: &str) -> String {
    format!("tender:{}", name.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tender_names_are_checked() {
        assert_eq!(tender_name("SNAP"), Ok("SNAP"));
        for bad in ["", "Cash", "card", " SNAP", "a=b", &"x".repeat(31)] {
            assert!(tender_name(bad).is_err(), "{bad}");
        }
    }
}
