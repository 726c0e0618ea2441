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
