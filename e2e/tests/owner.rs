//! The owner's screens in the real app at laptop size: a supply received, a
//! recipe written, a batch made (supplies drop, stock rises), a low-stock
//! alert that appears and clears, the reports' charts against the core's
//! own report, and a vendor's session kept out of the owner's screens.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyhow::Result;
use fantoccini::Locator;
use std::sync::Mutex;
use wildroot_core::report::GroupBy;
use wildroot_core::sale::{LineRequest, SaleRequest};
use wildroot_core::Store;
use wildroot_e2e::{connected_db, App, Launch, TestServer};
use wildroot_model::op::PayMethod;
use wildroot_model::sync::Role;
use wildroot_model::Money;

async fn laptop(app: &App) -> Result<()> {
    app.client.set_window_size(1280, 800).await?;
    Ok(())
}

/// (label, cents) of every bar in a chart, as drawn.
async fn bars(app: &App, chart: &str) -> Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for bar in app.client.find_all(Locator::Css(&format!("#{chart} rect.bar"))).await? {
        let label = bar.attr("data-label").await?.unwrap_or_default();
        let value: i64 = bar.attr("data-value").await?.unwrap_or_default().parse()?;
        out.push((label, value));
    }
    Ok(out)
}

async fn alert_count(app: &App) -> Result<i64> {
    Ok(match app.client.find(Locator::Css("#alert-badge")).await {
        Ok(el) => el.text().await?.trim().parse()?,
        Err(_) => 0,
    })
}

#[tokio::test]
async fn a_supply_received_a_recipe_and_a_batch_move_stock_and_alerts() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let app = App::launch(&Launch { db: dir.path().join("wildroot.db"), sync_interval_secs: 30 }).await?;
    let outcome = supply_to_batch(&app).await;
    if outcome.is_err() {
        let _ = app.screenshot("failed-supply-to-batch").await;
    }
    app.quit().await?;
    outcome
}

async fn supply_to_batch(app: &App) -> Result<()> {
    laptop(app).await?;

    // A new supply, received with its cost.
    app.click("#nav-inventory").await?;
    app.click("#inv-supplies").await?;
    app.click("#add-supply").await?;
    app.fill("#s-name", "Calendula petals").await?;
    app.click("#unit-g").await?;
    app.fill("#s-reorder", "100g").await?;
    app.click("#save-supply").await?;
    app.wait_until("#supply-title", "text", |t| t.starts_with("Calendula petals")).await?;
    app.fill("#rcv-qty", "500g").await?;
    app.fill("#rcv-cost", "20.00").await?;
    app.click("#receive").await?;
    let petals = "tr.supply[data-name='Calendula petals'] td.on-hand";
    app.wait_until(petals, "@data-on-hand", |q| q == "500").await?;
    app.wait_text(petals, "500 g").await?;
    app.wait_until("#history tr.movement[data-reason='purchase']", "@data-qty", |q| q == "500").await?;
    app.screenshot("inventory-supplies-1280x800").await?;

    // A new product with nothing on hand is low on stock: an alert appears.
    let alerts_before = alert_count(app).await?;
    app.click("#inv-products").await?;
    app.click("#add-product").await?;
    app.fill("#p-name", "Calendula Balm").await?;
    app.fill("#p-sku", "BALM-CAL").await?;
    app.fill("#p-price", "12.50").await?;
    app.fill("#p-low", "4").await?;
    app.click("#save-product").await?;
    app.wait_until("tr.product[data-sku='BALM-CAL'] td.on-hand", "@data-on-hand", |q| q == "0").await?;
    app.wait_until("#alert-badge", "text", |n| n.parse::<i64>().is_ok_and(|n| n == alerts_before + 1)).await?;
    app.click("#nav-alerts").await?;
    app.find(".alert[data-kind='low_stock'][data-item='BALM-CAL']").await?;
    app.screenshot("alerts-1280x800").await?;
    // Its link opens the product.
    app.click(".alert[data-item='BALM-CAL'] .open-alert").await?;
    app.wait_until("#product-panel h2", "text", |t| t.starts_with("Calendula Balm")).await?;
    app.screenshot("inventory-products-1280x800").await?;

    // Its recipe: 50 g of petals and 20 g of beeswax make 6.
    app.click("#nav-recipes").await?;
    app.select("#new-recipe", "BALM-CAL").await?;
    app.click("#start-recipe").await?;
    app.fill("#r-yield", "6").await?;
    app.find(".recipe-line:nth-child(2) .line-supply").await?;
    app.select(".recipe-line:nth-child(1) .line-supply", "Calendula petals").await?;
    app.fill(".recipe-line:nth-child(1) .line-qty", "50g").await?;
    app.select(".recipe-line:nth-child(2) .line-supply", "Beeswax").await?;
    app.fill(".recipe-line:nth-child(2) .line-qty", "20g").await?;
    app.click("#save-recipe").await?;
    // 500 g of petals make ten batches; beeswax has more.
    app.wait_until("tr.recipe[data-sku='BALM-CAL']", "@data-makeable", |n| n == "10").await?;

    // Make two batches: the plan shows what they take before anything moves.
    let beeswax_before: i64 = {
        app.click("#nav-inventory").await?;
        app.click("#inv-supplies").await?;
        app.attr("tr.supply[data-name='Beeswax'] td.on-hand", "data-on-hand").await?.unwrap_or_default().parse()?
    };
    app.click("#nav-recipes").await?;
    app.click("tr.recipe[data-sku='BALM-CAL'] .make-batch").await?;
    app.fill("#b-count", "2").await?;
    app.click("#plan-batch").await?;
    app.wait_until("#batch-plan", "@data-enough", |e| e == "true").await?;
    app.wait_until(".plan-line[data-supply='Calendula petals']", "text", |t| t.contains("100 g") && t.contains("500 g")).await?;
    // 100 g × 4¢ = $4.00 of petals, plus 40 g of beeswax at $18.00/kg = $0.72, for 12 units.
    app.wait_text("#plan-unit-cost", "$0.39 per unit").await?;
    app.screenshot("recipes-1280x800").await?;
    app.click("#confirm-batch").await?;
    app.wait_until("#batch-made", "text", |t| t.contains("12 units")).await?;
    app.find("tr.batch td.mono").await?;

    // Supplies dropped, stock rose, and the low-stock alert cleared.
    app.click("#nav-inventory").await?;
    app.click("#inv-supplies").await?;
    app.wait_until(petals, "@data-on-hand", |q| q == "400").await?;
    let beeswax_after: i64 = app.attr("tr.supply[data-name='Beeswax'] td.on-hand", "data-on-hand").await?.unwrap_or_default().parse()?;
    assert_eq!(beeswax_after, beeswax_before - 40);
    app.click("#inv-products").await?;
    app.wait_until("tr.product[data-sku='BALM-CAL'] td.on-hand", "@data-on-hand", |q| q == "12").await?;
    app.click("#nav-alerts").await?;
    app.find(".alert, #no-alerts").await?;
    app.wait_gone(".alert[data-item='BALM-CAL']").await?;
    app.wait_until("#alert-badge", "text", |n| n.parse::<i64>().is_ok_and(|n| n == alerts_before)).await?;
    Ok(())
}

#[tokio::test]
async fn the_dashboard_draws_the_core_s_figures_and_exports_them() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("wildroot.db");
    // The shop as the app would seed it; the test reads the core's own report first.
    let (by_day, top, by_product, lot_margins) = {
        let mut store = Store::open(&db)?;
        store.seed_demo()?;
        // A sale today, so the chart has more than the demo's one market day.
        let sku = store.list_products(None, Some(1))?[0].sku.clone();
        store.sell(SaleRequest {
            lines: vec![LineRequest { key: sku, qty: 2, unit_price: None, discount: None, lot: None, custom: None }],
            payments: vec![(PayMethod::Cash, Money(100_000))],
            ..Default::default()
        })?;
        (
            store.sales_report(GroupBy::Day, None, None)?,
            store.top_sellers(10, None, None)?,
            store.sales_report(GroupBy::Product, None, None)?,
            store.lot_margins()?,
        )
    };
    assert!(by_day.rows.len() > 1, "the demo and today's sale are on different days");
    let app = App::launch(&Launch { db, sync_interval_secs: 30 }).await?;
    laptop(&app).await?;
    app.click("#nav-reports").await?;
    app.click("#range-all").await?;
    let total = format!("${}.{:02}", by_day.total_cents / 100, by_day.total_cents % 100);
    app.wait_text("#range-total", &total).await?;

    // One bar per day from the first sale to the last: each day's takings, zero between.
    let drawn = bars(&app, "chart-by-day").await?;
    let want_days: Vec<(String, i64)> = by_day.rows.iter().map(|r| (r.key.clone(), r.total_cents)).collect();
    assert_eq!(drawn.first().map(|b| &b.0), want_days.first().map(|d| &d.0));
    assert_eq!(drawn.last().map(|b| &b.0), want_days.last().map(|d| &d.0));
    for (day, value) in &drawn {
        let want = want_days.iter().find(|(d, _)| d == day).map(|(_, v)| *v).unwrap_or(0);
        assert_eq!(*value, want, "the bar of {day}");
    }
    assert!(drawn.len() >= want_days.len());
    let mut want_top: Vec<(String, i64)> =
        top.rows.iter().map(|r| (r.label.trim_start_matches(&format!("{} ", r.key)).to_string(), r.total_cents)).collect();
    // The chart draws money, so it is sorted by money: the tallest bar first.
    want_top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    assert_eq!(bars(&app, "chart-top").await?, want_top, "top sellers sorted by what the chart draws");
    // The tallest day fills the chart; the others are in proportion.
    let heights: Vec<f64> = {
        let mut h = Vec::new();
        for bar in app.client.find_all(Locator::Css("#chart-by-day rect.bar")).await? {
            h.push(bar.attr("height").await?.unwrap_or_default().parse()?);
        }
        h
    };
    let max_value = want_days.iter().map(|(_, v)| *v).max().unwrap_or(1) as f64;
    for ((_, v), h) in drawn.iter().zip(&heights) {
        assert!((h - (*v).max(0) as f64 / max_value * 180.0).abs() < 0.01, "bar of {v} drawn {h} high");
    }
    app.find("#margins tr.margin").await?;
    // Every batch's margin as the core computes it from the lots sold.
    assert!(lot_margins.iter().any(|l| l.sold > 0), "the demo sold from its lots");
    for l in &lot_margins {
        let drawn = app.attr(&format!("#lot-margins tr.lot-margin[data-lot='{}']", l.lot_code), "data-margin").await?;
        assert_eq!(drawn, Some(l.margin_cents.to_string()), "lot {}", l.lot_code);
    }
    app.find("#value-total").await?;
    app.screenshot("reports-1280x800").await?;

    // Asked where to save, or not (the default): Downloads at once.
    app.find("#export-ask").await?;
    app.click("#export-product").await?;
    let saved = app.wait_until("#export-done", "text", |t| t.ends_with(".csv")).await?;
    let path = saved.trim_start_matches("Saved ").to_string();
    assert!(path.starts_with(&dir.path().join("exports").display().to_string()), "{path}");
    let csv = std::fs::read_to_string(&path)?;
    assert!(csv.starts_with("key,label,units,gross"));
    assert_eq!(csv.lines().count(), 1 + by_product.rows.len(), "a header and one line per product sold");

    // The other screens at laptop size, for the record.
    for (nav, wait, shot) in [
        ("#nav-customers", "#customer-list tr.customer", "customers-1280x800"),
        ("#nav-market", "#market", "events-1280x800"),
        ("#nav-settings", "#shop-form", "settings-1280x800"),
        ("#nav-sales", "#sales", "sales-1280x800"),
    ] {
        app.click(nav).await?;
        app.find(wait).await?;
        app.screenshot(shot).await?;
    }
    app.click("#nav-settings").await?;
    // The app made today's automatic backup when it started; Settings lists it.
    let daily = app.attr("#backup-list tr.backup-row", "data-path").await?.unwrap_or_default();
    assert!(daily.starts_with(&dir.path().join("backups").join("wildroot-auto-").display().to_string()), "{daily}");
    assert!(Store::open(std::path::Path::new(&daily))?.checkup()?.ok, "the daily backup passes the checkup");
    app.client.execute("document.querySelector('#backup').scrollIntoView()", vec![]).await?;
    app.screenshot("settings-backups-1280x800").await?;
    app.click("#backup-list .restore-this").await?;
    let picked = app.client.execute("return document.querySelector('#restore-path').value", vec![]).await?;
    assert_eq!(picked.as_str(), Some(daily.as_str()), "choosing a listed backup fills the restore box");
    // The platform's own file picker sits beside the typed path; its window
    // is GTK's, outside the webview, so WebDriver does not drive it.
    app.find("#restore-choose").await?;
    app.click("#restore-confirm + button").await?; // "Keep this shop"
    app.click("#backup-now").await?;
    let saved = app.wait_until("#backup-done", "text", |t| t.ends_with(".db")).await?;
    let backup_path = saved.trim_start_matches("Saved ").to_string();
    let backup = Store::open(std::path::Path::new(&backup_path))?;
    assert!(backup.checkup()?.ok, "the app's backup passes the checkup");
    drop(backup);
    // Restoring it puts it in the shop's place and keeps the shop it replaced.
    app.fill("#restore-path", &backup_path).await?;
    app.click("#restore").await?;
    app.click("#restore-confirm").await?;
    let kept = app.wait_until("#restore-done", "text", |t| t.ends_with(".db")).await?;
    let kept = kept.rsplit(' ').next().unwrap_or_default().to_string();
    assert!(std::path::Path::new(&kept).exists(), "{kept}");
    // A booth's changes carried by hand: the file it saved, imported here
    // by its typed path (the picker beside it is GTK's), counts each once.
    let mut booth = Store::open(&dir.path().join("booth.db"))?;
    booth.add_customer(wildroot_core::customer::CustomerInput { name: Some("Rosa Carried".into()), ..Default::default() })?;
    let file = booth.export_unsynced()?;
    let booth_work = file.ops.iter().filter(|o| Role::Vendor.may(&o.kind)).count();
    assert!(booth_work >= 1, "the customer is booth work");
    let carried = dir.path().join("carried.json");
    std::fs::write(&carried, serde_json::to_vec(&file)?)?;
    app.find("#carried-choose").await?;
    app.fill("#carried-path", &carried.display().to_string()).await?;
    app.click("#carried-import").await?;
    app.wait_text("#carried-done", &format!("Applied {booth_work} new change(s) of {} in the file.", file.ops.len())).await?;
    app.click("#carried-import").await?;
    app.wait_text("#carried-done", &format!("Applied 0 new change(s) of {} in the file.", file.ops.len())).await?;
    app.click("#nav-customers").await?;
    app.click("#customer-list tr.customer td").await?;
    app.find("#purchases tr.purchase").await?;
    app.screenshot("customer-1280x800").await?;

    // On a phone the owner's screens sit behind "More".
    app.client.set_window_size(390, 844).await?;
    app.click("#nav-more").await?;
    app.click("#nav-inventory").await?;
    app.find("#products tr.product").await?;
    app.screenshot("inventory-390x844").await?;
    app.quit().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_cannot_open_the_owner_s_screens() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = TestServer::start(&dir.path().join("server.db")).await?;
    server.add_user("owner@wildroot.test", "owner-pass-1", Role::Owner).await?;
    server.add_user("sam@wildroot.test", "vendor-pass-1", Role::Vendor).await?;
    // The owner's device puts the catalogue on the server ...
    let owner_db = dir.path().join("owner.db");
    connected_db(&owner_db, &server, "owner@wildroot.test", "owner-pass-1").await?;
    let owner = Mutex::new(Store::open(&owner_db)?);
    wildroot_core::sync::sync_once(&owner, &mut |_| {}).await?;
    // ... and the vendor's phone signs in and pulls it.
    let vendor_db = dir.path().join("vendor.db");
    let vendor = Mutex::new(Store::open(&vendor_db)?);
    wildroot_core::sync::login(&vendor, &server.url, "sam@wildroot.test", "vendor-pass-1", "Booth phone").await?;
    wildroot_core::sync::sync_once(&vendor, &mut |_| {}).await?;
    drop(vendor);

    let app = App::launch(&Launch { db: vendor_db, sync_interval_secs: 30 }).await?;
    laptop(&app).await?;
    app.find("#nav-customers").await?;
    for owner_only in ["#nav-settings", "#nav-inventory", "#nav-recipes", "#nav-reports"] {
        app.wait_gone(owner_only).await?;
    }
    // No badge of the owner's alerts (the demo shop has some), and no allotment form on Market day.
    app.wait_gone("#alert-badge").await?;
    app.wait_gone("#nav-more .badge").await?;
    app.click("#nav-market").await?;
    app.find("#market").await?;
    app.wait_gone("#allot-save").await?;
    // The shell refuses too, whatever the screen shows.
    let answer = app
        .client
        .execute("return window.__TAURI__.core.invoke('get_settings', {req: {}}).then(() => 'opened', e => JSON.stringify(e))", vec![])
        .await?;
    let answer = answer.as_str().unwrap_or_default().to_string();
    assert!(answer.contains("signed in as a vendor"), "{answer}");
    let answer = app
        .client
        .execute(
            "return window.__TAURI__.core.invoke('dashboard', {req: {from: null, to: null}}).then(() => 'opened', e => JSON.stringify(e))",
            vec![],
        )
        .await?;
    assert!(answer.as_str().unwrap_or_default().contains("vendor"), "{answer}");
    // What a vendor does at the booth still works.
    app.click("#nav-customers").await?;
    app.click("#add-customer").await?;
    app.fill("#c-name", "Ana Flores").await?;
    app.fill("#c-email", "ana@example.com").await?;
    app.click("#save-customer").await?;
    app.find("#customer-list tr.customer").await?;
    app.screenshot("vendor-1280x800").await?;
    app.quit().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_adds_a_vendor_from_settings() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let server = TestServer::start(&dir.path().join("server.db")).await?;
    server.add_user("owner@wildroot.test", "owner-pass-1", Role::Owner).await?;
    let db = dir.path().join("wildroot.db");
    connected_db(&db, &server, "owner@wildroot.test", "owner-pass-1").await?;
    let app = App::launch(&Launch { db, sync_interval_secs: 30 }).await?;
    laptop(&app).await?;
    app.click("#nav-settings").await?;
    app.wait_text("#account-role", "owner").await?;
    app.fill("#devices-password", "owner-pass-1").await?;
    app.click("#show-devices").await?;
    app.find("tr.user[data-email='owner@wildroot.test']").await?;
    app.find("#devices tr.device").await?;
    // A password too short is refused with what to fix, and nobody is added.
    app.fill("#new-user-email", "sam@wildroot.test").await?;
    app.fill("#new-user-password", "short").await?;
    app.click("#add-user").await?;
    app.wait_until("#toast", "text", |t| t.contains("8 characters")).await?;
    app.click("#toast").await?; // read, and out of the way
    app.fill("#new-user-password", "booth-days-1").await?;
    app.click("#new-role-vendor").await?;
    app.click("#add-user").await?;
    app.find("tr.user[data-email='sam@wildroot.test']").await?;
    app.screenshot("settings-users-1280x800").await?;
    // Renaming this device signs it in again under the new name.
    app.fill("#rename-device", "Laptop in the workshop").await?;
    app.click("#rename").await?;
    app.wait_text("#account-device", "Laptop in the workshop").await?;
    // The vendor can sign in with what the owner typed.
    let client = wildroot_core::sync::SyncClient::new(&server.url)?;
    assert_eq!(client.login("sam@wildroot.test", "booth-days-1").await?.role, Role::Vendor);
    let owner = client.login("owner@wildroot.test", "owner-pass-1").await?;
    assert!(client.list_devices(&owner.token).await?.iter().any(|d| d.name == "Laptop in the workshop" && !d.revoked));
    app.quit().await
}

/// Recall from the app: a batch's "Who bought it" lists the regular who
/// bought from that lot with her contacts; the beeswax lot it was made from
/// leads to the same customer; an unknown lot is refused with the reason.
#[tokio::test]
async fn a_recall_names_who_bought_from_a_batch_and_from_its_supply_lot() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let app = App::launch(&Launch { db: dir.path().join("wildroot.db"), sync_interval_secs: 30 }).await?;
    let outcome = recall(&app).await;
    if outcome.is_err() {
        let _ = app.screenshot("failed-recall").await;
    }
    app.quit().await?;
    outcome
}

async fn recall(app: &App) -> Result<()> {
    laptop(app).await?;
    app.click("#nav-recipes").await?;
    app.click("tr.batch[data-lot^='SALVE-LAV-2OZ'] .trace-batch").await?;
    app.wait_until("tr.recall-sale[data-email='maya@example.com']", "text", |t| t.contains("555-0142") && t.contains("Maya")).await?;
    let summary = app.wait_until("#recall-summary", "text", |t| t.contains("Made from") && t.contains("Beeswax")).await?;
    app.screenshot("recall-1280x800").await?;
    // "… Made from Beeswax BEESWA-20261117-1 (340 g), …": trace that lot forward.
    let beeswax = summary.split("Beeswax ").nth(1).and_then(|r| r.split(' ').next()).unwrap_or_default().to_string();
    app.fill("#trace-lot", &beeswax).await?;
    app.click("#trace-supply").await?;
    app.click("#trace-run").await?;
    app.wait_until("#recall-summary", "text", |t| t.starts_with(&format!("Supply lot {beeswax} of Beeswax from Hillside Apiary"))).await?;
    app.find("tr.recall-sale[data-email='maya@example.com']").await?;
    app.fill("#trace-lot", "NO-SUCH-LOT").await?;
    app.click("#trace-run").await?;
    app.wait_until("#toast", "text", |t| t.contains("NO-SUCH-LOT")).await?;
    Ok(())
}
