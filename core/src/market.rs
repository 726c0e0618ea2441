//! What a market day owes and what it earned: the settle statement a
//! market manager asks for, and each market's profit over a season.
//!
//! The rules, each computed once here and printed as computed:
//! - a statement's days, gross, refunds and tax are the event's rows of
//!   `sales_daily` (the running totals every sales report reads), so they
//!   equal the sales report by event;
//! - commission = round(base × rate): base is what customers paid with tax
//!   after refunds ("gross") or that less the tax ("net"), never below 0;
//! - the cost of goods is what left the lots for the event's sales and did
//!   not come back (each lot's units at its batch's cost, rounded once per
//!   lot), and units no lot covers at the product's average batch cost;
//! - profit = net sales − refunds − commission − fee − costs − goods.
use crate::error::Result;
use crate::store::Store;
use rusqlite::Connection;
use std::collections::HashMap;
use wildroot_model::money::div_round;
use wildroot_model::views::{EventView, MarketResult, MarketsReport, SettleDay, SettleStatement};
use wildroot_model::Money;

/// The event's days from the running totals: (day, gross, refunds, tax).
fn days(conn: &Connection, event: &str) -> Result<Vec<SettleDay>> {
    let mut stmt = conn.prepare_cached(
        "SELECT day, SUM(total_cents), SUM(refund_cents), SUM(tax_cents) - SUM(refund_tax_cents)
         FROM sales_daily WHERE event_id = ?1 GROUP BY day ORDER BY day",
    )?;
    let rows = stmt.query_map([event], |r| {
        let (day, gross, refunds, tax): (String, i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        Ok(SettleDay { day, gross_cents: gross, refunds_cents: refunds, tax_cents: tax, net_cents: gross - refunds - tax })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What the market takes by its rule, of the figures the statement prints.
pub fn commission(event: &EventView, gross_cents: i64, refunds_cents: i64, tax_cents: i64) -> (i64, i64) {
    let on = if event.commission_base == "net" { gross_cents - refunds_cents - tax_cents } else { gross_cents - refunds_cents }.max(0);
    (on, Money(on).percent_bp(event.commission_bp).0)
}

pub(crate) fn statement(conn: &Connection, event: EventView) -> Result<SettleStatement> {
    let days = days(conn, &event.id.to_string())?;
    let gross: i64 = days.iter().map(|d| d.gross_cents).sum();
    let refunds: i64 = days.iter().map(|d| d.refunds_cents).sum();
    let tax: i64 = days.iter().map(|d| d.tax_cents).sum();
    let (on, commission_cents) = commission(&event, gross, refunds, tax);
    Ok(SettleStatement {
        commission_base: event.commission_base.clone(),
        commission_bp: event.commission_bp,
        fee_cents: event.fee_cents,
        owed_cents: commission_cents + event.fee_cents,
        days,
        gross_cents: gross,
        refunds_cents: refunds,
        tax_cents: tax,
        net_cents: gross - refunds - tax,
        commission_on_cents: on,
        commission_cents,
        event,
    })
}

/// What the goods sold at `event` cost: (cents, units costed at their product's average).
fn goods(conn: &Connection, event: &str, averages: &HashMap<String, (i64, i64)>) -> Result<(i64, i64)> {
    // Units that left each lot for the event's sales and did not come back.
    let mut stmt = conn.prepare_cached(
        "SELECT m.lot_id, m.item_id, -SUM(m.qty), b.cost_cents, b.output_qty
         FROM lot_moves m JOIN sales s ON s.id = m.ref_id JOIN batches b ON b.id = m.lot_id
         WHERE s.event_id = ?1 AND m.reason IN ('sale', 'refund', 'void')
         GROUP BY m.lot_id",
    )?;
    let mut from_lots: HashMap<String, i64> = HashMap::new();
    let mut cents = 0i64;
    for row in stmt.query_map([event], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?)))? {
        let (product, units, cost, made) = row?;
        *from_lots.entry(product).or_default() += units;
        // The one costing rule (`bounds::consumed_cost`), once per lot.
        cents += wildroot_model::bounds::consumed_cost(cost, made, units);
    }
    // Units out per product: sold (not voided: the running totals) less
    // those refunded back onto the shelf. Sale lines have no index by event
    // (it slowed every sale), so the units sold come from `sales_daily`.
    let mut stmt = conn.prepare_cached(
        "SELECT p, SUM(u) FROM (
             SELECT product_id p, units u FROM sales_daily WHERE event_id = ?1 AND product_id != ''
             UNION ALL
             SELECT rl.product_id, -rl.qty FROM refund_lines rl JOIN refunds f ON f.id = rl.refund_id JOIN sales s ON s.id = f.sale_id
             WHERE s.event_id = ?1 AND f.restock = 1 AND rl.product_id != '')
         GROUP BY p",
    )?;
    let mut at_average = 0i64;
    for row in stmt.query_map([event], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
        let (product, out) = row?;
        let uncovered = (out - from_lots.get(&product).copied().unwrap_or(0)).max(0);
        if uncovered > 0 {
            at_average += uncovered;
            if let Some((cost, made)) = averages.get(&product).filter(|(_, made)| *made > 0) {
                cents += div_round(i128::from(uncovered) * i128::from(*cost), i128::from(*made)) as i64;
            }
        }
    }
    Ok((cents, at_average))
}

impl Store {
    /// The settle statement of an event (by name or id).
    pub fn settle_event(&self, key: &str) -> Result<SettleStatement> {
        let event = self.event(key)?;
        statement(self.conn(), event)
    }

    /// Every market of a season (`YYYY`, by the event's date) or of all time,
    /// oldest first, with what each really earned.
    pub fn market_results(&self, season: Option<i32>) -> Result<MarketsReport> {
        let conn = self.conn();
        // Each product's average batch cost: (cost of every batch, units made).
        let mut averages: HashMap<String, (i64, i64)> = HashMap::new();
        let mut stmt = conn.prepare_cached("SELECT product_id, SUM(cost_cents), SUM(output_qty) FROM batches GROUP BY product_id")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))? {
            let (p, cost, made) = row?;
            averages.insert(p, (cost, made));
        }
        let mut costs: HashMap<String, i64> = HashMap::new();
        let mut stmt = conn.prepare_cached("SELECT event_id, SUM(amount_cents) FROM event_costs GROUP BY event_id")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (e, c) = row?;
            costs.insert(e, c);
        }
        let mut events: Vec<EventView> = self
            .list_events()?
            .into_iter()
            .filter(|e| season.is_none_or(|y| e.date.get(..4) == Some(format!("{y:04}").as_str())))
            .collect();
        events.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.name.cmp(&b.name)));
        let mut markets = Vec::with_capacity(events.len());
        for event in events {
            let id = event.id.to_string();
            let s = statement(conn, event)?;
            let (goods_cents, units_at_average) = goods(conn, &id, &averages)?;
            let refund_tax: i64 =
                conn.query_row("SELECT COALESCE(SUM(refund_tax_cents), 0) FROM sales_daily WHERE event_id = ?1", [&id], |r| r.get(0))?;
            let refunds_cents = s.refunds_cents - refund_tax;
            let net_sales_cents = s.net_cents + refunds_cents;
            let costs_cents = costs.get(&id).copied().unwrap_or(0);
            let profit_cents = net_sales_cents - refunds_cents - s.commission_cents - s.fee_cents - costs_cents - goods_cents;
            let minutes_worked = s.event.minutes_worked.filter(|m| *m > 0);
            markets.push(MarketResult {
                net_sales_cents,
                refunds_cents,
                commission_cents: s.commission_cents,
                fee_cents: s.fee_cents,
                costs_cents,
                goods_cents,
                units_at_average,
                profit_cents,
                minutes_worked,
                profit_per_hour_cents: minutes_worked.map(|m| div_round(i128::from(profit_cents) * 60, i128::from(m)) as i64),
                event: s.event,
            });
        }
        Ok(MarketsReport {
            season,
            net_sales_cents: markets.iter().map(|m| m.net_sales_cents - m.refunds_cents).sum(),
            profit_cents: markets.iter().map(|m| m.profit_cents).sum(),
            markets,
        })
    }
}
