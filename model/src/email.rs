//! The one normal form of a sign-in email, used by login, the login
//! limiter, creating users and both server backends.
//!
//! The rule: an email is trimmed and must be plain ASCII; ASCII letters are
//! folded to lowercase. Anything else is refused rather than folded, so no
//! two spellings (`K` and the Kelvin sign `K`, full-width letters, …) can
//! name one account, or one account have several lockout counters:
//! Unicode case folding differs between Rust, SQLite and PostgreSQL, and
//! the fold that decides must be the one every path uses.
pub fn normalize(input: &str) -> Result<String, String> {
    let email = input.trim();
    if !email.is_ascii() {
        return Err(format!(
            "'{email}' has characters other than plain letters, digits and punctuation: type the address in plain ASCII, like you@example.com"
        ));
    }
    let email = email.to_ascii_lowercase();
    let well_formed = email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'));
    if !well_formed || email.contains(|c: char| c.is_ascii_whitespace() || c.is_ascii_control()) || email.len() > 254 {
        return Err(format!("'{email}' is not an email address: type it like you@example.com"));
    }
    Ok(email)
}

/// A customer's address for an emailed receipt: a sign-in email's rules
/// ([`normalize`]), and none of the characters that would make it more
/// than one address or a different header (`<>,;:"()[]\\` and spaces).
pub fn recipient(input: &str) -> Result<String, String> {
    let to = normalize(input)?;
    if let Some(c) = to.chars().find(|c| "<>,;:\"()[]\\".contains(*c)) {
        return Err(format!("'{to}' has '{c}' in it: type one address, like customer@example.com"));
    }
    if to.split_once('@').is_some_and(|(_, domain)| domain.starts_with('.') || domain.ends_with('.') || domain.contains("..")) {
        return Err(format!("'{to}' is not an email address: type it like customer@example.com"));
    }
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::{normalize, recipient};

    #[test]
    fn a_receipt_goes_to_one_address() {
        assert_eq!(recipient(" Ann@Example.COM").as_deref(), Ok("ann@example.com"));
        for bad in ["a@b.com, c@d.com", "Ann <a@b.com>", "a@b.com\r\nBcc: x@y.z", "a@.com", "a@b..com", "nobody"] {
            assert!(recipient(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn one_spelling_per_address() {
        assert_eq!(normalize("  Kiosk@Shop.TEST ").as_deref(), Ok("kiosk@shop.test"));
        assert!(normalize("\u{212A}iosk@shop.test").is_err(), "the Kelvin sign is not a K");
        assert!(normalize("ｋiosk@shop.test").is_err());
        assert!(normalize("kiosk").is_err());
        assert!(normalize("a@b@c").is_err());
    }
}
