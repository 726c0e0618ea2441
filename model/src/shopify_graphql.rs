//! Shopify's Admin GraphQL answers, read into Wildroot's shapes: every field
//! checked on the way in, money as exact cents, times as UTC milliseconds.
//! Pure (no I/O), so the client in core, the fuzz targets and any other
//! reader share one reading of what Shopify sent. Errors are plain words
//! for the owner.
use crate::shopify::{parse_cents, ShopifyCustomer, ShopifyLine, ShopifyOrder, ShopifyRefund, ShopifyRefundLine, ShopifyVariant};
use serde::Deserialize;
use serde_json::Value;

type Result<T> = std::result::Result<T, String>;

/// Variants read per product in the catalogue; one with more is refused
/// with a clear error rather than read in part.
pub const MAX_LINES: u32 = 100;

/// One page of orders.
#[derive(Debug)]
pub struct OrdersPage {
    pub orders: Vec<ShopifyOrder>,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
    /// Orders of this page longer than the page query reads (more lines,
    /// refunds or refund lines): the client reads the rest with each
    /// order's own queries ([`OrderRest`]) and validates them then.
    pub unfinished: Vec<OrderRest>,
}

/// What of an order the page did not hold: where to read on.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRest {
    /// Index of the order in [`OrdersPage::orders`].
    pub index: usize,
    /// The cursor after the lines read so far, when there are more.
    pub lines_after: Option<String>,
    /// The refunds list was full: there may be more refunds.
    pub more_refunds: bool,
    /// Refunds (by gid) with more lines, and the cursor after those read.
    pub refund_lines_after: Vec<(String, String)>,
}

/// Refunds (by gid) with more lines to read, and the cursor after those read.
pub type RefundCursors = Vec<(String, String)>;

/// One page of an order's lines (`order(id:) { lineItems(…) }`).
#[derive(Debug)]
pub struct LinesPage {
    pub lines: Vec<ShopifyLine>,
    pub next: Option<String>,
}

/// One page of a refund's lines (`refund(id:) { refundLineItems(…) }`).
#[derive(Debug)]
pub struct RefundLinesPage {
    pub lines: Vec<ShopifyRefundLine>,
    pub next: Option<String>,
}

/// One page of the catalogue: every variant of its products.
#[derive(Debug)]
pub struct ProductsPage {
    pub variants: Vec<ShopifyVariant>,
    pub next: Option<String>,
}

fn err(msg: impl Into<String>) -> String {
    msg.into()
}

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

fn parse_time(what: &str, s: &str) -> Result<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| d.timestamp_millis())
        .map_err(|_| format!("Shopify sent '{s}' as the {what}, which is not a time"))
}

/// The `data` of an `orders` query that asked for up to `refunds_asked`
/// refunds an order (None: the whole list).
pub fn orders_page_of(data: &Value, refunds_asked: Option<usize>) -> Result<OrdersPage> {
    let orders = data.get("orders").ok_or_else(|| err("Shopify's answer has no orders"))?;
    let conn: Connection<OrderNode> =
        serde_json::from_value(orders.clone()).map_err(|e| format!("Shopify's orders are not in the documented shape: {e}"))?;
    let next = match &conn.page_info {
        Some(p) if p.has_next_page => {
            Some(p.end_cursor.clone().ok_or_else(|| err("Shopify said there are more orders but gave no cursor"))?)
        }
        _ => None,
    };
    let mut orders = Vec::new();
    let mut unfinished = Vec::new();
    for (index, node) in conn.into_nodes().into_iter().enumerate() {
        let (order, rest) = order_from(node, index, refunds_asked)?;
        match rest {
            Some(rest) => unfinished.push(rest),
            None => order.validate()?,
        }
        orders.push(order);
    }
    Ok(OrdersPage { orders, next, unfinished })
}

/// The cursor after a connection's nodes, when it says there are more.
fn more(page_info: &Option<PageInfo>, what: &str) -> Result<Option<String>> {
    match page_info {
        Some(p) if p.has_next_page => {
            Ok(Some(p.end_cursor.clone().ok_or_else(|| format!("Shopify said there are more {what} but gave no cursor"))?))
        }
        _ => Ok(None),
    }
}

fn line_from(l: LineNode) -> Result<ShopifyLine> {
    let own = l.sku.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let variant_sku = l.variant.as_ref().and_then(|v| v.sku.as_ref()).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(ShopifyLine {
        gid: l.id,
        sku: own.or(variant_sku),
        variant_gid: l.variant.map(|v| v.id),
        qty: l.quantity,
        unit_price_cents: parse_cents(&l.original_unit_price_set.shop_money.amount)?,
    })
}

fn refund_line_from(rl: RefundLineNode) -> ShopifyRefundLine {
    ShopifyRefundLine {
        line_gid: rl.line_item.id,
        qty: rl.quantity,
        restock: rl.restock_type.as_deref().is_some_and(|t| t != "NO_RESTOCK"),
    }
}

/// The `data` of `order(id:) { lineItems(…) }`: one page of an order's lines.
pub fn order_lines_page(data: &Value) -> Result<LinesPage> {
    let conn: Connection<LineNode> = serde_json::from_value(data.pointer("/order/lineItems").cloned().unwrap_or(Value::Null))
        .map_err(|e| format!("Shopify's order lines are not in the documented shape: {e}"))?;
    let next = more(&conn.page_info, "order lines")?;
    Ok(LinesPage { lines: conn.into_nodes().into_iter().map(line_from).collect::<Result<_>>()?, next })
}

/// The `data` of `order(id:) { refunds(first:) { … } }`: all of an order's
/// refunds (with the first of their lines, and where to read on).
pub fn order_refunds(data: &Value) -> Result<(Vec<ShopifyRefund>, RefundCursors)> {
    let nodes: Vec<RefundNode> = serde_json::from_value(data.pointer("/order/refunds").cloned().unwrap_or(Value::Null))
        .map_err(|e| format!("Shopify's refunds are not in the documented shape: {e}"))?;
    refunds_from(nodes)
}

/// The `data` of `refund(id:) { refundLineItems(…) }`.
pub fn refund_lines_page(data: &Value) -> Result<RefundLinesPage> {
    let conn: Connection<RefundLineNode> = serde_json::from_value(data.pointer("/refund/refundLineItems").cloned().unwrap_or(Value::Null))
        .map_err(|e| format!("Shopify's refund lines are not in the documented shape: {e}"))?;
    let next = more(&conn.page_info, "refund lines")?;
    Ok(RefundLinesPage { lines: conn.into_nodes().into_iter().map(refund_line_from).collect(), next })
}

fn refunds_from(nodes: Vec<RefundNode>) -> Result<(Vec<ShopifyRefund>, RefundCursors)> {
    let mut refunds = Vec::new();
    let mut after = Vec::new();
    for r in nodes {
        if let Some(cursor) = more(&r.refund_line_items.page_info, "refund lines")? {
            after.push((r.id.clone(), cursor));
        }
        refunds.push(ShopifyRefund {
            gid: r.id,
            at_ms: parse_time("refund time", &r.created_at)?,
            lines: r.refund_line_items.into_nodes().into_iter().map(refund_line_from).collect(),
        });
    }
    Ok((refunds, after))
}

/// An order as the page read it, and what it did not hold. `refunds_asked`:
/// how many refunds the query asked for (a full list may have more).
fn order_from(n: OrderNode, index: usize, refunds_asked: Option<usize>) -> Result<(ShopifyOrder, Option<OrderRest>)> {
    let lines_after = more(&n.line_items.page_info, "order lines")?;
    let more_refunds = refunds_asked.is_some_and(|asked| n.refunds.len() >= asked);
    let customer = n.customer.map(|c| {
        let name = [c.first_name, c.last_name].into_iter().flatten().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let email = c.default_email_address.and_then(|e| e.email_address).or(c.email);
        ShopifyCustomer {
            name: name.collect::<Vec<_>>().join(" "),
            email: email.map(|e| e.trim().to_lowercase()).filter(|e| e.contains('@') && e.len() <= 254),
        }
    });
    let lines = n.line_items.into_nodes().into_iter().map(line_from).collect::<Result<Vec<_>>>()?;
    let (refunds, refund_lines_after) = refunds_from(n.refunds)?;
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
    let rest = (lines_after.is_some() || more_refunds || !refund_lines_after.is_empty()).then_some(OrderRest {
        index,
        lines_after,
        more_refunds,
        refund_lines_after,
    });
    Ok((order, rest))
}

/// The `data` of an `orders` query that read every refund of an order.
pub fn orders_page(data: &Value) -> Result<OrdersPage> {
    orders_page_of(data, None)
}

/// The JSONL a bulk operation over orders leaves (`bulkOperationRunQuery`),
/// read line by line. Each order is a line of its own; its line items and
/// its refunds' lines are later lines that name their parent in
/// `__parentId` (the order's id for a line item, a refund's id for a refund
/// line), after the parent but not necessarily right after it, so an order is
/// whole only at the end of the file ([`BulkOrders::finish`]).
#[derive(Default)]
pub struct BulkOrders {
    orders: Vec<ShopifyOrder>,
    /// Parent id → (order index, refund index within the order).
    parents: std::collections::HashMap<String, (usize, Option<usize>)>,
}

impl BulkOrders {
    /// Reads one line of the file (blank lines are skipped).
    pub fn line(&mut self, text: &str) -> Result<()> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(());
        }
        let mut value: Value =
            serde_json::from_str(text).map_err(|e| format!("a line of Shopify's bulk file is not JSON ({e}): download it again"))?;
        let parent = value.as_object_mut().and_then(|o| o.remove("__parentId"));
        match parent {
            None => self.order(value),
            Some(Value::String(parent)) => self.child(&parent, value),
            Some(other) => Err(format!("a line of Shopify's bulk file names its parent as {other}, which is not an id")),
        }
    }

    fn order(&mut self, mut value: Value) -> Result<()> {
        // Connections are lines of their own in a bulk file: the order's
        // line holds none (an empty list here, filled by the lines after it).
        value["lineItems"] = serde_json::json!({ "nodes": [] });
        if let Some(refunds) = value.get_mut("refunds").and_then(Value::as_array_mut) {
            for r in refunds {
                r["refundLineItems"] = serde_json::json!({ "nodes": [] });
            }
        }
        let node: OrderNode =
            serde_json::from_value(value).map_err(|e| format!("an order in Shopify's bulk file is not in the documented shape: {e}"))?;
        let (order, _) = order_from(node, self.orders.len(), None)?;
        let index = self.orders.len();
        if self.parents.insert(order.gid.clone(), (index, None)).is_some() {
            return Err(format!("Shopify's bulk file lists order {} twice", order.name));
        }
        for (r, refund) in order.refunds.iter().enumerate() {
            self.parents.insert(refund.gid.clone(), (index, Some(r)));
        }
        self.orders.push(order);
        Ok(())
    }

    fn child(&mut self, parent: &str, value: Value) -> Result<()> {
        let Some(&(order, refund)) = self.parents.get(parent) else {
            return Err(format!("a line of Shopify's bulk file belongs to {parent}, which came before it in no line"));
        };
        let order = &mut self.orders[order];
        match refund {
            None => {
                let node: LineNode = serde_json::from_value(value)
                    .map_err(|e| format!("a line of order {} is not in the documented shape: {e}", order.name))?;
                order.lines.push(line_from(node)?);
            }
            Some(r) => {
                let node: RefundLineNode = serde_json::from_value(value)
                    .map_err(|e| format!("a refund line of order {} is not in the documented shape: {e}", order.name))?;
                order.refunds[r].lines.push(refund_line_from(node));
            }
        }
        Ok(())
    }

    /// Every order, whole and checked, oldest update first (so a page of
    /// them can carry its newest update as the import's watermark).
    pub fn finish(self) -> Result<Vec<ShopifyOrder>> {
        let mut orders = self.orders;
        for o in &orders {
            o.validate()?;
        }
        orders.sort_by(|a, b| (a.updated_at_ms, &a.gid).cmp(&(b.updated_at_ms, &b.gid)));
        Ok(orders)
    }
}

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
        return Err(format!("product {} has more than {MAX_LINES} variants, more than Wildroot reads", p.title));
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

/// The `data` of a `products` query.
pub fn products_page(data: &Value) -> Result<ProductsPage> {
    let products = data.get("products").ok_or_else(|| err("Shopify's answer has no products"))?;
    let conn: Connection<ProductNode> =
        serde_json::from_value(products.clone()).map_err(|e| format!("Shopify's products are not in the documented shape: {e}"))?;
    let next = match &conn.page_info {
        Some(p) if p.has_next_page => {
            Some(p.end_cursor.clone().ok_or_else(|| err("Shopify said there are more products but gave no cursor"))?)
        }
        _ => None,
    };
    let mut variants = Vec::new();
    for p in conn.into_nodes() {
        variants.extend(variants_from(p)?);
    }
    Ok(ProductsPage { variants, next })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_bulk_file_is_read_into_whole_orders_by_parent() -> Result<()> {
        let money = |a: &str| json!({ "shopMoney": { "amount": a, "currencyCode": "USD" } });
        let order = |n: u64, updated: &str, refunds: Value| {
            json!({ "id": format!("gid://shopify/Order/{n}"), "name": format!("#{n}"), "createdAt": "2021-03-01T10:00:00Z",
                    "updatedAt": updated, "cancelledAt": null, "displayFinancialStatus": "PAID", "currencyCode": "USD",
                    "totalPriceSet": money("30.00"), "customer": null, "refunds": refunds })
        };
        let line = |id: u64, parent: u64| {
            json!({ "id": format!("gid://shopify/LineItem/{id}"), "sku": "SOAP", "quantity": 1, "originalUnitPriceSet": money("10.00"),
                    "variant": null, "__parentId": format!("gid://shopify/Order/{parent}") })
        };
        let refunds = json!([{ "id": "gid://shopify/Refund/7", "createdAt": "2021-03-02T10:00:00Z" }]);
        let file = [
            order(2, "2021-03-05T00:00:00Z", refunds),
            line(21, 2),
            order(1, "2021-03-04T00:00:00Z", json!([])),
            line(22, 2),
            line(11, 1),
            json!({ "quantity": 1, "restockType": "RETURN", "lineItem": { "id": "gid://shopify/LineItem/21" }, "__parentId": "gid://shopify/Refund/7" }),
            line(23, 2),
        ];
        let mut bulk = BulkOrders::default();
        for l in &file {
            bulk.line(&l.to_string())?;
        }
        bulk.line("")?;
        let orders = bulk.finish()?;
        assert_eq!(orders.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), ["#1", "#2"], "oldest update first");
        assert_eq!(orders[1].lines.len(), 3);
        assert_eq!(orders[1].refunds[0].lines.len(), 1);
        assert!(orders[1].refunds[0].lines[0].restock);

        let mut orphan = BulkOrders::default();
        let err = orphan.line(&line(5, 99).to_string()).err().unwrap_or_default();
        assert!(err.contains("gid://shopify/Order/99"), "{err}");
        let mut twice = BulkOrders::default();
        twice.line(&order(1, "2021-03-04T00:00:00Z", json!([])).to_string())?;
        assert!(twice.line(&order(1, "2021-03-04T00:00:00Z", json!([])).to_string()).is_err());
        assert!(BulkOrders::default().line("{not json").is_err());
        Ok(())
    }

    #[test]
    fn the_documented_page_parses() -> std::result::Result<(), Box<dyn std::error::Error>> {
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
        let p = orders_page(&page)?;
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
    fn edges_and_the_newer_email_field_are_read_too() -> std::result::Result<(), Box<dyn std::error::Error>> {
        let page = json!({"orders": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "edges": [{"cursor": "c", "node": {
            "id": "gid://shopify/Order/1", "name": "#1", "createdAt": "2025-06-01T09:15:02Z", "updatedAt": "2025-06-01T09:15:02Z",
            "cancelledAt": null, "displayFinancialStatus": "PAID", "currencyCode": "USD",
            "totalPriceSet": {"shopMoney": {"amount": "5.00", "currencyCode": "USD"}},
            "customer": {"firstName": null, "lastName": "Lee", "defaultEmailAddress": {"emailAddress": "lee@example.com"}},
            "lineItems": {"nodes": [{"id": "gid://shopify/LineItem/1", "sku": "", "quantity": 1,
                "originalUnitPriceSet": {"shopMoney": {"amount": "5.00", "currencyCode": "USD"}},
                "variant": {"id": "gid://shopify/ProductVariant/1", "sku": "SOAP"}}]},
            "refunds": []}}]}});
        let p = orders_page(&page)?;
        assert_eq!(p.next, None);
        assert_eq!(p.orders[0].customer.as_ref().and_then(|c| c.email.as_deref()), Some("lee@example.com"));
        assert_eq!(p.orders[0].lines[0].sku.as_deref(), Some("SOAP"), "a line with an empty SKU takes its variant's");
        Ok(())
    }

    #[test]
    fn a_wrong_shape_says_what_is_wrong() {
        let page = json!({"orders": {"nodes": [{"id": "gid://shopify/Order/1", "name": "#1"}]}});
        let err = orders_page(&page).err().unwrap_or_default();
        assert!(err.contains("documented shape"), "{err}");
        let page = json!({"orders": {"nodes": [{"id": "gid://shopify/Order/1", "name": "#1", "createdAt": "yesterday",
            "updatedAt": "2025-06-01T09:15:02Z", "totalPriceSet": {"shopMoney": {"amount": "1.00"}}, "lineItems": {"nodes": []}}]}});
        let err = orders_page(&page).err().unwrap_or_default();
        assert!(err.contains("'yesterday'"), "{err}");
    }
}
