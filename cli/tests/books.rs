//! The books issue's defects, each with the exact commands that showed it,
//! through the real binary on a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Output;

struct Shop {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

impl Shop {
    fn new() -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.db");
        let shop = Shop { _dir: dir, db };
        shop.ok(&["init"]);
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

    /// A refusal: exit 1, one sentence, and the log as it was.
    fn refused(&self, args: &[&str]) -> String {
        let ops = self.ops();
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", String::from_utf8_lossy(&out.stdout));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with("error: "), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one clear sentence: {err}");
        assert_eq!(self.ops(), ops, "{args:?} recorded something");
        err
    }

    fn ops(&self) -> i64 {
        let store = wildroot_core::Store::open(&self.db).unwrap();
        wildroot_core::oplog::op_count(store.conn()).unwrap()
    }
}

#[test]
fn a_void_never_rewrites_a_counted_market_day() {
    let shop = Shop::new();
    shop.ok(&["product", "add", "--sku", "S", "--name", "Salve", "--price", "14"]);
    shop.ok(&["event", "open", "Day 1", "--float", "0"]);
    let sale = shop.json(&["sell", "--line", "S=1", "--pay", "cash=14"]);
    let receipt = sale["receipt_no"].as_str().unwrap().to_string();
    shop.ok(&["event", "close", "--counted", "14"]);
    shop.ok(&["event", "open", "Day 2", "--float", "20"]);
    let err = shop.refused(&["void", &receipt]);
    assert!(err.contains("refund it instead"), "{err}");
    // What the vendor does instead: the cash leaves today's drawer.
    shop.ok(&["refund", &receipt]);
    let day1 = shop.json(&["report", "event", "Day 1"]);
    assert_eq!((day1["expected_cash_cents"].as_i64(), day1["counted_cash_cents"].as_i64()), (Some(1400), Some(1400)));
    assert_eq!(day1["over_short_cents"].as_i64(), Some(0));
    let day2 = shop.json(&["event", "close", "--counted", "6"]);
    assert_eq!((day2["expected_cash_cents"].as_i64(), day2["over_short_cents"].as_i64()), (Some(600), Some(0)));
    shop.ok(&["doctor"]);
}

#[test]
fn huge_quantities_are_refused_with_their_limit_and_the_shop_keeps_working() {
    let shop = Shop::new();
    shop.ok(&["product", "add", "--sku", "FREE", "--name", "Free sample", "--price", "0"]);
    shop.ok(&["product", "add", "--sku", "S", "--name", "Salve", "--price", "14"]);
    for _ in 0..2 {
        let err = shop.refused(&["sell", "--line", "FREE=9000000000000000000"]);
        assert!(err.contains("too large") && err.contains("1,000,000,000"), "{err}");
    }
    shop.ok(&["product", "adjust", "S", "--qty", "1000000000", "--reason", "found"]);
    let err = shop.refused(&["product", "adjust", "S", "--qty", "9000000000000000000", "--reason", "typo"]);
    assert!(err.contains("too large"), "{err}");
    shop.ok(&["sell", "--line", "S=1", "--pay", "cash=14"]);
    shop.ok(&["stock"]);
    shop.ok(&["doctor"]);
    let err = shop.refused(&["product", "add", "--sku", "GOLD", "--name", "Gold", "--price", "1000000000000"]);
    assert!(err.contains("100,000,000.00"), "{err}");
}

#[test]
fn stock_value_keeps_what_was_paid_lot_by_lot() {
    let shop = Shop::new();
    shop.ok(&["supply", "add", "--name", "Beeswax", "--unit", "g"]);
    shop.ok(&["supply", "receive", "Beeswax", "--qty", "1kg", "--cost", "10.00"]);
    shop.ok(&["supply", "receive", "Beeswax", "--qty", "1kg", "--cost", "30.00"]);
    shop.ok(&["product", "add", "--sku", "BAR", "--name", "Wax bar", "--price", "50"]);
    shop.ok(&["recipe", "set", "BAR", "--yield", "1", "--line", "Beeswax=1kg"]);
    let shown = shop.ok(&["recipe", "show", "BAR"]);
    assert!(shown.contains("costs 10.00") && shown.contains("BEESWA-"), "{shown}");
    let batch = shop.json(&["batch", "produce", "BAR"]);
    assert_eq!(batch["cost_cents"].as_i64(), Some(1000), "{batch}");
    let v = shop.json(&["report", "valuation"]);
    assert_eq!(
        (v["supplies_cents"].as_i64(), v["products_cents"].as_i64(), v["total_cents"].as_i64()),
        (Some(3000), Some(1000), Some(4000))
    );
}

#[test]
fn refunds_one_unit_at_a_time_never_give_back_more_than_was_paid() {
    let shop = Shop::new();
    shop.ok(&["product", "add", "--sku", "PIN", "--name", "Pin", "--price", "0.01"]);
    let sale = shop.json(&["sell", "--line", "PIN=4~50%", "--pay", "cash=0.02"]);
    let receipt = sale["receipt_no"].as_str().unwrap().to_string();
    let mut back = Vec::new();
    for _ in 0..4 {
        back.push(shop.json(&["refund", &receipt, "--line", "PIN=1"])["total_cents"].as_i64().unwrap());
    }
    assert_eq!(back, [1, 0, 1, 0]);
    shop.ok(&["product", "add", "--sku", "STK", "--name", "Sticker", "--price", "0.10"]);
    shop.ok(&["settings", "tax", "--rate", "5%"]);
    let sale = shop.json(&["sell", "--line", "STK=10", "--pay", "cash=1.05"]);
    let receipt = sale["receipt_no"].as_str().unwrap().to_string();
    let mut total = 0;
    for _ in 0..10 {
        let part = shop.json(&["refund", &receipt, "--line", "STK=1"])["total_cents"].as_i64().unwrap();
        assert!(part >= 0);
        total += part;
    }
    assert_eq!(total, 105);
    shop.ok(&["doctor"]);
}

#[test]
fn supply_lot_codes_are_unique_in_the_shop() {
    let shop = Shop::new();
    shop.ok(&["supply", "add", "--name", "Lavender oil", "--unit", "ml"]);
    shop.ok(&["supply", "add", "--name", "Lavender buds", "--unit", "g"]);
    let a = shop.json(&["supply", "receive", "Lavender oil", "--qty", "100ml", "--cost", "5"]);
    let b = shop.json(&["supply", "receive", "Lavender buds", "--qty", "100g", "--cost", "5"]);
    let (a, b) = (a["lot_code"].as_str().unwrap().to_string(), b["lot_code"].as_str().unwrap().to_string());
    assert_ne!(a, b);
    shop.ok(&["trace", "supply-lot", &a]);
    shop.ok(&["supply", "receive", "Lavender oil", "--qty", "100ml", "--cost", "5", "--lot", "LV-7"]);
    let err = shop.refused(&["supply", "receive", "Lavender buds", "--qty", "100g", "--cost", "5", "--lot", "LV-7"]);
    assert!(err.contains("LV-7") && err.contains("Lavender oil"), "{err}");
}

#[test]
fn a_negative_count_after_a_space_gets_one_sentence() {
    let shop = Shop::new();
    shop.ok(&["supply", "add", "--name", "Beeswax", "--unit", "g"]);
    shop.ok(&["product", "add", "--sku", "X", "--name", "X", "--price", "1"]);
    shop.ok(&["recipe", "set", "X", "--yield", "1", "--line", "Beeswax=1g"]);
    let spaced: &[&str] = &["batch", "produce", "X", "--made", "-1"];
    let joined: &[&str] = &["batch", "produce", "X", "--made=-1"];
    for args in [spaced, joined] {
        let err = shop.refused(args);
        assert!(err.contains("-1"), "{err}");
    }
    shop.refused(&["batch", "produce", "X", "--batches", "-2"]);
}
