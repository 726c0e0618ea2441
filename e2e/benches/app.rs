//! The app's performance targets, measured on the real app in its WebKit
//! webview (run under a display: `xvfb-run -a cargo bench -p wildroot-e2e`):
//!
//! - cold start to an interactive POS screen (target ≤ 400 ms, #26): from
//!   asking WebDriver for a session (which launches the app) until a
//!   product tile is on screen, median of 10 launches, each on its own copy
//!   of the demo shop, and again of a shop of 2,000 products and three
//!   years of sales (`APP_BENCH_SMALL_ONLY=1` skips it); and, by the
//!   `pos-interactive` mark boot.js makes when the first tile is in the
//!   page, that moment itself, split at the page's navigation, and by its
//!   `pos-painted` mark, the end of the frame that first paints it;
//! - a tap on a product tile until the cart bar shows it (target ≤ 50 ms),
//!   timed inside the webview with `performance.now()` over 100 taps, up
//!   to the next animation frame after the cart bar changed;
//! - Charge tapped until the tender sheet is on screen (target ≤ 50 ms), the
//!   same way, over 30 openings with a cart of 100 items;
//! - resident memory of the app's processes after 500 sales.
//!
//! Build with `cargo build --release -p wildroot-app` and point
//! `WILDROOT_APP_BIN` at `target/release/wildroot-app` to measure what ships.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use anyhow::{anyhow, Result};
use std::time::Duration;
use wildroot_e2e::{rss_kib, App, Launch};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn summary(label: &str, unit: &str, mut xs: Vec<f64>) {
    xs.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{label}: median {:.1} {unit}, p90 {:.1} {unit}, min {:.1}, max {:.1} (n = {})",
        percentile(&xs, 0.5),
        percentile(&xs, 0.9),
        xs[0],
        xs[xs.len() - 1],
        xs.len()
    );
}

/// Taps the first tile `n` times from inside the webview and returns each
/// tap's time (ms) until the frame after `#cart-count` changed. WebKit
/// rounds `performance.now()` to whole milliseconds.
const TAPS: &str = r#"
const [n, done] = arguments;
const tile = document.querySelector('.tile');
const count = document.querySelector('#cart-count');
const times = [];
function tap(i) {
  if (i === n) { done(times); return; }
  const before = count.textContent;
  const t0 = performance.now();
  const obs = new MutationObserver(() => {
    if (count.textContent !== before) {
      obs.disconnect();
      // Until the frame that shows it, not just the DOM change.
      requestAnimationFrame(() => {
        times.push(performance.now() - t0);
        setTimeout(() => tap(i + 1), 0);
      });
    }
  });
  obs.observe(count, { childList: true, characterData: true, subtree: true });
  tile.click();
}
tap(0);
"#;

/// Opens the tender sheet `n` times (Charge, then Back) and returns each
/// opening's time (ms) until the frame after the sheet is in the page.
const TENDER: &str = r#"
const [n, done] = arguments;
const times = [];
function open(i) {
  if (i === n) { done(times); return; }
  const t0 = performance.now();
  const obs = new MutationObserver(() => {
    if (document.querySelector('#tender')) {
      obs.disconnect();
      requestAnimationFrame(() => {
        times.push(performance.now() - t0);
        document.querySelector('#tender-back').click();
        const closed = () => document.querySelector('#tender') ? requestAnimationFrame(closed) : setTimeout(() => open(i + 1), 0);
        closed();
      });
    }
  });
  obs.observe(document.body, { childList: true, subtree: true });
  document.querySelector('#charge').click();
}
open(0);
"#;

/// Rings up `n` sales through the shell's `sell` command, as the POS does.
const SALES: &str = r#"
const [n, sku, done] = arguments;
const invoke = window.__TAURI__.core.invoke;
(async () => {
  for (let i = 0; i < n; i++) {
    await invoke('sell', { req: { lines: [{ sku, qty: 1, discount: null }], discount: null, customer: null, payments: [['cash', 100000]] } });
  }
  return 'ok';
})().then(done, (e) => done('failed: ' + e));
"#;

/// Launches the app 10 times, each on its own copy of `shop`, and prints
/// the cold start and where it went: until the page starts (the driver,
/// the app's process, GTK and WebKit's processes), then in the page until the first tile is
/// in it (boot.js marks `pos-interactive`), and until the frame that first
/// paints it is done (`pos-painted`; WebDriver may find the tile before).
async fn cold_starts(dir: &std::path::Path, shop: &std::path::Path, what: &str) -> Result<()> {
    let (mut starts, mut before_page, mut in_page, mut drawn, mut painted) = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..10 {
        let db = dir.join(format!("start-{i}.db"));
        std::fs::copy(shop, &db)?;
        let launch = Launch { db, sync_interval_secs: 30 };
        let asked = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs_f64() * 1000.0;
        let app = App::launch(&launch).await?;
        starts.push(app.launched_at.elapsed().as_secs_f64() * 1000.0);
        // The page's clock starts at its navigation (`timeOrigin`, on the
        // same wall clock as `asked`).
        let page = app
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const marks = () => ['pos-interactive', 'pos-painted'].map((m) => performance.getEntriesByName(m)[0]?.startTime ?? null);
                 // The painted mark follows a frame; the tile may be found before it.
                 const wait = (n) => (marks()[1] !== null || n === 0 ? done([performance.timeOrigin, ...marks()]) : setTimeout(() => wait(n - 1), 10));
                 wait(300);",
                vec![],
            )
            .await?;
        let origin = page[0].as_f64().ok_or_else(|| anyhow!("no timeOrigin: {page}"))?;
        let mark = page[1].as_f64().ok_or_else(|| anyhow!("boot.js marked no pos-interactive: {page}"))?;
        let paint = page[2].as_f64().ok_or_else(|| anyhow!("boot.js marked no pos-painted within 3 s: {page}"))?;
        before_page.push(origin - asked);
        in_page.push(mark);
        drawn.push(origin - asked + mark);
        painted.push(origin - asked + paint);
        app.quit().await?;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", dir.join(format!("start-{i}.db")).display()));
        }
    }
    summary(&format!("cold start to interactive POS, {what} (found by WebDriver)"), "ms", starts);
    summary("  the first tile in the page (by its mark)", "ms", drawn);
    summary("    of which before the page (the driver, the app's process, GTK, WebKit's processes)", "ms", before_page);
    summary("    of which in the page (navigation to the first tile)", "ms", in_page);
    summary("  the frame that first paints it done (by its mark)", "ms", painted);
    Ok(())
}

/// A busy maker's shop after three years: 2,000 products in five
/// categories, 24 of them favourites, and 25 sales a day of one or two
/// lines each, rung up day by day with the clock set to each day.
fn seed_big_shop(path: &std::path::Path) -> Result<(usize, usize)> {
    use wildroot_core::product::NewProduct;
    use wildroot_core::sale::{LineRequest, SaleRequest};
    const PRODUCTS: usize = 2000;
    const DAYS: i64 = 3 * 365;
    const PER_DAY: i64 = 25;
    let mut s = wildroot_core::Store::open(path)?;
    // Seeding only: a power cut here loses a benchmark, not a shop.
    s.conn().pragma_update(None, "synchronous", "OFF")?;
    let day_ms = 86_400_000;
    let start = chrono::Utc::now().timestamp_millis() - DAYS * day_ms;
    s.set_clock(Some(start));
    let categories = ["Salves", "Soaps", "Tinctures", "Balms", "Teas"];
    for i in 0..PRODUCTS {
        let sku = format!("P{i:04}");
        s.add_product(NewProduct {
            sku: sku.clone(),
            name: format!("Product {i}"),
            price: wildroot_model::Money(500 + (i as i64 % 40) * 100),
            category: Some(categories[i % categories.len()].into()),
            favorite: i < 24,
            ..Default::default()
        })?;
        s.adjust_product(&sku, 1_000, "first count")?;
    }
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |below: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % below as u64) as usize
    };
    for day in 0..DAYS {
        for k in 0..PER_DAY {
            s.set_clock(Some(start + day * day_ms + 9 * 3_600_000 + k * 900_000));
            let lines = (0..1 + next(2))
                .map(|_| LineRequest {
                    key: format!("P{:04}", next(PRODUCTS)),
                    qty: 1,
                    unit_price: None,
                    discount: None,
                    lot: None,
                    custom: None,
                })
                .collect();
            s.sell(SaleRequest {
                lines,
                payments: vec![(wildroot_model::op::PayMethod::Cash, wildroot_model::Money(100_000))],
                ..Default::default()
            })?;
        }
    }
    s.set_clock(None);
    Ok((PRODUCTS, (DAYS * PER_DAY) as usize))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let dir = tempfile::tempdir()?;

    // The shop a vendor opens each morning is already there: each launch
    // opens its own copy of it, made once, not a first start (which also
    // makes the demo shop).
    let shop = dir.path().join("shop.db");
    wildroot_core::Store::open(&shop)?.seed_demo()?;
    cold_starts(dir.path(), &shop, "the demo shop").await?;
    if std::env::var_os("APP_BENCH_SMALL_ONLY").is_none() {
        let big = dir.path().join("big.db");
        let (products, sales) = seed_big_shop(&big)?;
        cold_starts(dir.path(), &big, &format!("{products} products and {sales} sales over 3 years")).await?;
    }

    let app = App::launch(&Launch { db: dir.path().join("taps.db"), sync_interval_secs: 30 }).await?;
    let taps = app.client.execute_async(TAPS, vec![100.into()]).await?;
    let taps: Vec<f64> = serde_json::from_value(taps)?;
    summary("tap on a tile to cart updated", "ms", taps);
    let opens = app.client.execute_async(TENDER, vec![30.into()]).await?;
    let opens: Vec<f64> = serde_json::from_value(opens)?;
    summary("Charge to tender sheet shown", "ms", opens);

    let sku = app.attr(".tile", "data-sku").await?.ok_or_else(|| anyhow!("a tile without a SKU"))?;
    let before: u64 = app.app_processes().iter().filter_map(|(p, _)| rss_kib(*p)).sum();
    let long = fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(600)), None, Some(Duration::ZERO));
    app.client.update_timeouts(long).await?;
    let sold = app.client.execute_async(SALES, vec![500.into(), sku.into()]).await?;
    anyhow::ensure!(sold == "ok", "the 500 sales did not all go through: {sold}");
    // Show the sales list once, as a vendor would, so its memory counts too.
    app.click("#nav-sales").await?;
    app.find(".sale").await?;
    let processes = app.app_processes();
    anyhow::ensure!(!processes.is_empty(), "the app's process was not found under the driver, so its memory cannot be measured");
    for (pid, name) in processes {
        println!("after 500 sales: {name} (pid {pid}) resident {} MiB", rss_kib(pid).unwrap_or(0) / 1024);
    }
    let after: u64 = app.app_processes().iter().filter_map(|(p, _)| rss_kib(*p)).sum();
    println!("app processes resident: {} MiB before, {} MiB after 500 sales", before / 1024, after / 1024);
    app.quit().await
}
