//! Reports: sales by day, event, product or payment method; top sellers;
//! inventory valuation; unit cost and margin per product and per lot.
use crate::error::{CoreError, Result};
use crate::store::Store;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use wildroot_model::money::div_round;
use wildroot_model::shopify::online_event;
use wildroot_model::views::{LotMarginRow, MarginRow, SalesReport, SalesRow, Valuation};

/// Basis points of `part` in `whole`, when there is a whole.
fn bp(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| div_round(i128::from(part) * 10_000, i128::from(whole)) as i64)
}

/// How a sales report groups its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    Day,
    Event,
    Product,
    Payment,
}

impl GroupBy {
    pub fn parse(s: &str) -> Result<GroupBy> {
        match s.trim().to_ascii_lowercase().as_str() {
            "day" => Ok(GroupBy::Day),
            "event" => Ok(GroupBy::Event),
            "product" => Ok(GroupBy::Product),
            "payment" => Ok(GroupBy::Payment),
            _ => Err(CoreError::Invalid(format!("'{s}' is not a grouping: use day, event, product or payment"))),
        }
    }

    fn name(self) -> &'static str {
        match self {
            GroupBy::Day => "day",
            GroupBy::Event => "event",
            GroupBy::Product => "product",
            GroupBy::Payment => "payment",
        }
    }
}

/// Inclusive `[from, to]` UTC days as rollup keys (`YYYY-MM-DD` sorts as text).
pub(crate) fn bounds(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<(String, String)> {
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(CoreError::Invalid(format!("the period starts on {f}, after it ends on {t}: swap the dates")));
        }
    }
    let from = from.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "0000-01-01".into());
    let to = to.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "9999-12-31".into());
    Ok((from, to))
}

fn blank(key: String) -> SalesRow {
    SalesRow {
        label: key.clone(),
        key,
        units: 0,
        gross_cents: 0,
        discount_cents: 0,
        tax_cents: 0,
        refund_cents: 0,
        net_cents: 0,
        total_cents: 0,
    }
}

impl Store {
    /// Sales over whole UTC days, from the daily rollups that `apply`
    /// maintains, so the cost follows days × products, not sale lines.
    pub fn sales_report(&self, by: GroupBy, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<SalesReport> {
        let (start, end) = bounds(from, to)?;
        let conn = self.conn();
        let mut rows: Vec<SalesRow> = Vec::new();
        if by == GroupBy::Payment {
            let mut stmt = conn.prepare(
                "SELECT method, SUM(payments), SUM(amount_cents), SUM(refund_cents) FROM payments_daily
                 WHERE day BETWEEN ?1 AND ?2 GROUP BY method ORDER BY method",
            )?;
            for row in stmt.query_map((&start, &end), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
            })? {
                let (method, count, amount, refunded) = row?;
                let mut e = blank(method);
                e.units = count;
                e.refund_cents = refunded;
                e.total_cents = amount - refunded;
                rows.push(e);
            }
        } else {
            let (key, label_sql) = match by {
                GroupBy::Day => ("day", None),
                GroupBy::Event => {
                    ("event_id", Some("SELECT COALESCE((SELECT name || ' (' || date || ')' FROM events WHERE id = ?1), 'no event')"))
                }
                _ => ("product_id", Some("SELECT COALESCE((SELECT sku || ' ' || name FROM products WHERE id = ?1), 'Custom items')")),
            };
            let sql = format!(
                "SELECT {key}, SUM(units) - SUM(refund_units), SUM(gross_cents), SUM(discount_cents), SUM(tax_cents) - SUM(refund_tax_cents),
                        SUM(refund_cents), SUM(net_cents) - SUM(refund_cents) + SUM(refund_tax_cents), SUM(total_cents) - SUM(refund_cents)
                 FROM sales_daily WHERE day BETWEEN ?1 AND ?2 GROUP BY {key} ORDER BY {key}"
            );
            let mut stmt = conn.prepare(&sql)?;
            let mut label = label_sql.map(|q| conn.prepare(q)).transpose()?;
            let found = stmt.query_map((&start, &end), |r| {
                Ok(SalesRow {
                    key: r.get(0)?,
                    label: String::new(),
                    units: r.get(1)?,
                    gross_cents: r.get(2)?,
                    discount_cents: r.get(3)?,
                    tax_cents: r.get(4)?,
                    refund_cents: r.get(5)?,
                    net_cents: r.get(6)?,
                    total_cents: r.get(7)?,
                })
            })?;
            for row in found {
                let mut row = row?;
                row.label = match label.as_mut() {
                    Some(_) if by == GroupBy::Event && row.key == online_event().to_string() => "Shopify (online)".to_string(),
                    Some(stmt) => stmt.query_row([&row.key], |r| r.get::<_, String>(0)).unwrap_or_else(|_| row.key.clone()),
                    None => row.key.clone(),
                };
                rows.push(row);
            }
        }
        if by == GroupBy::Product {
            rows.sort_by(|a, b| b.total_cents.cmp(&a.total_cents).then(a.label.cmp(&b.label)));
        }
        Ok(SalesReport {
            by: by.name().to_string(),
            from: from.map(|d| d.to_string()),
            to: to.map(|d| d.to_string()),
            total_cents: rows.iter().map(|r| r.total_cents).sum(),
            rows,
        })
    }

    /// Best sellers by units over the period.
    pub fn top_sellers(&self, limit: usize, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<SalesReport> {
        let mut report = self.sales_report(GroupBy::Product, from, to)?;
        report.rows.sort_by(|a, b| b.units.cmp(&a.units).then(b.total_cents.cmp(&a.total_cents)));
        report.rows.truncate(limit);
        report.by = "top".into();
        Ok(report)
    }

    /// What the stock on hand is worth, lot by lot: a supply lot at what
    /// was paid for it less what the units gone from it cost, a product lot
    /// at its batch's cost for the units left (both rounded once per lot,
    /// by `lot::lot_value`). Units no lot covers (found by a count, or
    /// products never made here) carry no cost. So what was paid for
    /// supplies = their value here + the cost of every batch + every
    /// write-off, to the cent.
    pub fn valuation(&self) -> Result<Valuation> {
        let conn = self.conn();
        let supplies_cents = crate::lot::lots_value(
            conn,
            "SELECT s.cost_cents, s.qty, COALESCE(l.on_hand, 0) FROM supply_lots s LEFT JOIN lot_levels l ON l.lot_id = s.id",
            [],
        )?;
        let products_cents = crate::lot::lots_value(
            conn,
            "SELECT b.cost_cents, b.output_qty, COALESCE(l.on_hand, 0) FROM batches b LEFT JOIN lot_levels l ON l.lot_id = b.id",
            [],
        )?;
        Ok(Valuation { supplies_cents, products_cents, total_cents: supplies_cents + products_cents })
    }

    /// Unit cost (average over batches made) and margin at the current price.
    pub fn margins(&self) -> Result<Vec<MarginRow>> {
        self.margins_from(&self.lot_margins()?)
    }

    /// [`Store::margins`] with the lot figures already read (the dashboard
    /// shows both, and reading them is the costly part).
    pub fn margins_from(&self, lots: &[LotMarginRow]) -> Result<Vec<MarginRow>> {
        let mut stmt = self.conn().prepare(
            "SELECT p.sku, p.name, p.price_cents, SUM(b.cost_cents), SUM(b.output_qty)
             FROM products p LEFT JOIN batches b ON b.product_id = p.id WHERE p.archived = 0 GROUP BY p.id ORDER BY p.sku",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<i64>>(4)?,
            ))
        })?;
        // What was sold from lots, per product, from the lot figures.
        let mut sold: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
        for l in lots {
            let s = sold.entry(l.sku.clone()).or_default();
            s.0 += l.sold;
            s.1 += l.net_cents;
            s.2 += l.cost_cents;
        }
        let mut out = Vec::new();
        for row in rows {
            let (sku, name, price_cents, cost, qty) = row?;
            let (sold_units, sold_net_cents, sold_cost_cents) = sold.get(&sku).copied().unwrap_or_default();
            let unit_cost = match (cost, qty) {
                (Some(c), Some(q)) if q > 0 => Some(div_round(i128::from(c), i128::from(q)) as i64),
                _ => None,
            };
            let margin = unit_cost.map(|c| price_cents - c);
            out.push(MarginRow {
                sku,
                name,
                price_cents,
                unit_cost_cents: unit_cost,
                margin_cents: margin,
                margin_bp: margin.and_then(|m| bp(m, price_cents)),
                sold_units,
                sold_net_cents,
                sold_cost_cents,
            });
        }
        Ok(out)
    }

    /// Every product lot: what it cost to make (its supply lots, over what
    /// was made), what the units sold from it brought in before tax (each
    /// sale line's share by the units it took from the lot, less units
    /// refunded back into it), and the margin. Oldest lot first per product.
    pub fn lot_margins(&self) -> Result<Vec<LotMarginRow>> {
        let conn = self.conn();
        // (units out of the lot, line net, line units) for every part of a
        // sale or refund of a sale that stands.
        let mut stmt = conn.prepare(
            "SELECT m.lot_id, -m.qty, l.net_cents, l.qty FROM lot_moves m
             JOIN sales s ON s.id = m.ref_id JOIN sale_lines l ON l.sale_id = m.ref_id AND l.line_no = m.line
             WHERE m.reason IN ('sale', 'refund') AND s.voided = 0 AND l.qty > 0",
        )?;
        let mut by_lot: BTreeMap<String, (i64, i128)> = BTreeMap::new();
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?)))? {
            let (lot, units, net, line_qty) = row?;
            let e = by_lot.entry(lot).or_default();
            e.0 += units;
            // In millionths of a cent, rounded to cents once per lot.
            e.1 += div_round(i128::from(net) * i128::from(units) * 1_000_000, i128::from(line_qty));
        }
        let mut stmt = conn.prepare(
            "SELECT b.id, b.lot_code, p.sku, p.name, b.made_at_ms, b.output_qty, b.cost_cents
             FROM batches b JOIN products p ON p.id = b.product_id ORDER BY p.sku, b.made_at_ms, b.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, lot_code, sku, name, made_at_ms, made, cost) = row?;
            let (sold, net_micro) = by_lot.get(&id).copied().unwrap_or_default();
            let net_cents = div_round(net_micro, 1_000_000) as i64;
            let cost_cents = if made > 0 { div_round(i128::from(cost) * i128::from(sold), i128::from(made)) as i64 } else { 0 };
            out.push(LotMarginRow {
                lot_code,
                sku,
                name,
                made_at_ms,
                made,
                unit_cost_cents: if made > 0 { div_round(i128::from(cost), i128::from(made)) as i64 } else { 0 },
                sold,
                net_cents,
                cost_cents,
                margin_cents: net_cents - cost_cents,
                margin_bp: bp(net_cents - cost_cents, net_cents),
            });
        }
        Ok(out)
    }
}
