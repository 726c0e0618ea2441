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

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn one_spelling_per_address() {
        assert_eq!(normalize("  Kiosk@Shop.TEST ").as_deref(), Ok("kiosk@shop.test"));
        assert!(normalize("\u{212A}iosk@shop.test").is_err(), "the Kelvin sign is not a K");
        assert!(normalize("ｋiosk@shop.test").is_err());
        assert!(normalize("kiosk").is_err());
        assert!(normalize("a@b@c").is_err());
    }
}
