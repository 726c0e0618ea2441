//! The emailed-receipt status rule (#25), as a property: whatever outcomes
//! a request gets (sent, failed with reasons, by any sender, at any clock)
//! and in whatever order a device receives them, every device shows the
//! same status: sent if any outcome says sent, else the latest failure by
//! the outcome's clock (then its id), else queued; and the replicated
//! tables equal a replay. `WILDROOT_MAIL_CASES` sets the cases (64).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use std::str::FromStr;
use wildroot_core::oplog::{all_ops, apply_foreign, dump_tables, replay_check};
use wildroot_core::sale::{LineRequest, SaleRequest};
use wildroot_core::Store;
use wildroot_model::mail::EmailStatus;
use wildroot_model::op::{OpKind, Operation, PayMethod, ReceiptEmailOutcome};
use wildroot_model::{DeviceId, Hlc, Money, OpId, OP_VERSION};

fn cases() -> u32 {
    std::env::var("WILDROOT_MAIL_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64)
}

/// An outcome as generated: sent, the reason's number, its clock.
#[derive(Clone, Debug)]
struct Outcome {
    sent: bool,
    reason: u8,
    ms: i64,
    counter: u32,
}

fn outcome() -> impl Strategy<Value = Outcome> {
    (prop::bool::weighted(0.3), 0u8..4, 0i64..5, 0u32..3).prop_map(|(sent, reason, ms, counter)| Outcome { sent, reason, ms, counter })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn every_device_shows_one_status_whatever_the_order(
        outcomes in prop::collection::vec(outcome(), 0..6),
        order_b in Just(()).prop_perturb(|_, mut rng| rng.random::<u64>()),
        order_c in Just(()).prop_perturb(|_, mut rng| rng.random::<u64>()),
    ) {
        let mut a = Store::open_in_memory().unwrap();
        a.seed_demo().unwrap();
        let sku = a.list_products(None, None).unwrap()[0].sku.clone();
        let sale = a
            .sell(SaleRequest {
                lines: vec![LineRequest { key: sku, qty: 1, unit_price: None, discount: None, lot: None, custom: None }],
                payments: vec![(PayMethod::Cash, Money(100_000))],
                customer: Some("ann@example.com".into()),
                add_customer: true,
                ..Default::default()
            })
            .unwrap();
        let offered = a.sale_customer_email(&sale.receipt_no).unwrap();
        prop_assert_eq!(offered.as_deref(), Some("ann@example.com"));
        let asked = a.request_receipt_email(&sale.receipt_no, "Ann@Example.com").unwrap();
        prop_assert_eq!(asked.status, EmailStatus::Queued);
        let request = OpId::from_str(&asked.request).unwrap();

        // The outcomes, from two senders, at generated clocks.
        let senders = [DeviceId::new(), DeviceId::new()];
        let mut seqs = [0i64; 2];
        let mut extra: Vec<Operation> = Vec::new();
        for (i, o) in outcomes.iter().enumerate() {
            // "Sent" has one id per request (derived), so one operation: a
            // second is that operation delivered again.
            if let Some(first) = extra.iter().find(|e| o.sent && e.id == wildroot_model::mail::sent_outcome_id(request)) {
                extra.push(first.clone());
                continue;
            }
            let who = i % 2;
            seqs[who] += 1;
            let id = if o.sent { wildroot_model::mail::sent_outcome_id(request) } else { OpId::new() };
            extra.push(Operation {
                id,
                device: senders[who],
                device_seq: seqs[who],
                hlc: Hlc { ms: 1_900_000_000_000 + o.ms, counter: o.counter },
                version: OP_VERSION,
                kind: OpKind::ReceiptEmailOutcome(ReceiptEmailOutcome {
                    request,
                    sent: o.sent,
                    reason: (!o.sent).then(|| format!("reason {}", o.reason)),
                    at_ms: 1_900_000_000_000 + o.ms,
                }),
            });
        }
        // What the rule says, worked out here from the generated outcomes.
        let stored: Vec<&Operation> = {
            let mut seen = std::collections::HashSet::new();
            extra.iter().filter(|o| seen.insert(o.id)).collect()
        };
        let want = if stored.iter().any(|o| matches!(&o.kind, OpKind::ReceiptEmailOutcome(p) if p.sent)) {
            (EmailStatus::Sent, None)
        } else if let Some(last) = stored.iter().max_by_key(|o| (o.hlc.ms, o.hlc.counter, o.id.to_string())) {
            let OpKind::ReceiptEmailOutcome(p) = &last.kind else { unreachable!() };
            (EmailStatus::Failed, p.reason.clone())
        } else {
            (EmailStatus::Queued, None)
        };

        // Two other devices get everything, each in its own order.
        let base = all_ops(a.conn()).unwrap();
        apply_foreign(&mut a, &extra).unwrap();
        let mut views = vec![a.receipt_emails().unwrap()];
        let mut dumps = vec![dump_tables(a.conn()).unwrap()];
        for seed in [order_b, order_c] {
            let mut ops: Vec<Operation> = base.iter().cloned().chain(extra.iter().cloned()).collect();
            // A deterministic shuffle from the seed, the request kept before its
            // sale's figures matter to no one: outcomes may come before the request.
            let mut x = seed | 1;
            for i in (1..ops.len()).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ops.swap(i, (x % (i as u64 + 1)) as usize);
            }
            // Sales need their products: the catalogue and the sale first, the rest in the shuffled order.
            let (first, rest): (Vec<Operation>, Vec<Operation>) = ops.into_iter().partition(|o| {
                !matches!(o.kind, OpKind::ReceiptEmailRequested(_) | OpKind::ReceiptEmailOutcome(_))
            });
            let mut first = first;
            first.sort_by_key(|o| (o.device.to_string(), o.device_seq));
            let mut s = Store::open_in_memory().unwrap();
            apply_foreign(&mut s, &first).unwrap();
            for op in &rest {
                apply_foreign(&mut s, std::slice::from_ref(op)).unwrap();
            }
            prop_assert!(replay_check(&s).unwrap().is_none());
            views.push(s.receipt_emails().unwrap());
            dumps.push(dump_tables(s.conn()).unwrap());
        }
        for v in &views {
            prop_assert_eq!(v.len(), 1);
            prop_assert_eq!((v[0].status, v[0].reason.clone()), want.clone(), "{:?}", outcomes);
            prop_assert_eq!(&v[0].to, "ann@example.com");
        }
        prop_assert!(dumps.windows(2).all(|w| w[0] == w[1]), "the stores differ");
    }
}

/// A receipt this device was sending when it was last used is never sent
/// again after its database is restored from an older backup: the send log
/// (not synced, not in the backup) is brought back with the operations.
#[test]
fn a_restore_keeps_the_send_log_so_nothing_is_sent_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (db, copy) = (dir.path().join("shop.db"), dir.path().join("copy.db"));
    let mut s = Store::open(&db).unwrap();
    s.seed_demo().unwrap();
    let sale = s.recent_sales(None, 1).unwrap()[0].receipt_no.clone();
    let asked = s.request_receipt_email(&sale, "ann@example.com").unwrap();
    s.backup_to(&copy).unwrap();
    s.conn()
        .execute("INSERT INTO mail_send_log (request_id, state, generation, reason) VALUES (?1, 'sending', 0, NULL)", [&asked.request])
        .unwrap();
    drop(s);
    wildroot_core::backup::restore(&db, &copy).unwrap();
    let s = Store::open(&db).unwrap();
    let state: String =
        s.conn().query_row("SELECT state FROM mail_send_log WHERE request_id = ?1", [&asked.request], |r| r.get(0)).unwrap();
    assert_eq!(state, "sending");
}
