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
