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
use rusqlite::OptionalExtension;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What `doctor` found. `ok` is false when anything needs attention.
#[derive(Clone, Debug, Serialize)]
pub struct Checkup {
    pub integrity: String,
    pub replay: Option<String>,
    pub totals: Option<String>,
    /// The first rule of the books that does not hold (`Store::books_check`).
    pub books: Option<String>,
    /// How far this device's stored clock is ahead of its wall clock, when
    /// more than the server accepts: it once ran ahead, and what it records
    /// now is stamped ahead too until the next sync stamps it again.
    pub clock_ahead_ms: Option<i64>,
    pub pending: i64,
    pub refused: usize,
    pub ok: bool,
}

/// The doctor's one verdict on a checkup and the clock against the server,
/// the first that applies in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    AllGood,
    /// The wall clock is off the server's by more than the server accepts
    /// (`model::sync::MAX_CLOCK_AHEAD_MS`): set the date and time.
    ClockOff,
    /// The stored clock once ran ahead; the records are whole: sync.
    ClockRanAhead,
    /// The records are whole but the books do not balance: report it.
    BooksOff,
    /// The records are whole but the server refused some changes.
    Refused,
    /// Integrity, replay or running totals failed: restore or rebuild.
    Damaged,
}

impl Checkup {
    /// The verdict, given the clock's distance from the server's (`None`
    /// when no server was reached).
    pub fn verdict(&self, skew_ms: Option<i64>) -> Verdict {
        let whole = self.integrity == "ok" && self.replay.is_none() && self.totals.is_none();
        let skew_ok = skew_ms.is_none_or(|s| s.abs() < wildroot_model::sync::MAX_CLOCK_AHEAD_MS);
        if self.ok && skew_ok {
            Verdict::AllGood
        } else if !skew_ok {
            Verdict::ClockOff
        } else if whole && self.clock_ahead_ms.is_some() {
            Verdict::ClockRanAhead
        } else if whole && self.books.is_some() {
            Verdict::BooksOff
        } else if whole && self.refused > 0 {
            Verdict::Refused
        } else {
            Verdict::Damaged
        }
    }
}

fn io(what: &str, path: &Path, e: std::io::Error) -> CoreError {
    CoreError::Invalid(format!("cannot {what} {}: {}", path.display(), crate::error::io_words(&e)))
}

/// Writes a consistent copy of the database `source` reads to `path`, which
/// must not exist, checks it and wipes the device's sign-in from it.
/// `pages_per_step` below 0 copies in one step: one read transaction, so a
/// connection other than the store's sees one snapshot however much the
/// store writes meanwhile (a copy in steps starts again from the first page
/// whenever another connection wrote between two of them).
fn copy_database(source: &rusqlite::Connection, path: &Path, pages_per_step: i32, progress: &mut dyn FnMut(usize, usize)) -> Result<()> {
    if path.exists() {
        return Err(CoreError::Invalid(format!("{} already exists: choose a new backup file name", path.display())));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| io("create the folder", dir, e))?;
    }
    // Written under another name and moved into place only once whole and
    // without the sign-in: a copy cut short (the disk filled, the app was
    // killed) never stands as a backup, never counts as the day's, never
    // holds the device's token under a backup's name, and leaves the name
    // free to try again. `list_backups` sees only names ending in `.db`.
    let partial = PathBuf::from(format!("{}.partial", path.display()));
    let remove_partial = || {
        for suffix in ["", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
        }
    };
    // One a kill left under this name is no use: start afresh.
    remove_partial();
    let placed = write_copy(source, &partial, pages_per_step, progress)
        .and_then(|()| std::fs::rename(&partial, path).map_err(|e| io("move into place", path, e)));
    if placed.is_err() {
        remove_partial();
    }
    placed
}

/// The copy itself, into `path`, closed before it returns.
fn write_copy(source: &rusqlite::Connection, path: &Path, pages_per_step: i32, progress: &mut dyn FnMut(usize, usize)) -> Result<()> {
    let mut target = rusqlite::Connection::open(path)?;
    {
        let copy = rusqlite::backup::Backup::new(source, &mut target)?;
        loop {
            let step = copy.step(pages_per_step)?;
            let p = copy.progress();
            let total = p.pagecount.max(0) as usize;
            progress(total.saturating_sub(p.remaining.max(0) as usize), total);
            match step {
                rusqlite::backup::StepResult::Done => break,
                // The store is busy (another connection writes): wait a moment.
                rusqlite::backup::StepResult::Busy | rusqlite::backup::StepResult::Locked => {
                    std::thread::sleep(std::time::Duration::from_millis(10))
                }
                _ => {}
            }
        }
    }
    let check: String = target.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(CoreError::Corrupt(format!("the backup failed its integrity check ({check}); nothing was kept")));
    }
    // A copy of the device's sign-in would sign in as this device:
    // backups keep none (zeroed, not just unlinked, in the file).
    target.pragma_update(None, "secure_delete", "ON")?;
    target.execute("UPDATE sync_state SET device_token = ''", [])?;
    target.close().map_err(|(_, e)| CoreError::Db(e))
}

impl Store {
    /// Writes a consistent copy of the store to `path`, which must not exist.
    pub fn backup_to(&self, path: &Path) -> Result<()> {
        self.backup_with_progress(path, &mut |_, _| {})
    }

    /// [`Store::backup_to`], telling `progress` the pages copied of the total as it goes.
    pub fn backup_with_progress(&self, path: &Path, progress: &mut dyn FnMut(usize, usize)) -> Result<()> {
        copy_database(self.conn(), path, 256, progress)
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
        let books = if totals.is_none() { self.books_check()? } else { None };
        let status = self.sync_status()?;
        let stored: i64 = self.conn().query_row("SELECT hlc_ms FROM local_device", [], |r| r.get(0))?;
        let clock_ahead_ms = Some(stored - self.now_ms()).filter(|a| *a > wildroot_model::sync::MAX_CLOCK_AHEAD_MS);
        let ok = integrity == "ok"
            && replay.is_none()
            && totals.is_none()
            && books.is_none()
            && status.refused.is_empty()
            && clock_ahead_ms.is_none();
        Ok(Checkup { integrity, replay, totals, books, clock_ahead_ms, pending: status.pending, refused: status.refused.len(), ok })
    }
}

/// What a restore did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Restored {
    /// Where the replaced store was kept.
    pub kept: Option<PathBuf>,
    /// Operations the replaced store held and the backup did not, brought
    /// back (sales made after the backup, changes pulled since).
    pub recovered: usize,
    /// Of those, sales.
    pub recovered_sales: usize,
    /// Why the replaced store could not be read to bring them back, if so:
    /// then what this device pushed since the backup comes back on its next
    /// sync, and what it never pushed is only in the kept file.
    pub unreadable: Option<String>,
}

/// Replaces the store at `current` with the backup at `backup`, after
/// checking a copy of it.
///
/// A restore never loses work: every operation the replaced store holds
/// and the backup lacks (sales made after the backup, changes pulled since)
/// is applied to the restored copy before it goes into place, and the
/// device's counters move past everything either saw, so no operation or
/// receipt number is used twice. What the server has that neither holds
/// comes back on the next sync (`Store::apply_pulled` renumbers anything
/// recorded meanwhile under a number the server already has).
pub fn restore(current: &Path, backup: &Path) -> Result<Restored> {
    restore_with_progress(current, backup, &mut |_| {})
}

/// [`restore`], telling `stage` what it is doing as it goes (a long log
/// takes a while to check).
pub fn restore_with_progress(current: &Path, backup: &Path, stage: &mut dyn FnMut(&str)) -> Result<Restored> {
    if !backup.is_file() {
        return Err(CoreError::Invalid(format!("there is no backup file at {}", backup.display())));
    }
    let staged = current.with_extension("restoring");
    let _ = std::fs::remove_file(&staged);
    let verdict = (|| -> Result<Result<(usize, usize)>> {
        stage("copying the backup");
        // Inside, so that a copy cut short (a full disk) is removed too.
        std::fs::copy(backup, &staged).map_err(|e| io("copy", backup, e))?;
        let header = std::fs::read(&staged).map_err(|e| io("read", &staged, e))?;
        if !header.starts_with(b"SQLite format 3\0") {
            return Err(CoreError::Invalid(format!("{} is not a Wildroot backup (not an SQLite database)", backup.display())));
        }
        let mut store = Store::open(&staged)?;
        stage("checking the backup: its integrity, and its log replayed");
        let checkup = store.checkup()?;
        if checkup.integrity != "ok" {
            return Err(CoreError::Corrupt(format!("the backup is damaged ({})", checkup.integrity)));
        }
        if let Some(problem) = checkup.replay.or(checkup.totals) {
            return Err(CoreError::Corrupt(format!("the backup is inconsistent: {problem}")));
        }
        stage("bringing back what was recorded since the backup");
        let merged = if current.exists() { bring_back(&mut store, current)? } else { Ok((0, 0)) };
        // Fold the WAL into the file before it is moved into place.
        store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
        Ok(merged)
    })();
    let merged = match verdict {
        Ok(merged) => merged,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            let _ = std::fs::remove_file(staged.with_extension("restoring-wal"));
            let _ = std::fs::remove_file(staged.with_extension("restoring-shm"));
            return Err(e);
        }
    };
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
    if let Err(e) = std::fs::rename(&staged, current) {
        // Never leave the shop without a database at its path: put the
        // replaced one back (the restored copy stays beside it).
        if let Some(kept) = &kept {
            let _ = std::fs::rename(kept, current);
        }
        return Err(io("move into place", &staged, e));
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", staged.display()));
    }
    let (recovered, recovered_sales, unreadable) = match merged {
        Ok((ops, sales)) => (ops, sales, None),
        Err(e) => (0, 0, Some(e.to_string())),
    };
    Ok(Restored { kept, recovered, recovered_sales, unreadable })
}

/// Applies to `restored` every operation the store at `current` holds that
/// it lacks, in the order `current` recorded them, and moves its counters
/// past both. Returns (operations, of which sales). An error means
/// `current` could not be read (damaged, or another device's): nothing of
/// it was brought back.
fn bring_back(restored: &mut Store, current: &Path) -> Result<Result<(usize, usize)>> {
    let old = match rusqlite::Connection::open_with_flags(current, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(c) => c,
        Err(e) => return Ok(Err(CoreError::Corrupt(format!("the replaced database cannot be opened ({e})")))),
    };
    let readable = (|| -> Result<(String, i64, i64, i64, u32)> {
        let check: String = old.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(CoreError::Corrupt(format!("the replaced database is damaged ({check})")));
        }
        Ok(old.query_row("SELECT id, next_seq, next_receipt, hlc_ms, hlc_counter FROM local_device", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?)
    })();
    let (old_device, next_seq, next_receipt, hlc_ms, hlc_counter) = match readable {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    if old_device != restored.device().to_string() {
        return Ok(Err(CoreError::Invalid("the replaced database is another device's: nothing of it was brought back".into())));
    }
    let known: std::collections::HashSet<String> =
        restored.conn().prepare("SELECT id FROM ops")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    type Row = (String, String, i64, i64, u32, u32, String, String, bool, Option<i64>, Option<String>);
    let mut stmt = old.prepare(
        "SELECT id, device, device_seq, hlc_ms, hlc_counter, version, kind, payload, applied, server_seq, refused_reason FROM ops ORDER BY seq",
    )?;
    let rows: Vec<Row> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|row| !known.contains(&row.0))
        .collect();
    let counts = restored.write(|tx| {
        let mut sales = 0;
        for (id, device, device_seq, ms, counter, version, kind, payload, applied, server_seq, refused) in &rows {
            let wire = wildroot_model::sync::WireOp {
                id: id.parse().map_err(|_| CoreError::Corrupt(format!("operation id '{id}'")))?,
                device: device.parse().map_err(|_| CoreError::Corrupt(format!("device id '{device}'")))?,
                device_seq: *device_seq,
                hlc: wildroot_model::Hlc { ms: *ms, counter: *counter },
                version: *version,
                kind: kind.clone(),
                payload: serde_json::from_str(payload)?,
            };
            if *applied {
                if let Ok(op) = wire.to_op() {
                    crate::apply::apply(tx, &op)?;
                }
            }
            tx.execute(
                "INSERT INTO ops (id, device, device_seq, hlc_ms, hlc_counter, version, kind, payload, applied, server_seq, refused_reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                rusqlite::params![id, device, device_seq, ms, counter, version, kind, payload, applied, server_seq, refused],
            )?;
            if kind == "sale_completed" && *applied {
                sales += 1;
            }
        }
        tx.execute(
            "UPDATE local_device SET next_seq = MAX(next_seq, ?1), next_receipt = MAX(next_receipt, ?2),
                 hlc_counter = CASE WHEN ?3 > hlc_ms OR (?3 = hlc_ms AND ?4 > hlc_counter) THEN ?4 ELSE hlc_counter END,
                 hlc_ms = MAX(hlc_ms, ?3)",
            (next_seq, next_receipt, hlc_ms, hlc_counter),
        )?;
        crate::oplog::own_counters_forward(tx)?;
        // Its mail send log (this device's, never synced): a receipt it sent,
        // or was sending, since the backup is never sent again (#25).
        let logged: Vec<(String, String, i64, Option<String>)> = match old
            .prepare("SELECT request_id, state, generation, reason FROM mail_send_log")
        {
            Ok(mut stmt) => stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<rusqlite::Result<_>>()?,
            // A database from before emailed receipts has none.
            Err(_) => Vec::new(),
        };
        for row in logged {
            tx.execute("INSERT OR REPLACE INTO mail_send_log (request_id, state, generation, reason) VALUES (?1, ?2, ?3, ?4)", row)?;
        }
        // The replaced database's sign-in, when the backup has none (backups
        // keep none) and it was the same server's: the device stays signed in.
        let token: Option<(String, String)> =
            old.query_row("SELECT server_url, device_token FROM sync_state", [], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        if let Some((url, token)) = token.filter(|(_, t)| !t.is_empty()) {
            tx.execute("UPDATE sync_state SET device_token = ?1 WHERE device_token = '' AND server_url = ?2", (&token, &url))?;
        }
        Ok((rows.len(), sales))
    })?;
    Ok(Ok(counts))
}

/// Automatic backups are named `wildroot-auto-YYYYMMDD-HHMMSS.db` (UTC) so
/// that pruning can never touch a backup someone made by hand.
const AUTO_PREFIX: &str = "wildroot-auto-";
/// How many days' newest automatic backups are kept, and how many weeks'.
pub const KEEP_DAILY: usize = 7;
pub const KEEP_WEEKLY: usize = 4;

/// Where the backups of the store at `db` go: `backups/` beside it.
pub fn backups_dir(db: &Path) -> PathBuf {
    db.parent().unwrap_or(Path::new(".")).join("backups")
}

/// One backup file in a backups folder, for a list to restore from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BackupFile {
    pub path: PathBuf,
    /// When it was made (from its name for automatic ones, else the file's time), UTC ms.
    pub at_ms: i64,
    pub bytes: u64,
    /// Made by the daily schedule (and pruned by it), not by a person.
    pub automatic: bool,
}

/// What [`auto_backup`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AutoBackup {
    /// The backup made now, or None when today's already exists.
    pub made: Option<PathBuf>,
    /// Older automatic backups removed by the retention rule.
    pub pruned: Vec<PathBuf>,
}

fn auto_stamp(name: &str) -> Option<chrono::NaiveDateTime> {
    let stamp = name.strip_prefix(AUTO_PREFIX)?.strip_suffix(".db")?;
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S").ok()
}

/// The backups in `dir`, newest first: every `.db` file there that opens as
/// SQLite is listed; automatic ones are recognised by name.
pub fn list_backups(dir: &Path) -> Result<Vec<BackupFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io("read the folder", dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io("read the folder", dir, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".db") {
            continue;
        }
        let meta = entry.metadata().map_err(|e| io("read", &path, e))?;
        if !meta.is_file() {
            continue;
        }
        let stamp = auto_stamp(&name);
        let at_ms = match stamp {
            Some(t) => t.and_utc().timestamp_millis(),
            None => meta
                .modified()
                .ok()
                .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        };
        out.push(BackupFile { path, at_ms, bytes: meta.len(), automatic: stamp.is_some() });
    }
    out.sort_by(|a, b| b.at_ms.cmp(&a.at_ms).then_with(|| b.path.cmp(&a.path)));
    Ok(out)
}

/// Which of the automatic backups made at `stamps` the retention rule keeps:
/// the newest of each of the last [`KEEP_DAILY`] days that have one, and the
/// newest of each of the last [`KEEP_WEEKLY`] ISO weeks that have one.
pub fn retained(stamps: &[i64]) -> Vec<i64> {
    use chrono::Datelike;
    let mut newest_first: Vec<i64> = stamps.to_vec();
    newest_first.sort_unstable_by(|a, b| b.cmp(a));
    newest_first.dedup();
    let mut keep = Vec::new();
    let (mut days, mut weeks) = (Vec::new(), Vec::new());
    for &ms in &newest_first {
        let Some(t) = chrono::DateTime::from_timestamp_millis(ms) else { continue };
        let day = t.date_naive();
        let week = (t.iso_week().year(), t.iso_week().week());
        let mut kept = false;
        if days.len() < KEEP_DAILY && !days.contains(&day) {
            days.push(day);
            kept = true;
        }
        if weeks.len() < KEEP_WEEKLY && !weeks.contains(&week) {
            weeks.push(week);
            kept = true;
        }
        if kept {
            keep.push(ms);
        }
    }
    keep
}

/// The daily backup: makes one in `dir` unless one was already made on
/// today's (UTC) date, then removes the automatic backups the retention
/// rule no longer keeps. Backups made by hand are never removed.
pub fn auto_backup(store: &Store, dir: &Path) -> Result<AutoBackup> {
    auto_backup_with(store.now_ms(), dir, |path| store.backup_to(path))
}

/// [`auto_backup`] of the store at `db`, read through a connection of its
/// own, so the store stays free for sales while the copy is made (the app's
/// daily backup: a shop of years takes seconds to copy). The copy is one
/// read transaction, a snapshot of what was committed when it began;
/// whoever moves the database file (a restore) must wait for it.
pub fn auto_backup_of_file(db: &Path, now_ms: i64, dir: &Path) -> Result<AutoBackup> {
    auto_backup_with(now_ms, dir, |path| {
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let source = rusqlite::Connection::open_with_flags(db, flags)?;
        source.busy_timeout(std::time::Duration::from_secs(5))?;
        copy_database(&source, path, -1, &mut |_, _| {})
    })
}

/// Removes what automatic copies cut short by a kill left (`NAME.partial`,
/// see `copy_database`), once they are an hour old: no copy takes that
/// long, so none is still being written. Run as the day's backup is
/// made, not at every hourly check.
fn sweep_cut_short(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let cut_short = name.starts_with(AUTO_PREFIX) && (name.ends_with(".db.partial") || name.ends_with(".db.partial-journal"));
        if cut_short && entry.metadata().and_then(|m| m.modified()).is_ok_and(|m| m < hour_ago) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn auto_backup_with(now_ms: i64, dir: &Path, backup_to: impl FnOnce(&Path) -> Result<()>) -> Result<AutoBackup> {
    let now = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
    let existing = list_backups(dir)?;
    let today = existing
        .iter()
        .any(|b| b.automatic && chrono::DateTime::from_timestamp_millis(b.at_ms).is_some_and(|t| t.date_naive() == now.date_naive()));
    let mut report = AutoBackup::default();
    if !today {
        sweep_cut_short(dir);
        let path = dir.join(format!("{AUTO_PREFIX}{}.db", now.format("%Y%m%d-%H%M%S")));
        backup_to(&path)?;
        report.made = Some(path);
    }
    let autos: Vec<BackupFile> = list_backups(dir)?.into_iter().filter(|b| b.automatic).collect();
    let keep = retained(&autos.iter().map(|b| b.at_ms).collect::<Vec<_>>());
    for b in autos.into_iter().filter(|b| !keep.contains(&b.at_ms)) {
        std::fs::remove_file(&b.path).map_err(|e| io("remove the old backup", &b.path, e))?;
        report.pruned.push(b.path);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: &str, time: &str) -> i64 {
        chrono::NaiveDateTime::parse_from_str(&format!("{day} {time}"), "%Y-%m-%d %H:%M:%S")
            .map(|t| t.and_utc().timestamp_millis())
            .unwrap_or_default()
    }

    #[test]
    fn copies_cut_short_are_swept_once_an_hour_old_and_nothing_else() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| CoreError::Invalid(e.to_string()))?;
        let touch = |name: &str, age_secs: u64| -> std::io::Result<()> {
            let f = std::fs::File::create(dir.path().join(name))?;
            f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(age_secs))
        };
        let files = [
            ("wildroot-auto-20261201-090000.db.partial", 7200, false),
            ("wildroot-auto-20261201-090000.db.partial-journal", 7200, false),
            ("wildroot-auto-20261205-090000.db.partial", 60, true),
            ("monday.db.partial", 7200, true),
            ("wildroot-auto-20261130-090000.db", 7200, true),
        ];
        for (name, age, _) in files {
            touch(name, age).map_err(|e| io("write", dir.path(), e))?;
        }
        auto_backup_with(at("2026-12-05", "10:00:00"), dir.path(), |path| std::fs::write(path, b"").map_err(|e| io("write", path, e)))?;
        for (name, _, kept) in files {
            assert_eq!(dir.path().join(name).exists(), kept, "{name}");
        }
        Ok(())
    }

    #[test]
    fn seven_days_and_four_weeks_are_kept() {
        // Two backups a day for 60 days, ending Wednesday 2026-11-25.
        let mut stamps = Vec::new();
        let end = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        for back in 0..60 {
            let day = (end - chrono::Days::new(back)).format("%Y-%m-%d").to_string();
            stamps.push(at(&day, "08:00:00"));
            stamps.push(at(&day, "20:00:00"));
        }
        let mut keep = retained(&stamps);
        keep.sort_unstable();
        let days: Vec<String> = keep
            .iter()
            .filter_map(|&ms| chrono::DateTime::from_timestamp_millis(ms))
            .map(|t| t.format("%Y-%m-%d %H").to_string())
            .collect();
        assert_eq!(
            days,
            [
                // The newest of each of the last four ISO weeks (Monday to
                // Sunday): two are older than the days …
                "2026-11-08 20",
                "2026-11-15 20",
                // … and the newest of each of the last seven days, which are
                // also the newest of last week (the 22nd) and of this one.
                "2026-11-19 20",
                "2026-11-20 20",
                "2026-11-21 20",
                "2026-11-22 20",
                "2026-11-23 20",
                "2026-11-24 20",
                "2026-11-25 20",
            ]
        );
    }

    #[test]
    fn days_without_a_backup_do_not_count() {
        // A phone used once a week: each of those backups is a day worth keeping.
        let stamps: Vec<i64> = (0..10).map(|w| at("2026-11-25", "12:00:00") - w * 7 * 86_400_000).collect();
        assert_eq!(retained(&stamps).len(), KEEP_DAILY);
        assert_eq!(retained(&[]), Vec::<i64>::new());
    }
}
