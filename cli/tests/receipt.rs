//! Receipts (#25) through the real CLI, with real parts on loopback: a
//! "printer" listening on 127.0.0.1 that keeps the bytes it is sent (parsed
//! back as ESC/POS), a printer that is off (connection refused), a printer
//! device file, and PDF receipts read back with poppler's `pdftotext` and
//! rendered with `pdftoppm`, as a user would (`scripts/setup-app` installs them).
#![allow(clippy::unwrap_used, clippy::expect_used)]
use crate::common;

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

struct Shop {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Shop {
    fn new() -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.db");
        Shop { dir, db }
    }
    fn ok(&self, args: &[&str]) -> String {
        common::ok(&self.db, args, None)
    }
    fn json(&self, args: &[&str]) -> serde_json::Value {
        common::json(&self.db, args)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// A shop at a market in Bristol VA with a taxed salve, food-rate tea and SNAP.
fn market_shop() -> Shop {
    let shop = Shop::new();
    shop.ok(&["init"]);
    shop.ok(&["settings", "business", "--name", "Wildroot Apothecary", "--address", "12 Mill St, Bristol VA 24201"]);
    shop.ok(&["settings", "business", "--refund-policy", "Unopened items may be returned within 30 days."]);
    shop.ok(&["product", "add", "--sku", "SALVE", "--name", "Lavender Salve", "--price", "14.00"]);
    shop.ok(&["product", "add", "--sku", "TEA", "--name", "Nettle Tea", "--price", "8.50", "--tax-category", "food"]);
    shop.ok(&["product", "adjust", "SALVE", "--qty", "20", "--reason", "counted"]);
    shop.ok(&["product", "adjust", "TEA", "--qty", "20", "--reason", "counted"]);
    shop.ok(&["tax", "add", "Bristol VA", "--rate", "5.3%", "--category", "food=2.5%"]);
    shop.ok(&["tender", "add", "SNAP", "--no-change", "--not-in-drawer"]);
    shop.ok(&["event", "open", "Saturday Market", "--place", "Bristol VA", "--float", "50"]);
    shop
}

/// A printer on 127.0.0.1: each connection's bytes, sent on when it closes.
fn printer() -> (u16, mpsc::Receiver<Vec<u8>>, std::thread::JoinHandle<()>, mpsc::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    let (stop_tx, stop) = mpsc::channel::<()>();
    let handle = std::thread::spawn(move || loop {
        if stop.try_recv().is_ok() {
            return; // the listener closes: the printer is off
        }
        match listener.accept() {
            Ok((mut s, _)) => {
                s.set_nonblocking(false).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let mut bytes = Vec::new();
                s.read_to_end(&mut bytes).unwrap();
                tx.send(bytes).unwrap();
            }
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    });
    (port, rx, handle, stop_tx)
}

/// What an ESC/POS stream prints: its lines of text, in order, and the
/// barcodes; every command must be one this parser knows (Epson's).
#[derive(Debug, Default)]
struct Printed {
    initialised: bool,
    lines: Vec<String>,
    bold_lines: Vec<String>,
    barcodes: Vec<String>,
    cut: bool,
}

fn parse_escpos(b: &[u8]) -> Printed {
    let mut p = Printed::default();
    let (mut i, mut line, mut bold, mut bold_seen) = (0, String::new(), false, false);
    assert_eq!(&b[..2], b"\x1b@", "a receipt starts by initialising the printer");
    while i < b.len() {
        assert!(!p.cut, "nothing after the cut");
        match b[i] {
            0x1b => {
                match b[i + 1] {
                    b'@' => p.initialised = true,
                    b'a' => assert!(b[i + 2] <= 2, "ESC a takes 0, 1 or 2"),
                    b'E' => {
                        bold = b[i + 2] == 1;
                        bold_seen |= bold;
                    }
                    b'd' => {}
                    other => panic!("unknown ESC {other:#x} at {i}"),
                }
                i += if b[i + 1] == b'@' { 2 } else { 3 };
            }
            0x1d => match b[i + 1] {
                b'!' | b'h' | b'w' | b'H' => i += 3,
                b'k' => {
                    assert_eq!(b[i + 2], 73, "CODE128");
                    let n = b[i + 3] as usize;
                    let data = String::from_utf8(b[i + 4..i + 4 + n].to_vec()).unwrap();
                    p.barcodes.push(data.strip_prefix("{B").expect("code set B").to_string());
                    i += 4 + n;
                }
                b'V' => {
                    assert_eq!(b[i + 2], 66);
                    p.cut = true;
                    i += 4;
                }
                other => panic!("unknown GS {other:#x} at {i}"),
            },
            b'\n' => {
                if bold_seen {
                    p.bold_lines.push(line.trim().to_string());
                }
                p.lines.push(std::mem::take(&mut line));
                bold_seen = bold;
                i += 1;
            }
            c => {
                assert!((0x20..0x7f).contains(&c), "a byte a printer's code page prints: {c:#x} at {i}");
                line.push(c as char);
                i += 1;
            }
        }
    }
    assert!(p.initialised && p.cut, "initialised and cut: {p:?}");
    p
}

/// `lines` hold each of `want`, in that order (several may share a line).
fn in_order(lines: &[String], want: &[&str]) {
    let all = lines.join("\n");
    let mut at = 0;
    for w in want {
        match all[at..].find(w) {
            Some(k) => at += k + w.len(),
            None => panic!("'{w}' not found after byte {at} in:\n{all}"),
        }
    }
}

#[test]
fn a_receipt_prints_on_a_network_printer_and_a_printer_that_is_off_never_loses_the_sale() {
    let shop = market_shop();
    let (port, printed, handle, stop) = printer();
    let address = format!("127.0.0.1:{port}");
    let set = shop.json(&["settings", "printer", "--tcp", &address, "--width", "58", "--auto"]);
    assert_eq!((set["printer"].as_str(), set["width_mm"].as_i64(), set["auto_print"].as_bool()), (Some("tcp"), Some(58), Some(true)));

    // 2 salves less 10 % (25.20 at 5.3 % = 1.34) and a tea (8.50 at 2.5 % = 0.21): 35.25.
    let sale = shop.json(&["sell", "--line", "SALVE=2~10%", "--line", "TEA=1", "--pay", "SNAP=8.71", "--pay", "cash=30", "--tip", "2"]);
    let no = sale["receipt_no"].as_str().unwrap().to_string();
    assert_eq!(sale["total_cents"], 3525);
    let bytes = printed.recv_timeout(Duration::from_secs(10)).expect("the sale printed its receipt");
    let p = parse_escpos(&bytes);
    assert!(p.lines.iter().all(|l| l.len() <= 32), "58 mm paper is 32 characters wide: {:?}", p.lines);
    in_order(
        &p.lines,
        &[
            "Wildroot Apothecary",
            "12 Mill St",
            "Saturday Market",
            "UTC",
            &no,
            "Lavender Salve",
            "2 x 14.00",
            "-2.80",
            "Nettle Tea",
            "Subtotal",
            "Tax 2.50% Bristol VA",
            "0.21",
            "Tax 5.30% Bristol VA",
            "1.34",
            "TOTAL",
            "SNAP",
            "8.71",
            "Cash",
            "30.00",
            "Change",
            "1.46",
            "Tip (Cash)",
            "2.00",
            "30 days",
        ],
    );
    assert!(p.bold_lines.iter().any(|l| l.contains("TOTAL") && l.contains("35.25")), "the total is bold: {:?}", p.bold_lines);
    assert_eq!(p.barcodes, [no.as_str()], "the receipt number's code");

    // The printer is switched off: the next sale is recorded all the same and says why it did not print.
    stop.send(()).unwrap();
    handle.join().unwrap();
    let out = common::run(&shop.db, &["--json", "sell", "--line", "TEA=1", "--pay", "card=8.71"], None);
    assert!(out.status.success(), "a printer that is off never fails the sale");
    let second: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let second_no = second["receipt_no"].as_str().unwrap().to_string();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did not print") && err.contains(&format!("receipt {second_no} --print")), "{err}");
    let sales = shop.json(&["report", "sales", "--by", "day"]);
    assert_eq!(sales["total_cents"], 3525 + 871, "{sales}");
    let off = common::run(&shop.db, &["receipt", &second_no, "--print"], None);
    assert!(!off.status.success() && String::from_utf8_lossy(&off.stderr).contains("did not print"));

    // The printer is back (on another port): the receipt prints again, the same figures.
    let (port, printed, handle, stop) = printer();
    shop.ok(&["settings", "printer", "--tcp", &format!("127.0.0.1:{port}"), "--width", "80"]);
    assert!(shop.ok(&["receipt", &second_no, "--print"]).contains("Printed"));
    let p = parse_escpos(&printed.recv_timeout(Duration::from_secs(10)).unwrap());
    assert!(p.lines.iter().all(|l| l.len() <= 48));
    in_order(&p.lines, &["Nettle Tea", "Tax 2.50% Bristol VA on 8.50", "0.21", "TOTAL", "8.71", "Card", "8.71"]);
    stop.send(()).unwrap();
    handle.join().unwrap();

    // A printer on a device file (USB or Bluetooth serial) gets the same stream.
    let lp = shop.path("lp0");
    std::fs::write(&lp, b"").unwrap();
    shop.ok(&["settings", "printer", "--device", lp.to_str().unwrap(), "--no-auto"]);
    shop.ok(&["receipt", &no, "--print"]);
    let p = parse_escpos(&std::fs::read(&lp).unwrap());
    assert_eq!(p.barcodes, [no.as_str()]);
    // The same bytes as `--format escpos` at that width.
    let file = shop.path("r.bin");
    shop.ok(&["receipt", &no, "--format", "escpos", "--width", "80", "--out", file.to_str().unwrap()]);
    assert_eq!(std::fs::read(&file).unwrap(), std::fs::read(&lp).unwrap());

    // Bad settings say what to fix and change nothing.
    for (args, says) in [
        (vec!["settings", "printer", "--tcp", "printer.local"], "HOST:PORT"),
        (vec!["settings", "printer", "--tcp", "10.0.0.9:99999"], "HOST:PORT"),
        (vec!["settings", "printer", "--device", "lp0"], "full path"),
        (vec!["settings", "printer", "--width", "76"], "58 or 80"),
        (vec!["receipt", "Z-999999"], "no sale 'Z-999999'"),
        (vec!["receipt", &no, "--format", "docx"], "text, html, pdf or escpos"),
    ] {
        let out = common::run(&shop.db, &args, None);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(says), "{args:?}: {err}");
    }
    let now = shop.json(&["settings", "printer"]);
    assert_eq!((now["printer"].as_str(), now["width_mm"].as_i64(), now["auto_print"].as_bool()), (Some("device"), Some(80), Some(false)));
}

fn tool(name: &str) -> PathBuf {
    let found = Command::new("sh").args(["-c", &format!("command -v {name}")]).output().unwrap();
    assert!(found.status.success(), "{name} is missing: install poppler-utils (scripts/setup-app does)");
    PathBuf::from(String::from_utf8(found.stdout).unwrap().trim())
}

fn pdftotext(pdf: &Path) -> Vec<String> {
    let out = Command::new(tool("pdftotext")).args(["-layout", pdf.to_str().unwrap(), "-"]).output().unwrap();
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(String::from).collect()
}

#[test]
fn pdf_and_html_receipts_read_back_with_the_tools_a_user_has() {
    let shop = market_shop();
    let sale = shop.json(&["sell", "--line", "SALVE=1", "--line", "TEA=2", "--custom", "Crème jar=1@3.00:exempt", "--pay", "cash=40"]);
    let no = sale["receipt_no"].as_str().unwrap().to_string();
    shop.ok(&["refund", &no, "--line", "TEA=1"]);
    let pdf = shop.path("receipt.pdf");
    shop.ok(&["receipt", &no, "--format", "pdf", "--out", pdf.to_str().unwrap()]);
    let text = pdftotext(&pdf);
    // 14.00 at 5.3 % = 0.74; 17.00 at 2.5 % = 0.43; the jar exempt: 35.17.
    in_order(
        &text,
        &[
            "Wildroot Apothecary",
            "12 Mill St, Bristol VA 24201",
            "Saturday Market",
            &format!("Receipt {no}"),
            "Lavender Salve",
            "1 x 14.00",
            "Nettle Tea",
            "2 x 8.50",
            "17.00",
            "Crème jar",
            "Subtotal",
            "34.00",
            "Tax 2.50% Bristol VA on 17.00",
            "0.43",
            "Tax 5.30% Bristol VA on 14.00",
            "0.74",
            "TOTAL",
            "35.17",
            "Cash",
            "40.00",
            "Change",
            "4.83",
            "Refunded",
            "-8.72",
            "30 days",
        ],
    );
    // pdftoppm renders it: a page a printer can take.
    let png = shop.path("page");
    let out = Command::new(tool("pdftoppm"))
        .args(["-png", "-r", "72", "-singlefile", pdf.to_str().unwrap(), png.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&out.stderr));
    let rendered = std::fs::read(shop.path("page.png")).unwrap();
    assert!(rendered.starts_with(b"\x89PNG") && rendered.len() > 1000);

    // HTML for the screen and the system print dialog, escaped.
    shop.ok(&["settings", "business", "--name", "Roots & <Herbs>"]);
    let html = shop.ok(&["receipt", &no, "--format", "html"]);
    assert!(html.starts_with("<!doctype html>") && html.contains("Roots &amp; &lt;Herbs&gt;") && html.contains("35.17"), "{html}");
    // JSON: every figure in cents.
    let j = shop.json(&["receipt", &no]);
    assert_eq!(
        (j["total_cents"].as_i64(), j["taxes"].as_array().map(Vec::len), j["refunds"][0]["total_cents"].as_i64()),
        (Some(3517), Some(2), Some(872))
    );
}

/// A label's code typed or scanned into `--line` (#25) sells from the lot it
/// names, in each form a scanner sends; the recall of that lot finds it.
#[test]
fn a_label_s_scanned_code_in_line_sells_from_that_lot() {
    let shop = Shop::new();
    shop.ok(&["init"]);
    shop.ok(&["supply", "add", "--name", "Beeswax", "--unit", "g"]);
    shop.ok(&["supply", "receive", "Beeswax", "--qty", "2kg", "--cost", "36.00"]);
    shop.ok(&["product", "add", "--sku", "SALVE", "--name", "Lavender Salve", "--price", "14.00", "--barcode", "0860001010015"]);
    shop.ok(&["recipe", "set", "SALVE", "--yield", "10", "--line", "Beeswax=100g"]);
    shop.ok(&["batch", "produce", "SALVE", "--lot", "SOON", "--expires", "2030-03-01"]);
    shop.ok(&["batch", "produce", "SALVE", "--lot", "LATE", "--expires", "2030-09-01"]);
    for code in [
        "(01)00860001010015(17)300901(10)LATE=2",
        "https://id.wildroot.example/01/00860001010015/10/LATE?17=300901=1",
        "(240)SALVE(10)LATE=1",
    ] {
        shop.ok(&["sell", "--line", code, "--pay", "cash=100"]);
    }
    let lots = shop.json(&["lots", "SALVE"]);
    let left: Vec<(String, i64)> = lots["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["lot_code"].as_str().unwrap().to_string(), l["on_hand"].as_i64().unwrap()))
        .collect();
    assert_eq!(left, [("SOON".to_string(), 10), ("LATE".to_string(), 6)], "{lots}");
    let recall = shop.json(&["trace", "product-lot", "LATE"]);
    assert_eq!(recall["sales"].as_array().map(Vec::len), Some(3), "{recall}");
    for (code, says) in [("(01)00860001010010(10)LATE=1", "check digit"), ("https://id.example/01/00860001010015", "no quantity")] {
        let out = common::run(&shop.db, &["sell", "--line", code, "--pay", "cash=100"], None);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(says), "{code}: {err}");
    }
}

/// A salve's labels (#25), read back with the tools a user has:
/// `pdftotext` finds every required element in order (ingredients by
/// weight, heaviest first, with volumes weighed by their density; both net
/// units; lot; best-before), `pdftoppm` renders each stock, and `zbarimg`
/// decodes the barcode to exactly the GTIN, expiry and lot, which sold at
/// the booth takes that lot.
#[test]
fn labels_list_ingredients_by_weight_and_their_barcode_scans_back_to_the_lot() {
    let shop = Shop::new();
    shop.ok(&["init"]);
    shop.ok(&["settings", "business", "--name", "Wildroot Apothecary", "--address", "12 Mill St, Bristol VA 24201"]);
    for (name, unit, qty) in [("Beeswax", "g", "1kg"), ("Olive oil", "ml", "2l"), ("Lavender oil", "ml", "100ml"), ("Tin", "each", "50")] {
        shop.ok(&["supply", "add", "--name", name, "--unit", unit]);
        shop.ok(&["supply", "receive", name, "--qty", qty, "--cost", "10"]);
    }
    shop.ok(&["supply", "edit", "Beeswax", "--inci", "Cera Alba"]);
    // 300 ml of olive oil at 0.91 g/ml is 273 g: more than the 250 g of wax, though fewer "units".
    shop.ok(&["supply", "edit", "Olive oil", "--inci", "Olea Europaea Fruit Oil", "--density", "0.91"]);
    shop.ok(&["product", "add", "--sku", "SALVE", "--name", "Lavender Salve", "--price", "14", "--barcode", "0860001010015"]);
    shop.ok(&[
        "product",
        "edit",
        "SALVE",
        "--net",
        "56 g",
        "--label-name",
        "Lavender Healing Salve",
        "--warning",
        "For external use only.",
    ]);
    shop.ok(&[
        "recipe",
        "set",
        "SALVE",
        "--yield",
        "10",
        "--line",
        "Beeswax=250g",
        "--line",
        "Olive oil=300ml",
        "--line",
        "Lavender oil=5ml",
        "--line",
        "Tin=10",
    ]);
    shop.ok(&["batch", "produce", "SALVE", "--lot", "L-0901", "--expires", "2027-09-01"]);
    shop.ok(&["batch", "produce", "SALVE", "--lot", "L-0101", "--expires", "2027-01-01"]);

    let j = shop.json(&["label", "L-0901"]);
    let names: Vec<&str> = j["label"]["ingredients"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Olea Europaea Fruit Oil", "Cera Alba", "Lavender oil"], "by weight, tins left out: {j}");
    let notes = j["label"]["notes"].to_string();
    assert!(notes.contains("Lavender oil has no density") && notes.contains("no INCI name"), "{notes}");

    for stock in ["rect", "square", "round", "single"] {
        let pdf = shop.path(&format!("{stock}.pdf"));
        let out = common::run(&shop.db, &["label", "L-0901", "--stock", stock, "--out", pdf.to_str().unwrap()], None);
        assert!(out.status.success(), "{stock}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("1 g per ml"), "the preview says what it assumed");
        // One label on the stock, read in order (words wrap where the stock is narrow).
        let one = shop.path(&format!("{stock}-1.pdf"));
        shop.ok(&["label", "L-0901", "--stock", stock, "--count", "1", "--out", one.to_str().unwrap()]);
        let words = pdftotext(&one).join(" ").split_whitespace().collect::<Vec<_>>().join(" ");
        in_order(
            &[words],
            &[
                "Lavender Healing",
                "Net wt 1.97 oz (56 g)",
                "Ingredients:",
                "Olea Europaea Fruit Oil,",
                "Cera Alba,",
                "Lavender oil.",
                "For external use only",
                "Wildroot Apothecary",
                "Lot L-0901",
                "Best before 2027-09-01",
                "(01)00860001010015(17)270901(10)L-0901",
            ],
        );
        let png = shop.path(stock);
        let render = Command::new(tool("pdftoppm"))
            .args(["-r", "300", "-png", "-singlefile", pdf.to_str().unwrap(), png.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(render.status.success(), "pdftoppm {stock}");
        let scan =
            Command::new(tool("zbarimg")).args(["-q", "--raw", shop.path(&format!("{stock}.png")).to_str().unwrap()]).output().unwrap();
        let decoded = String::from_utf8_lossy(&scan.stdout).to_string();
        let codes: Vec<&str> = decoded.lines().filter(|l| !l.is_empty()).collect();
        assert!(!codes.is_empty() && codes.iter().all(|c| *c == "01008600010100151727090110L-0901"), "{stock}: {decoded:?}");
    }
    // The decoded code, typed at the till, sells from that lot (not the one expiring first).
    shop.ok(&["sell", "--line", "01008600010100151727090110L-0901=1", "--pay", "cash=20"]);
    let lots = shop.json(&["lots", "SALVE"]);
    let left: Vec<(String, i64)> = lots["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["lot_code"].as_str().unwrap().to_string(), l["on_hand"].as_i64().unwrap()))
        .collect();
    assert_eq!(left, [("L-0101".to_string(), 10), ("L-0901".to_string(), 9)]);

    // Bad input says what to fix.
    for (args, says) in [
        (vec!["label", "NOPE"], "no product lot 'NOPE'"),
        (vec!["label", "L-0901", "--stock", "hexagon"], "rect, square, round, single"),
        (vec!["label", "L-0901", "--count", "0"], "1 to 1000"),
        (vec!["product", "edit", "SALVE", "--net", "2 jars"], "56 g or 30 ml"),
        (vec!["supply", "edit", "Beeswax", "--density", "0.9"], "not ml"),
        (vec!["supply", "edit", "Olive oil", "--density", "heavy"], "like 0.92"),
    ] {
        let out = common::run(&shop.db, &args, None);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(says), "{args:?}: {err}");
    }
}
