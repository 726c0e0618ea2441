//! The books check: the money and stock rules that must hold after any
//! sequence of operations, on any device, recomputed from the rows and
//! compared with every report that shows the same figure. `doctor` runs it;
//! the property test (`core/tests/books.rs`) runs it after every step of
//! random sequences, and the sync simulation on every device at the end.
//!
//! The rules (ARCHITECTURE.md, "Invariants"):
//! - every running total equals a recount of the rows it sums (`totals_check`);
//! - takings: payments taken less change given less refunds paid = net
//!   sales, in the report by day, by event, by product and by payment;
//! - the same figure from the drawers: every market day's takings by tender
//!   (Z reports) plus what was sold and refunded outside any market day;
//!   each Z report is the sum of its drawers, and its units add up to it;
//! - per sale line: units refunded ≤ units sold, and each money part
//!   refunded (total, tax) ≤ what was paid for it, as each device records
//!   it; two devices refunding one line offline can pass it (the money
//!   really went out twice): that is the `refunded_twice` alert;
//! - customers' lifetime spend adds up to the sales made to them.
use crate::error::Result;
use crate::oplog::totals_check;
use crate::report::GroupBy;
use crate::store::Store;
use rusqlite::{Connection, OptionalExtension};

/// Sale lines refunded for more units or money than they were sold for:
/// receipt, SKU, units sold, units refunded, line number, and from how
/// many devices the refunds came.
const OVER_REFUNDED: &str = "
    SELECT s.receipt_no, COALESCE(p.sku, l.description, ''), l.qty, r.q, l.line_no, r.devices FROM sale_lines l JOIN sales s ON s.id = l.sale_id
    LEFT JOIN products p ON p.id = l.product_id
    JOIN (SELECT f.sale_id, rl.line_no, SUM(rl.qty) q, SUM(rl.amount_cents) a, SUM(rl.tax_cents) t, COUNT(DISTINCT f.device) devices
          FROM refund_lines rl JOIN refunds f ON f.id = rl.refund_id GROUP BY f.sale_id, rl.line_no) r
      ON r.sale_id = l.sale_id AND r.line_no = l.line_no
    WHERE (r.q > l.qty OR r.a > l.total_cents OR r.t > l.tax_cents OR r.a < 0 OR r.t < 0)";

/// Lines refunded past what was sold by refunds from several devices
/// offline: (receipt, SKU, sold, refunded), for the `refunded_twice` alert.
pub(crate) fn over_refunded(conn: &Connection) -> Result<Vec<(String, String, i64, i64)>> {
    let mut stmt = conn.prepare(&format!("{OVER_REFUNDED} AND r.devices > 1 ORDER BY s.receipt_no, l.line_no"))?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// The first rule of the books that does not hold, in words, if any.
    pub fn books_check(&self) -> Result<Option<String>> {
        if let Some(problem) = totals_check(self.conn())? {
            return Ok(Some(problem));
        }
        let conn = self.conn();
        let one = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };

        // What customers paid for sales that stand, less what went back.
        let sold = one("SELECT COALESCE(SUM(total_cents), 0) FROM sales WHERE voided = 0")?;
        let refunded = one("SELECT COALESCE(SUM(total_cents), 0) FROM refunds")?;
        let net = sold - refunded;
        let paid = one("SELECT COALESCE(SUM(p.amount_cents), 0) FROM sale_payments p JOIN sales s ON s.id = p.sale_id WHERE s.voided = 0")?;
        if paid != sold {
            return Ok(Some(format!("payments of {paid} do not add up to the sales' totals of {sold}")));
        }
        let change = one(
            "SELECT COALESCE(SUM(p.tendered_cents - p.amount_cents), 0) - COALESCE((SELECT SUM(change_cents) FROM sales WHERE voided = 0), 0)
             FROM sale_payments p JOIN sales s ON s.id = p.sale_id WHERE s.voided = 0",
        )?;
        if change != 0 {
            return Ok(Some(format!("the change given differs by {change} from what was handed over less what was paid")));
        }
        // Online orders are reported by line (what matched a product, at its
        // price) and taken whole (with shipping, and lines held for an
        // unknown SKU): the reports by day, event and product are compared
        // without them, the report by payment with them.
        let online = wildroot_model::shopify::online_event().to_string();
        let online_lines: i64 =
            conn.query_row("SELECT COALESCE(SUM(total_cents - refund_cents), 0) FROM sales_daily WHERE event_id = ?1", [&online], |r| {
                r.get(0)
            })?;
        let online_net = one(&format!(
            "SELECT COALESCE((SELECT SUM(total_cents) FROM sales WHERE voided = 0 AND device = '{device}'), 0)
                  - COALESCE((SELECT SUM(f.total_cents) FROM refunds f JOIN sales s ON s.id = f.sale_id WHERE s.device = '{device}'), 0)",
            device = crate::apply::shopify::ONLINE
        ))?;
        for by in [GroupBy::Day, GroupBy::Event, GroupBy::Product, GroupBy::Payment] {
            let report = self.sales_report(by, None, None)?;
            let rows: i64 = report.rows.iter().map(|r| r.total_cents).sum();
            let (said, want) =
                if by == GroupBy::Payment { (report.total_cents, net) } else { (report.total_cents - online_lines, net - online_net) };
            if rows != report.total_cents || said != want {
                return Ok(Some(format!(
                    "the sales report by {by:?} says {} (rows {rows}) where sales less refunds are {net}",
                    report.total_cents
                )));
            }
        }

        // The same takings, drawer by drawer.
        let mut from_drawers = one(
            "SELECT COALESCE((SELECT SUM(total_cents) FROM sales WHERE voided = 0
                                AND (event_id IS NULL OR event_id NOT IN (SELECT id FROM events))), 0)
                  - COALESCE((SELECT SUM(total_cents) FROM refunds WHERE event_id IS NULL OR event_id NOT IN (SELECT id FROM events)), 0)",
        )?;
        // Shopify's own tender never enters a drawer.
        let online_in_events = one("SELECT COALESCE((SELECT SUM(p.amount_cents) FROM sale_payments p JOIN sales s ON s.id = p.sale_id
                               WHERE s.voided = 0 AND p.method = 'shopify' AND s.event_id IN (SELECT id FROM events)), 0)
                  - COALESCE((SELECT SUM(total_cents) FROM refunds WHERE method = 'shopify' AND event_id IN (SELECT id FROM events)), 0)")?;
        from_drawers += online_in_events;
        for event in self.list_events()? {
            let z = self.z_report(&event.id.to_string())?;
            let takings: i64 = z.payments.iter().map(|p| p.amount_cents - p.refunded_cents).sum();
            from_drawers += takings;
            let name = &z.event.name;
            let drawers_expected: i64 = z.drawers.iter().map(|d| d.expected_cash_cents).sum();
            let floats: i64 = z.drawers.iter().map(|d| d.float_cents).sum();
            if !z.drawers.is_empty() && drawers_expected != z.expected_cash_cents {
                return Ok(Some(format!("'{name}' expects {} in cash but its drawers {drawers_expected}", z.expected_cash_cents)));
            }
            let is_cash = |p: &&wildroot_model::views::PaymentTotal| p.method == wildroot_model::op::PayMethod::Cash && p.tender.is_none();
            let cash = z.payments.iter().filter(is_cash).map(|p| p.amount_cents - p.refunded_cents);
            let drawers_cash: i64 = z.drawers.iter().map(|d| d.net_cash_cents).sum();
            if !z.drawers.is_empty() && cash.sum::<i64>() != drawers_cash {
                return Ok(Some(format!("'{name}' took {drawers_cash} in cash by its drawers but not by its tenders")));
            }
            // Cash tips are in the drawer; change for a check went out of it.
            let cash_tips: i64 = z.payments.iter().filter(is_cash).map(|p| p.tips_cents).sum();
            let drawer_tips: i64 = z.drawers.iter().map(|d| d.cash_tips_cents).sum();
            let change_out: i64 = z.drawers.iter().map(|d| d.change_out_cents).sum();
            if !z.drawers.is_empty()
                && (cash_tips != drawer_tips || z.expected_cash_cents != floats + drawers_cash + cash_tips - change_out)
            {
                return Ok(Some(format!("'{name}' expects {} in cash, not its floats, takings and cash tips", z.expected_cash_cents)));
            }
            // Tips are never sales: the units sold add up to the takings without them.
            if z.tips_cents != z.payments.iter().map(|p| p.tips_cents).sum::<i64>() {
                return Ok(Some(format!(
                    "'{name}' lists tips of {} but its tenders {}",
                    z.tips_cents,
                    z.payments.iter().map(|p| p.tips_cents).sum::<i64>()
                )));
            }
            // Tax by place and rate adds up to the tax in its sales less refunds.
            let taxed: i64 = z.taxes.iter().map(|t| t.tax_cents).sum();
            let event_tax = one(&format!(
                "SELECT COALESCE((SELECT SUM(tax_cents) FROM sales WHERE voided = 0 AND event_id = '{id}'), 0)
                      - COALESCE((SELECT SUM(rl.tax_cents) FROM refund_lines rl JOIN refunds f ON f.id = rl.refund_id WHERE f.event_id = '{id}'), 0)",
                id = z.event.id
            ))?;
            if taxed != event_tax {
                return Ok(Some(format!("'{name}' shows {taxed} of tax by place and rate but its sales carry {event_tax}")));
            }
            let units: i64 = z.units.iter().map(|u| u.total_cents).sum();
            if units != takings {
                return Ok(Some(format!("'{name}' sold {units} by product but took {takings} by tender")));
            }
        }
        if from_drawers != net {
            return Ok(Some(format!("the drawers and sales outside market days took {from_drawers}, the sales say {net}")));
        }

        // No line gives back more than was paid for it, unless two devices
        // refunded it offline (then it is alerted: the money went out twice).
        let over: Option<String> = conn
            .query_row(&format!("{OVER_REFUNDED} AND r.devices = 1 LIMIT 1"), [], |r| {
                Ok(format!("{} line {}", r.get::<_, String>(0)?, r.get::<_, i64>(4)?))
            })
            .optional()?;
        if let Some(line) = over {
            return Ok(Some(format!("sale {line} was refunded more than was sold or paid")));
        }

        // Customers' lifetime spend.
        let spent: i64 = self.list_customers(None)?.iter().map(|c| c.lifetime_spend_cents).sum();
        let to_customers =
            one("SELECT COALESCE((SELECT SUM(total_cents) FROM sales WHERE voided = 0 AND customer_id IN (SELECT id FROM customers)), 0)
                  - COALESCE((SELECT SUM(f.total_cents) FROM refunds f JOIN sales s ON s.id = f.sale_id
                               WHERE s.voided = 0 AND s.customer_id IN (SELECT id FROM customers)), 0)")?;
        if spent != to_customers {
            return Ok(Some(format!("customers' lifetime spend adds up to {spent}, their sales to {to_customers}")));
        }
        Ok(None)
    }
}
