//! Shopify orders as Wildroot records them: the order as received, normalised
//! (exact cents, UTC milliseconds, ids as Shopify's GIDs), and the ids
//! derived from Shopify's own, so that importing the same order twice, or
//! from two devices, makes the same operation (DESIGN rule 6).
use crate::ids::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The namespace of every id Wildroot derives from a Shopify id (UUIDv5).
/// Fixed forever: changing it would make re-imports look like new orders.
const NAMESPACE: Uuid = Uuid::from_u128(0x5b1c_93a0_6f0e_4c55_9a7e_2d1b_7e0c_4a11);

fn derive(what: &str, key: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("{what}:{key}").as_bytes())
}

/// One order, as Shopify last described it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopifyOrder {
    /// `gid://shopify/Order/5551`
    pub gid: String,
    /// `#1042`: the number the customer and the owner know it by.
    pub name: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at_ms: Option<i64>,
    /// `PAID`, `PARTIALLY_REFUNDED`, … as Shopify says it.
    pub financial_status: String,
    pub currency: String,
    /// What the customer paid in all, shipping and taxes included.
    pub total_cents: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<ShopifyCustomer>,
    pub lines: Vec<ShopifyLine>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refunds: Vec<ShopifyRefund>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopifyCustomer {
    pub name: String,
    /// Lower-cased; the key that finds the customer in Wildroot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopifyLine {
    pub gid: String,
    /// The line's SKU, or its variant's when the line has none; `None` when neither has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_gid: Option<String>,
    pub qty: i64,
    pub unit_price_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopifyRefund {
    pub gid: String,
    pub at_ms: i64,
    pub lines: Vec<ShopifyRefundLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopifyRefundLine {
    pub line_gid: String,
    pub qty: i64,
    /// Whether the goods went back on the shelf (`RETURN`, `CANCEL`, `LEGACY_RESTOCK`), not `NO_RESTOCK`.
    pub restock: bool,
}

impl ShopifyOrder {
    /// The operation that records this state of the order: the same for the
    /// same order and update time, whoever imports it.
    pub fn op_id(&self) -> OpId {
        OpId(derive("order-state", &format!("{}@{}", self.gid, self.updated_at_ms)))
    }

    /// The Wildroot sale this order is.
    pub fn sale_id(&self) -> SaleId {
        SaleId(derive("order", &self.gid))
    }

    /// Checks what every device will rely on when it turns the order into
    /// rows; says what is wrong and with which order.
    pub fn validate(&self) -> Result<(), String> {
        let who = if self.name.is_empty() { self.gid.as_str() } else { self.name.as_str() };
        let bad = |what: String| Err(format!("Shopify order {who}: {what}"));
        if !self.gid.starts_with("gid://shopify/Order/") || self.gid.len() > 100 {
            return bad(format!("'{}' is not an order id like gid://shopify/Order/5551", self.gid));
        }
        if self.name.trim().is_empty() || self.name.len() > 64 {
            return bad("has no name (like #1042)".into());
        }
        if self.total_cents < 0 {
            return bad(format!("total {} is negative", self.total_cents));
        }
        if self.lines.len() > 1000 || self.refunds.len() > 1000 {
            return bad("has more lines or refunds than a shop order can have".into());
        }
        for l in &self.lines {
            if l.qty <= 0 || l.qty > 1_000_000 {
                return bad(format!("line {} has quantity {}", l.gid, l.qty));
            }
            if l.unit_price_cents < 0 || l.unit_price_cents > 10_000_000_000 {
                return bad(format!("line {} has price {} cents", l.gid, l.unit_price_cents));
            }
            if l.sku.as_ref().is_some_and(|s| s.len() > 100) {
                return bad(format!("line {} has a SKU over 100 characters", l.gid));
            }
        }
        let mut seen = std::collections::HashSet::new();
        if !self.lines.iter().all(|l| seen.insert(l.gid.as_str())) {
            return bad("lists a line twice".into());
        }
        for r in &self.refunds {
            for rl in &r.lines {
                let Some(line) = self.lines.iter().find(|l| l.gid == rl.line_gid) else {
                    return bad(format!("refund {} returns line {}, which is not in the order", r.gid, rl.line_gid));
                };
                if rl.qty < 0 || rl.qty > line.qty {
                    return bad(format!("refund {} returns {} of line {}, which has {}", r.gid, rl.qty, rl.line_gid, line.qty));
                }
            }
        }
        for l in &self.lines {
            let back: i64 = self.refunds.iter().flat_map(|r| &r.lines).filter(|rl| rl.line_gid == l.gid).map(|rl| rl.qty).sum();
            if back > l.qty {
                return bad(format!("refunds return {back} of line {}, which has {}", l.gid, l.qty));
            }
        }
        Ok(())
    }
}

/// One variant of a Shopify product, as the catalogue lists it: what a
/// Wildroot product is linked to, and whose inventory item stock push-back sets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopifyVariant {
    pub product_gid: String,
    pub variant_gid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory_item_gid: Option<String>,
    /// The product's title (with the variant's when it has several).
    pub title: String,
    /// `ACTIVE`, `DRAFT`, `ARCHIVED`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    pub price_cents: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
}

/// `"13.50"` → 1350, exactly: digits, at most one point, no more than two
/// decimals that are not zero. Never through a float.
pub fn parse_cents(amount: &str) -> Result<i64, String> {
    let bad = || format!("Shopify sent '{amount}' as an amount of money");
    let s = amount.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if frac.len() > 2 && frac[2..].chars().any(|c| c != '0') {
        return Err(bad());
    }
    let mut cents_part: String = frac.chars().take(2).collect();
    while cents_part.len() < 2 {
        cents_part.push('0');
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let cents: i64 = cents_part.parse().map_err(|_| bad())?;
    let v = whole.checked_mul(100).and_then(|w| w.checked_add(cents)).ok_or_else(bad)?;
    Ok(if neg { -v } else { v })
}

fn time_ms(what: &str, v: &serde_json::Value) -> Result<i64, String> {
    let s = v.as_str().ok_or_else(|| format!("the webhook has no {what}"))?;
    chrono::DateTime::parse_from_rfc3339(s).map(|d| d.timestamp_millis()).map_err(|_| format!("'{s}' is not a time ({what})"))
}

fn gid(v: &serde_json::Value, kind: &str) -> Result<String, String> {
    if let Some(g) = v.get("admin_graphql_api_id").and_then(serde_json::Value::as_str) {
        return Ok(g.to_string());
    }
    v.get("id")
        .and_then(serde_json::Value::as_u64)
        .map(|n| format!("gid://shopify/{kind}/{n}"))
        .ok_or_else(|| format!("a {kind} in the webhook has no id"))
}

/// An order as a webhook sends it (the REST shape: snake_case, numeric ids
/// beside `admin_graphql_api_id`, money as decimal strings), made into the
/// same [`ShopifyOrder`] the GraphQL import makes, so either path records
/// the same operation for the same state.
pub fn order_from_webhook(v: &serde_json::Value) -> Result<ShopifyOrder, String> {
    use serde_json::Value;
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    let money = |v: &Value, k: &str| -> Result<i64, String> {
        match v.get(k) {
            Some(Value::String(s)) => parse_cents(s),
            _ => Err(format!("the webhook has no {k}")),
        }
    };
    let customer = v.get("customer").filter(|c| c.is_object()).map(|c| {
        let name = [text(c, "first_name"), text(c, "last_name")].into_iter().flatten().collect::<Vec<_>>().join(" ");
        // The customer's own address only, read as the GraphQL import reads it:
        // both paths derive the same operation id, so they must carry the same payload.
        let email = text(c, "email").map(|e| e.to_lowercase()).filter(|e| e.contains('@') && e.len() <= 254);
        ShopifyCustomer { name, email }
    });
    let lines = v
        .get("line_items")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|l| {
            Ok(ShopifyLine {
                gid: gid(l, "LineItem")?,
                sku: text(l, "sku"),
                variant_gid: l.get("variant_id").and_then(Value::as_u64).map(|n| format!("gid://shopify/ProductVariant/{n}")),
                qty: l.get("quantity").and_then(Value::as_i64).ok_or("a line in the webhook has no quantity")?,
                unit_price_cents: money(l, "price")?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let refunds = v
        .get("refunds")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|r| {
            Ok(ShopifyRefund {
                gid: gid(r, "Refund")?,
                at_ms: time_ms("refund time", &r["created_at"])?,
                lines: r
                    .get("refund_line_items")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .map(|rl| {
                        let line = match rl.get("line_item").filter(|l| l.is_object()) {
                            Some(l) => gid(l, "LineItem")?,
                            None => rl
                                .get("line_item_id")
                                .and_then(Value::as_u64)
                                .map(|n| format!("gid://shopify/LineItem/{n}"))
                                .ok_or("a refunded line in the webhook names no line")?,
                        };
                        Ok(ShopifyRefundLine {
                            line_gid: line,
                            qty: rl.get("quantity").and_then(Value::as_i64).ok_or("a refunded line has no quantity")?,
                            restock: rl.get("restock_type").and_then(Value::as_str).is_some_and(|t| !t.eq_ignore_ascii_case("no_restock")),
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let order = ShopifyOrder {
        gid: gid(v, "Order")?,
        name: text(v, "name").unwrap_or_default(),
        created_at_ms: time_ms("order time", &v["created_at"])?,
        updated_at_ms: time_ms("update time", &v["updated_at"])?,
        cancelled_at_ms: match v.get("cancelled_at") {
            Some(Value::Null) | None => None,
            Some(t) => Some(time_ms("cancel time", t)?),
        },
        financial_status: text(v, "financial_status").unwrap_or_default().to_uppercase(),
        currency: text(v, "currency").unwrap_or_default(),
        total_cents: money(v, "total_price")?,
        customer,
        lines,
        refunds,
    };
    order.validate()?;
    Ok(order)
}

/// The customer an online order creates when no customer has its email yet.
pub fn customer_id_for_email(email: &str) -> CustomerId {
    CustomerId(derive("customer-email", &email.to_lowercase()))
}

pub fn refund_id(refund_gid: &str) -> RefundId {
    RefundId(derive("refund", refund_gid))
}

/// The web store as a sales venue: online sales carry it where booth sales
/// carry their market day, so reports "by market" show Shopify as its own row.
/// There is no events row for it.
pub fn online_event() -> EventId {
    EventId(derive("venue", "shopify"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_parsed_exactly() {
        for (s, want) in [("13.50", 1350), ("36", 3600), ("0.1", 10), ("12.000", 1200), ("-2.05", -205), ("1999999.99", 199_999_999)] {
            assert_eq!(parse_cents(s).ok(), Some(want), "{s}");
        }
        for bad in ["", "1.005", "1,50", "abc", ".5", "1.2.3", "1e3", " - 1"] {
            assert!(parse_cents(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_webhook_order_is_the_same_order_as_the_graphql_one() -> Result<(), String> {
        let body = serde_json::json!({
            "id": 5551, "admin_graphql_api_id": "gid://shopify/Order/5551", "name": "#1042",
            "created_at": "2025-06-01T05:15:02-04:00", "updated_at": "2025-06-02T07:00:40-04:00", "cancelled_at": null,
            "financial_status": "partially_refunded", "currency": "USD", "total_price": "36.00",
            "customer": {"id": 1, "email": "Ana@Example.com", "first_name": "Ana", "last_name": "Silva"},
            "line_items": [{"id": 9901, "admin_graphql_api_id": "gid://shopify/LineItem/9901", "sku": "SALVE-2OZ", "quantity": 3,
                            "price": "12.00", "variant_id": 4711}],
            "refunds": [{"id": 8801, "admin_graphql_api_id": "gid://shopify/Refund/8801", "created_at": "2025-06-02T07:00:40-04:00",
                         "refund_line_items": [{"quantity": 1, "restock_type": "return", "line_item_id": 9901}]}]
        });
        let o = order_from_webhook(&body)?;
        assert_eq!(o.updated_at_ms, 1_748_862_040_000, "the same instant as the GraphQL order's updatedAt");
        assert_eq!((o.total_cents, o.lines[0].unit_price_cents, o.financial_status.as_str()), (3600, 1200, "PARTIALLY_REFUNDED"));
        assert_eq!(o.customer.as_ref().and_then(|c| c.email.as_deref()), Some("ana@example.com"));
        assert_eq!(o.refunds[0].lines[0], ShopifyRefundLine { line_gid: "gid://shopify/LineItem/9901".into(), qty: 1, restock: true });
        assert!(order_from_webhook(&serde_json::json!({"id": 1})).is_err());
        Ok(())
    }

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        let order = ShopifyOrder {
            gid: "gid://shopify/Order/1".into(),
            name: "#1001".into(),
            created_at_ms: 1,
            updated_at_ms: 2,
            cancelled_at_ms: None,
            financial_status: "PAID".into(),
            currency: "USD".into(),
            total_cents: 100,
            customer: None,
            lines: vec![],
            refunds: vec![],
        };
        let mut later = order.clone();
        later.updated_at_ms = 3;
        assert_eq!(order.op_id(), order.clone().op_id());
        assert_ne!(order.op_id(), later.op_id(), "a new state of an order is a new operation");
        assert_eq!(order.sale_id(), later.sale_id(), "every state of an order is the same sale");
        assert_eq!(customer_id_for_email("Ana@Example.com"), customer_id_for_email("ana@example.com"));
        // Pinned: these ids are stored on every device and server; they must never change.
        assert_eq!(order.sale_id().to_string(), SaleId(derive("order", "gid://shopify/Order/1")).to_string());
        assert_eq!(order.sale_id().0.get_version_num(), 5);
    }
}
