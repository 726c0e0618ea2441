//! The market-booth POS in the real app: a vendor's taps, checked against
//! what the screens show afterwards. Run under Xvfb (scripts/test does).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyhow::Result;
use tempfile::TempDir;
use wildroot_e2e::{App, Launch};

async fn fresh_app() -> Result<(App, TempDir)> {
    let dir = tempfile::tempdir()?;
    let app = App::launch(&Launch { db: dir.path().join("wildroot.db"), sync_interval_secs: 30 }).await?;
    Ok((app, dir))
}

/// "$14.00" → 1400.
fn cents(text: &str) -> i64 {
    let t = text.trim().trim_start_matches('$').replace(',', "");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, "0"));
    whole.parse::<i64>().unwrap() * 100 + format!("{frac:0<2}")[..2].parse::<i64>().unwrap()
}

fn money(c: i64) -> String {
    format!("${}.{:02}", c / 100, c % 100)
}

struct Tile {
    sku: String,
    price: i64,
    on_hand: i64,
}

/// The n-th product tile that has stock.
async fn tile(app: &App, n: usize) -> Result<Tile> {
    app.find(".tile").await?;
    let tiles = app.client.find_all(fantoccini::Locator::Css(".tile")).await?;
    let mut stocked = Vec::new();
    for t in tiles {
        let sku = t.attr("data-sku").await?.unwrap_or_default();
        let price = cents(&t.find(fantoccini::Locator::Css(".tile-price")).await?.text().await?);
        let on_hand: i64 =
            t.find(fantoccini::Locator::Css(".tile-stock")).await?.attr("data-on-hand").await?.unwrap_or_default().parse()?;
        if on_hand > 2 {
            stocked.push(Tile { sku, price, on_hand });
        }
    }
    anyhow::ensure!(stocked.len() > n, "the demo catalogue has fewer than {} stocked tiles", n + 1);
    Ok(stocked.swap_remove(n))
}

fn stock_of(sku: &str) -> String {
    format!(".tile[data-sku='{sku}'] .tile-stock")
}

#[tokio::test]
async fn cash_sale_shows_change_and_the_stock_drops() -> Result<()> {
    let (app, _dir) = fresh_app().await?;
    app.screenshot("pos-390x844").await?;
    let t = tile(&app, 0).await?;

    // Three taps: the tile, Charge, a quick-cash note.
    app.click(&format!(".tile[data-sku='{}']", t.sku)).await?;
    app.wait_text("#cart-count", "1 item").await?;
    app.wait_text("#cart-total", &money(t.price)).await?;
    app.click("#charge").await?;
    app.wait_text("#due", &money(t.price)).await?;
    let notes = app.client.find_all(fantoccini::Locator::Css("#quick-cash .cash")).await?;
    let mut offers = Vec::new();
    for n in &notes {
        offers.push(n.attr("data-cents").await?.unwrap_or_default().parse::<i64>()?);
    }
    // Quick cash offers only what covers the sale: no tap pays in part.
    assert!(!offers.is_empty() && offers.iter().all(|c| *c > t.price), "{offers:?} for {}", t.price);
    let paid = offers[0];
    notes[0].click().await?;
    app.wait_text("#change", &money(paid - t.price)).await?;
    // The receipt says whose it is.
    app.wait_until("#receipt-shop", "text", |s| !s.is_empty()).await?;
    app.screenshot("receipt-390x844").await?;

    app.click("#new-sale").await?;
    app.wait_gone("#receipt").await?;
    app.wait_text("#cart-count", "0 items").await?;
    app.wait_until(&stock_of(&t.sku), "@data-on-hand", |v| v == (t.on_hand - 1).to_string()).await?;

    // The laptop layout: the cart stays open beside the catalogue.
    app.client.set_window_size(1280, 800).await?;
    app.find("#cart-panel").await?;
    app.screenshot("pos-1280x800").await?;
    app.quit().await
}

#[tokio::test]
async fn split_payment_then_refund_returns_the_stock() -> Result<()> {
    let (app, _dir) = fresh_app().await?;
    let a = tile(&app, 0).await?;
    let b = tile(&app, 1).await?;
    app.click(&format!(".tile[data-sku='{}']", a.sku)).await?;
    app.click(&format!(".tile[data-sku='{}']", b.sku)).await?;
    app.click(&format!(".tile[data-sku='{}']", b.sku)).await?;
    app.wait_text("#cart-count", "3 items").await?;
    // Undo takes back the last tap.
    app.click("#undo").await?;
    app.wait_text("#cart-count", "2 items").await?;
    let total = a.price + b.price;
    app.wait_text("#cart-total", &money(total)).await?;

    app.click("#charge").await?;
    // A split is behind its toggle: one tap never pays in part.
    app.wait_gone("#split-amount").await?;
    app.click("#split-toggle").await?;
    // A typo is refused with a word on what to type, and takes no money.
    app.fill("#split-amount", "five").await?;
    app.click("#split-card").await?;
    app.wait_until("#tender-error", "text", |t| t.contains("five")).await?;
    app.wait_text("#due", &money(total)).await?;
    // A part taken by mistake comes off again, after a question.
    app.fill("#split-amount", "2").await?;
    app.click("#split-cash").await?;
    app.wait_text("#due", &money(total - 200)).await?;
    app.click("#taken .payment[data-method='Cash'] .remove-payment").await?;
    app.click("#taken .payment[data-method='Cash'] .confirm-remove").await?;
    app.wait_text("#due", &money(total)).await?;
    app.fill("#split-amount", "5").await?;
    app.click("#split-card").await?;
    app.wait_text("#due", &money(total - 500)).await?;
    // Back to the cart keeps the card payment, and says so; Charge shows it again.
    app.click("#tender-back").await?;
    app.wait_until("#payments-kept", "text", |t| t.contains(&money(500))).await?;
    app.click("#charge").await?;
    app.wait_text("#due", &money(total - 500)).await?;
    app.click("#pay-exact").await?;
    app.wait_text("#change", "$0.00").await?;
    let receipt = app.text("#receipt-no").await?.trim_start_matches("Receipt ").to_string();
    app.click("#new-sale").await?;
    app.wait_until(&stock_of(&a.sku), "@data-on-hand", |v| v == (a.on_hand - 1).to_string()).await?;
    app.wait_until(&stock_of(&b.sku), "@data-on-hand", |v| v == (b.on_hand - 1).to_string()).await?;

    app.click("#nav-sales").await?;
    let row = format!(".sale[data-receipt='{receipt}']");
    let shown = app.text(&row).await?;
    assert!(shown.contains(&format!("Card {}", money(500))), "{shown}");
    assert!(shown.contains(&format!("Cash {}", money(total - 500))), "{shown}");
    app.click(&format!("{row} .refund")).await?;
    app.click(&format!("{row} .confirm-refund")).await?;
    app.wait_text(&format!("{row} .sale-status"), "Refunded").await?;
    app.screenshot("sales-390x844").await?;

    app.click("#nav-pos").await?;
    app.wait_until(&stock_of(&a.sku), "@data-on-hand", |v| v == a.on_hand.to_string()).await?;
    app.wait_until(&stock_of(&b.sku), "@data-on-hand", |v| v == b.on_hand.to_string()).await?;
    app.quit().await
}

#[tokio::test]
async fn a_market_day_opens_sells_and_closes_with_a_z_report() -> Result<()> {
    let (app, _dir) = fresh_app().await?;
    app.click("#nav-market").await?;
    // The demo shop may have an event open already; close it uncounted-free first.
    if app.client.find(fantoccini::Locator::Css("#close-event")).await.is_ok() {
        app.fill("#counted", "0").await?;
        app.click("#close-event").await?;
        app.click("#confirm-close").await?;
        app.find("#zreport").await?;
        app.click("#nav-pos").await?;
        app.click("#nav-market").await?;
    }
    app.fill("#event-name-input", "Tuesday Night Market").await?;
    app.fill("#event-location", "Elm Street").await?;
    app.fill("#event-float", "100").await?;
    app.click("#open-event").await?;
    app.wait_text("#event-name", "Tuesday Night Market").await?;
    app.wait_text("#totals-count", "0").await?;

    app.click("#nav-pos").await?;
    let t = tile(&app, 0).await?;
    app.click(&format!(".tile[data-sku='{}']", t.sku)).await?;
    app.click("#charge").await?;
    app.click("#pay-exact").await?;
    app.wait_text("#change", "$0.00").await?;
    app.click("#new-sale").await?;

    app.click("#nav-market").await?;
    app.wait_text("#totals-count", "1").await?;
    app.wait_text("#totals-total", &money(t.price)).await?;
    app.wait_text("#expected-cash", &money(10_000 + t.price)).await?;
    app.screenshot("market-390x844").await?;
    // One dollar too much in the till.
    let counted = 10_000 + t.price + 100;
    // Counted by notes and coins: the drawer's total is their sum.
    app.click("#count-by-note").await?;
    let mut left = counted;
    for note in [10_000, 5_000, 2_000, 1_000, 500, 100, 25, 10, 5, 1] {
        let n = left / note;
        left %= note;
        if n > 0 {
            app.fill(&format!("#denominations input[data-cents='{note}']"), &n.to_string()).await?;
        }
    }
    let typed = app.client.execute("return document.getElementById('counted').value", vec![]).await?;
    assert_eq!(typed, format!("{}.{:02}", counted / 100, counted % 100).as_str());
    app.click("#close-event").await?;
    app.click("#confirm-close").await?;
    app.wait_text("#over-short", "Over $1.00").await?;
    app.screenshot("zreport-390x844").await?;
    // The Z report comes first, above the form for the next day.
    let above = app
        .client
        .execute(
            "return document.getElementById('zreport').getBoundingClientRect().top
                 < document.getElementById('event-name-input').getBoundingClientRect().top",
            vec![],
        )
        .await?;
    assert_eq!(above, serde_json::Value::Bool(true), "the Z report is below the next day's form");
    // The same market next time is offered the float it started with.
    app.fill("#event-name-input", "Tuesday Night Market").await?;
    app.click("#event-location").await?;
    let mut float = serde_json::Value::Null;
    for _ in 0..100 {
        float = app.client.execute("return document.getElementById('event-float').value", vec![]).await?;
        if float == "100" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(float, "100", "the float was not remembered");
    app.quit().await
}

#[tokio::test]
async fn a_scanned_barcode_adds_its_product_and_an_unknown_one_says_so() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("wildroot.db");
    let (sku, barcode) = {
        let mut store = wildroot_core::Store::open(&db)?;
        store.seed_demo()?;
        let p = store.list_products(None, None)?.into_iter().find(|p| p.barcode.is_some()).expect("a demo product with a barcode");
        (p.sku, p.barcode.unwrap_or_default())
    };
    let app = App::launch(&Launch { db, sync_interval_secs: 30 }).await?;
    // A keyboard-wedge scanner types the digits and Enter.
    app.find("#search").await?.send_keys(&format!("{barcode}\u{E007}")).await?;
    app.wait_text("#cart-count", "1 item").await?;
    app.find(&format!(".cart-line[data-sku='{sku}']")).await?;
    app.wait_until("#search", "@value", str::is_empty).await?;

    app.find("#search").await?.send_keys("0000000000000\u{E007}").await?;
    app.wait_until("#pos-error", "text", |t| t.contains("nothing matches '0000000000000'")).await?;
    app.wait_text("#cart-count", "1 item").await?;

    // The toggle steps system → sunlight → dark → system, applied at once.
    // The webview's storage outlives a run, so begin from Settings' "System".
    // On a phone Settings sits behind "More".
    app.click("#nav-more").await?;
    app.click("#nav-settings").await?;
    app.click("#theme-system").await?;
    wait_theme(&app, None).await?;
    app.click("#nav-pos").await?;
    app.click("#theme-toggle").await?;
    wait_theme(&app, Some("sunlight")).await?;
    app.click("#theme-toggle").await?;
    wait_theme(&app, Some("dark")).await?;
    app.screenshot("pos-dark-390x844").await?;
    app.click("#theme-toggle").await?;
    wait_theme(&app, None).await?;
    app.quit().await
}

/// Waits until the page's `data-theme` is `want` (None: following the system).
async fn wait_theme(app: &App, want: Option<&str>) -> Result<()> {
    let want = want.map_or(serde_json::Value::Null, |w| w.into());
    let start = std::time::Instant::now();
    loop {
        let now = app.client.execute("return document.documentElement.getAttribute('data-theme')", vec![]).await?;
        if now == want {
            return Ok(());
        }
        anyhow::ensure!(start.elapsed() < wildroot_e2e::PATIENCE, "the theme stayed {now}, not {want}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// When the jar's lot matters, the cart line picks it; otherwise the sale
/// takes the earliest expiry. Checked in the database the app wrote.
#[tokio::test]
async fn a_lot_picked_on_the_cart_line_is_the_one_the_sale_takes() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("wildroot.db");
    {
        let mut store = wildroot_core::Store::open(&db)?;
        store.seed_demo()?;
        let later = chrono::Utc::now().date_naive() + chrono::Days::new(400);
        store.produce(wildroot_core::batch::ProduceRequest {
            sku: "SOAP-OAT".into(),
            batches: 1,
            lot_code: Some("OAT-LATE".into()),
            expires_on: Some(later),
            allow_short: true,
            ..Default::default()
        })?;
    }
    let app = App::launch(&Launch { db: db.clone(), sync_interval_secs: 30 }).await?;
    let outcome = async {
        app.client.set_window_size(1280, 800).await?;
        app.click(".tile[data-sku='SOAP-OAT']").await?;
        app.wait_until(".cart-line[data-sku='SOAP-OAT'] select.line-lot", "text", |t| t.contains("OAT-LATE")).await?;
        app.select(".cart-line[data-sku='SOAP-OAT'] select.line-lot", "OAT-LATE").await?;
        app.click("#charge").await?;
        app.click("#pay-exact").await?;
        app.click("#new-sale").await?;
        app.wait_text("#cart-count", "0 items").await?;
        anyhow::Ok(())
    }
    .await;
    if outcome.is_err() {
        let _ = app.screenshot("failed-lot-pick").await;
    }
    app.quit().await?;
    outcome?;
    let store = wildroot_core::Store::open(&db)?;
    let lots = store.list_lots("SOAP-OAT", true)?;
    let taken: Vec<(&str, i64)> = lots.iter().map(|l| (l.lot_code.as_str(), l.qty - l.on_hand)).collect();
    // The demo's own lot lost only what the demo sold from it; the picked one, this sale.
    let late = taken.iter().find(|(c, _)| *c == "OAT-LATE").map(|(_, n)| *n);
    assert_eq!(late, Some(1), "the sale took the picked lot, not the earlier one: {taken:?}");
    Ok(())
}

#[tokio::test]
async fn a_parked_cart_waits_through_a_restart_and_comes_back_to_be_sold() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let launch = Launch { db: dir.path().join("wildroot.db"), sync_interval_secs: 30 };
    let app = App::launch(&launch).await?;
    let t = tile(&app, 0).await?;
    let tile_css = format!(".tile[data-sku='{}']", t.sku);
    app.click(&tile_css).await?;
    app.click(&tile_css).await?;
    app.wait_text("#cart-count", "2 items").await?;
    app.click("#cart-toggle").await?;
    app.click("#park-cart").await?;
    // The next customer starts with an empty cart; the parked one is listed.
    app.wait_text("#cart-count", "0 items").await?;
    app.wait_until("#parked .parked-cart", "text", |s| s.contains("2 items")).await?;
    app.quit().await?;

    let app = App::launch(&launch).await?;
    app.wait_until("#parked .parked-cart", "text", |s| s.contains("2 items")).await?;
    app.click("#parked .parked-cart").await?;
    app.wait_text("#cart-count", "2 items").await?;
    app.wait_text("#cart-total", &money(2 * t.price)).await?;
    app.wait_gone("#parked .parked-cart").await?;
    app.click("#charge").await?;
    app.click("#pay-exact").await?;
    app.wait_text("#change", "$0.00").await?;
    app.click("#new-sale").await?;
    app.wait_until(&stock_of(&t.sku), "@data-on-hand", |v| v == (t.on_hand - 2).to_string()).await?;
    app.quit().await
}

#[tokio::test]
async fn a_preset_discount_the_owner_names_is_one_tap_at_the_booth() -> Result<()> {
    let (app, _dir) = fresh_app().await?;
    app.client.set_window_size(1280, 800).await?;
    app.click("#nav-settings").await?;
    // A mistake is refused with the reason, and nothing is saved.
    app.fill("#preset-lines", "Regular = 150%").await?;
    app.click("#save-presets").await?;
    app.wait_until("#toast", "text", |t| t.contains("more than 100%")).await?;
    // Enter, as a keyboard types a new line (WebDriver's key code).
    app.fill("#preset-lines", "Market regular = 10%\u{E007}Friend = 1.00").await?;
    app.click("#save-presets").await?;
    app.find("#presets-saved").await?;

    app.click("#nav-pos").await?;
    let t = tile(&app, 0).await?;
    app.click(&format!(".tile[data-sku='{}']", t.sku)).await?;
    app.screenshot("presets-pos-1280x800").await?;
    app.click("#discount-presets .preset[data-name='Market regular']").await?;
    // A tenth of the price off (rounded to the cent by the one pricing rule).
    let shown = app.wait_until("#cart-discount", "text", |s| s.starts_with("-$") && s != "-$0.00").await?;
    assert!((cents(&shown[1..]) - t.price / 10).abs() <= 1, "{shown} off {}", t.price);
    // A second tap takes it off again.
    app.click("#discount-presets .preset[data-name='Market regular']").await?;
    app.wait_text("#cart-discount", "$0.00").await?;
    app.quit().await
}

#[tokio::test]
async fn the_customer_sees_the_total_and_a_tile_on_the_receipt_starts_the_next_sale() -> Result<()> {
    let (app, _dir) = fresh_app().await?;
    let t = tile(&app, 0).await?;
    app.click(&format!(".tile[data-sku='{}']", t.sku)).await?;
    app.click("#charge").await?;
    // Turned round for the customer: the total in large type, closed by a tap.
    app.click("#show-customer").await?;
    app.wait_text("#customer-total", &money(t.price)).await?;
    app.click("#customer-view").await?;
    app.wait_gone("#customer-view").await?;
    app.click("#pay-card").await?;
    // A card sale's receipt says it is paid; there is no change to give.
    app.wait_text("#paid", &money(t.price)).await?;
    app.wait_gone("#change").await?;
    let next = app.attr("#next-tiles .next-tile", "data-sku").await?.unwrap_or_default();
    app.click("#next-tiles .next-tile").await?;
    app.wait_gone("#receipt").await?;
    app.wait_text("#cart-count", "1 item").await?;
    app.find(&format!(".cart-lines [data-sku='{next}'], .tile[data-sku='{next}'] .tile-qty")).await?;
    app.quit().await
}

#[tokio::test]
async fn the_keypad_sets_a_quantity_and_zero_takes_the_line_out() -> Result<()> {
    let (app, _dir) = fresh_app().await?;
    let t = tile(&app, 0).await?;
    app.click(&format!(".tile[data-sku='{}']", t.sku)).await?;
    app.click("#cart-toggle").await?;
    app.click(".cart-line .qty").await?;
    for key in ["1", "2", "3", "⌫"] {
        app.click(&format!("#qty-keypad .key[data-key='{key}']")).await?;
    }
    app.wait_text("#keypad-shown", "12").await?;
    app.click("#keypad-ok").await?;
    app.wait_text("#cart-count", "12 items").await?;
    app.wait_text("#cart-total", &money(12 * t.price)).await?;
    app.click(".cart-line .qty").await?;
    app.click("#qty-keypad .key[data-key='0']").await?;
    app.click("#keypad-ok").await?;
    app.wait_text("#cart-count", "0 items").await?;
    app.quit().await
}

#[tokio::test]
async fn a_payment_taken_before_the_cart_was_emptied_is_still_reachable_and_removable() -> Result<()> {
    let (app, _dir) = fresh_app().await?;
    let t = tile(&app, 0).await?;
    app.click(&format!(".tile[data-sku='{}']", t.sku)).await?;
    app.click("#charge").await?;
    app.click("#split-toggle").await?;
    app.fill("#split-amount", "1").await?;
    app.click("#split-card").await?;
    app.click("#tender-back").await?;
    app.click("#cart-toggle").await?;
    app.click(".cart-line .step-down").await?;
    app.wait_text("#cart-count", "0 items").await?;
    // The card payment is not dropped with the cart: Charge still leads to it.
    app.wait_until("#payments-kept", "text", |s| s.contains("$1.00")).await?;
    app.click("#charge").await?;
    app.wait_gone("#finish-sale").await?;
    app.click("#taken .payment[data-method='Card'] .remove-payment").await?;
    app.wait_until("#taken .ask", "text", |s| s.contains("charged")).await?;
    // The reader charged it: the answer is recorded and the refund is asked for.
    app.click("#taken .payment[data-method='Card'] .confirm-remove[data-charged='true']").await?;
    app.wait_gone("#taken .payment").await?;
    app.wait_until("#toast", "text", |s| s.contains("Refund the $1.00 on the card reader")).await?;
    app.click("#tender-back").await?;
    app.wait_gone("#payments-kept").await?;
    app.quit().await
}

/// An item not in the catalogue at a typed price, and a card payment taken
/// off with the answer "not charged": both reach the market day's Z report.
#[tokio::test]
async fn a_custom_amount_item_and_a_card_payment_taken_off_reach_the_z_report() -> Result<()> {
    let (app, _dir) = fresh_app().await?;
    app.click("#nav-market").await?;
    if app.client.find(fantoccini::Locator::Css("#close-event")).await.is_ok() {
        app.fill("#counted", "0").await?;
        app.click("#close-event").await?;
        app.click("#confirm-close").await?;
        app.find("#zreport").await?;
        app.click("#nav-pos").await?;
        app.click("#nav-market").await?;
    }
    app.fill("#event-name-input", "Custom Fair").await?;
    app.fill("#event-float", "0").await?;
    app.click("#open-event").await?;
    app.wait_text("#event-name", "Custom Fair").await?;

    app.click("#nav-pos").await?;
    app.click("#custom-item").await?;
    // A price that is not one says so beside the field, and adds nothing.
    app.fill("#custom-name", "Seconds jar").await?;
    app.fill("#custom-amount", "four").await?;
    app.click("#custom-add").await?;
    app.find("#custom-error").await?;
    app.wait_text("#cart-count", "0 items").await?;
    app.fill("#custom-amount", "4.00").await?;
    app.click("#custom-exempt").await?;
    app.click("#custom-add").await?;
    app.wait_gone("#custom-sheet").await?;
    // Exempt: $4.00 whatever the shop's tax.
    app.wait_text("#cart-total", "$4.00").await?;
    app.click("#cart-toggle").await?;
    app.find(".cart-line.custom[data-sku='Seconds jar']").await?;
    app.click("#charge").await?;
    app.click("#split-toggle").await?;
    app.fill("#split-amount", "1").await?;
    app.click("#split-card").await?;
    app.click("#taken .payment[data-method='Card'] .remove-payment").await?;
    app.click("#taken .payment[data-method='Card'] .confirm-remove[data-charged='false']").await?;
    app.wait_gone("#taken .payment").await?;
    app.click("#pay-exact").await?;
    app.click("#new-sale").await?;

    app.click("#nav-market").await?;
    app.wait_text("#totals-total", "$4.00").await?;
    app.fill("#counted", "4").await?;
    app.click("#close-event").await?;
    app.click("#confirm-close").await?;
    app.wait_text("#over-short", "Even").await?;
    app.wait_until("#z-units", "text", |s| s.contains("1 × Custom items · $4.00")).await?;
    app.wait_until("#z-withdrawn .withdrawn-payment[data-charged='false']", "text", |s| s.contains("$1.00 · not charged")).await?;
    app.screenshot("zreport-custom-withdrawn-390x844").await?;
    app.quit().await
}
