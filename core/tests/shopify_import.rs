//! The import against a fake Shopify on 127.0.0.1: pages, the cost bucket,
//! every documented fault, and what is kept when an import stops midway.
use fake_shopify::{Bucket, FakeShopify, Fault};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use wildroot_core::oplog::{dump_tables, op_count, replay_check, totals_check};
use wildroot_core::product::NewProduct;
use wildroot_core::shopify::client::{RetryPolicy, ShopifyClient};
use wildroot_core::shopify::import::{import_orders_with, ImportProgress, ImportReport, ImportWay};
use wildroot_core::{CoreError, Store};
use wildroot_model::Money;

type R = Result<(), CoreError>;
const TOKEN: &str = "shpat_test_0123456789";
const START: i64 = 1_764_000_000_000;

fn store() -> Result<(TempDir, Mutex<Store>), CoreError> {
    let dir = tempfile::tempdir().map_err(|e| CoreError::Invalid(e.to_string()))?;
    let mut s = Store::open(&dir.path().join("shop.db"))?;
    for (sku, price) in [("SALVE", 1200), ("SOAP", 800)] {
        s.add_product(NewProduct { sku: sku.into(), name: sku.into(), price: Money(price), ..Default::default() })?;
        s.adjust_product(sku, 100_000, "opening count")?;
    }
    s.configure_shopify_import(Some(START - 1000), None, None)?;
    Ok((dir, Mutex::new(s)))
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        attempts: 4,
        base_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        min_retry_after: Duration::from_secs(1),
        max_throttled: 100,
        timeout: Duration::from_millis(1500),
        bulk_poll: Duration::from_millis(20),
    }
}

/// Order n: (n % 3 + 1) salves, a soap on even n, one minute apart; every
/// 100th has a SKU no product has.
fn orders(range: std::ops::Range<u64>) -> Vec<serde_json::Value> {
    range
        .map(|n| {
            let at = START + n as i64 * 60_000;
            let mut lines = vec![("SALVE", (n % 3 + 1) as i64, 1200)];
            if n % 2 == 0 {
                lines.push(("soap", 1, 800));
            }
            if n % 100 == 0 {
                lines.push(("GIFT-WRAP", 1, 300));
            }
            fake_shopify::order(n, at, at, &format!("buyer{}@example.com", n % 50), &lines)
        })
        .collect()
}

fn sold(range: std::ops::Range<u64>) -> (i64, i64) {
    range.fold((0, 0), |(salve, soap), n| (salve + (n % 3 + 1) as i64, soap + i64::from(n % 2 == 0)))
}

fn on_hand(s: &Mutex<Store>, sku: &str) -> Result<i64, CoreError> {
    Ok(s.lock().map_err(|_| CoreError::Invalid("lock".into()))?.product(sku)?.on_hand)
}

/// The paged import (these orders are older than a bulk import's threshold:
/// the paged query is what most tests here are about).
async fn import(s: &Mutex<Store>, fake: &FakeShopify, policy: RetryPolicy) -> Result<ImportReport, CoreError> {
    import_way(s, fake, policy, ImportWay::Paged, &mut |_| {}).await
}

async fn import_way(
    s: &Mutex<Store>,
    fake: &FakeShopify,
    policy: RetryPolicy,
    way: ImportWay,
    progress: &mut (dyn FnMut(ImportProgress) + Send),
) -> Result<ImportReport, CoreError> {
    let version = s.lock().map_err(|_| CoreError::Invalid("lock".into()))?.shopify_import_start()?.1;
    let mut client = ShopifyClient::new(&fake.base_url, TOKEN, &version, policy)?;
    import_orders_with(s, &mut client, way, progress).await
}

/// Orders a page holds: as many as fit in Shopify's cost limit.
fn page() -> u64 {
    u64::from(wildroot_core::shopify::client::orders_page_len(wildroot_core::shopify::import::DEFAULT_API_VERSION).unwrap_or(1))
}

fn with<T>(s: &Mutex<Store>, f: impl FnOnce(&Store) -> Result<T, CoreError>) -> Result<T, CoreError> {
    let guard = s.lock().map_err(|_| CoreError::Invalid("lock".into()))?;
    f(&guard)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_orders_import_exactly_under_throttling() -> R {
    let fake = FakeShopify::start(TOKEN).await;
    fake.put_orders(orders(0..5000));
    let (_dir, s) = store()?;
    // A bucket restoring fast so the test stays quick, that starts 0.4 s in
    // debt: the first query is refused and must be waited out, however
    // slowly the machine gets to it.
    fake.throttle(Bucket { maximum: 2000.0, restore_per_s: 50_000.0 }, -20_000.0);
    let report = import(&s, &fake, quick()).await?;
    assert_eq!((report.orders, report.recorded, report.unchanged), (5000, 5000, 0));
    assert_eq!(report.pages, 5000_u64.div_ceil(page()) as usize);
    assert!(fake.max_requested_cost() <= 1000 && fake.over_cost() == 0, "every query within Shopify's cost limit");
    assert!(fake.throttled() >= 1, "the bucket never throttled: the test proves nothing");
    let (salve, soap) = sold(0..5000);
    assert_eq!((on_hand(&s, "SALVE")?, on_hand(&s, "SOAP")?), (100_000 - salve, 100_000 - soap));
    assert_eq!(report.unmatched_skus, 1, "GIFT-WRAP is held");
    let view = with(&s, |s| s.shopify_import_view())?;
    assert_eq!(view.orders, 5000);
    assert_eq!(view.last_error, None);
    assert_eq!(view.cursor_ms, Some(START + 4999 * 60_000));
    with(&s, |s| {
        assert_eq!(s.list_customers(None)?.len(), 50);
        assert_eq!(totals_check(s.conn())?, None);
        Ok(())
    })?;

    // Importing all of it again records nothing and changes nothing.
    let ops = with(&s, |s| op_count(s.conn()))?;
    let before = with(&s, |s| dump_tables(s.conn()))?;
    s.lock().map_err(|_| CoreError::Invalid("lock".into()))?.restart_shopify_import(START - 1000)?;
    let again = import(&s, &fake, quick()).await?;
    assert_eq!((again.recorded, again.unchanged), (0, 5000));
    assert_eq!(with(&s, |s| op_count(s.conn()))?, ops);
    assert_eq!(with(&s, |s| dump_tables(s.conn()))?, before);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_fault_is_survived() -> R {
    let fake = FakeShopify::start(TOKEN).await;
    fake.put_orders(orders(0..300));
    fake.fail_next([Fault::TooManyRequests, Fault::ServerError, Fault::Hang(Duration::from_secs(3)), Fault::Truncated, Fault::Malformed]);
    let (_dir, s) = store()?;
    let t = Instant::now();
    let report = import(&s, &fake, RetryPolicy { attempts: 5, ..quick() }).await?;
    assert!(t.elapsed() >= Duration::from_secs(1), "Retry-After: 0 must still wait a second");
    assert_eq!((report.orders, report.recorded), (300, 300));
    assert_eq!(fake.requests() as u64, 300_u64.div_ceil(page()) + 5, "the pages and five failed attempts");
    let (salve, _) = sold(0..300);
    assert_eq!(on_hand(&s, "SALVE")?, 100_000 - salve);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_mid_import_keeps_whole_pages_only() -> R {
    let fake = FakeShopify::start(TOKEN).await;
    fake.put_orders(orders(0..600));
    // Page 1 arrives; page 2 is cut off every time until the client gives up.
    fake.fail_next([Fault::Pass, Fault::Truncated, Fault::Truncated]);
    let (_dir, s) = store()?;
    let ops = with(&s, |s| op_count(s.conn()))?;
    let err = import(&s, &fake, RetryPolicy { attempts: 2, ..quick() }).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("not JSON") && err.contains("next sync"), "{err}");
    let p = page();
    assert_eq!(with(&s, |s| op_count(s.conn()))? as u64, ops as u64 + p, "exactly the first page is in");
    let (salve, _) = sold(0..p);
    assert_eq!(on_hand(&s, "SALVE")?, 100_000 - salve);
    let view = with(&s, |s| s.shopify_import_view())?;
    assert_eq!(view.cursor_ms, Some(START + (p as i64 - 1) * 60_000));
    assert!(view.last_error.is_some_and(|e| e.contains("not JSON")));
    assert!(with(&s, |s| s.alerts())?.iter().any(|a| a.message.contains("last Shopify import failed")));

    // The next sync goes on from the watermark and ends exact.
    let report = import(&s, &fake, quick()).await?;
    assert_eq!(report.recorded as u64, 600 - p);
    let (salve, _) = sold(0..600);
    assert_eq!(on_hand(&s, "SALVE")?, 100_000 - salve);
    assert_eq!(with(&s, |s| s.shopify_import_view())?.last_error, None);
    with(&s, |s| {
        assert_eq!(replay_check(s)?, None);
        Ok(())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_stops_at_once_and_says_what_to_do() -> R {
    let fake = FakeShopify::start("another-token").await;
    fake.put_orders(orders(0..10));
    let (_dir, s) = store()?;
    let err = import(&s, &fake, quick()).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("401") && err.contains("connect again"), "{err}");
    assert_eq!(fake.requests(), 1, "a bad token is not retried");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_in_shopify_come_through_and_an_unexpected_version_is_reported() -> R {
    let fake = FakeShopify::start(TOKEN).await;
    let placed = fake_shopify::order(7, START, START, "ana@example.com", &[("SALVE", 3, 1200)]);
    fake.put_orders([placed.clone()]);
    fake.answer_version("2026-01");
    let (_dir, s) = store()?;
    let report = import(&s, &fake, quick()).await?;
    assert!(report.version_warning.is_some_and(|w| w.contains("2026-01")));
    assert_eq!(on_hand(&s, "SALVE")?, 99_997);
    let refunded = fake_shopify::refund(placed, 1, START + 3_600_000, &[(0, 1, "RETURN"), (0, 1, "NO_RESTOCK")]);
    fake.put_orders([refunded.clone()]);
    import(&s, &fake, quick()).await?;
    assert_eq!(on_hand(&s, "SALVE")?, 99_998);
    fake.put_orders([fake_shopify::cancel(refunded, START + 7_200_000)]);
    import(&s, &fake, quick()).await?;
    assert_eq!(on_hand(&s, "SALVE")?, 99_999, "all but the jar refunded without restock");
    with(&s, |s| {
        assert_eq!(totals_check(s.conn())?, None);
        assert_eq!(replay_check(s)?, None);
        Ok(())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_loop_imports_while_linked() -> R {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use wildroot_core::shopify::import::ShopifyLoop;
    use wildroot_core::shopify::link::DeviceKey;
    let fake = FakeShopify::start(TOKEN).await;
    fake.put_orders(orders(0..3));
    // These orders are older than the bulk threshold: the loop reads them
    // with bulk operations, done at the first look (no poll waited).
    fake.bulk_polls(0);
    let (dir, s) = store()?;
    let key = DeviceKey::load_or_create(&dir.path().join("shop.key"))?;
    s.lock().map_err(|_| CoreError::Invalid("lock".into()))?.link_shopify(&fake.base_url, TOKEN, &key)?;
    let store = Arc::new(s);
    let woken = Arc::new(AtomicUsize::new(0));
    let counter = woken.clone();
    let key = DeviceKey::load_or_create(&dir.path().join("shop.key"))?;
    let looping = ShopifyLoop::spawn(store.clone(), key, Duration::from_secs(3600), move || {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let wait_for = |want: i64| {
        let store = store.clone();
        async move {
            let t = Instant::now();
            loop {
                let have = with(&store, |s| s.shopify_import_view())?.orders;
                if have == want || t.elapsed() > Duration::from_secs(20) {
                    return Ok::<i64, CoreError>(have);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    assert_eq!(wait_for(3).await?, 3, "the first run imports at once");
    fake.put_orders(orders(3..5));
    looping.import_now();
    assert_eq!(
        wait_for(5).await?,
        5,
        "asked to, it imports again without waiting an hour: {:?}",
        with(&store, |s| s.shopify_import_view())?
    );
    assert_eq!(woken.load(Ordering::SeqCst), 2, "the server sync is woken after each run that brought orders");
    looping.stop().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalogue_is_compared_linked_and_completed_never_overwritten_silently() -> R {
    let fake = FakeShopify::start(TOKEN).await;
    fake.put_products([
        fake_shopify::product(1, "Oat Soap", &[("SOAP", 850, Some("0123456789012"))]),
        fake_shopify::product(2, "Salve", &[("salve", 1200, None), ("BALM-NEW", 900, None), ("", 500, None)]),
    ]);
    let (_dir, s) = store()?;
    let mut client = ShopifyClient::new(&fake.base_url, TOKEN, "2026-10", quick())?;
    let variants = client.all_variants().await?;
    assert_eq!(variants.len(), 4);
    assert_eq!(variants[1].title, "Salve - Size 1");
    assert_eq!(variants[0].inventory_item_gid.as_deref(), Some("gid://shopify/InventoryItem/100"));
    let mut s = s.into_inner().map_err(|_| CoreError::Invalid("lock".into()))?;
    let states = |s: &Store| -> Result<Vec<(String, Vec<String>)>, CoreError> {
        Ok(s.shopify_catalogue(&variants)?.into_iter().map(|r| (r.state, r.differences)).collect())
    };
    assert_eq!(
        states(&s)?,
        vec![
            ("matches".into(), vec!["title".into(), "price".into(), "barcode".into()]),
            ("matches".into(), vec!["title".into()]),
            ("missing".into(), vec![]),
            ("no_sku".into(), vec![]),
        ]
    );
    let before = s.product("SOAP")?;
    assert_eq!(s.link_shopify_variants(&variants)?, 2);
    assert_eq!(s.link_shopify_variants(&variants)?, 0, "linking again changes nothing");
    assert_eq!(s.product("SOAP")?, before, "linking never touches the product");
    assert_eq!(s.create_missing_from_shopify(&variants)?, vec!["BALM-NEW".to_string()]);
    assert_eq!(s.product("BALM-NEW")?.price_cents, 900);
    // The owner lets Shopify win for the soap only.
    assert_eq!(s.take_shopify_fields(&variants, &["soap".into()])?, 1);
    let soap = s.product("SOAP")?;
    assert_eq!((soap.name.as_str(), soap.price_cents, soap.barcode.as_deref()), ("Oat Soap", 850, Some("0123456789012")));
    assert_eq!(
        states(&s)?.into_iter().map(|(st, d)| (st, d.len())).collect::<Vec<_>>(),
        vec![("linked".into(), 0), ("linked".into(), 1), ("linked".into(), 0), ("no_sku".into(), 0)]
    );
    assert!(s.take_shopify_fields(&variants, &["NOPE".into()]).is_err());
    assert_eq!(replay_check(&s)?, None);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wildroot_wins_writes_its_fields_to_shopify_only_for_the_products_named() -> R {
    let fake = FakeShopify::start(TOKEN).await;
    fake.put_products([
        fake_shopify::product(1, "Oat Soap", &[("SOAP", 850, Some("0123456789012"))]),
        fake_shopify::product(2, "Salve", &[("SALVE", 1100, None), ("BALM", 900, None)]),
    ]);
    let (_dir, s) = store()?;
    {
        let mut g = s.lock().map_err(|_| CoreError::Invalid("lock".into()))?;
        g.add_product(NewProduct { sku: "BALM".into(), name: "Balm".into(), price: Money(900), ..Default::default() })?;
        g.edit_product("SOAP", wildroot_core::product::ProductEdit { barcode: Some("5012345678900".into()), ..Default::default() })?;
    }
    let mut client = ShopifyClient::new(&fake.base_url, TOKEN, "2026-10", quick())?;
    let variants = client.all_variants().await?;
    let before_requests = fake.requests();
    // A SKU not in the catalogue refuses the whole request before anything is written.
    let refused =
        wildroot_core::shopify::catalogue::push_wildroot_fields(&s, &mut client, &variants, &["SOAP".into(), "NOPE".into()]).await;
    assert!(refused.is_err_and(|e| e.to_string().contains("NOPE")));
    assert_eq!(fake.requests(), before_requests, "nothing was sent");

    let lines = wildroot_core::shopify::catalogue::push_wildroot_fields(
        &s,
        &mut client,
        &variants,
        &["soap".into(), "SALVE".into(), "BALM".into()],
    )
    .await?;
    let got: Vec<(&str, Vec<&str>, &str)> =
        lines.iter().map(|l| (l.sku.as_str(), l.written.iter().map(String::as_str).collect(), l.outcome.as_str())).collect();
    assert_eq!(
        got,
        vec![("SOAP", vec!["price", "barcode", "title"], "written"), ("SALVE", vec!["price"], "partly"), ("BALM", vec![], "refused"),]
    );
    assert!(lines[1].message.as_deref().is_some_and(|m| m.contains("2 variants")), "{:?}", lines[1].message);
    let soap = fake.product_node("gid://shopify/Product/1").ok_or_else(|| CoreError::Invalid("soap gone".into()))?;
    assert_eq!(soap["title"], "SOAP");
    assert_eq!(soap["variants"]["nodes"][0]["price"], "8.00");
    assert_eq!(soap["variants"]["nodes"][0]["barcode"], "5012345678900");
    let salve = fake.product_node("gid://shopify/Product/2").ok_or_else(|| CoreError::Invalid("salve gone".into()))?;
    assert_eq!((salve["title"].as_str(), salve["variants"]["nodes"][0]["price"].as_str()), (Some("Salve"), Some("12.00")));
    assert_eq!(salve["variants"]["nodes"][1]["price"], "9.00", "the product not named is untouched");

    // Read again: only the multi-variant title still differs, and Wildroot is unchanged.
    let variants = client.all_variants().await?;
    let rows = with(&s, |s| s.shopify_catalogue(&variants))?;
    let differing: Vec<(Option<&str>, &[String])> = rows.iter().map(|r| (r.product_sku.as_deref(), r.differences.as_slice())).collect();
    assert_eq!(
        differing,
        vec![(Some("SOAP"), &[][..]), (Some("SALVE"), &["title".to_string()][..]), (Some("BALM"), &["title".to_string()][..])]
    );
    assert_eq!(with(&s, |s| s.product("SOAP"))?.price_cents, 800, "Wildroot is unchanged");

    // Shopify's refusal is reported per product, not as a failure of the run.
    s.lock()
        .map_err(|_| CoreError::Invalid("lock".into()))?
        .edit_product("BALM", wildroot_core::product::ProductEdit { price: Some(Money(950)), ..Default::default() })?;
    fake.refuse_next_variant_update("INVALID_INPUT", "Price is not allowed");
    let lines = wildroot_core::shopify::catalogue::push_wildroot_fields(&s, &mut client, &variants, &["BALM".into()]).await?;
    assert_eq!(lines[0].outcome, "refused");
    assert!(
        lines[0].message.as_deref().is_some_and(|m| m.starts_with("Price is not allowed; the title was left")),
        "{:?}",
        lines[0].message
    );
    assert_eq!(fake.product_node("gid://shopify/Product/2").map(|p| p["variants"]["nodes"][1]["price"].clone()), Some("9.00".into()));
    // Asked again with nothing different, nothing is sent.
    s.lock().map_err(|_| CoreError::Invalid("lock".into()))?.edit_product(
        "BALM",
        wildroot_core::product::ProductEdit { price: Some(Money(900)), name: Some("Salve - Size 2".into()), ..Default::default() },
    )?;
    let before_requests = fake.requests();
    let lines = wildroot_core::shopify::catalogue::push_wildroot_fields(&s, &mut client, &variants, &["BALM".into()]).await?;
    assert_eq!((lines[0].outcome.as_str(), fake.requests()), ("unchanged", before_requests));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_push_back_sets_available_without_clobbering_a_change_in_shopify() -> R {
    use wildroot_core::shopify::stock::push_stock;
    const LOC: &str = "gid://shopify/Location/7";
    let fake = FakeShopify::start(TOKEN).await;
    fake.put_products([
        fake_shopify::product(1, "Soap", &[("SOAP", 800, None)]),
        fake_shopify::product(2, "Salve", &[("SALVE", 1200, None)]),
    ]);
    let (soap_item, salve_item) = ("gid://shopify/InventoryItem/100", "gid://shopify/InventoryItem/200");
    fake.set_available(soap_item, LOC, 3);
    let (_dir, s) = store()?;
    let mut client = ShopifyClient::new(&fake.base_url, TOKEN, "2026-10", quick())?;
    let variants = client.all_variants().await?;
    {
        let mut st = s.lock().map_err(|_| CoreError::Invalid("lock".into()))?;
        st.link_shopify_variants(&variants)?;
        st.adjust_product("SOAP", -99_990, "count")?; // 10 on hand
    }
    // Core says it in plain words and names the remedy; the CLI adds its flag.
    let err = push_stock(&s, &mut client, true).await.err();
    assert_eq!(err.as_ref().and_then(CoreError::fix), Some(wildroot_core::error::Fix::ShopifyLocation), "{err:?}");
    assert!(err.map(|e| e.to_string()).unwrap_or_default().contains("no Shopify location"));
    s.lock().map_err(|_| CoreError::Invalid("lock".into()))?.configure_shopify_import(None, None, Some("7"))?;

    let dry = push_stock(&s, &mut client, true).await?;
    let outcomes =
        |lines: &[wildroot_core::shopify::stock::PushLine]| lines.iter().map(|l| (l.sku.clone(), l.outcome.clone())).collect::<Vec<_>>();
    assert_eq!(outcomes(&dry), vec![("SALVE".into(), "not_stocked".into()), ("SOAP".into(), "would_set".into())]);
    assert_eq!(fake.available(soap_item, LOC), Some(3), "a dry run changes nothing");

    let pushed = push_stock(&s, &mut client, false).await?;
    assert_eq!(outcomes(&pushed)[1], ("SOAP".into(), "set".into()));
    assert_eq!(fake.available(soap_item, LOC), Some(10));
    assert_eq!(push_stock(&s, &mut client, false).await?[1].outcome, "unchanged");

    // Someone sells one online between Wildroot's read and its write.
    s.lock().map_err(|_| CoreError::Invalid("lock".into()))?.adjust_product("SOAP", -4, "count")?;
    fake.set_available(salve_item, LOC, 0);
    fake.meddle_before_next_set(soap_item, LOC, 9);
    let raced = push_stock(&s, &mut client, false).await?;
    assert_eq!(outcomes(&raced), vec![("SALVE".into(), "set".into()), ("SOAP".into(), "changed_in_shopify".into())]);
    assert_eq!(fake.available(soap_item, LOC), Some(9), "Shopify's newer count was not overwritten");
    assert_eq!(fake.available(salve_item, LOC), Some(100_000));
    assert!(raced[1].message.as_deref().is_some_and(|m| m.contains("Import orders")));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switched_on_the_background_run_pushes_stock_after_importing() -> R {
    use std::sync::Arc;
    use wildroot_core::shopify::import::ShopifyLoop;
    use wildroot_core::shopify::link::DeviceKey;
    const LOC: &str = "gid://shopify/Location/7";
    let fake = FakeShopify::start(TOKEN).await;
    fake.put_products([fake_shopify::product(1, "Salve", &[("SALVE", 1200, None)])]);
    let item = "gid://shopify/InventoryItem/100";
    fake.set_available(item, LOC, 50);
    let (dir, s) = store()?;
    let key = DeviceKey::load_or_create(&dir.path().join("shop.key"))?;
    let variants = ShopifyClient::new(&fake.base_url, TOKEN, "2026-10", quick())?.all_variants().await?;
    {
        let mut st = s.lock().map_err(|_| CoreError::Invalid("lock".into()))?;
        st.link_shopify(&fake.base_url, TOKEN, &key)?;
        st.link_shopify_variants(&variants)?;
        let err = st.set_shopify_push_stock(true).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("no Shopify location"), "{err}");
        st.configure_shopify_import(None, None, Some("7"))?;
        assert!(!st.shopify_import_view()?.push_stock, "off by default");
        st.set_shopify_push_stock(true)?;
        assert!(st.shopify_import_view()?.push_stock);
    }
    fake.put_orders(orders(0..3));
    let store = Arc::new(s);
    let looping = ShopifyLoop::spawn(store.clone(), key, Duration::from_secs(3600), || {});
    // Online orders come in first, then Shopify's count is set from what is left.
    let want = 100_000 - sold(0..3).0;
    let t = Instant::now();
    while fake.available(item, LOC) != Some(want) && t.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(fake.available(item, LOC), Some(want));
    assert_eq!(with(&store, |s| s.shopify_import_view())?.orders, 3);

    // Switched off, the next run imports and leaves Shopify's counts alone.
    store.lock().map_err(|_| CoreError::Invalid("lock".into()))?.set_shopify_push_stock(false)?;
    fake.set_available(item, LOC, 7);
    fake.put_orders(orders(3..4));
    looping.import_now();
    let t = Instant::now();
    while with(&store, |s| s.shopify_import_view())?.orders != 4 && t.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    looping.stop().await;
    assert_eq!(fake.available(item, LOC), Some(7));
    Ok(())
}

/// Orders of every length against a fake as strict as Shopify about cost
/// (it refuses any query asking more than 1,000 points): 160 lines, 120
/// refund lines, refunded twice and more refunds than a page reads. Every
/// one imports whole, and no query the client sends is over the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_orders_import_whole_within_the_cost_limit() -> R {
    let fake = FakeShopify::start(TOKEN).await;
    let mut all = orders(0..40);
    let at = START + 100 * 60_000;
    let lines: Vec<(&str, i64, i64)> = (0..160).map(|i| if i % 2 == 0 { ("SALVE", 1, 1200) } else { ("SOAP", 1, 800) }).collect();
    all.push(fake_shopify::order(1000, at, at, "long@example.com", &lines));
    // 120 refund lines in one refund.
    let big = fake_shopify::order(1001, at + 1000, at + 1000, "refund@example.com", &lines[..130]);
    let refund_lines: Vec<(usize, i64, &str)> = (0..120).map(|i| (i, 1, "RETURN")).collect();
    all.push(fake_shopify::refund(big, 1, at + 2000, &refund_lines));
    // Five refunds of a line each, more than a page reads of an order.
    let mut many = fake_shopify::order(1002, at + 3000, at + 3000, "many@example.com", &[("SALVE", 5, 1200), ("SOAP", 5, 800)]);
    for r in 0..5 {
        many = fake_shopify::refund(many, 10 + r, at + 4000 + r as i64, &[((r % 2) as usize, 1, "RETURN")]);
    }
    all.push(many);
    fake.put_orders(all);
    let (_dir, s) = store()?;
    let report = import(&s, &fake, quick()).await?;
    assert_eq!(report.recorded, 43);
    assert_eq!(fake.over_cost(), 0, "a query over Shopify's cost limit was sent");
    assert!(fake.max_requested_cost() <= 1000, "{}", fake.max_requested_cost());
    let (salve, soap) = sold(0..40);
    // 80 + 65 + 5 salves out; 60 of the big refund's lines and 3 of the five refunds' come back.
    let back_salve = 60 + 3;
    let back_soap = 60 + 2;
    assert_eq!(on_hand(&s, "SALVE")?, 100_000 - salve - 80 - 65 - 5 + back_salve);
    assert_eq!(on_hand(&s, "SOAP")?, 100_000 - soap - 80 - 65 - 5 + back_soap);
    with(&s, |s| {
        assert_eq!(totals_check(s.conn())?, None);
        assert_eq!(s.books_check()?, None);
        let lines: i64 = s.conn().query_row(
            "SELECT COUNT(*) FROM sale_lines l JOIN sales x ON x.id = l.sale_id WHERE x.receipt_no = '#1000'",
            [],
            |r| r.get(0),
        )?;
        assert_eq!(lines, 160, "the long order imported whole");
        Ok(())
    })
}

/// The app lacks `read_customers`: Shopify answers the orders with their
/// customer withheld and ACCESS_DENIED beside the data. The import takes
/// what came and tells the owner once which permission is missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_answer_imports_what_came_and_names_the_missing_permission() -> R {
    let fake = FakeShopify::start(TOKEN).await;
    fake.put_orders(orders(0..40));
    fake.deny_customers();
    let (_dir, s) = store()?;
    let report = import(&s, &fake, quick()).await?;
    assert_eq!(report.recorded, 40);
    let (salve, _) = sold(0..40);
    assert_eq!(on_hand(&s, "SALVE")?, 100_000 - salve);
    let view = with(&s, |s| s.shopify_import_view())?;
    assert_eq!(view.last_error, None);
    assert!(view.withheld.as_deref().is_some_and(|w| w.contains("read_customers")), "{:?}", view.withheld);
    let alerts: Vec<String> = with(&s, |s| s.alerts())?.into_iter().map(|a| a.message).filter(|m| m.contains("read_customers")).collect();
    assert_eq!(alerts.len(), 1, "said once: {alerts:?}");
    with(&s, |s| {
        assert_eq!(s.list_customers(None)?.len(), 0, "the withheld customers are left out");
        Ok(())
    })
}

/// A THROTTLED answer is waited out once: the wait for the deficit credits
/// the bucket, so the next query does not wait the same deficit again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttle_is_waited_once() -> R {
    let fake = FakeShopify::start(TOKEN).await;
    fake.put_orders(orders(0..10));
    let (_dir, s) = store()?;
    // Empty, restoring 500 points a second: the page (about 950 points)
    // waits about 1.9 s (plus up to half again of jitter); twice would be 3.8 s or more.
    fake.throttle(Bucket { maximum: 2000.0, restore_per_s: 500.0 }, 0.0);
    let t = Instant::now();
    let report = import(&s, &fake, quick()).await?;
    let took = t.elapsed();
    assert_eq!(report.recorded, 10);
    assert_eq!(fake.throttled(), 1, "throttled once");
    assert!(took >= Duration::from_millis(1800) && took < Duration::from_millis(3500), "{took:?}");
    Ok(())
}

/// 5,000 orders, some with 160 lines, some with a refund of 120 lines, some
/// refunded twice, as a long history: read with one bulk operation they
/// import exactly as page by page, and a second run records nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_history_imports_by_bulk_exactly_as_by_pages() -> R {
    let fake = FakeShopify::start(TOKEN).await;
    fake.put_orders(history());
    let (_d1, by_bulk) = store()?;
    let mut seen = Vec::new();
    let report = import_way(&by_bulk, &fake, quick(), ImportWay::Auto, &mut |p| seen.push(p)).await?;
    assert!(report.bulk, "a history older than the threshold is read by bulk");
    assert_eq!((report.orders, report.recorded), (5000, 5000));
    assert_eq!(fake.bulk_runs(), 1);
    assert!(fake.max_requested_cost() <= 1000 && fake.over_cost() == 0);
    assert!(seen.iter().any(|p| matches!(p, ImportProgress::BulkRunning { .. })), "{seen:?}");
    let recorded: Vec<(usize, usize)> = seen
        .iter()
        .filter_map(|p| if let ImportProgress::Recorded { recorded, total } = p { Some((*recorded, *total)) } else { None })
        .collect();
    assert!(recorded.windows(2).all(|w| w[0].0 < w[1].0) && recorded.last() == Some(&(5000, 5000)), "{recorded:?}");
    assert_eq!(with(&by_bulk, |s| s.shopify_import_view())?.bulk_progress, None, "a finished import is not under way");

    let (_d2, by_pages) = store()?;
    let paged = import(&by_pages, &fake, quick()).await?;
    assert_eq!(paged.recorded, 5000);
    for s in [&by_bulk, &by_pages] {
        with(s, |s| {
            assert_eq!(totals_check(s.conn())?, None);
            assert_eq!(s.books_check()?, None);
            Ok(())
        })?;
    }
    assert_eq!(figures(&by_bulk)?, figures(&by_pages)?);

    let ops = with(&by_bulk, |s| op_count(s.conn()))?;
    let again = import_way(&by_bulk, &fake, quick(), ImportWay::Bulk, &mut |_| {}).await?;
    assert_eq!(again.recorded, 0, "{again:?}");
    assert_eq!(with(&by_bulk, |s| op_count(s.conn()))?, ops);
    Ok(())
}

/// A bulk import cut off after two pages (the process gone, mid-file)
/// goes on at the next run and records every order once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_import_cut_off_midway_resumes_without_duplicates() -> R {
    let fake = FakeShopify::start(TOKEN).await;
    fake.put_orders(history());
    let (_dir, s) = store()?;
    let s = std::sync::Arc::new(s);
    let store = s.clone();
    let policy = quick();
    let url = fake.base_url.clone();
    let cut = tokio::spawn(async move {
        let version = store.lock().map_err(|_| CoreError::Invalid("lock".into()))?.shopify_import_start()?.1;
        let mut client = ShopifyClient::new(&url, TOKEN, &version, policy)?;
        import_orders_with(&store, &mut client, ImportWay::Bulk, &mut |p| {
            if let ImportProgress::Recorded { recorded, .. } = p {
                assert!(recorded < 2 * wildroot_core::shopify::import::BULK_PAGE, "cut off here");
            }
        })
        .await
    })
    .await;
    assert!(cut.is_err(), "the first run was not cut off");
    let midway = with(&s, |s| s.shopify_import_view())?;
    assert_eq!(midway.orders, 2 * wildroot_core::shopify::import::BULK_PAGE as i64, "whole pages only");
    assert!(midway.bulk_progress.is_some(), "a cut-off import shows how far it came");
    let report = import_way(&s, &fake, quick(), ImportWay::Auto, &mut |_| {}).await?;
    assert!(report.bulk);
    assert_eq!(with(&s, |s| s.shopify_import_view())?.orders, 5000);
    let shopify_ops: i64 =
        with(&s, |s| Ok(s.conn().query_row("SELECT COUNT(*) FROM ops WHERE kind = 'shopify_order_seen'", [], |r| r.get(0))?))?;
    assert_eq!(shopify_ops, 5000, "each order's state once");
    with(&s, |s| {
        assert_eq!(totals_check(s.conn())?, None);
        assert_eq!(s.books_check()?, None);
        assert_eq!(replay_check(s)?, None);
        Ok(())
    })
}

/// 5,000 orders over a year and more: most short; every 500th with 160
/// lines; every 700th refunded 120 lines in one refund; every 900th
/// refunded twice.
fn history() -> Vec<serde_json::Value> {
    let long: Vec<(&str, i64, i64)> = (0..160).map(|i| if i % 2 == 0 { ("SALVE", 1, 1200) } else { ("SOAP", 1, 800) }).collect();
    (0..5000u64)
        .map(|n| {
            let at = START + n as i64 * 2 * 3_600_000;
            let email = format!("buyer{}@example.com", n % 50);
            if n % 500 == 1 {
                return fake_shopify::order(n, at, at, &email, &long);
            }
            if n % 700 == 2 {
                let big = fake_shopify::order(n, at, at, &email, &long[..130]);
                let lines: Vec<(usize, i64, &str)> = (0..120).map(|i| (i, 1, "RETURN")).collect();
                return fake_shopify::refund(big, n, at + 60_000, &lines);
            }
            let o = fake_shopify::order(n, at, at, &email, &[("SALVE", (n % 3 + 1) as i64, 1200), ("SOAP", 2, 800)]);
            if n % 900 == 3 {
                let once = fake_shopify::refund(o, n * 10, at + 60_000, &[(0, 1, "RETURN")]);
                return fake_shopify::refund(once, n * 10 + 1, at + 120_000, &[(1, 1, "NO_RESTOCK")]);
            }
            o
        })
        .collect()
}

/// What an import leaves that two imports of the same orders must agree on.
fn figures(s: &Mutex<Store>) -> Result<(i64, i64, i64, i64, i64), CoreError> {
    with(s, |s| {
        let (sales, lines, refunded): (i64, i64, i64) = s.conn().query_row(
            "SELECT (SELECT COUNT(*) FROM sales), (SELECT COUNT(*) FROM sale_lines), (SELECT COALESCE(SUM(qty), 0) FROM refund_lines)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok((s.product("SALVE")?.on_hand, s.product("SOAP")?.on_hand, sales, lines, refunded))
    })
}
