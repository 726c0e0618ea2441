//! The server emails receipts (#25), told to each backend: a request a
//! booth recorded offline reaches the server, a wrong password is reported
//! with the mail server's reason (and the password is nowhere in the
//! clear), the right one sends it once to a real SMTP server on 127.0.0.1,
//! and a server that stopped after sending (its send log says "sent") or
//! while sending (it says "sending") never sends it again.
//!
//! SQLite always runs; PostgreSQL needs `WILDROOT_TEST_DATABASE_URL`
//! (started by `scripts/test`), else it is reported *ignored*.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fake_shopify::smtp::SmtpServer;
use std::str::FromStr;
use wildroot_core::shopify::link::DeviceKey;
use wildroot_core::store::Store;
use wildroot_model::mail::{EmailStatus, MailServer, Security};
use wildroot_model::sync::{Role, WireOp};
use wildroot_model::OpId;
use wildroot_server::any::AnyStorage;
use wildroot_server::mail::{self, Replica};
use wildroot_server::storage::{Judged, Storage};

/// Pushes everything `booth` recorded and not pushed yet, as its device.
async fn push_all(storage: &AnyStorage, booth: &mut Store) {
    let ops: Vec<Judged> = wildroot_core::oplog::all_ops(booth.conn())
        .unwrap()
        .iter()
        .filter(|o| o.device == booth.device())
        .map(|o| Judged { op: WireOp::from_op(o).unwrap(), verdict: Ok(()) })
        .collect();
    let resp = storage.push(booth.device(), ops, chrono::Utc::now().timestamp_millis()).await.unwrap();
    assert!(resp.refused.is_empty() && resp.expected_seq.is_none(), "{resp:?}");
}

/// Pulls the server's log into `booth`.
async fn pull_all(storage: &AnyStorage, booth: &mut Store) {
    loop {
        let page = storage.pull(booth.pull_cursor().unwrap(), 500).await.unwrap();
        booth.apply_pulled(&page).unwrap();
        if !page.more {
            break;
        }
    }
}

async fn story(storage: AnyStorage, dir: &std::path::Path) {
    let password = "correct horse 42";
    let smtp = SmtpServer::start(&dir.join("mail"), "shop@example.com", password, None).expect("the SMTP server");
    storage.add_user("owner@shop.test", "hash", Role::Owner).await.unwrap();
    let owner = storage.user_by_email("owner@shop.test").await.unwrap().unwrap();
    let state = wildroot_server::state(storage.clone()).await.unwrap();
    let key = DeviceKey::load_or_create(&dir.join("server.key")).unwrap();
    let mut replica = Replica::at(dir.join("server.mail-replica.db"));

    // The booth: the demo shop's sales, a receipt asked for while offline.
    let mut booth = Store::open(&dir.join("booth.db")).unwrap();
    booth.follow_log(&state.epoch).unwrap(); // a cursor, as a signed-in device has
    storage.register_device(booth.device(), owner.id, "Booth", "hash-booth").await.unwrap();
    booth.seed_demo().unwrap();
    let sales = booth.recent_sales(None, 3).unwrap();
    let asked = booth.request_receipt_email(&sales[0].receipt_no, "Ann@Example.com").unwrap();
    assert_eq!((asked.status, asked.to.as_str()), (EmailStatus::Queued, "ann@example.com"));
    assert!(mail::send_once(&state, &key, &mut replica).await.unwrap().is_none(), "no mail server: nothing is tried");
    push_all(&storage, &mut booth).await;

    // A wrong password: the reason comes back to the booth; nothing sent.
    let server = MailServer::parse(&smtp.address(), Security::Plain, "shop@example.com", None).unwrap();
    mail::configure(&storage, &key, &server, "wrong password 1").await.unwrap();
    let run = mail::send_once(&state, &key, &mut replica).await.unwrap().unwrap();
    assert_eq!((run.sent, run.failed), (0, 1));
    let again = mail::send_once(&state, &key, &mut replica).await.unwrap().unwrap();
    assert_eq!((again.sent, again.failed), (0, 0), "the same settings are not tried again");
    pull_all(&storage, &mut booth).await;
    let status = booth.receipt_emails().unwrap();
    assert_eq!(status[0].status, EmailStatus::Failed);
    assert!(status[0].reason.as_deref().unwrap().contains("refused the login"), "{status:?}");
    let sealed = storage.get_setting("mail_password").await.unwrap().unwrap();
    assert!(!sealed.contains("wrong password") && sealed.starts_with("sealed1:"), "the password is sealed at rest");
    assert!(smtp.messages().is_empty());

    // The right one: sent once, with the sale's total, and said to the booth.
    mail::configure(&storage, &key, &server, password).await.unwrap();
    let run = mail::send_once(&state, &key, &mut replica).await.unwrap().unwrap();
    assert_eq!((run.sent, run.failed), (1, 0));
    assert_eq!(mail::send_once(&state, &key, &mut replica).await.unwrap().unwrap().sent, 0);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let total = format!("{:.2}", sales[0].total_cents as f64 / 100.0);
    assert!(messages[0].contains("X-Rcpt-To: ann@example.com") && messages[0].contains(&sales[0].receipt_no), "{}", messages[0]);
    assert!(messages[0].contains(&total), "the total {total} is in the email");
    assert!(messages[0].contains(&format!("Message-ID: <{}@receipt.wildroot>", asked.request)), "{}", messages[0]);
    pull_all(&storage, &mut booth).await;
    assert_eq!(booth.receipt_emails().unwrap()[0].status, EmailStatus::Sent);

    // Stopped after the mail server took it, before the outcome was
    // recorded (the send log says "sent"): recorded, not sent again.
    let second = booth.request_receipt_email(&sales[1].receipt_no, "bo@example.com").unwrap();
    // Stopped while the mail server was asked (it says "sending"): may have arrived, not sent again.
    let third = booth.request_receipt_email(&sales[2].receipt_no, "cy@example.com").unwrap();
    push_all(&storage, &mut booth).await;
    storage.set_setting(&format!("mail_send:{}", second.request), r#"{"state":"sent"}"#).await.unwrap();
    storage.set_setting(&format!("mail_send:{}", third.request), r#"{"state":"sending"}"#).await.unwrap();
    let run = mail::send_once(&state, &key, &mut replica).await.unwrap().unwrap();
    assert_eq!((run.sent, run.failed), (1, 1));
    assert_eq!(smtp.messages().len(), 1, "neither was sent again");
    // A new server setting does not send the interrupted one either.
    mail::configure(&storage, &key, &server, password).await.unwrap();
    mail::send_once(&state, &key, &mut replica).await.unwrap();
    assert_eq!(smtp.messages().len(), 1);
    pull_all(&storage, &mut booth).await;
    let by_request = |r: &str| booth.receipt_email(OpId::from_str(r).unwrap()).unwrap().unwrap();
    assert_eq!(by_request(&second.request).status, EmailStatus::Sent);
    let third = by_request(&third.request);
    assert_eq!(third.status, EmailStatus::Failed);
    assert!(third.reason.unwrap().contains("may or may not have arrived"));

    // The replica can be thrown away: rebuilt from the log, it sends nothing again.
    drop(replica);
    for f in ["server.mail-replica.db", "server.mail-replica.db-wal", "server.mail-replica.db-shm"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    let mut replica = Replica::at(dir.join("server.mail-replica.db"));
    mail::send_once(&state, &key, &mut replica).await.unwrap();
    assert_eq!(smtp.messages().len(), 1);
    assert!(wildroot_core::oplog::replay_check(&booth).unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_are_emailed_once_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let storage = AnyStorage::open(&dir.path().join("server.db"), None).await.unwrap();
    story(storage, dir.path()).await;
    let db = std::fs::read(dir.path().join("server.db")).unwrap();
    assert!(!db.windows(16).any(|w| w == b"correct horse 42"), "the password is in the server's database in the clear");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set WILDROOT_TEST_DATABASE_URL (scripts/test starts one and runs this)"]
async fn receipts_are_emailed_once_on_postgres() {
    let base = std::env::var("WILDROOT_TEST_DATABASE_URL").expect("WILDROOT_TEST_DATABASE_URL: this test needs PostgreSQL");
    let schema = format!("mail_{}", std::process::id());
    let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).await.unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
    let dir = tempfile::tempdir().unwrap();
    let storage = AnyStorage::open(&dir.path().join("unused.db"), Some(&url)).await.unwrap();
    assert!(matches!(storage, AnyStorage::Postgres(_)), "the story must run on PostgreSQL here");
    story(storage, dir.path()).await;
    client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await.unwrap();
}
