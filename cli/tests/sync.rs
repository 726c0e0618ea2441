//! `wildroot serve`, `server user add`, `login`, `sync`, `sync status`,
//! `server devices` and `server revoke` as a person would run them: real
//! processes, a server on 127.0.0.1, passwords on stdin.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn serve(db: &Path) -> Served {
    serve_at(db, "127.0.0.1:0")
}

fn serve_at(db: &Path, listen: &str) -> Served {
    common::serve(db, listen, &[])
}

fn path(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

#[test]
fn a_shop_syncs_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (server_db, laptop, phone) = (path(&dir, "server.db"), path(&dir, "laptop.db"), path(&dir, "phone.db"));
    let server = serve(&server_db);
    ok(&server_db, &["server", "user", "add", "--email", "owner@shop.test", "--role", "owner"], Some("long enough pw\n"));
    ok(&server_db, &["server", "user", "add", "--email", "booth@shop.test", "--role", "vendor"], Some("booth password\n"));
    let short = run(&server_db, &["server", "user", "add", "--email", "x@shop.test", "--role", "vendor"], Some("short\n"));
    assert!(String::from_utf8_lossy(&short.stderr).contains("shorter than 8"));

    ok(&laptop, &["init", "--demo"], None);
    ok(&laptop, &["login", "--server", &server.url, "--email", "owner@shop.test", "--device", "Laptop"], Some("long enough pw\n"));
    ok(&phone, &["init"], None);
    let bad = run(&phone, &["login", "--server", &server.url, "--email", "booth@shop.test"], Some("wrong\n"));
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("wrong email or password"));
    ok(&phone, &["login", "--server", &server.url, "--email", "booth@shop.test", "--device", "Booth"], Some("booth password\n"));

    let stock = |db: &Path| -> i64 { json(db, &["product", "show", "SOAP-OAT"])["products"][0]["on_hand"].as_i64().unwrap() };
    let before = stock(&phone);
    assert_eq!(before, stock(&laptop), "the phone bootstrapped the laptop's shop");
    ok(&phone, &["sell", "--line", "SOAP-OAT=2", "--pay", "cash=20"], None);
    let refused = run(&phone, &["product", "edit", "SOAP-OAT", "--price", "1"], None);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("a vendor may not edit products"));
    let report = json(&phone, &["sync"]);
    assert_eq!(report["pushed"], 1);
    json(&laptop, &["sync"]);
    assert_eq!(stock(&laptop), before - 2);
    let status = json(&laptop, &["sync", "status"]);
    assert_eq!(status["state"], "synced");
    assert_eq!(status["pending"], 0);

    let devices = json(&server_db, &["server", "devices"]);
    let booth =
        devices["devices"].as_array().unwrap().iter().find(|d| d["name"] == "Booth").unwrap()["device_id"].as_str().unwrap().to_string();
    ok(&server_db, &["server", "revoke", &booth[..13]], None);
    let after = run(&phone, &["sync"], None);
    assert!(!after.status.success());
    assert!(String::from_utf8_lossy(&after.stderr).contains("revoked"), "{}", String::from_utf8_lossy(&after.stderr));
    assert_eq!(json(&phone, &["sync", "status"])["state"], "offline");
}

#[test]
fn sync_without_a_server_says_how_to_connect() {
    let dir = tempfile::tempdir().unwrap();
    let db = path(&dir, "shop.db");
    ok(&db, &["init"], None);
    let out = run(&db, &["sync"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("wildroot login --server"));
    let out = run(&db, &["login", "--server", "localhost:1", "--email", "a@b.c"], Some("pw\n"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a server address"));
    let out = run(Path::new("/nonexistent/x.db"), &["server", "devices"], None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no server database"));
}

/// SIGTERM (systemd's stop, `docker stop`) while a device's push is on the
/// wire: the server takes no new connection but finishes that push, then
/// exits cleanly; the device finds everything stored.
#[test]
fn a_push_in_flight_finishes_when_the_server_is_told_to_stop() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let (server_db, shop) = (path(&dir, "server.db"), path(&dir, "shop.db"));
    let mut server = serve(&server_db);
    ok(&server_db, &["server", "user", "add", "--email", "owner@shop.test", "--role", "owner"], Some("long enough pw\n"));
    ok(&shop, &["init", "--demo"], None);
    ok(&shop, &["login", "--server", &server.url, "--email", "owner@shop.test", "--device", "Till"], Some("long enough pw\n"));
    for _ in 0..20 {
        ok(&shop, &["sell", "--line", "SOAP-OAT=1", "--pay", "cash=20"], None);
    }
    let (token, ops) = {
        let store = wildroot_core::Store::open(&shop).unwrap();
        (store.sync_config().unwrap().unwrap().device_token, store.pending_ops(1000).unwrap())
    };
    assert!(ops.len() >= 20, "{}", ops.len());
    let body =
        serde_json::to_vec(&wildroot_model::sync::PushRequest { protocol: wildroot_model::sync::PROTOCOL_VERSION, ops: ops.clone() })
            .unwrap();
    let addr = server.url.trim_start_matches("http://").to_string();
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        conn,
        "POST /api/v1/sync/push HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    conn.write_all(first).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(&addr).is_ok() {
        assert!(std::time::Instant::now() < deadline, "a stopping server still takes new connections");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    conn.write_all(rest).unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (_, json_body) = answer.split_once("\r\n\r\n").unwrap();
    let resp: Value = serde_json::from_str(json_body).unwrap();
    assert_eq!(resp["acked"].as_array().map(Vec::len), Some(ops.len()), "{resp}");
    let status = server.child.wait().unwrap();
    assert!(status.success(), "the server stopped with {status}");

    // Started again, it has every operation: the device's next sync pushes nothing new.
    let again = serve_at(&server_db, &addr);
    ok(&shop, &["sync"], None);
    assert_eq!(json(&shop, &["sync", "status"])["pending"], 0);
    assert!(ok(&shop, &["doctor"], None).contains("All good"));
    drop(again);
}

/// A server with an owner and a vendor; the owner's laptop with the demo
/// shop and the vendor's booth phone, both logged in.
struct Shop {
    dir: tempfile::TempDir,
    server: Served,
    server_db: PathBuf,
    laptop: PathBuf,
    phone: PathBuf,
}

fn owner_laptop_and_booth_phone() -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let (server_db, laptop, phone) = (path(&dir, "server.db"), path(&dir, "laptop.db"), path(&dir, "phone.db"));
    let server = serve(&server_db);
    ok(&server_db, &["server", "user", "add", "--email", "owner@shop.test", "--role", "owner"], Some("long enough pw\n"));
    ok(&server_db, &["server", "user", "add", "--email", "booth@shop.test", "--role", "vendor"], Some("booth password\n"));
    ok(&laptop, &["init", "--demo"], None);
    ok(&laptop, &["login", "--server", &server.url, "--email", "owner@shop.test", "--device", "Laptop"], Some("long enough pw\n"));
    ok(&phone, &["init"], None);
    ok(&phone, &["login", "--server", &server.url, "--email", "booth@shop.test", "--device", "Booth"], Some("booth password\n"));
    Shop { dir, server, server_db, laptop, phone }
}

/// The phone went in the creek: its database file is gone. A new phone
/// (or the same one, reinstalled) logs in and gets every synced sale,
/// customer and count back from the server.
#[test]
fn a_lost_device_comes_back_whole_from_the_server() {
    let Shop { dir: _dir, server, server_db: _, laptop, phone } = owner_laptop_and_booth_phone();
    ok(&phone, &["customer", "add", "--name", "Ana Silva", "--email", "ana@example.com"], None);
    for _ in 0..3 {
        ok(&phone, &["sell", "--line", "SOAP-OAT=1", "--pay", "cash=20", "--customer", "ana@example.com"], None);
    }
    ok(&phone, &["sync"], None);
    let before = json(&phone, &["stock"]);
    let history = json(&phone, &["customer", "show", "ana@example.com"]);

    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", phone.display()));
    }
    assert!(!phone.exists());
    ok(&phone, &["init"], None);
    ok(&phone, &["login", "--server", &server.url, "--email", "booth@shop.test", "--device", "Booth (new)"], Some("booth password\n"));
    ok(&phone, &["sync"], None);
    assert_eq!(json(&phone, &["stock"]), before, "every count came back");
    assert_eq!(json(&phone, &["customer", "show", "ana@example.com"]), history, "the customer and her purchases came back");
    assert_eq!(json(&phone, &["sync", "status"])["pending"], 0);
    assert!(ok(&phone, &["doctor"], None).contains("All good"));
    // And it sells on, in a receipt series of its own.
    ok(&phone, &["sell", "--line", "SOAP-OAT=1", "--pay", "cash=20"], None);
    ok(&phone, &["sync"], None);
    json(&laptop, &["sync"]);
    assert_eq!(json(&laptop, &["stock"]), json(&phone, &["stock"]));
}

/// The network never came back before the phone died: its unsynced sales
/// go by file to the laptop (to see them now) and to the server; importing
/// the file again anywhere changes nothing.
#[test]
fn unsynced_sales_travel_by_file_and_count_once() {
    let Shop { dir, server, server_db, laptop, phone } = owner_laptop_and_booth_phone();
    let stock = |db: &Path| -> i64 { json(db, &["product", "show", "SOAP-OAT"])["products"][0]["on_hand"].as_i64().unwrap() };
    let before = stock(&laptop);
    for _ in 0..3 {
        ok(&phone, &["sell", "--line", "SOAP-OAT=1", "--pay", "cash=20"], None);
    }
    let file = path(&dir, "booth-unsynced.json");
    let exported = json(&phone, &["sync", "export", file.to_str().unwrap()]);
    assert_eq!(exported["operations"], 3);
    assert!(String::from_utf8_lossy(&run(&phone, &["sync", "export", file.to_str().unwrap()], None).stderr).contains("already exists"));

    // On the laptop: the sales show at once; a second import changes nothing.
    assert_eq!(json(&laptop, &["sync", "import", file.to_str().unwrap()])["applied"], 3);
    assert_eq!(stock(&laptop), before - 3);
    let tables = wildroot_core::oplog::dump_tables(wildroot_core::Store::open(&laptop).unwrap().conn()).unwrap();
    assert_eq!(json(&laptop, &["sync", "import", file.to_str().unwrap()])["applied"], 0);
    assert_eq!(wildroot_core::oplog::dump_tables(wildroot_core::Store::open(&laptop).unwrap().conn()).unwrap(), tables);
    assert!(String::from_utf8_lossy(&run(&phone, &["sync", "import", file.to_str().unwrap()], None).stderr)
        .contains("exported from this device"));

    // On the server, twice: stored once.
    let first = json(&server_db, &["server", "import-ops", file.to_str().unwrap()]);
    assert_eq!(first["stored"], 3);
    let again = json(&server_db, &["server", "import-ops", file.to_str().unwrap()]);
    assert_eq!(again["stored"], 3, "the same operations are acknowledged again, not stored twice");
    let junk = path(&dir, "junk.json");
    std::fs::write(&junk, b"{\"ops\": []}").unwrap();
    let refused = run(&server_db, &["server", "import-ops", junk.to_str().unwrap()], None);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a Wildroot operations file"));

    // Everyone agrees after syncing: the laptop (which had them from the
    // file), a brand-new device, and the phone itself if it ever comes back.
    ok(&laptop, &["sync"], None);
    let spare = path(&dir, "spare.db");
    ok(&spare, &["init"], None);
    ok(&spare, &["login", "--server", &server.url, "--email", "owner@shop.test", "--device", "Spare"], Some("long enough pw\n"));
    ok(&spare, &["sync"], None);
    ok(&phone, &["sync"], None);
    for db in [&laptop, &spare, &phone] {
        assert_eq!(stock(db), before - 3);
        assert_eq!(json(db, &["sync", "status"])["pending"], 0);
        assert!(ok(db, &["doctor"], None).contains("All good"));
    }
}

/// Every receipt of every sale the laptop knows, sorted.
fn receipts(db: &Path) -> Vec<String> {
    let store = wildroot_core::Store::open(db).unwrap();
    let mut r: Vec<String> = store.recent_sales(None, 1000).unwrap().into_iter().map(|s| s.receipt_no).collect();
    r.sort();
    r
}

/// The steps: a booth restored from its own backup keeps every
/// sale made after it, numbers its next sale past them, and syncs clean.
#[test]
fn a_device_restored_from_its_own_backup_loses_no_sale() {
    let Shop { dir, server: _server, server_db: _, laptop, phone } = owner_laptop_and_booth_phone();
    ok(&laptop, &["sync"], None);
    ok(&phone, &["sync"], None);
    let sell = |db: &Path| json(db, &["sell", "--line", "SOAP-OAT=1", "--pay", "cash=20"])["receipt_no"].as_str().unwrap().to_string();
    let mut made = vec![sell(&phone), sell(&phone)];
    ok(&phone, &["sync"], None);
    let backup = path(&dir, "phone-backup.db");
    ok(&phone, &["backup", "create", backup.to_str().unwrap()], None);
    let token = wildroot_core::Store::open(&phone).unwrap().sync_config().unwrap().unwrap().device_token;
    let bytes = std::fs::read(&backup).unwrap();
    assert!(!token.is_empty() && !bytes.windows(token.len()).any(|w| w == token.as_bytes()), "the backup holds the device's sign-in");
    made.extend([sell(&phone), sell(&phone), sell(&phone)]);
    ok(&phone, &["sync"], None);
    let restored = json(&phone, &["backup", "restore", backup.to_str().unwrap()]);
    assert_eq!(restored["recovered_sales"], 3, "{restored}");
    let next = sell(&phone);
    assert!(!made.contains(&next), "receipt {next} was already used");
    made.push(next);
    let report = json(&phone, &["sync"]);
    assert_eq!(report["refused"].as_array().map(Vec::len), Some(0), "{report}");
    ok(&laptop, &["sync"], None);
    made.sort();
    assert_eq!(receipts(&phone), receipts(&laptop));
    for r in &made {
        assert!(receipts(&laptop).contains(r), "sale {r} is missing on the laptop");
    }
    assert!(ok(&phone, &["doctor"], None).contains("All good"));
    assert!(ok(&laptop, &["doctor"], None).contains("All good"));
}

/// The sign-in is sealed in the live database too: neither the database
/// nor its log holds it in the clear, and a copy of the database carried
/// away without the key file beside it asks to sign in again.
#[test]
fn the_device_sign_in_is_sealed_at_rest() {
    let Shop { dir, server: _server, server_db: _, laptop: _, phone } = owner_laptop_and_booth_phone();
    ok(&phone, &["sync"], None);
    let token = wildroot_core::Store::open(&phone).unwrap().sync_config().unwrap().unwrap().device_token;
    assert!(token.len() > 16, "the phone has no sign-in");
    for file in [phone.clone(), phone.with_extension("db-wal")] {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()), "{} holds the device's sign-in", file.display());
    }
    let copy = path(&dir, "carried.db");
    wildroot_core::Store::open(&phone).unwrap().conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    std::fs::copy(&phone, &copy).unwrap();
    let out = run(&copy, &["sync"], None);
    assert!(!out.status.success(), "a copy without the key signed in");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("sign in to"), "{said}");
    ok(&phone, &["sync"], None);
}

/// The phone's database is gone and only an old backup is left: restored
/// onto a new file, it sells before it syncs (numbers the server already
/// has) or syncs first; either way every sale ends on every device once.
#[test]
fn a_device_restored_from_an_old_backup_alone_renumbers_and_loses_nothing() {
    for sell_first in [true, false] {
        let Shop { dir, server, server_db: _, laptop, phone } = owner_laptop_and_booth_phone();
        ok(&phone, &["sync"], None);
        let sell = |db: &Path| json(db, &["sell", "--line", "SOAP-OAT=1", "--pay", "cash=20"])["receipt_no"].as_str().unwrap().to_string();
        let mut made = vec![sell(&phone)];
        ok(&phone, &["sync"], None);
        let backup = path(&dir, "phone-backup.db");
        ok(&phone, &["backup", "create", backup.to_str().unwrap()], None);
        made.extend([sell(&phone), sell(&phone)]);
        ok(&phone, &["sync"], None);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", phone.display()));
        }
        ok(&phone, &["backup", "restore", backup.to_str().unwrap()], None);
        // A backup keeps no sign-in: a copy of it must not sign in as the phone.
        let refused = run(&phone, &["sync"], None);
        assert!(String::from_utf8_lossy(&refused.stderr).contains("sign in"), "{}", String::from_utf8_lossy(&refused.stderr));
        if sell_first {
            made.push(sell(&phone));
        }
        ok(&phone, &["login", "--server", &server.url, "--email", "booth@shop.test", "--device", "Booth"], Some("booth password\n"));
        if sell_first {
            ok(&phone, &["sync"], None);
        } else {
            ok(&phone, &["sync"], None);
            let next = sell(&phone);
            assert!(!made.contains(&next), "receipt {next} was already used");
            made.push(next);
            ok(&phone, &["sync"], None);
        }
        ok(&laptop, &["sync"], None);
        let status = json(&phone, &["sync", "status"]);
        assert_eq!((status["pending"].as_i64(), status["refused"].as_array().map(Vec::len)), (Some(0), Some(0)), "{status}");
        let on_laptop = wildroot_core::Store::open(&laptop).unwrap().recent_sales(None, 1000).unwrap().len();
        let on_phone = wildroot_core::Store::open(&phone).unwrap().recent_sales(None, 1000).unwrap().len();
        assert_eq!(on_laptop, on_phone, "sell first: {sell_first}");
        for r in &made {
            assert!(receipts(&laptop).contains(r), "sale {r} is missing (sell first: {sell_first})");
        }
        assert!(ok(&phone, &["doctor"], None).contains("All good"), "sell first: {sell_first}");
    }
}

/// The README's server recovery: `server backup`, then, the server
/// stopped, `server backup restore` and start it. Devices that synced in
/// between send again what the backup lacks; no sale is lost.
#[test]
fn a_server_put_back_to_its_backup_gets_every_sale_back_from_the_devices() {
    let Shop { dir, server, server_db, laptop, phone } = owner_laptop_and_booth_phone();
    ok(&laptop, &["sync"], None);
    ok(&phone, &["sync"], None);
    let backup = path(&dir, "server-backup.db");
    ok(&server_db, &["server", "backup", backup.to_str().unwrap()], None);
    let sell = |db: &Path| json(db, &["sell", "--line", "SOAP-OAT=1", "--pay", "cash=20"])["receipt_no"].as_str().unwrap().to_string();
    let mut made: Vec<String> = (0..3).map(|_| sell(&laptop)).collect();
    ok(&laptop, &["sync"], None);
    made.extend((0..2).map(|_| sell(&phone)));
    ok(&phone, &["sync"], None);

    let addr = server.url.trim_start_matches("http://").to_string();
    let mut server = server;
    assert!(Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().unwrap().success());
    assert!(server.child.wait().unwrap().success());
    let restored = json(&server_db, &["server", "backup", "restore", backup.to_str().unwrap()]);
    assert!(restored["epoch"].is_string(), "{restored}");
    let _again = serve_at(&server_db, &addr);

    made.push(sell(&laptop));
    assert_eq!(json(&laptop, &["sync"])["server_restored"], true);
    assert_eq!(json(&phone, &["sync"])["server_restored"], true);
    ok(&laptop, &["sync"], None);
    for db in [&laptop, &phone] {
        let have = receipts(db);
        for r in &made {
            assert!(have.contains(r), "sale {r} is missing on {}", db.display());
        }
        assert_eq!(json(db, &["sync", "status"])["pending"], 0);
        assert!(ok(db, &["doctor"], None).contains("All good"));
    }
    assert_eq!(receipts(&laptop), receipts(&phone));
}
