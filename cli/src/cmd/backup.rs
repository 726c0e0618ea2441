//! Backups, automatic and by hand, and the doctor's checkup.
use super::*;
use wildroot_core::backup::Verdict;

#[derive(Subcommand)]
pub(crate) enum BackupCmd {
    /// Write a consistent copy (default: the data dir's backups/ folder).
    Create { path: Option<PathBuf> },
    /// Check a backup, then put it in place of the database (the old one is kept).
    Restore { path: PathBuf },
    /// Today's automatic backup, if not made yet, then prune the automatic
    /// ones to the last 7 days and 4 weeks (for cron; the app does it itself).
    Auto,
    /// The backups in the data dir's backups/ folder, newest first.
    List,
}

pub(crate) fn auto(store: &mut Store, path: &Path, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        let report = wildroot_core::backup::auto_backup(store, &wildroot_core::backup::backups_dir(path))?;
        if j {
            json(&report)?
        } else {
            let mut s = match &report.made {
                Some(p) => format!("Backed up to {}.\n", p.display()),
                None => "Today's backup is already made.\n".to_string(),
            };
            for p in &report.pruned {
                s.push_str(&format!("Removed the older automatic backup {}.\n", p.display()));
            }
            s
        }
    })
}

pub(crate) fn list(path: &Path, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        let list = wildroot_core::backup::list_backups(&wildroot_core::backup::backups_dir(path))?;
        if j {
            json(&serde_json::json!({ "backups": list }))?
        } else if list.is_empty() {
            "No backups yet: `wildroot backup create` makes one.\n".to_string()
        } else {
            let mut t = Table::new(&["made", "kind", "size", "file"]);
            for b in &list {
                t.row(vec![
                    when(b.at_ms),
                    if b.automatic { "daily" } else { "by hand" }.into(),
                    format!("{} KB", b.bytes.div_ceil(1024)),
                    b.path.display().to_string(),
                ]);
            }
            t.render(format)
        }
    })
}

pub(crate) fn create(store: &mut Store, path: &Path, to: Option<PathBuf>, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        let to = match to {
            Some(p) => p,
            None => wildroot_core::backup::backups_dir(path).join(format!("wildroot-{}.db", chrono::Utc::now().format("%Y%m%d-%H%M%S"))),
        };
        let mut shown = crate::progress::Progress::new(format);
        store.backup_with_progress(&to, &mut |done, total| shown.bar(done, total, "pages copied"))?;
        drop(shown);
        if j {
            json(&serde_json::json!({ "backup": to }))?
        } else {
            format!("Backed up to {}.\n", to.display())
        }
    })
}

pub(crate) fn doctor(store: &mut Store, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        let check = store.checkup()?;
        let skew = match store.sync_config()? {
            Some(cfg) => {
                let client = wildroot_core::sync::SyncClient::new(&cfg.server_url)?;
                runtime()?.block_on(client.server_time_ms()).ok().map(|server| store.now_ms() - server)
            }
            None => None,
        };
        let verdict = check.verdict(skew);
        let ok = verdict == Verdict::AllGood;
        let out = if j {
            json(&serde_json::json!({ "ok": ok, "checks": check, "clock_skew_ms": skew, "verdict": verdict }))?
        } else {
            let mut t = Table::new(&["check", "result"]);
            t.row(vec!["integrity".into(), check.integrity.clone()]);
            t.row(vec!["tables = replay of the log".into(), check.replay.clone().unwrap_or_else(|| "ok".into())]);
            t.row(vec!["running totals".into(), check.totals.clone().unwrap_or_else(|| "ok".into())]);
            t.row(vec!["the books balance".into(), check.books.clone().unwrap_or_else(|| "ok".into())]);
            t.row(vec![
                "stored clock".into(),
                check
                    .clock_ahead_ms
                    .map(|a| format!("{} minutes ahead of this device's clock: sync to stamp new work again", a / 60_000))
                    .unwrap_or_else(|| "ok".into()),
            ]);
            t.row(vec!["waiting to sync".into(), check.pending.to_string()]);
            t.row(vec!["refused by the server".into(), check.refused.to_string()]);
            t.row(vec![
                "clock against the server".into(),
                skew.map(|s| format!("{:+.1} s", s as f64 / 1000.0)).unwrap_or_else(|| "not checked (no server reachable)".into()),
            ]);
            let verdict = match verdict {
                Verdict::AllGood => "All good: the records are whole and consistent.\n",
                Verdict::ClockOff => "This device's clock is off by more than 5 minutes: set its date and time.\n",
                Verdict::ClockRanAhead => "This device's clock once ran ahead: sync, and what it has not sent is stamped again from now.\n",
                Verdict::BooksOff => "The records are whole, but the books do not balance (above): report it, with this database.\n",
                Verdict::Refused => "The records are whole, but the server refused some changes: see `wildroot sync status`.\n",
                Verdict::Damaged => "Something is wrong with this database: restore the latest backup (`wildroot backup restore FILE`) or log in again to rebuild it from the server.\n",
            };
            t.render(format) + verdict
        };
        if !ok {
            print!("{out}");
            std::process::exit(2);
        }
        out
    })
}
