//! One story through every `Storage` method, told to each backend: users,
//! devices and their tokens, pushes (repeats, gaps, refusals, a number
//! taken, settings that go with a page or not), pulls page by page,
//! settings and revocation. The backends must answer it alike.
//!
//! SQLite always runs. PostgreSQL needs a server (`WILDROOT_TEST_DATABASE_URL`,
//! started by `scripts/test`): without one its test is reported *ignored*,
//! never passed; `scripts/test` runs it with `--include-ignored`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;
use wildroot_model::sync::{Role, WireOp};
use wildroot_model::{DeviceId, Hlc, OpId};
use wildroot_server::any::AnyStorage;
use wildroot_server::auth::token_hash;
use wildroot_server::storage::{Judged, Storage, StorageError};

fn op(device: DeviceId, device_seq: i64) -> WireOp {
    WireOp {
        id: OpId::new(),
        device,
        device_seq,
        hlc: Hlc { ms: 1_800_000_000_000 + device_seq, counter: 0 },
        version: 1,
        kind: "product_adjusted".into(),
        payload: wildroot_model::sync::payload_of(&json!({ "n": device_seq })),
    }
}

fn ok(op: &WireOp) -> Judged {
    Judged { op: op.clone(), verdict: Ok(()) }
}

async fn story(s: &AnyStorage) {
    // Users.
    assert_eq!(s.user_count().await.unwrap(), 0);
    s.add_user("owner@shop.test", "hash-o", Role::Owner).await.unwrap();
    s.add_user("booth@shop.test", "hash-b", Role::Vendor).await.unwrap();
    assert!(matches!(s.add_user("owner@shop.test", "again", Role::Vendor).await, Err(StorageError::Conflict(_))));
    let owner = s.user_by_email("owner@shop.test").await.unwrap().expect("the owner");
    assert_eq!((owner.role, owner.password_hash.as_str()), (Role::Owner, "hash-o"));
    assert!(s.user_by_email("nobody@shop.test").await.unwrap().is_none());
    let booth = s.user_by_email("booth@shop.test").await.unwrap().expect("the vendor");
    assert_eq!(s.user_count().await.unwrap(), 2);

    // Devices and their tokens.
    let laptop = DeviceId::new();
    let phone = DeviceId::new();
    s.register_device(laptop, owner.id, "Laptop", &token_hash("t-laptop-1")).await.unwrap();
    s.register_device(laptop, owner.id, "Laptop", &token_hash("t-laptop-2")).await.unwrap();
    assert!(s.device_by_token(&token_hash("t-laptop-1"), 5).await.unwrap().is_none(), "a replaced token still signs in");
    let auth = s.device_by_token(&token_hash("t-laptop-2"), 5).await.unwrap().expect("the laptop");
    assert_eq!((auth.device_id, auth.role, auth.revoked, auth.user_email.as_str()), (laptop, Role::Owner, false, "owner@shop.test"));
    assert!(matches!(s.register_device(laptop, booth.id, "Stolen", &token_hash("x")).await, Err(StorageError::Conflict(_))));
    s.register_device(phone, booth.id, "Phone", &token_hash("t-phone")).await.unwrap();
    let devices = s.list_devices().await.unwrap();
    assert_eq!(devices.len(), 2);
    assert!(devices.iter().any(|d| d.device_id == laptop && d.last_seen_ms == Some(5)), "{devices:?}");
    let users = s.list_users().await.unwrap();
    assert_eq!(users.iter().map(|u| (u.email.as_str(), u.devices)).collect::<Vec<_>>(), [("owner@shop.test", 1), ("booth@shop.test", 1)]);

    // Pushes: in order, each number once.
    let (a, b, c, d) = (op(laptop, 1), op(laptop, 2), op(laptop, 3), op(laptop, 4));
    let first = s.push(laptop, vec![ok(&b), ok(&a)], 10).await.unwrap();
    assert_eq!(first.acked.iter().map(|x| x.id).collect::<Vec<_>>(), [a.id, b.id]);
    assert!(first.acked[0].server_seq < first.acked[1].server_seq);
    let again = s.push(laptop, vec![ok(&a), ok(&b)], 11).await.unwrap();
    assert_eq!(again.acked, first.acked, "a repeat is answered as the first time");
    let gap = s.push(laptop, vec![ok(&d)], 12).await.unwrap();
    assert_eq!((gap.acked.len(), gap.expected_seq), (0, Some(3)), "a gap stores nothing past it");
    let refused = s
        .push_with_settings(laptop, vec![Judged { op: c.clone(), verdict: Err("not yours".into()) }], 13, vec![("page".into(), "1".into())])
        .await
        .unwrap();
    assert_eq!(refused.refused.len(), 1);
    assert_eq!(s.get_setting("page").await.unwrap(), None, "settings do not go with a refused page");
    let again = s.push(laptop, vec![Judged { op: c.clone(), verdict: Ok(()) }], 14).await.unwrap();
    assert_eq!(again.refused.iter().map(|r| r.reason.as_str()).collect::<Vec<_>>(), ["not yours"], "a refusal is for good");
    let taken = s.push_with_settings(laptop, vec![ok(&d)], 15, vec![("page".into(), "2".into())]).await.unwrap();
    assert_eq!((taken.acked.len(), taken.expected_seq), (1, None));
    assert_eq!(s.get_setting("page").await.unwrap().as_deref(), Some("2"), "settings go with a page taken whole");
    // Another operation under a number already used: the series' next number is said.
    let clash = s.push(laptop, vec![ok(&op(laptop, 2))], 16).await.unwrap();
    assert_eq!((clash.acked.len(), clash.expected_seq), (0, Some(5)));
    // An id stored already (a Shopify order from another path) is the same operation.
    let shared =
        s.push(phone, vec![Judged { op: WireOp { device: phone, device_seq: 1, ..a.clone() }, verdict: Ok(()) }], 17).await.unwrap();
    assert_eq!(shared.acked[0].server_seq, first.acked[0].server_seq);
    assert_eq!(s.op_count().await.unwrap(), 3);

    // Pulls, page by page, in server order.
    let page = s.pull(0, 2).await.unwrap();
    assert_eq!(page.ops.iter().map(|p| p.op.id).collect::<Vec<_>>(), [a.id, b.id]);
    assert!(page.more);
    let rest = s.pull(page.next_after, 2).await.unwrap();
    assert_eq!(rest.ops.iter().map(|p| p.op.id).collect::<Vec<_>>(), [d.id]);
    assert!(!rest.more);
    assert_eq!(rest.ops[0].op.payload.get(), d.payload.get());

    // Settings.
    s.set_setting("colour", "green").await.unwrap();
    s.set_setting("colour", "blue").await.unwrap();
    assert_eq!(s.get_setting("colour").await.unwrap().as_deref(), Some("blue"));

    // Revocation, by a prefix of the id.
    let prefix = phone.to_string()[..30].to_string();
    assert_eq!(s.revoke_device(&prefix).await.unwrap(), phone);
    assert!(s.device_by_token(&token_hash("t-phone"), 20).await.unwrap().expect("still known").revoked);
    assert!(matches!(s.register_device(phone, booth.id, "Phone", &token_hash("t-new")).await, Err(StorageError::Conflict(_))));
    assert!(matches!(s.revoke_device("ffffffff").await, Err(StorageError::NotFound(_))));
    assert_eq!(s.list_users().await.unwrap().iter().find(|u| u.email == "booth@shop.test").map(|u| u.devices), Some(0));
}

#[tokio::test]
async fn the_story_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let storage = AnyStorage::open(&dir.path().join("server.db"), None).await.unwrap();
    story(&storage).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: set WILDROOT_TEST_DATABASE_URL (scripts/test starts one and runs this)"]
async fn the_story_on_postgres() {
    let base = std::env::var("WILDROOT_TEST_DATABASE_URL").expect("WILDROOT_TEST_DATABASE_URL: this test needs PostgreSQL");
    let schema = format!("story_{}", std::process::id());
    let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);
    client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).await.unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
    let dir = tempfile::tempdir().unwrap();
    let storage = AnyStorage::open(&dir.path().join("unused.db"), Some(&url)).await.unwrap();
    assert!(matches!(storage, AnyStorage::Postgres(_)), "the story must run on PostgreSQL here");
    story(&storage).await;
    client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await.unwrap();
}
