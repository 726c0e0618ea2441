//! Tax places: named places with their rates, kept in the synced settings
//! (one last-writer-wins register per place), and the place a sale made now
//! is taxed by: the open market day's, else the shop's home place, else
//! the shop's own rate (`settings::tax_rule`), as before places existed.
use crate::error::{invalid, CoreError, Result};
use crate::settings::{self, get, set_in};
use crate::store::Store;
use chrono::NaiveDate;
use rusqlite::Connection;
use wildroot_model::tax::{self, TaxPlace, SHOP_PLACE};
use wildroot_model::views::{TaxReport, TaxRow};

/// The setting naming the shop's home place: where sales outside a market day are taxed.
pub const HOME_PLACE: &str = "home_place";

/// A place this device knows by name (names compare without case). A
/// value it cannot read (a newer app's) is as if absent.
pub(crate) fn place(conn: &Connection, name: &str) -> Result<Option<TaxPlace>> {
    Ok(get(conn, &tax::setting_key(name))?.and_then(|v| serde_json::from_str::<TaxPlace>(&v).ok()).filter(|p| p.check().is_ok()))
}

/// Every place this device knows, by name.
pub(crate) fn places(conn: &Connection) -> Result<Vec<TaxPlace>> {
    let mut stmt = conn.prepare("SELECT value FROM settings WHERE key LIKE 'tax\\_place:%' ESCAPE '\\' ORDER BY key")?;
    let values = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(values.into_iter().filter_map(|v| serde_json::from_str::<TaxPlace>(&v).ok()).filter(|p| p.check().is_ok()).collect())
}

/// The place sales outside a market day are taxed by.
pub(crate) fn home(conn: &Connection) -> Result<TaxPlace> {
    if let Some(name) = get(conn, HOME_PLACE)? {
        if let Some(p) = place(conn, &name)? {
            return Ok(p);
        }
    }
    let rule = settings::tax_rule(conn)?;
    Ok(TaxPlace::shop(rule.bp, rule.inclusive))
}

/// The place a sale made now on this device is taxed by: its open market
/// day's (the place as this device knows it now, else as the event carried
/// it), else the home place. `None` names no place: the shop's own rate.
pub(crate) fn place_now(conn: &Connection) -> Result<(Option<String>, TaxPlace)> {
    if let Some(event) = crate::event::open_event(conn)? {
        let carried: Option<String> = conn.query_row("SELECT tax_place FROM events WHERE id = ?1", [event.id.to_string()], |r| r.get(0))?;
        if let Some(carried) = carried.and_then(|v| serde_json::from_str::<TaxPlace>(&v).ok()) {
            let current = place(conn, &carried.name)?.unwrap_or(carried);
            return Ok((Some(current.name.clone()), current));
        }
    }
    let home = home(conn)?;
    // No place is ever called "Shop" (`set_tax_place`): that is the shop's own rate.
    let named = (home.name != SHOP_PLACE).then(|| home.name.clone());
    Ok((named, home))
}

impl Store {
    /// Adds a place or replaces its rates (every device gets them by sync);
    /// `home` makes it where sales outside a market day are taxed.
    pub fn set_tax_place(&mut self, place: TaxPlace, home: bool) -> Result<TaxPlace> {
        place.check().map_err(CoreError::Invalid)?;
        if place.name.eq_ignore_ascii_case(SHOP_PLACE) {
            return invalid(format!("'{SHOP_PLACE}' is the name of the shop's own rate: give the place its town or market's name"));
        }
        let json = serde_json::to_string(&place).map_err(|e| CoreError::Invalid(e.to_string()))?;
        self.write(|tx| {
            set_in(tx, &tax::setting_key(&place.name), json)?;
            if home {
                set_in(tx, HOME_PLACE, place.name.clone())?;
            }
            Ok(())
        })?;
        Ok(place)
    }

    /// Every place the shop taxes sales at, by name.
    pub fn tax_places(&self) -> Result<Vec<TaxPlace>> {
        places(self.conn())
    }

    /// A place by name, or a sentence naming the places there are.
    pub fn tax_place(&self, name: &str) -> Result<TaxPlace> {
        match place(self.conn(), name.trim())? {
            Some(p) => Ok(p),
            None => {
                let known: Vec<String> = places(self.conn())?.into_iter().map(|p| p.name).collect();
                let hint = if known.is_empty() {
                    "add it first with its rate".to_string()
                } else {
                    format!("the places are {}", known.join(", "))
                };
                invalid(format!("no tax place is called '{}': {hint}", name.trim()))
            }
        }
    }

    /// The place sales outside a market day are taxed by.
    pub fn home_place(&self) -> Result<TaxPlace> {
        home(self.conn())
    }

    /// The place a sale made now would be taxed by.
    pub fn place_now(&self) -> Result<TaxPlace> {
        Ok(place_now(self.conn())?.1)
    }
}

impl Store {
    /// Tax for filing, per place and rate, over a range of days (UTC): the
    /// sales rung up in it (not voided) and the refunds made in it, each
    /// line at the place and rate it was taxed at when sold. A sale before
    /// places had none is the shop's ("Shop"); online orders are "Shopify".
    pub fn tax_report(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<TaxReport> {
        let (start, end) = crate::report::bounds(from, to)?;
        let day = |col: &str| format!("strftime('%Y-%m-%d', {col} / 1000, 'unixepoch') BETWEEN ?1 AND ?2");
        let rows = tax_rows(self.conn(), &day("l.at_ms"), &day("rl.at_ms"), &[&start, &end])?;
        Ok(TaxReport {
            from: start,
            to: end,
            taxable_cents: rows.iter().map(|r| r.taxable_cents).sum(),
            exempt_cents: rows.iter().map(|r| r.exempt_cents).sum(),
            tax_cents: rows.iter().map(|r| r.tax_cents).sum(),
            rows,
        })
    }
}

/// Tax by place and rate of the sale lines matching `sales` (a condition on
/// `l` and `s`) and the refund lines matching `refunds` (on `rl`, `f`, `s`),
/// each line at the place and rate it was taxed at when sold.
pub(crate) fn tax_rows(conn: &Connection, sales: &str, refunds: &str, params: &[&dyn rusqlite::ToSql]) -> Result<Vec<TaxRow>> {
    let online = crate::apply::shopify::ONLINE;
    let place = format!("CASE WHEN s.device = '{online}' THEN 'Shopify' ELSE COALESCE(s.tax_place, '{SHOP_PLACE}') END");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT place, rate, SUM(net), SUM(tax) FROM (
             SELECT {place} place, COALESCE(l.tax_bp, s.tax_bp) rate, l.net_cents net, l.tax_cents tax
             FROM sale_lines l JOIN sales s ON s.id = l.sale_id
             WHERE l.voided = 0 AND {sales}
             UNION ALL
             SELECT {place}, COALESCE(l.tax_bp, s.tax_bp), -(rl.amount_cents - rl.tax_cents), -rl.tax_cents
             FROM refund_lines rl JOIN refunds f ON f.id = rl.refund_id JOIN sales s ON s.id = f.sale_id
                  JOIN sale_lines l ON l.sale_id = f.sale_id AND l.line_no = rl.line_no
             WHERE {refunds})
         GROUP BY place, rate ORDER BY place, rate"
    ))?;
    let rows = stmt.query_map(params, |r| {
        let (place, rate_bp, net, tax): (String, i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let (taxable_cents, exempt_cents) = if rate_bp == 0 { (0, net) } else { (net, 0) };
        Ok(TaxRow { place, rate_bp, taxable_cents, exempt_cents, tax_cents: tax })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
