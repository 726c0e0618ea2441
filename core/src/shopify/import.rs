//! This device's Shopify import: where it starts, how far it has read, and
//! recording a page of orders together with the new watermark, so a page is
//! in whole or not at all. Also the held lines and the SKU mappings that
//! release them.
use crate::error::{invalid, CoreError, Result};
use crate::product;
use crate::store::Store;
use rusqlite::OptionalExtension;
use wildroot_model::op::{ShopifyOrderSeen, ShopifySkuMapped};
use wildroot_model::shopify::ShopifyOrder;
use wildroot_model::views::{Alert, AlertKind, ShopifyImportView, UnmatchedSkuView};
use wildroot_model::OpKind;

/// The API version asked for unless the owner sets another. Shopify answers
/// an unsupported one with the oldest it still supports, and says so.
pub const DEFAULT_API_VERSION: &str = "2026-10";

/// The next import asks again for orders updated this long before the
/// watermark: an order updated while a page was read is not missed, and one
/// seen again with the same `updatedAt` is the same operation (a no-op).
pub const OVERLAP_MS: i64 = 5 * 60 * 1000;

/// What recording a page did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageOutcome {
    /// Order states new to this device.
    pub recorded: usize,
    /// Order states this device had already.
    pub unchanged: usize,
}

/// A quarterly API version as typed, or why it is not one.
pub fn check_api_version(v: &str) -> Result<String> {
    let v = v.trim();
    let ok = v.len() == 7
        && v.as_bytes()[4] == b'-'
        && v[..4].chars().all(|c| c.is_ascii_digit())
        && matches!(&v[5..], "01" | "04" | "07" | "10");
    if !ok {
        return invalid(format!("'{v}' is not a Shopify API version: give a quarterly one like {DEFAULT_API_VERSION}"));
    }
    Ok(v.to_string())
}

fn check_location(v: &str) -> Result<String> {
    let v = v.trim();
    if let Some(n) = v.strip_prefix("gid://shopify/Location/") {
        if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) {
            return Ok(v.to_string());
        }
    } else if !v.is_empty() && v.len() < 20 && v.chars().all(|c| c.is_ascii_digit()) {
        return Ok(format!("gid://shopify/Location/{v}"));
    }
    invalid(format!("'{v}' is not a Shopify location: give its number or gid://shopify/Location/NUMBER"))
}

impl Store {
    /// Sets where the import starts (first import only: later ones go on
    /// from the watermark), the API version and the location for stock
    /// push-back. `None` keeps what is set.
    pub fn configure_shopify_import(&mut self, since_ms: Option<i64>, api_version: Option<&str>, location: Option<&str>) -> Result<()> {
        let api_version = api_version.map(check_api_version).transpose()?;
        let location = location.map(check_location).transpose()?;
        let default_since = self.now_ms() - 60 * 24 * 60 * 60 * 1000;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO shopify_import (singleton, since_ms, api_version, location_gid) VALUES (1, COALESCE(?1, ?2), COALESCE(?3, ?4), ?5)
                 ON CONFLICT (singleton) DO UPDATE SET since_ms = COALESCE(?1, since_ms), api_version = COALESCE(?3, api_version),
                     location_gid = COALESCE(?5, location_gid)",
                rusqlite::params![since_ms, default_since, api_version, DEFAULT_API_VERSION, location],
            )?;
            Ok(())
        })
    }

    /// Starts the next import over from `since_ms` (a first import from a
    /// date the owner picks, or reading history again: no order is counted twice).
    pub fn restart_shopify_import(&mut self, since_ms: i64) -> Result<()> {
        self.configure_shopify_import(Some(since_ms), None, None)?;
        self.conn().execute("UPDATE shopify_import SET cursor_ms = NULL", [])?;
        Ok(())
    }

    /// Where the next import reads from (`updated_at >=`) and the API version.
    pub fn shopify_import_start(&self) -> Result<(i64, String)> {
        let row: Option<(i64, Option<i64>, String)> = self
            .conn()
            .query_row("SELECT since_ms, cursor_ms, api_version FROM shopify_import", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        Ok(match row {
            Some((since, Some(cursor), v)) => ((cursor - OVERLAP_MS).max(since), v),
            Some((since, None, v)) => (since, v),
            None => (self.now_ms() - 60 * 24 * 60 * 60 * 1000, DEFAULT_API_VERSION.to_string()),
        })
    }

    /// Records a page of orders as operations, and the watermark (the
    /// newest `updatedAt` read), in one transaction. Every order is checked
    /// first: one bad order refuses the page, and nothing of it is kept.
    pub fn record_shopify_orders(&mut self, orders: &[ShopifyOrder], watermark_ms: i64) -> Result<PageOutcome> {
        self.record_shopify_page(orders, watermark_ms, None)
    }

    /// [`Store::record_shopify_orders`], noting in the same transaction how
    /// far a bulk import has come (`Some((recorded, of))`; the last page
    /// clears it).
    fn record_shopify_page(&mut self, orders: &[ShopifyOrder], watermark_ms: i64, bulk: Option<(usize, usize)>) -> Result<PageOutcome> {
        for o in orders {
            o.validate().map_err(CoreError::Invalid)?;
        }
        let default_since = self.now_ms() - 60 * 24 * 60 * 60 * 1000;
        self.write(|tx| {
            let mut out = PageOutcome::default();
            for o in orders {
                match tx.record_derived(o.op_id(), OpKind::ShopifyOrderSeen(ShopifyOrderSeen { order: o.clone() }))? {
                    Some(_) => out.recorded += 1,
                    None => out.unchanged += 1,
                }
            }
            tx.execute(
                "INSERT INTO shopify_import (singleton, since_ms, cursor_ms, api_version) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (singleton) DO UPDATE SET cursor_ms = MAX(COALESCE(cursor_ms, ?2), ?2)",
                rusqlite::params![default_since, watermark_ms, DEFAULT_API_VERSION],
            )?;
            let progress = bulk.filter(|(done, total)| done < total).map(|(done, total)| (done as i64, total as i64));
            tx.execute(
                "UPDATE shopify_import SET bulk_done = ?1, bulk_total = ?2",
                rusqlite::params![progress.map(|p| p.0), progress.map(|p| p.1)],
            )?;
            Ok(out)
        })
    }

    /// Notes how the last import ended, for the sync status and the alerts.
    pub fn note_shopify_run(&mut self, error: Option<&str>) -> Result<()> {
        let now = self.now_ms();
        let default_since = now - 60 * 24 * 60 * 60 * 1000;
        self.conn().execute(
            "INSERT INTO shopify_import (singleton, since_ms, api_version, last_run_ms, last_error) VALUES (1, ?1, ?2, ?3, ?4)
             ON CONFLICT (singleton) DO UPDATE SET last_run_ms = ?3, last_error = ?4",
            rusqlite::params![default_since, DEFAULT_API_VERSION, now, error],
        )?;
        Ok(())
    }

    pub fn shopify_import_view(&self) -> Result<ShopifyImportView> {
        let conn = self.conn();
        type Row = (i64, Option<i64>, String, Option<String>, Option<i64>, Option<String>, bool, Option<String>);
        let row: Option<Row> = conn
            .query_row(
                "SELECT since_ms, cursor_ms, api_version, location_gid, last_run_ms, last_error, push_stock, withheld FROM shopify_import",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)),
            )
            .optional()?;
        let bulk_progress: Option<(i64, i64)> = conn
            .query_row("SELECT bulk_done, bulk_total FROM shopify_import WHERE bulk_total IS NOT NULL", [], |r| {
                Ok((r.get::<_, Option<i64>>(0)?.unwrap_or(0), r.get(1)?))
            })
            .optional()?;
        let orders: i64 = conn.query_row("SELECT COUNT(*) FROM shopify_orders", [], |r| r.get(0))?;
        let unmatched: i64 =
            conn.query_row("SELECT COUNT(DISTINCT sku) FROM shopify_order_lines WHERE product_id IS NULL", [], |r| r.get(0))?;
        let (since_ms, cursor_ms, api_version, location_gid, last_run_ms, last_error, push_stock, withheld) = match row {
            Some((s, c, v, l, r, e, p, w)) => (Some(s), c, v, l, r, e, p, w),
            None => (None, None, DEFAULT_API_VERSION.to_string(), None, None, None, false, None),
        };
        Ok(ShopifyImportView {
            shop: self.shopify_shop()?,
            since_ms,
            cursor_ms,
            api_version,
            location_gid,
            last_run_ms,
            last_error,
            orders,
            unmatched_skus: unmatched,
            push_stock,
            withheld,
            bulk_progress,
        })
    }

    /// Turns the push-back after each background import on or off. On
    /// needs the location whose stock Wildroot keeps.
    pub fn set_shopify_push_stock(&mut self, on: bool) -> Result<()> {
        if on && self.shopify_import_view()?.location_gid.is_none() {
            return invalid(
                "no Shopify location is set: give the number of the location whose stock Wildroot keeps (Settings → Locations in Shopify's admin)",
            );
        }
        self.configure_shopify_import(None, None, None)?;
        self.conn().execute("UPDATE shopify_import SET push_stock = ?1", [on])?;
        Ok(())
    }

    /// Online SKUs no product has, most lines first. Lines with no SKU at
    /// all are listed under the empty SKU: they can only be fixed in Shopify.
    pub fn shopify_unmatched(&self) -> Result<Vec<UnmatchedSkuView>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT COALESCE(sku, ''), COUNT(*), SUM(qty) FROM shopify_order_lines WHERE product_id IS NULL
             GROUP BY COALESCE(sku, '') COLLATE NOCASE ORDER BY COUNT(*) DESC, 1",
        )?;
        let rows: Vec<(String, i64, i64)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
        let mut orders = conn.prepare(
            "SELECT o.name FROM shopify_order_lines l JOIN shopify_orders o ON o.gid = l.order_gid
             WHERE l.product_id IS NULL AND COALESCE(l.sku, '') = ?1 GROUP BY o.gid ORDER BY MIN(l.at_ms), o.gid LIMIT 5",
        )?;
        rows.into_iter()
            .map(|(sku, lines, units)| {
                let names = orders.query_map([&sku], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
                Ok(UnmatchedSkuView { sku, lines, units, orders: names })
            })
            .collect()
    }

    /// Maps a Shopify SKU to a product: held lines with it are applied (the
    /// stock moves and the sales count) and future ones follow. Returns how
    /// many held lines were applied.
    pub fn map_shopify_sku(&mut self, shopify_sku: &str, product_key: &str) -> Result<usize> {
        let sku = shopify_sku.trim();
        if sku.is_empty() || sku.len() > 100 {
            return invalid("give the SKU as Shopify has it (1 to 100 characters); lines with no SKU must be fixed in Shopify");
        }
        self.write(|tx| {
            let product = product::find(tx, product_key)?;
            let held = |tx: &rusqlite::Connection| -> Result<i64> {
                Ok(tx.query_row("SELECT COUNT(*) FROM shopify_order_lines WHERE sku = ?1 AND product_id IS NULL", [sku], |r| r.get(0))?)
            };
            let before = held(tx)?;
            tx.record(OpKind::ShopifySkuMapped(ShopifySkuMapped { sku: sku.to_string(), product_id: product.id }))?;
            let after = held(tx)?;
            Ok(usize::try_from(before - after).unwrap_or(0))
        })
    }

    pub(crate) fn shopify_alerts(&self, out: &mut Vec<Alert>) -> Result<()> {
        for u in self.shopify_unmatched()? {
            let message = if u.sku.is_empty() {
                format!("{} online line(s) have no SKU ({}): give the variants a SKU in Shopify", u.lines, u.orders.join(", "))
            } else {
                format!(
                    "{} online line(s) with SKU {} match no product ({}): map it to the product it is",
                    u.lines,
                    u.sku,
                    u.orders.join(", ")
                )
            };
            out.push(Alert { kind: AlertKind::UnmatchedSku, item: u.sku, message, on_hand: None, threshold: None });
        }
        let view = self.shopify_import_view()?;
        if let Some(w) = view.withheld {
            out.push(Alert {
                kind: AlertKind::Sync,
                item: "shopify-access".into(),
                message: format!(
                    "Shopify withheld part of the orders for want of a permission ({w}): give the store's custom app that access"
                ),
                on_hand: None,
                threshold: None,
            });
        }
        if let Some(e) = view.last_error {
            out.push(Alert {
                kind: AlertKind::Sync,
                item: "shopify".into(),
                message: format!("the last Shopify import failed: {e}"),
                on_hand: None,
                threshold: None,
            });
        }
        Ok(())
    }
}

/// A first import reaching further back than this reads Shopify's history
/// with one bulk operation rather than page by page: the paged query pays
/// Shopify's rate limit for every page, a bulk operation does not. (The
/// first import's default start, 60 days back, stays paged.) A bulk import
/// cut off (progress still noted) goes on in bulk.
pub const BULK_HISTORY_MS: i64 = 90 * 24 * 60 * 60 * 1000;

/// Orders recorded a transaction in a bulk import: the watermark moves
/// with each such page, so a run cut off goes on from there.
pub const BULK_PAGE: usize = 250;

/// How an import reads Shopify.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImportWay {
    /// A bulk operation when the import starts more than
    /// [`BULK_HISTORY_MS`] back, else the paged query.
    #[default]
    Auto,
    Bulk,
    Paged,
}

/// How far an import has come, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportProgress {
    /// Shopify is running the bulk operation: objects it has found so far.
    BulkRunning { objects: u64 },
    /// Orders recorded, of how many (known for a bulk import; for a paged
    /// one, `total` is what was read so far).
    Recorded { recorded: usize, total: usize },
}

/// What one import run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Whether Shopify's history was read with a bulk operation.
    pub bulk: bool,
    pub pages: usize,
    /// Order states read from Shopify.
    pub orders: usize,
    /// Of them, new to this device.
    pub recorded: usize,
    pub unchanged: usize,
    /// Distinct SKUs held after the run.
    pub unmatched_skus: i64,
    pub version_warning: Option<String>,
}

fn lock(store: &std::sync::Mutex<Store>) -> Result<std::sync::MutexGuard<'_, Store>> {
    store.lock().map_err(|_| CoreError::Invalid("the store is unusable after an earlier failure: restart the app".into()))
}

/// Reads every order updated since the watermark, page by page, each page
/// committed whole with the watermark. The store is locked only while a
/// page is written, never while Shopify is asked. The run's outcome is noted
/// for the sync status either way.
pub async fn import_orders(store: &std::sync::Mutex<Store>, client: &mut super::client::ShopifyClient) -> Result<ImportReport> {
    import_orders_with(store, client, ImportWay::Auto, &mut |_| {}).await
}

/// [`import_orders`], read the way asked, telling `progress` as it goes.
pub async fn import_orders_with(
    store: &std::sync::Mutex<Store>,
    client: &mut super::client::ShopifyClient,
    way: ImportWay,
    progress: &mut (dyn FnMut(ImportProgress) + Send),
) -> Result<ImportReport> {
    let outcome = run(store, client, way, progress).await;
    let note = outcome.as_ref().err().map(ToString::to_string);
    lock(store)?.note_shopify_run(note.as_deref())?;
    if outcome.is_ok() {
        lock(store)?.conn().execute("UPDATE shopify_import SET withheld = ?1", [client.withheld.as_deref()])?;
    }
    let mut report = outcome?;
    report.version_warning = client.version_warning.clone();
    report.unmatched_skus = lock(store)?.shopify_import_view()?.unmatched_skus;
    Ok(report)
}

async fn run(
    store: &std::sync::Mutex<Store>,
    client: &mut super::client::ShopifyClient,
    way: ImportWay,
    progress: &mut (dyn FnMut(ImportProgress) + Send),
) -> Result<ImportReport> {
    let (since, now, view) = {
        let s = lock(store)?;
        (s.shopify_import_start()?.0, s.now_ms(), s.shopify_import_view()?)
    };
    // Bulk for a first import of a long history, and to go on with one cut
    // off; after that, the paged query from the watermark (a shop whose last
    // order is old is not read again in bulk on every run).
    let first_or_unfinished = view.cursor_ms.is_none() || view.bulk_progress.is_some();
    let bulk = match way {
        ImportWay::Auto => since < now - BULK_HISTORY_MS && first_or_unfinished,
        ImportWay::Bulk => true,
        ImportWay::Paged => false,
    };
    read_orders(client, since, bulk, &mut StoreSink(store), progress).await
}

/// Where an import's pages go: this device's store, or a server's log.
/// Each call records a page whole, with its watermark, in one transaction.
pub trait OrderSink: Send {
    /// `bulk`: how far a bulk import has come (orders recorded, of how many).
    fn record(
        &mut self,
        orders: &[ShopifyOrder],
        watermark_ms: i64,
        bulk: Option<(usize, usize)>,
    ) -> impl std::future::Future<Output = Result<PageOutcome>> + Send;
}

struct StoreSink<'a>(&'a std::sync::Mutex<Store>);

impl OrderSink for StoreSink<'_> {
    async fn record(&mut self, orders: &[ShopifyOrder], watermark_ms: i64, bulk: Option<(usize, usize)>) -> Result<PageOutcome> {
        lock(self.0)?.record_shopify_page(orders, watermark_ms, bulk)
    }
}

/// The one reading of Shopify's orders, for a device and for the server:
/// every order updated since `since`, page by page (or with one bulk
/// operation), each page recorded whole in `sink` with its watermark.
pub async fn read_orders(
    client: &mut super::client::ShopifyClient,
    since: i64,
    bulk: bool,
    sink: &mut impl OrderSink,
    progress: &mut (dyn FnMut(ImportProgress) + Send),
) -> Result<ImportReport> {
    if bulk {
        return read_bulk(client, since, sink, progress).await;
    }
    let mut report = ImportReport::default();
    let mut after: Option<String> = None;
    loop {
        let page = client.orders_page(since, after.as_deref()).await?;
        report.pages += 1;
        report.orders += page.orders.len();
        if let Some(watermark) = page.orders.iter().map(|o| o.updated_at_ms).max() {
            let out = sink.record(&page.orders, watermark, None).await?;
            report.recorded += out.recorded;
            report.unchanged += out.unchanged;
        }
        progress(ImportProgress::Recorded { recorded: report.orders, total: report.orders });
        match page.next {
            Some(cursor) => after = Some(cursor),
            None => return Ok(report),
        }
    }
}

/// A bulk import: Shopify gathers every order updated since `since` in one
/// operation; they are recorded oldest update first, [`BULK_PAGE`] to a
/// transaction, each with its watermark, so a run cut off (a crash, a kill)
/// goes on from the last page and records nothing twice (an order state
/// recorded already is the same derived operation).
async fn read_bulk(
    client: &mut super::client::ShopifyClient,
    since: i64,
    sink: &mut impl OrderSink,
    progress: &mut (dyn FnMut(ImportProgress) + Send),
) -> Result<ImportReport> {
    let result = client.bulk_orders(since, &mut |objects| progress(ImportProgress::BulkRunning { objects })).await?;
    let total = result.orders.len();
    let mut report = ImportReport { bulk: true, orders: total, ..ImportReport::default() };
    let mut done = 0;
    for page in result.orders.chunks(BULK_PAGE) {
        done += page.len();
        let watermark = page.iter().map(|o| o.updated_at_ms).max().unwrap_or(since);
        let out = sink.record(page, watermark, Some((done, total))).await?;
        report.pages += 1;
        report.recorded += out.recorded;
        report.unchanged += out.unchanged;
        progress(ImportProgress::Recorded { recorded: done, total });
    }
    // The watermark is the newest update read, as for a page. When Shopify
    // found nothing, nothing was updated before it started: go on from there
    // (else every run would ask for the same empty history again).
    let watermark = if total == 0 { result.started_ms } else { since };
    sink.record(&[], watermark, Some((total, total))).await?;
    Ok(report)
}

/// A client for the store this device is linked to, with its token and API version.
pub fn linked_client(
    store: &Store,
    key: &super::link::DeviceKey,
    policy: super::client::RetryPolicy,
) -> Result<super::client::ShopifyClient> {
    let Some((base, token)) = store.shopify_credentials(key)? else {
        return crate::error::needs(crate::error::Fix::ConnectShopify, "this device is not connected to a Shopify store: connect it first");
    };
    super::client::ShopifyClient::new(&base, &token, &store.shopify_import_start()?.1, policy)
}

/// The import as the CLI and the app run it: this device's link, token and
/// settings.
pub async fn import_linked(
    store: &std::sync::Mutex<Store>,
    key: &super::link::DeviceKey,
    policy: super::client::RetryPolicy,
    way: ImportWay,
    progress: &mut (dyn FnMut(ImportProgress) + Send),
) -> Result<ImportReport> {
    let mut client = linked_client(&*lock(store)?, key, policy)?;
    import_orders_with(store, &mut client, way, progress).await
}

/// One background run (and the app's "Import now"): the import, then (when switched on, and only after
/// an import that succeeded, so online sales are in first) the stock
/// push-back. A failed push-back is noted like a failed import.
pub async fn import_and_push(store: &std::sync::Mutex<Store>, key: &super::link::DeviceKey) -> Result<ImportReport> {
    let mut client = linked_client(&*lock(store)?, key, super::client::RetryPolicy::default())?;
    let report = import_orders(store, &mut client).await?;
    if lock(store)?.shopify_import_view()?.push_stock {
        match super::stock::push_stock(store, &mut client, false).await {
            Ok(lines) => {
                // A count changed in Shopify meanwhile is set at the next
                // run, after the import has brought that sale in; a refusal
                // needs the owner.
                let set = lines.iter().filter(|l| l.outcome == "set").count();
                let refused: Vec<String> = lines
                    .iter()
                    .filter(|l| l.outcome == "refused")
                    .map(|l| format!("{} ({})", l.sku, l.message.as_deref().unwrap_or("refused")))
                    .collect();
                tracing::info!(set, refused = refused.len(), "Shopify stock push-back");
                if !refused.is_empty() {
                    lock(store)?.note_shopify_run(Some(&format!("Shopify refused the stock of {}", refused.join(", "))))?;
                }
            }
            Err(e) => lock(store)?.note_shopify_run(Some(&format!("stock push-back failed: {e}")))?,
        }
    }
    Ok(report)
}

/// The background import of the app: every `every`, and at once when asked
/// ([`ShopifyLoop::import_now`]), while this device holds a Shopify link.
/// A failed run is noted (the alert says why) and tried again at the next
/// tick; the client already waited out what Shopify asked it to.
pub struct ShopifyLoop {
    wake: std::sync::Arc<tokio::sync::Notify>,
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl ShopifyLoop {
    /// `after_import` runs after every run that recorded something (the app
    /// wakes its server sync with it, so online orders reach the booth soon).
    pub fn spawn(
        store: std::sync::Arc<std::sync::Mutex<Store>>,
        key: super::link::DeviceKey,
        every: std::time::Duration,
        after_import: impl Fn() + Send + 'static,
    ) -> ShopifyLoop {
        let wake = std::sync::Arc::new(tokio::sync::Notify::new());
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let woken = wake.clone();
        let task = tokio::spawn(async move {
            loop {
                let linked = lock(&store).ok().and_then(|s| s.shopify_shop().ok().flatten()).is_some();
                if linked {
                    match import_and_push(&store, &key).await {
                        Ok(r) if r.recorded > 0 => after_import(),
                        Ok(_) => {}
                        Err(e) => tracing::warn!("Shopify import failed: {e}"),
                    }
                }
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = woken.notified() => {}
                    _ = stopped.changed() => break,
                }
                if *stopped.borrow() {
                    break;
                }
            }
        });
        ShopifyLoop { wake, stop, task }
    }

    pub fn import_now(&self) {
        self.wake.notify_one();
    }

    /// Stops the loop, waiting for a run in flight (a page being written
    /// finishes; one being fetched is dropped and read again next time).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
