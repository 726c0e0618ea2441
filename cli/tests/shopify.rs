//! `wildroot shopify …` and `wildroot import shopify` as an owner runs them:
//! real processes against a fake Shopify on 127.0.0.1, and two devices that
//! both import the same orders converging through a real sync server, and
//! the server importing on its own for a vendor's phone that holds no token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;

use serde_json::Value;

use std::path::Path;
use std::process::Stdio;

const TOKEN: &str = "shpat_cli_test_token_42";
/// 2026-11-02T00:00:00Z
const START: i64 = 1_793_577_600_000;

fn stock(db: &Path, sku: &str) -> i64 {
    json(db, &["product", "show", sku])["products"][0]["on_hand"].as_i64().unwrap()
}

fn orders(fake: &fake_shopify::FakeShopify) {
    let at = |h: i64| START + h * 3_600_000;
    fake.put_orders([
        fake_shopify::order(1001, at(1), at(1), "ana@example.com", &[("SOAP-OAT", 2, 900), ("salve-lav-2oz", 1, 1600)]),
        fake_shopify::order(1002, at(2), at(2), "ben@example.com", &[("GIFT-BOX", 1, 500), ("SOAP-OAT", 1, 900)]),
        fake_shopify::refund(
            fake_shopify::order(1003, at(3), at(3), "ana@example.com", &[("SOAP-OAT", 3, 900)]),
            1,
            at(4),
            &[(0, 2, "RETURN")],
        ),
    ]);
}

/// The server process, its URL, and everything it has logged so far.
fn serve(db: &Path) -> Served {
    serve_polling(db, 300)
}

fn serve_polling(db: &Path, seconds: u32) -> Served {
    // Everything the server says, to check that no secret is among it.
    common::serve(db, "127.0.0.1:0", &[("RUST_LOG", "debug"), ("WILDROOT_SHOPIFY_POLL_SECONDS", &seconds.to_string())])
}

#[test]
fn an_owner_connects_imports_and_maps_skus() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(fake_shopify::FakeShopify::start(TOKEN));
    orders(&fake);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok(&db, &["init", "--demo"], None);
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();

    // Mistakes are refused before anything is kept.
    let bad = run(&db, &["shopify", "connect", "--shop", &fake.base_url, "--token-file", "/nonexistent", "--since", "2026-11-01"], None);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("reading the token file"));
    let bad = run(
        &db,
        &["shopify", "connect", "--shop", &fake.base_url, "--token-file", token_file.to_str().unwrap(), "--api-version", "2026-13"],
        None,
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a Shopify API version"));
    assert!(json(&db, &["shopify", "status"])["shop"].is_null());
    let out = run(&db, &["import", "shopify"], None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("wildroot shopify connect"));

    let connected = ok(
        &db,
        &["shopify", "connect", "--shop", &fake.base_url, "--token-file", token_file.to_str().unwrap(), "--since", "2026-11-01"],
        None,
    );
    assert!(connected.contains("stored encrypted"), "{connected}");
    let raw = std::fs::read(&db).unwrap();
    assert!(!raw.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()), "the token is in the database in the clear");

    let (soap, salve) = (stock(&db, "SOAP-OAT"), stock(&db, "SALVE-LAV-2OZ"));
    let report = json(&db, &["import", "shopify"]);
    assert_eq!((report["orders"].as_u64(), report["recorded"].as_u64(), report["unmatched_skus"].as_i64()), (Some(3), Some(3), Some(1)));
    assert_eq!(stock(&db, "SOAP-OAT"), soap - 2 - 1 - 3 + 2);
    assert_eq!(stock(&db, "SALVE-LAV-2OZ"), salve - 1, "SKUs differing only in case match");
    // The next import reads from the watermark (less a small overlap): only the newest order again.
    let again = json(&db, &["import", "shopify"]);
    assert_eq!((again["recorded"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(1)));
    let all = json(&db, &["import", "shopify", "--since", "2026-11-01"]);
    assert_eq!((all["recorded"].as_u64(), all["unchanged"].as_u64()), (Some(0), Some(3)));
    assert_eq!(stock(&db, "SOAP-OAT"), soap - 4);

    let held = json(&db, &["shopify", "unmatched"]);
    assert_eq!(held[0]["sku"], "GIFT-BOX");
    assert_eq!(held[0]["orders"][0], "#1002");
    assert!(ok(&db, &["alerts"], None).contains("GIFT-BOX"));
    let lip = stock(&db, "LIP-HONEY");
    let mapped = json(&db, &["shopify", "map", "GIFT-BOX", "LIP-HONEY"]);
    assert_eq!(mapped["applied_lines"], 1);
    assert_eq!(stock(&db, "LIP-HONEY"), lip - 1);
    assert!(ok(&db, &["shopify", "unmatched"], None).contains("Every online line matches"));
    let bad = run(&db, &["shopify", "map", "GIFT-BOX", "NOPE"], None);
    assert!(!bad.status.success());

    let ana = json(&db, &["customer", "show", "ana@example.com"]);
    assert_eq!(ana["purchases"].as_array().map(Vec::len), Some(2), "{ana}");
    let by_event = ok(&db, &["report", "sales", "--by", "event"], None);
    assert!(by_event.contains("Shopify (online)"), "{by_event}");
    let refused = run(&db, &["refund", "#1001"], None);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("in Shopify"));
    assert!(ok(&db, &["doctor"], None).contains("All good"));

    // The catalogue: compared first, changed only as asked.
    fake.put_products([
        fake_shopify::product(1, "Oatmeal Soap", &[("SOAP-OAT", 950, None)]),
        fake_shopify::product(2, "Rose Clay Mask", &[("MASK-ROSE", 1800, Some("0009990001112"))]),
    ]);
    let price = json(&db, &["product", "show", "SOAP-OAT"])["products"][0]["price_cents"].as_i64();
    let listed = json(&db, &["shopify", "products"]);
    assert_eq!(listed["variants"][0]["state"], "matches");
    assert_eq!(listed["variants"][1]["state"], "missing");
    assert_eq!(json(&db, &["product", "show", "SOAP-OAT"])["products"][0]["price_cents"].as_i64(), price, "listing changes nothing");
    let table = ok(&db, &["shopify", "products", "--link", "--create-missing"], None);
    assert!(table.contains("Created 1 product(s): MASK-ROSE") && table.contains("--take-shopify"), "{table}");
    assert_eq!(json(&db, &["product", "show", "MASK-ROSE"])["products"][0]["price_cents"], 1800);
    let taken = json(&db, &["shopify", "products", "--take-shopify", "SOAP-OAT"]);
    assert_eq!(taken["variants"][0]["state"], "linked");
    assert_eq!(taken["variants"][0]["differences"].as_array().map(Vec::len), Some(0));
    assert_eq!(json(&db, &["product", "show", "SOAP-OAT"])["products"][0]["name"], "Oatmeal Soap");
    // Or Wildroot wins: the mask's price changed here is written to Shopify.
    ok(&db, &["product", "edit", "MASK-ROSE", "--price", "19.50"], None);
    let both = run(&db, &["shopify", "products", "--take-shopify", "MASK-ROSE", "--push-wildroot", "mask-rose"], None);
    assert!(String::from_utf8_lossy(&both.stderr).contains("choose which side wins"), "{both:?}");
    let pushed = ok(&db, &["shopify", "products", "--push-wildroot", "MASK-ROSE"], None);
    assert!(pushed.contains("Shopify ← MASK-ROSE Rose Clay Mask: wrote price."), "{pushed}");
    assert_eq!(fake.product_node("gid://shopify/Product/2").unwrap()["variants"]["nodes"][0]["price"], "19.50");
    assert_eq!(json(&db, &["shopify", "products"])["variants"][1]["differences"].as_array().map(Vec::len), Some(0));

    // Stock push-back: a dry run first, then for real at the chosen location.
    let (item, location) = ("gid://shopify/InventoryItem/100", "gid://shopify/Location/55");
    fake.set_available(item, location, 1);
    let err = run(&db, &["shopify", "push-stock", "--dry-run"], None);
    assert!(String::from_utf8_lossy(&err.stderr).contains("--location"));
    let dry = json(&db, &["shopify", "push-stock", "--dry-run", "--location", "55"]);
    let soap = dry.as_array().unwrap().iter().find(|l| l["sku"] == "SOAP-OAT").unwrap().clone();
    assert_eq!((soap["outcome"].as_str(), soap["shopify"].as_i64()), (Some("would_set"), Some(1)));
    assert_eq!(fake.available(item, location), Some(1));
    let pushed = ok(&db, &["shopify", "push-stock"], None);
    assert!(pushed.contains("SOAP-OAT") && pushed.contains("set"), "{pushed}");
    assert_eq!(fake.available(item, location), Some(stock(&db, "SOAP-OAT")));
    // The background push is a switch; turning it on pushes nothing by itself.
    assert_eq!(json(&db, &["shopify", "status"])["push_stock"], false);
    assert!(ok(&db, &["shopify", "push-stock", "--auto", "on"], None).contains("after every import"));
    assert_eq!(json(&db, &["shopify", "status"])["push_stock"], true);
    assert!(!run(&db, &["shopify", "push-stock", "--auto", "maybe"], None).status.success());
    assert!(ok(&db, &["doctor"], None).contains("All good"));
}

#[test]
fn two_devices_importing_the_same_orders_converge_after_sync() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(fake_shopify::FakeShopify::start(TOKEN));
    orders(&fake);
    let dir = tempfile::tempdir().unwrap();
    let (server_db, laptop, desk) = (dir.path().join("server.db"), dir.path().join("laptop.db"), dir.path().join("desk.db"));
    let server = serve(&server_db);
    ok(&server_db, &["server", "user", "add", "--email", "owner@shop.test", "--role", "owner"], Some("long enough pw\n"));
    ok(&laptop, &["init", "--demo"], None);
    ok(&laptop, &["login", "--server", &server.url, "--email", "owner@shop.test", "--device", "Laptop"], Some("long enough pw\n"));
    ok(&desk, &["init"], None);
    ok(&desk, &["login", "--server", &server.url, "--email", "owner@shop.test", "--device", "Desk"], Some("long enough pw\n"));
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, TOKEN).unwrap();
    let before = stock(&desk, "SOAP-OAT");
    for db in [&laptop, &desk] {
        ok(
            db,
            &["shopify", "connect", "--shop", &fake.base_url, "--token-file", token_file.to_str().unwrap(), "--since", "2026-11-01"],
            None,
        );
        json(db, &["import", "shopify"]);
    }
    for db in [&laptop, &desk, &laptop] {
        json(db, &["sync"]);
    }
    for db in [&laptop, &desk] {
        assert_eq!(stock(db, "SOAP-OAT"), before - 4, "each order counted once");
        assert_eq!(json(db, &["shopify", "status"])["orders"], 3);
        assert_eq!(json(db, &["sync", "status"])["pending"], 0);
        assert!(ok(db, &["doctor"], None).contains("All good"));
    }
    let sales = |db: &Path| json(db, &["report", "sales", "--by", "event"])["total_cents"].as_i64();
    assert_eq!(sales(&laptop), sales(&desk));
}

#[test]
fn the_server_imports_on_its_own_and_a_vendor_phone_gets_the_orders() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(fake_shopify::FakeShopify::start(TOKEN));
    orders(&fake);
    let dir = tempfile::tempdir().unwrap();
    let (server_db, laptop, phone) = (dir.path().join("server.db"), dir.path().join("laptop.db"), dir.path().join("phone.db"));
    let server = serve_polling(&server_db, 1);
    ok(&server_db, &["server", "user", "add", "--email", "owner@shop.test", "--role", "owner"], Some("long enough pw\n"));
    ok(&server_db, &["server", "user", "add", "--email", "sam@shop.test", "--role", "vendor"], Some("market day pw\n"));
    ok(&laptop, &["init", "--demo"], None);
    ok(&laptop, &["login", "--server", &server.url, "--email", "owner@shop.test", "--device", "Laptop"], Some("long enough pw\n"));
    ok(&phone, &["init"], None);
    ok(&phone, &["login", "--server", &server.url, "--email", "sam@shop.test", "--device", "Booth phone"], Some("market day pw\n"));
    let before = stock(&phone, "SOAP-OAT");

    // A wrong token keeps nothing; the right one, given on stdin, is sealed.
    let wrong = run(&server_db, &["server", "shopify", "connect", "--shop", &fake.base_url, "--token-file", "-"], Some("shpat_wrong"));
    assert!(!wrong.status.success());
    let why = String::from_utf8_lossy(&wrong.stderr);
    assert!(why.contains("nothing was kept") && why.contains("401"), "{why}");
    assert_eq!(json(&server_db, &["server", "shopify", "status"])["shop"], Value::Null);
    let args = ["server", "shopify", "connect", "--shop", &fake.base_url, "--token-file", "-", "--since", "2026-11-01"];
    assert!(ok(&server_db, &args, Some(TOKEN)).contains("sealed"));
    assert!(server_db.with_extension("key").exists());

    // The running server picks the link up and imports within its interval.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let status = json(&server_db, &["server", "shopify", "status"]);
        if status["watermark_ms"].as_i64() == Some(START + 4 * 3_600_000) {
            assert_eq!(status["last_error"], Value::Null);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the server did not import: {status}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    json(&phone, &["sync"]);
    assert_eq!(stock(&phone, "SOAP-OAT"), before - 4, "the online orders reached the booth");
    assert_eq!(json(&phone, &["shopify", "status"])["shop"], Value::Null, "the phone holds no link");
    json(&laptop, &["sync"]);
    assert_eq!(stock(&laptop, "SOAP-OAT"), before - 4);
    let held = json(&laptop, &["shopify", "unmatched"]);
    assert_eq!(held[0]["sku"], "GIFT-BOX", "{held}");
    assert!(ok(&phone, &["doctor"], None).contains("All good"));

    // Run by hand too: it reads on from the watermark (the refunded order,
    // updated last) and stores nothing new.
    let ran = json(&server_db, &["server", "shopify", "import"]);
    assert_eq!(ran["orders"], 1);
    json(&phone, &["sync"]);
    assert_eq!(stock(&phone, "SOAP-OAT"), before - 4);
    assert!(ok(&server_db, &["server", "shopify", "disconnect"], None).contains("forgotten"));
    let off = run(&server_db, &["server", "shopify", "import"], None);
    assert!(String::from_utf8_lossy(&off.stderr).contains("not connected"));

    // No secret in the server's debug log, nor in clear in any database.
    let log = server.log.lock().unwrap().clone();
    assert!(log.contains("Shopify import"), "the log was captured: {log}");
    for secret in [TOKEN, "long enough pw", "market day pw", "shpat_wrong"] {
        assert!(!log.contains(secret), "the server logged {secret}");
    }
    for db in [&server_db, &laptop, &phone] {
        let raw = std::fs::read(db).unwrap();
        assert!(!raw.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()), "{} holds the token in the clear", db.display());
    }
}

/// A first import of years of orders runs as a bulk operation with a
/// progress bar; killed in the middle of Shopify's file, the next
/// `import shopify` goes on and every order is recorded once.
#[test]
fn a_bulk_first_import_killed_midway_resumes_without_duplicates() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(fake_shopify::FakeShopify::start(TOKEN));
    let since = 1_609_459_200_000; // 2021-01-01
    fake.put_orders((0..5000u64).map(|n| {
        let at = since + n as i64 * 4 * 3_600_000;
        fake_shopify::order(n + 1, at, at, &format!("buyer{}@example.com", n % 40), &[("SOAP-OAT", 1, 900), ("GIFT-BOX", 1, 500)])
    }));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok(&db, &["init", "--demo"], None);
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let connect = ["shopify", "connect", "--shop", &fake.base_url, "--token-file", token_file.to_str().unwrap(), "--since", "2021-01-01"];
    ok(&db, &connect, None);

    // On a terminal, where the progress is drawn (a pipe gets none).
    let mut child = on_terminal(&db, &["import", "shopify"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut said = String::new();
    let mut screen = child.stdout.take().unwrap();
    let mut chunk = [0u8; 4096];
    loop {
        let n = std::io::Read::read(&mut screen, &mut chunk).unwrap_or(0);
        if n == 0 {
            break;
        }
        said.push_str(&String::from_utf8_lossy(&chunk[..n]));
        if said.contains("of 5000 orders recorded") {
            child.kill().unwrap();
            break;
        }
    }
    let status = child.wait().unwrap();
    assert!(!status.success(), "the import ended before it could be killed: {said}");
    assert!(said.contains("Shopify is gathering the orders"), "{said}");
    let midway = json(&db, &["shopify", "status"])["orders"].as_i64().unwrap();
    assert!(midway > 0 && midway < 5000, "{midway} orders after the kill");

    let report = json(&db, &["import", "shopify"]);
    assert_eq!(report["bulk"], true, "{report}");
    assert_eq!(json(&db, &["shopify", "status"])["orders"], 5000);
    let store = wildroot_core::Store::open(&db).unwrap();
    let seen: i64 = store.conn().query_row("SELECT COUNT(*) FROM ops WHERE kind = 'shopify_order_seen'", [], |r| r.get(0)).unwrap();
    assert_eq!(seen, 5000, "an order was recorded twice or not at all");
    drop(store);
    assert!(ok(&db, &["doctor"], None).contains("All good"));
    // Paged from here on: the watermark is recent enough.
    let next = json(&db, &["import", "shopify"]);
    assert_eq!((next["bulk"].as_bool(), next["recorded"].as_u64()), (Some(false), Some(0)), "{next}");
    assert_eq!(fake.bulk_runs(), 2);
}

/// Progress is for a person at a terminal: drawn there, never on a pipe
/// (a script's stderr) and never with `--json`.
#[test]
fn progress_is_drawn_on_a_terminal_and_never_on_a_pipe_or_with_json() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(fake_shopify::FakeShopify::start(TOKEN));
    orders(&fake);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.db");
    ok(&db, &["init", "--demo"], None);
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    ok(&db, &["shopify", "connect", "--shop", &fake.base_url, "--token-file", token_file.to_str().unwrap(), "--since", "2026-11-01"], None);

    let again = ["import", "shopify", "--since", "2026-11-01"];
    let shown = on_terminal(&db, &again).output().unwrap();
    assert!(shown.status.success(), "{shown:?}");
    let screen = String::from_utf8_lossy(&shown.stdout);
    assert!(screen.contains("of 3 orders recorded") && screen.contains("Importing Shopify orders"), "{screen}");

    let piped = run(&db, &again, None);
    assert!(piped.status.success());
    let said = String::from_utf8_lossy(&piped.stderr);
    assert!(!said.contains("recorded") && !said.contains("Importing"), "a pipe got progress: {said}");

    let mut with_json = vec!["--json"];
    with_json.extend_from_slice(&again);
    let shown = on_terminal(&db, &with_json).output().unwrap();
    let screen = String::from_utf8_lossy(&shown.stdout);
    assert!(!screen.contains("orders recorded") && screen.contains("\"recorded\""), "--json drew progress: {screen}");
}
