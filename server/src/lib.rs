//! Wildroot's central server: users and devices, and the one ordered log of
//! operations that every device pushes to and pulls from. It stores and
//! orders operations and checks each one's kind against its author's role;
//! it keeps no copy of the business tables (devices apply operations with
//! the core's code).
#![forbid(unsafe_code)]

pub mod any;
pub mod api;
pub mod auth;
pub mod error;
pub mod mail;
pub mod metrics;
pub mod postgres;
pub mod shopify;
pub mod sqlite;
pub mod state;
pub mod storage;

use std::future::Future;
use std::sync::Arc;
use storage::{Storage, StorageError};

const JWT_SECRET_KEY: &str = "jwt_secret";
/// The setting that holds the server's epoch (see [`epoch`]).
pub const EPOCH_KEY: &str = "server_epoch";

/// The server's epoch, made on first start: every pull answers it, and it
/// changes whenever the log may have gone back (a backup copy gets a new
/// one as it is made, and `server backup restore` gives the restored log
/// another), so devices notice a restored server and send again what it
/// lost.
pub async fn epoch<S: Storage>(storage: &S) -> Result<String, StorageError> {
    match storage.get_setting(EPOCH_KEY).await? {
        Some(e) => Ok(e),
        None => new_epoch(storage).await,
    }
}

/// Gives the server's log a new epoch: after it was restored from a backup.
pub async fn new_epoch<S: Storage>(storage: &S) -> Result<String, StorageError> {
    let e = auth::random_hex(16).map_err(StorageError::Backend)?;
    storage.set_setting(EPOCH_KEY, &e).await?;
    Ok(e)
}

/// What the server is started with beyond its storage.
#[derive(Clone, Default)]
pub struct Options {
    /// The Shopify app's client secret, for webhook signatures.
    pub shopify_webhook_secret: Option<String>,
    /// Run the server's own Shopify import (when it is linked to a store).
    pub shopify_import: Option<shopify::import::ImportOptions>,
    /// Send the shop's emailed receipts (when a mail server is set).
    pub mail: Option<mail::MailOptions>,
    /// How long one request may take (default [`state::REQUEST_TIMEOUT`]).
    pub request_timeout: Option<std::time::Duration>,
}

/// Builds the shared state, creating the login-token secret on first start.
pub async fn state<S: Storage>(storage: S) -> Result<Arc<state::AppState<S>>, StorageError> {
    state_with(storage, Options::default()).await
}

pub async fn state_with<S: Storage>(storage: S, options: Options) -> Result<Arc<state::AppState<S>>, StorageError> {
    let secret = match storage.get_setting(JWT_SECRET_KEY).await? {
        Some(s) => s,
        None => {
            let s = auth::random_hex(32).map_err(StorageError::Backend)?;
            storage.set_setting(JWT_SECRET_KEY, &s).await?;
            s
        }
    };
    let epoch = epoch(&storage).await?;
    Ok(Arc::new(state::AppState {
        storage,
        jwt_secret: secret,
        epoch,
        metrics: Default::default(),
        logins: Default::default(),
        shopify_webhook_secret: options.shopify_webhook_secret.filter(|s| !s.trim().is_empty()).map(|s| s.trim().as_bytes().to_vec()),
        shopify_lock: Default::default(),
        shopify_wake: Default::default(),
        mail_lock: Default::default(),
        mail_wake: Default::default(),
        request_timeout: options.request_timeout.unwrap_or(state::REQUEST_TIMEOUT),
        password_work: tokio::sync::Semaphore::new(state::password_workers()),
    }))
}

/// Serves the API on `listener` until `shutdown` resolves, then finishes
/// the requests in flight.
pub async fn serve<S: Storage>(
    storage: S,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StorageError> {
    serve_with(storage, listener, shutdown, Options::default()).await
}

pub async fn serve_with<S: Storage>(
    storage: S,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    options: Options,
) -> Result<(), StorageError> {
    let import = options.shopify_import.clone();
    let mailer = options.mail.clone();
    let state = state_with(storage, options).await?;
    let (stop_import, stopped) = tokio::sync::watch::channel(false);
    let mailer = mailer.map(|o| mail::spawn(state.clone(), o, stopped.clone()));
    let importer = import.map(|o| shopify::import::spawn(state.clone(), o, stopped));
    let served = axum::serve(listener, api::router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| StorageError::Backend(format!("the server stopped: {e}")));
    let _ = stop_import.send(true);
    for task in [importer, mailer].into_iter().flatten() {
        let _ = task.await;
    }
    served
}
