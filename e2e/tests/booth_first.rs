//! The booth comes first (#26): the POS is usable before the window asks
//! the shell for anything an owner's screen or the sync badge needs. The
//! UI notes each command it calls, and the moment its tiles are drawn, in
//! `window.wildrootCalls` (`ui/src/api.rs::trace`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyhow::{bail, Result};
use std::time::{Duration, Instant};
use wildroot_e2e::{App, Launch};

/// What the booth's first screen needs: the shop (catalogue, market day,
/// tenders) and the carts parked on this device.
const BOOTH: [&str; 2] = ["home", "list_parked"];

async fn calls(app: &App) -> Result<Vec<String>> {
    let v = app.client.execute("return window.wildrootCalls || []", vec![]).await?;
    Ok(serde_json::from_value(v)?)
}

#[tokio::test]
async fn the_booth_is_usable_before_alerts_or_sync_are_asked_for() -> Result<()> {
    let dir = tempfile::tempdir()?;
    // A fresh app opens the demo shop as its owner, who has alerts waiting.
    let app = App::launch(&Launch { db: dir.path().join("wildroot.db"), sync_interval_secs: 30 }).await?;
    let outcome = check(&app).await;
    if outcome.is_err() {
        let _ = app.screenshot("failed-booth-first").await;
    }
    app.quit().await?;
    outcome
}

async fn check(app: &App) -> Result<()> {
    // The owner's badge does come, after the booth (on a laptop's sidebar:
    // a phone keeps the Alerts tab behind "More").
    app.client.set_window_size(1280, 800).await?;
    app.wait_until("#alert-badge", "text", |n| n.parse::<u32>().is_ok_and(|n| n > 0)).await?;
    let started = Instant::now();
    let trace = loop {
        let trace = calls(app).await?;
        if trace.iter().any(|c| c == "get_sync") {
            break trace;
        }
        if started.elapsed() > Duration::from_secs(10) {
            bail!("the sync status was never asked for: {trace:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let Some(ready) = trace.iter().position(|c| c == "booth-ready") else {
        bail!("the booth's tiles were never noted as drawn: {trace:?}");
    };
    let before = &trace[..ready];
    assert!(before.iter().any(|c| c == "home"), "the shop is read before the tiles: {trace:?}");
    assert!(
        before.iter().all(|c| BOOTH.contains(&c.as_str())),
        "the booth waited on something it does not need: {before:?} (whole trace {trace:?})"
    );
    let after = &trace[ready..];
    for later in ["alert_count", "get_sync"] {
        assert!(after.iter().any(|c| c == later), "{later} comes after the booth is up: {trace:?}");
    }

    // Usable: a tap puts a jar in the cart.
    app.click(".tile").await?;
    app.wait_text("#cart-count", "1 item").await?;
    Ok(())
}
