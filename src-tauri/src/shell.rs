//! The shell's state: the local store, where it lives, and the background sync.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use wildroot_core::shopify::import::ShopifyLoop;
use wildroot_core::sync::SyncLoop;
use wildroot_core::{CoreError, Result, Store};

/// How often the background sync runs when nothing wakes it sooner.
const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(30);
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// How often the daily backup checks whether today's copy is made.
const BACKUP_CHECK: Duration = Duration::from_secs(3600);
/// How often the owner's device asks Shopify for new orders.
const SHOPIFY_INTERVAL: Duration = Duration::from_secs(300);

pub struct Shell {
    store: Arc<Mutex<Store>>,
    db_path: PathBuf,
    sync: Arc<Mutex<Option<SyncLoop>>>,
    shopify: Mutex<Option<ShopifyLoop>>,
    sync_interval: Duration,
    export_dir: PathBuf,
    /// Why the last automatic backup failed (None once one succeeds).
    backup_error: Arc<Mutex<Option<String>>>,
    /// Held by the daily backup while it reads the database file through a
    /// connection of its own, and by whatever moves or removes that file
    /// (a restore, a fresh start), so that neither pulls the file (or its
    /// WAL) from under the other. Sales never take it: they take `store`.
    /// Taken before `store` where both are held.
    files: Arc<Mutex<()>>,
}

impl Shell {
    /// Opens the store at `db_path`. A database that did not exist yet is
    /// created with the demo shop, so a first start has something to sell.
    pub fn open(db_path: PathBuf, sync_interval: Option<Duration>) -> Result<Shell> {
        let fresh = !db_path.exists();
        if let Some(dir) = db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| CoreError::Invalid(format!("cannot create the data folder {}: {e}", dir.display())))?;
        }
        let mut store = Store::open(&db_path)?;
        if fresh {
            store.seed_demo()?;
        }
        Ok(Shell {
            store: Arc::new(Mutex::new(store)),
            db_path: db_path.clone(),
            sync: Arc::new(Mutex::new(None)),
            shopify: Mutex::new(None),
            sync_interval: sync_interval.unwrap_or(DEFAULT_SYNC_INTERVAL),
            export_dir: db_path.parent().map(Path::to_path_buf).unwrap_or_default(),
            backup_error: Arc::new(Mutex::new(None)),
            files: Arc::new(Mutex::new(())),
        })
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// Where exported reports go (the Downloads folder in the app; the data folder until told).
    pub fn exporting_to(mut self, dir: PathBuf) -> Shell {
        self.export_dir = dir;
        self
    }

    pub fn export_dir(&self) -> &Path {
        &self.export_dir
    }

    /// The key that seals this device's secrets: a file beside the
    /// database, never inside it, so a copied database carries no secret.
    pub fn device_key(&self) -> Result<wildroot_core::shopify::link::DeviceKey> {
        wildroot_core::shopify::link::DeviceKey::load_or_create(&self.db_path.with_extension("key"))
    }

    pub fn shared_store(&self) -> &Arc<Mutex<Store>> {
        &self.store
    }

    pub fn store(&self) -> Result<MutexGuard<'_, Store>> {
        self.store.lock().map_err(|_| CoreError::Invalid("the local store is unavailable after an earlier failure: restart the app".into()))
    }

    fn sync_slot(&self) -> Result<MutexGuard<'_, Option<SyncLoop>>> {
        self.sync.lock().map_err(|_| CoreError::Invalid("the sync engine is unavailable after an earlier failure: restart the app".into()))
    }

    /// Starts the background sync if this device is connected and it is not
    /// running yet. Must be called inside the async runtime.
    pub fn start_sync(&self) -> Result<()> {
        if self.store()?.sync_config()?.is_none() {
            return Ok(());
        }
        let mut slot = self.sync_slot()?;
        if slot.is_none() {
            *slot = Some(SyncLoop::spawn(self.store.clone(), self.sync_interval, MAX_BACKOFF));
        }
        Ok(())
    }

    /// Starts the background Shopify import if this device holds a link
    /// (an owner's), or runs it now if it is running. Inside the async runtime.
    pub fn start_shopify(&self) -> Result<()> {
        if self.store()?.shopify_shop()?.is_none() {
            return Ok(());
        }
        let mut slot = self.shopify.lock().map_err(|_| CoreError::Invalid("the Shopify import is unavailable: restart the app".into()))?;
        match slot.as_ref() {
            Some(running) => running.import_now(),
            None => {
                // Imported orders go to the server at once, so the booth sees them.
                let sync = self.sync.clone();
                let wake = move || {
                    if let Ok(slot) = sync.lock() {
                        slot.as_ref().map(SyncLoop::sync_now);
                    }
                };
                *slot = Some(ShopifyLoop::spawn(self.store.clone(), self.device_key()?, SHOPIFY_INTERVAL, wake));
            }
        }
        Ok(())
    }

    /// Wakes the background sync; false when there is none (not connected).
    pub fn wake_sync(&self) -> bool {
        match self.sync.lock() {
            Ok(slot) => slot.as_ref().map(SyncLoop::sync_now).is_some(),
            Err(_) => false,
        }
    }

    pub fn is_syncing(&self) -> bool {
        self.sync.lock().ok().is_some_and(|slot| slot.as_ref().is_some_and(SyncLoop::is_syncing))
    }

    /// Stops the background Shopify import, waiting for a page being written.
    pub async fn stop_shopify(&self) {
        let running = self.shopify.lock().ok().and_then(|mut slot| slot.take());
        if let Some(import) = running {
            import.stop().await;
        }
    }

    /// Stops the background sync, waiting for a sync in flight.
    pub async fn stop_sync(&self) {
        let running = self.sync.lock().ok().and_then(|mut slot| slot.take());
        if let Some(sync) = running {
            sync.stop().await;
        }
    }

    /// Sets the current shop aside, whole, in a file next to it, and starts an
    /// empty one under `business_name`. Nothing is deleted: the old file is
    /// a consistent copy that `wildroot backup restore` can bring back.
    pub fn start_fresh(&self, business_name: &str) -> Result<PathBuf> {
        if self.sync_slot()?.is_some() {
            return Err(CoreError::Invalid(
                "this device syncs with a server: its shop is the server's, so it cannot be started fresh here".into(),
            ));
        }
        if business_name.trim().is_empty() {
            return Err(CoreError::Invalid("the business name is empty: type the name of the new shop".into()));
        }
        let _files = lock_files(&self.files)?;
        let mut store = self.store()?;
        let stamp = chrono_stamp(store.now_ms());
        let aside = self.db_path.with_file_name(format!("wildroot-before-fresh-start-{stamp}.db"));
        store.backup_to(&aside)?;
        let mut fresh = Store::open_in_memory()?;
        std::mem::swap(&mut *store, &mut fresh);
        drop(fresh); // closes the old file before it is removed
        for suffix in ["", "-wal", "-shm"] {
            let mut name = self.db_path.clone().into_os_string();
            name.push(suffix);
            match std::fs::remove_file(&name) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(CoreError::Invalid(format!("cannot remove {}: {e}", PathBuf::from(name).display()))),
            }
        }
        let mut empty = Store::open(&self.db_path)?;
        empty.set_business_name(business_name)?;
        *store = empty;
        Ok(aside)
    }
}

impl Shell {
    /// Where the automatic backups go: `backups/` beside the database.
    pub fn backups_dir(&self) -> PathBuf {
        wildroot_core::backup::backups_dir(&self.db_path)
    }

    /// Why the last automatic backup failed, if it did.
    pub fn backup_error(&self) -> Option<String> {
        self.backup_error.lock().ok().and_then(|e| e.clone())
    }

    /// Today's automatic backup, if not made yet, and the pruning after it.
    pub fn daily_backup(&self) -> Result<wildroot_core::backup::AutoBackup> {
        daily_backup(&self.store, &self.files, &self.db_path, &self.backups_dir(), &self.backup_error)
    }

    /// Makes the daily backup now and then checks hourly, on a thread of its
    /// own that ends when the shell is dropped. A phone that sells all day
    /// offline has yesterday's shop in a second file whatever happens.
    pub fn start_daily_backups(&self) {
        let (store, dir, error) = (Arc::downgrade(&self.store), self.backups_dir(), self.backup_error.clone());
        let (files, db) = (self.files.clone(), self.db_path.clone());
        let spawned = std::thread::Builder::new().name("daily-backup".into()).spawn(move || {
            while let Some(store) = store.upgrade() {
                let _ = daily_backup(&store, &files, &db, &dir, &error);
                drop(store);
                std::thread::sleep(BACKUP_CHECK);
            }
        });
        if let Err(e) = spawned {
            self.note_backup_error(format!("the daily backup could not start: {e}"));
        }
    }

    fn note_backup_error(&self, why: String) {
        if let Ok(mut slot) = self.backup_error.lock() {
            *slot = Some(why);
        }
    }

    /// Replaces this shop with a backup, after checking it; the shop it
    /// replaces is kept beside it, and whatever it held that the backup
    /// lacks is brought back (`core::backup::restore`), so a restore never
    /// loses a sale, on a device that syncs too.
    pub fn restore(&self, backup: &Path) -> Result<wildroot_core::backup::Restored> {
        let _files = lock_files(&self.files)?;
        let mut store = self.store()?;
        let mut closed = Store::open_in_memory()?;
        std::mem::swap(&mut *store, &mut closed);
        drop(closed); // the file must be closed before it is moved aside
        let restored = wildroot_core::backup::restore(&self.db_path, backup);
        // Whatever is in place now: the backup, or (if it was refused) the shop as it was.
        *store = Store::open(&self.db_path)?;
        restored
    }
}

/// The store is locked only to read its clock: the copy is read from the
/// file, so the booth keeps selling while a shop of years is copied (at the
/// first start of a day, just as the POS opens).
fn daily_backup(
    store: &Mutex<Store>,
    files: &Mutex<()>,
    db: &Path,
    dir: &Path,
    error: &Mutex<Option<String>>,
) -> Result<wildroot_core::backup::AutoBackup> {
    let unavailable = || CoreError::Invalid("the shop is unavailable after an earlier failure: restart the app".into());
    let result = store.lock().map(|s| s.now_ms()).map_err(|_| unavailable()).and_then(|now| {
        let _files = lock_files(files)?;
        wildroot_core::backup::auto_backup_of_file(db, now, dir)
    });
    if let Ok(mut slot) = error.lock() {
        *slot = result.as_ref().err().map(|e| format!("the daily backup failed: {e}"));
    }
    if let Err(e) = &result {
        tracing::warn!("daily backup: {e}");
    }
    result
}

fn lock_files(files: &Mutex<()>) -> Result<MutexGuard<'_, ()>> {
    files.lock().map_err(|_| CoreError::Invalid("the shop's file is unavailable after an earlier failure: restart the app".into()))
}

/// `YYYYMMDD-HHMMSS` in UTC, for file names.
pub fn chrono_stamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.format("%Y%m%d-%H%M%S").to_string()).unwrap_or_else(|| ms.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_utc_dates() {
        assert_eq!(chrono_stamp(0), "19700101-000000");
        assert_eq!(chrono_stamp(1_795_000_000_000), "20261118-110640");
    }

    #[test]
    fn first_start_is_the_demo_and_a_fresh_start_keeps_it_aside() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| CoreError::Invalid(e.to_string()))?;
        let path = dir.path().join("app").join("wildroot.db");
        let shell = Shell::open(path.clone(), None)?;
        let demo_products = shell.store()?.list_products(None, None)?.len();
        assert!(demo_products > 0);
        drop(shell);
        // A second start opens what is there and seeds nothing.
        let shell = Shell::open(path.clone(), None)?;
        assert_eq!(shell.store()?.list_products(None, None)?.len(), demo_products);
        let aside = shell.start_fresh("Fern & Flame")?;
        assert!(shell.store()?.list_products(None, None)?.is_empty());
        assert!(shell.start_fresh("  ").is_err(), "an empty business name is refused");
        drop(shell);
        let kept = Store::open(&aside)?;
        assert_eq!(kept.list_products(None, None)?.len(), demo_products);
        let reopened = Shell::open(path, None)?;
        assert!(reopened.store()?.list_products(None, None)?.is_empty(), "an emptied shop stays empty");
        Ok(())
    }
}
