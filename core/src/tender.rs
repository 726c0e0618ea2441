//! The shop's configured tenders (SNAP, market tokens, checks, Venmo),
//! kept in the synced settings, one register per tender, and how a tender
//! named at the till is found: cash, card and other are built in.
use crate::error::{invalid, CoreError, Result};
use crate::settings::set_in;
use crate::store::Store;
use rusqlite::Connection;
use wildroot_model::op::PayMethod;
use wildroot_model::pricing::Tendered;
use wildroot_model::tender::{self, Tender, MAX_TENDERS};
use wildroot_model::Money;

/// Every configured tender, by name. A value this build cannot read is skipped.
pub(crate) fn tenders(conn: &Connection) -> Result<Vec<Tender>> {
    let mut stmt = conn.prepare("SELECT value FROM settings WHERE key LIKE 'tender:%' ORDER BY key")?;
    let values = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(values
        .into_iter()
        .filter_map(|v| serde_json::from_str::<Tender>(&v).ok())
        .filter(|t| tender::tender_name(&t.name).is_ok())
        .collect())
}

/// A payment as named at the till: a built-in method or a configured tender.
pub(crate) fn tendered(conn: &Connection, name: &str, amount: Money) -> Result<Tendered> {
    let name = name.trim();
    if let Some(m) = PayMethod::parse(name) {
        if m == PayMethod::Shopify {
            return invalid("Shopify payments come only with imported online orders: pay by cash, card or another tender");
        }
        return Ok(Tendered::of(m, amount));
    }
    match tenders(conn)?.into_iter().find(|t| t.name.eq_ignore_ascii_case(name)) {
        Some(t) => Ok(Tendered { method: PayMethod::Other, tender: Some(t.name), amount, gives_change: t.gives_change }),
        None => {
            let mut known: Vec<String> = vec!["cash".into(), "card".into(), "other".into()];
            known.extend(tenders(conn)?.into_iter().map(|t| t.name));
            invalid(format!("'{name}' is not a way to pay here: use {}", known.join(", ")))
        }
    }
}

impl Store {
    /// Adds a tender or changes how it works (every device gets it by sync).
    pub fn add_tender(&mut self, name: &str, gives_change: bool, in_drawer: bool) -> Result<Tender> {
        let name = tender::tender_name(name.trim()).map_err(CoreError::Invalid)?.to_string();
        let existing = tenders(self.conn())?;
        if existing.len() >= MAX_TENDERS && !existing.iter().any(|t| t.name.eq_ignore_ascii_case(&name)) {
            return invalid(format!("the shop has {MAX_TENDERS} tenders, as many as the booth shows: reuse one"));
        }
        let t = Tender { name, gives_change, in_drawer };
        let json = serde_json::to_string(&t).map_err(|e| CoreError::Invalid(e.to_string()))?;
        self.write(|tx| set_in(tx, &tender::setting_key(&t.name), json))?;
        Ok(t)
    }

    /// The configured tenders, by name.
    pub fn tenders(&self) -> Result<Vec<Tender>> {
        tenders(self.conn())
    }
}
