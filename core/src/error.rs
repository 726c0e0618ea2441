//! The one error type of the core. Messages are for people: they say what
//! was wrong and what to do about it.
use thiserror::Error;
use wildroot_model::pricing::PricingError;
use wildroot_model::{ParseMoneyError, ParseQuantityError};

#[derive(Debug, Error)]
pub enum CoreError {
    #[error("no {what} '{key}': {hint}")]
    NotFound { what: &'static str, key: String, hint: &'static str },
    #[error("{0}")]
    Invalid(String),
    #[error("{what} '{key}' already exists: {hint}")]
    Duplicate { what: &'static str, key: String, hint: &'static str },
    #[error("not enough supplies for this batch (use --allow-short to make it anyway): {}", .0.join("; "))]
    Short(Vec<String>),
    #[error(transparent)]
    Quantity(#[from] ParseQuantityError),
    #[error(transparent)]
    Money(#[from] ParseMoneyError),
    #[error(transparent)]
    Pricing(#[from] PricingError),
    #[error("the database could not be used: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("the database could not be migrated: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("an operation could not be encoded or decoded: {0}")]
    Json(#[from] serde_json::Error),
    #[error("a stored value is corrupt: {0}")]
    Corrupt(String),
    #[error("cannot reach the server: {0}")]
    Offline(String),
    #[error("the server said: {message}")]
    Server { status: u16, code: String, message: String, retryable: bool },
    #[error("{0}")]
    Shopify(String),
    #[error("this device is not connected to a server: log in with `wildroot login --server URL --email E`")]
    NotConnected,
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

pub(crate) fn invalid<T>(msg: impl Into<String>) -> Result<T> {
    Err(CoreError::Invalid(msg.into()))
}

/// Trims `value` and refuses it if empty or longer than `max` characters.
pub(crate) fn text(field: &str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return invalid(format!("the {field} is empty: give it a value"));
    }
    if v.chars().count() > max {
        return invalid(format!("the {field} '{v}' is longer than {max} characters: shorten it"));
    }
    if v.chars().any(char::is_control) {
        return invalid(format!("the {field} contains control characters: type it without them"));
    }
    Ok(v.to_string())
}

/// Like [`text`] but an empty value is allowed (it clears the field).
pub(crate) fn optional_text(field: &str, value: &str, max: usize) -> Result<String> {
    if value.trim().is_empty() {
        Ok(String::new())
    } else {
        text(field, value, max)
    }
}
