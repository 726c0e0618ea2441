//! Emailed receipts (#25) as people use them: real `wildroot` processes, a
//! real `wildroot serve` and a real SMTP server (aiosmtpd) on 127.0.0.1.
//! A vendor's phone asks for a receipt while offline; once it syncs, the
//! server sends it exactly once, and the phone sees the status. A wrong
//! password is said in the status, the password never appears in what the
//! server writes, and a server killed after sending, or while sending,
//! does not send again. A shop with no server sends from the owner's device.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;

use fake_shopify::smtp::SmtpServer;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse 42";

fn path(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

fn serve(db: &Path, fault: bool) -> Served {
    let mut env = vec![("WILDROOT_MAIL_POLL_SECONDS", "1")];
    if fault {
        env.push(("WILDROOT_FAULT_AFTER_MAIL_SENT", "1"));
    }
    common::serve(db, "127.0.0.1:0", &env)
}

/// A server with an owner's laptop (the demo shop) and a vendor's phone
/// that has pulled it; the server's mail set to `password`.
fn shop(dir: &tempfile::TempDir, smtp: &SmtpServer, password: &str, fault: bool) -> (Served, PathBuf, PathBuf) {
    let (server_db, laptop, phone) = (path(dir, "server.db"), path(dir, "laptop.db"), path(dir, "phone.db"));
    let server = serve(&server_db, fault);
    ok(&server_db, &["server", "user", "add", "--email", "owner@shop.test", "--role", "owner"], Some("long enough pw\n"));
    ok(&server_db, &["server", "user", "add", "--email", "booth@shop.test", "--role", "vendor"], Some("booth password\n"));
    ok(&laptop, &["init", "--demo"], None);
    ok(&phone, &["init"], None);
    ok(&laptop, &["login", "--server", &server.url, "--email", "owner@shop.test", "--device", "Laptop"], Some("long enough pw\n"));
    ok(&phone, &["login", "--server", &server.url, "--email", "booth@shop.test", "--device", "Booth"], Some("booth password\n"));
    set_mail(&server_db, smtp, password);
    (server, laptop, phone)
}

fn set_mail(server_db: &Path, smtp: &SmtpServer, password: &str) {
    let file = server_db.with_file_name("mail-password");
    std::fs::write(&file, format!("{password}\n")).unwrap();
    let out = ok(
        server_db,
        &["server", "mail", "--smtp", &smtp.address(), "--user", "shop@example.com", "--password-file", file.to_str().unwrap(), "--plain"],
        None,
    );
    assert!(out.contains("shop@example.com") && !out.contains(password), "{out}");
}

/// A sale made on the phone, offline, and its receipt asked for by email.
fn sell_and_ask(phone: &Path, to: &str) -> (String, i64, String) {
    let products = json(phone, &["product", "list"]);
    let sku = products["products"][0]["sku"].as_str().unwrap().to_string();
    let sale = json(phone, &["sell", "--line", &format!("{sku}=2"), "--pay", "cash=500"]);
    let receipt = sale["receipt_no"].as_str().unwrap().to_string();
    let asked = json(phone, &["receipt", &receipt, "--email", to]);
    assert_eq!(asked["status"], "queued", "{asked}");
    (receipt, sale["total_cents"].as_i64().unwrap(), asked["request"].as_str().unwrap().to_string())
}

/// Syncs the phone until its status for `request` is `want`.
fn wait_status(phone: &Path, request: &str, want: &str) -> Value {
    let start = Instant::now();
    loop {
        let _ = run(phone, &["sync"], None);
        let all = json(phone, &["receipt", "status"]);
        let email = all["emails"].as_array().unwrap().iter().find(|e| e["request"] == request).cloned().unwrap();
        if email["status"] == want {
            return email;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "still {email} after 30 s, want {want}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn wait_messages(smtp: &SmtpServer, n: usize) -> Vec<String> {
    let start = Instant::now();
    while smtp.messages().len() < n {
        assert!(start.elapsed() < Duration::from_secs(30), "{} message(s) after 30 s, want {n}", smtp.messages().len());
        std::thread::sleep(Duration::from_millis(200));
    }
    smtp.messages()
}

fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[test]
fn a_receipt_asked_for_offline_is_emailed_once_after_sync_and_a_wrong_password_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpServer::start(&path(&dir, "mail"), "shop@example.com", PASSWORD, None).expect("the SMTP server");
    let (server, laptop, phone) = shop(&dir, &smtp, "not the password", false);
    json(&laptop, &["sync"]);
    json(&phone, &["sync"]);
    let (receipt, total, request) = sell_and_ask(&phone, "Ann@Example.com");
    let status = json(&phone, &["receipt", "status"]);
    assert_eq!(status["emails"][0]["status"], "queued");

    // Synced: the server tries, the mail server refuses the login, the phone learns why.
    let failed = wait_status(&phone, &request, "failed");
    assert!(failed["reason"].as_str().unwrap().contains("refused the login"), "{failed}");
    assert!(smtp.messages().is_empty());
    let said = ok(&phone, &["receipt", "status"], None);
    assert!(said.contains("failed") && said.contains(&receipt), "{said}");

    // The owner sets the right password on the server: sent once.
    set_mail(&path(&dir, "server.db"), &smtp, PASSWORD);
    let messages = wait_messages(&smtp, 1);
    assert!(messages[0].contains("X-Rcpt-To: ann@example.com"), "{}", messages[0]);
    assert!(messages[0].contains(&receipt) && messages[0].contains(&money(total)), "{}", messages[0]);
    let sent = wait_status(&phone, &request, "sent");
    assert!(sent["reason"].is_null(), "{sent}");
    // The laptop sees it too; more syncs and runs send nothing more.
    json(&laptop, &["sync"]);
    assert_eq!(json(&laptop, &["receipt", "status"])["emails"][0]["status"], "sent");
    std::thread::sleep(Duration::from_secs(3));
    json(&phone, &["sync"]);
    assert_eq!(smtp.messages().len(), 1);

    // A vendor's phone never holds the mail password.
    let out =
        run(&phone, &["settings", "mail", "--smtp", &smtp.address(), "--user", "x@example.com", "--password-file", "/dev/null"], None);
    assert!(!out.status.success());
    // The password is nowhere in the clear: not in the server's log, not in its database.
    let log = server.log.lock().unwrap().clone();
    assert!(!log.contains(PASSWORD) && !log.contains("not the password"), "{log}");
    drop(server);
    for f in ["server.db", "server.db-wal"] {
        let bytes = std::fs::read(path(&dir, f)).unwrap_or_default();
        assert!(!bytes.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()), "the password is in {f}");
    }
}

#[test]
fn a_server_killed_after_sending_or_while_sending_does_not_send_again() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpServer::start(&path(&dir, "mail"), "shop@example.com", PASSWORD, None).expect("the SMTP server");
    // The server stops dead after the mail server took the email, before it recorded so.
    let (mut server, laptop, phone) = shop(&dir, &smtp, PASSWORD, true);
    json(&laptop, &["sync"]);
    json(&phone, &["sync"]);
    let (_, _, request) = sell_and_ask(&phone, "bo@example.com");
    let _ = run(&phone, &["sync"], None);
    wait_messages(&smtp, 1);
    let start = Instant::now();
    while server.child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(30), "the server did not stop at the fault");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Started again: it finds "sent" in its send log, records it, sends nothing.
    let url = server.url.clone();
    drop(server);
    let server = common::serve(&path(&dir, "server.db"), url.trim_start_matches("http://"), &[("WILDROOT_MAIL_POLL_SECONDS", "1")]);
    wait_status(&phone, &request, "sent");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(smtp.messages().len(), 1, "sent twice");
    drop(server);

    // Killed by the mail server itself while it was being asked (SIGKILL
    // before the answer): it may have arrived, so it is said, not sent again.
    let pid_file = path(&dir, "server.pid");
    let killer = SmtpServer::start(&path(&dir, "mail2"), "shop@example.com", PASSWORD, Some(&pid_file)).expect("the SMTP server");
    set_mail(&path(&dir, "server.db"), &killer, PASSWORD);
    let server = common::serve(&path(&dir, "server.db"), url.trim_start_matches("http://"), &[("WILDROOT_MAIL_POLL_SECONDS", "1")]);
    std::fs::write(&pid_file, server.child.id().to_string()).unwrap();
    let (_, _, request) = sell_and_ask(&phone, "cy@example.com");
    let _ = run(&phone, &["sync"], None);
    wait_messages(&killer, 1);
    drop(server);
    let _server = common::serve(&path(&dir, "server.db"), url.trim_start_matches("http://"), &[("WILDROOT_MAIL_POLL_SECONDS", "1")]);
    let said = wait_status(&phone, &request, "failed");
    assert!(said["reason"].as_str().unwrap().contains("may or may not have arrived"), "{said}");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(killer.messages().len(), 1, "sent twice");
}

#[test]
fn a_shop_with_no_server_sends_from_the_owners_device() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpServer::start(&path(&dir, "mail"), "shop@example.com", PASSWORD, None).expect("the SMTP server");
    let db = path(&dir, "shop.db");
    ok(&db, &["init", "--demo"], None);
    let (receipt, total, request) = sell_and_ask(&db, "dee@example.com");
    let pw = path(&dir, "pw");
    // STARTTLS asked of a server that does not offer it: said, nothing sent in the clear.
    std::fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    ok(&db, &["settings", "mail", "--smtp", &smtp.address(), "--user", "shop@example.com", "--password-file", pw.to_str().unwrap()], None);
    ok(&db, &["receipt", "send"], None);
    let status = json(&db, &["receipt", "status"]);
    assert!(status["emails"][0]["reason"].as_str().unwrap().contains("secure connection"), "{status}");
    assert!(smtp.messages().is_empty());
    std::fs::write(&pw, "wrong one\n").unwrap();
    let args =
        ["settings", "mail", "--smtp", &smtp.address(), "--user", "shop@example.com", "--password-file", pw.to_str().unwrap(), "--plain"];
    ok(&db, &args, None);
    let out = run(&db, &["receipt", "send"], None);
    assert!(out.status.success());
    let status = json(&db, &["receipt", "status"]);
    assert_eq!(status["emails"][0]["status"], "failed");
    assert!(status["emails"][0]["reason"].as_str().unwrap().contains("refused the login"), "{status}");
    std::fs::write(&pw, format!("{PASSWORD}\n")).unwrap();
    ok(&db, &args, None);
    assert_eq!(json(&db, &["receipt", "send"])["sent"], 1);
    assert_eq!(json(&db, &["receipt", "send"])["sent"], 0);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains(&receipt) && messages[0].contains(&money(total)));
    let emails = json(&db, &["receipt", "status"]);
    assert_eq!((emails["emails"][0]["request"].as_str(), emails["emails"][0]["status"].as_str()), (Some(request.as_str()), Some("sent")));
    // Online now: asking again sends at once.
    let again = json(&db, &["receipt", &receipt, "--email", "dee@example.com"]);
    assert_eq!(again["status"], "sent");
    assert_eq!(smtp.messages().len(), 2);
    // Bad input: one sentence that says what to fix; nothing recorded.
    let bad = run(&db, &["receipt", &receipt, "--email", "dee@example.com, eve@example.com"], None);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not an email address"), "{}", String::from_utf8_lossy(&bad.stderr));
    assert_eq!(json(&db, &["receipt", "status"])["emails"].as_array().unwrap().len(), 2);
}
