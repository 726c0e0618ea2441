//! The one error type of the core. Messages are for people: they say what
//! was wrong and what to do about it in plain words, never in one front
//! end's terms; [`CoreError::fix`] names the remedy so each front end can add
//! its own way to it (the CLI a command, the app a screen).
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
    #[error("not enough supplies for this batch (it can be made anyway, as short): {}", .0.join("; "))]
    Short(Vec<String>),
    #[error(transparent)]
    Quantity(#[from] ParseQuantityError),
    #[error(transparent)]
    Money(#[from] ParseMoneyError),
    #[error(transparent)]
    Pricing(#[from] PricingError),
    /// Not `#[from]`: SQLite's own words would follow ours as a source, so
    /// a full disk read "database or disk is full" three times over.
    #[error("{}", db_words(.0, "the database could not be used"))]
    Db(rusqlite::Error),
    #[error("{}", migration_words(.0))]
    Migration(rusqlite_migration::Error),
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
    /// The receipt printer did not take the receipt; the sale stands.
    #[error("the receipt printer did not print: {0}")]
    Printer(String),
    #[error("this device is not connected to a server: log in to one first")]
    NotConnected,
    /// Something must be done first; the message says what in plain words.
    #[error("{message}")]
    Needs { message: String, fix: Fix },
}

impl From<rusqlite::Error> for CoreError {
    fn from(e: rusqlite::Error) -> Self {
        CoreError::Db(e)
    }
}

impl From<rusqlite_migration::Error> for CoreError {
    fn from(e: rusqlite_migration::Error) -> Self {
        CoreError::Migration(e)
    }
}

/// What went wrong with the file or the disk under the database, in plain
/// words with what to do, for the failures a shop can meet and fix itself:
/// a phone's storage full, a file made read-only, another program holding
/// it. An operation is one transaction, so a write that failed saved
/// nothing. Anything else keeps SQLite's own words after `context`.
fn db_words(e: &rusqlite::Error, context: &str) -> String {
    use rusqlite::ErrorCode as C;
    let plain = match e.sqlite_error_code() {
        Some(C::DiskFull) => "the disk is full, so nothing was saved: free some space on this device and try again",
        Some(C::ReadOnly | C::PermissionDenied) => {
            "the database file cannot be written (it is read-only, or this user may not change it), so nothing was saved: check the file's permissions"
        }
        Some(C::CannotOpen) => "the database file cannot be opened: check that its folder exists and that this user may write there",
        Some(C::DatabaseBusy | C::DatabaseLocked) => {
            "the database is busy in another program, so nothing was saved: try again in a moment"
        }
        Some(C::DatabaseCorrupt | C::NotADatabase) => {
            "the database file is damaged or is not a Wildroot database: check that it is the right file, or restore a backup of it"
        }
        // A full disk often shows here first: the shared-memory file
        // beside the database could not grow.
        Some(C::SystemIoFailure) => {
            "the disk could not be read or written, so nothing was saved: check that it has free space, and try again"
        }
        _ => return format!("{context}: {e}"),
    };
    plain.to_string()
}

/// A file error in plain words for the failures a shop can fix itself,
/// as [`db_words`] for the database; anything else in the system's words.
pub(crate) fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::StorageFull => "the disk is full: free some space and try again".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied: check the file's and its folder's permissions".to_string(),
        std::io::ErrorKind::ReadOnlyFilesystem => "the disk is read-only".to_string(),
        _ => e.to_string(),
    }
}

fn migration_words(e: &rusqlite_migration::Error) -> String {
    match e {
        rusqlite_migration::Error::RusqliteError { err, .. } => db_words(err, "the database could not be migrated"),
        other => format!("the database could not be migrated: {other}"),
    }
}

/// The remedy an error names, for a front end to offer its own way to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fix {
    ListProducts,
    ListSupplies,
    ListEvents,
    ListDevices,
    ListProductLots,
    ListSupplyLots,
    SetRecipe,
    AddCustomer,
    OpenEvent,
    CloseEvent,
    LogIn,
    ConnectShopify,
    ShopifyCatalogue,
    ShopifyLocation,
    MakeShort,
    GiveLines,
}

impl CoreError {
    /// What would fix this error, when a front end can point to it.
    pub fn fix(&self) -> Option<Fix> {
        match self {
            CoreError::NotFound { what, .. } => match *what {
                "product" => Some(Fix::ListProducts),
                "supply" => Some(Fix::ListSupplies),
                "event" => Some(Fix::ListEvents),
                "device" => Some(Fix::ListDevices),
                "lot" | "product lot" => Some(Fix::ListProductLots),
                "supply lot" => Some(Fix::ListSupplyLots),
                "recipe for" => Some(Fix::SetRecipe),
                "customer" => Some(Fix::AddCustomer),
                _ => None,
            },
            CoreError::Short(_) => Some(Fix::MakeShort),
            CoreError::NotConnected => Some(Fix::LogIn),
            CoreError::Needs { fix, .. } => Some(*fix),
            _ => None,
        }
    }
}

pub(crate) fn needs<T>(fix: Fix, message: impl Into<String>) -> Result<T> {
    Err(CoreError::Needs { message: message.into(), fix })
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
