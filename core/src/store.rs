//! Opening the local SQLite store and running writes in one transaction.
use crate::error::{CoreError, Result};
use crate::oplog;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use rusqlite_migration::{Migrations, M};
use std::path::Path;
use wildroot_model::sync::{refusal_reason, Role};
use wildroot_model::{DeviceId, OpId, OpKind, Operation};

/// Migrations of the local store, in order. Append only.
/// The migration that added lots (`lot_moves`, `lot_levels`).
const LOTS_MIGRATION: i64 = 8;

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../../migrations/0001_local_store.sql")),
        M::up(include_str!("../../migrations/0002_running_totals.sql")),
        M::up(include_str!("../../migrations/0003_sync.sql")),
        M::up(include_str!("../../migrations/0004_drop_unused_index.sql")),
        M::up(include_str!("../../migrations/0005_shopify_link.sql")),
        M::up(include_str!("../../migrations/0006_shopify_orders.sql")),
        M::up(include_str!("../../migrations/0007_shopify_links.sql")),
        M::up(include_str!("../../migrations/0008_lots.sql")),
        M::up(include_str!("../../migrations/0009_event_drawers.sql")),
        M::up(include_str!("../../migrations/0010_integer_figures.sql")),
        M::up(include_str!("../../migrations/0011_server_epoch.sql")),
        M::up(include_str!("../../migrations/0012_early_voids.sql")),
        M::up(include_str!("../../migrations/0013_shopify_withheld.sql")),
        M::up(include_str!("../../migrations/0014_shopify_bulk_progress.sql")),
        M::up(include_str!("../../migrations/0015_parked_carts.sql")),
        M::up(include_str!("../../migrations/0016_custom_items.sql")),
        M::up(include_str!("../../migrations/0017_withdrawn_payments.sql")),
        M::up(include_str!("../../migrations/0018_market_terms.sql")),
        M::up(include_str!("../../migrations/0019_tenders_tips.sql")),
        M::up(include_str!("../../migrations/0020_device_settings.sql")),
        M::up(include_str!("../../migrations/0021_label_details.sql")),
        M::up(include_str!("../../migrations/0022_receipt_emails.sql")),
        M::up(include_str!("../../migrations/0023_integer_checks.sql")),
    ])
}

/// A device's local database.
pub struct Store {
    conn: Connection,
    device: DeviceId,
    /// Fixed "now" for seeding history (the demo's past market day) and tests.
    clock_override: Option<i64>,
    /// The key file beside the database, read once (every sync reads the
    /// sealed sign-in); `None` inside for a store in memory.
    device_key: std::sync::OnceLock<Option<crate::shopify::link::DeviceKey>>,
}

/// One write transaction. Commands read through it (it derefs to the
/// connection) and change state only by [`Tx::record`].
pub struct Tx<'a> {
    tx: rusqlite::Transaction<'a>,
    device: DeviceId,
    now_ms: i64,
}

impl std::ops::Deref for Tx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.tx
    }
}

impl Tx<'_> {
    /// Records `kind` as a new operation of this device: stamps it, applies it
    /// to the tables and appends it to the log.
    pub fn record(&self, kind: OpKind) -> Result<Operation> {
        self.record_as(OpId::new(), kind)
    }

    /// Records an operation whose id is derived from something outside
    /// (a Shopify order's id and update time), unless the log has it already:
    /// then it is the same change, already applied, and `None` comes back.
    /// Checked first so that a repeat takes no sequence number (the server
    /// expects each device's numbers without gaps).
    pub fn record_derived(&self, id: OpId, kind: OpKind) -> Result<Option<Operation>> {
        let seen: bool =
            self.tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM ops WHERE id = ?1)")?.query_row([id.to_string()], |r| r.get(0))?;
        if seen {
            return Ok(None);
        }
        self.record_as(id, kind).map(Some)
    }

    fn record_as(&self, id: OpId, kind: OpKind) -> Result<Operation> {
        // Mirror of the server's role check (the server is the authority):
        // a vendor's device refuses owner-only changes at once rather than
        // applying them until the next sync reverts them.
        let role: Option<String> = self.tx.query_row("SELECT role FROM sync_state", [], |r| r.get(0)).optional()?;
        if let Some(role) = role.as_deref().and_then(Role::parse) {
            if !role.may(kind.name()) {
                return Err(CoreError::Invalid(format!("signed in as a {}: {}", role.as_str(), refusal_reason(role, kind.name()))));
            }
        }
        // The same content rules the server judges by: nothing out of
        // bounds is ever recorded, so nothing out of bounds is ever pushed.
        wildroot_model::bounds::check(&kind).map_err(CoreError::Invalid)?;
        oplog::record(&self.tx, self.device, self.now_ms, id, kind)
    }

    /// The transaction's notion of now, in UTC milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    pub fn device(&self) -> DeviceId {
        self.device
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path`, durable: WAL with
    /// `synchronous=FULL`, so a committed sale survives power loss.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() && !dir.exists() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| CoreError::Invalid(format!("cannot create the folder {} for the database: {e}", dir.display())))?;
            }
        }
        // No SQLite mutex per call: a `Connection` is never shared between
        // threads at once (it is not `Sync`; the app holds the store in a
        // Mutex), and the locking cost about a sixth of applying a page.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        Self::from_connection(conn)
    }

    /// An in-memory store, for tests and replay checks.
    pub fn open_in_memory() -> Result<Store> {
        Self::from_connection(Connection::open_in_memory()?)
    }

    fn from_connection(mut conn: Connection) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Applying one operation may run a few dozen distinct statements (an
        // online order's projection does); rusqlite's default of 16 cached
        // statements made the import re-parse SQL for most of its time.
        conn.set_prepared_statement_cache_capacity(128);
        let before: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        migrations().to_latest(&mut conn)?;
        let device = Self::ensure_device(&conn)?;
        let mut store = Store { conn, device, clock_override: None, device_key: std::sync::OnceLock::new() };
        // A build from before lots (migration 8) applied other devices'
        // version-2 operations without their lot splits; the log has them,
        // so the tables are rebuilt from it once, on the upgrade.
        if (1..LOTS_MIGRATION).contains(&before) {
            let lotted: bool =
                store.conn.query_row("SELECT EXISTS (SELECT 1 FROM ops WHERE version >= 2 AND applied = 1)", [], |r| r.get(0))?;
            if lotted {
                store.write(crate::oplog::rebuild)?;
            }
        }
        // An older build kept the device's sign-in in the clear.
        store.seal_plain_device_token()?;
        // Operations of kinds an older build could not apply (DESIGN rule 9).
        // Checked first, so that opening takes no write lock when there are none.
        let kept: bool =
            store.conn.query_row("SELECT EXISTS (SELECT 1 FROM ops WHERE applied = 0 AND refused_reason IS NULL)", [], |r| r.get(0))?;
        if kept {
            store.apply_kept_ops()?;
        }
        Ok(store)
    }

    /// The key file beside this database (the one that seals the Shopify
    /// token too); `None` for a store in memory, which leaves no file to read.
    pub(crate) fn device_key(&self) -> Result<Option<&crate::shopify::link::DeviceKey>> {
        if let Some(key) = self.device_key.get() {
            return Ok(key.as_ref());
        }
        let key = match self.conn().path().filter(|p| !p.is_empty()) {
            Some(db) => Some(crate::shopify::link::DeviceKey::load_or_create(&std::path::Path::new(db).with_extension("key"))?),
            None => None,
        };
        Ok(self.device_key.get_or_init(|| key).as_ref())
    }

    fn ensure_device(conn: &Connection) -> Result<DeviceId> {
        let existing: Option<String> = conn.query_row("SELECT id FROM local_device", [], |r| r.get(0)).optional()?;
        if let Some(id) = existing {
            return id.parse().map_err(|_| CoreError::Corrupt(format!("device id '{id}'")));
        }
        let id = DeviceId::new();
        conn.execute(
            "INSERT INTO local_device (singleton, id, receipt_prefix, next_receipt, next_seq, hlc_ms, hlc_counter)
             VALUES (1, ?1, ?2, 1, 1, 0, 0)",
            (id.to_string(), default_receipt_prefix(id)),
        )?;
        Ok(id)
    }

    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// Read-only access for queries.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one IMMEDIATE transaction: everything it records commits
    /// together, or, on any error, nothing does.
    pub fn write<T>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let now_ms = self.now_ms();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let wtx = Tx { tx, device: self.device, now_ms };
        let out = f(&wtx)?;
        wtx.tx.commit()?;
        Ok(out)
    }

    /// UTC milliseconds now (or the fixed clock set for seeding history).
    pub fn now_ms(&self) -> i64 {
        self.clock_override.unwrap_or_else(|| chrono::Utc::now().timestamp_millis())
    }

    /// Pins the clock, for recording history (demo data) and deterministic tests.
    pub fn set_clock(&mut self, ms: Option<i64>) {
        self.clock_override = ms;
    }

    /// This device's receipt series prefix, e.g. `A` in `A-000123`.
    pub fn receipt_prefix(&self) -> Result<String> {
        Ok(self.conn.query_row("SELECT receipt_prefix FROM local_device", [], |r| r.get(0))?)
    }

    /// Sets this device's receipt prefix (letters and digits, 1–6 of them).
    pub fn set_receipt_prefix(&mut self, prefix: &str) -> Result<()> {
        let p = prefix.trim().to_ascii_uppercase();
        if p.is_empty() || p.len() > 6 || !p.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(CoreError::Invalid(format!("'{prefix}' is not a receipt prefix: use 1 to 6 letters or digits, like A or BOOTH2")));
        }
        self.conn.execute("UPDATE local_device SET receipt_prefix = ?1", [p])?;
        Ok(())
    }
}

/// A prefix made from the device id's random bits, so two devices that were
/// never told apart still number receipts in different series.
fn default_receipt_prefix(id: DeviceId) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = id.0.as_bytes();
    // The last bytes of a UUIDv7 are random; the first are the timestamp.
    bytes[12..16].iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }

    /// A store made before the running totals existed gets them backfilled.
    #[test]
    fn running_totals_are_backfilled_from_existing_rows() -> Result<()> {
        let mut conn = Connection::open_in_memory()?;
        migrations().to_version(&mut conn, 1)?;
        conn.execute_batch(
            "INSERT INTO stock_movements VALUES ('op1', 0, 'product', 'p1', 10, 'batch_output', NULL, NULL, 1764000000000);
             INSERT INTO stock_movements VALUES ('op2', 0, 'product', 'p1', -3, 'sale', NULL, NULL, 1764000000000);
             INSERT INTO sales VALUES ('s1', 'A-000001', 'd', 1764000000000, NULL, NULL, 0, 0, 3000, 0, 0, 3000, 0, 0);
             INSERT INTO sale_lines VALUES ('s1', 0, 'p1', 3, 1000, 3000, 0, 0, 3000, 3000, 1764000000000, NULL, 0);
             INSERT INTO sale_payments VALUES ('s1', 0, 'cash', 3000, 3000);
             INSERT INTO refunds VALUES ('r1', 's1', 1764000000000, NULL, 1, 'cash', 1000);
             INSERT INTO refund_lines VALUES ('r1', 0, 'p1', 1, 1000, 0, 1764000000000, NULL);",
        )?;
        migrations().to_latest(&mut conn)?;
        let on_hand: i64 = conn.query_row("SELECT on_hand FROM stock_levels WHERE item_id = 'p1'", [], |r| r.get(0))?;
        assert_eq!(on_hand, 7);
        let (units, refunded): (i64, i64) =
            conn.query_row("SELECT units, refund_units FROM sales_daily WHERE product_id = 'p1'", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        assert_eq!((units, refunded), (3, 1));
        assert_eq!(crate::oplog::totals_check(&conn)?, None);
        Ok(())
    }

    #[test]
    fn reopening_keeps_the_device() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| CoreError::Invalid(e.to_string()))?;
        let path = dir.path().join("shop.db");
        let a = Store::open(&path)?.device();
        let b = Store::open(&path)?.device();
        assert_eq!(a, b);
        Ok(())
    }
}
