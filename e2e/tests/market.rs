//! A booth joining a market day the owner planned, in the real app: it sees
//! what it was allotted, a sale takes from what is left, and its Z report
//! counts its own drawer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyhow::Result;
use wildroot_core::oplog::{all_ops, apply_foreign};
use wildroot_core::Store;
use wildroot_e2e::{App, Launch};

#[tokio::test]
async fn a_booth_joins_a_planned_market_and_sells_from_its_allotment() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("wildroot.db");
    {
        // The booth's database as a first start makes it; the owner's
        // laptop, with the same shop, plans the day and allots to the booth.
        let mut booth = Store::open(&db)?;
        booth.seed_demo()?;
        let mut owner = Store::open_in_memory()?;
        apply_foreign(&mut owner, &all_ops(booth.conn())?)?;
        let date = chrono::Utc::now().date_naive();
        owner.plan_event("Holiday Fair", Some("Town Hall"), date)?;
        owner.allot("Holiday Fair", &booth.device().to_string(), &[("SOAP-OAT".into(), 4)])?;
        let planned: Vec<_> = all_ops(owner.conn())?.into_iter().filter(|o| o.device == owner.device()).collect();
        apply_foreign(&mut booth, &planned)?;
    }
    let app = App::launch(&Launch { db, sync_interval_secs: 30 }).await?;
    let outcome = async {
        app.click("#nav-market").await?;
        app.fill("#event-float", "20").await?;
        app.click("button.join-event").await?;
        app.wait_text("#event-name", "Holiday Fair").await?;
        app.wait_until("#my-allotment tr.allotted[data-sku='SOAP-OAT']", "@data-left", |n| n == "4").await?;
        app.click("#nav-pos").await?;
        app.click(".tile[data-sku='SOAP-OAT']").await?;
        app.click("#charge").await?;
        app.click("#pay-exact").await?;
        app.click("#new-sale").await?;
        app.click("#nav-market").await?;
        app.wait_until("#my-allotment tr.allotted[data-sku='SOAP-OAT']", "@data-left", |n| n == "3").await?;
        app.screenshot("market-allotment-390x844").await?;
        // Exactly what the drawer should hold: the float and the sale.
        let expected = app.text("#expected-cash").await?;
        app.fill("#counted", expected.trim_start_matches('$')).await?;
        app.click("#close-event").await?;
        app.click("#confirm-close").await?;
        app.wait_text("#over-short", "Even").await?;
        anyhow::Ok(())
    }
    .await;
    if outcome.is_err() {
        let _ = app.screenshot("failed-market-allotment").await;
    }
    app.quit().await?;
    outcome
}

/// The owner plans a market day and allots stock from the app; the device
/// then works the day itself and carries what it was given.
#[tokio::test]
async fn the_owner_plans_a_market_day_and_allots_stock_in_the_app() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let app = App::launch(&Launch { db: dir.path().join("wildroot.db"), sync_interval_secs: 30 }).await?;
    let outcome = async {
        app.client.set_window_size(1280, 800).await?;
        app.click("#nav-market").await?;
        app.fill("#plan-name", "Winter Fair").await?;
        // A date input takes keys in the locale's order; a person picks the
        // day from the calendar, which sets the value as this does.
        let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
        app.client
            .execute(
                "const el = document.querySelector('#plan-date'); el.value = arguments[0]; el.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![today.clone().into()],
            )
            .await?;
        app.click("#plan-event").await?;
        let event = app.wait_until("#allot-event option:nth-child(2)", "@value", |v| !v.is_empty()).await?;
        app.select("#allot-event", &event).await?;
        let device = app.wait_until("#allot-device option:nth-child(2)", "@value", |v| !v.is_empty()).await?;
        app.select("#allot-device", &device).await?;
        app.select("#allot-sku", "SOAP-OAT").await?;
        // A count that is not one is refused with the reason.
        app.fill("#allot-qty", "lots").await?;
        app.click("#allot-save").await?;
        app.wait_until("#toast", "text", |t| t.contains("'lots' is not a whole number")).await?;
        // The toast sits under the tabs, never over them, and goes by itself.
        let covers = app
            .client
            .execute(
                "const t = document.getElementById('toast').getBoundingClientRect();
                 const n = document.querySelector('nav.tabs').getBoundingClientRect();
                 return t.top < n.bottom && t.bottom > n.top && t.left < n.right && t.right > n.left;",
                vec![],
            )
            .await?;
        assert_eq!(covers, serde_json::Value::Bool(false), "the toast covers the tabs");
        app.wait_gone("#toast.shown").await?;
        app.fill("#allot-qty", "6").await?;
        app.click("#allot-save").await?;
        app.wait_until("#allotments tr.allotted[data-sku='SOAP-OAT']", "@data-left", |n| n == "6").await?;
        app.screenshot("market-allot-1280x800").await?;
        app.click(&format!("button.join-event[data-event='{event}']")).await?;
        app.wait_text("#event-name", "Winter Fair").await?;
        app.wait_until("#my-allotment tr.allotted[data-sku='SOAP-OAT']", "@data-left", |n| n == "6").await?;
        anyhow::Ok(())
    }
    .await;
    if outcome.is_err() {
        let _ = app.screenshot("failed-market-allot").await;
    }
    app.quit().await?;
    outcome
}
