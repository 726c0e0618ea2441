//! Applying an operation to the business tables: the only code that writes
//! them. Every device runs this same function on every operation, its own or
//! another's, so no two devices can compute state differently.
//!
//! Applying must not fail on data another device sent legitimately: rows are
//! inserted with `OR IGNORE` (an operation applied twice is a no-op), fields
//! go through last-writer-wins registers, and stock only ever moves by
//! inserting movements keyed by the operation. An edit that arrives before
//! the create it follows makes a placeholder row that the create completes,
//! so field values do not depend on delivery order.
//!
//! Everything that writes a business table or a running total lives under
//! this directory: the appliers here, `lots` (lot moves and levels), `lww`
//! (last-writer-wins fields) and `shopify` (online orders as rows).
pub(crate) mod lots;
pub(crate) mod lww;
pub(crate) mod shopify;

use crate::error::Result;
use lots::{lot_move, lot_moves};
use rusqlite::{Connection, OptionalExtension};
use wildroot_model::op::*;
use wildroot_model::Operation;

/// Applies `op` to the tables. The caller appends it to the log in the same transaction.
pub fn apply(conn: &Connection, op: &Operation) -> Result<()> {
    let op_id = op.id.to_string();
    match &op.kind {
        OpKind::SupplyCreated(p) => {
            let id = p.supply_id.to_string();
            // The unit is fixed at creation; an edit that arrived first made a placeholder.
            conn.execute(
                "INSERT INTO supplies (id, name, unit) VALUES (?1, '', ?2) ON CONFLICT (id) DO UPDATE SET unit = excluded.unit",
                (&id, p.unit.as_str()),
            )?;
            supply_fields(conn, &id, &p.fields, op)?;
        }
        OpKind::SupplyEdited(p) => {
            let id = p.supply_id.to_string();
            conn.execute("INSERT OR IGNORE INTO supplies (id, name, unit) VALUES (?1, '', 'each')", [&id])?;
            supply_fields(conn, &id, &p.fields, op)?;
        }
        OpKind::SupplyReceived(p) => {
            let supply = p.supply_id.to_string();
            let lot = p.lot_id.to_string();
            conn.execute(
                "INSERT OR IGNORE INTO supply_lots (id, supply_id, lot_code, qty, cost_cents, received_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                (&lot, &supply, &p.lot_code, p.qty, p.cost_cents, p.received_at_ms),
            )?;
            movement(conn, &op_id, 0, "supply", &supply, p.qty, "purchase", None, Some(&lot), p.received_at_ms)?;
            lot_move(conn, &op_id, 0, 0, &lot, &supply, p.qty, "purchase", None, p.received_at_ms)?;
        }
        OpKind::StockAdjusted(p) => {
            let (kind, id) = match p.item {
                Item::Product(id) => ("product", id.to_string()),
                Item::Supply(id) => ("supply", id.to_string()),
            };
            movement(conn, &op_id, 0, kind, &id, p.qty, "adjustment", Some(&p.reason), None, p.at_ms)?;
            // A write-off comes out of the lots it names.
            lot_moves(conn, &op_id, 0, &p.lots, -1, &id, "adjustment", None, p.at_ms)?;
        }
        OpKind::ProductCreated(ProductCreated { product_id, fields }) | OpKind::ProductEdited(ProductEdited { product_id, fields }) => {
            let id = product_id.to_string();
            conn.execute("INSERT OR IGNORE INTO products (id, sku, name) VALUES (?1, '', '')", [&id])?;
            let old_sku = sku_of(conn, &id)?;
            product_fields(conn, &id, fields, op)?;
            let new_sku = sku_of(conn, &id)?;
            // Online lines are matched by SKU: a changed SKU may match held
            // lines or stop matching others.
            if old_sku != new_sku {
                shopify::reproject_skus(conn, &[Some(old_sku.as_str()), Some(new_sku.as_str())])?;
            }
        }
        OpKind::RecipeSet(p) => {
            let product = p.product_id.to_string();
            if lww::claim(conn, "recipes", &product, "bom", op)? {
                conn.execute("DELETE FROM recipe_lines WHERE product_id = ?1", [&product])?;
                conn.execute(
                    "INSERT INTO recipes (product_id, yield_qty) VALUES (?1, ?2)
                     ON CONFLICT (product_id) DO UPDATE SET yield_qty = excluded.yield_qty",
                    (&product, p.yield_qty),
                )?;
                for line in &p.lines {
                    conn.execute(
                        "INSERT OR REPLACE INTO recipe_lines (product_id, supply_id, qty) VALUES (?1, ?2, ?3)",
                        (&product, line.supply_id.to_string(), line.qty),
                    )?;
                }
            }
        }
        OpKind::BatchProduced(p) => {
            let lot = p.lot_id.to_string();
            let product = p.product_id.to_string();
            conn.execute(
                "INSERT OR IGNORE INTO batches (id, product_id, lot_code, batches, output_qty, cost_cents, made_at_ms, expires_on, expected_qty)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                (&lot, &product, &p.lot_code, p.batches, p.output_qty, p.cost_cents, p.made_at_ms, &p.expires_on, p.expected_qty),
            )?;
            for (i, input) in p.inputs.iter().enumerate() {
                let supply = input.supply_id.to_string();
                conn.execute(
                    "INSERT OR IGNORE INTO batch_inputs (batch_id, supply_id, qty, cost_microcents) VALUES (?1, ?2, ?3, ?4)",
                    (&lot, &supply, input.qty, input.cost_microcents),
                )?;
                movement(conn, &op_id, i as i64 + 1, "supply", &supply, -input.qty, "batch_input", None, Some(&lot), p.made_at_ms)?;
                lot_moves(conn, &op_id, i as i64 + 1, &input.lots, -1, &supply, "batch_input", Some(&lot), p.made_at_ms)?;
            }
            movement(conn, &op_id, 0, "product", &product, p.output_qty, "batch_output", None, Some(&lot), p.made_at_ms)?;
            lot_move(conn, &op_id, 0, 0, &lot, &product, p.output_qty, "batch_output", None, p.made_at_ms)?;
        }
        OpKind::EventOpened(p) => {
            // An edit that arrived first made a placeholder row (opened_by
            // empty); the opening completes it.
            conn.execute(
                "INSERT INTO events (id, name, location, date, float_cents, opened_at_ms, opened_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, location = excluded.location, date = excluded.date,
                     float_cents = excluded.float_cents, opened_at_ms = excluded.opened_at_ms, opened_by = excluded.opened_by
                 WHERE events.opened_by = ''",
                (p.event_id.to_string(), &p.name, &p.location, &p.date, p.float_cents, p.opened_at_ms, op.device.to_string()),
            )?;
            event_terms(conn, &p.event_id.to_string(), &p.terms, op)?;
            if !p.planned {
                open_drawer(conn, &p.event_id.to_string(), &op.device.to_string(), p.float_cents, p.opened_at_ms)?;
            }
        }
        OpKind::EventEdited(p) => {
            let id = p.event_id.to_string();
            conn.execute(
                "INSERT OR IGNORE INTO events (id, name, location, date, float_cents, opened_at_ms, opened_by) VALUES (?1, '', '', '', 0, 0, '')",
                [&id],
            )?;
            event_terms(conn, &id, &p.terms, op)?;
        }
        OpKind::EventCostAdded(p) => {
            conn.execute(
                "INSERT OR IGNORE INTO event_costs (op_id, event_id, at_ms, amount_cents, note) VALUES (?1, ?2, ?3, ?4, ?5)",
                (&op_id, p.event_id.to_string(), p.at_ms, p.amount_cents, &p.note),
            )?;
        }
        OpKind::EventJoined(p) => {
            open_drawer(conn, &p.event_id.to_string(), &op.device.to_string(), p.float_cents, p.joined_at_ms)?;
        }
        OpKind::EventClosed(p) => {
            let id = p.event_id.to_string();
            let device = op.device.to_string();
            // The closing device's drawer; the event row keeps its opener's
            // count, as it did when one device worked an event.
            if lww::claim(conn, "event_drawers", &format!("{id}:{device}"), "close", op)? {
                conn.execute(
                    "INSERT INTO event_drawers (event_id, device, float_cents, opened_at_ms, closed_at_ms, counted_cents)
                     VALUES (?1, ?2, 0, 0, ?3, ?4)
                     ON CONFLICT (event_id, device) DO UPDATE SET closed_at_ms = excluded.closed_at_ms, counted_cents = excluded.counted_cents",
                    (&id, &device, p.closed_at_ms, p.counted_cents),
                )?;
            }
            let opener: Option<String> = conn.query_row("SELECT opened_by FROM events WHERE id = ?1", [&id], |r| r.get(0)).optional()?;
            if opener.as_deref() == Some(device.as_str()) && lww::claim(conn, "events", &id, "close", op)? {
                conn.execute(
                    "UPDATE events SET closed_at_ms = ?1, counted_cents = ?2 WHERE id = ?3",
                    (p.closed_at_ms, p.counted_cents, &id),
                )?;
            }
        }
        OpKind::StockAllotted(p) => {
            let key = format!("{}:{}:{}", p.event_id, p.device, p.product_id);
            if lww::claim(conn, "allotments", &key, "qty", op)? {
                conn.execute(
                    "INSERT INTO allotments (event_id, device, product_id, qty) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (event_id, device, product_id) DO UPDATE SET qty = excluded.qty",
                    (p.event_id.to_string(), p.device.to_string(), p.product_id.to_string(), p.qty),
                )?;
            }
        }
        OpKind::SaleCompleted(p) => apply_sale(conn, &op_id, op, p)?,
        OpKind::ReceiptEmailRequested(p) => {
            conn.execute(
                "INSERT OR IGNORE INTO receipt_emails (request_id, sale_id, address, requested_at_ms, device) VALUES (?1, ?2, ?3, ?4, ?5)",
                (&op_id, p.sale_id.to_string(), &p.to, p.at_ms, op.device.to_string()),
            )?;
        }
        OpKind::ReceiptEmailOutcome(p) => {
            conn.execute(
                "INSERT OR IGNORE INTO receipt_email_outcomes (op_id, request_id, sent, reason, at_ms, hlc_ms, hlc_counter)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                (&op_id, p.request.to_string(), p.sent, &p.reason, p.at_ms, op.hlc.ms, op.hlc.counter),
            )?;
        }
        OpKind::SaleVoided(p) if !sale_exists(conn, p.sale_id)? => {
            conn.execute(
                "INSERT OR IGNORE INTO early_voids (sale_id, op_id, device, payload) VALUES (?1, ?2, ?3, ?4)",
                (p.sale_id.to_string(), &op_id, op.device.to_string(), serde_json::to_string(p)?),
            )?;
        }
        OpKind::SaleVoided(p) if late_void(conn, op, p)? => void_as_refund(conn, &op_id, op, p)?,
        OpKind::SaleVoided(p) => {
            let sale = p.sale_id.to_string();
            // Two devices may void the same sale concurrently. Whichever void
            // a device applies first, the effect must be the same: restock
            // movements are keyed by the sale, not the void, and carry the
            // earliest void's time.
            let movement_key = format!("void:{sale}");
            if conn.execute("UPDATE sales SET voided = 1 WHERE id = ?1 AND voided = 0", [&sale])? == 1 {
                conn.execute("UPDATE sale_lines SET voided = 1 WHERE sale_id = ?1", [&sale])?;
                let sold_at: i64 = conn.query_row("SELECT at_ms FROM sales WHERE id = ?1", [&sale], |r| r.get(0))?;
                let mut stmt = conn.prepare(
                    "SELECT line_no, product_id, event_id, qty, gross_cents, discount_cents, tax_cents, net_cents, total_cents
                     FROM sale_lines WHERE sale_id = ?1 ORDER BY line_no",
                )?;
                let lines: Vec<(i64, String, Option<String>, [i64; 6])> = stmt
                    .query_map([&sale], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, [r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?]))
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                for (line_no, product, event, figures) in lines {
                    add_sales(conn, sold_at, &product, event.as_deref(), figures.map(|v| -v))?;
                    // A custom-amount item (no product) took no stock.
                    if p.restock && !product.is_empty() {
                        movement(conn, &movement_key, line_no, "product", &product, figures[0], "void", None, None, p.at_ms)?;
                        // Back to the lots the line was sold from.
                        let sold: Vec<(String, i64, i64)> = conn
                            .prepare_cached("SELECT lot_id, qty, part FROM lot_moves WHERE ref_id = ?1 AND line = ?2 AND reason = 'sale'")?
                            .query_map((&sale, line_no), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                            .collect::<rusqlite::Result<_>>()?;
                        for (lot, qty, part) in sold {
                            lot_move(conn, &movement_key, line_no, part, &lot, &product, -qty, "void", Some(&sale), p.at_ms)?;
                        }
                    }
                }
                let mut stmt = conn.prepare("SELECT COALESCE(tender, method), amount_cents FROM sale_payments WHERE sale_id = ?1")?;
                let pays: Vec<(String, i64)> = stmt.query_map([&sale], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
                for (method, amount) in pays {
                    add_payments(conn, sold_at, &method, -1, -amount, 0)?;
                }
            } else {
                conn.execute("UPDATE stock_movements SET at_ms = MIN(at_ms, ?1) WHERE op_id = ?2", (p.at_ms, &movement_key))?;
                conn.execute("UPDATE lot_moves SET at_ms = MIN(at_ms, ?1) WHERE op_id = ?2", (p.at_ms, &movement_key))?;
            }
        }
        OpKind::SaleRefunded(p) => apply_refund(conn, &op_id, op, p)?,
        // Not a sale, not takings: a record for the Z report.
        OpKind::PaymentWithdrawn(p) => {
            conn.execute(
                "INSERT OR IGNORE INTO withdrawn_payments (op_id, device, at_ms, event_id, method, amount_cents, charged)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                rusqlite::params![
                    &op_id,
                    op.device.to_string(),
                    p.at_ms,
                    p.event_id.map(|e| e.to_string()),
                    p.method.as_str(),
                    p.amount_cents,
                    p.charged
                ],
            )?;
        }
        OpKind::CustomerCreated(p) => {
            let id = p.customer_id.to_string();
            conn.execute(
                "INSERT INTO customers (id, name, created_at_ms) VALUES (?1, '', ?2)
                 ON CONFLICT (id) DO UPDATE SET created_at_ms = excluded.created_at_ms",
                (&id, p.created_at_ms),
            )?;
            customer_fields(conn, &id, &p.fields, op)?;
        }
        OpKind::CustomerEdited(p) => {
            let id = p.customer_id.to_string();
            conn.execute("INSERT OR IGNORE INTO customers (id, name, created_at_ms) VALUES (?1, '', 0)", [&id])?;
            customer_fields(conn, &id, &p.fields, op)?;
        }
        OpKind::ShopifyOrderSeen(p) => shopify::order_seen(conn, &op_id, &p.order)?,
        OpKind::ShopifySkuMapped(p) => shopify::sku_mapped(conn, op, p)?,
        OpKind::ShopifyVariantLinked(p) => {
            let product = p.product_id.to_string();
            if lww::claim(conn, "shopify_links", &product, "variant", op)? {
                conn.execute(
                    "INSERT INTO shopify_links (product_id, variant_gid, inventory_item_gid) VALUES (?1, ?2, ?3)
                     ON CONFLICT (product_id) DO UPDATE SET variant_gid = excluded.variant_gid,
                         inventory_item_gid = excluded.inventory_item_gid",
                    (&product, &p.variant_gid, &p.inventory_item_gid),
                )?;
            }
        }
        OpKind::SettingSet(p) => {
            if lww::claim(conn, "settings", &p.key, "value", op)? {
                conn.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (&p.key, &p.value),
                )?;
            }
        }
    }
    Ok(())
}

/// A refund: its rows, the sales and takings rollups, and the units back on
/// the shelf and in their lots when restocked. Keyed by the refund id.
fn apply_refund(conn: &Connection, op_id: &str, op: &Operation, p: &SaleRefunded) -> Result<()> {
    let refund = p.refund_id.to_string();
    let event = p.event_id.map(|e| e.to_string());
    let inserted = conn.execute(
        "INSERT OR IGNORE INTO refunds (id, sale_id, at_ms, event_id, restock, method, total_cents, device, tender)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        rusqlite::params![
            &refund,
            p.sale_id.to_string(),
            p.at_ms,
            &event,
            p.restock,
            p.method.as_str(),
            p.total_cents,
            op.device.to_string(),
            &p.tender
        ],
    )?;
    if inserted == 1 {
        for line in &p.lines {
            let product = product_key(line.product_id);
            conn.execute(
                "INSERT OR IGNORE INTO refund_lines (refund_id, line_no, product_id, qty, amount_cents, tax_cents, at_ms, event_id)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                (&refund, line.line_no, &product, line.qty, line.amount_cents, line.tax_cents, p.at_ms, &event),
            )?;
            add_refund(conn, p.at_ms, &product, event.as_deref(), line)?;
            if p.restock && line.product_id.is_some() {
                movement(conn, op_id, line.line_no, "product", &product, line.qty, "refund", None, None, p.at_ms)?;
                lot_moves(conn, op_id, line.line_no, &line.lots, 1, &product, "refund", Some(&p.sale_id.to_string()), p.at_ms)?;
            }
        }
        add_payments(conn, p.at_ms, p.tender.as_deref().unwrap_or(p.method.as_str()), 0, 0, p.total_cents)?;
    }
    Ok(())
}

/// Whether a void arrives after the money of its sale was counted: the
/// sale was rung up at a market day and either the drawer it went into was
/// closed before the void (the sale's own device records its close and its
/// voids in order, so every device sees the same answer), or the void comes
/// from another device (whose cash is in its own drawer). A counted drawer
/// is history: such a void is booked where the money really moved.
fn late_void(conn: &Connection, op: &Operation, p: &SaleVoided) -> Result<bool> {
    let sale: Option<(Option<String>, String, bool)> = conn
        .query_row("SELECT event_id, device, voided FROM sales WHERE id = ?1", [p.sale_id.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((Some(event), device, false)) = sale else { return Ok(false) };
    if device != op.device.to_string() {
        return Ok(true);
    }
    let closed: bool = conn
        .query_row("SELECT closed_at_ms IS NOT NULL FROM event_drawers WHERE event_id = ?1 AND device = ?2", (&event, &device), |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or(false);
    Ok(closed)
}

/// A late void (see [`late_void`]) as a refund of what is left of the sale,
/// from the voiding device's drawer open when it voided (if any), in cash
/// when cash was taken: the counted day keeps its count, and the drawer the
/// cash really left pays it. Keyed by the void's id, so it is applied once.
fn void_as_refund(conn: &Connection, op_id: &str, op: &Operation, p: &SaleVoided) -> Result<()> {
    let sale = p.sale_id.to_string();
    let event: Option<String> = conn
        .query_row(
            "SELECT event_id FROM event_drawers WHERE device = ?1 AND opened_at_ms <= ?2 AND (closed_at_ms IS NULL OR closed_at_ms >= ?2)
             ORDER BY opened_at_ms DESC LIMIT 1",
            (op.device.to_string(), p.at_ms),
            |r| r.get(0),
        )
        .optional()?;
    let (method, tender): (String, Option<String>) = conn
        .query_row("SELECT method, tender FROM sale_payments WHERE sale_id = ?1 ORDER BY method = 'cash' DESC, n LIMIT 1", [&sale], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .unwrap_or_else(|| ("cash".into(), None));
    let mut stmt = conn.prepare(
        "SELECT l.line_no, l.product_id, l.qty, l.total_cents, l.tax_cents,
                COALESCE(SUM(rl.qty), 0), COALESCE(SUM(rl.amount_cents), 0), COALESCE(SUM(rl.tax_cents), 0)
         FROM sale_lines l LEFT JOIN refunds f ON f.sale_id = l.sale_id
              LEFT JOIN refund_lines rl ON rl.refund_id = f.id AND rl.line_no = l.line_no
         WHERE l.sale_id = ?1 GROUP BY l.line_no ORDER BY l.line_no",
    )?;
    let rows: Vec<(i64, String, [i64; 6])> = stmt
        .query_map([&sale], |r| Ok((r.get(0)?, r.get(1)?, [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?])))?
        .collect::<rusqlite::Result<_>>()?;
    let mut lines = Vec::new();
    for (line_no, product, [qty, total, tax, r_qty, r_amount, r_tax]) in rows {
        if qty <= r_qty {
            continue;
        }
        let left = qty - r_qty;
        let lots = if p.restock { crate::lot::refund_lots(conn, &sale, line_no, left)? } else { Vec::new() };
        lines.push(RefundLine {
            line_no,
            product_id: product_of_key(&product)?,
            qty: left,
            amount_cents: (total - r_amount).max(0),
            tax_cents: (tax - r_tax).max(0),
            lots,
        });
    }
    if lines.is_empty() {
        return Ok(());
    }
    let refund = SaleRefunded {
        refund_id: op.id.to_string().parse().map_err(|_| crate::error::CoreError::Corrupt(format!("operation id '{}'", op.id)))?,
        sale_id: p.sale_id,
        at_ms: p.at_ms,
        event_id: event.map(|e| e.parse()).transpose().map_err(|_| crate::error::CoreError::Corrupt("event id".into()))?,
        restock: p.restock,
        method: PayMethod::parse(&method).unwrap_or(PayMethod::Cash),
        tender,
        total_cents: lines.iter().map(|l| l.amount_cents).sum(),
        lines,
    };
    apply_refund(conn, op_id, op, &refund)
}

fn sale_exists(conn: &Connection, sale: wildroot_model::SaleId) -> Result<bool> {
    Ok(conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM sales WHERE id = ?1)")?.query_row([sale.to_string()], |r| r.get(0))?)
}

/// Voids of this sale that arrived before it, applied now in the order they
/// came, as if they had come after it.
fn early_voids(conn: &Connection, sale: &str) -> Result<()> {
    let rows: Vec<(String, String, String)> = conn
        .prepare_cached("SELECT op_id, device, payload FROM early_voids WHERE sale_id = ?1 ORDER BY rowid")?
        .query_map([sale], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if rows.is_empty() {
        // Every sale passes here; nearly none has an early void.
        return Ok(());
    }
    conn.execute("DELETE FROM early_voids WHERE sale_id = ?1", [sale])?;
    for (op_id, device, payload) in rows {
        let corrupt = |what: &str| crate::error::CoreError::Corrupt(format!("{what} of an early void of sale {sale}"));
        let void: SaleVoided = serde_json::from_str(&payload)?;
        let op = Operation {
            id: op_id.parse().map_err(|_| corrupt("the id"))?,
            device: device.parse().map_err(|_| corrupt("the device"))?,
            device_seq: 0,
            hlc: wildroot_model::Hlc { ms: void.at_ms, counter: 0 },
            version: wildroot_model::OP_VERSION,
            kind: OpKind::SaleVoided(void),
        };
        apply(conn, &op)?;
    }
    Ok(())
}

fn apply_sale(conn: &Connection, op_id: &str, op: &Operation, p: &SaleCompleted) -> Result<()> {
    let sale = p.sale_id.to_string();
    let event = p.event_id.map(|e| e.to_string());
    let inserted = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO sales (id, receipt_no, device, at_ms, event_id, customer_id, tax_bp, tax_inclusive,
                 gross_cents, discount_cents, tax_cents, total_cents, change_cents, tax_place)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?
        .execute(rusqlite::params![
            &sale,
            &p.receipt_no,
            op.device.to_string(),
            p.at_ms,
            &event,
            p.customer_id.map(|c| c.to_string()),
            p.tax_bp,
            p.tax_inclusive,
            p.gross_cents,
            p.discount_cents,
            p.tax_cents,
            p.total_cents,
            p.change_cents,
            &p.tax_place
        ])?;
    if inserted == 0 {
        return Ok(());
    }
    let mut line_stmt = conn.prepare_cached(
        "INSERT INTO sale_lines (sale_id, line_no, product_id, qty, unit_price_cents, gross_cents, discount_cents, tax_cents,
             net_cents, total_cents, at_ms, event_id, description, tax_category, tax_bp)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    for (i, l) in p.lines.iter().enumerate() {
        let product = product_key(l.product_id);
        line_stmt.execute(rusqlite::params![
            &sale,
            i as i64,
            &product,
            l.qty,
            l.unit_price_cents,
            l.gross_cents,
            l.discount_cents,
            l.tax_cents,
            l.net_cents,
            l.total_cents,
            p.at_ms,
            &event,
            &l.description,
            l.tax_category.as_deref().unwrap_or(wildroot_model::bounds::STANDARD_CATEGORY),
            l.tax_bp
        ])?;
        if l.product_id.is_some() {
            movement(conn, op_id, i as i64, "product", &product, -l.qty, "sale", None, None, p.at_ms)?;
            lot_moves(conn, op_id, i as i64, &l.lots, -1, &product, "sale", Some(&sale), p.at_ms)?;
        }
        add_sales(
            conn,
            p.at_ms,
            &product,
            event.as_deref(),
            [l.qty, l.gross_cents, l.discount_cents, l.tax_cents, l.net_cents, l.total_cents],
        )?;
    }
    let mut pay_stmt =
        conn.prepare_cached("INSERT INTO sale_payments (sale_id, n, method, amount_cents, tendered_cents, tender, gives_change) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?;
    for (i, pay) in p.payments.iter().enumerate() {
        pay_stmt.execute(rusqlite::params![
            &sale,
            i as i64,
            pay.method.as_str(),
            pay.amount_cents,
            pay.tendered_cents,
            &pay.tender,
            pay.gives_change
        ])?;
        add_payments(conn, p.at_ms, pay.key(), 1, pay.amount_cents, 0)?;
    }
    if let Some(tip) = &p.tip {
        conn.execute(
            "UPDATE sales SET tip_cents = ?2, tip_method = ?3 WHERE id = ?1",
            (&sale, tip.amount_cents, tip.tender.as_deref().unwrap_or(tip.method.as_str())),
        )?;
    }
    early_voids(conn, &sale)
}

/// How a line's product is kept in `sale_lines`, `refund_lines` and
/// `sales_daily`: a custom-amount item has none and is kept as '' (as a
/// sale outside a market day has event ''), so every total still adds up.
pub(crate) fn product_key(product: Option<wildroot_model::ProductId>) -> String {
    product.map(|p| p.to_string()).unwrap_or_default()
}

/// The product a kept line names, `None` for ''.
pub(crate) fn product_of_key(key: &str) -> Result<Option<wildroot_model::ProductId>> {
    if key.is_empty() {
        return Ok(None);
    }
    key.parse().map(Some).map_err(|_| crate::error::CoreError::Corrupt(format!("product id '{key}'")))
}

/// A device's cash drawer at an event, opened with its float (a close that
/// arrived first made the row and keeps its count).
fn open_drawer(conn: &Connection, event: &str, device: &str, float_cents: i64, at_ms: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO event_drawers (event_id, device, float_cents, opened_at_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (event_id, device) DO UPDATE SET float_cents = excluded.float_cents, opened_at_ms = excluded.opened_at_ms",
        (event, device, float_cents, at_ms),
    )?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn movement(
    conn: &Connection,
    op_id: &str,
    line: i64,
    item_kind: &str,
    item_id: &str,
    qty: i64,
    reason: &str,
    note: Option<&str>,
    lot_id: Option<&str>,
    at_ms: i64,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO stock_movements (op_id, line, item_kind, item_id, qty, reason, note, lot_id, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    // The running total moves only with a movement's first insertion, so a
    // repeated operation changes neither.
    if stmt.execute(rusqlite::params![op_id, line, item_kind, item_id, qty, reason, note, lot_id, at_ms])? == 1 {
        let mut level = conn.prepare_cached(
            "INSERT INTO stock_levels (item_id, on_hand) VALUES (?1, ?2)
             ON CONFLICT (item_id) DO UPDATE SET on_hand = on_hand + excluded.on_hand",
        )?;
        level.execute((item_id, qty))?;
    }
    Ok(())
}

/// The UTC day of a timestamp, the key of the daily rollups.
pub(crate) fn day(at_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(at_ms).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// Adds a sale line's `[units, gross, discount, tax, net, total]` (negated for a void) to `sales_daily`.
pub(crate) fn add_sales(conn: &Connection, at_ms: i64, product: &str, event: Option<&str>, f: [i64; 6]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO sales_daily (day, product_id, event_id, units, gross_cents, discount_cents, tax_cents, net_cents, total_cents)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (day, product_id, event_id) DO UPDATE SET
             units = units + excluded.units, gross_cents = gross_cents + excluded.gross_cents,
             discount_cents = discount_cents + excluded.discount_cents, tax_cents = tax_cents + excluded.tax_cents,
             net_cents = net_cents + excluded.net_cents, total_cents = total_cents + excluded.total_cents",
    )?;
    stmt.execute(rusqlite::params![day(at_ms), product, event.unwrap_or(""), f[0], f[1], f[2], f[3], f[4], f[5]])?;
    Ok(())
}

pub(crate) fn add_refund(conn: &Connection, at_ms: i64, product: &str, event: Option<&str>, line: &RefundLine) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO sales_daily (day, product_id, event_id, refund_units, refund_cents, refund_tax_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (day, product_id, event_id) DO UPDATE SET
             refund_units = refund_units + excluded.refund_units, refund_cents = refund_cents + excluded.refund_cents,
             refund_tax_cents = refund_tax_cents + excluded.refund_tax_cents",
    )?;
    stmt.execute(rusqlite::params![day(at_ms), product, event.unwrap_or(""), line.qty, line.amount_cents, line.tax_cents])?;
    Ok(())
}

pub(crate) fn add_payments(conn: &Connection, at_ms: i64, method: &str, payments: i64, amount: i64, refunded: i64) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO payments_daily (day, method, payments, amount_cents, refund_cents) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (day, method) DO UPDATE SET payments = payments + excluded.payments,
             amount_cents = amount_cents + excluded.amount_cents, refund_cents = refund_cents + excluded.refund_cents",
    )?;
    stmt.execute(rusqlite::params![day(at_ms), method, payments, amount, refunded])?;
    Ok(())
}

/// An empty string clears an optional text field.
fn opt_text(s: &Option<String>) -> Option<Option<&str>> {
    s.as_deref().map(|v| if v.is_empty() { None } else { Some(v) })
}

fn supply_fields(conn: &Connection, id: &str, f: &SupplyFields, op: &Operation) -> Result<()> {
    lww::set(conn, "supplies", id, "name", f.name.as_deref(), op)?;
    lww::set(conn, "supplies", id, "reorder_at", f.reorder_at, op)?;
    lww::set(conn, "supplies", id, "supplier", opt_text(&f.supplier), op)?;
    lww::set(conn, "supplies", id, "notes", opt_text(&f.notes), op)?;
    lww::set(conn, "supplies", id, "archived", f.archived, op)?;
    lww::set(conn, "supplies", id, "inci", opt_text(&f.inci), op)?;
    lww::set(conn, "supplies", id, "density_mg_per_ml", f.density_mg_per_ml, op)
}

/// An event's terms, each a last-writer-wins register.
fn event_terms(conn: &Connection, id: &str, t: &EventTerms, op: &Operation) -> Result<()> {
    let place = t.place.as_ref().map(serde_json::to_string).transpose().map_err(|e| crate::error::CoreError::Corrupt(e.to_string()))?;
    lww::set(conn, "events", id, "tax_place", place, op)?;
    lww::set(conn, "events", id, "fee_cents", t.fee_cents, op)?;
    lww::set(conn, "events", id, "commission_bp", t.commission.map(|c| c.bp), op)?;
    lww::set(conn, "events", id, "commission_base", t.commission.map(|c| c.base.as_str()), op)?;
    lww::set(conn, "events", id, "minutes_worked", t.minutes_worked, op)
}

fn product_fields(conn: &Connection, id: &str, f: &ProductFields, op: &Operation) -> Result<()> {
    lww::set(conn, "products", id, "sku", f.sku.as_deref(), op)?;
    lww::set(conn, "products", id, "name", f.name.as_deref(), op)?;
    lww::set(conn, "products", id, "category", opt_text(&f.category), op)?;
    lww::set(conn, "products", id, "price_cents", f.price_cents, op)?;
    lww::set(conn, "products", id, "barcode", opt_text(&f.barcode), op)?;
    lww::set(conn, "products", id, "low_stock_at", f.low_stock_at, op)?;
    lww::set(conn, "products", id, "favorite", f.favorite, op)?;
    lww::set(conn, "products", id, "no_oversell", f.no_oversell, op)?;
    lww::set(conn, "products", id, "archived", f.archived, op)?;
    lww::set(conn, "products", id, "tax_category", f.tax_category.as_deref(), op)?;
    lww::set(conn, "products", id, "net_qty", f.net_qty, op)?;
    lww::set(conn, "products", id, "net_unit", f.net_unit.map(|u| u.as_str()), op)?;
    lww::set(conn, "products", id, "label_name", opt_text(&f.label_name), op)?;
    lww::set(conn, "products", id, "warnings", opt_text(&f.warnings), op)
}

fn sku_of(conn: &Connection, id: &str) -> Result<String> {
    Ok(conn.prepare_cached("SELECT sku FROM products WHERE id = ?1")?.query_row([id], |r| r.get(0))?)
}

fn customer_fields(conn: &Connection, id: &str, f: &CustomerFields, op: &Operation) -> Result<()> {
    // Online orders find their customer by email: a changed email may claim
    // orders or give them back.
    let old_email: Option<String> = conn.prepare_cached("SELECT email FROM customers WHERE id = ?1")?.query_row([id], |r| r.get(0))?;
    customer_fields_only(conn, id, f, op)?;
    let new_email: Option<String> = conn.prepare_cached("SELECT email FROM customers WHERE id = ?1")?.query_row([id], |r| r.get(0))?;
    if old_email != new_email {
        shopify::reproject_emails(conn, &[old_email.as_deref(), new_email.as_deref()])?;
    }
    Ok(())
}

fn customer_fields_only(conn: &Connection, id: &str, f: &CustomerFields, op: &Operation) -> Result<()> {
    lww::set(conn, "customers", id, "name", f.name.as_deref(), op)?;
    lww::set(conn, "customers", id, "email", opt_text(&f.email), op)?;
    lww::set(conn, "customers", id, "phone", opt_text(&f.phone), op)?;
    lww::set(conn, "customers", id, "notes", opt_text(&f.notes), op)
}
