//! Who is calling: users log in with a password (argon2 hashes) and get a
//! short-lived JWT for account calls; each device registers once and syncs
//! with its own long-lived token, which the server keeps only as a SHA-256
//! hash so a stolen database reveals no token.
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wildroot_model::sync::Role;

/// How long a login token lasts.
pub const LOGIN_TTL_MS: i64 = 15 * 60 * 1000;

/// Checks a new user's email and password; answers the email as stored (lowercase).
pub fn check_new_user(email: &str, password: &str) -> Result<String, String> {
    let email = wildroot_model::email::normalize(email)?;
    if password.chars().count() < 8 {
        return Err("the password is shorter than 8 characters: choose a longer one".into());
    }
    Ok(email)
}

/// A new user as the owner typed them, checked and with the password
/// hashed: (the email in its one normal form, the hash). The one rule for
/// `wildroot server user add` and `POST /api/v1/users`; slow by design (the
/// HTTP route runs it off the async threads).
pub fn new_user(email: &str, password: &str) -> Result<(String, String), String> {
    let email = check_new_user(email, password)?;
    Ok((email, hash_password(password)?))
}

pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| format!("cannot hash the password: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A fresh random secret, hex-encoded.
pub fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| format!("no randomness available: {e}"))?;
    Ok(hex::encode(buf))
}

/// A new device token: `wrd_` and 32 random bytes.
pub fn new_device_token() -> Result<String, String> {
    Ok(format!("wrd_{}", random_hex(32)?))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user's email.
    pub sub: String,
    pub role: Role,
    /// Expiry, seconds since the epoch (the JWT convention).
    pub exp: i64,
}

pub fn issue_jwt(secret: &str, email: &str, role: Role, now_ms: i64) -> Result<(String, i64), String> {
    let exp_ms = now_ms + LOGIN_TTL_MS;
    let claims = Claims { sub: email.to_string(), role, exp: exp_ms / 1000 };
    let token = encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret.as_bytes()))
        .map_err(|e| format!("cannot sign the login token: {e}"))?;
    Ok((token, exp_ms))
}

/// The claims of a valid, unexpired token signed with `secret`.
pub fn check_jwt(secret: &str, token: &str) -> Option<Claims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 5;
    decode::<Claims>(token, &DecodingKey::from_secret(secret.as_bytes()), &validation).ok().map(|d| d.claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("correct horse").unwrap_or_default();
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_expire_and_need_the_secret() {
        let now = chrono::Utc::now().timestamp_millis();
        let (t, _) = issue_jwt("s3cret", "a@b.c", Role::Vendor, now).unwrap_or_default();
        assert_eq!(check_jwt("s3cret", &t).map(|c| c.role), Some(Role::Vendor));
        assert!(check_jwt("other", &t).is_none());
        let (old, _) = issue_jwt("s3cret", "a@b.c", Role::Owner, now - 2 * LOGIN_TTL_MS).unwrap_or_default();
        assert!(check_jwt("s3cret", &old).is_none());
    }
}
