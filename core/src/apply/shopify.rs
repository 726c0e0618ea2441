//! Turning the newest known state of each Shopify order into Wildroot rows:
//! an online sale, its stock movements, refunds and the customer.
//!
//! Every device runs this on every order operation it applies, its own or
//! another's, in whatever order they arrive. So the rows must be a function
//! of the *final* inputs only, never of the path: the winning order state
//! (the newest `updatedAt`, then the higher operation id), the SKU mappings,
//! the products' SKUs and the customers' emails. Whenever one of those
//! changes, the orders it touches are projected again: their previous rows
//! are taken out (running totals with them) and the rows of the current
//! state put in, all keyed by ids derived from Shopify's.
//!
//! Online money is kept apart from the booth's: the sales carry the web
//! store as their venue ([`online_event`]) and their payments the method
//! `shopify`, so the rollup rows they touch are theirs alone and can be
//! tidied (all-zero rows removed) without touching a market day's.
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension};
use std::collections::BTreeMap;
use wildroot_model::op::{RefundLine, ShopifySkuMapped};
use wildroot_model::shopify::{customer_id_for_email, online_event, refund_id, ShopifyOrder};
use wildroot_model::Operation;

/// The device name online sales carry, and the payment method of their money.
pub const ONLINE: &str = "shopify";

/// Movement keys: the sale's lines leave stock under the sale id; a
/// cancellation returns what was not refunded under `cancel:<sale>`; each
/// refund's restock under the refund id.
fn cancel_key(sale: &str) -> String {
    format!("cancel:{sale}")
}

/// Applies one recorded state of an order: it replaces the state in force if
/// it is newer, and the order is projected again.
pub(crate) fn order_seen(conn: &Connection, op_id: &str, order: &ShopifyOrder) -> Result<()> {
    let current: Option<(i64, String)> = conn
        .prepare_cached("SELECT updated_at_ms, op_id FROM shopify_orders WHERE gid = ?1")?
        .query_row([&order.gid], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((at, id)) = &current {
        if (order.updated_at_ms, op_id) <= (*at, id.as_str()) {
            return Ok(());
        }
    }
    let email = order.customer.as_ref().and_then(|c| c.email.clone());
    let mut old_email = None;
    if current.is_some() {
        let old = stored(conn, &order.gid)?;
        unproject(conn, &old)?;
        old_email = old.customer.and_then(|c| c.email);
    }
    conn.prepare_cached(
        "INSERT INTO shopify_orders (gid, sale_id, name, updated_at_ms, op_id, email, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (gid) DO UPDATE SET name = excluded.name, updated_at_ms = excluded.updated_at_ms, op_id = excluded.op_id,
             email = excluded.email, payload = excluded.payload",
    )?
    .execute(rusqlite::params![
        &order.gid,
        order.sale_id().to_string(),
        &order.name,
        order.updated_at_ms,
        op_id,
        &email,
        serde_json::to_string(order)?
    ])?;
    project(conn, order)?;
    // The customer's name comes from their first order, which may be this one
    // or may no longer be theirs.
    for e in [old_email.as_deref(), email.as_deref()].into_iter().flatten() {
        settle_customer(conn, e)?;
    }
    Ok(())
}

/// Applies a SKU mapping (a last-writer-wins register per SKU) and projects
/// again the orders with lines of that SKU.
pub(crate) fn sku_mapped(conn: &Connection, op: &Operation, p: &ShopifySkuMapped) -> Result<()> {
    let sku = p.sku.trim().to_lowercase();
    if super::lww::claim(conn, "shopify_sku_map", &sku, "product_id", op)? {
        conn.execute(
            "INSERT INTO shopify_sku_map (sku, product_id) VALUES (?1, ?2) ON CONFLICT (sku) DO UPDATE SET product_id = excluded.product_id",
            (&sku, p.product_id.to_string()),
        )?;
        reproject_skus(conn, &[Some(sku.as_str())])?;
    }
    Ok(())
}

/// A product's SKU changed (or a product appeared): online lines may now
/// match differently.
pub(crate) fn reproject_skus(conn: &Connection, skus: &[Option<&str>]) -> Result<()> {
    let mut orders: Vec<String> = Vec::new();
    let mut stmt = conn.prepare_cached("SELECT DISTINCT order_gid FROM shopify_order_lines WHERE sku = ?1")?;
    for sku in skus.iter().flatten() {
        for gid in stmt.query_map([sku], |r| r.get::<_, String>(0))? {
            orders.push(gid?);
        }
    }
    reproject(conn, orders)
}

/// A customer's email changed: orders with the old or new email may now
/// belong to someone else.
pub(crate) fn reproject_emails(conn: &Connection, emails: &[Option<&str>]) -> Result<()> {
    let mut orders: Vec<String> = Vec::new();
    let mut stmt = conn.prepare_cached("SELECT gid FROM shopify_orders WHERE email = ?1")?;
    for email in emails.iter().flatten() {
        for gid in stmt.query_map([email], |r| r.get::<_, String>(0))? {
            orders.push(gid?);
        }
    }
    reproject(conn, orders)?;
    for email in emails.iter().flatten() {
        settle_customer(conn, email)?;
    }
    Ok(())
}

fn stored(conn: &Connection, gid: &str) -> Result<ShopifyOrder> {
    let payload: String = conn.prepare_cached("SELECT payload FROM shopify_orders WHERE gid = ?1")?.query_row([gid], |r| r.get(0))?;
    Ok(serde_json::from_str(&payload)?)
}

fn reproject(conn: &Connection, mut gids: Vec<String>) -> Result<()> {
    gids.sort();
    gids.dedup();
    let mut emails = Vec::new();
    for gid in gids {
        let order = stored(conn, &gid)?;
        unproject(conn, &order)?;
        project(conn, &order)?;
        if let Some(e) = order.customer.and_then(|c| c.email) {
            emails.push(e);
        }
    }
    emails.sort();
    emails.dedup();
    for e in emails {
        settle_customer(conn, &e)?;
    }
    Ok(())
}

/// Takes out every row the projection of `order` (the state in force until
/// now) made, and its share of the running totals.
fn unproject(conn: &Connection, order: &ShopifyOrder) -> Result<()> {
    let sale = order.sale_id().to_string();
    let sale = sale.as_str();
    let exists: Option<i64> = conn.prepare_cached("SELECT at_ms FROM sales WHERE id = ?1")?.query_row([sale], |r| r.get(0)).optional()?;
    let Some(sold_at) = exists else {
        return Ok(());
    };
    let online = online_event().to_string();
    // Stock: every movement keyed by the sale, its cancellation or its refunds.
    let refunds: Vec<(String, i64, i64)> = conn
        .prepare_cached("SELECT id, at_ms, total_cents FROM refunds WHERE sale_id = ?1")?
        .query_map([sale], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut keys = vec![sale.to_string(), cancel_key(sale)];
    keys.extend(order.refunds.iter().map(|r| refund_id(&r.gid).to_string()));
    let mut moved: BTreeMap<String, i64> = BTreeMap::new();
    {
        let mut stmt = conn.prepare_cached("SELECT item_id, qty FROM stock_movements WHERE op_id = ?1")?;
        for key in &keys {
            for row in stmt.query_map([key], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
                let (item, qty) = row?;
                *moved.entry(item).or_default() += qty;
            }
        }
        let mut del = conn.prepare_cached("DELETE FROM stock_movements WHERE op_id = ?1")?;
        for key in &keys {
            del.execute([key])?;
        }
    }
    for (item, qty) in moved {
        conn.prepare_cached("UPDATE stock_levels SET on_hand = on_hand - ?2 WHERE item_id = ?1")?.execute((&item, qty))?;
        // A level with no movement under it would not be what a replay builds.
        conn.prepare_cached(
            "DELETE FROM stock_levels WHERE item_id = ?1 AND NOT EXISTS (SELECT 1 FROM stock_movements WHERE item_id = ?1)",
        )?
        .execute([&item])?;
    }
    // Money: lines, refunds and payments out of the rollups.
    let lines: Vec<(String, [i64; 6])> = conn
        .prepare_cached(
            "SELECT product_id, qty, gross_cents, discount_cents, tax_cents, net_cents, total_cents
             FROM sale_lines WHERE sale_id = ?1 AND voided = 0",
        )?
        .query_map([sale], |r| Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?])))?
        .collect::<rusqlite::Result<_>>()?;
    for (product, figures) in lines {
        super::add_sales(conn, sold_at, &product, Some(&online), figures.map(|v| -v))?;
    }
    for (refund, at_ms, total) in &refunds {
        let rlines: Vec<RefundLine> = conn
            .prepare_cached("SELECT line_no, product_id, qty, amount_cents, tax_cents FROM refund_lines WHERE refund_id = ?1")?
            .query_map([refund], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?))
            })?
            .map(|row| {
                let (line_no, product, qty, amount, tax) = row?;
                Ok(RefundLine {
                    line_no,
                    product_id: Some(parse_product(&product)?),
                    qty: -qty,
                    amount_cents: -amount,
                    tax_cents: -tax,
                    lots: Vec::new(),
                })
            })
            .collect::<Result<_>>()?;
        for l in &rlines {
            super::add_refund(conn, *at_ms, &super::product_key(l.product_id), Some(&online), l)?;
        }
        if *total != 0 {
            super::add_payments(conn, *at_ms, ONLINE, 0, 0, -total)?;
        }
        conn.prepare_cached("DELETE FROM refund_lines WHERE refund_id = ?1")?.execute([refund])?;
    }
    conn.prepare_cached("DELETE FROM refunds WHERE sale_id = ?1")?.execute([sale])?;
    let paid: Vec<i64> = conn
        .prepare_cached(
            "SELECT p.amount_cents FROM sale_payments p JOIN sales s ON s.id = p.sale_id WHERE p.sale_id = ?1 AND s.voided = 0",
        )?
        .query_map([sale], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for amount in paid {
        super::add_payments(conn, sold_at, ONLINE, -1, -amount, 0)?;
    }
    conn.prepare_cached("DELETE FROM sale_payments WHERE sale_id = ?1")?.execute([sale])?;
    conn.prepare_cached("DELETE FROM sale_lines WHERE sale_id = ?1")?.execute([sale])?;
    conn.prepare_cached("DELETE FROM sales WHERE id = ?1")?.execute([sale])?;
    // What is left at zero depends on which states a device happened to see;
    // only the online venue's rows and method are touched here.
    conn.prepare_cached(
        "DELETE FROM sales_daily WHERE event_id = ?1 AND units = 0 AND gross_cents = 0 AND discount_cents = 0 AND tax_cents = 0
             AND net_cents = 0 AND total_cents = 0 AND refund_units = 0 AND refund_cents = 0 AND refund_tax_cents = 0",
    )?
    .execute([&online])?;
    conn.prepare_cached("DELETE FROM payments_daily WHERE method = ?1 AND payments = 0 AND amount_cents = 0 AND refund_cents = 0")?
        .execute([ONLINE])?;
    Ok(())
}

fn parse_product(s: &str) -> Result<wildroot_model::ProductId> {
    s.parse().map_err(|_| crate::CoreError::Corrupt(format!("product id '{s}'")))
}

/// Which product an online line is, by the rule documented in ARCHITECTURE.md:
/// the owner's mapping of the SKU; else the product with exactly that SKU;
/// else the one product whose SKU differs only in case. Otherwise held.
pub(crate) fn match_sku(conn: &Connection, sku: &str) -> Result<Option<String>> {
    let sku = sku.trim();
    if sku.is_empty() {
        return Ok(None);
    }
    if let Some(p) =
        conn.prepare_cached("SELECT product_id FROM shopify_sku_map WHERE sku = ?1")?.query_row([sku], |r| r.get(0)).optional()?
    {
        return Ok(Some(p));
    }
    // products.sku is NOCASE: the candidates are every case variant.
    let candidates: Vec<(String, String)> = conn
        .prepare_cached("SELECT id, sku FROM products WHERE sku = ?1 ORDER BY id")?
        .query_map([sku], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if let Some((id, _)) = candidates.iter().find(|(_, s)| s == sku) {
        return Ok(Some(id.clone()));
    }
    Ok(match candidates.as_slice() {
        [(id, _)] => Some(id.clone()),
        _ => None,
    })
}

/// Puts in the rows of an order's current state.
fn project(conn: &Connection, order: &ShopifyOrder) -> Result<()> {
    let sale = order.sale_id().to_string();
    let online = online_event().to_string();
    let cancelled = order.cancelled_at_ms.is_some();
    let customer = match order.customer.as_ref().and_then(|c| c.email.as_deref()) {
        Some(email) => Some(customer_for(conn, email, order)?),
        None => None,
    };
    let gross: i64 = order.lines.iter().map(|l| l.qty.saturating_mul(l.unit_price_cents)).sum();
    conn.prepare_cached(
        "INSERT INTO sales (id, receipt_no, device, at_ms, event_id, customer_id, tax_bp, tax_inclusive,
             gross_cents, discount_cents, tax_cents, total_cents, change_cents, voided)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 1, ?7, 0, 0, ?8, 0, ?9)",
    )?
    .execute(rusqlite::params![
        &sale,
        &order.name,
        ONLINE,
        order.created_at_ms,
        &online,
        customer,
        gross,
        order.total_cents,
        cancelled
    ])?;

    conn.prepare_cached("DELETE FROM shopify_order_lines WHERE order_gid = ?1")?.execute([&order.gid])?;
    // line gid → (line_no, product, unit price, qty)
    let mut by_gid: BTreeMap<&str, (i64, Option<String>, i64, i64)> = BTreeMap::new();
    for (i, line) in order.lines.iter().enumerate() {
        let line_no = i as i64;
        let product = match line.sku.as_deref() {
            Some(sku) => match_sku(conn, sku)?,
            None => None,
        };
        conn.prepare_cached(
            "INSERT OR REPLACE INTO shopify_order_lines (order_gid, line_no, sku, qty, product_id, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(rusqlite::params![
            &order.gid,
            line_no,
            line.sku.as_deref().map(str::trim),
            line.qty,
            &product,
            order.created_at_ms
        ])?;
        by_gid.insert(line.gid.as_str(), (line_no, product.clone(), line.unit_price_cents, line.qty));
        let Some(product) = product else { continue };
        let amount = line.qty.saturating_mul(line.unit_price_cents);
        conn.prepare_cached(
            "INSERT INTO sale_lines (sale_id, line_no, product_id, qty, unit_price_cents, gross_cents, discount_cents, tax_cents,
                 net_cents, total_cents, at_ms, event_id, voided)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0, ?6, ?6, ?7, ?8, ?9)",
        )?
        .execute(rusqlite::params![
            &sale,
            line_no,
            &product,
            line.qty,
            line.unit_price_cents,
            amount,
            order.created_at_ms,
            &online,
            cancelled
        ])?;
        if !cancelled {
            super::add_sales(conn, order.created_at_ms, &product, Some(&online), [line.qty, amount, 0, 0, amount, amount])?;
        }
        super::movement(
            conn,
            &sale,
            line_no,
            "product",
            &product,
            -line.qty,
            "shopify_order",
            Some(&order.name),
            None,
            order.created_at_ms,
        )?;
    }
    conn.prepare_cached("INSERT INTO sale_payments (sale_id, n, method, amount_cents, tendered_cents) VALUES (?1, 0, ?2, ?3, ?3)")?
        .execute((&sale, ONLINE, order.total_cents))?;
    if !cancelled {
        super::add_payments(conn, order.created_at_ms, ONLINE, 1, order.total_cents, 0)?;
    }

    // Refunds, each restocking what it says went back on the shelf.
    let mut refunded: BTreeMap<i64, i64> = BTreeMap::new();
    for refund in &order.refunds {
        let rid = refund_id(&refund.gid).to_string();
        // sale line → (product, refunded qty, money, restocked qty)
        let mut lines: BTreeMap<i64, (&str, i64, i64, i64)> = BTreeMap::new();
        for rl in &refund.lines {
            let Some((line_no, product, unit, _)) = by_gid.get(rl.line_gid.as_str()) else { continue };
            *refunded.entry(*line_no).or_default() += rl.qty;
            let Some(product) = product else { continue };
            let entry = lines.entry(*line_no).or_insert((product.as_str(), 0, 0, 0));
            entry.1 += rl.qty;
            entry.2 += rl.qty.saturating_mul(*unit);
            if rl.restock {
                entry.3 += rl.qty;
            }
        }
        for (line_no, (product, _, _, restocked)) in &lines {
            if *restocked > 0 {
                super::movement(
                    conn,
                    &rid,
                    *line_no,
                    "product",
                    product,
                    *restocked,
                    "shopify_refund",
                    Some(&order.name),
                    None,
                    refund.at_ms,
                )?;
            }
        }
        // A cancelled order's money is already out of the reports: its
        // refunds bring back goods, not money.
        if cancelled || lines.is_empty() {
            continue;
        }
        let restock = lines.values().any(|l| l.3 > 0);
        let total: i64 = lines.values().map(|l| l.2).sum();
        conn.prepare_cached(
            "INSERT INTO refunds (id, sale_id, at_ms, event_id, restock, method, total_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(rusqlite::params![&rid, &sale, refund.at_ms, &online, restock, ONLINE, total])?;
        for (line_no, (product, qty, money, _)) in &lines {
            conn.prepare_cached(
                "INSERT INTO refund_lines (refund_id, line_no, product_id, qty, amount_cents, tax_cents, at_ms, event_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7)",
            )?
            .execute(rusqlite::params![&rid, line_no, product, qty, money, refund.at_ms, &online])?;
            let row = RefundLine {
                line_no: *line_no,
                product_id: Some(parse_product(product)?),
                qty: *qty,
                amount_cents: *money,
                tax_cents: 0,
                lots: Vec::new(),
            };
            super::add_refund(conn, refund.at_ms, product, Some(&online), &row)?;
        }
        super::add_payments(conn, refund.at_ms, ONLINE, 0, 0, total)?;
    }

    // A cancellation returns what the refunds did not.
    if let Some(at) = order.cancelled_at_ms {
        let key = cancel_key(&sale);
        for (line_no, product, _, qty) in by_gid.values() {
            let Some(product) = product else { continue };
            let back = qty - refunded.get(line_no).copied().unwrap_or(0);
            if back > 0 {
                super::movement(conn, &key, *line_no, "product", product, back, "shopify_cancel", Some(&order.name), None, at)?;
            }
        }
    }
    Ok(())
}

/// The customer an order with `email` belongs to: a customer the owner keeps
/// with that email (the oldest id if several), else one made for the email.
fn customer_for(conn: &Connection, email: &str, order: &ShopifyOrder) -> Result<String> {
    let derived = customer_id_for_email(email).to_string();
    let kept: Option<String> = conn
        .prepare_cached("SELECT id FROM customers WHERE email = ?1 AND id != ?2 ORDER BY id LIMIT 1")?
        .query_row((email, &derived), |r| r.get(0))
        .optional()?;
    if let Some(id) = kept {
        return Ok(id);
    }
    let name = order.customer.as_ref().map(|c| c.name.clone()).unwrap_or_default();
    conn.prepare_cached("INSERT OR IGNORE INTO customers (id, name, email, created_at_ms) VALUES (?1, ?2, ?3, ?4)")?
        .execute(rusqlite::params![&derived, if name.is_empty() { email } else { &name }, email, order.created_at_ms])?;
    Ok(derived)
}

/// Makes the customer made for `email` what the orders say, whatever order
/// they arrived in: named after the first order, created when it was, and
/// gone when no sale is theirs and the owner never touched them.
fn settle_customer(conn: &Connection, email: &str) -> Result<()> {
    let derived = customer_id_for_email(email).to_string();
    let exists: bool = conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM customers WHERE id = ?1)")?.query_row([&derived], |r| r.get(0))?;
    if !exists {
        return Ok(());
    }
    let touched: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM field_clock WHERE entity = 'customers' AND entity_id = ?1)")?
        .query_row([&derived], |r| r.get(0))?;
    let used: bool =
        conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM sales WHERE customer_id = ?1)")?.query_row([&derived], |r| r.get(0))?;
    if !used && !touched {
        conn.prepare_cached("DELETE FROM customers WHERE id = ?1")?.execute([&derived])?;
        return Ok(());
    }
    let first: Option<String> = conn
        .prepare_cached(
            "SELECT o.payload FROM shopify_orders o JOIN sales s ON s.id = o.sale_id
             WHERE o.email = ?1 AND s.customer_id = ?2 ORDER BY s.at_ms, o.gid LIMIT 1",
        )?
        .query_row((email, &derived), |r| r.get(0))
        .optional()?;
    let Some(first) = first else { return Ok(()) };
    let first: ShopifyOrder = serde_json::from_str(&first)?;
    conn.prepare_cached("UPDATE customers SET created_at_ms = ?2 WHERE id = ?1")?.execute((&derived, first.created_at_ms))?;
    if !touched {
        let name = first.customer.map(|c| c.name).filter(|n| !n.is_empty()).unwrap_or_else(|| email.to_string());
        conn.prepare_cached("UPDATE customers SET name = ?2, email = ?3 WHERE id = ?1")?.execute((&derived, name, email))?;
    }
    Ok(())
}
