//! The server's own Shopify import, for a business that runs a server: the
//! access token lives here (sealed with the server's key file, only the
//! sealed form in its database), vendor phones never hold it, and the owner's
//! device need not be on for online orders to reach the booths. The same
//! reading as a device's import (`core::shopify::import::read_orders`: paged,
//! or one bulk operation for a long history), into the server's own sink:
//! each page is recorded with the new watermark in one transaction, so a
//! page is in whole or not at all, and a re-read page is the same operations
//! again (no-ops).
use super::record_orders;
use crate::state::AppState;
use crate::storage::{Storage, StorageError};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use wildroot_core::shopify::client::{RetryPolicy, ShopifyClient};
use wildroot_core::shopify::import::{
    check_api_version, read_orders, OrderSink, PageOutcome, BULK_HISTORY_MS, DEFAULT_API_VERSION, OVERLAP_MS,
};
use wildroot_core::shopify::link::{check_token, normalize_shop, DeviceKey};
use wildroot_core::CoreError;
use wildroot_model::shopify::ShopifyOrder;

const SHOP: &str = "shopify_import_shop";
const TOKEN: &str = "shopify_import_token";
const API_VERSION: &str = "shopify_import_api_version";
const SINCE: &str = "shopify_import_since_ms";
const WATERMARK: &str = "shopify_import_watermark_ms";
const LAST_RUN: &str = "shopify_import_last_run_ms";
const LAST_ERROR: &str = "shopify_import_last_error";
/// A bulk import under way: "recorded/total" (empty when none is).
const BULK: &str = "shopify_import_bulk";
/// Every setting of the link, cleared together on disconnect.
const ALL: [&str; 8] = [SHOP, TOKEN, API_VERSION, SINCE, WATERMARK, LAST_RUN, LAST_ERROR, BULK];

/// How far back a first import reaches when the owner names no date.
const DEFAULT_REACH_MS: i64 = 60 * 24 * 60 * 60 * 1000;

#[derive(Debug, Error)]
pub enum ImportError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Core(#[from] CoreError),
}

type Result<T> = std::result::Result<T, ImportError>;

pub use wildroot_model::sync::ServerShopifyStatus as ImportStatus;

/// What one run read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportRun {
    pub pages: usize,
    pub orders: usize,
    pub version_warning: Option<String>,
}

/// Links the server to a store. The token is tried first (one page of
/// orders), so a wrong one keeps nothing; then it is sealed and kept.
pub async fn connect<S: Storage>(
    storage: &S,
    key: &DeviceKey,
    shop: &str,
    token: &str,
    api_version: Option<&str>,
    since_ms: Option<i64>,
    policy: RetryPolicy,
) -> Result<String> {
    let shop = normalize_shop(shop)?;
    let token = check_token(token)?;
    let version = check_api_version(api_version.unwrap_or(DEFAULT_API_VERSION))?;
    let since = since_ms.unwrap_or_else(|| chrono::Utc::now().timestamp_millis() - DEFAULT_REACH_MS);
    let mut client = ShopifyClient::new(&shop, token, &version, policy)?;
    client.orders_page(since, None).await?;
    let (nonce, sealed) = key.seal(token.as_bytes(), &context(&shop))?;
    for k in ALL {
        storage.set_setting(k, "").await?;
    }
    storage.set_setting(TOKEN, &format!("{}.{}", hex::encode(nonce), hex::encode(sealed))).await?;
    storage.set_setting(API_VERSION, &version).await?;
    storage.set_setting(SINCE, &since.to_string()).await?;
    // Last: the loop imports once the shop is there.
    storage.set_setting(SHOP, &shop).await?;
    Ok(shop)
}

/// Stops the server's import and forgets the token.
pub async fn disconnect<S: Storage>(storage: &S) -> Result<()> {
    for k in ALL {
        storage.set_setting(k, "").await?;
    }
    Ok(())
}

/// The token is bound to the shop it was given for.
fn context(shop: &str) -> Vec<u8> {
    format!("wildroot-server-shopify:{shop}").into_bytes()
}

async fn setting<S: Storage>(storage: &S, key: &str) -> Result<Option<String>> {
    Ok(storage.get_setting(key).await?.filter(|v| !v.is_empty()))
}

async fn number<S: Storage>(storage: &S, key: &str) -> Result<Option<i64>> {
    Ok(setting(storage, key).await?.and_then(|v| v.parse().ok()))
}

pub async fn status<S: Storage>(storage: &S) -> Result<ImportStatus> {
    Ok(ImportStatus {
        shop: setting(storage, SHOP).await?,
        api_version: setting(storage, API_VERSION).await?,
        since_ms: number(storage, SINCE).await?,
        watermark_ms: number(storage, WATERMARK).await?,
        last_run_ms: number(storage, LAST_RUN).await?,
        last_error: setting(storage, LAST_ERROR).await?,
    })
}

/// Imports every order updated since the watermark, if the server is linked
/// (`Ok(None)` if not). The outcome is noted for `status` either way.
pub async fn import_once<S: Storage>(state: &AppState<S>, key: &DeviceKey, policy: RetryPolicy) -> Result<Option<ImportRun>> {
    let Some(shop) = setting(&state.storage, SHOP).await? else { return Ok(None) };
    let outcome = run(state, key, &shop, policy).await;
    state.storage.set_setting(LAST_RUN, &chrono::Utc::now().timestamp_millis().to_string()).await?;
    let error = outcome.as_ref().err().map(ToString::to_string).unwrap_or_default();
    state.storage.set_setting(LAST_ERROR, &error).await?;
    outcome.map(Some)
}

async fn run<S: Storage>(state: &AppState<S>, key: &DeviceKey, shop: &str, policy: RetryPolicy) -> Result<ImportRun> {
    let unreadable =
        || CoreError::Invalid("the server's Shopify token cannot be opened with its key file: connect again with the token".into());
    let sealed = setting(&state.storage, TOKEN).await?.ok_or_else(unreadable)?;
    let (nonce, sealed) = sealed.split_once('.').ok_or_else(unreadable)?;
    let (nonce, sealed) = (hex::decode(nonce).map_err(|_| unreadable())?, hex::decode(sealed).map_err(|_| unreadable())?);
    let token = key.open(&nonce, &sealed, &context(shop)).and_then(|t| String::from_utf8(t).ok()).ok_or_else(unreadable)?;
    let version = setting(&state.storage, API_VERSION).await?.unwrap_or_else(|| DEFAULT_API_VERSION.to_string());
    let since = number(&state.storage, SINCE).await?.unwrap_or(0);
    let watermark = number(&state.storage, WATERMARK).await?;
    let from = watermark.map_or(since, |w| (w - OVERLAP_MS).max(since));
    let unfinished = setting(&state.storage, BULK).await?.is_some_and(|b| !b.is_empty());
    // The device's rule: bulk for a first import of a long history, or to go on with one cut off.
    let bulk = from < chrono::Utc::now().timestamp_millis() - BULK_HISTORY_MS && (watermark.is_none() || unfinished);
    let mut client = ShopifyClient::new(shop, &token, &version, policy)?;
    let mut sink = ServerSink { state, watermark };
    let read = read_orders(&mut client, from, bulk, &mut sink, &mut |_| {}).await?;
    Ok(ImportRun { pages: read.pages, orders: read.orders, version_warning: client.version_warning.clone() })
}

/// The server's side of core's reading: each page recorded as the server's
/// own operations, with the watermark (and a bulk import's progress) in the
/// same transaction.
struct ServerSink<'a, S: Storage> {
    state: &'a AppState<S>,
    watermark: Option<i64>,
}

impl<S: Storage> OrderSink for ServerSink<'_, S> {
    async fn record(
        &mut self,
        orders: &[ShopifyOrder],
        watermark_ms: i64,
        bulk: Option<(usize, usize)>,
    ) -> wildroot_core::Result<PageOutcome> {
        let mark = self.watermark.map_or(watermark_ms, |w| w.max(watermark_ms));
        let mut settings = vec![(WATERMARK.to_string(), mark.to_string())];
        if let Some((done, total)) = bulk {
            settings.push((BULK.to_string(), if done < total { format!("{done}/{total}") } else { String::new() }));
        }
        record_orders(self.state, orders, settings).await.map_err(|e| CoreError::Invalid(e.wire().message))?;
        self.watermark = Some(mark);
        Ok(PageOutcome { recorded: orders.len(), unchanged: 0 })
    }
}

/// How the server runs its import.
#[derive(Clone)]
pub struct ImportOptions {
    /// Opens the sealed token.
    pub key: Arc<DeviceKey>,
    /// Time between runs.
    pub every: Duration,
    pub policy: RetryPolicy,
}

/// The server's import loop: a run at start, every `every` after and when a
/// webhook wakes it (`AppState::shopify_wake`), while
/// the server is linked (connecting or disconnecting while it runs takes
/// effect at the next run). Ends when `stop` turns true, dropping the run
/// in flight: a page is recorded whole or not at all, and one dropped is
/// read again next time.
pub fn spawn<S: Storage>(
    state: Arc<AppState<S>>,
    options: ImportOptions,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let run = import_once(&state, &options.key, options.policy.clone());
            tokio::select! {
                outcome = run => match outcome {
                    Ok(Some(r)) => tracing::info!(pages = r.pages, orders = r.orders, "Shopify import"),
                    Ok(None) => {}
                    Err(e) => tracing::warn!("Shopify import failed: {e}"),
                },
                _ = stop.changed() => break,
            }
            tokio::select! {
                _ = tokio::time::sleep(options.every) => {}
                _ = state.shopify_wake.notified() => {}
                _ = stop.changed() => break,
            }
            if *stop.borrow() {
                break;
            }
        }
    })
}
