//! Stock history: every movement of one product or supply, newest first,
//! with the balance after it, so a count that looks wrong can be explained.
use crate::error::Result;
use crate::store::Store;
use crate::{product, supply};
use wildroot_model::views::MovementView;

impl Store {
    pub fn product_movements(&self, key: &str, limit: usize) -> Result<Vec<MovementView>> {
        let id = product::find(self.conn(), key)?.id.to_string();
        self.movements(&id, limit)
    }

    pub fn supply_movements(&self, key: &str, limit: usize) -> Result<Vec<MovementView>> {
        let id = supply::find(self.conn(), key)?.id.to_string();
        self.movements(&id, limit)
    }

    fn movements(&self, item_id: &str, limit: usize) -> Result<Vec<MovementView>> {
        // The balance is a running sum in time order; ties (one operation's
        // lines) keep the order they were recorded in.
        let mut stmt = self.conn().prepare(
            "SELECT at_ms, qty, reason, note, lot_code, balance FROM (
                 SELECT m.at_ms, m.qty, m.reason, m.note, m.op_id, m.line,
                        COALESCE(b.lot_code, l.lot_code) AS lot_code,
                        SUM(m.qty) OVER (ORDER BY m.at_ms, m.op_id, m.line ROWS UNBOUNDED PRECEDING) AS balance
                 FROM stock_movements m
                 LEFT JOIN batches b ON b.id = m.lot_id
                 LEFT JOIN supply_lots l ON l.id = m.lot_id
                 WHERE m.item_id = ?1)
             ORDER BY at_ms DESC, op_id DESC, line DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![item_id, limit as i64], |r| {
            Ok(MovementView {
                at_ms: r.get(0)?,
                qty: r.get(1)?,
                reason: r.get(2)?,
                note: r.get(3)?,
                lot_code: r.get(4)?,
                balance: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
