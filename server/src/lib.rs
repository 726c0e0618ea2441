//! Wildroot's central server: users and devices, and the one ordered log of
//! operations that every device pushes to and pulls from. It stores and
//! orders operations and checks each one's kind against its author's role;
//! it keeps no copy of the business tables (devices apply operations with
//! the core's code).
#![forbid(unsafe_code)]

pub mod any;
pub mod api;
pub mod auth;
pub mod metrics;
pub mod postgres;
pub mod shopify;
pub mod sqlite;
pub mod storage;

use std::future::Future;
use std::sync::Arc;
use storage::{Storage, StorageError};

const JWT_SECRET_KEY: &str = "jwt_secret";

/// What the server is started with beyond its storage.
#[derive(Clone, Default)]
pub struct Options {
    /// The Shopify app's client secret, for webhook signatures.
    pub shopify_webhook_secret: Option<String>,
    /// Run the server's own Shopify import (when it is linked to a store).
    pub shopify_import: Option<shopify::import::ImportOptions>,
    /// How long one request may take (default [`api::REQUEST_TIMEOUT`]).
    pub request_timeout: Option<std::time::Duration>,
}

/// Builds the shared state, creating the login-token secret on first start.
pub async fn state<S: Storage>(storage: S) -> Result<Arc<api::AppState<S>>, StorageError> {
    state_with(storage, Options::default()).await
}

pub async fn state_with<S: Storage>(storage: S, options: Options) -> Result<Arc<api::AppState<S>>, StorageError> {
    let secret = match storage.get_setting(JWT_SECRET_KEY).await? {
        Some(s) => s,
        None => {
            let s = auth::random_hex(32).map_err(StorageError::Backend)?;
            storage.set_setting(JWT_SECRET_KEY, &s).await?;
            s
        }
    };
    Ok(Arc::new(api::AppState {
        storage,
        jwt_secret: secret,
        metrics: Default::default(),
        logins: Default::default(),
        shopify_webhook_secret: options.shopify_webhook_secret.filter(|s| !s.trim().is_empty()).map(|s| s.trim().as_bytes().to_vec()),
        shopify_lock: Default::default(),
        shopify_wake: Default::default(),
        request_timeout: options.request_timeout.unwrap_or(api::REQUEST_TIMEOUT),
        password_work: tokio::sync::Semaphore::new(api::password_workers()),
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
    let state = state_with(storage, options).await?;
    let (stop_import, stopped) = tokio::sync::watch::channel(false);
    let importer = import.map(|o| shopify::import::spawn(state.clone(), o, stopped));
    let served = axum::serve(listener, api::router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| StorageError::Backend(format!("the server stopped: {e}")));
    let _ = stop_import.send(true);
    if let Some(task) = importer {
        let _ = task.await;
    }
    served
}
