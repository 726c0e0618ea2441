//! The writers of `lot_moves` (the sub-ledger of `stock_movements` by lot)
//! and `lot_levels` (its running sum). Which lots a movement takes is chosen
//! in `crate::lot` by the device that records it and travels in the operation.
use crate::error::Result;
use rusqlite::Connection;
use wildroot_model::op::LotTake;

/// Inserts one part of a movement's lot split and moves the lot's running
/// total with its first insertion only, so a repeated operation changes neither.
#[allow(clippy::too_many_arguments)]
pub(crate) fn lot_move(
    conn: &Connection,
    op_id: &str,
    line: i64,
    part: i64,
    lot_id: &str,
    item_id: &str,
    qty: i64,
    reason: &str,
    ref_id: Option<&str>,
    at_ms: i64,
) -> Result<()> {
    let inserted = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO lot_moves (op_id, line, part, lot_id, item_id, qty, reason, ref_id, at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(rusqlite::params![op_id, line, part, lot_id, item_id, qty, reason, ref_id, at_ms])?;
    if inserted == 1 {
        conn.prepare_cached(
            "INSERT INTO lot_levels (lot_id, item_id, on_hand) VALUES (?1, ?2, ?3)
             ON CONFLICT (lot_id) DO UPDATE SET on_hand = on_hand + excluded.on_hand",
        )?
        .execute((lot_id, item_id, qty))?;
    }
    Ok(())
}

/// Writes a list of takes as the parts of one movement, each `sign * qty`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn lot_moves(
    conn: &Connection,
    op_id: &str,
    line: i64,
    takes: &[LotTake],
    sign: i64,
    item_id: &str,
    reason: &str,
    ref_id: Option<&str>,
    at_ms: i64,
) -> Result<()> {
    for (part, t) in takes.iter().enumerate() {
        lot_move(conn, op_id, line, part as i64, &t.lot_id.to_string(), item_id, sign * t.qty, reason, ref_id, at_ms)?;
    }
    Ok(())
}
