//! The Shopify panel in the real app: linking a (fake, loopback) store
//! starts the background import, held SKUs are listed and mapped from
//! Settings, the online sale takes stock, and the stock push-back is
//! switched on at a location.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyhow::Result;
use fake_shopify::FakeShopify;
use wildroot_core::Store;
use wildroot_e2e::{connected_db, App, Launch, TestServer};
use wildroot_model::sync::Role;

const TOKEN: &str = "shpat_e2e_token_0123";

#[tokio::test]
async fn online_orders_come_in_and_held_skus_are_mapped_in_settings() -> Result<()> {
    let fake = FakeShopify::start(TOKEN).await;
    let hour_ago = chrono::Utc::now().timestamp_millis() - 3_600_000;
    fake.put_orders([fake_shopify::order(2001, hour_ago, hour_ago, "ana@example.com", &[("SOAP-OAT", 2, 900), ("GIFT-BOX", 1, 500)])]);
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("wildroot.db");
    let app = App::launch(&Launch { db: db.clone(), sync_interval_secs: 30 }).await?;
    let outcome = link_and_map(&app, &fake).await;
    if outcome.is_err() {
        let _ = app.screenshot("failed-shopify-settings").await;
    }
    app.quit().await?;
    outcome?;

    // The order took stock: both lines, the held one once it was mapped.
    let store = Store::open(&db)?;
    for (sku, qty) in [("SOAP-OAT", -2), ("LIP-HONEY", -1)] {
        let moved = store.product_movements(sku, 20)?;
        assert!(moved.iter().any(|m| m.reason == "shopify_order" && m.qty == qty), "{sku}: {moved:?}");
    }
    let view = store.shopify_import_view()?;
    assert_eq!(view.orders, 1);
    assert!(view.push_stock, "the push-back switch was saved");
    assert_eq!(view.location_gid.as_deref(), Some("gid://shopify/Location/7"));
    Ok(())
}

async fn link_and_map(app: &App, fake: &FakeShopify) -> Result<()> {
    app.client.set_window_size(1280, 800).await?;
    app.click("#nav-settings").await?;
    app.fill("#shopify-shop", &fake.base_url).await?;
    app.fill("#shopify-token", TOKEN).await?;
    app.click("#shopify-link").await?;
    app.wait_until("#shopify-linked", "text", |t| t.contains("encrypted")).await?;
    // Linking starts the import: the order arrives without a button.
    app.wait_until("#shopify-status", "@data-orders", |n| n == "1").await?;
    app.wait_until("#shopify-status", "@data-held", |n| n == "1").await?;
    let row = "#shopify-unmatched tr.held[data-sku='GIFT-BOX']";
    app.wait_until(row, "text", |t| t.contains("#2001")).await?;
    app.screenshot("settings-shopify-held-1280x800").await?;
    // A product that does not exist is refused with the reason.
    app.fill(&format!("{row} input.map-to"), "NO-SUCH-SKU").await?;
    app.click(&format!("{row} button.map")).await?;
    app.wait_until("#toast", "text", |t| t.contains("NO-SUCH-SKU")).await?;
    app.fill(&format!("{row} input.map-to"), "LIP-HONEY").await?;
    app.click(&format!("{row} button.map")).await?;
    app.wait_until("#shopify-status", "@data-held", |n| n == "0").await?;
    app.wait_gone("#shopify-unmatched").await?;
    // Import now answers at once; the order is already in.
    app.click("#shopify-import").await?;
    app.wait_until("#shopify-status", "text", |t| t.starts_with("1 online order imported; last import 2")).await?;
    // Stock push-back needs a location: refused with the reason, then saved.
    app.wait_until("#shopify-push-state", "@data-on", |v| v == "false").await?;
    app.click("#shopify-push-stock").await?;
    app.click("#shopify-push-save").await?;
    app.wait_until("#toast", "text", |t| t.contains("no Shopify location")).await?;
    app.wait_until("#shopify-push-state", "@data-on", |v| v == "false").await?;
    app.fill("#shopify-location", "7").await?;
    app.click("#shopify-push-stock").await?;
    app.click("#shopify-push-save").await?;
    app.wait_until("#shopify-push-state", "@data-on", |v| v == "true").await?;
    app.screenshot("settings-shopify-push-1280x800").await?;
    Ok(())
}

/// A device that syncs with a server linked to Shopify holds no token: its
/// Settings say the server imports, from which store, and when it stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_show_where_the_server_s_own_import_stands() -> Result<()> {
    let fake = FakeShopify::start(TOKEN).await;
    let dir = tempfile::tempdir()?;
    let server = TestServer::start(&dir.path().join("server.db")).await?;
    server.add_user("owner@wildroot.test", "market-day-1", Role::Owner).await?;
    server.connect_shopify(&fake.base_url, TOKEN).await?;
    let db = dir.path().join("wildroot.db");
    connected_db(&db, &server, "owner@wildroot.test", "market-day-1").await?;
    let app = App::launch(&Launch { db, sync_interval_secs: 30 }).await?;
    let outcome = async {
        app.client.set_window_size(1280, 800).await?;
        app.click("#nav-settings").await?;
        app.wait_until("#server-shopify", "@data-shop", |s| s == fake.base_url).await?;
        app.wait_until("#server-shopify", "text", |t| t.contains("no token to keep here") && t.contains("Last import not yet")).await?;
        // Linking this device as well is still offered, below.
        app.find("#shopify-link").await?;
        server.disconnect_shopify().await?;
        app.click("#nav-inventory").await?;
        app.click("#nav-settings").await?;
        app.wait_until("#server-shopify", "text", |t| t.contains("does not import")).await?;
        anyhow::Ok(())
    }
    .await;
    if outcome.is_err() {
        let _ = app.screenshot("failed-server-shopify").await;
    }
    app.quit().await?;
    outcome
}
