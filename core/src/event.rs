//! Market events: a day at a booth with a cash float, closed with a count of
//! the drawer, summarised by a Z report.
use crate::error::{optional_text, text, CoreError, Result};
use crate::product;
use crate::store::Store;
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row};
use wildroot_model::op::*;
use wildroot_model::views::{
    AllotmentLine, AllotmentView, DrawerZ, EventView, KnownDevice, PaymentTotal, UnitsSold, WithdrawnPayment, ZReport,
};
use wildroot_model::{bounds, DeviceId, EventId, Money};

/// How far from today a planned event's day may be: further is a typo.
const PLAN_DAYS_BACK: i64 = 366;
const PLAN_DAYS_AHEAD: i64 = 2 * 366;

/// An event is open while any device's drawer at it is, or, planned and
/// not yet joined, until a booth opens one (for one device, simply until
/// it closes).
const EVENT_COLUMNS: &str = "id, name, location, date, float_cents,
    EXISTS (SELECT 1 FROM event_drawers d WHERE d.event_id = events.id AND d.closed_at_ms IS NULL)
        OR (closed_at_ms IS NULL AND NOT EXISTS (SELECT 1 FROM event_drawers d WHERE d.event_id = events.id)),
    counted_cents, tax_place, fee_cents, commission_bp, commission_base, minutes_worked";

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
            place: r
                .get::<_, Option<String>>(7)?
                .and_then(|v| serde_json::from_str::<wildroot_model::tax::TaxPlace>(&v).ok())
                .map(|p| p.name),
            fee_cents: r.get(8)?,
            commission_bp: r.get(9)?,
            commission_base: r.get(10)?,
            minutes_worked: r.get(11)?,
        },
    ))
}

fn parse_event(row: (String, EventView)) -> Result<EventView> {
    let (id, mut view) = row;
    view.id = id.parse().map_err(|_| CoreError::Corrupt(format!("event id '{id}'")))?;
    Ok(view)
}

/// The event this device has a drawer open at, if any (it opened or joined
/// it): its sales and refunds belong to it. The float and count are this
/// device's drawer's.
pub(crate) fn open_event(conn: &Connection) -> Result<Option<EventView>> {
    let row = conn
        .query_row(
            "SELECT e.id, e.name, e.location, e.date, d.float_cents, d.closed_at_ms IS NULL, d.counted_cents,
                    e.tax_place, e.fee_cents, e.commission_bp, e.commission_base, e.minutes_worked
             FROM event_drawers d JOIN events e ON e.id = d.event_id
             WHERE d.device = (SELECT id FROM local_device) AND d.closed_at_ms IS NULL
             ORDER BY d.opened_at_ms DESC LIMIT 1",
            [],
            event_from_row,
        )
        .optional()?;
    row.map(parse_event).transpose()
}

/// A device by id, a unique start of one seen in the log (8 characters or
/// more), or `this`.
fn find_device(conn: &Connection, this: DeviceId, key: &str) -> Result<DeviceId> {
    let key = key.trim();
    if key.eq_ignore_ascii_case("this") {
        return Ok(this);
    }
    if let Ok(id) = key.parse::<DeviceId>() {
        return Ok(id);
    }
    let hint = "give the device's id, as its settings or the devices list show it";
    if key.len() < 8 {
        return Err(CoreError::NotFound { what: "device", key: key.to_string(), hint });
    }
    let mut stmt = conn.prepare("SELECT DISTINCT device FROM ops WHERE device LIKE ?1 || '%' LIMIT 2")?;
    let found: Vec<String> = stmt.query_map([key.to_ascii_lowercase()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    match found.as_slice() {
        [one] => one.parse().map_err(|_| CoreError::Corrupt(format!("device id '{one}'"))),
        [] => Err(CoreError::NotFound { what: "device", key: key.to_string(), hint }),
        _ => Err(CoreError::Invalid(format!("more than one device starts with {key}: give more of its id"))),
    }
}

/// Each device's allotment at an event and what it sold there, by device then SKU.
fn allotment_lines(conn: &Connection, event: &str, device: Option<&str>) -> Result<Vec<AllotmentLine>> {
    let mut stmt = conn.prepare(
        "SELECT a.device, p.sku, p.name, a.qty,
                COALESCE((SELECT SUM(l.qty) FROM sale_lines l JOIN sales s ON s.id = l.sale_id
                          WHERE s.event_id = a.event_id AND s.device = a.device AND l.product_id = a.product_id AND l.voided = 0), 0)
              - COALESCE((SELECT SUM(rl.qty) FROM refund_lines rl JOIN refunds r ON r.id = rl.refund_id JOIN sales s ON s.id = r.sale_id
                          WHERE r.event_id = a.event_id AND s.device = a.device AND rl.product_id = a.product_id AND r.restock = 1), 0)
         FROM allotments a JOIN products p ON p.id = a.product_id
         WHERE a.event_id = ?1 AND (?2 IS NULL OR a.device = ?2) AND a.qty > 0
         ORDER BY a.device, p.sku",
    )?;
    let rows = stmt.query_map((event, device), |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (device, sku, name, allotted, sold) = row?;
        let device = device.parse().map_err(|_| CoreError::Corrupt(format!("device id '{device}'")))?;
        out.push(AllotmentLine { device, sku, name, allotted, sold, left: allotted - sold });
    }
    Ok(out)
}

/// SKUs of `wanted` (product, units) that take this device past its
/// allotment at `event`; none when it was allotted nothing there.
pub(crate) fn over_allotment(conn: &Connection, event: EventId, wanted: &[(String, i64)]) -> Result<Vec<String>> {
    let device: String = conn.query_row("SELECT id FROM local_device", [], |r| r.get(0))?;
    let lines = allotment_lines(conn, &event.to_string(), Some(&device))?;
    if lines.is_empty() {
        return Ok(Vec::new());
    }
    let mut over = Vec::new();
    for (sku, qty) in wanted {
        let left = lines.iter().find(|l| &l.sku == sku).map(|l| l.left).unwrap_or(0);
        if *qty > left {
            over.push(sku.clone());
        }
    }
    over.sort();
    Ok(over)
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
        hint: "check the name in the events list",
    })
}

impl Store {
    /// Opens a market event on this device with an opening cash float.
    pub fn open_event(&mut self, name: &str, location: Option<&str>, date: Option<NaiveDate>, float: Money) -> Result<EventView> {
        self.open_event_with(name, location, date, float, EventTerms::default())
    }

    /// Opens a market event with its terms: the place whose tax its sales
    /// follow, the booth fee, the commission.
    pub fn open_event_with(
        &mut self,
        name: &str,
        location: Option<&str>,
        date: Option<NaiveDate>,
        float: Money,
        terms: EventTerms,
    ) -> Result<EventView> {
        let name = text("event name", name, 120)?;
        let location = optional_text("location", location.unwrap_or(""), 200)?;
        if float.0 < 0 {
            return Err(CoreError::Invalid(format!("an opening float of {float} is negative: give the cash in the drawer, 0 or more")));
        }
        let id = self.write(|tx| {
            if let Some(open) = open_event(tx)? {
                return crate::error::needs(
                    crate::error::Fix::CloseEvent,
                    format!("'{}' is still open on this device: close it first", open.name),
                );
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
                planned: false,
                terms,
            }))?;
            Ok(event_id)
        })?;
        find(self.conn(), &id.to_string())
    }

    /// Plans an event ahead, so stock can be allotted to the booth devices
    /// before they open their drawers there (`join_event`). This device
    /// opens no drawer at it.
    pub fn plan_event(&mut self, name: &str, location: Option<&str>, date: NaiveDate) -> Result<EventView> {
        self.plan_event_with(name, location, date, EventTerms::default())
    }

    /// Plans an event with its terms (place, fee, commission).
    pub fn plan_event_with(&mut self, name: &str, location: Option<&str>, date: NaiveDate, terms: EventTerms) -> Result<EventView> {
        let name = text("event name", name, 120)?;
        let today = chrono::DateTime::from_timestamp_millis(self.now_ms()).map(|d| d.date_naive()).unwrap_or_default();
        let days = (date - today).num_days();
        if !(-PLAN_DAYS_BACK..=PLAN_DAYS_AHEAD).contains(&days) {
            return Err(CoreError::Invalid(format!(
                "{date} is not a market day to plan from {today}: give a day within a year before and two years after today"
            )));
        }
        let location = optional_text("location", location.unwrap_or(""), 200)?;
        let id = self.write(|tx| {
            let event_id = EventId::new();
            tx.record(OpKind::EventOpened(EventOpened {
                event_id,
                name,
                location,
                date: date.format("%Y-%m-%d").to_string(),
                float_cents: 0,
                opened_at_ms: tx.now_ms(),
                planned: true,
                terms,
            }))?;
            Ok(event_id)
        })?;
        find(self.conn(), &id.to_string())
    }

    /// An event by name or id.
    pub fn event(&self, key: &str) -> Result<EventView> {
        find(self.conn(), key)
    }

    /// Changes an event's terms: its place, fee, commission or hours
    /// worked. Its past sales keep the tax they were rung up with.
    pub fn edit_event(&mut self, key: &str, terms: EventTerms) -> Result<EventView> {
        if terms.is_empty() {
            return Err(CoreError::Invalid("nothing to change: give a place, fee, commission or hours".into()));
        }
        let id = self.write(|tx| {
            let event = find(tx, key)?;
            tx.record(OpKind::EventEdited(EventEdited { event_id: event.id, terms }))?;
            Ok(event.id)
        })?;
        find(self.conn(), &id.to_string())
    }

    /// Records a cost of a market day besides its fee and commission.
    pub fn add_event_cost(&mut self, key: &str, amount: Money, note: &str) -> Result<EventView> {
        let note = text("note", note, 200)?;
        if amount.0 <= 0 {
            return Err(CoreError::Invalid(format!("a cost of {amount} is not one: give what was spent, above 0")));
        }
        bounds::cents("a market day's cost", amount.0).map_err(CoreError::Invalid)?;
        let id = self.write(|tx| {
            let event = find(tx, key)?;
            tx.record(OpKind::EventCostAdded(EventCostAdded { event_id: event.id, amount_cents: amount.0, note, at_ms: tx.now_ms() }))?;
            Ok(event.id)
        })?;
        find(self.conn(), &id.to_string())
    }

    /// Opens this device's cash drawer at an event another device opened
    /// or planned: its sales belong to the event and the event's Z report
    /// has a line for its drawer.
    pub fn join_event(&mut self, key: &str, float: Money) -> Result<EventView> {
        if float.0 < 0 {
            return Err(CoreError::Invalid(format!("an opening float of {float} is negative: give the cash in the drawer, 0 or more")));
        }
        self.write(|tx| {
            if let Some(open) = open_event(tx)? {
                return crate::error::needs(
                    crate::error::Fix::CloseEvent,
                    format!("'{}' is still open on this device: close it first", open.name),
                );
            }
            let event = find(tx, key)?;
            let been: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM event_drawers WHERE event_id = ?1 AND device = (SELECT id FROM local_device))",
                [event.id.to_string()],
                |r| r.get(0),
            )?;
            if been {
                return Err(CoreError::Invalid(format!(
                    "this device already had its drawer at '{}': open a new event instead",
                    event.name
                )));
            }
            tx.record(OpKind::EventJoined(EventJoined { event_id: event.id, float_cents: float.0, joined_at_ms: tx.now_ms() }))?;
            Ok(())
        })?;
        open_event(self.conn())?.ok_or_else(|| CoreError::Corrupt("the joined event is not open".into()))
    }

    /// Allots stock of products (SKU, units; 0 takes an allotment away) to
    /// a device for an event: what that booth may sell there while offline.
    pub fn allot(&mut self, event_key: &str, device_key: &str, lines: &[(String, i64)]) -> Result<Vec<AllotmentLine>> {
        if lines.is_empty() {
            return crate::error::needs(crate::error::Fix::GiveLines, "give at least one product and quantity to allot");
        }
        let this = self.device();
        let (event, device) = self.write(|tx| {
            let event = find(tx, event_key)?;
            let device = find_device(tx, this, device_key)?;
            for (sku, qty) in lines {
                if *qty < 0 {
                    return Err(CoreError::Invalid(format!("{sku}={qty} is not an allotment: give 0 or more units")));
                }
                let p = product::find(tx, sku)?;
                tx.record(OpKind::StockAllotted(StockAllotted { event_id: event.id, device, product_id: p.id, qty: *qty }))?;
            }
            Ok((event, device))
        })?;
        allotment_lines(self.conn(), &event.id.to_string(), Some(&device.to_string()))
    }

    /// Every device whose operations this one holds (this one first), with
    /// its sales and receipt prefix so a person can tell the booths apart;
    /// the server's own Shopify and Mail devices are left out.
    pub fn known_devices(&self) -> Result<Vec<KnownDevice>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT o.device,
                    (SELECT COUNT(*) FROM sales s WHERE s.device = o.device),
                    (SELECT receipt_no FROM sales s WHERE s.device = o.device ORDER BY s.at_ms DESC LIMIT 1)
             FROM (SELECT DISTINCT device FROM ops WHERE kind NOT IN ('shopify_order_seen', 'receipt_email_outcome')) o",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, Option<String>>(2)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, sales, receipt) = row?;
            let id: DeviceId = id.parse().map_err(|_| CoreError::Corrupt(format!("device id '{id}'")))?;
            let receipt_prefix = receipt.and_then(|r| r.rsplit_once('-').map(|(p, _)| p.to_string()));
            out.push(KnownDevice { id, this_device: id == self.device(), sales, receipt_prefix });
        }
        if !out.iter().any(|d| d.this_device) {
            out.push(KnownDevice { id: self.device(), this_device: true, sales: 0, receipt_prefix: None });
        }
        out.sort_by_key(|d| (!d.this_device, std::cmp::Reverse(d.sales), d.id.to_string()));
        Ok(out)
    }

    /// What this device was allotted for the event it has open, and what is left of it.
    pub fn allotment(&self) -> Result<Option<AllotmentView>> {
        let Some(event) = open_event(self.conn())? else { return Ok(None) };
        let lines = allotment_lines(self.conn(), &event.id.to_string(), Some(&self.device().to_string()))?;
        Ok(Some(AllotmentView { event, lines }))
    }

    /// Closes this device's open event with the cash counted in the drawer.
    pub fn close_event(&mut self, counted: Money) -> Result<ZReport> {
        if counted.0 < 0 {
            return Err(CoreError::Invalid(format!("a counted amount of {counted} is negative: count the cash in the drawer")));
        }
        let id = self.write(|tx| {
            let open = open_event(tx)?.ok_or_else(|| CoreError::Needs {
                message: "no event is open on this device: open one first".into(),
                fix: crate::error::Fix::OpenEvent,
            })?;
            tx.record(OpKind::EventClosed(EventClosed { event_id: open.id, counted_cents: counted.0, closed_at_ms: tx.now_ms() }))?;
            Ok(open.id)
        })?;
        self.z_report(&id.to_string())
    }

    pub fn current_event(&self) -> Result<Option<EventView>> {
        open_event(self.conn())
    }

    pub fn list_events(&self) -> Result<Vec<EventView>> {
        let mut stmt = self
            .conn()
            .prepare(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE opened_by != '' ORDER BY date DESC, opened_at_ms DESC"))?;
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
        // Every tender taken at the event (cash always), with its refunds and tips.
        let in_drawer: Vec<String> =
            crate::tender::tenders(conn)?.into_iter().filter(|t| t.in_drawer).map(|t| t.name.to_lowercase()).collect();
        let mut stmt = conn.prepare_cached(
            "SELECT k, SUM(a), SUM(r), SUM(t) FROM (
                 SELECT COALESCE(p.tender, p.method) k, p.amount_cents a, 0 r, 0 t
                 FROM sale_payments p JOIN sales s ON s.id = p.sale_id WHERE s.event_id = ?1 AND s.voided = 0
                 UNION ALL SELECT COALESCE(tender, method), 0, total_cents, 0 FROM refunds WHERE event_id = ?1
                 UNION ALL SELECT tip_method, 0, 0, tip_cents FROM sales WHERE event_id = ?1 AND voided = 0 AND tip_cents > 0
                 UNION ALL SELECT 'cash', 0, 0, 0)
             GROUP BY k",
        )?;
        let mut payments = stmt
            .query_map([&eid], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?)))?
            .map(|row| {
                let (key, amount, refunded, tips) = row?;
                let method = PayMethod::parse(&key);
                Ok(PaymentTotal {
                    method: method.unwrap_or(PayMethod::Other),
                    tender: method.is_none().then(|| key.clone()),
                    amount_cents: amount,
                    refunded_cents: refunded,
                    tips_cents: tips,
                    in_drawer: method == Some(PayMethod::Cash) || in_drawer.contains(&key.to_lowercase()),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // Cash, card, other, then the shop's tenders by name.
        let rank = |p: &PaymentTotal| match (p.method, &p.tender) {
            (_, Some(_)) => 3,
            (PayMethod::Cash, None) => 0,
            (PayMethod::Card, None) => 1,
            _ => 2,
        };
        payments.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.name().cmp(b.name())));
        let refunds_cents: i64 = payments.iter().map(|p| p.refunded_cents).sum();
        let tips_cents: i64 = payments.iter().map(|p| p.tips_cents).sum();
        let drawers = self.drawers(&eid)?;
        let expected_cash_cents = drawers.iter().map(|d| d.expected_cash_cents).sum::<i64>();
        let mut stmt = conn.prepare(
            // Custom-amount items (no product) are one row, "Custom items".
            "SELECT COALESCE(p.sku, ''), COALESCE(p.name, 'Custom items'), SUM(d.units) - SUM(d.refund_units),
                    SUM(d.total_cents) - SUM(d.refund_cents)
             FROM sales_daily d LEFT JOIN products p ON p.id = d.product_id WHERE d.event_id = ?1
             GROUP BY d.product_id ORDER BY 3 DESC, 1",
        )?;
        let units = stmt
            .query_map([&eid], |r| Ok(UnitsSold { sku: r.get(0)?, name: r.get(1)?, units: r.get(2)?, total_cents: r.get(3)? }))?
            .collect::<rusqlite::Result<_>>()?;
        // The event's count is every drawer's, once every drawer is counted.
        let counted = if !drawers.is_empty() && drawers.iter().all(|d| d.counted_cash_cents.is_some()) {
            Some(drawers.iter().filter_map(|d| d.counted_cash_cents).sum())
        } else {
            None
        };
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
            drawers,
            allotments: allotment_lines(conn, &eid, None)?,
            withdrawn: withdrawn(conn, &eid)?,
            tips_cents,
            taxes: crate::tax::tax_rows(conn, "s.event_id = ?1", "f.event_id = ?1", &[&eid])?,
        })
    }

    /// Each device's drawer at an event: float, takings, cash expected and counted.
    fn drawers(&self, event: &str) -> Result<Vec<DrawerZ>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT d.device, d.closed_at_ms IS NULL, d.float_cents, d.counted_cents,
                    (SELECT COUNT(*) FROM sales s WHERE s.event_id = d.event_id AND s.device = d.device AND s.voided = 0),
                    (SELECT COALESCE(SUM(s.total_cents), 0) FROM sales s WHERE s.event_id = d.event_id AND s.device = d.device AND s.voided = 0),
                    (SELECT COALESCE(SUM(p.amount_cents), 0) FROM sale_payments p JOIN sales s ON s.id = p.sale_id
                     WHERE s.event_id = d.event_id AND s.device = d.device AND s.voided = 0 AND p.method = 'cash'),
                    (SELECT COALESCE(SUM(r.total_cents), 0) FROM refunds r
                     WHERE r.event_id = d.event_id AND r.device = d.device AND r.method = 'cash'),
                    (SELECT COALESCE(SUM(s.tip_cents), 0) FROM sales s
                     WHERE s.event_id = d.event_id AND s.device = d.device AND s.voided = 0 AND s.tip_method = 'cash'),
                    (SELECT COALESCE(SUM(p.tendered_cents - p.amount_cents), 0) FROM sale_payments p JOIN sales s ON s.id = p.sale_id
                     WHERE s.event_id = d.event_id AND s.device = d.device AND s.voided = 0 AND p.method != 'cash')
             FROM event_drawers d WHERE d.event_id = ?1 ORDER BY d.opened_at_ms, d.device",
        )?;
        let rows = stmt.query_map([event], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, i64>(8)?,
                r.get::<_, i64>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (device, open, float_cents, counted, sales_count, total_cents, cash_in, cash_out, cash_tips, change_out) = row?;
            let device: DeviceId = device.parse().map_err(|_| CoreError::Corrupt(format!("device id '{device}'")))?;
            let expected = float_cents + cash_in - cash_out + cash_tips - change_out;
            out.push(DrawerZ {
                device,
                this_device: device == self.device(),
                open,
                float_cents,
                sales_count,
                total_cents,
                net_cash_cents: cash_in - cash_out,
                cash_tips_cents: cash_tips,
                change_out_cents: change_out,
                expected_cash_cents: expected,
                counted_cash_cents: counted,
                over_short_cents: counted.map(|c| c - expected),
            });
        }
        Ok(out)
    }
}

/// Payments taken off unfinished sales at an event, oldest first.
fn withdrawn(conn: &rusqlite::Connection, event: &str) -> Result<Vec<WithdrawnPayment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at_ms, device, method, amount_cents, charged FROM withdrawn_payments WHERE event_id = ?1 ORDER BY at_ms, op_id",
    )?;
    let rows = stmt.query_map([event], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?, r.get::<_, bool>(4)?))
    })?;
    rows.map(|row| {
        let (at_ms, device, method, amount_cents, charged) = row?;
        Ok(WithdrawnPayment {
            at_ms,
            device: device.parse().map_err(|_| CoreError::Corrupt(format!("device id '{device}'")))?,
            method: PayMethod::parse(&method).ok_or_else(|| CoreError::Corrupt(format!("payment method '{method}'")))?,
            amount_cents,
            charged,
        })
    })
    .collect()
}
