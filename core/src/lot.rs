//! Lots: every production batch is a lot of a product with its expiry, every
//! purchase a lot of a supply with its cost. A sale takes from the product's
//! earliest-expiring lots (first-expired-first-out) unless a lot is picked by
//! hand; a batch consumes supply lots in the order they were received (FIFO)
//! and costs what those lots cost. The choice is made once, by the device
//! that records the operation, and travels inside it ([`LotTake`]), so every
//! device applies the same choice; two devices selling a lot's last units
//! offline both take them and the lot goes below zero, which is reported
//! (`lot_negative`), never reassigned.
//!
//! `lot_moves` is the sub-ledger of `stock_movements` by lot and
//! `lot_levels` its running sum; only [`crate::apply`] writes them, through
//! `apply::lots::lot_move`. This module chooses lots and reads them.
use crate::error::{CoreError, Result};
use crate::store::Store;
use rusqlite::{Connection, OptionalExtension};
use std::collections::HashMap;
use wildroot_model::op::LotTake;
use wildroot_model::views::{LotView, ProductLotTrace, SupplyLotTrace, TraceInput, TraceSale};
use wildroot_model::{LotId, ProductId, SupplyId, Unit};

fn parse_lot(id: &str) -> rusqlite::Result<LotId> {
    id.parse().map_err(|_| rusqlite::Error::InvalidColumnType(0, format!("lot id '{id}'"), rusqlite::types::Type::Text))
}

/// Walks `lots` (id, on hand) in order, taking what each has left after
/// `taken` (what earlier lines of the same operation already took) until
/// `qty` is covered. What no lot covers is left unassigned.
fn take_in_order(lots: Vec<(LotId, i64)>, qty: i64, taken: &mut HashMap<LotId, i64>) -> Vec<LotTake> {
    let mut out = Vec::new();
    let mut need = qty;
    for (lot_id, on_hand) in lots {
        if need <= 0 {
            break;
        }
        let already = taken.entry(lot_id).or_insert(0);
        let left = on_hand - *already;
        if left <= 0 {
            continue;
        }
        let n = left.min(need);
        *already += n;
        need -= n;
        out.push(LotTake { lot_id, qty: n, cost_cents: 0 });
    }
    out
}

/// The product lots a sale of `qty` takes from: unexpired lots with stock,
/// earliest expiry first (then the oldest batch), then expired ones (the jar
/// in the customer's hand is the one on the table). `today` is `YYYY-MM-DD`.
pub(crate) fn fefo(conn: &Connection, product: ProductId, qty: i64, today: &str, taken: &mut HashMap<LotId, i64>) -> Result<Vec<LotTake>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.lot_id, l.on_hand FROM lot_levels l JOIN batches b ON b.id = l.lot_id
         WHERE l.item_id = ?1 AND l.on_hand > 0
         ORDER BY (b.expires_on IS NOT NULL AND b.expires_on < ?2), b.expires_on IS NULL, b.expires_on, b.made_at_ms, b.id",
    )?;
    let lots = stmt
        .query_map((product.to_string(), today), |r| Ok((parse_lot(&r.get::<_, String>(0)?)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(take_in_order(lots, qty, taken))
}

/// A supply lot consumed: what of it and what that part cost.
pub(crate) struct SupplyTake {
    pub take: LotTake,
    pub lot_code: String,
}

/// The supply lots `qty` of a supply consumes, oldest received first, each
/// part priced by [`wildroot_model::bounds::take_cost`] (the running total of
/// what was taken from the lot is rounded), carried in `take.cost_cents`.
pub(crate) fn fifo(conn: &Connection, supply: SupplyId, qty: i64, taken: &mut HashMap<LotId, i64>) -> Result<Vec<SupplyTake>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.lot_id, l.on_hand, s.lot_code, s.qty, s.cost_cents FROM lot_levels l JOIN supply_lots s ON s.id = l.lot_id
         WHERE l.item_id = ?1 AND l.on_hand > 0 ORDER BY s.received_at_ms, s.id",
    )?;
    let rows = stmt
        .query_map([supply.to_string()], |r| {
            Ok((parse_lot(&r.get::<_, String>(0)?)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let before: HashMap<LotId, i64> = rows.iter().map(|r| (r.0, taken.get(&r.0).copied().unwrap_or(0))).collect();
    let takes = take_in_order(rows.iter().map(|r| (r.0, r.1)).collect(), qty, taken);
    Ok(takes
        .into_iter()
        .filter_map(|mut take| {
            let (_, on_hand, code, lot_qty, cents) = rows.iter().find(|r| r.0 == take.lot_id)?;
            // Units of the lot gone before this take: consumed earlier, or
            // by an earlier line of the same operation.
            let gone = lot_qty - on_hand + before.get(&take.lot_id).copied().unwrap_or(0);
            take.cost_cents = wildroot_model::bounds::take_cost(*cents, *lot_qty, gone, take.qty);
            Some(SupplyTake { take, lot_code: code.clone() })
        })
        .collect())
}

/// The lots a write-off of `qty` units (positive) of an item takes from:
/// a product's first-expired first, a supply's first received first (with
/// what those units cost). What no lot covers stays unassigned.
pub(crate) fn write_off(conn: &Connection, item: &wildroot_model::op::Item, qty: i64, today: &str) -> Result<Vec<LotTake>> {
    let mut taken = HashMap::new();
    Ok(match item {
        wildroot_model::op::Item::Product(p) => fefo(conn, *p, qty, today, &mut taken)?,
        wildroot_model::op::Item::Supply(s) => fifo(conn, *s, qty, &mut taken)?.into_iter().map(|t| t.take).collect(),
    })
}

/// The lot a code already names, in words ("Beeswax's purchase of
/// 2026-12-02"), if any: lot codes are unique in the shop, supply lots and
/// batches together, so a recall by code finds exactly one lot.
pub(crate) fn code_taken(conn: &Connection, code: &str) -> Result<Option<String>> {
    let found: Option<(String, String, i64)> = conn
        .query_row(
            "SELECT 'purchase', u.name, s.received_at_ms FROM supply_lots s JOIN supplies u ON u.id = s.supply_id WHERE s.lot_code = ?1
             UNION ALL
             SELECT 'batch', p.name, b.made_at_ms FROM batches b JOIN products p ON p.id = b.product_id WHERE b.lot_code = ?1
             LIMIT 1",
            [code],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(found.map(|(kind, name, at)| format!("{name}'s {kind} of {}", crate::apply::day(at))))
}

/// A typed lot code, checked: unique in the shop.
pub(crate) fn typed_code(conn: &Connection, code: &str) -> Result<String> {
    let code = crate::error::text("lot code", code, 60)?;
    if let Some(lot) = code_taken(conn, &code)? {
        return Err(CoreError::Invalid(format!("lot code {code} is already {lot}: give another code, or leave it out for a new one")));
    }
    Ok(code)
}

/// A new lot code: `STEM-YYYYMMDD-PREFIX-N`, where PREFIX is this device's
/// receipt prefix (so two devices offline on the same day never make the
/// same code) and N the first number free in the shop.
pub(crate) fn generated_code(conn: &Connection, stem: &str, at_ms: i64) -> Result<String> {
    let day = chrono::DateTime::from_timestamp_millis(at_ms).map(|d| d.format("%Y%m%d").to_string()).unwrap_or_default();
    let prefix: String = conn.query_row("SELECT receipt_prefix FROM local_device", [], |r| r.get(0))?;
    let head = format!("{stem}-{day}-{prefix}-");
    let used: i64 = conn.query_row(
        "SELECT (SELECT COUNT(*) FROM supply_lots WHERE substr(lot_code, 1, length(?1)) = ?1)
              + (SELECT COUNT(*) FROM batches WHERE substr(lot_code, 1, length(?1)) = ?1)",
        [&head],
        |r| r.get(0),
    )?;
    let mut n = used + 1;
    loop {
        let code = format!("{head}{n}");
        if code_taken(conn, &code)?.is_none() {
            return Ok(code);
        }
        n += 1;
    }
}

/// A stock adjustment of `qty` units (signed) of `item`, ready to record:
/// bounded, and a write-off takes its units from the item's lots.
pub(crate) fn adjustment(
    tx: &crate::store::Tx<'_>,
    item: wildroot_model::op::Item,
    qty: i64,
    reason: String,
) -> Result<wildroot_model::op::StockAdjusted> {
    wildroot_model::bounds::signed_qty("an adjustment", qty).map_err(CoreError::Invalid)?;
    let at_ms = tx.now_ms();
    let lots = if qty < 0 { write_off(tx, &item, -qty, &crate::apply::day(at_ms))? } else { Vec::new() };
    Ok(wildroot_model::op::StockAdjusted { item, qty, reason, at_ms, lots })
}

/// The worth of the lots a query lists as (cost, qty, on hand), by [`lot_value`].
pub(crate) fn lots_value(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<i64> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))?;
    let mut total = 0i64;
    for row in rows {
        let (cost, qty, on_hand) = row?;
        total = total
            .checked_add(lot_value(cost, qty, on_hand))
            .ok_or_else(|| CoreError::Corrupt("a stock value too large to total".into()))?;
    }
    Ok(total)
}

/// What the units left of a lot are worth: its cost less what the units
/// gone from it cost (a lot of `qty` units bought or made for `cost`, with
/// `on_hand` left). Rounded once per lot; nothing for a lot used up.
pub(crate) fn lot_value(cost: i64, qty: i64, on_hand: i64) -> i64 {
    if qty <= 0 || on_hand <= 0 {
        return 0;
    }
    cost - wildroot_model::bounds::consumed_cost(cost, qty, qty - on_hand.min(qty))
}

/// A product lot picked by hand: its id, if `code` names a lot of `product`.
pub(crate) fn product_lot(conn: &Connection, product: ProductId, sku: &str, code: &str) -> Result<LotId> {
    let code = code.trim();
    let id: Option<String> = conn
        .query_row(
            "SELECT id FROM batches WHERE product_id = ?1 AND (lot_code = ?2 OR id = ?2) ORDER BY made_at_ms LIMIT 1",
            (product.to_string(), code),
            |r| r.get(0),
        )
        .optional()?;
    let id = id.ok_or_else(|| CoreError::NotFound {
        what: "lot",
        key: format!("{code} of {sku}"),
        hint: "give the lot code printed on the label",
    })?;
    Ok(parse_lot(&id)?)
}

/// The lots a refund of `qty` units of a sale line puts back: those the line
/// was sold from, last taken first, less what earlier refunds put back.
pub(crate) fn refund_lots(conn: &Connection, sale_id: &str, line_no: i64, qty: i64) -> Result<Vec<LotTake>> {
    let mut stmt =
        conn.prepare_cached("SELECT lot_id, -qty FROM lot_moves WHERE ref_id = ?1 AND line = ?2 AND reason = 'sale' ORDER BY part DESC")?;
    let sold = stmt
        .query_map((sale_id, line_no), |r| Ok((parse_lot(&r.get::<_, String>(0)?)?, r.get::<_, i64>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = conn
        .prepare_cached("SELECT lot_id, SUM(qty) FROM lot_moves WHERE ref_id = ?1 AND line = ?2 AND reason = 'refund' GROUP BY lot_id")?;
    let mut returned: HashMap<LotId, i64> = stmt
        .query_map((sale_id, line_no), |r| Ok((parse_lot(&r.get::<_, String>(0)?)?, r.get::<_, i64>(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(take_in_order(sold, qty, &mut returned))
}

const LOT_SELECT: &str = "
    SELECT id, code, item, unit, qty, on_hand, at_ms, expires_on, unit_cost FROM (
        SELECT b.id, b.lot_code AS code, p.sku AS item, 'each' AS unit, b.output_qty AS qty,
               COALESCE(l.on_hand, 0) AS on_hand, b.made_at_ms AS at_ms, b.expires_on,
               CASE WHEN b.output_qty > 0 THEN b.cost_cents * 1000000 / b.output_qty ELSE 0 END AS unit_cost,
               b.product_id AS item_id
        FROM batches b JOIN products p ON p.id = b.product_id LEFT JOIN lot_levels l ON l.lot_id = b.id
        UNION ALL
        SELECT s.id, s.lot_code, u.name, u.unit, s.qty, COALESCE(l.on_hand, 0), s.received_at_ms, NULL,
               CASE WHEN s.qty > 0 THEN s.cost_cents * 1000000 / s.qty ELSE 0 END, s.supply_id
        FROM supply_lots s JOIN supplies u ON u.id = s.supply_id LEFT JOIN lot_levels l ON l.lot_id = s.id)";

fn lot_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LotView> {
    let unit: String = r.get(3)?;
    Ok(LotView {
        lot_id: parse_lot(&r.get::<_, String>(0)?)?,
        lot_code: r.get(1)?,
        item: r.get(2)?,
        unit: unit.parse().unwrap_or(Unit::Each),
        qty: r.get(4)?,
        on_hand: r.get(5)?,
        at_ms: r.get(6)?,
        expires_on: r.get(7)?,
        unit_cost_microcents: r.get(8)?,
    })
}

impl Store {
    /// The lots of a product (SKU, barcode or id) or a supply (name or id),
    /// in the order they are used: a product's earliest expiry first (expired
    /// lots last), a supply's oldest purchase first. Empty lots are left out unless `all`.
    pub fn list_lots(&self, key: &str, all: bool) -> Result<Vec<LotView>> {
        let conn = self.conn();
        let item_id = match crate::product::find(conn, key) {
            Ok(p) => p.id.to_string(),
            Err(_) => crate::supply::find(conn, key)
                .map_err(|_| CoreError::NotFound {
                    what: "product or supply",
                    key: key.trim().to_string(),
                    hint: "give a product's SKU or a supply's name",
                })?
                .id
                .to_string(),
        };
        let filter = if all { "" } else { "AND on_hand != 0" };
        // The order a sale takes them in (expired lots last), as in `fefo`.
        let today = crate::apply::day(self.now_ms());
        let mut stmt = conn.prepare(&format!(
            "{LOT_SELECT} WHERE item_id = ?1 {filter}
             ORDER BY (expires_on IS NOT NULL AND expires_on < ?2), expires_on IS NULL, expires_on, at_ms, id"
        ))?;
        let lots = stmt.query_map((item_id, today), lot_row)?.collect::<rusqlite::Result<_>>()?;
        Ok(lots)
    }

    /// The lots a sale could take from now (some left), in the order it would.
    pub fn lots_in_stock(&self, key: &str) -> Result<Vec<LotView>> {
        Ok(self.list_lots(key, false)?.into_iter().filter(|l| l.on_hand > 0).collect())
    }

    /// Lots below zero, for the alerts.
    pub(crate) fn negative_lots(&self) -> Result<Vec<LotView>> {
        // Alerts are read after every sale: start from the running totals, not every lot ever made.
        let mut stmt = self
            .conn()
            .prepare(&format!("{LOT_SELECT} WHERE id IN (SELECT lot_id FROM lot_levels WHERE on_hand < 0) ORDER BY item, code"))?;
        let lots = stmt.query_map([], lot_row)?.collect::<rusqlite::Result<_>>()?;
        Ok(lots)
    }

    /// One lot by code or id, of a product (`want_product`) or a supply.
    fn find_lot(&self, code: &str, want_product: bool) -> Result<LotView> {
        let code = code.trim();
        let table = if want_product { "batches" } else { "supply_lots" };
        let mut stmt =
            self.conn().prepare(&format!("{LOT_SELECT} WHERE (code = ?1 OR id = ?1) AND id IN (SELECT id FROM {table}) ORDER BY at_ms"))?;
        let mut found: Vec<LotView> = stmt.query_map([code], lot_row)?.collect::<rusqlite::Result<_>>()?;
        let what = if want_product { "product lot" } else { "supply lot" };
        match found.len() {
            0 => Err(CoreError::NotFound {
                what,
                key: code.to_string(),
                hint: if want_product { "give a batch's lot code" } else { "give a purchase's lot code" },
            }),
            1 => Ok(found.remove(0)),
            _ => Err(CoreError::Invalid(format!(
                "{} {what}s have the code {code}: give the lot id instead ({})",
                found.len(),
                found.iter().map(|l| format!("{} of {}", l.lot_id, l.item)).collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// A product lot traced both ways: the supply lots it was made from, and
    /// every sale that took from it with the customer's contact where known.
    pub fn trace_product_lot(&self, code: &str) -> Result<ProductLotTrace> {
        let lot = self.find_lot(code, true)?;
        self.product_lot_trace(lot)
    }

    fn product_lot_trace(&self, lot: LotView) -> Result<ProductLotTrace> {
        let conn = self.conn();
        let id = lot.lot_id.to_string();
        let (name, product_id): (String, String) =
            conn.query_row("SELECT p.name, p.id FROM batches b JOIN products p ON p.id = b.product_id WHERE b.id = ?1", [&id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let mut stmt = conn.prepare(
            "SELECT u.name, u.unit, s.lot_code, u.supplier, -SUM(m.qty) FROM lot_moves m
             JOIN supply_lots s ON s.id = m.lot_id JOIN supplies u ON u.id = s.supply_id
             WHERE m.ref_id = ?1 AND m.reason = 'batch_input' GROUP BY m.lot_id ORDER BY u.name, s.received_at_ms",
        )?;
        let inputs = stmt
            .query_map([&id], |r| {
                let unit: String = r.get(1)?;
                Ok(TraceInput {
                    supply: r.get(0)?,
                    unit: unit.parse().unwrap_or(Unit::Each),
                    lot_code: r.get(2)?,
                    supplier: r.get(3)?,
                    qty: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = conn.prepare(
            "SELECT s.receipt_no, s.at_ms, -SUM(m.qty), s.voided, c.name, c.email, c.phone, e.name,
                    COALESCE((SELECT SUM(r.qty) FROM lot_moves r WHERE r.ref_id = s.id AND r.lot_id = ?1 AND r.reason = 'refund'), 0)
             FROM lot_moves m JOIN sales s ON s.id = m.ref_id
             LEFT JOIN customers c ON c.id = s.customer_id LEFT JOIN events e ON e.id = s.event_id
             WHERE m.lot_id = ?1 AND m.reason = 'sale' GROUP BY s.id ORDER BY s.at_ms, s.receipt_no",
        )?;
        let sales = stmt
            .query_map([&id], |r| {
                Ok(TraceSale {
                    lot_code: lot.lot_code.clone(),
                    receipt_no: r.get(0)?,
                    at_ms: r.get(1)?,
                    qty: r.get(2)?,
                    voided: r.get(3)?,
                    customer: r.get(4)?,
                    email: r.get(5)?,
                    phone: r.get(6)?,
                    event: r.get(7)?,
                    returned: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        // Units sold since the lot was made that no lot was recorded for.
        let sold: i64 = conn.query_row(
            "SELECT COALESCE(SUM(qty), 0) FROM sale_lines WHERE product_id = ?1 AND voided = 0 AND at_ms >= ?2",
            (&product_id, lot.at_ms),
            |r| r.get(0),
        )?;
        let lotted: i64 = conn.query_row(
            "SELECT COALESCE(-SUM(m.qty), 0) FROM lot_moves m JOIN sales s ON s.id = m.ref_id
             WHERE m.item_id = ?1 AND m.reason = 'sale' AND s.voided = 0 AND s.at_ms >= ?2",
            (&product_id, lot.at_ms),
            |r| r.get(0),
        )?;
        Ok(ProductLotTrace { lot, name, inputs, sales, unassigned_units: (sold - lotted).max(0) })
    }

    /// A supply lot traced forward: the batches that used it and everyone
    /// who bought from those batches (the recall list).
    pub fn trace_supply_lot(&self, code: &str) -> Result<SupplyLotTrace> {
        let lot = self.find_lot(code, false)?;
        let conn = self.conn();
        let supplier: Option<String> = conn.query_row(
            "SELECT u.supplier FROM supply_lots s JOIN supplies u ON u.id = s.supply_id WHERE s.id = ?1",
            [lot.lot_id.to_string()],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare(&format!(
            "{LOT_SELECT} WHERE id IN (SELECT DISTINCT ref_id FROM lot_moves WHERE lot_id = ?1 AND reason = 'batch_input')
             ORDER BY at_ms, id"
        ))?;
        let made: Vec<LotView> = stmt.query_map([lot.lot_id.to_string()], lot_row)?.collect::<rusqlite::Result<_>>()?;
        let batches = made.into_iter().map(|b| self.product_lot_trace(b)).collect::<Result<_>>()?;
        Ok(SupplyLotTrace { lot, supplier, batches })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_walk_the_lots_in_order_and_leave_the_rest_unassigned() {
        let (a, b) = (LotId::new(), LotId::new());
        let mut taken = HashMap::new();
        assert_eq!(
            take_in_order(vec![(a, 2), (b, 5)], 4, &mut taken),
            vec![LotTake { lot_id: a, qty: 2, cost_cents: 0 }, LotTake { lot_id: b, qty: 2, cost_cents: 0 }]
        );
        // A second line of the same sale sees what the first took.
        assert_eq!(take_in_order(vec![(a, 2), (b, 5)], 9, &mut taken), vec![LotTake { lot_id: b, qty: 3, cost_cents: 0 }]);
        assert_eq!(take_in_order(vec![], 3, &mut HashMap::new()), vec![]);
    }
}
