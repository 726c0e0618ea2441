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

/// A shop with no server: the owner sets the mail server in Settings (a
/// wrong password first: the receipt says why), and the receipt screen
/// sends at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shop_with_no_server_emails_from_the_owners_device_set_in_settings() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let smtp = SmtpServer::start(&dir.path().join("mail"), "shop@example.com", "mail-pass-2", None).map_err(anyhow::Error::msg)?;
    let db = dir.path().join("wildroot.db");
    wildroot_core::Store::open(&db)?.seed_demo()?;
    let app = App::launch(&Launch { db, sync_interval_secs: 30 }).await?;
    app.client.set_window_size(1280, 800).await?;
    app.click("#nav-settings").await?;
    app.fill("#mail-smtp", "smtp.example.com").await?;
    app.fill("#mail-user", "shop@example.com").await?;
    app.fill("#mail-password", "wrong").await?;
    app.click("#save-mail").await?;
    app.wait_until("#toast", "text", |t| t.contains("has no port")).await?;
    app.fill("#mail-smtp", &smtp.address()).await?;
    app.select("#mail-security", "plain").await?;
    app.fill("#mail-password", "wrong").await?;
    app.click("#save-mail").await?;
    app.wait_until("#mail-state", "text", |t| t.contains(&smtp.address()) && t.contains("plain")).await?;
    app.find("#mail-saved").await?;
    app.client.set_window_size(390, 844).await?;
    app.click("#nav-pos").await?;
    app.click(".tile").await?;
    app.click("#charge").await?;
    app.click("#pay-exact").await?;
    app.fill("#email-to", "dee@example.com").await?;
    app.click("#email-receipt").await?;
    app.wait_until("#email-status .email", "@data-status", |s| s == "failed").await?;
    app.wait_until("#email-status .email", "text", |t| t.contains("refused the login")).await?;
    assert!(smtp.messages().is_empty());
    app.click("#new-sale").await?;

    app.client.set_window_size(1280, 800).await?;
    app.click("#nav-settings").await?;
    app.fill("#mail-password", "mail-pass-2").await?;
    app.click("#save-mail").await?;
    app.find("#mail-saved").await?;
    app.client.set_window_size(390, 844).await?;
    app.click("#nav-pos").await?;
    app.click(".tile").await?;
    app.click("#charge").await?;
    app.click("#pay-exact").await?;
    app.fill("#email-to", "eve@example.com").await?;
    app.click("#email-receipt").await?;
    app.wait_until("#email-status .email", "@data-status", |s| s == "sent").await?;
    // The new settings sent the earlier one too: each once.
    let start = Instant::now();
    while smtp.messages().len() < 2 && start.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let messages = smtp.messages();
    assert_eq!(messages.len(), 2, "each receipt once");
    assert!(messages.iter().any(|m| m.contains("X-Rcpt-To: dee@example.com")));
    assert!(messages.iter().any(|m| m.contains("X-Rcpt-To: eve@example.com")));
    app.quit().await
}
