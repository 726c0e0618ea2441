//! The `wildroot` binary against real SQLite files: the JSON contract other
//! issues rely on, exit codes, error messages, and bad input leaving the
//! database exactly as it was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

struct Shop {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl Shop {
    fn new() -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.db");
        Shop { _dir: dir, db }
    }

    fn demo() -> Shop {
        let shop = Shop::new();
        shop.ok(&["init", "--demo"]);
        shop
    }

    fn run(&self, args: &[&str]) -> Output {
        common::run(&self.db, args, None)
    }

    fn ok(&self, args: &[&str]) -> String {
        common::ok(&self.db, args, None)
    }

    fn json(&self, args: &[&str]) -> Value {
        common::json(&self.db, args)
    }

    /// Runs a command that must fail; returns stderr and checks nothing changed.
    fn refused(&self, args: &[&str]) -> String {
        let before = snapshot(&self.db);
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} should have failed: {}", String::from_utf8_lossy(&out.stdout));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with("error: "), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one clear sentence: {err}");
        assert_eq!(snapshot(&self.db), before, "{args:?} changed the database");
        err
    }
}

/// Every row of every business table, and the length of the log.
fn snapshot(db: &Path) -> Vec<String> {
    let store = wildroot_core::Store::open(db).unwrap();
    let mut out: Vec<String> =
        wildroot_core::oplog::dump_tables(store.conn()).unwrap().into_iter().map(|(t, rows)| format!("{t}: {}", rows.join("\n"))).collect();
    out.push(format!("ops: {}", wildroot_core::oplog::op_count(store.conn()).unwrap()));
    out
}

fn on_hand(shop: &Shop, sku: &str) -> i64 {
    let v = shop.json(&["product", "list", "--search", sku]);
    v["products"].as_array().unwrap().iter().find(|p| p["sku"] == sku).unwrap()["on_hand"].as_i64().unwrap()
}

#[test]
fn a_market_day_from_the_command_line() {
    let shop = Shop::new();
    shop.ok(&["init"]);
    shop.ok(&["supply", "add", "--name", "Beeswax", "--unit", "g", "--reorder-at", "500g"]);
    shop.ok(&["supply", "add", "--name", "Olive oil", "--unit", "ml"]);
    shop.ok(&["supply", "receive", "Beeswax", "--qty", "2kg", "--cost", "36.00"]);
    shop.ok(&["supply", "receive", "Olive oil", "--qty", "1.5l", "--cost", "18"]);
    let p =
        shop.json(&["product", "add", "--sku", "SALVE", "--name", "Lavender Salve", "--price", "14.00", "--low-stock", "5", "--favorite"]);
    assert_eq!(p["products"][0]["price_cents"], 1400);
    shop.ok(&["recipe", "set", "SALVE", "--yield", "12", "--line", "Beeswax=170g", "--line", "Olive oil=500ml"]);
    let b = shop.json(&["batch", "produce", "SALVE", "--batches", "2", "--expires", "2030-01-01"]);
    // 340 g × 1.8¢ + 1000 ml × 1.2¢ = 612 + 1200
    assert_eq!(b["cost_cents"], 1812);
    assert_eq!(on_hand(&shop, "SALVE"), 24);
    let stock = shop.json(&["stock"]);
    let wax = stock["supplies"].as_array().unwrap().iter().find(|s| s["name"] == "Beeswax").unwrap().clone();
    assert_eq!(wax["on_hand"], 2000 - 340);

    shop.ok(&["event", "open", "Saturday Market", "--float", "50"]);
    let sale = shop.json(&["sell", "--line", "SALVE=2", "--pay", "cash=30"]);
    assert_eq!(sale["total_cents"], 2800);
    assert_eq!(sale["change_cents"], 200);
    assert!(sale["sale_id"].is_string());
    let split = shop.json(&["sell", "--line", "SALVE=1", "--pay", "card=10", "--pay", "cash=5"]);
    assert_eq!(split["change_cents"], 100);
    assert_eq!(on_hand(&shop, "SALVE"), 21);
    let refund = shop.json(&["refund", sale["receipt_no"].as_str().unwrap(), "--line", "SALVE=1"]);
    assert_eq!(refund["total_cents"], 1400);
    assert_eq!(on_hand(&shop, "SALVE"), 22);
    let z = shop.json(&["event", "close", "--counted", "77.50"]);
    // 50 float + 28 + 4 cash − 14 refunded = 68; counted 77.50 → 9.50 over
    assert_eq!(z["expected_cash_cents"], 6800);
    assert_eq!(z["over_short_cents"], 950);

    let report = shop.json(&["report", "sales", "--by", "product"]);
    assert_eq!(report["total_cents"], 2800 + 1400 - 1400);
    assert_eq!(report["rows"][0]["units"], 2);
    let by_pay = shop.json(&["report", "sales", "--by", "payment"]);
    assert_eq!(by_pay["total_cents"], report["total_cents"]);
    let valuation = shop.json(&["report", "valuation"]);
    assert_eq!(
        valuation["total_cents"].as_i64(),
        Some(valuation["supplies_cents"].as_i64().unwrap() + valuation["products_cents"].as_i64().unwrap())
    );
    let csv = shop.ok(&["--csv", "report", "sales", "--by", "day"]);
    assert!(csv.starts_with("group,units,gross,discounts,tax,refunds,net,total\n"), "{csv}");
}

#[test]
fn alerts_appear_and_clear() {
    let shop = Shop::demo();
    let kinds = |shop: &Shop| -> Vec<(String, String)> {
        shop.json(&["alerts"])
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["kind"].as_str().unwrap().to_string(), a["item"].as_str().unwrap().to_string()))
            .collect()
    };
    assert!(kinds(&shop).contains(&("reorder".into(), "Calendula-infused oil".into())));
    let left = on_hand(&shop, "BUTTER-SHEA-4OZ");
    shop.ok(&["sell", "--line", &format!("BUTTER-SHEA-4OZ={}", left - 2), "--pay", "cash=500"]);
    assert!(kinds(&shop).contains(&("low_stock".into(), "BUTTER-SHEA-4OZ".into())));
    shop.ok(&["sell", "--line", "BUTTER-SHEA-4OZ=3", "--pay", "card=66"]);
    assert!(kinds(&shop).contains(&("oversold".into(), "BUTTER-SHEA-4OZ".into())));
    shop.ok(&["product", "adjust", "BUTTER-SHEA-4OZ", "--qty", "+20", "--reason", "counted the shelf"]);
    assert!(!kinds(&shop).iter().any(|(_, item)| item == "BUTTER-SHEA-4OZ"));
}

#[test]
fn customers_keep_their_history() {
    let shop = Shop::demo();
    shop.ok(&["customer", "add", "--name", "Ada", "--email", "ADA@example.com"]);
    shop.ok(&["sell", "--line", "SOAP-OAT=2", "--customer", "ada@example.com", "--pay", "cash=20"]);
    let c = shop.json(&["customer", "show", "ada@example.com"]);
    assert_eq!(c["lifetime_spend_cents"], 1800);
    assert_eq!(c["purchases"].as_array().unwrap().len(), 1);
}

/// One rule with the app: `--new-customer` adds the contact with the sale,
/// in its transaction, so a refused sale adds no one; without it an unknown
/// customer refuses the sale.
#[test]
fn a_new_customer_is_added_only_with_a_sale_that_is_made() {
    let shop = Shop::demo();
    let count = || shop.json(&["customer", "list"])["customers"].as_array().map(Vec::len).unwrap_or(0);
    let before = count();
    let short = shop.run(&["sell", "--line", "SOAP-OAT=1", "--customer", "new@example.com", "--new-customer", "--pay", "cash=1"]);
    assert!(!short.status.success());
    let unknown = shop.run(&["sell", "--line", "SOAP-OAT=1", "--customer", "new@example.com", "--pay", "cash=20"]);
    assert!(!unknown.status.success());
    assert_eq!(count(), before, "a refused sale added a customer");
    shop.ok(&["sell", "--line", "SOAP-OAT=1", "--customer", "New@Example.com", "--new-customer", "--pay", "cash=20"]);
    assert_eq!(count(), before + 1);
    assert!(before > 0);
    assert_eq!(shop.json(&["customer", "show", "new@example.com"])["purchases"].as_array().map(Vec::len), Some(1));
}

#[test]
fn errors_name_the_bad_value_and_change_nothing() {
    let shop = Shop::demo();
    let cases: &[(&[&str], &str)] = &[
        (&["sell", "--line", "NOPE=1", "--pay", "cash=10"], "NOPE"),
        (&["sell", "--line", "SOAP-OAT=0", "--pay", "cash=10"], "SOAP-OAT=0"),
        (&["sell", "--line", "SOAP-OAT=-1", "--pay", "cash=10"], "SOAP-OAT=-1"),
        (&["sell", "--line", "SOAP-OAT=1", "--pay", "cash=5"], "short"),
        (&["sell", "--line", "SOAP-OAT=1", "--pay", "cash=1.234"], "1.234"),
        (&["sell", "--line", "SOAP-OAT=1", "--pay", "bitcoin=9"], "bitcoin"),
        (&["sell", "--line", "SOAP-OAT=99999999999999999999", "--pay", "cash=9"], "99999999999999999999"),
        (&["sell", "--line", "SOAP-OAT=9223372036854775807", "--pay", "cash=9"], "too large"),
        (&["sell", "--line", "SOAP-OAT", "--pay", "cash=9"], "SOAP-OAT"),
        (&["sell", "--line", "SOAP-OAT=abc", "--pay", "cash=9"], "error: the quantity in --line SOAP-OAT=abc 'abc' is not a whole number"),
        (&["product", "add", "--sku", "SOAP-OAT", "--name", "Again", "--price", "1"], "SOAP-OAT"),
        (&["product", "add", "--sku", "NEW", "--name", "New", "--price", "abc"], "abc"),
        (&["product", "add", "--sku", "NEW", "--name", "New", "--price", "-3"], "-3"),
        (&["product", "adjust", "SOAP-OAT", "--qty", "1.5", "--reason", "x"], "1.5"),
        (&["supply", "receive", "Beeswax", "--qty", "2l", "--cost", "5"], "2l"),
        (&["supply", "receive", "Beeswax", "--qty", "-2kg", "--cost", "5"], "-2kg"),
        (&["supply", "add", "--name", "Tallow", "--unit", "lbs"], "lbs"),
        (&["recipe", "set", "SOAP-OAT", "--yield", "0", "--line", "Beeswax=1g"], "yield"),
        (&["batch", "produce", "SOAP-OAT", "--expires", "31/12/2027"], "31/12/2027"),
        (&["batch", "produce", "TINC-CHAM-1OZ", "--batches", "50"], "short"),
        (&["refund", "Z-000001"], "Z-000001"),
        (&["event", "close", "--counted", "10"], "no event is open"),
        (&["report", "sales", "--by", "week"], "week"),
        (&["report", "sales", "--from", "2026-12-01", "--to", "2026-11-01"], "swap"),
        (&["customer", "add", "--name", "X", "--email", "not-an-email"], "not-an-email"),
    ];
    for (args, needle) in cases {
        let err = shop.refused(args);
        assert!(err.contains(needle), "{args:?}: '{err}' should mention {needle}");
    }
}

#[test]
fn a_missing_database_is_not_created_by_accident() {
    let shop = Shop::new();
    let out = shop.run(&["stock"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("wildroot init"));
    assert!(!shop.db.exists());
}

#[test]
fn receipts_number_in_the_device_series() {
    let shop = Shop::demo();
    shop.ok(&["settings", "receipt-prefix", "b2"]);
    let a = shop.json(&["sell", "--line", "LIP-HONEY=1", "--pay", "cash=5"]);
    assert_eq!(a["receipt_no"], "B2-000008", "the demo rang up 7 sales");
    shop.refused(&["settings", "receipt-prefix", "no spaces"]);
}

#[test]
fn preset_discounts_are_set_listed_refused_and_cleared() {
    let shop = Shop::demo();
    shop.ok(&["settings", "presets", "Market regular = 10%", "Friend = 2.00"]);
    let v = shop.json(&["settings", "presets"]);
    assert_eq!(v["presets"][0]["name"], "Market regular");
    assert_eq!(v["presets"][0]["percent_bp"], 1000);
    assert_eq!(v["presets"][1]["amount_cents"], 200);
    // A preset past 100% is refused in one sentence, and the list stays as it was.
    let err = shop.refused(&["settings", "presets", "Friend = 150%"]);
    assert!(err.contains("more than 100%"), "{err}");
    assert_eq!(shop.json(&["settings", "presets"])["presets"].as_array().map(Vec::len), Some(2));
    shop.ok(&["settings", "presets", "--clear"]);
    assert_eq!(shop.json(&["settings", "presets"])["presets"].as_array().map(Vec::len), Some(0));
}

/// `sell --custom DESCRIPTION=QTY@PRICE[:CATEGORY]`: an item not in the
/// catalogue, taxed by its category, taking no stock; in the Z report as
/// "Custom items" and refunded by what it was called.
#[test]
fn a_custom_amount_item_from_the_command_line() {
    let shop = Shop::new();
    shop.ok(&["init"]);
    shop.ok(&["settings", "tax", "--rate", "10%"]);
    shop.ok(&["product", "add", "--sku", "SALVE", "--name", "Lavender Salve", "--price", "10.00"]);
    shop.ok(&["product", "adjust", "SALVE", "--qty", "5", "--reason", "counted"]);
    shop.ok(&["event", "open", "Saturday Market"]);
    let sale = shop.json(&[
        "sell",
        "--line",
        "SALVE=1",
        "--custom",
        "Seconds jar=1@4.00",
        "--custom",
        "Gift wrap=1@1.50:exempt",
        "--pay",
        "cash=20",
    ]);
    assert_eq!((sale["tax_cents"].as_i64(), sale["total_cents"].as_i64()), (Some(140), Some(1690)));
    assert_eq!(on_hand(&shop, "SALVE"), 4);
    let only_custom = shop.json(&["sell", "--custom", "Seconds jar=2@4.00", "--pay", "card=8.80"]);
    assert_eq!(only_custom["total_cents"], 880);
    shop.ok(&["refund", sale["receipt_no"].as_str().unwrap(), "--line", "Gift wrap=1"]);
    let z = shop.json(&["event", "close", "--counted", "0"]);
    let custom = z["units"].as_array().unwrap().iter().find(|u| u["name"] == "Custom items").unwrap().clone();
    assert_eq!((custom["units"].as_i64(), custom["total_cents"].as_i64()), (Some(3), Some(440 + 880)));
    for (bad, says) in
        [("Seconds jar=1", "has no price"), ("Seconds jar=1@4.00:luxury", "has no tax category 'luxury'"), ("=1@4.00", "is not KEY=VALUE")]
    {
        let err = shop.refused(&["sell", "--custom", bad, "--pay", "cash=10"]);
        assert!(err.contains(says), "{bad}: {err}");
    }
}

/// The market day as a vendor lives it (#24), through the CLI contract:
/// places and categories, tenders that give no change, a tip, the market's
/// cut, the statement and what the day earned, each figure by hand.
#[test]
fn a_market_day_at_a_place_with_tenders_tips_and_the_market_s_cut() {
    let shop = Shop::new();
    shop.ok(&["init"]);
    shop.ok(&["product", "add", "--sku", "SOAP", "--name", "Oat Soap", "--price", "10.00"]);
    shop.ok(&["product", "add", "--sku", "TEA", "--name", "Herbal Tea", "--price", "8.00"]);
    shop.ok(&["product", "adjust", "SOAP", "--qty", "20", "--reason", "counted"]);
    shop.ok(&["product", "adjust", "TEA", "--qty", "20", "--reason", "counted"]);
    let tea = shop.json(&["product", "edit", "TEA", "--tax-category", "food"]);
    assert_eq!(tea["products"][0]["tax_category"], "food");
    shop.ok(&["tax", "add", "Bristol VA", "--rate", "5.3%", "--home"]);
    let tn = shop.json(&["tax", "add", "Bristol TN", "--rate", "9.25%", "--category", "food=4%"]);
    assert_eq!((tn["rate_bp"].as_i64(), tn["categories"]["food"].as_i64()), (Some(925), Some(400)));
    let places = shop.json(&["tax", "list"]);
    assert_eq!(places["places"].as_array().unwrap().len(), 2);
    assert_eq!(places["home"], "Bristol VA");
    shop.ok(&["tender", "add", "SNAP", "--no-change"]);
    shop.ok(&["tender", "add", "Venmo", "--no-change", "--not-in-drawer"]);
    let tenders = shop.json(&["tender", "list"]);
    assert_eq!(tenders["tenders"].as_array().unwrap().len(), 2);

    shop.ok(&["event", "open", "Sunday Market", "--place", "Bristol TN", "--float", "20", "--fee", "15", "--commission", "10%:net"]);
    // 10.00 at 9.25 % = 0.93 and 8.00 food at 4 % = 0.32: 19.25.
    let a = shop.json(&["sell", "--line", "SOAP=1", "--line", "TEA=1", "--pay", "SNAP=8.32", "--pay", "cash=20"]);
    assert_eq!((a["tax_cents"].as_i64(), a["total_cents"].as_i64(), a["change_cents"].as_i64()), (Some(125), Some(1925), Some(907)));
    // SNAP never gives change: more SNAP than is due is refused.
    let err = shop.refused(&["sell", "--line", "TEA=1", "--pay", "SNAP=20"]);
    assert!(err.contains("change can only be given in cash"), "{err}");
    // A 2.00 tip on a card sale: the sale is 10.93, the tip apart.
    let b = shop.json(&["sell", "--line", "SOAP=1", "--pay", "card=12.93", "--tip", "2"]);
    assert_eq!(b["total_cents"], 1093);
    let err = shop.refused(&["sell", "--line", "SOAP=1", "--pay", "bitcoin=20"]);
    assert!(err.contains("not a way to pay here"), "{err}");
    let z = shop.json(&["event", "close", "--counted", "30.25"]);
    let tenders: Vec<(String, i64, i64)> = z["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["tender"].as_str().unwrap_or(p["method"].as_str().unwrap()).to_string(),
                p["amount_cents"].as_i64().unwrap(),
                p["tips_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(tenders, [("cash".to_string(), 1093, 0), ("card".to_string(), 1093, 200), ("SNAP".to_string(), 832, 0)]);
    assert_eq!(
        (z["tips_cents"].as_i64(), z["expected_cash_cents"].as_i64(), z["over_short_cents"].as_i64()),
        (Some(200), Some(3093), Some(-68))
    );
    shop.ok(&["event", "cost", "Sunday Market", "--amount", "6.50", "--note", "gas"]);
    shop.ok(&["event", "edit", "Sunday Market", "--hours", "5"]);
    // Settle: 30.18 taken with tax, 2.18 of it tax, 28.00 net; 10 % of net is 2.80; fee 15.00.
    let st = shop.json(&["event", "settle", "Sunday Market"]);
    assert_eq!(
        (
            st["gross_cents"].as_i64(),
            st["tax_cents"].as_i64(),
            st["net_cents"].as_i64(),
            st["commission_cents"].as_i64(),
            st["owed_cents"].as_i64()
        ),
        (Some(3018), Some(218), Some(2800), Some(280), Some(1780))
    );
    let tax = shop.json(&["report", "tax"]);
    let rows: Vec<(String, i64, i64, i64)> = tax["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["place"].as_str().unwrap().to_string(),
                r["rate_bp"].as_i64().unwrap(),
                r["taxable_cents"].as_i64().unwrap(),
                r["tax_cents"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, [("Bristol TN".to_string(), 400, 800, 32), ("Bristol TN".to_string(), 925, 2000, 186)]);
    let csv = shop.ok(&["--csv", "report", "tax"]);
    assert!(csv.starts_with("place,rate,taxable sales,exempt sales,tax collected\n"), "{csv}");
    // No lots: goods at no cost. Profit 28.00 − 2.80 − 15.00 − 6.50 = 3.70, 0.74 an hour.
    let markets = shop.json(&["report", "markets", "--season", &chrono::Utc::now().format("%Y").to_string()]);
    let m = &markets["markets"][0];
    assert_eq!(
        (m["net_sales_cents"].as_i64(), m["profit_cents"].as_i64(), m["profit_per_hour_cents"].as_i64()),
        (Some(2800), Some(370), Some(74))
    );
    let err = shop.refused(&["report", "markets", "--season", "twenty"]);
    assert!(err.contains("is not a year"), "{err}");
}
