//! The Shopify Admin GraphQL client: one POST per query, paced by the
//! query-cost bucket Shopify reports, retrying what Shopify says to retry and
//! stopping at what only the owner can fix. Responses are checked field by
//! field into [`ShopifyOrder`]s: money as exact cents, times as UTC.
use crate::error::{CoreError, Result};
use crate::sync::backoff;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;
use wildroot_model::shopify::{ShopifyCustomer, ShopifyLine, ShopifyOrder, ShopifyRefund, ShopifyRefundLine, ShopifyVariant};

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
        }
    }
}

/// Orders per page: the most Shopify serves.
pub const PAGE_SIZE: u32 = 250;
/// Lines read per order; an order with more is refused with a clear error.
pub const MAX_LINES: u32 = 100;

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
}

/// One page of orders.
#[derive(Debug)]
pub struct OrdersPage {
    pub orders: Vec<ShopifyOrder>,
    pub next: Option<String>,
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
                    tokio::time::sleep(wait + jitter(wait)).await;
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

    /// One page of orders updated at or after `since_ms`, oldest update first.
    pub async fn orders_page(&mut self, since_ms: i64, after: Option<&str>) -> Result<OrdersPage> {
        let since = chrono::DateTime::from_timestamp_millis(since_ms)
            .ok_or_else(|| CoreError::Invalid(format!("{since_ms} is not a time to import from")))?
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let email = if self.api_version.as_str() < "2025-04" { "email" } else { "defaultEmailAddress { emailAddress }" };
        let query = format!(
            "query Orders($first: Int!, $after: String, $query: String) {{
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT, reverse: false) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id name createdAt updatedAt cancelledAt displayFinancialStatus currencyCode
      totalPriceSet {{ shopMoney {{ amount currencyCode }} }}
      customer {{ firstName lastName {email} }}
      lineItems(first: {MAX_LINES}) {{
        pageInfo {{ hasNextPage }}
        nodes {{ id sku quantity originalUnitPriceSet {{ shopMoney {{ amount currencyCode }} }} variant {{ id sku }} }}
      }}
      refunds {{ id createdAt refundLineItems(first: {MAX_LINES}) {{ nodes {{ quantity restockType lineItem {{ id sku }} }} }} }}
    }}
  }}
}}"
        );
        let vars = json!({ "first": PAGE_SIZE, "after": after, "query": format!("updated_at:>='{since}'") });
        let data = self.query(&query, vars).await?;
        parse_orders_page(&data)
    }
}

impl ShopifyClient {
    /// Every variant of every product in the store, page by page.
    pub async fn all_variants(&mut self) -> Result<Vec<ShopifyVariant>> {
        let query = format!(
            "query Products($first: Int!, $after: String) {{
  products(first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ id title status variants(first: {MAX_LINES}) {{ pageInfo {{ hasNextPage }} nodes {{ id title sku price barcode inventoryItem {{ id }} }} }} }}
  }}
}}"
        );
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let data = self.query(&query, json!({ "first": PRODUCT_PAGE, "after": after })).await?;
            let products = data.get("products").ok_or_else(|| shopify_err("Shopify's answer has no products"))?;
            let conn: Connection<ProductNode> = serde_json::from_value(products.clone())
                .map_err(|e| shopify_err(format!("Shopify's products are not in the documented shape: {e}")))?;
            let next = conn.page_info.as_ref().filter(|p| p.has_next_page).map(|p| p.end_cursor.clone());
            for p in conn.into_nodes() {
                out.extend(variants_from(p)?);
            }
            match next {
                Some(Some(cursor)) => after = Some(cursor),
                Some(None) => return Err(shopify_err("Shopify said there are more products but gave no cursor")),
                None => return Ok(out),
            }
        }
    }
}

/// Products per page of the catalogue.
pub const PRODUCT_PAGE: u32 = 100;

#[derive(Deserialize)]
struct ProductNode {
    id: String,
    title: String,
    status: Option<String>,
    variants: Connection<VariantFull>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VariantFull {
    id: String,
    title: Option<String>,
    sku: Option<String>,
    price: Value,
    barcode: Option<String>,
    inventory_item: Option<IdNode>,
}

#[derive(Deserialize)]
struct IdNode {
    id: String,
}

fn variants_from(p: ProductNode) -> Result<Vec<ShopifyVariant>> {
    if p.variants.page_info.as_ref().is_some_and(|i| i.has_next_page) {
        return Err(shopify_err(format!("product {} has more than {MAX_LINES} variants, more than Wildroot reads", p.title)));
    }
    let variants = p.variants.into_nodes();
    let several = variants.len() > 1;
    variants
        .into_iter()
        .map(|v| {
            // `price` is a decimal string; older versions sent a MoneyV2 object.
            let amount = match &v.price {
                Value::String(s) => s.clone(),
                other => other.pointer("/amount").and_then(Value::as_str).unwrap_or_default().to_string(),
            };
            let title = match v.title.as_deref().map(str::trim) {
                Some(t) if several && !t.is_empty() && t != "Default Title" => format!("{} - {t}", p.title.trim()),
                _ => p.title.trim().to_string(),
            };
            Ok(ShopifyVariant {
                product_gid: p.id.clone(),
                variant_gid: v.id,
                inventory_item_gid: v.inventory_item.map(|i| i.id),
                title,
                status: p.status.clone().unwrap_or_default(),
                sku: v.sku.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
                price_cents: parse_cents(&amount)?,
                barcode: v.barcode.map(|b| b.trim().to_string()).filter(|b| !b.is_empty()),
            })
        })
        .collect()
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

// ---- The answer's shapes, as documented; every field checked on the way in.

#[derive(Deserialize)]
struct Connection<T> {
    #[serde(rename = "pageInfo")]
    page_info: Option<PageInfo>,
    nodes: Option<Vec<T>>,
    edges: Option<Vec<Edge<T>>>,
}

#[derive(Deserialize)]
struct Edge<T> {
    node: T,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    #[serde(default)]
    has_next_page: bool,
    end_cursor: Option<String>,
}

impl<T> Connection<T> {
    fn into_nodes(self) -> Vec<T> {
        match (self.nodes, self.edges) {
            (Some(n), _) => n,
            (None, Some(e)) => e.into_iter().map(|e| e.node).collect(),
            (None, None) => Vec::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderNode {
    id: String,
    name: String,
    created_at: String,
    updated_at: String,
    cancelled_at: Option<String>,
    display_financial_status: Option<String>,
    currency_code: Option<String>,
    total_price_set: MoneyBag,
    customer: Option<CustomerNode>,
    line_items: Connection<LineNode>,
    #[serde(default)]
    refunds: Vec<RefundNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MoneyBag {
    shop_money: MoneyV2,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MoneyV2 {
    amount: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerNode {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    default_email_address: Option<EmailNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailNode {
    email_address: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LineNode {
    id: String,
    sku: Option<String>,
    quantity: i64,
    original_unit_price_set: MoneyBag,
    variant: Option<VariantNode>,
}

#[derive(Deserialize)]
struct VariantNode {
    id: String,
    sku: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefundNode {
    id: String,
    created_at: String,
    refund_line_items: Connection<RefundLineNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefundLineNode {
    quantity: i64,
    restock_type: Option<String>,
    line_item: RefundedLine,
}

#[derive(Deserialize)]
struct RefundedLine {
    id: String,
}

/// `"13.50"` → 1350, exactly (see [`wildroot_model::shopify::parse_cents`]).
pub fn parse_cents(amount: &str) -> Result<i64> {
    wildroot_model::shopify::parse_cents(amount).map_err(CoreError::Shopify)
}

fn parse_time(what: &str, s: &str) -> Result<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| d.timestamp_millis())
        .map_err(|_| shopify_err(format!("Shopify sent '{s}' as the {what}, which is not a time")))
}

fn parse_orders_page(data: &Value) -> Result<OrdersPage> {
    let orders = data.get("orders").ok_or_else(|| shopify_err("Shopify's answer has no orders"))?;
    let conn: Connection<OrderNode> = serde_json::from_value(orders.clone())
        .map_err(|e| shopify_err(format!("Shopify's orders are not in the documented shape: {e}")))?;
    let next = match &conn.page_info {
        Some(p) if p.has_next_page => {
            Some(p.end_cursor.clone().ok_or_else(|| shopify_err("Shopify said there are more orders but gave no cursor"))?)
        }
        _ => None,
    };
    let orders = conn.into_nodes().into_iter().map(order_from).collect::<Result<Vec<_>>>()?;
    Ok(OrdersPage { orders, next })
}

fn order_from(n: OrderNode) -> Result<ShopifyOrder> {
    if n.line_items.page_info.as_ref().is_some_and(|p| p.has_next_page) {
        return Err(shopify_err(format!(
            "order {} has more than {MAX_LINES} lines, more than Wildroot reads: split it in Shopify",
            n.name
        )));
    }
    let customer = n.customer.map(|c| {
        let name = [c.first_name, c.last_name].into_iter().flatten().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let email = c.default_email_address.and_then(|e| e.email_address).or(c.email);
        ShopifyCustomer {
            name: name.collect::<Vec<_>>().join(" "),
            email: email.map(|e| e.trim().to_lowercase()).filter(|e| e.contains('@') && e.len() <= 254),
        }
    });
    let lines = n
        .line_items
        .into_nodes()
        .into_iter()
        .map(|l| {
            let own = l.sku.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            let variant_sku = l.variant.as_ref().and_then(|v| v.sku.as_ref()).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            Ok(ShopifyLine {
                gid: l.id,
                sku: own.or(variant_sku),
                variant_gid: l.variant.map(|v| v.id),
                qty: l.quantity,
                unit_price_cents: parse_cents(&l.original_unit_price_set.shop_money.amount)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let refunds = n
        .refunds
        .into_iter()
        .map(|r| {
            Ok(ShopifyRefund {
                gid: r.id,
                at_ms: parse_time("refund time", &r.created_at)?,
                lines: r
                    .refund_line_items
                    .into_nodes()
                    .into_iter()
                    .map(|rl| ShopifyRefundLine {
                        line_gid: rl.line_item.id,
                        qty: rl.quantity,
                        restock: rl.restock_type.as_deref().is_some_and(|t| t != "NO_RESTOCK"),
                    })
                    .collect(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let order = ShopifyOrder {
        gid: n.id,
        name: n.name,
        created_at_ms: parse_time("order time", &n.created_at)?,
        updated_at_ms: parse_time("update time", &n.updated_at)?,
        cancelled_at_ms: n.cancelled_at.as_deref().map(|c| parse_time("cancel time", c)).transpose()?,
        financial_status: n.display_financial_status.unwrap_or_default(),
        currency: n.currency_code.unwrap_or_default(),
        total_cents: parse_cents(&n.total_price_set.shop_money.amount)?,
        customer,
        lines,
        refunds,
    };
    order.validate().map_err(CoreError::Shopify)?;
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_page_parses() -> Result<()> {
        let page: Value = serde_json::from_str(
            r##"{"orders":{"pageInfo":{"hasNextPage":true,"endCursor":"eyJsYXN0X2lkIjo1NTUxfQ=="},
  "nodes":[{"id":"gid://shopify/Order/5551","name":"#1042",
    "createdAt":"2025-06-01T09:15:02Z","updatedAt":"2025-06-02T11:00:40Z","cancelledAt":null,
    "displayFinancialStatus":"PARTIALLY_REFUNDED","currencyCode":"USD",
    "totalPriceSet":{"shopMoney":{"amount":"36.00","currencyCode":"USD"}},
    "customer":{"email":"Ana@Example.com","firstName":"Ana","lastName":"Silva"},
    "lineItems":{"nodes":[{"id":"gid://shopify/LineItem/9901","sku":"SALVE-2OZ","quantity":3,
      "originalUnitPriceSet":{"shopMoney":{"amount":"12.00","currencyCode":"USD"}},
      "variant":{"id":"gid://shopify/ProductVariant/4711","sku":"SALVE-2OZ"}}]},
    "refunds":[{"id":"gid://shopify/Refund/8801","createdAt":"2025-06-02T11:00:40Z","refundLineItems":{"nodes":[
      {"quantity":1,"restockType":"RETURN","lineItem":{"id":"gid://shopify/LineItem/9901","sku":"SALVE-2OZ"}}]}}]}]}}"##,
        )?;
        let p = parse_orders_page(&page)?;
        assert_eq!(p.next.as_deref(), Some("eyJsYXN0X2lkIjo1NTUxfQ=="));
        let o = &p.orders[0];
        assert_eq!((o.name.as_str(), o.total_cents, o.lines[0].unit_price_cents, o.lines[0].qty), ("#1042", 3600, 1200, 3));
        assert_eq!(o.customer.as_ref().and_then(|c| c.email.as_deref()), Some("ana@example.com"));
        assert_eq!(o.customer.as_ref().map(|c| c.name.as_str()), Some("Ana Silva"));
        assert!(o.refunds[0].lines[0].restock);
        assert_eq!(o.updated_at_ms, 1_748_862_040_000);
        Ok(())
    }

    #[test]
    fn edges_and_the_newer_email_field_are_read_too() -> Result<()> {
        let page = json!({"orders": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "edges": [{"cursor": "c", "node": {
            "id": "gid://shopify/Order/1", "name": "#1", "createdAt": "2025-06-01T09:15:02Z", "updatedAt": "2025-06-01T09:15:02Z",
            "cancelledAt": null, "displayFinancialStatus": "PAID", "currencyCode": "USD",
            "totalPriceSet": {"shopMoney": {"amount": "5.00", "currencyCode": "USD"}},
            "customer": {"firstName": null, "lastName": "Lee", "defaultEmailAddress": {"emailAddress": "lee@example.com"}},
            "lineItems": {"nodes": [{"id": "gid://shopify/LineItem/1", "sku": "", "quantity": 1,
                "originalUnitPriceSet": {"shopMoney": {"amount": "5.00", "currencyCode": "USD"}},
                "variant": {"id": "gid://shopify/ProductVariant/1", "sku": "SOAP"}}]},
            "refunds": []}}]}});
        let p = parse_orders_page(&page)?;
        assert_eq!(p.next, None);
        assert_eq!(p.orders[0].customer.as_ref().and_then(|c| c.email.as_deref()), Some("lee@example.com"));
        assert_eq!(p.orders[0].lines[0].sku.as_deref(), Some("SOAP"), "a line with an empty SKU takes its variant's");
        Ok(())
    }

    #[test]
    fn a_wrong_shape_says_what_is_wrong() {
        let page = json!({"orders": {"nodes": [{"id": "gid://shopify/Order/1", "name": "#1"}]}});
        let err = parse_orders_page(&page).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("documented shape"), "{err}");
        let page = json!({"orders": {"nodes": [{"id": "gid://shopify/Order/1", "name": "#1", "createdAt": "yesterday",
            "updatedAt": "2025-06-01T09:15:02Z", "totalPriceSet": {"shopMoney": {"amount": "1.00"}}, "lineItems": {"nodes": []}}]}});
        let err = parse_orders_page(&page).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("'yesterday'"), "{err}");
    }
}
