//! The Shopify Admin GraphQL client: one POST per query, paced by the
//! query-cost bucket Shopify reports, retrying what Shopify says to retry and
//! stopping at what only the owner can fix. The answers are read by
//! [`wildroot_model::shopify_graphql`].
use crate::error::{CoreError, Result};
use crate::sync::backoff;
use serde_json::{json, Value};
use std::time::Duration;
use wildroot_model::shopify::ShopifyVariant;
use wildroot_model::shopify_cost as cost;
use wildroot_model::shopify_graphql as graphql;
pub use wildroot_model::shopify_graphql::{OrdersPage, MAX_LINES};

/// How hard to try before giving up until the next sync.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts for one query that fails with 5xx, a timeout or a broken answer.
    pub attempts: u32,
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// What a 429 or 503 waits at least, `Retry-After: 0` included.
    pub min_retry_after: Duration,
    /// How many times one query may be throttled before the import stops.
    pub max_throttled: u32,
    pub timeout: Duration,
    /// How often a running bulk operation is asked how far it is.
    pub bulk_poll: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            min_retry_after: Duration::from_secs(1),
            max_throttled: 30,
            timeout: Duration::from_secs(30),
            bulk_poll: Duration::from_secs(2),
        }
    }
}

/// Orders per page at most: the most Shopify serves. A page asks for as
/// many as fit in Shopify's single-query cost limit (`orders_page_size`).
pub const PAGE_SIZE: u32 = 250;
/// What a page reads of each order: most orders of a maker's shop are
/// short; a longer one is read on with its own queries, so an order of any
/// length imports whole and the page stays within the cost limit.
pub const PAGE_LINES: u32 = 6;
pub const PAGE_REFUNDS: u32 = 2;
pub const PAGE_REFUND_LINES: u32 = 6;
/// What each of an order's own queries reads at a time.
pub const REST_LINES: u32 = 100;
/// An order's refunds are a list, not a paged connection: this many at most.
pub const REST_REFUNDS: u32 = 25;
pub const REST_REFUND_LINES: u32 = 100;

const LINE_FIELDS: &str = "id sku quantity originalUnitPriceSet { shopMoney { amount currencyCode } } variant { id sku }";
const REFUND_LINE_FIELDS: &str = "quantity restockType lineItem { id }";

/// The page query of orders updated since a time. `email` is the field the
/// API version has for a customer's email.
pub fn orders_query(email: &str) -> String {
    format!(
        "query Orders($first: Int!, $after: String, $query: String) {{
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT, reverse: false) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id name createdAt updatedAt cancelledAt displayFinancialStatus currencyCode
      totalPriceSet {{ shopMoney {{ amount currencyCode }} }}
      customer {{ firstName lastName {email} }}
      lineItems(first: {PAGE_LINES}) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {LINE_FIELDS} }} }}
      refunds(first: {PAGE_REFUNDS}) {{ id createdAt refundLineItems(first: {PAGE_REFUND_LINES}) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {REFUND_LINE_FIELDS} }} }} }}
    }}
  }}
}}"
    )
}

/// The field an API version has for a customer's email.
fn email_field(api_version: &str) -> &'static str {
    if api_version < "2025-04" {
        "email"
    } else {
        "defaultEmailAddress { emailAddress }"
    }
}

/// Orders a page holds for an API version: as many as fit in the cost limit.
pub fn orders_page_len(api_version: &str) -> Result<u32> {
    page_size(&orders_query(email_field(api_version)))
}

/// One order's lines after a cursor.
pub fn order_lines_query() -> String {
    format!(
        "query OrderLines($id: ID!, $after: String) {{ order(id: $id) {{ lineItems(first: {REST_LINES}, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {LINE_FIELDS} }} }} }} }}"
    )
}

/// Every refund of one order, with the first of their lines.
pub fn order_refunds_query() -> String {
    format!(
        "query OrderRefunds($id: ID!) {{ order(id: $id) {{ refunds(first: {REST_REFUNDS}) {{ id createdAt refundLineItems(first: {PAGE_REFUND_LINES}) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {REFUND_LINE_FIELDS} }} }} }} }} }}"
    )
}

/// One refund's lines after a cursor.
pub fn refund_lines_query() -> String {
    format!(
        "query RefundLines($id: ID!, $after: String) {{ refund(id: $id) {{ refundLineItems(first: {REST_REFUND_LINES}, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {REFUND_LINE_FIELDS} }} }} }} }}"
    )
}

/// The most orders (products) a page of `query` may ask for within
/// Shopify's single-query cost limit, by Shopify's rules (`model::shopify_cost`).
pub fn page_size(query: &str) -> Result<u32> {
    (1..=PAGE_SIZE)
        .rev()
        .find(|n| cost::requested_cost(query, &json!({ "first": n })).is_ok_and(|c| c <= cost::MAX_QUERY_COST))
        .ok_or_else(|| shopify_err("a query is over Shopify's cost limit even for one item a page"))
}

pub struct ShopifyClient {
    http: reqwest::Client,
    endpoint: String,
    token: String,
    api_version: String,
    policy: RetryPolicy,
    /// The bucket as Shopify last described it: (available, restore rate per second).
    bucket: Option<(f64, f64)>,
    /// What the last query asked for, the estimate for the next one.
    last_cost: f64,
    /// Set when Shopify answered with another API version than asked.
    pub version_warning: Option<String>,
    /// What Shopify withheld beside an answer (a field the app may not
    /// read, `ACCESS_DENIED`): said once, in Shopify's words.
    pub withheld: Option<String>,
}

fn shopify_err(msg: impl Into<String>) -> CoreError {
    CoreError::Shopify(msg.into())
}

impl ShopifyClient {
    /// `base` is the shop's base URL as [`super::link::normalize_shop`] keeps it.
    pub fn new(base: &str, token: &str, api_version: &str, policy: RetryPolicy) -> Result<ShopifyClient> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(policy.timeout)
            .build()
            .map_err(|e| CoreError::Offline(format!("cannot start the HTTP client: {e}")))?;
        Ok(ShopifyClient {
            http,
            endpoint: format!("{}/admin/api/{api_version}/graphql.json", base.trim_end_matches('/')),
            token: token.to_string(),
            api_version: api_version.to_string(),
            policy,
            bucket: None,
            last_cost: 0.0,
            version_warning: None,
            withheld: None,
        })
    }

    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// Runs one query, waiting out throttling and retrying transient
    /// failures. Returns `data`.
    pub async fn query(&mut self, query: &str, variables: Value) -> Result<Value> {
        let body = json!({ "query": query, "variables": variables });
        let mut failures = 0u32;
        let mut throttled = 0u32;
        loop {
            self.pace().await;
            let outcome = self.attempt(&body).await;
            match outcome {
                Attempt::Data(data) => return Ok(data),
                Attempt::Throttled(wait) => {
                    throttled += 1;
                    if throttled > self.policy.max_throttled {
                        return Err(shopify_err("Shopify kept throttling the import: it will go on at the next sync"));
                    }
                    let waited = wait + jitter(wait);
                    tokio::time::sleep(waited).await;
                    // The bucket refilled while we waited: credit it, or
                    // `pace` would wait the same deficit a second time.
                    if let Some((available, rate)) = self.bucket {
                        self.bucket = Some((available + waited.as_secs_f64() * rate, rate));
                    }
                }
                Attempt::Retry(wait, why) => {
                    failures += 1;
                    if failures >= self.policy.attempts {
                        return Err(shopify_err(format!("{why} (tried {failures} times; the import goes on at the next sync)")));
                    }
                    let wait = wait.unwrap_or_else(|| backoff(failures, self.policy.base_backoff, self.policy.max_backoff));
                    tracing::warn!(%why, ?wait, "Shopify query failed; retrying");
                    tokio::time::sleep(wait).await;
                }
                Attempt::Fatal(e) => return Err(e),
            }
        }
    }

    /// Waits before a query if the bucket, as last reported, cannot pay for it.
    async fn pace(&self) {
        if let Some((available, rate)) = self.bucket {
            if self.last_cost > available && rate > 0.0 {
                let wait = Duration::from_secs_f64(((self.last_cost - available) / rate).min(60.0));
                tokio::time::sleep(wait).await;
            }
        }
    }

    async fn attempt(&mut self, body: &Value) -> Attempt {
        let sent = self.http.post(&self.endpoint).header("X-Shopify-Access-Token", &self.token).json(body).send().await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Attempt::Retry(None, "Shopify did not answer in time".into()),
            Err(e) if e.is_connect() => return Attempt::Fatal(CoreError::Offline(format!("cannot reach Shopify: {e}"))),
            Err(e) => return Attempt::Retry(None, format!("the request to Shopify failed: {e}")),
        };
        let status = resp.status().as_u16();
        if let Some(v) = resp.headers().get("x-shopify-api-version").and_then(|v| v.to_str().ok()) {
            if v != self.api_version && self.version_warning.is_none() {
                let msg = format!("asked Shopify for API version {} and it answered with {v}: set a supported version", self.api_version);
                tracing::warn!("{msg}");
                self.version_warning = Some(msg);
            }
        }
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| Duration::from_secs_f64(s.min(600.0)));
        let bytes = match resp.bytes().await {
            Ok(b) => b,
            Err(e) if e.is_timeout() => return Attempt::Retry(None, "Shopify did not finish answering in time".into()),
            Err(e) => return Attempt::Retry(None, format!("Shopify's answer was cut off: {e}")),
        };
        match status {
            401 => {
                return Attempt::Fatal(shopify_err(
                    "Shopify refused the access token (401): make a new one in the store's custom app and connect again",
                ))
            }
            403 => {
                return Attempt::Fatal(shopify_err(
                    "Shopify refused access (403): give the custom app the read_orders scope (and read_all_orders for older orders)",
                ))
            }
            429 | 503 => {
                // Retrying at once is how a fleet of clients melts a rate limit.
                let wait = retry_after.unwrap_or_default().max(self.policy.min_retry_after);
                let wait = wait + jitter(self.policy.min_retry_after);
                if status == 429 {
                    // A 429 may carry a throttled body; it says no more than the header.
                    return Attempt::Throttled(wait);
                }
                return Attempt::Retry(Some(wait), "Shopify is unavailable (503)".into());
            }
            s if s >= 500 => return Attempt::Retry(None, format!("Shopify had an error (HTTP {s})")),
            s if !(200..300).contains(&s) => return Attempt::Fatal(shopify_err(format!("Shopify answered HTTP {s}"))),
            _ => {}
        }
        let value: Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => return Attempt::Retry(None, format!("Shopify sent an answer that is not JSON ({e})")),
        };
        self.note_cost(&value);
        if let Some(errors) = value.get("errors").and_then(Value::as_array).filter(|e| !e.is_empty()) {
            if errors.iter().any(|e| e.pointer("/extensions/code").and_then(Value::as_str) == Some("THROTTLED")) {
                let requested = value.pointer("/extensions/cost/requestedQueryCost").and_then(Value::as_f64).unwrap_or(self.last_cost);
                let (available, rate) = self.bucket.unwrap_or((0.0, 50.0));
                let secs = if rate > 0.0 { ((requested - available) / rate).max(0.0) } else { 1.0 };
                return Attempt::Throttled(Duration::from_secs_f64(secs.min(60.0)));
            }
            let messages: Vec<&str> = errors.iter().filter_map(|e| e.get("message").and_then(Value::as_str)).collect();
            // Errors beside data: part of the answer was withheld (a field
            // the app may not read). Take what came; say what is missing once.
            let partial = errors.iter().all(|e| e.pointer("/extensions/code").and_then(Value::as_str) == Some("ACCESS_DENIED"));
            if let Some(data) = value.get("data").filter(|d| d.is_object() && partial) {
                if self.withheld.is_none() {
                    let seen: std::collections::BTreeSet<&str> = messages.iter().copied().collect();
                    self.withheld = Some(seen.into_iter().collect::<Vec<_>>().join("; "));
                }
                return Attempt::Data(data.clone());
            }
            return Attempt::Fatal(shopify_err(format!("Shopify refused the query: {}", messages.join("; "))));
        }
        match value.get("data") {
            Some(d) if d.is_object() => Attempt::Data(d.clone()),
            _ => Attempt::Retry(None, "Shopify's answer has no data".into()),
        }
    }

    fn note_cost(&mut self, value: &Value) {
        let Some(cost) = value.pointer("/extensions/cost") else { return };
        if let Some(r) = cost.get("requestedQueryCost").and_then(Value::as_f64) {
            self.last_cost = r;
        }
        let status = cost.get("throttleStatus");
        let available = status.and_then(|s| s.get("currentlyAvailable")).and_then(Value::as_f64);
        let rate = status.and_then(|s| s.get("restoreRate")).and_then(Value::as_f64);
        if let (Some(a), Some(r)) = (available, rate) {
            self.bucket = Some((a, r));
        }
    }

    /// One page of orders updated at or after `since_ms`, oldest update
    /// first, every order whole: a long one is read on with its own queries.
    pub async fn orders_page(&mut self, since_ms: i64, after: Option<&str>) -> Result<OrdersPage> {
        let since = shopify_time(since_ms)?;
        let query = orders_query(email_field(&self.api_version));
        let first = page_size(&query)?;
        let vars = json!({ "first": first, "after": after, "query": format!("updated_at:>='{since}'") });
        let data = self.query(&query, vars).await?;
        let mut page = graphql::orders_page_of(&data, Some(PAGE_REFUNDS as usize)).map_err(CoreError::Shopify)?;
        for rest in std::mem::take(&mut page.unfinished) {
            let order = page.orders.get_mut(rest.index).ok_or_else(|| shopify_err("an order of the page went missing"))?;
            self.read_rest(order, rest).await?;
            order.validate().map_err(CoreError::Shopify)?;
        }
        Ok(page)
    }

    /// Reads what a page did not hold of an order: its further lines, its
    /// further refunds and their further lines.
    async fn read_rest(&mut self, order: &mut wildroot_model::shopify::ShopifyOrder, rest: graphql::OrderRest) -> Result<()> {
        let mut after = rest.lines_after;
        while let Some(cursor) = after {
            let data = self.query(&order_lines_query(), json!({ "id": order.gid, "after": cursor })).await?;
            let lines = graphql::order_lines_page(&data).map_err(CoreError::Shopify)?;
            order.lines.extend(lines.lines);
            after = lines.next;
        }
        let mut refund_lines_after = rest.refund_lines_after;
        if rest.more_refunds {
            let data = self.query(&order_refunds_query(), json!({ "id": order.gid })).await?;
            let (refunds, after) = graphql::order_refunds(&data).map_err(CoreError::Shopify)?;
            if refunds.len() >= REST_REFUNDS as usize {
                return Err(shopify_err(format!(
                    "order {} has {REST_REFUNDS} refunds or more, more than Shopify lists at once: refund it in fewer steps",
                    order.name
                )));
            }
            order.refunds = refunds;
            refund_lines_after = after;
        }
        for (refund, cursor) in refund_lines_after {
            let mut after = Some(cursor);
            while let Some(cursor) = after {
                let data = self.query(&refund_lines_query(), json!({ "id": refund, "after": cursor })).await?;
                let page = graphql::refund_lines_page(&data).map_err(CoreError::Shopify)?;
                if let Some(r) = order.refunds.iter_mut().find(|r| r.gid == refund) {
                    r.lines.extend(page.lines);
                }
                after = page.next;
            }
        }
        Ok(())
    }
}

/// The query a bulk operation runs over orders updated since `since`
/// (Shopify's search syntax). Bulk queries have no cost limit and no page
/// sizes; Shopify allows five connections nested two deep: this one has
/// three (orders; their lines; their refunds' lines).
pub fn bulk_orders_query(email: &str, since: &str) -> String {
    format!(
        "{{
  orders(query: \"updated_at:>='{since}'\", sortKey: UPDATED_AT) {{
    edges {{ node {{
      id name createdAt updatedAt cancelledAt displayFinancialStatus currencyCode
      totalPriceSet {{ shopMoney {{ amount currencyCode }} }}
      customer {{ firstName lastName {email} }}
      lineItems {{ edges {{ node {{ {LINE_FIELDS} }} }} }}
      refunds {{ id createdAt refundLineItems {{ edges {{ node {{ {REFUND_LINE_FIELDS} }} }} }} }}
    }} }}
  }}
}}"
    )
}

const BULK_RUN: &str = "mutation BulkOrders($query: String!) { bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message } } }";
const BULK_CURRENT: &str =
    "query BulkState { currentBulkOperation { id status errorCode createdAt objectCount rootObjectCount url query } }";

/// A finished bulk operation's orders, and when Shopify started it: every
/// order updated before then (since the start asked for) is among them.
pub struct BulkResult {
    pub orders: Vec<wildroot_model::shopify::ShopifyOrder>,
    pub started_ms: i64,
}

impl ShopifyClient {
    /// Every order updated at or after `since_ms`, read with one bulk
    /// operation: started (or, when this very query is still running, taken
    /// up: a run cut off while it waited goes on; a finished one is not
    /// reused, its file is as old as its start), waited for, and its file read. `waiting` hears the operation's count of objects.
    pub async fn bulk_orders(&mut self, since_ms: i64, waiting: &mut (dyn FnMut(u64) + Send)) -> Result<BulkResult> {
        let since = shopify_time(since_ms)?;
        let query = bulk_orders_query(email_field(&self.api_version), &since);
        let current = self.query(BULK_CURRENT, json!({})).await?;
        let current = current.get("currentBulkOperation").filter(|c| !c.is_null()).cloned();
        let ours = current
            .as_ref()
            .filter(|c| c["query"].as_str() == Some(query.as_str()) && matches!(c["status"].as_str(), Some("CREATED" | "RUNNING")));
        let id = match ours {
            Some(c) => c["id"].as_str().unwrap_or_default().to_string(),
            None => {
                let data = self.query(BULK_RUN, json!({ "query": query })).await?;
                let errors: Vec<&str> = data
                    .pointer("/bulkOperationRunQuery/userErrors")
                    .and_then(Value::as_array)
                    .map(|e| e.iter().filter_map(|e| e["message"].as_str()).collect())
                    .unwrap_or_default();
                if !errors.is_empty() {
                    return Err(shopify_err(format!("Shopify did not start the bulk import: {}", errors.join("; "))));
                }
                data.pointer("/bulkOperationRunQuery/bulkOperation/id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| shopify_err("Shopify started no bulk operation and said nothing why"))?
                    .to_string()
            }
        };
        let op = loop {
            let data = self.query(BULK_CURRENT, json!({})).await?;
            let op = data.get("currentBulkOperation").cloned().unwrap_or(Value::Null);
            if op["id"].as_str() != Some(id.as_str()) {
                return Err(shopify_err("another bulk operation replaced this import's in Shopify: import again"));
            }
            waiting(op["objectCount"].as_str().and_then(|n| n.parse().ok()).or(op["objectCount"].as_u64()).unwrap_or(0));
            match op["status"].as_str() {
                Some("COMPLETED") => break op,
                Some("CREATED" | "RUNNING") => tokio::time::sleep(self.policy.bulk_poll).await,
                other => {
                    let code = op["errorCode"].as_str().unwrap_or("no error code");
                    return Err(shopify_err(format!(
                        "Shopify's bulk import ended {} ({code}): import again",
                        other.unwrap_or("without a status").to_lowercase()
                    )));
                }
            }
        };
        let started_ms = op["createdAt"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp_millis())
            .ok_or_else(|| shopify_err("Shopify's bulk operation has no start time"))?;
        let mut bulk = graphql::BulkOrders::default();
        // No url: the operation found nothing.
        if let Some(url) = op["url"].as_str() {
            let text = self.download(url).await?;
            for line in text.lines() {
                bulk.line(line).map_err(CoreError::Shopify)?;
            }
        }
        Ok(BulkResult { orders: bulk.finish().map_err(CoreError::Shopify)?, started_ms })
    }

    /// The file at a bulk operation's `url` (signed: no token is sent).
    async fn download(&self, url: &str) -> Result<String> {
        let mut failures = 0;
        loop {
            let why = match self.http.get(url).timeout(Duration::from_secs(600)).send().await {
                Ok(r) if r.status().is_success() => match r.text().await {
                    Ok(t) => return Ok(t),
                    Err(e) => format!("the bulk file was cut off: {e}"),
                },
                Ok(r) => format!("the bulk file could not be downloaded (HTTP {})", r.status().as_u16()),
                Err(e) => format!("the bulk file could not be downloaded: {e}"),
            };
            failures += 1;
            if failures >= self.policy.attempts {
                return Err(shopify_err(format!("{why} (tried {failures} times)")));
            }
            tokio::time::sleep(backoff(failures, self.policy.base_backoff, self.policy.max_backoff)).await;
        }
    }
}

/// A time as Shopify's search syntax takes it.
fn shopify_time(ms: i64) -> Result<String> {
    Ok(chrono::DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| CoreError::Invalid(format!("{ms} is not a time to import from")))?
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string())
}

impl ShopifyClient {
    /// Every variant of every product in the store, page by page.
    pub async fn all_variants(&mut self) -> Result<Vec<ShopifyVariant>> {
        let query = products_query();
        let first = page_size(&query)?;
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let data = self.query(&query, json!({ "first": first, "after": after })).await?;
            let page = graphql::products_page(&data).map_err(CoreError::Shopify)?;
            out.extend(page.variants);
            match page.next {
                Some(cursor) => after = Some(cursor),
                None => return Ok(out),
            }
        }
    }
}

/// The catalogue's page query: products with their variants.
pub fn products_query() -> String {
    format!(
        "query Products($first: Int!, $after: String) {{
  products(first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ id title status variants(first: {MAX_LINES}) {{ pageInfo {{ hasNextPage }} nodes {{ id title sku price barcode inventoryItem {{ id }} }} }} }}
  }}
}}"
    )
}

enum Attempt {
    Data(Value),
    Throttled(Duration),
    Retry(Option<Duration>, String),
    Fatal(CoreError),
}

/// Up to half of `d` again, so clients that waited together do not come back together.
fn jitter(d: Duration) -> Duration {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|t| t.subsec_nanos()).unwrap_or(0);
    d.mul_f64(f64::from(nanos % 1000) / 2000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every query the client can send asks for at most 1,000 points, the
    /// limit Shopify checks before running a query, by Shopify's rules.
    #[test]
    fn every_query_is_within_the_cost_limit() {
        let within = |q: &str, vars: Value| {
            let c = cost::requested_cost(q, &vars);
            assert!(c.as_ref().is_ok_and(|c| *c <= cost::MAX_QUERY_COST), "{c:?} for {q}");
            c.unwrap_or_default()
        };
        for email in ["email", "defaultEmailAddress { emailAddress }"] {
            let q = orders_query(email);
            let first = page_size(&q).unwrap_or_default();
            assert!(first >= 10, "only {first} orders a page");
            let c = within(&q, json!({ "first": first }));
            assert!(cost::requested_cost(&q, &json!({ "first": first + 1 })).is_ok_and(|more| more > cost::MAX_QUERY_COST), "{c}");
        }
        within(&order_lines_query(), json!({}));
        within(&order_refunds_query(), json!({}));
        within(&refund_lines_query(), json!({}));
        let q = products_query();
        within(&q, json!({ "first": page_size(&q).unwrap_or_default() }));
        // A bulk operation's own query is not held to the limit (it is a
        // variable of the mutation); starting and asking after it are.
        within(BULK_RUN, json!({ "query": bulk_orders_query("email", "2020-01-01T00:00:00Z") }));
        within(BULK_CURRENT, json!({}));
    }
}
