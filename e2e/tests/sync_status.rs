//! The always-visible sync status follows a real server on 127.0.0.1 as it
//! stops and starts again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyhow::Result;
use wildroot_e2e::{connected_db, App, Launch, TestServer};
use wildroot_model::sync::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_status_goes_offline_and_back_when_the_server_stops_and_starts() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut server = TestServer::start(&dir.path().join("server.db")).await?;
    server.add_user("owner@wildroot.test", "market-day-1", Role::Owner).await?;
    let db = dir.path().join("wildroot.db");
    connected_db(&db, &server, "owner@wildroot.test", "market-day-1").await?;

    let app = App::launch(&Launch { db, sync_interval_secs: 1 }).await?;
    app.wait_until("#sync-badge", "@data-state", |s| s == "synced").await?;
    app.wait_text("#sync-state", "Synced").await?;

    server.stop().await?;
    app.click(".tile").await?;
    app.click("#charge").await?;
    app.click("#pay-exact").await?;
    app.click("#new-sale").await?;
    app.wait_until("#sync-badge", "@data-state", |s| s == "offline").await?;
    app.wait_until("#sync-state", "text", |s| s.starts_with("Offline ·") && s.ends_with("waiting")).await?;
    app.click("#sync-badge").await?;
    app.wait_until("#sync-error", "text", |s| s.contains("cannot be reached")).await?;
    app.screenshot("sync-offline-390x844").await?;
    // No network before the battery dies: the waiting sale goes to a file.
    app.click("#sync-export").await?;
    let saved = app.wait_until("#sync-exported", "text", |t| t.ends_with(".json")).await?;
    let file = wildroot_model::sync::OpsFile::parse(&std::fs::read(saved.trim_start_matches("Saved "))?).map_err(anyhow::Error::msg)?;
    let kinds: Vec<&str> = file.ops.iter().map(|o| o.kind.as_str()).collect();
    assert_eq!(kinds, ["sale_completed"], "the file holds exactly the sale waiting to sync");
    // Beside it, the platform's save dialog (GTK's window, outside WebDriver).
    app.find("#sync-export-as").await?;

    server.restart().await?;
    app.click("#sync-now").await?;
    app.wait_until("#sync-badge", "@data-state", |s| s == "synced").await?;
    app.wait_text("#sync-pending", "0 change(s) waiting to sync").await?;
    app.wait_gone("#sync-error").await?;
    app.quit().await
}
