//! Last-writer-wins registers (DESIGN rule 3): a write lands only if its
//! stamp `(hlc, device)` is higher than the stamp of the write it replaces.
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, ToSql};
use wildroot_model::Operation;

/// Claims register `(entity, id, field)` for `op` if `op` is newer than its
/// last writer. Returns whether `op` won (and must therefore write the value).
pub(crate) fn claim(conn: &Connection, entity: &str, id: &str, field: &str, op: &Operation) -> Result<bool> {
    let current: Option<(i64, u32, String)> = conn
        .query_row(
            "SELECT hlc_ms, hlc_counter, device FROM field_clock WHERE entity = ?1 AND entity_id = ?2 AND field = ?3",
            (entity, id, field),
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let mine = (op.hlc.ms, op.hlc.counter, op.device.to_string());
    let wins = match current {
        None => true,
        Some(theirs) => mine > theirs,
    };
    if wins {
        conn.execute(
            "INSERT INTO field_clock (entity, entity_id, field, hlc_ms, hlc_counter, device) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (entity, entity_id, field) DO UPDATE SET hlc_ms = excluded.hlc_ms, hlc_counter = excluded.hlc_counter, device = excluded.device",
            (entity, id, field, mine.0, mine.1, &mine.2),
        )?;
    }
    Ok(wins)
}

/// Sets `table.column` of row `id` to `value`, if the operation carries a
/// value for it and wins the register. `table` and `column` are compile-time
/// names, never user input.
pub(crate) fn set<T: ToSql>(
    conn: &Connection,
    table: &'static str,
    id: &str,
    column: &'static str,
    value: Option<T>,
    op: &Operation,
) -> Result<()> {
    if let Some(value) = value {
        if claim(conn, table, id, column, op)? {
            conn.execute(&format!("UPDATE {table} SET {column} = ?1 WHERE id = ?2"), (value, id))?;
        }
    }
    Ok(())
}
