//! `wildroot serve`, `server user add`, `login`, `sync`, `sync status`,
//! `server devices` and `server revoke` as a person would run them: real
//! processes, a server on 127.0.0.1, passwords on stdin.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_wildroot");

struct Served {
    child: Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &Path) -> Served {
    let mut child = Command::new(BIN)
        .args(["--db", db.to_str().unwrap(), "serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("the server exited before it listened").unwrap();
        if let Some(rest) = line.strip_prefix("Wildroot server on ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Served { child, url }
}

fn run(db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        input.write_all(s.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn ok(db: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let out = run(db, args, stdin);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn json(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(db, &all, None)).unwrap()
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
