//! The backup rules over random work, with the backups made while a sale
//! is being rung up on another thread (the app's daily backup runs beside
//! the POS: `backup::auto_backup_of_file`):
//!
//! 1. A backup is a snapshot of what was committed: it passes the checkup
//!    (integrity, replay, totals, the books' rules), and its sales are
//!    exactly the first sales committed, no fewer than had been committed
//!    when it began and no more than when it ended.
//! 2. A backup never holds the device's sign-in, and a restore over the
//!    device's own database keeps it.
//! 3. A restore never loses work: restoring any of those backups over the
//!    shop as it ended gives the same books as before the restore.
//!
//! Cases: `WILDROOT_BACKUP_CASES` (default 12). A failure is shrunk to the
//! shortest work that breaks a rule and printed; `PROPTEST_RNG_SEED`
//! replays a run.
use proptest::prelude::*;
use std::sync::{Arc, Mutex};
use wildroot_core::backup::{auto_backup_of_file, restore};
use wildroot_core::oplog::dump_tables;
use wildroot_core::product::NewProduct;
use wildroot_core::sale::{LineRequest, SaleRequest};
use wildroot_core::{CoreError, Store};
use wildroot_model::op::PayMethod;
use wildroot_model::Money;

#[derive(Debug, Clone)]
enum Work {
    Sell {
        qty: i64,
    },
    /// Refunds the n-th sale made so far (modulo), one unit or all.
    Refund {
        nth: usize,
        whole: bool,
    },
    Count {
        qty: i64,
    },
}

fn work() -> impl Strategy<Value = Work> {
    prop_oneof![
        4 => (1i64..4).prop_map(|qty| Work::Sell { qty }),
        1 => (0usize..64, any::<bool>()).prop_map(|(nth, whole)| Work::Refund { nth, whole }),
        1 => (-3i64..6).prop_map(|qty| Work::Count { qty }),
    ]
}

fn e(err: impl std::fmt::Display) -> String {
    err.to_string()
}

fn sales_of(store: &Store) -> Result<Vec<String>, String> {
    let mut stmt = store.conn().prepare("SELECT id FROM sales").map_err(e)?;
    let ids = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(e)?.collect::<Result<Vec<_>, _>>().map_err(e)?;
    Ok(ids)
}

/// Does `step` on the shop; a refusal (nothing left to refund, stock
/// counted below zero) is part of ordinary work and changes nothing.
fn apply(s: &mut Store, step: &Work, sold: &Mutex<Vec<String>>) -> Result<(), String> {
    let outcome = match step {
        Work::Sell { qty } => {
            let req = SaleRequest {
                lines: vec![LineRequest { key: "SALVE".into(), qty: *qty, unit_price: None, discount: None, lot: None, custom: None }],
                payments: vec![(PayMethod::Cash, Money(1400 * qty))],
                ..Default::default()
            };
            s.sell(req).map(|r| {
                // Noted once committed: the backups are judged against this order.
                if let Ok(mut list) = sold.lock() {
                    list.push(r.sale_id.to_string());
                }
            })
        }
        Work::Refund { nth, whole } => {
            let id = sold.lock().map_err(e)?.iter().cycle().nth(*nth).cloned();
            match id {
                Some(id) if *whole => s.refund(&id, None, true).map(drop),
                Some(id) => s.refund(&id, Some(&[("SALVE".to_string(), 1)]), true).map(drop),
                None => Ok(()),
            }
        }
        Work::Count { qty } => s.adjust_product("SALVE", *qty, "counted").map(drop),
    };
    match outcome {
        Ok(()) | Err(CoreError::Invalid(_) | CoreError::NotFound { .. }) => Ok(()),
        Err(other) => Err(format!("{step:?} failed: {other}")),
    }
}

fn run(steps: &[Work], gaps_ms: &[u64]) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(e)?;
    let db = dir.path().join("shop.db");
    let mut shop = Store::open(&db).map_err(e)?;
    shop.add_product(NewProduct { sku: "SALVE".into(), name: "Salve".into(), price: Money(1400), ..Default::default() }).map_err(e)?;
    shop.adjust_product("SALVE", 500, "made").map_err(e)?;
    // Signed in to a server (the token as an older build left it: clear).
    shop.conn()
        .execute(
            "INSERT INTO sync_state (singleton, server_url, device_token, device_name, user_email, role)
             VALUES (1, 'http://127.0.0.1:9', 'signed-in', 'Booth', 'owner@example.test', 'owner')",
            [],
        )
        .map_err(e)?;
    let now = shop.now_ms();
    let sold = Arc::new(Mutex::new(Vec::<String>::new()));

    // The booth rings up the work while the backups are made.
    let booth = {
        let (steps, sold) = (steps.to_vec(), Arc::clone(&sold));
        std::thread::spawn(move || -> Result<Store, String> {
            for step in &steps {
                apply(&mut shop, step, &sold)?;
            }
            Ok(shop)
        })
    };
    let mut made = Vec::new();
    for (k, gap) in gaps_ms.iter().enumerate() {
        // Spread through the booth's work (a sale on a file takes about a millisecond).
        std::thread::sleep(std::time::Duration::from_millis(*gap));
        let before = sold.lock().map_err(e)?.len();
        // A folder each: the daily rule would skip a second one today.
        let report = auto_backup_of_file(&db, now, &dir.path().join(format!("backups-{k}"))).map_err(e)?;
        let after = sold.lock().map_err(e)?.clone();
        let path = report.made.ok_or("the first backup of a day was not made")?;
        made.push((path, before, after));
    }
    let shop = booth.join().map_err(|_| "the booth's thread panicked".to_string())??;
    let ended = dump_tables(shop.conn()).map_err(e)?;
    drop(shop);
    let token = |path: &std::path::Path| -> Result<String, String> {
        let raw = rusqlite::Connection::open(path).map_err(e)?;
        raw.query_row("SELECT device_token FROM sync_state", [], |r| r.get(0)).map_err(e)
    };

    for (k, (path, before, after)) in made.iter().enumerate() {
        if !token(path)?.is_empty() {
            return Err(format!("backup {k} holds the device's sign-in"));
        }
        let copy = Store::open(path).map_err(e)?;
        let checkup = copy.checkup().map_err(e)?;
        if checkup.integrity != "ok" || checkup.replay.is_some() || checkup.totals.is_some() || checkup.books.is_some() {
            return Err(format!("backup {k} is not a consistent snapshot: {checkup:?}"));
        }
        let mut held = sales_of(&copy)?;
        let n = held.len();
        let mut first: Vec<String> = after.iter().take(n).cloned().collect();
        held.sort();
        first.sort();
        if n < *before || n > after.len() || held != first {
            return Err(format!(
                "backup {k} holds {n} sales, not the first sales committed ({before} when it began, {} when it ended)",
                after.len()
            ));
        }
        drop(copy);

        // Restored over a copy of the shop as it ended.
        let current = dir.path().join(format!("restored-{k}.db"));
        std::fs::copy(&db, &current).map_err(e)?;
        restore(&current, path).map_err(e)?;
        if token(&current)? != "signed-in" {
            return Err(format!("restoring backup {k} signed the device out"));
        }
        let restored = Store::open(&current).map_err(e)?;
        if dump_tables(restored.conn()).map_err(e)? != ended {
            return Err(format!("restoring backup {k} (of {n} sales) did not give back the books as they ended"));
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("WILDROOT_BACKUP_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(12)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_backup_made_beside_the_booth_is_a_snapshot_and_restoring_it_loses_nothing(
        steps in prop::collection::vec(work(), 1..80),
        gaps_ms in prop::collection::vec(0u64..30, 1..5),
    ) {
        run(&steps, &gaps_ms).map_err(TestCaseError::fail)?;
    }
}
