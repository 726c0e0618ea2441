//! Receipts in the real app (#25): this device's printer set in Settings
//! (a loopback "printer" keeps what it is sent), a sale printed after it is
//! rung up with tax by place and rate on the screen and on paper, and a
//! printer switched off: the sale stands and the vendor is told.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use anyhow::Result;
use std::collections::BTreeMap;
use std::io::Read;
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;
use wildroot_core::Store;
use wildroot_e2e::{App, Launch};
use wildroot_model::op::EventTerms;
use wildroot_model::tax::TaxPlace;
use wildroot_model::Money;

/// A printer on 127.0.0.1 that takes one receipt, then is switched off.
fn printer_for_one() -> (u16, mpsc::Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut bytes = Vec::new();
            let _ = s.read_to_end(&mut bytes);
            let _ = tx.send(bytes);
        }
        // The listener is dropped here: the printer is off.
    });
    (port, rx)
}

#[tokio::test]
async fn a_sale_prints_its_receipt_and_a_printer_that_is_off_leaves_the_sale() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("wildroot.db");
    {
        let mut s = Store::open(&db)?;
        s.seed_demo()?;
        if s.current_event()?.is_some() {
            s.close_event(Money(0))?;
        }
        let place =
            TaxPlace { name: "Bristol TN".into(), rate_bp: 925, inclusive: false, categories: BTreeMap::from([("food".to_string(), 400)]) };
        let terms = EventTerms { place: Some(place.clone()), ..Default::default() };
        s.set_tax_place(place, false)?;
        s.open_event_with("Sunday Market", None, None, Money(0), terms)?;
    }
    let (port, printed) = printer_for_one();
    let app = App::launch(&Launch { db: db.clone(), sync_interval_secs: 30 }).await?;
    let outcome = async {
        // Settings are in the laptop's sidebar; the booth is the phone.
        app.client.set_window_size(1280, 800).await?;
        app.click("#nav-settings").await?;
        app.select("#printer-kind", "tcp").await?;
        app.fill("#printer-address", "printer.local").await?;
        app.click("#save-printer").await?;
        app.wait_until("#toast", "text", |t| t.contains("HOST:PORT")).await?;
        app.fill("#printer-address", &format!("127.0.0.1:{port}")).await?;
        app.select("#printer-width", "58").await?;
        app.click("#printer-auto").await?;
        app.click("#save-printer").await?;
        app.find("#printer-saved").await?;
        app.client.set_window_size(390, 844).await?;

        // Oat soap, 9.00 at Bristol TN's 9.25 %: 0.83 of tax, 9.83.
        app.click("#nav-pos").await?;
        app.click(".tile[data-sku='SOAP-OAT']").await?;
        app.click("#charge").await?;
        app.click("#pay-card").await?;
        app.wait_text("#receipt-total", "$9.83").await?;
        app.wait_text(".receipt-tax[data-rate-bp='925']", "$0.83").await?;
        let receipt_no = app.text("#receipt-no").await?.trim_start_matches("Receipt ").to_string();
        let bytes = tokio::task::spawn_blocking(move || printed.recv_timeout(Duration::from_secs(15))).await??;
        let text = String::from_utf8_lossy(&bytes).to_string();
        assert!(bytes.starts_with(b"\x1b@") && bytes.ends_with(b"\x1dVB\x00"), "initialised and cut");
        for want in ["Sunday Market", receipt_no.as_str(), "Tax 9.25% Bristol TN", "0.83", "TOTAL", "9.83", "Card"] {
            assert!(text.contains(want), "'{want}' on the printed receipt:\n{text}");
        }
        app.screenshot("receipt-printed-390x844").await?;

        // The printer is off now: printing again says so, and the sale is still there.
        app.click("#print-receipt").await?;
        app.wait_until("#toast", "text", |t| t.contains("did not print") && t.contains("The sale is recorded")).await?;
        let sales = Store::open(&db)?.recent_sales(None, 5)?;
        assert_eq!(sales.first().map(|s| (s.receipt_no.clone(), s.total_cents)), Some((receipt_no.clone(), 983)));
        app.click("#new-sale").await?;
        app.click("#nav-sales").await?;
        app.click(&format!("li.sale[data-receipt='{receipt_no}'] .reprint")).await?;
        app.wait_until("#toast", "text", |t| t.contains("did not print")).await?;
        anyhow::Ok(())
    }
    .await;
    if outcome.is_err() {
        let _ = app.screenshot("failed-receipt").await;
    }
    app.quit().await?;
    outcome
}

/// A jar's label code, scanned at the booth (a keyboard wedge types it and
/// Enter), adds the product from the lot on the label: the sale takes that
/// lot, not the first to expire.
#[tokio::test]
async fn a_scanned_label_code_sells_the_jar_from_its_own_lot() -> Result<()> {
    use wildroot_core::batch::ProduceRequest;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("wildroot.db");
    let sku = "SALVE-LAV-2OZ";
    {
        let mut s = Store::open(&db)?;
        s.seed_demo()?;
        for (lot, expires) in [("E2E-SOON", "2027-01-15"), ("E2E-LATE", "2031-06-30")] {
            s.produce(ProduceRequest {
                sku: sku.into(),
                batches: 1,
                lot_code: Some(lot.into()),
                expires_on: expires.parse().ok(),
                allow_short: true,
                made: None,
            })?;
        }
    }
    let on_hand = |lot: &str| -> Result<i64> {
        Ok(Store::open(&db)?.list_lots(sku, true)?.into_iter().find(|l| l.lot_code == lot).map(|l| l.on_hand).unwrap_or(-1))
    };
    let (soon, late) = (on_hand("E2E-SOON")?, on_hand("E2E-LATE")?);
    let app = App::launch(&Launch { db: db.clone(), sync_interval_secs: 30 }).await?;
    let outcome = async {
        let code = wildroot_model::gs1::printed_code(None, sku, Some("E2E-LATE"), chrono::NaiveDate::from_ymd_opt(2031, 6, 30));
        app.find("#search").await?.send_keys(&format!("{code}\u{E007}")).await?;
        app.wait_text("#cart-count", "1 item").await?;
        app.find(&format!(".cart-line[data-sku='{sku}']")).await?;
        app.wait_until("#search", "@value", str::is_empty).await?;
        // A code that cannot be right says why and adds nothing.
        app.find("#search").await?.send_keys("(01)00860001010010(10)X\u{E007}").await?;
        app.wait_until("#pos-error", "text", |t| t.contains("check digit")).await?;
        app.wait_text("#cart-count", "1 item").await?;
        app.click("#charge").await?;
        app.click("#pay-card").await?;
        app.find("#receipt-total").await?;
        anyhow::Ok(())
    }
    .await;
    if outcome.is_err() {
        let _ = app.screenshot("failed-scanned-label").await;
    }
    app.quit().await?;
    outcome?;
    assert_eq!((on_hand("E2E-SOON")?, on_hand("E2E-LATE")?), (soon, late - 1), "the jar came from the lot on its label");
    Ok(())
}

/// The owner previews a lot's labels in Recipes & batches (#25): the
/// ingredients in the core's order, the barcode the PDF draws, what it
/// assumed; and saves a sheet as a PDF beside the shop.
#[tokio::test]
async fn the_owner_previews_a_lot_s_labels_and_saves_a_sheet() -> Result<()> {
    use wildroot_core::batch::ProduceRequest;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("wildroot.db");
    let sku = "SALVE-LAV-2OZ";
    {
        let mut s = Store::open(&db)?;
        s.seed_demo()?;
        s.edit_product(sku, wildroot_core::product::ProductEdit { net: Some("56 g".into()), ..Default::default() })?;
        s.produce(ProduceRequest {
            sku: sku.into(),
            batches: 1,
            lot_code: Some("E2E-LBL".into()),
            expires_on: "2031-06-30".parse().ok(),
            allow_short: true,
            made: None,
        })?;
    }
    let want = Store::open(&db)?.label("E2E-LBL")?;
    let app = App::launch(&Launch { db: db.clone(), sync_interval_secs: 30 }).await?;
    let outcome = async {
        app.client.set_window_size(1280, 800).await?;
        app.click("#nav-recipes").await?;
        app.click("tr.batch[data-lot='E2E-LBL'] .label-batch").await?;
        app.wait_text("#label-net", "Net wt 1.97 oz (56 g)").await?;
        let shown = app.client.find_all(fantoccini::Locator::Css("#label-ingredients .ingredient")).await?;
        let mut names = Vec::new();
        for s in &shown {
            names.push(s.text().await?);
        }
        assert_eq!(names, want.ingredients.iter().map(|i| i.name.clone()).collect::<Vec<_>>(), "heaviest first, as the core says");
        let bars = app.client.find_all(fantoccini::Locator::Css("#label-barcode rect.bar")).await?;
        assert_eq!(bars.len(), wildroot_model::label::barcode(&want.code).map(|b| b.0.len()).unwrap_or(0));
        app.wait_text("#label-code", &want.code).await?;
        app.client.execute("document.getElementById('label-panel').scrollIntoView()", vec![]).await?;
        app.screenshot("label-preview-1280x800").await?;
        app.select("#label-stock", "square").await?;
        app.fill("#label-count", "0").await?;
        app.click("#save-labels").await?;
        app.wait_until("#toast", "text", |t| t.contains("1 to 1000")).await?;
        app.fill("#label-count", "12").await?;
        app.click("#save-labels").await?;
        let saved = app.wait_until("#labels-saved", "text", |t| t.contains(".pdf")).await?;
        let path = dir.path().join("labels").join("E2E-LBL-square.pdf");
        assert!(saved.contains(&path.display().to_string()), "{saved}");
        let pdf = std::fs::read(&path)?;
        assert!(pdf.starts_with(b"%PDF-1.4") && String::from_utf8_lossy(&pdf).contains("E2E-LBL"));
        anyhow::Ok(())
    }
    .await;
    if outcome.is_err() {
        let _ = app.screenshot("failed-label-preview").await;
    }
    app.quit().await?;
    outcome
}
