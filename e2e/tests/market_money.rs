//! The market day as the vendor lives it (#24), in the real app: a day
//! opened at a tax place, a sale paid part SNAP (never change) and part
//! cash, a sale with a tip, the Z report's tenders, tips and tax by place,
//! and the owner's markets chart against the core's `report markets`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyhow::Result;
use std::collections::BTreeMap;
use wildroot_core::Store;
use wildroot_e2e::{App, Launch};
use wildroot_model::tax::TaxPlace;
use wildroot_model::Money;

#[tokio::test]
async fn a_market_at_a_place_takes_snap_and_tips_and_the_owner_sees_what_it_earned() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("wildroot.db");
    {
        let mut s = Store::open(&db)?;
        s.seed_demo()?;
        if s.current_event()?.is_some() {
            s.close_event(Money(0))?;
        }
    }
    let app = App::launch(&Launch { db: db.clone(), sync_interval_secs: 30 }).await?;
    let outcome = async {
        // The owner sets up the place and SNAP in Settings (on the laptop).
        app.client.set_window_size(1280, 800).await?;
        app.click("#nav-settings").await?;
        app.fill("#place-name", "Bristol TN").await?;
        app.fill("#place-rate", "nine").await?;
        app.click("#save-place").await?;
        app.wait_until("#toast", "text", |t| t.contains("nine")).await?;
        app.fill("#place-rate", "9.25%").await?;
        app.fill("#place-categories", "food=4%").await?;
        app.click("#save-place").await?;
        app.wait_until("#place-list li.place[data-place='Bristol TN']", "@data-rate-bp", |r| r == "925").await?;
        app.fill("#tender-name", "SNAP").await?;
        app.click("#add-tender").await?;
        app.find("#tender-list li.tender[data-tender='SNAP']").await?;
        let want =
            TaxPlace { name: "Bristol TN".into(), rate_bp: 925, inclusive: false, categories: BTreeMap::from([("food".to_string(), 400)]) };
        assert_eq!(Store::open(&db)?.tax_place("Bristol TN")?, want);
        let snap = Store::open(&db)?.tenders()?.into_iter().find(|t| t.name == "SNAP").map(|t| (t.gives_change, t.in_drawer));
        assert_eq!(snap, Some((false, true)), "SNAP never gives change");
        app.client.set_window_size(390, 844).await?;
        app.click("#nav-market").await?;
        app.fill("#event-name-input", "Sunday Market").await?;
        app.select("#event-place", "Bristol TN").await?;
        app.fill("#event-float", "0").await?;
        app.click("#open-event").await?;
        app.wait_text("#event-name", "Sunday Market").await?;

        // Oat soap, 9.00 at Bristol TN's 9.25 %: 9.83. 5.00 by SNAP, the rest in cash.
        app.click("#nav-pos").await?;
        app.click(".tile[data-sku='SOAP-OAT']").await?;
        app.wait_text("#cart-total", "$9.83").await?;
        app.click("#charge").await?;
        app.click("#split-toggle").await?;
        app.fill("#split-amount", "5").await?;
        app.click(".tender-pay[data-tender='SNAP']").await?;
        app.wait_until("#taken .payment[data-method='SNAP']", "text", |t| t.contains("$5.00")).await?;
        app.wait_text("#due", "$4.83").await?;
        app.click("#pay-exact").await?;
        app.click("#new-sale").await?;

        // The same soap with a 1.00 tip, all by card.
        app.click(".tile[data-sku='SOAP-OAT']").await?;
        app.click("#charge").await?;
        app.click("#add-tip").await?;
        app.fill("#tip-amount", "1").await?;
        app.click("#tip-ok").await?;
        app.wait_text("#due", "$10.83").await?;
        app.click("#pay-card").await?;
        app.wait_text("#receipt-tip", "$1.00").await?;
        app.wait_text("#receipt-total", "$9.83").await?;
        app.click("#new-sale").await?;

        app.click("#nav-market").await?;
        let expected = app.text("#expected-cash").await?;
        assert_eq!(expected, "$4.83", "cash: what the first sale took in cash");
        app.fill("#counted", "4.83").await?;
        app.click("#close-event").await?;
        app.click("#confirm-close").await?;
        app.wait_text("#over-short", "Even").await?;
        app.wait_until("dd[data-tender='SNAP']", "text", |t| t.starts_with("$5.00")).await?;
        app.wait_until("dd[data-tender='Card']", "@data-tips", |t| t == "100").await?;
        app.wait_text("#totals-tips", "$1.00").await?;
        app.wait_until("#zreport", "text", |t| t.contains("Tax Bristol TN · 9.25%")).await?;
        app.screenshot("zreport-market-money-390x844").await?;
        // The statement for the market manager: what the core's settle says.
        app.click("#show-settle").await?;
        let id = Store::open(&db)?.list_events()?.into_iter().find(|e| e.name == "Sunday Market").unwrap().id;
        let st = Store::open(&db)?.settle_event(&id.to_string())?;
        app.wait_text("#settle-owed", &format!("${}.{:02}", st.owed_cents / 100, st.owed_cents % 100)).await?;
        assert_eq!(st.gross_cents, 2 * 983);

        // The owner's chart of markets is `report markets`, figure for figure.
        app.client.set_window_size(1280, 800).await?;
        app.click("#nav-reports").await?;
        app.find("#markets-table").await?;
        let report = Store::open(&db)?.market_results(None)?;
        assert!(report.markets.iter().any(|m| m.event.name == "Sunday Market"));
        for m in &report.markets {
            let row = format!("#markets-table tr.market[data-event='{}']", m.event.id);
            app.wait_until(&row, "@data-profit", |p| p == m.profit_cents.to_string()).await?;
        }
        let bars = app.client.find_all(fantoccini::Locator::Css("#chart-markets rect.bar")).await?;
        assert_eq!(bars.len(), report.markets.len());
        for (bar, m) in bars.iter().zip(&report.markets) {
            assert_eq!(bar.attr("data-value").await?.unwrap_or_default(), m.profit_cents.to_string());
        }
        app.screenshot("markets-1280x800").await?;
        anyhow::Ok(())
    }
    .await;
    if outcome.is_err() {
        let _ = app.screenshot("failed-market-money").await;
    }
    app.quit().await?;
    outcome
}
