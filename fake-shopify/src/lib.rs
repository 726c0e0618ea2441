//! A fake Shopify store for tests: `POST /admin/api/{version}/graphql.json`
//! on 127.0.0.1, answering the orders query in the documented shapes
//! (`../shared/shopify-api.md`), paginated by an opaque cursor, paid for from
//! a leaky query-cost bucket that throttles like Shopify's, and able to
//! inject the faults a real network and a real Shopify produce.
//!
//! As strict as Shopify about a query's cost: it reckons the requested cost
//! of every query by the documented rules (`cost`, its own code) and
//! refuses one over 1,000 points with `MAX_COST_EXCEEDED` before answering;
//! it charges the bucket the requested cost and gives back the difference
//! to the actual one. Beyond that it reads what Wildroot's queries need:
//! the variables (`first`, `after`, `query`, `id`), the sizes asked of an
//! order's lines, refunds and refund lines (answering at most that many,
//! with the cursor to read on), and whether the query asks for
//! `defaultEmailAddress` or the older `email`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test support: a poisoned lock is a failed test

pub mod cost;
pub mod smtp;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Something to go wrong with the next request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// A normal answer (to let some requests through before a fault).
    Pass,
    /// HTTP 429 with `Retry-After: 0` and a throttled body.
    TooManyRequests,
    /// HTTP 500.
    ServerError,
    /// No answer for this long (longer than the client's timeout).
    Hang(Duration),
    /// HTTP 200 with the page cut off halfway.
    Truncated,
    /// HTTP 200 with a body that is not JSON.
    Malformed,
    /// HTTP 401.
    BadToken,
}

/// The query-cost bucket: Standard plan numbers unless changed.
#[derive(Clone, Copy, Debug)]
pub struct Bucket {
    pub maximum: f64,
    pub restore_per_s: f64,
}

struct Store {
    token: String,
    /// Documented-shape order nodes with their (updatedAt, id) key, kept sorted by it.
    orders: Vec<((i64, i64), Value)>,
    /// Documented-shape product nodes, in the order served.
    products: Vec<Value>,
    /// Available quantity by "inventory item gid|location gid".
    inventory: std::collections::HashMap<String, i64>,
    /// Changes made "by someone else" just before the next set arrives.
    meddle: Vec<(String, i64)>,
    faults: VecDeque<Fault>,
    /// A refusal (code, message) for the next variant update.
    refuse_variant_update: Option<(String, String)>,
    bucket: Option<Bucket>,
    available: f64,
    refilled: Instant,
    answer_version: Option<String>,
    requests: usize,
    throttled: usize,
    /// The highest requested cost of any query answered (or refused).
    max_requested: u64,
    /// Queries refused for asking more than 1,000 points.
    over_cost: usize,
    /// The requested cost of every orders page answered (not throttled).
    requested_total: u64,
    /// The app lacks `read_customers`: every order's customer is withheld.
    deny_customers: bool,
    /// Where the fake listens, for the bulk file's `url`.
    base_url: String,
    /// The app's current bulk query operation, if it ever started one.
    bulk: Option<BulkOp>,
    /// Bulk operations started.
    bulk_runs: usize,
    /// How many times a new bulk operation answers RUNNING before it is done.
    bulk_polls: u32,
}

/// A bulk query operation: its file is made when it starts (the fake's
/// orders do not change under it) and served once it is COMPLETED.
struct BulkOp {
    n: usize,
    query: String,
    created_ms: i64,
    polls_left: u32,
    jsonl: String,
    objects: usize,
    roots: usize,
}

pub struct FakeShopify {
    pub base_url: String,
    store: Arc<Mutex<Store>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeShopify {
    /// Starts on a free loopback port. Call from inside a tokio runtime; the
    /// server stops when this is dropped.
    pub async fn start(token: &str) -> FakeShopify {
        let store = Arc::new(Mutex::new(Store {
            token: token.to_string(),
            orders: Vec::new(),
            products: Vec::new(),
            inventory: Default::default(),
            meddle: Vec::new(),
            faults: VecDeque::new(),
            refuse_variant_update: None,
            bucket: None,
            available: 0.0,
            refilled: Instant::now(),
            answer_version: None,
            requests: 0,
            throttled: 0,
            max_requested: 0,
            over_cost: 0,
            requested_total: 0,
            deny_customers: false,
            base_url: String::new(),
            bulk: None,
            bulk_runs: 0,
            bulk_polls: 2,
        }));
        let app = Router::new()
            .route("/admin/api/{version}/graphql.json", post(graphql))
            .route("/bulk/{file}", get(bulk_file))
            .with_state(store.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        store.lock().unwrap().base_url = format!("http://{addr}");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        FakeShopify { base_url: format!("http://{addr}"), store, stop: Some(stop) }
    }

    /// Pays for queries from a bucket that starts with `available` points.
    pub fn throttle(&self, bucket: Bucket, available: f64) {
        let mut s = self.store.lock().unwrap();
        s.bucket = Some(bucket);
        s.available = available;
        s.refilled = Instant::now();
    }

    /// Adds or replaces (by id) orders, in the documented node shape.
    pub fn put_orders(&self, orders: impl IntoIterator<Item = Value>) {
        let fresh: Vec<Value> = orders.into_iter().collect();
        let ids: std::collections::HashSet<String> = fresh.iter().filter_map(|o| o["id"].as_str().map(String::from)).collect();
        let mut s = self.store.lock().unwrap();
        s.orders.retain(|(_, x)| !x["id"].as_str().is_some_and(|id| ids.contains(id)));
        s.orders.extend(fresh.into_iter().map(|o| (sort_key(&o), o)));
        s.orders.sort_by_key(|(k, _)| *k);
    }

    /// Adds or replaces (by id) products, in the documented node shape.
    pub fn put_products(&self, products: impl IntoIterator<Item = Value>) {
        let mut s = self.store.lock().unwrap();
        for p in products {
            match s.products.iter_mut().find(|x| x["id"] == p["id"]) {
                Some(slot) => *slot = p,
                None => s.products.push(p),
            }
        }
    }

    pub fn set_available(&self, item: &str, location: &str, qty: i64) {
        self.store.lock().unwrap().inventory.insert(format!("{item}|{location}"), qty);
    }

    pub fn available(&self, item: &str, location: &str) -> Option<i64> {
        self.store.lock().unwrap().inventory.get(&format!("{item}|{location}")).copied()
    }

    /// Someone changes this item's count in Shopify right before the next
    /// set of it arrives (a sale online between Wildroot's read and write).
    pub fn meddle_before_next_set(&self, item: &str, location: &str, qty: i64) {
        self.store.lock().unwrap().meddle.push((format!("{item}|{location}"), qty));
    }

    pub fn fail_next(&self, faults: impl IntoIterator<Item = Fault>) {
        self.store.lock().unwrap().faults.extend(faults);
    }

    /// The next `productVariantsBulkUpdate` answers with this user error.
    pub fn refuse_next_variant_update(&self, code: &str, message: &str) {
        self.store.lock().unwrap().refuse_variant_update = Some((code.to_string(), message.to_string()));
    }

    /// The product node as served now.
    pub fn product_node(&self, gid: &str) -> Option<Value> {
        self.store.lock().unwrap().products.iter().find(|p| p["id"] == gid).cloned()
    }

    /// Answers with this API version whatever is asked (Shopify's "fall forward").
    pub fn answer_version(&self, v: &str) {
        self.store.lock().unwrap().answer_version = Some(v.to_string());
    }

    pub fn requests(&self) -> usize {
        self.store.lock().unwrap().requests
    }

    /// How many queries the bucket refused.
    pub fn throttled(&self) -> usize {
        self.store.lock().unwrap().throttled
    }

    /// The highest requested cost of any query received.
    pub fn max_requested_cost(&self) -> u64 {
        self.store.lock().unwrap().max_requested
    }

    /// From now on the app lacks `read_customers`: orders come with their
    /// customer withheld (`null`) and an `ACCESS_DENIED` error beside the data.
    pub fn deny_customers(&self) {
        self.store.lock().unwrap().deny_customers = true;
    }

    /// Queries refused for asking more than 1,000 points.
    /// The requested cost of every orders page answered so far: a paged
    /// import's floor is this over the bucket's restore rate.
    pub fn requested_total(&self) -> u64 {
        self.store.lock().unwrap().requested_total
    }

    /// Bulk operations started so far.
    pub fn bulk_runs(&self) -> usize {
        self.store.lock().unwrap().bulk_runs
    }

    /// How many polls a new bulk operation answers RUNNING before COMPLETED.
    pub fn bulk_polls(&self, n: u32) {
        self.store.lock().unwrap().bulk_polls = n;
    }

    pub fn over_cost(&self) -> usize {
        self.store.lock().unwrap().over_cost
    }
}

/// The size a query asks of a field nested in it (`lineItems(first: 6`).
fn asked(query: &str, field: &str) -> Option<usize> {
    let at = query.find(&format!("{field}(first:"))?;
    let rest = &query[at + field.len() + 7..];
    rest.trim_start().split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// A connection's nodes from `after` (an index), at most `n`, with the cursor on.
fn slice(nodes: &[Value], after: usize, n: usize) -> Value {
    let page: Vec<Value> = nodes.iter().skip(after).take(n).cloned().collect();
    let end = after + page.len();
    json!({ "pageInfo": { "hasNextPage": end < nodes.len(), "endCursor": end.to_string() }, "nodes": page })
}

/// A refund as a query asking `lines` of its lines gets it.
fn sized_refund(r: &Value, lines: usize) -> Value {
    let mut r = r.clone();
    let all = r["refundLineItems"]["nodes"].as_array().cloned().unwrap_or_default();
    r["refundLineItems"] = slice(&all, 0, lines);
    r
}

/// An order as the page query asks for it: its lines, refunds and refund
/// lines cut to what was asked, each with where to read on.
fn sized_order(o: &Value, query: &str) -> Value {
    let mut o = o.clone();
    if let Some(n) = asked(query, "lineItems") {
        let all = o["lineItems"]["nodes"].as_array().cloned().unwrap_or_default();
        o["lineItems"] = slice(&all, 0, n);
    }
    let refunds = o["refunds"].as_array().cloned().unwrap_or_default();
    let keep = asked(query, "refunds").unwrap_or(refunds.len());
    let lines = asked(query, "refundLineItems").unwrap_or(usize::MAX);
    o["refunds"] = Value::Array(refunds.iter().take(keep).map(|r| sized_refund(r, lines)).collect());
    o
}

/// Why Shopify would not start this bulk query, as `userErrors`: one at a
/// time per app and shop; at least one connection, at most five, nested
/// at most two deep (the documented limits).
fn bulk_query_errors(query: &str, current: Option<&BulkOp>) -> Vec<Value> {
    let refuse = |m: &str| vec![json!({ "field": ["query"], "message": m })];
    if current.is_some_and(|op| op.polls_left > 0) {
        return refuse("A bulk query operation for this app and shop is already in progress.");
    }
    let (count, deepest) = cost::connections(query);
    if count == 0 {
        return refuse("Bulk queries must contain at least 1 connection.");
    }
    if count > 5 {
        return refuse("Bulk queries cannot contain more than 5 connections.");
    }
    if deepest > 2 {
        return refuse("Bulk queries cannot contain connections with a nesting depth greater than 2.");
    }
    if !query.contains("orders") {
        return refuse("this fake runs bulk queries over orders only");
    }
    Vec::new()
}

/// The JSONL a bulk query over orders leaves: each order on its own line
/// without its connections, then its lines and its refunds' lines each on a
/// line naming its parent. A child is written after its parent but not
/// right after it (the next order comes between), as Shopify allows.
fn bulk_jsonl(s: &Store, query: &str) -> (String, usize, usize) {
    let since = query.split_once("updated_at:>='").and_then(|(_, rest)| rest.split_once('\'')).map(|(t, _)| millis(t)).unwrap_or(i64::MIN);
    let modern = query.contains("defaultEmailAddress");
    let mut out = String::new();
    let (mut objects, mut roots) = (0, 0);
    let mut pending: Vec<Value> = Vec::new();
    let push = |v: &Value, out: &mut String| {
        out.push_str(&v.to_string());
        out.push('\n');
    };
    for (_, o) in s.orders.iter().filter(|(k, _)| k.0 >= since) {
        let mut root = o.clone();
        let id = o["id"].clone();
        let lines = root.as_object_mut().and_then(|r| r.remove("lineItems")).unwrap_or(Value::Null);
        if let Some(c) = root.get_mut("customer").and_then(Value::as_object_mut) {
            c.remove(if modern { "email" } else { "defaultEmailAddress" });
        }
        let mut children = Vec::new();
        for mut l in lines["nodes"].as_array().cloned().unwrap_or_default() {
            l["__parentId"] = id.clone();
            children.push(l);
        }
        let mut refunds = Vec::new();
        for mut r in root["refunds"].as_array().cloned().unwrap_or_default() {
            let refund_lines = r.as_object_mut().and_then(|r| r.remove("refundLineItems")).unwrap_or(Value::Null);
            for mut rl in refund_lines["nodes"].as_array().cloned().unwrap_or_default() {
                if let Some(li) = rl.get_mut("lineItem").and_then(Value::as_object_mut) {
                    li.remove("sku");
                }
                rl["__parentId"] = r["id"].clone();
                children.push(rl);
            }
            refunds.push(r);
        }
        root["refunds"] = Value::Array(refunds);
        push(&root, &mut out);
        roots += 1;
        objects += 1 + children.len();
        for c in pending.drain(..) {
            push(&c, &mut out);
        }
        pending = children;
    }
    for c in pending {
        push(&c, &mut out);
    }
    (out, objects, roots)
}

/// `GET /bulk/N.jsonl`: a completed operation's file (a signed URL in
/// Shopify: no token is asked for).
async fn bulk_file(State(store): State<Arc<Mutex<Store>>>, Path(file): Path<String>) -> Response {
    let s = store.lock().unwrap();
    match s.bulk.as_ref().filter(|op| format!("{}.jsonl", op.n) == file && op.polls_left == 0) {
        Some(op) => (StatusCode::OK, [("content-type", "application/jsonl")], op.jsonl.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

impl Drop for FakeShopify {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn sort_key(o: &Value) -> (i64, i64) {
    (millis(o["updatedAt"].as_str().unwrap_or("")), numeric_id(o["id"].as_str().unwrap_or("")))
}

fn millis(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s).map(|d| d.timestamp_millis()).unwrap_or(0)
}

fn numeric_id(gid: &str) -> i64 {
    gid.rsplit('/').next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// An RFC 3339 time as Shopify writes it.
pub fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn money(cents: i64) -> Value {
    json!({ "shopMoney": { "amount": format!("{}.{:02}", cents / 100, cents % 100), "currencyCode": "USD" } })
}

/// An order node as the documented query returns it: lines are
/// `(sku, quantity, unit price in cents)`, the total adds 5.00 shipping.
/// Times are whole seconds, as Shopify's are.
pub fn order(n: u64, created_ms: i64, updated_ms: i64, email: &str, lines: &[(&str, i64, i64)]) -> Value {
    let total: i64 = lines.iter().map(|(_, q, p)| q * p).sum::<i64>() + 500;
    json!({
        "id": format!("gid://shopify/Order/{n}"),
        "name": format!("#{n}"),
        "createdAt": time(created_ms),
        "updatedAt": time(updated_ms),
        "cancelledAt": null,
        "displayFinancialStatus": "PAID",
        "currencyCode": "USD",
        "totalPriceSet": money(total),
        "customer": { "firstName": "Ana", "lastName": format!("Buyer{n}"), "email": email, "defaultEmailAddress": { "emailAddress": email } },
        "lineItems": { "nodes": lines.iter().enumerate().map(|(i, (sku, qty, price))| json!({
            "id": format!("gid://shopify/LineItem/{n}{i:03}"),
            "sku": sku,
            "quantity": qty,
            "originalUnitPriceSet": money(*price),
            "variant": { "id": format!("gid://shopify/ProductVariant/{}", i + 1), "sku": sku }
        })).collect::<Vec<_>>() },
        "refunds": []
    })
}

/// A product node: variants are `(sku, price in cents, barcode)`.
pub fn product(n: u64, title: &str, variants: &[(&str, i64, Option<&str>)]) -> Value {
    json!({
        "id": format!("gid://shopify/Product/{n}"),
        "title": title,
        "status": "ACTIVE",
        "variants": { "nodes": variants.iter().enumerate().map(|(i, (sku, price, barcode))| json!({
            "id": format!("gid://shopify/ProductVariant/{n}{i:02}"),
            "title": if variants.len() == 1 { "Default Title".to_string() } else { format!("Size {}", i + 1) },
            "sku": sku,
            "price": format!("{}.{:02}", price / 100, price % 100),
            "barcode": barcode,
            "inventoryItem": { "id": format!("gid://shopify/InventoryItem/{n}{i:02}") }
        })).collect::<Vec<_>>() }
    })
}

/// The order refunded: `(line index, quantity, restock type)` at `at_ms`.
pub fn refund(mut order: Value, refund_no: u64, at_ms: i64, lines: &[(usize, i64, &str)]) -> Value {
    let items: Vec<Value> = lines
        .iter()
        .map(|(i, qty, restock)| {
            let line = &order["lineItems"]["nodes"][*i];
            json!({ "quantity": qty, "restockType": restock, "lineItem": { "id": line["id"], "sku": line["sku"] } })
        })
        .collect();
    order["refunds"].as_array_mut().unwrap().push(json!({
        "id": format!("gid://shopify/Refund/{refund_no}"),
        "createdAt": time(at_ms),
        "refundLineItems": { "nodes": items }
    }));
    order["updatedAt"] = json!(time(at_ms));
    order["displayFinancialStatus"] = json!("PARTIALLY_REFUNDED");
    order
}

pub fn cancel(mut order: Value, at_ms: i64) -> Value {
    order["cancelledAt"] = json!(time(at_ms));
    order["updatedAt"] = json!(time(at_ms));
    order
}

fn cost(requested: f64, actual: Option<f64>, available: f64, bucket: Option<Bucket>) -> Value {
    let b = bucket.unwrap_or(Bucket { maximum: 2000.0, restore_per_s: 100.0 });
    // Without a bucket every query is paid for at once: report it full.
    let available = if bucket.is_some() { available } else { b.maximum };
    json!({ "cost": { "requestedQueryCost": requested, "actualQueryCost": actual,
        "throttleStatus": { "maximumAvailable": b.maximum, "currentlyAvailable": available.floor(), "restoreRate": b.restore_per_s } } })
}

async fn graphql(State(store): State<Arc<Mutex<Store>>>, Path(version): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let fault = {
        let mut s = store.lock().unwrap();
        s.requests += 1;
        s.faults.pop_front()
    };
    let version_header = {
        let s = store.lock().unwrap();
        HeaderValue::from_str(s.answer_version.as_deref().unwrap_or(&version)).unwrap()
    };
    let answer = |status: StatusCode, body: String| {
        let mut r = (status, body).into_response();
        r.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
        r.headers_mut().insert("x-shopify-api-version", version_header.clone());
        r
    };
    match fault {
        Some(Fault::TooManyRequests) => {
            let mut r = answer(
                StatusCode::TOO_MANY_REQUESTS,
                json!({"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}).to_string(),
            );
            r.headers_mut().insert("retry-after", HeaderValue::from_static("0"));
            return r;
        }
        Some(Fault::ServerError) => return answer(StatusCode::INTERNAL_SERVER_ERROR, r#"{"errors":"Internal error"}"#.into()),
        Some(Fault::Hang(d)) => tokio::time::sleep(d).await,
        Some(Fault::BadToken) => return answer(StatusCode::UNAUTHORIZED, r#"{"errors":"[API] Invalid API key or access token"}"#.into()),
        _ => {}
    }
    let token_ok = headers.get("x-shopify-access-token").and_then(|v| v.to_str().ok()) == Some(store.lock().unwrap().token.as_str());
    if !token_ok {
        return answer(StatusCode::UNAUTHORIZED, r#"{"errors":"[API] Invalid API key or access token"}"#.into());
    }
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return answer(StatusCode::BAD_REQUEST, r#"{"errors":"bad JSON"}"#.into());
    };
    let query = req["query"].as_str().unwrap_or("");
    // Shopify checks the requested cost before it runs anything.
    let requested_cost = cost::requested(query, &req["variables"]);
    {
        let mut s = store.lock().unwrap();
        s.max_requested = s.max_requested.max(requested_cost);
        if requested_cost > 1000 {
            s.over_cost += 1;
            let body = json!({"errors": [{
                "message": format!("Query cost is {requested_cost}, which exceeds the single query max cost limit (1000)."),
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested_cost, "maxCost": 1000,
                               "documentation": "https://shopify.dev/api/usage/rate-limits"}}]});
            return answer(StatusCode::OK, body.to_string());
        }
    }
    if query.contains("bulkOperationRunQuery") {
        let bulk_query = req["variables"]["query"].as_str().unwrap_or("").to_string();
        let mut s = store.lock().unwrap();
        let errors = bulk_query_errors(&bulk_query, s.bulk.as_ref());
        let op = if errors.is_empty() {
            s.bulk_runs += 1;
            let n = s.bulk_runs;
            let (jsonl, objects, roots) = bulk_jsonl(&s, &bulk_query);
            let polls_left = s.bulk_polls;
            let created_ms = chrono::Utc::now().timestamp_millis() / 1000 * 1000;
            s.bulk = Some(BulkOp { n, query: bulk_query, created_ms, polls_left, jsonl, objects, roots });
            json!({ "id": format!("gid://shopify/BulkOperation/{n}"), "status": "CREATED" })
        } else {
            Value::Null
        };
        let body = json!({ "data": { "bulkOperationRunQuery": { "bulkOperation": op, "userErrors": errors } },
                           "extensions": cost(10.0, Some(10.0), 0.0, None) });
        return answer(StatusCode::OK, body.to_string());
    }
    if query.contains("currentBulkOperation") {
        let mut s = store.lock().unwrap();
        let base = s.base_url.clone();
        let op = match s.bulk.as_mut() {
            None => Value::Null,
            Some(op) => {
                let done = op.polls_left == 0;
                op.polls_left = op.polls_left.saturating_sub(1);
                json!({
                    "id": format!("gid://shopify/BulkOperation/{}", op.n),
                    "status": if done { "COMPLETED" } else { "RUNNING" },
                    "errorCode": null,
                    "createdAt": time(op.created_ms),
                    // UnsignedInt64 travels as a string.
                    "objectCount": (if done { op.objects } else { op.objects / 2 }).to_string(),
                    "rootObjectCount": (if done { op.roots } else { op.roots / 2 }).to_string(),
                    "url": if done && op.objects > 0 { json!(format!("{base}/bulk/{}.jsonl", op.n)) } else { Value::Null },
                    "query": op.query,
                })
            }
        };
        let body = json!({ "data": { "currentBulkOperation": op }, "extensions": cost(1.0, Some(1.0), 0.0, None) });
        return answer(StatusCode::OK, body.to_string());
    }
    if query.contains("order(id:") || query.contains("refund(id:") {
        let vars = &req["variables"];
        let id = vars["id"].as_str().unwrap_or("");
        let after: usize = vars["after"].as_str().and_then(|c| c.parse().ok()).unwrap_or(0);
        let s = store.lock().unwrap();
        let data = if query.contains("refund(id:") {
            let refund = s.orders.iter().flat_map(|(_, o)| o["refunds"].as_array().cloned().unwrap_or_default()).find(|r| r["id"] == id);
            match refund {
                Some(r) => {
                    let all = r["refundLineItems"]["nodes"].as_array().cloned().unwrap_or_default();
                    json!({ "refund": { "refundLineItems": slice(&all, after, asked(query, "refundLineItems").unwrap_or(all.len())) } })
                }
                None => json!({ "refund": null }),
            }
        } else {
            match s.orders.iter().find(|(_, o)| o["id"] == id) {
                Some((_, o)) if query.contains("lineItems(") => {
                    let all = o["lineItems"]["nodes"].as_array().cloned().unwrap_or_default();
                    json!({ "order": { "lineItems": slice(&all, after, asked(query, "lineItems").unwrap_or(all.len())) } })
                }
                Some((_, o)) => {
                    let refunds = o["refunds"].as_array().cloned().unwrap_or_default();
                    let keep = asked(query, "refunds").unwrap_or(refunds.len());
                    let lines = asked(query, "refundLineItems").unwrap_or(usize::MAX);
                    json!({ "order": { "refunds": refunds.iter().take(keep).map(|r| sized_refund(r, lines)).collect::<Vec<_>>() } })
                }
                None => json!({ "order": null }),
            }
        };
        let c = requested_cost as f64;
        let body = json!({ "data": data, "extensions": cost(c, Some(c), 0.0, None) });
        return answer(StatusCode::OK, body.to_string());
    }
    if query.contains("inventorySetQuantities") {
        let input = &req["variables"]["input"];
        let mut s = store.lock().unwrap();
        let mut errors = Vec::new();
        for q in input["quantities"].as_array().cloned().unwrap_or_default() {
            let key = format!("{}|{}", q["inventoryItemId"].as_str().unwrap_or(""), q["locationId"].as_str().unwrap_or(""));
            if let Some(i) = s.meddle.iter().position(|(k, _)| *k == key) {
                let (k, v) = s.meddle.remove(i);
                s.inventory.insert(k, v);
            }
            let Some(current) = s.inventory.get(&key).copied() else {
                errors.push(json!({"field": ["input", "quantities"], "message": "The specified inventory item is not stocked at the location.", "code": "ITEM_NOT_STOCKED_AT_LOCATION"}));
                continue;
            };
            let compare = if version.as_str() >= "2026-01" { &q["changeFromQuantity"] } else { &q["compareQuantity"] };
            if compare.as_i64() != Some(current) {
                errors.push(json!({"field": ["input", "quantities"], "message": "The compareQuantity value does not match the current quantity.", "code": "COMPARE_QUANTITY_STALE"}));
                continue;
            }
            s.inventory.insert(key, q["quantity"].as_i64().unwrap_or(0));
        }
        let body = json!({
            "data": { "inventorySetQuantities": { "inventoryAdjustmentGroup": if errors.is_empty() { json!({"id": "gid://shopify/InventoryAdjustmentGroup/1"}) } else { Value::Null }, "userErrors": errors } },
            "extensions": cost(10.0, Some(10.0), 0.0, None)
        });
        return answer(StatusCode::OK, body.to_string());
    }
    if query.contains("nodes(ids:") {
        let location = req["variables"]["location"].as_str().unwrap_or("").to_string();
        let s = store.lock().unwrap();
        let nodes: Vec<Value> = req["variables"]["ids"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|id| {
                let id = id.as_str().unwrap_or("");
                let level =
                    s.inventory.get(&format!("{id}|{location}")).map(|q| json!({"quantities": [{"name": "available", "quantity": q}]}));
                json!({"id": id, "inventoryLevel": level})
            })
            .collect();
        let body = json!({ "data": { "nodes": nodes }, "extensions": cost(12.0, Some(12.0), 0.0, None) });
        return answer(StatusCode::OK, body.to_string());
    }
    if query.contains("productVariantsBulkUpdate(") {
        let vars = &req["variables"];
        let mut s = store.lock().unwrap();
        let refusal = s.refuse_variant_update.take();
        let mut errors = Vec::new();
        let product = s.products.iter_mut().find(|p| p["id"] == vars["productId"]);
        match (product, refusal) {
            (_, Some((code, message))) => errors.push(json!({"field": ["variants", "0"], "message": message, "code": code})),
            (None, _) => {
                errors.push(json!({"field": ["productId"], "message": "Product does not exist", "code": "PRODUCT_DOES_NOT_EXIST"}))
            }
            (Some(product), None) => {
                for input in vars["variants"].as_array().cloned().unwrap_or_default() {
                    let Some(variant) =
                        product["variants"]["nodes"].as_array_mut().and_then(|v| v.iter_mut().find(|v| v["id"] == input["id"]))
                    else {
                        errors.push(json!({"field": ["variants", "0", "id"], "message": "Product variant does not exist", "code": "PRODUCT_VARIANT_DOES_NOT_EXIST"}));
                        continue;
                    };
                    if let Some(price) = input.get("price") {
                        let ok = price.as_str().is_some_and(|p| {
                            let (whole, cents) = p.split_once('.').unwrap_or((p, "0"));
                            !whole.is_empty()
                                && whole.bytes().all(|b| b.is_ascii_digit())
                                && cents.len() <= 2
                                && cents.bytes().all(|b| b.is_ascii_digit())
                        });
                        if !ok {
                            errors.push(json!({"field": ["variants", "0", "price"], "message": "Price must be greater than or equal to 0", "code": "GREATER_THAN_OR_EQUAL_TO"}));
                            continue;
                        }
                        variant["price"] = price.clone();
                    }
                    if let Some(barcode) = input.get("barcode") {
                        if barcode.as_str().is_some_and(|b| b.len() > 255) {
                            errors.push(json!({"field": ["variants", "0", "barcode"], "message": "Barcode value is too long", "code": "BARCODE_VALUE_TOO_LONG"}));
                            continue;
                        }
                        variant["barcode"] = if barcode.as_str() == Some("") { Value::Null } else { barcode.clone() };
                    }
                }
            }
        }
        let body = json!({
            "data": { "productVariantsBulkUpdate": { "productVariants": if errors.is_empty() { json!([]) } else { Value::Null }, "userErrors": errors } },
            "extensions": cost(10.0, Some(10.0), 0.0, None)
        });
        return answer(StatusCode::OK, body.to_string());
    }
    if query.contains("productUpdate(") {
        // 2024-10 renamed the argument; each version knows only its own.
        let arg = if version.as_str() >= "2024-10" { "productUpdate(product:" } else { "productUpdate(input:" };
        if !query.contains(arg) {
            return answer(
                StatusCode::OK,
                json!({"errors": [{"message": format!("{version} has no such argument of productUpdate")}]}).to_string(),
            );
        }
        let p = &req["variables"]["p"];
        let mut s = store.lock().unwrap();
        let title = p["title"].as_str().unwrap_or("").trim().to_string();
        let errors = match s.products.iter_mut().find(|x| x["id"] == p["id"]) {
            None => vec![json!({"field": ["id"], "message": "Product does not exist"})],
            Some(_) if title.is_empty() => vec![json!({"field": ["title"], "message": "Title can't be blank"})],
            Some(product) => {
                product["title"] = json!(title);
                vec![]
            }
        };
        let body = json!({ "data": { "productUpdate": { "product": Value::Null, "userErrors": errors } }, "extensions": cost(10.0, Some(10.0), 0.0, None) });
        return answer(StatusCode::OK, body.to_string());
    }
    if query.contains("products(") {
        let vars = &req["variables"];
        let first = vars["first"].as_u64().unwrap_or(50).clamp(1, 250) as usize;
        let from: usize = vars["after"].as_str().and_then(|c| c.parse().ok()).unwrap_or(0);
        let s = store.lock().unwrap();
        let page: Vec<Value> = s.products.iter().skip(from).take(first).cloned().collect();
        let next = from + page.len();
        let body = json!({
            "data": { "products": { "pageInfo": { "hasNextPage": next < s.products.len(), "endCursor": next.to_string() }, "nodes": page } },
            "extensions": cost(first as f64 + 2.0, Some(page.len() as f64 + 2.0), 0.0, None)
        });
        return answer(StatusCode::OK, body.to_string());
    }
    if !query.contains("orders(") {
        return answer(StatusCode::OK, json!({"errors": [{"message": "this fake serves the orders query only"}]}).to_string());
    }
    let vars = &req["variables"];
    let first = vars["first"].as_u64().unwrap_or(50).clamp(1, 250) as usize;
    let since = vars["query"]
        .as_str()
        .and_then(|q| q.strip_prefix("updated_at:>='"))
        .and_then(|q| q.strip_suffix('\''))
        .map(millis)
        .unwrap_or(i64::MIN);
    let after: Option<(i64, i64)> = vars["after"].as_str().and_then(|c| {
        let (a, b) = c.split_once(':')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    });
    let requested = requested_cost as f64;

    let mut s = store.lock().unwrap();
    let bucket = s.bucket;
    if let Some(b) = bucket {
        let now = Instant::now();
        s.available = (s.available + now.duration_since(s.refilled).as_secs_f64() * b.restore_per_s).min(b.maximum);
        s.refilled = now;
        if s.available < requested {
            s.throttled += 1;
            let body = json!({
                "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                "extensions": cost(requested, None, s.available, bucket)
            });
            return answer(StatusCode::OK, body.to_string());
        }
    }
    let modern = query.contains("defaultEmailAddress");
    let from_since = s.orders.partition_point(|(k, _)| k.0 < since);
    let from_after = after.map_or(0, |a| s.orders.partition_point(|(k, _)| *k <= a));
    let matching = &s.orders[from_since.max(from_after)..];
    let page: Vec<Value> = matching
        .iter()
        .take(first)
        .map(|(_, o)| {
            let mut o = sized_order(o, query);
            // Each version has one of the two email fields, not both.
            if let Some(c) = o.get_mut("customer").and_then(Value::as_object_mut) {
                if modern {
                    c.remove("email");
                } else {
                    c.remove("defaultEmailAddress");
                }
            }
            o
        })
        .collect();
    let has_next = matching.len() > page.len();
    let end_cursor = page.last().map(|o| {
        let (a, b) = sort_key(o);
        format!("{a}:{b}")
    });
    // Charged what was asked for, given back what was not used: the
    // actual cost counts the orders returned, not the page size asked.
    let actual = if first > 0 { (2.0 + (requested - 2.0) * page.len() as f64 / first as f64).ceil() } else { requested };
    if bucket.is_some() {
        s.available -= actual;
    }
    s.requested_total += requested_cost;
    let available = s.available;
    drop(s);
    let deny = store.lock().unwrap().deny_customers;
    let mut page = page;
    let mut errors = Vec::new();
    if deny {
        for (i, o) in page.iter_mut().enumerate() {
            if o.get("customer").is_some_and(|c| !c.is_null()) {
                o["customer"] = Value::Null;
                errors.push(json!({
                    "message": "Access denied for customer field. Required access: `read_customers` access scope.",
                    "locations": [{"line": 8, "column": 7}],
                    "path": ["orders", "nodes", i, "customer"],
                    "extensions": {"code": "ACCESS_DENIED", "documentation": "https://shopify.dev/api/usage/access-scopes"}
                }));
            }
        }
    }
    let mut body = json!({
        "data": { "orders": { "pageInfo": { "hasNextPage": has_next, "endCursor": end_cursor }, "nodes": page } },
        "extensions": cost(requested, Some(actual), available, bucket)
    });
    if !errors.is_empty() {
        body["errors"] = Value::Array(errors);
    }
    let text = body.to_string();
    match fault {
        Some(Fault::Truncated) => answer(StatusCode::OK, text[..text.len() / 2].to_string()),
        Some(Fault::Malformed) => answer(StatusCode::OK, "<html>Bad gateway</html>".into()),
        _ => answer(StatusCode::OK, text),
    }
}
