//! Alerts: what needs the owner's attention now.
use crate::error::Result;
use crate::store::Store;
use chrono::{Days, NaiveDate};
use wildroot_model::views::{Alert, AlertKind};
use wildroot_model::Quantity;

/// Batches expiring within this many days raise an `expiring` alert.
pub const EXPIRY_WARNING_DAYS: u64 = 30;

impl Store {
    /// Every alert, most urgent kinds first: oversold, low stock, reorder, expiring.
    /// The stock rules are `ProductView::is_low` and `SupplyView::needs_reorder`,
    /// here as SQL so only the rows that alert are read.
    pub fn alerts(&self) -> Result<Vec<Alert>> {
        let conn = self.conn();
        let mut out = Vec::new();
        let mut stmt = conn.prepare(
            "SELECT sku, name, low_stock_at, on_hand FROM (
                 SELECT p.sku, p.name, p.low_stock_at,
                        COALESCE((SELECT on_hand FROM stock_levels sl WHERE sl.item_id = p.id), 0) AS on_hand
                 FROM products p WHERE p.archived = 0)
             WHERE on_hand < 0 OR (low_stock_at > 0 AND on_hand <= low_stock_at) ORDER BY on_hand, sku",
        )?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?)))?;
        for row in rows {
            let (sku, name, threshold, on_hand) = row?;
            out.push(if on_hand < 0 {
                Alert {
                    kind: AlertKind::Oversold,
                    item: sku,
                    message: format!("{name} is oversold: {on_hand} on hand; count the shelf or make a batch"),
                    on_hand: Some(on_hand),
                    threshold: None,
                }
            } else {
                Alert {
                    kind: AlertKind::LowStock,
                    item: sku,
                    message: format!("{name} is low: {on_hand} left (alert at {threshold})"),
                    on_hand: Some(on_hand),
                    threshold: Some(threshold),
                }
            });
        }
        let mut stmt = conn.prepare(
            "SELECT name, unit, reorder_at, on_hand FROM (
                 SELECT s.name, s.unit, s.reorder_at,
                        COALESCE((SELECT on_hand FROM stock_levels sl WHERE sl.item_id = s.id), 0) AS on_hand
                 FROM supplies s WHERE s.archived = 0)
             WHERE on_hand < 0 OR (reorder_at > 0 AND on_hand <= reorder_at) ORDER BY name",
        )?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?)))?;
        for row in rows {
            let (name, unit, reorder_at, on_hand) = row?;
            let unit = unit.parse()?;
            let (kind, message) = if on_hand < 0 {
                (
                    AlertKind::Oversold,
                    format!("{name} is below zero ({}): receive a purchase or adjust the count", Quantity(on_hand).display(unit)),
                )
            } else {
                (
                    AlertKind::Reorder,
                    format!("reorder {name}: {} left (reorder at {})", Quantity(on_hand).display(unit), Quantity(reorder_at).display(unit)),
                )
            };
            out.push(Alert { kind, item: name, message, on_hand: Some(on_hand), threshold: Some(reorder_at) });
        }
        let today = chrono::DateTime::from_timestamp_millis(self.now_ms()).map(|d| d.date_naive()).unwrap_or_default();
        let horizon = today.checked_add_days(Days::new(EXPIRY_WARNING_DAYS)).unwrap_or(today);
        // A lot matters while it has units of its own: a used-up lot is
        // history, whatever else of the product is on the shelf.
        let mut stmt = conn.prepare(
            "SELECT b.lot_code, p.name, b.expires_on, l.on_hand FROM batches b JOIN products p ON p.id = b.product_id
             JOIN lot_levels l ON l.lot_id = b.id
             WHERE p.archived = 0 AND b.expires_on IS NOT NULL AND b.expires_on <= ?1 AND l.on_hand > 0
             ORDER BY b.expires_on, b.lot_code",
        )?;
        let rows = stmt.query_map([horizon.format("%Y-%m-%d").to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
        })?;
        for row in rows {
            let (lot, name, expires, on_hand) = row?;
            let days = NaiveDate::parse_from_str(&expires, "%Y-%m-%d").map(|d| (d - today).num_days()).unwrap_or(0);
            let message = if days < 0 {
                format!("lot {lot} of {name} expired on {expires}")
            } else {
                format!("lot {lot} of {name} expires on {expires} (in {days} days)")
            };
            out.push(Alert { kind: AlertKind::Expiring, item: lot, message, on_hand: Some(on_hand), threshold: None });
        }
        for lot in self.negative_lots()? {
            out.push(Alert {
                kind: AlertKind::LotNegative,
                message: format!(
                    "lot {} of {} is below zero ({}): more was sold from it than it held, on devices that could not see each other; count it and adjust",
                    lot.lot_code,
                    lot.item,
                    Quantity(lot.on_hand).display(lot.unit)
                ),
                item: lot.lot_code,
                on_hand: Some(lot.on_hand),
                threshold: None,
            });
        }
        for (receipt, sku, sold, refunded) in crate::books::over_refunded(conn)? {
            out.push(Alert {
                kind: AlertKind::RefundedTwice,
                message: format!(
                    "sale {receipt}: {refunded} of {sku} were refunded but {sold} were sold, on devices that could not see each other; check what went back"
                ),
                item: receipt,
                on_hand: None,
                threshold: None,
            });
        }
        self.sync_alerts(&mut out)?;
        self.shopify_alerts(&mut out)?;
        Ok(out)
    }
}

/// Pending changes that have not reached the server for this long are a problem, not just a quiet market.
pub const SYNC_STALE_MS: i64 = 24 * 60 * 60 * 1000;

impl Store {
    /// A refused change always needs a person; being offline only does once
    /// changes have waited more than a day.
    fn sync_alerts(&self, out: &mut Vec<Alert>) -> Result<()> {
        let status = self.sync_status()?;
        for r in &status.refused {
            out.push(Alert {
                kind: AlertKind::Sync,
                item: r.op_id.to_string(),
                message: format!("the server refused a change ({}): {}", r.kind.replace('_', " "), r.reason),
                on_hand: None,
                threshold: None,
            });
        }
        let since = status.last_success_ms.unwrap_or(i64::MIN);
        if status.pending > 0 && status.server_url.is_some() && self.now_ms().saturating_sub(since) > SYNC_STALE_MS {
            let why = status.last_error.as_deref().map(|e| format!(" (last try: {e})")).unwrap_or_default();
            out.push(Alert {
                kind: AlertKind::Sync,
                item: "sync".into(),
                message: format!("{} change(s) have not reached the server for over a day{why}: connect to a network", status.pending),
                on_hand: None,
                threshold: None,
            });
        }
        Ok(())
    }
}
