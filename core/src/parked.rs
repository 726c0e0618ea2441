//! Parked carts: a vendor sets a cart aside to serve the next customer and
//! brings it back later, even after the app restarts. They are this device's
//! alone: not operations, never synced, no figure of the books; a parked
//! cart is sold (and priced) only when it comes back and is charged.
use crate::error::{invalid, text, CoreError, Result};
use crate::store::Store;
use rusqlite::OptionalExtension;
use wildroot_model::app::{ParkedCart, ParkedView};
use wildroot_model::bounds::{MAX_LINES, MAX_QTY};

/// More than a booth ever holds at once; a bound, so a stuck button cannot fill the disk.
pub const MAX_PARKED: usize = 50;

fn check(cart: &ParkedCart) -> Result<()> {
    if cart.lines.is_empty() {
        return invalid("the cart is empty: there is nothing to park");
    }
    if cart.lines.len() > MAX_LINES {
        return invalid(format!("a cart of {} lines is more than the {MAX_LINES} a sale may have", cart.lines.len()));
    }
    if let Some(l) = cart.lines.iter().find(|l| !(1..=MAX_QTY).contains(&l.qty)) {
        return invalid(format!("{} × {} is not a quantity a cart can hold", l.qty, l.sku));
    }
    for l in &cart.lines {
        if let Some(c) = &l.custom {
            wildroot_model::bounds::custom_description(&l.sku).map_err(CoreError::Invalid)?;
            wildroot_model::bounds::tax_category(&c.tax_category).map_err(CoreError::Invalid)?;
            wildroot_model::bounds::cents("a custom item's price", c.unit_price.0).map_err(CoreError::Invalid)?;
        }
    }
    if cart.customer.chars().count() > 200 {
        return invalid("the customer is longer than 200 characters: shorten it");
    }
    Ok(())
}

fn read(id: String, parked_at_ms: i64, label: String, json: &str) -> Result<ParkedView> {
    let cart: ParkedCart = serde_json::from_str(json).map_err(|e| CoreError::Corrupt(format!("parked cart {id} cannot be read: {e}")))?;
    Ok(ParkedView { id, parked_at_ms, label, cart })
}

impl Store {
    /// Sets `cart` aside under `label` (empty: the time it was parked).
    pub fn park_cart(&mut self, label: &str, cart: &ParkedCart) -> Result<Vec<ParkedView>> {
        check(cart)?;
        // Counted, not read: the carts' JSON need not be decoded to know how many there are.
        let parked: i64 = self.conn().query_row("SELECT COUNT(*) FROM parked_carts", [], |r| r.get(0))?;
        if parked >= MAX_PARKED as i64 {
            return invalid(format!("{MAX_PARKED} carts are parked already: finish or clear one first"));
        }
        let now = self.now_ms();
        let label = match label.trim() {
            "" => chrono::DateTime::from_timestamp_millis(now).map(|t| t.format("%H:%M UTC").to_string()).unwrap_or_default(),
            l => text("name of the parked cart", l, 60)?,
        };
        let json = serde_json::to_string(cart).map_err(|e| CoreError::Invalid(format!("the cart cannot be kept: {e}")))?;
        self.conn().execute(
            "INSERT INTO parked_carts (id, parked_at_ms, label, cart) VALUES (?1, ?2, ?3, ?4)",
            (uuid::Uuid::now_v7().to_string(), now, &label, &json),
        )?;
        self.parked_carts()
    }

    /// Every parked cart, oldest first.
    pub fn parked_carts(&self) -> Result<Vec<ParkedView>> {
        let mut stmt = self.conn().prepare("SELECT id, parked_at_ms, label, cart FROM parked_carts ORDER BY parked_at_ms, id")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|(id, at, label, json)| read(id, at, label, &json)).collect()
    }

    /// Takes the parked cart `id` back out: it is parked no more.
    pub fn resume_parked(&mut self, id: &str) -> Result<ParkedCart> {
        let row: Option<(String, i64, String, String)> = self
            .conn()
            .query_row("DELETE FROM parked_carts WHERE id = ?1 RETURNING id, parked_at_ms, label, cart", [id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        match row {
            Some((id, at, label, json)) => Ok(read(id, at, label, &json)?.cart),
            None => invalid("that cart is no longer parked: it was resumed already"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wildroot_model::app::CartItem;

    fn cart(sku: &str, qty: i64) -> ParkedCart {
        ParkedCart { lines: vec![CartItem { sku: sku.into(), qty, discount: None, lot: None, custom: None }], ..Default::default() }
    }

    #[test]
    fn a_parked_cart_comes_back_once_and_survives_a_reopen() -> Result<()> {
        let dir = tempfile::tempdir().map_err(|e| CoreError::Invalid(e.to_string()))?;
        let path = dir.path().join("shop.db");
        let ops_before;
        {
            let mut store = Store::open(&path)?;
            ops_before = store.conn().query_row("SELECT COUNT(*) FROM ops", [], |r| r.get::<_, i64>(0))?;
            store.park_cart("blue hat", &cart("SOAP", 2))?;
            let list = store.park_cart("", &cart("BALM", 1))?;
            assert_eq!(list.len(), 2);
            assert_eq!(list[0].label, "blue hat");
            assert!(store.park_cart("x", &ParkedCart::default()).is_err(), "an empty cart is not parked");
            assert!(store.park_cart("x", &cart("SOAP", 0)).is_err(), "nor a line of nothing");
        }
        let mut store = Store::open(&path)?;
        let list = store.parked_carts()?;
        assert_eq!(list.len(), 2, "parked carts survive a restart");
        assert_eq!(store.resume_parked(&list[0].id)?, cart("SOAP", 2));
        assert!(store.resume_parked(&list[0].id).is_err(), "a cart comes back once");
        assert_eq!(store.parked_carts()?.len(), 1);
        let ops_after = store.conn().query_row("SELECT COUNT(*) FROM ops", [], |r| r.get::<_, i64>(0))?;
        assert_eq!(ops_before, ops_after, "parking records nothing in the books");
        Ok(())
    }

    #[test]
    fn no_more_than_fifty_carts_wait_at_once() -> Result<()> {
        let mut store = Store::open_in_memory()?;
        for _ in 0..MAX_PARKED {
            store.park_cart("", &cart("SOAP", 1))?;
        }
        let err = store.park_cart("", &cart("SOAP", 1)).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("parked already"), "{err}");
        assert_eq!(store.parked_carts()?.len(), MAX_PARKED);
        Ok(())
    }
}
