//! `wildroot backup create | restore | auto | list` and `wildroot doctor` on real files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wildroot")).arg("--db").arg(db).args(args).env_remove("WILDROOT_DB").output().unwrap()
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn on_hand(db: &Path, sku: &str) -> i64 {
    let v: serde_json::Value = serde_json::from_str(&ok(db, &["--json", "product", "show", sku])).unwrap();
    v["products"][0]["on_hand"].as_i64().unwrap()
}

#[test]
fn a_backup_restores_the_shop_as_it_was_and_keeps_what_it_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (db, backup) = (dir.path().join("shop.db"), dir.path().join("monday.db"));
    ok(&db, &["init", "--demo"]);
    let before = on_hand(&db, "SOAP-OAT");
    ok(&db, &["backup", "create", backup.to_str().unwrap()]);
    let again = run(&db, &["backup", "create", backup.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    ok(&db, &["sell", "--line", "SOAP-OAT=5", "--pay", "cash=50"]);
    assert_eq!(on_hand(&db, "SOAP-OAT"), before - 5);

    let restored: serde_json::Value = serde_json::from_str(&ok(&db, &["--json", "backup", "restore", backup.to_str().unwrap()])).unwrap();
    // A restore never loses a sale: the one made after the backup came back.
    assert_eq!(restored["recovered_sales"], 1, "{restored}");
    assert_eq!(on_hand(&db, "SOAP-OAT"), before - 5);
    let kept = Path::new(restored["kept"].as_str().unwrap());
    assert_eq!(on_hand(kept, "SOAP-OAT"), before - 5, "the replaced store is kept whole");
    // Restored where nothing was (a new phone): only the backup's shop.
    let fresh = dir.path().join("new-phone.db");
    ok(&fresh, &["backup", "restore", backup.to_str().unwrap()]);
    assert_eq!(on_hand(&fresh, "SOAP-OAT"), before);
    let doctor: serde_json::Value = serde_json::from_str(&ok(&db, &["--json", "doctor"])).unwrap();
    assert_eq!(doctor["ok"], true);
}

#[test]
fn a_bad_backup_is_refused_and_a_damaged_store_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok(&db, &["init", "--demo"]);
    let before = on_hand(&db, "SOAP-OAT");
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let out = run(&db, &["backup", "restore", junk.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Wildroot backup"));
    assert_eq!(on_hand(&db, "SOAP-OAT"), before, "a refused restore changes nothing");

    // Damage a copy in the middle of its pages.
    let damaged = dir.path().join("damaged.db");
    ok(&db, &["backup", "create", damaged.to_str().unwrap()]);
    let mut bytes = std::fs::read(&damaged).unwrap();
    for b in bytes.iter_mut().skip(4096 * 3 + 100).take(3000) {
        *b = 0xff;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    let out = run(&damaged, &["doctor"]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Something is wrong with this database"), "{text}");
    assert!(text.lines().count() < 15, "a short report, not thousands of lines: {text}");
    let out = run(&db, &["backup", "restore", damaged.to_str().unwrap()]);
    assert!(!out.status.success(), "a damaged backup must not replace the store");
    assert_eq!(on_hand(&db, "SOAP-OAT"), before);
}

#[test]
fn the_daily_backup_is_made_once_a_day_and_listed_beside_hand_made_ones() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok(&db, &["init", "--demo"]);
    assert!(ok(&db, &["backup", "list"]).contains("No backups yet"));
    let first: serde_json::Value = serde_json::from_str(&ok(&db, &["--json", "backup", "auto"])).unwrap();
    let made = first["made"].as_str().unwrap().to_string();
    assert!(made.contains("backups/wildroot-auto-"), "{made}");
    assert!(ok(&db, &["backup", "auto"]).contains("already made"));
    ok(&db, &["backup", "create"]);
    let list: serde_json::Value = serde_json::from_str(&ok(&db, &["--json", "backup", "list"])).unwrap();
    let list = list["backups"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|b| b["automatic"] == true).count(), 1);
    assert!(list.iter().any(|b| b["path"] == made.as_str()));
    // What is listed restores.
    ok(&db, &["backup", "restore", &made]);
    assert!(ok(&db, &["doctor"]).contains("All good"));
}

/// A backup and a restore show their progress on a terminal (stderr), and
/// nothing of it reaches a pipe or `--json` (#26).
#[test]
fn backup_and_restore_show_progress_only_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok(&db, &["init", "--demo"]);
    let copy = dir.path().join("copy.db");
    let shown = common::on_terminal(&db, &["backup", "create", copy.to_str().unwrap()]).output().unwrap();
    assert!(shown.status.success(), "{shown:?}");
    let screen = String::from_utf8_lossy(&shown.stdout);
    assert!(screen.contains("pages copied") && screen.contains("Backed up to"), "{screen}");
    let shown = common::on_terminal(&db, &["backup", "restore", copy.to_str().unwrap()]).output().unwrap();
    let screen = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.status.success() && screen.contains("Restoring: checking the backup"), "{screen}");

    let piped = run(&db, &["backup", "create", dir.path().join("copy2.db").to_str().unwrap()]);
    assert!(piped.status.success());
    assert!(String::from_utf8_lossy(&piped.stderr).is_empty(), "a pipe got progress: {}", String::from_utf8_lossy(&piped.stderr));
    let piped = run(&db, &["backup", "restore", copy.to_str().unwrap()]);
    assert!(piped.status.success());
    assert!(!String::from_utf8_lossy(&piped.stderr).contains("Restoring"), "a pipe got progress");
    let shown = common::on_terminal(&db, &["--json", "backup", "create", dir.path().join("copy3.db").to_str().unwrap()]).output().unwrap();
    let screen = String::from_utf8_lossy(&shown.stdout);
    assert!(!screen.contains("pages copied") && screen.contains("\"backup\""), "--json drew progress: {screen}");
}

/// A backup cut short, here by a file size limit standing in for a full
/// disk (SIGXFSZ ignored, so the write fails instead of killing), leaves
/// nothing under the backup's name: no part of a copy that a restore or
/// the day's backup would take for whole, and the name free to try again.
/// A restore cut short leaves the shop as it was.
#[test]
fn a_backup_or_restore_cut_short_by_a_full_disk_leaves_nothing_half_done() {
    let dir = tempfile::tempdir().unwrap();
    let (db, backup) = (dir.path().join("shop.db"), dir.path().join("friday.db"));
    ok(&db, &["init", "--demo"]);
    let half_kib = std::fs::metadata(&db).unwrap().len() / 1024 / 2;
    let limited = |args: &[&str]| {
        Command::new("sh")
            .arg("-c")
            .arg(format!("trap '' XFSZ; ulimit -f {half_kib}; exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_wildroot"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env_remove("WILDROOT_DB")
            .output()
            .unwrap()
    };
    let starting = |prefix: &str| -> Vec<String> {
        std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(prefix))
            .collect()
    };
    let out = limited(&["backup", "create", backup.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the copy should not fit in {half_kib} KiB");
    assert!(stderr.starts_with("error: ") && stderr.contains("nothing was saved"), "{stderr}");
    assert!(starting("friday").is_empty(), "a failed backup left {:?}", starting("friday"));
    ok(&db, &["backup", "create", backup.to_str().unwrap()]);
    ok(&backup, &["doctor"]);

    // A restore cut short the same way leaves the shop as it was, and no
    // half-copied backup beside it.
    ok(&db, &["sell", "--line", "SOAP-OAT=1", "--pay", "cash=50"]);
    let before = on_hand(&db, "SOAP-OAT");
    let out = limited(&["backup", "restore", backup.to_str().unwrap()]);
    assert!(!out.status.success(), "the restore should not fit in {half_kib} KiB");
    assert_eq!(starting("shop"), ["shop.db"], "a failed restore left files beside the shop");
    assert_eq!(on_hand(&db, "SOAP-OAT"), before);
    ok(&db, &["doctor"]);
}
