//! Every refusal the server makes, and the one place each becomes an HTTP
//! status, a stable `code` and a message that says what to do. Handlers,
//! the webhook and the importer say *what* went wrong; only
//! [`ServerError::status`] says how it travels.
use crate::shopify::import::ImportError;
use crate::storage::StorageError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use thiserror::Error;
use wildroot_model::sync::ApiError;

#[derive(Debug, Error)]
pub enum ServerError {
    /// The request is not what it should be; sending it again will not help.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// No sign-in, or one the server does not know (any more).
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    /// Signed in, but not allowed to do this.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// Nothing here answers this (a feature that is off, for one).
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    #[error("too many wrong passwords for this email: try again in {minutes} minutes")]
    TooManyLogins { minutes: i64 },
    /// Not refused for good: the operation (maybe a sale) must not be lost.
    /// It goes through once the server's clock reaches it.
    #[error("this device's clock is {minutes} minutes ahead of the server's: set the date and time on the device")]
    ClockAhead { minutes: i64 },
    #[error("{message}")]
    TooLarge { code: &'static str, message: String },
    #[error("the request did not arrive in time: try again when the connection is better")]
    Timeout,
    /// What Shopify sent does not hold together.
    #[error("{message}")]
    BadOrder { code: &'static str, message: String },
    /// Shopify refused or could not be reached.
    #[error("{0}")]
    Shopify(String),
    /// Busy or stopping: try again shortly.
    #[error("{message}")]
    Unavailable { code: &'static str, message: String },
    /// A fault of the server's own (logged; the caller may retry).
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A refusal axum made before any handler ran (a wrong method, a query
    /// that does not parse), kept at its status and put in words.
    #[error("{message}")]
    Http { status: StatusCode, code: &'static str, message: String },
}

pub type ApiResult<T> = Result<T, ServerError>;

impl ServerError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ServerError::BadRequest { code: "bad_request", message: message.into() }
    }

    /// The status, the one mapping from what went wrong to HTTP.
    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ServerError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ServerError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ServerError::NotFound { .. } => StatusCode::NOT_FOUND,
            ServerError::TooManyLogins { .. } => StatusCode::TOO_MANY_REQUESTS,
            ServerError::ClockAhead { .. } => StatusCode::CONFLICT,
            ServerError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ServerError::Timeout => StatusCode::REQUEST_TIMEOUT,
            ServerError::BadOrder { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ServerError::Shopify(_) => StatusCode::BAD_GATEWAY,
            ServerError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ServerError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ServerError::Storage(StorageError::Conflict(_)) => StatusCode::CONFLICT,
            ServerError::Storage(StorageError::NotFound(_)) => StatusCode::NOT_FOUND,
            ServerError::Storage(StorageError::Backend(_) | StorageError::Config(_)) => StatusCode::INTERNAL_SERVER_ERROR,
            ServerError::Http { status, .. } => *status,
        }
    }

    /// The body a device reads: a stable code, words, and whether to retry.
    pub fn wire(&self) -> ApiError {
        let status = self.status();
        let (code, message) = match self {
            ServerError::BadRequest { code, .. }
            | ServerError::Unauthorized { code, .. }
            | ServerError::Forbidden { code, .. }
            | ServerError::NotFound { code, .. }
            | ServerError::BadOrder { code, .. }
            | ServerError::Unavailable { code, .. }
            | ServerError::TooLarge { code, .. }
            | ServerError::Http { code, .. } => (*code, self.to_string()),
            ServerError::TooManyLogins { .. } => ("too_many_logins", self.to_string()),
            ServerError::ClockAhead { .. } => ("clock_ahead", self.to_string()),
            ServerError::Timeout => ("timeout", self.to_string()),
            ServerError::Shopify(_) => ("shopify", self.to_string()),
            ServerError::Internal(_) => ("internal", self.to_string()),
            ServerError::Storage(StorageError::Conflict(m)) => ("conflict", m.clone()),
            ServerError::Storage(StorageError::NotFound(m)) => ("not_found", m.clone()),
            // The database's own words stay in the server's log.
            ServerError::Storage(StorageError::Backend(_) | StorageError::Config(_)) => {
                ("storage", "the server's database failed; try again shortly".to_string())
            }
        };
        let retryable = status.is_server_error() || matches!(self, ServerError::TooManyLogins { .. } | ServerError::ClockAhead { .. });
        ApiError { code: code.into(), message, retryable }
    }
}

impl From<ImportError> for ServerError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Storage(e) => e.into(),
            other => ServerError::Shopify(other.to_string()),
        }
    }
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        match &self {
            ServerError::Storage(StorageError::Backend(m) | StorageError::Config(m)) => tracing::error!("storage: {m}"),
            ServerError::Internal(m) => tracing::error!("internal: {m}"),
            _ => {}
        }
        (self.status(), Json(self.wire())).into_response()
    }
}
