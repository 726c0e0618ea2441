//! What a flaky network or a hostile client throws at the server: bodies
//! too large (plain and gzip bombs), clients that stall half-way through
//! their headers or their body, hundreds of them at once. Each gets a clear
//! refusal or is let go, and a real device keeps syncing throughout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wildroot_core::product::NewProduct;
use wildroot_core::sale::{LineRequest, SaleRequest};
use wildroot_core::sync::{self, gzip};
use wildroot_core::Store;
use wildroot_model::op::PayMethod;
use wildroot_model::sync::Role;
use wildroot_model::Money;
use wildroot_server::any::AnyStorage;
use wildroot_server::storage::Storage;

async fn start(dir: &tempfile::TempDir, timeout: Duration) -> (String, tokio::sync::oneshot::Sender<()>) {
    let storage = AnyStorage::open(&dir.path().join("server.db"), None).await.unwrap();
    storage.add_user("owner@shop.test", &wildroot_server::auth::hash_password("pw-long-enough").unwrap(), Role::Owner).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let options = wildroot_server::Options { request_timeout: Some(timeout), ..Default::default() };
    tokio::spawn(async move {
        wildroot_server::serve_with(
            storage,
            listener,
            async {
                let _ = stopped.await;
            },
            options,
        )
        .await
        .unwrap()
    });
    (url, stop)
}

fn sell(store: &Mutex<Store>) {
    store
        .lock()
        .unwrap()
        .sell(SaleRequest {
            lines: vec![LineRequest { key: "SALVE".into(), qty: 1, unit_price: None, discount: None, lot: None, custom: None }],
            payments: vec![(PayMethod::Cash, Money(2000))],
            ..Default::default()
        })
        .unwrap();
}

/// Opens a connection and sends `head` (and no more).
fn stall(addr: &str, head: &str) -> TcpStream {
    let mut c = TcpStream::connect(addr).unwrap();
    c.write_all(head.as_bytes()).unwrap();
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_bodies_and_stalled_clients_are_let_go_while_devices_keep_syncing() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _stop) = start(&dir, Duration::from_secs(3)).await;
    let addr = url.trim_start_matches("http://").to_string();
    let store = Arc::new(Mutex::new(Store::open(&dir.path().join("till.db")).unwrap()));
    sync::login(&store, &url, "owner@shop.test", "pw-long-enough", "Till").await.unwrap();
    {
        let mut s = store.lock().unwrap();
        s.add_product(NewProduct { sku: "SALVE".into(), name: "Salve".into(), price: Money(1400), ..Default::default() }).unwrap();
        s.adjust_product("SALVE", 100, "count").unwrap();
    }
    sync::sync_once(&store, &mut |_| {}).await.unwrap();
    let token = store.lock().unwrap().sync_config().unwrap().unwrap().device_token;
    let http = reqwest::Client::new();
    let push = format!("{url}/api/v1/sync/push");

    // Larger than the limit, said with Content-Length: refused before a byte
    // of it is read (on a raw socket: a client still sending when the
    // refusal comes may see only the connection close).
    let answer = tokio::task::spawn_blocking({
        let (addr, token) = (addr.clone(), token.clone());
        move || {
            let mut c = stall(
                &addr,
                &format!(
                    "POST /api/v1/sync/push HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    wildroot_server::api::MAX_BODY_BYTES + 1
                ),
            );
            c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut answer = String::new();
            let _ = c.read_to_string(&mut answer);
            answer
        }
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains(r#""code":"too_large""#) && answer.contains("fewer operations"), "{answer}");
    // A gzip bomb: 20 KB on the wire, 20 MB unpacked. The limit counts what is unpacked.
    let bomb = gzip(&vec![b' '; 20 * 1024 * 1024]).unwrap();
    assert!(bomb.len() < 64 * 1024);
    let resp = http.post(&push).bearer_auth(&token).header("Content-Encoding", "gzip").body(bomb).send().await.unwrap();
    assert_eq!(resp.status(), 413);
    assert_eq!(resp.json::<serde_json::Value>().await.unwrap()["code"], "too_large");

    // Two hundred clients stall: half inside their headers, half inside a body.
    let stalled = tokio::task::spawn_blocking({
        let addr = addr.clone();
        move || {
            let mut conns = Vec::new();
            for i in 0..200 {
                let head = if i % 2 == 0 {
                    format!("POST /api/v1/sync/push HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer ")
                } else {
                    format!(
                        "POST /api/v1/sync/push HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"protocol\": 1, \"ops\": ["
                    )
                };
                conns.push(stall(&addr, &head));
            }
            conns
        }
    })
    .await
    .unwrap();

    // Meanwhile the till sells and syncs, promptly.
    for _ in 0..5 {
        sell(&store);
        let started = Instant::now();
        let report = sync::sync_once(&store, &mut |_| {}).await.unwrap();
        assert_eq!(report.pushed, 1);
        assert!(started.elapsed() < Duration::from_secs(3), "a sync took {:?} beside stalled clients", started.elapsed());
    }

    // A body that stopped coming is answered 408 once the request's time is up.
    let answers = tokio::task::spawn_blocking(move || {
        stalled
            .into_iter()
            .skip(1)
            .step_by(2)
            .take(10)
            .map(|mut c| {
                c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let mut answer = String::new();
                let _ = c.read_to_string(&mut answer);
                answer
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert!(answers.iter().all(|a| a.starts_with("HTTP/1.1 408") && a.contains(r#""code":"timeout""#)), "{answers:?}");

    let health = http.get(format!("{url}/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    // Refusals from the router itself are the same JSON errors.
    let missing = http.get(format!("{url}/api/v1/nothing-here")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<serde_json::Value>().await.unwrap()["code"], "not_found");
    let wrong = http.post(format!("{url}/health")).send().await.unwrap();
    assert_eq!(wrong.status(), 405);
    assert!(wrong.headers().contains_key("allow"), "a 405 still says what is allowed");
    assert_eq!(wrong.json::<serde_json::Value>().await.unwrap()["code"], "method_not_allowed");
    let bad_query = http.get(format!("{url}/api/v1/sync/pull?after=yesterday")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(bad_query.status(), 400);
    let why: serde_json::Value = bad_query.json().await.unwrap();
    assert!(why["message"].as_str().unwrap().contains("after"), "{why}");
    assert_eq!(store.lock().unwrap().sync_status().unwrap().pending, 0);
}
