//! An emailed receipt in the real app (#25): the server is down (the booth
//! is offline), the vendor types the customer's address on the receipt
//! screen and it is queued; once the server is back, the background sync
//! takes the request there, the server sends it through a real SMTP server
//! on 127.0.0.1, and the receipt screen shows it sent. Sent once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyhow::Result;
use fake_shopify::smtp::SmtpServer;
use std::time::{Duration, Instant};
use wildroot_e2e::{connected_db, App, Launch, TestServer};
use wildroot_model::mail::{MailServer, Security};
use wildroot_model::sync::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_emailed_offline_is_sent_once_the_booth_is_back_online() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let smtp = SmtpServer::start(&dir.path().join("mail"), "shop@example.com", "mail-pass-1", None).map_err(anyhow::Error::msg)?;
    let mut server = TestServer::start(&dir.path().join("server.db")).await?;
    server.add_user("owner@wildroot.test", "market-day-1", Role::Owner).await?;
    let mail = MailServer::parse(&smtp.address(), Security::Plain, "shop@example.com", None).map_err(anyhow::Error::msg)?;
    server.set_mail(&mail, "mail-pass-1").await?;
    let db = dir.path().join("wildroot.db");
    connected_db(&db, &server, "owner@wildroot.test", "market-day-1").await?;

    let app = App::launch(&Launch { db, sync_interval_secs: 1 }).await?;
    app.wait_until("#sync-badge", "@data-state", |s| s == "synced").await?;
    server.stop().await?;
    app.click(".tile").await?;
    app.click("#charge").await?;
    app.click("#pay-exact").await?;
    app.fill("#email-to", "not an address").await?;
    app.click("#email-receipt").await?;
    app.wait_until("#toast", "text", |t| t.contains("not an email address")).await?;
    app.fill("#email-to", "Ann@Example.com").await?;
    app.click("#email-receipt").await?;
    app.wait_until("#email-status .email", "@data-status", |s| s == "queued").await?;
    app.wait_text("#email-status .email", "ann@example.com · queued").await?;
    app.wait_until("#sync-badge", "@data-state", |s| s == "offline").await?;
    assert!(smtp.messages().is_empty());

    server.restart().await?;
    app.wait_until("#email-status .email", "@data-status", |s| s == "sent").await?;
    app.screenshot("receipt-emailed-390x844").await?;
    let start = Instant::now();
    while smtp.messages().is_empty() && start.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "sent once");
    assert!(messages[0].contains("X-Rcpt-To: ann@example.com"));
    app.quit().await?;
    server.stop().await
}
