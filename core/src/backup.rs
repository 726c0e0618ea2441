//! Backups and the health check (`doctor`).
//!
//! A backup is SQLite's online backup: consistent even while the app keeps
//! selling. A restore never trusts the file: it is copied beside the store,
//! opened (migrated if older), and must pass the integrity check, the replay
//! check and the running-totals check before it replaces anything; the
//! replaced store is kept.
use crate::error::{CoreError, Result};
use crate::oplog::{replay_check, totals_check};
use crate::store::Store;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What `doctor` found. `ok` is false when anything needs attention.
#[derive(Clone, Debug, Serialize)]
pub struct Checkup {
    pub integrity: String,
    pub replay: Option<String>,
    pub totals: Option<String>,
    pub pending: i64,
    pub refused: usize,
    pub ok: bool,
}

fn io(what: &str, path: &Path, e: std::io::Error) -> CoreError {
    CoreError::Invalid(format!("cannot {what} {}: {e}", path.display()))
}

impl Store {
    /// Writes a consistent copy of the store to `path`, which must not exist.
    pub fn backup_to(&self, path: &Path) -> Result<()> {
        if path.exists() {
            return Err(CoreError::Invalid(format!("{} already exists: choose a new backup file name", path.display())));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io("create the folder", dir, e))?;
        }
        let mut target = rusqlite::Connection::open(path)?;
        rusqlite::backup::Backup::new(self.conn(), &mut target)?.run_to_completion(256, std::time::Duration::from_millis(0), None)?;
        let check: String = target.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if check != "ok" {
            drop(target);
            let _ = std::fs::remove_file(path);
            return Err(CoreError::Corrupt(format!("the backup failed its integrity check ({check}); nothing was kept")));
        }
        Ok(())
    }

    /// Integrity, replay and running totals, and what is waiting to sync.
    pub fn checkup(&self) -> Result<Checkup> {
        let report: String = self.conn().query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        // A damaged file can list thousands of problems: the first few say enough.
        let problems: Vec<&str> = report.lines().filter(|l| !l.starts_with("***")).collect();
        let integrity = match problems.len() {
            0 | 1 => report.clone(),
            n => format!("damaged: {} (and {} more problems)", problems[..2].join("; "), n - 2),
        };
        let replay = replay_check(self)?;
        let totals = totals_check(self.conn())?;
        let status = self.sync_status()?;
        let ok = integrity == "ok" && replay.is_none() && totals.is_none() && status.refused.is_empty();
        Ok(Checkup { integrity, replay, totals, pending: status.pending, refused: status.refused.len(), ok })
    }
}

/// Replaces the store at `current` with the backup at `backup`, after
/// checking a copy of it. Returns where the replaced store was kept.
pub fn restore(current: &Path, backup: &Path) -> Result<Option<PathBuf>> {
    if !backup.is_file() {
        return Err(CoreError::Invalid(format!("there is no backup file at {}", backup.display())));
    }
    let staged = current.with_extension("restoring");
    let _ = std::fs::remove_file(&staged);
    std::fs::copy(backup, &staged).map_err(|e| io("copy", backup, e))?;
    let verdict = (|| -> Result<()> {
        let header = std::fs::read(&staged).map_err(|e| io("read", &staged, e))?;
        if !header.starts_with(b"SQLite format 3\0") {
            return Err(CoreError::Invalid(format!("{} is not a Wildroot backup (not an SQLite database)", backup.display())));
        }
        let store = Store::open(&staged)?;
        let checkup = store.checkup()?;
        if checkup.integrity != "ok" {
            return Err(CoreError::Corrupt(format!("the backup is damaged ({})", checkup.integrity)));
        }
        if let Some(problem) = checkup.replay.or(checkup.totals) {
            return Err(CoreError::Corrupt(format!("the backup is inconsistent: {problem}")));
        }
        // Fold the WAL into the file before it is moved into place.
        store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        Ok(())
    })();
    if let Err(e) = verdict {
        let _ = std::fs::remove_file(&staged);
        let _ = std::fs::remove_file(staged.with_extension("restoring-wal"));
        let _ = std::fs::remove_file(staged.with_extension("restoring-shm"));
        return Err(e);
    }
    let kept = if current.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
        let kept = current.with_extension(format!("before-restore-{stamp}.db"));
        // Fold the old store's WAL in too, so the kept file is whole.
        if let Ok(old) = rusqlite::Connection::open(current) {
            let _ = old.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        std::fs::rename(current, &kept).map_err(|e| io("move aside", current, e))?;
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", current.display()));
        }
        Some(kept)
    } else {
        None
    };
    std::fs::rename(&staged, current).map_err(|e| io("move into place", &staged, e))?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", staged.display()));
    }
    Ok(kept)
}
