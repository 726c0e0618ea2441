//! Market events: a day at a booth with a cash float, closed with a count of
//! the drawer, summarised by a Z report.
use crate::error::{optional_text, text, CoreError, Result};
use crate::store::Store;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row};
use wildroot_model::op::*;
use wildroot_model::views::{EventView, PaymentTotal, UnitsSold, ZReport};
use wildroot_model::{EventId, Money};

const EVENT_COLUMNS: &str = "id, name, location, date, float_cents, closed_at_ms IS NULL, counted_cents";

fn event_from_row(r: &Row<'_>) -> rusqlite::Result<(String, EventView)> {
    Ok((
        r.get(0)?,
        EventView {
            // Set from column 0 by the caller; nil until then.
            id: EventId(uuid::Uuid::nil()),
            name: r.get(1)?,
            location: r.get(2)?,
            date: r.get(3)?,
            float_cents: r.get(4)?,
            open: r.get(5)?,
            counted_cents: r.get(6)?,
        },
    ))
}

fn parse_event(row: (String, EventView)) -> Result<EventView> {
    let (id, mut view) = row;
    view.id = id.parse().map_err(|_| CoreError::Corrupt(format!("event id '{id}'")))?;
    Ok(view)
}

/// The event this device has open, if any: its sales and refunds belong to it.
pub(crate) fn open_event(conn: &Connection) -> Result<Option<EventView>> {
    let row = conn
        .query_row(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE closed_at_ms IS NULL
                 AND opened_by = (SELECT id FROM local_device) ORDER BY opened_at_ms DESC LIMIT 1"
            ),
            [],
            event_from_row,
        )
        .optional()?;
    row.map(parse_event).transpose()
}

fn find(conn: &Connection, key: &str) -> Result<EventView> {
    let key = key.trim();
    let row = conn
        .query_row(
            &format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = ?1 OR name = ?1 ORDER BY opened_at_ms DESC LIMIT 1"),
            [key],
            event_from_row,
        )
        .optional()?;
    row.map(parse_event).transpose()?.ok_or_else(|| CoreError::NotFound {
        what: "event",
        key: key.to_string(),
        hint: "see the events with `wildroot event list`",
    })
}

impl Store {
    /// Opens a market event on this device with an opening cash float.
    pub fn open_event(&mut self, name: &str, location: Option<&str>, date: Option<NaiveDate>, float: Money) -> Result<EventView> {
        let name = text("event name", name, 120)?;
        let location = optional_text("location", location.unwrap_or(""), 200)?;
        if float.0 < 0 {
            return Err(CoreError::Invalid(format!("an opening float of {float} is negative: give the cash in the drawer, 0 or more")));
        }
        let id = self.write(|tx| {
            if let Some(open) = open_event(tx)? {
                return Err(CoreError::Invalid(format!(
                    "'{}' is still open on this device: close it first with `wildroot event close`",
                    open.name
                )));
            }
            let date = date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| {
                chrono::DateTime::from_timestamp_millis(tx.now_ms()).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
            });
            let event_id = EventId::new();
            tx.record(OpKind::EventOpened(EventOpened {
                event_id,
                name,
                location,
                date,
                float_cents: float.0,
                opened_at_ms: tx.now_ms(),
            }))?;
            Ok(event_id)
        })?;
        find(self.conn(), &id.to_string())
    }

    /// Closes this device's open event with the cash counted in the drawer.
    pub fn close_event(&mut self, counted: Money) -> Result<ZReport> {
        if counted.0 < 0 {
            return Err(CoreError::Invalid(format!("a counted amount of {counted} is negative: count the cash in the drawer")));
        }
        let id = self.write(|tx| {
            let open = open_event(tx)?
                .ok_or_else(|| CoreError::Invalid("no event is open on this device: open one with `wildroot event open NAME`".into()))?;
            tx.record(OpKind::EventClosed(EventClosed { event_id: open.id, counted_cents: counted.0, closed_at_ms: tx.now_ms() }))?;
            Ok(open.id)
        })?;
        self.z_report(&id.to_string())
    }

    pub fn current_event(&self) -> Result<Option<EventView>> {
        open_event(self.conn())
    }

    pub fn list_events(&self) -> Result<Vec<EventView>> {
        let mut stmt = self.conn().prepare(&format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY date DESC, opened_at_ms DESC"))?;
        let rows = stmt.query_map([], event_from_row)?;
        rows.map(|r| parse_event(r?)).collect()
    }

    /// The Z report of an event (by id or name): takings by payment method,
    /// expected against counted cash, units sold.
    pub fn z_report(&self, key: &str) -> Result<ZReport> {
        let conn = self.conn();
        let event = find(conn, key)?;
        let eid = event.id.to_string();
        let (sales_count, total_cents): (i64, i64) =
            conn.query_row("SELECT COUNT(*), COALESCE(SUM(total_cents), 0) FROM sales WHERE event_id = ?1 AND voided = 0", [&eid], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let mut payments = Vec::new();
        for method in [PayMethod::Cash, PayMethod::Card, PayMethod::Other] {
            let amount: i64 = conn.query_row(
                "SELECT COALESCE(SUM(p.amount_cents), 0) FROM sale_payments p JOIN sales s ON s.id = p.sale_id
                 WHERE s.event_id = ?1 AND s.voided = 0 AND p.method = ?2",
                (&eid, method.as_str()),
                |r| r.get(0),
            )?;
            let refunded: i64 = conn.query_row(
                "SELECT COALESCE(SUM(total_cents), 0) FROM refunds WHERE event_id = ?1 AND method = ?2",
                (&eid, method.as_str()),
                |r| r.get(0),
            )?;
            if amount != 0 || refunded != 0 || method == PayMethod::Cash {
                payments.push(PaymentTotal { method, amount_cents: amount, refunded_cents: refunded });
            }
        }
        let refunds_cents: i64 = payments.iter().map(|p| p.refunded_cents).sum();
        let cash = payments.iter().find(|p| p.method == PayMethod::Cash).map(|p| p.amount_cents - p.refunded_cents).unwrap_or(0);
        let expected_cash_cents = event.float_cents + cash;
        let mut stmt = conn.prepare(
            "SELECT p.sku, p.name, SUM(d.units) - SUM(d.refund_units), SUM(d.total_cents) - SUM(d.refund_cents)
             FROM sales_daily d JOIN products p ON p.id = d.product_id WHERE d.event_id = ?1
             GROUP BY p.id ORDER BY 3 DESC, p.sku",
        )?;
        let units = stmt
            .query_map([&eid], |r| Ok(UnitsSold { sku: r.get(0)?, name: r.get(1)?, units: r.get(2)?, total_cents: r.get(3)? }))?
            .collect::<rusqlite::Result<_>>()?;
        let counted = event.counted_cents;
        Ok(ZReport {
            event,
            sales_count,
            total_cents,
            refunds_cents,
            payments,
            expected_cash_cents,
            counted_cash_cents: counted,
            over_short_cents: counted.map(|c| c - expected_cash_cents),
            units,
        })
    }
}
