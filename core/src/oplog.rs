//! The operation log: stamping new operations, appending them, reading them
//! back, and replaying a log into a fresh store.
use crate::apply::apply;
use crate::error::{CoreError, Result};
use crate::store::{Store, Tx};
use rusqlite::{Connection, OptionalExtension, Row};
use wildroot_model::{DeviceId, Hlc, OpId, OpKind, Operation, OP_VERSION};

/// Stamps `kind` with this device's next clock value and sequence number,
/// applies it and appends it to the log. Caller holds the transaction.
pub(crate) fn record(conn: &Connection, device: DeviceId, now_ms: i64, id: OpId, kind: OpKind) -> Result<Operation> {
    let (last_ms, last_counter, seq): (i64, u32, i64) =
        conn.query_row("SELECT hlc_ms, hlc_counter, next_seq FROM local_device", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let hlc = Hlc { ms: last_ms, counter: last_counter }.tick(now_ms);
    let op = Operation { id, device, device_seq: seq, hlc, version: OP_VERSION, kind };
    apply(conn, &op)?;
    // A number of this device's series already in the log is a broken
    // counter, never a reason to drop the operation: fail the command.
    if !append(conn, &op)? {
        return Err(CoreError::Corrupt(format!("operation number {seq} of this device is already in the log")));
    }
    conn.execute("UPDATE local_device SET hlc_ms = ?1, hlc_counter = ?2, next_seq = next_seq + 1", (hlc.ms, hlc.counter))?;
    Ok(op)
}

/// Appends an already-applied operation to the log. A repeated id is a no-op.
pub(crate) fn append(conn: &Connection, op: &Operation) -> Result<bool> {
    append_as(conn, op, &payload_json(&op.kind)?, None)
}

/// Appends with the payload JSON as received (no re-encoding) and, for a
/// pulled operation, its server sequence.
fn append_as(conn: &Connection, op: &Operation, payload: &str, server_seq: Option<i64>) -> Result<bool> {
    // A repeated id is the same operation; a repeated (device, number)
    // with another id is an error (`UNIQUE (device, device_seq)`), never
    // a silent drop: callers make room first (`renumber_pending`). The one
    // exception is another device's operation whose number that device
    // used twice (it was restored from an old backup alone, and the server
    // too lost what it had numbered): the log keeps both, by id, the later
    // one under a number of its own below zero (another device's numbers
    // are only read by that device).
    let insert = |device_seq: i64| -> rusqlite::Result<usize> {
        conn.prepare_cached(
            "INSERT INTO ops (id, device, device_seq, hlc_ms, hlc_counter, version, kind, payload, server_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING",
        )?
        .execute(rusqlite::params![
            op.id.to_string(),
            op.device.to_string(),
            device_seq,
            op.hlc.ms,
            op.hlc.counter,
            op.version,
            op.kind.name(),
            payload,
            server_seq
        ])
    };
    // The clash is looked for only when the insert meets it: the pull's
    // hot path costs one statement an operation.
    let n = match insert(op.device_seq) {
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {
            let mine: bool = conn.query_row("SELECT id = ?1 FROM local_device", [op.device.to_string()], |r| r.get(0))?;
            if mine {
                return Err(CoreError::Corrupt(format!("operation number {} of this device is already in the log", op.device_seq)));
            }
            let below: i64 = conn.query_row(
                "SELECT MIN(0, COALESCE(MIN(device_seq), 0)) - 1 FROM ops WHERE device = ?1",
                [op.device.to_string()],
                |r| r.get(0),
            )?;
            insert(below)?
        }
        other => other?,
    };
    Ok(n == 1)
}

fn payload_json(kind: &OpKind) -> Result<String> {
    // `OpKind` is adjacently tagged: {"kind": ..., "payload": ...}; store the payload alone.
    let mut value = serde_json::to_value(kind)?;
    let payload = value.get_mut("payload").map(serde_json::Value::take).unwrap_or(serde_json::Value::Null);
    Ok(payload.to_string())
}

fn op_from_row(r: &Row<'_>) -> rusqlite::Result<Result<Operation>> {
    let id: String = r.get(0)?;
    let device: String = r.get(1)?;
    let device_seq: i64 = r.get(2)?;
    let hlc = Hlc { ms: r.get(3)?, counter: r.get(4)? };
    let version: u32 = r.get(5)?;
    let kind: String = r.get(6)?;
    let payload: String = r.get(7)?;
    Ok((|| {
        let payload: serde_json::Value = serde_json::from_str(&payload)?;
        let kind: OpKind = serde_json::from_value(serde_json::json!({ "kind": kind, "payload": payload }))?;
        Ok(Operation {
            id: id.parse().map_err(|_| CoreError::Corrupt(format!("operation id '{id}'")))?,
            device: device.parse().map_err(|_| CoreError::Corrupt(format!("device id '{device}'")))?,
            device_seq,
            hlc,
            version,
            kind,
        })
    })())
}

/// Every applied operation in the order this device applied it.
pub fn all_ops(conn: &Connection) -> Result<Vec<Operation>> {
    let mut stmt =
        conn.prepare("SELECT id, device, device_seq, hlc_ms, hlc_counter, version, kind, payload FROM ops WHERE applied = 1 ORDER BY seq")?;
    let rows = stmt.query_map([], op_from_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row??);
    }
    Ok(out)
}

/// Number of operations in the log.
pub fn op_count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM ops", [], |r| r.get(0))?)
}

/// Applies `ops` to `target` as received from elsewhere (another device, a
/// backup, a replay): each applied and logged once, in one transaction, and
/// their stamps merged into this device's clock (DESIGN rule 7), so what this
/// device does next is stamped after everything it has seen.
pub fn apply_foreign(target: &mut Store, ops: &[Operation]) -> Result<usize> {
    target.write(|tx| {
        let mut clock = Clock::load(tx)?;
        let mut applied = 0;
        for op in ops {
            if absorb(tx, &mut clock, op, None)? {
                applied += 1;
            }
        }
        clock.save(tx)?;
        Ok(applied)
    })
}

/// This device's hybrid logical clock, merged with what it receives.
pub(crate) struct Clock {
    hlc: Hlc,
    now_ms: i64,
}

impl Clock {
    pub(crate) fn load(tx: &Tx<'_>) -> Result<Clock> {
        let (ms, counter) = tx.query_row("SELECT hlc_ms, hlc_counter FROM local_device", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(Clock { hlc: Hlc { ms, counter }, now_ms: tx.now_ms() })
    }

    pub(crate) fn merge(&mut self, remote: Hlc) {
        self.hlc = self.hlc.merge(remote, self.now_ms);
    }

    pub(crate) fn save(&self, tx: &Tx<'_>) -> Result<()> {
        tx.execute("UPDATE local_device SET hlc_ms = ?1, hlc_counter = ?2", (self.hlc.ms, self.hlc.counter))?;
        Ok(())
    }
}

/// Applies and logs one received operation unless the log has it already.
/// Returns whether it was new.
pub(crate) fn absorb(tx: &Tx<'_>, clock: &mut Clock, op: &Operation, server_seq: Option<i64>) -> Result<bool> {
    let seen: bool = tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM ops WHERE id = ?1)")?.query_row([op.id.to_string()], |r| r.get(0))?;
    if seen {
        return Ok(false);
    }
    ingest(tx, clock, op, &payload_json(&op.kind)?, server_seq)?;
    Ok(true)
}

/// Applies a received operation the log does not have yet, logs it with its
/// payload as received, and merges its stamp into the clock.
pub(crate) fn ingest(tx: &Tx<'_>, clock: &mut Clock, op: &Operation, payload: &str, server_seq: Option<i64>) -> Result<()> {
    // What no honest device could have recorded (out of bounds, totals
    // that are not their parts) is kept in the log, unapplied, with the
    // reason, like an operation the server refused: the tables never see it.
    if let Err(reason) = wildroot_model::bounds::check(&op.kind) {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO ops (id, device, device_seq, hlc_ms, hlc_counter, version, kind, payload, server_seq, applied, refused_reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10)",
        )?
        .execute(rusqlite::params![
            op.id.to_string(),
            op.device.to_string(),
            op.device_seq,
            op.hlc.ms,
            op.hlc.counter,
            op.version,
            op.kind.name(),
            payload,
            server_seq,
            reason
        ])?;
        clock.merge(op.hlc);
        return Ok(());
    }
    apply(tx, op)?;
    append_as(tx, op, payload, server_seq)?;
    clock.merge(op.hlc);
    Ok(())
}

/// Moves this device's operations the server has not taken (pending, not
/// refused) to consecutive numbers from `from`, in the order they were
/// recorded, and the device's next number past them. Safe because no one
/// else holds them under their old numbers: the server has not taken them.
pub(crate) fn renumber_pending(conn: &Connection, from: i64) -> Result<usize> {
    let device: String = conn.query_row("SELECT id FROM local_device", [], |r| r.get(0))?;
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM ops WHERE device = ?1 AND server_seq IS NULL AND refused_reason IS NULL ORDER BY seq")?
        .query_map([&device], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // Out of the way first, so no two rows share a number on the way.
    conn.execute(
        "UPDATE ops SET device_seq = -1 - device_seq WHERE device = ?1 AND server_seq IS NULL AND refused_reason IS NULL",
        [&device],
    )?;
    for (i, id) in ids.iter().enumerate() {
        conn.execute("UPDATE ops SET device_seq = ?1 WHERE id = ?2", (from + i as i64, id))?;
    }
    conn.execute("UPDATE local_device SET next_seq = MAX(next_seq, ?1)", [from + ids.len() as i64])?;
    Ok(ids.len())
}

/// Stamps again, in their order, this device's operations stamped further
/// ahead of the server's clock (`server_now`) than the server accepts
/// (`sync::MAX_CLOCK_AHEAD_MS`): made while the device's clock ran ahead.
/// The server never stores an operation stamped that far ahead of its
/// clock, and its clock only moves on, so it holds none of them (nor does
/// any other device): their stamps may change. The new ones follow every
/// other stamp in the log and the server's now, in the same order, so
/// nothing is ordered before what it followed. The device's clock follows
/// them, and the tables are rebuilt (last-writer-wins registers compare
/// stamps). Returns how many.
pub(crate) fn restamp_future(tx: &Tx<'_>, server_now: i64) -> Result<usize> {
    let device = tx.device().to_string();
    let limit = server_now + wildroot_model::sync::MAX_CLOCK_AHEAD_MS;
    // Stamps only grow along the device's log, so these are its last ones.
    let ids: Vec<String> = tx
        .prepare("SELECT id FROM ops WHERE device = ?1 AND server_seq IS NULL AND refused_reason IS NULL AND hlc_ms > ?2 ORDER BY seq")?
        .query_map((&device, limit), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // Every other stamp the device keeps.
    let (ms, counter): (i64, u32) = tx
        .query_row(
            "SELECT hlc_ms, hlc_counter FROM ops
             WHERE NOT (device = ?1 AND server_seq IS NULL AND refused_reason IS NULL AND hlc_ms > ?2)
             ORDER BY hlc_ms DESC, hlc_counter DESC LIMIT 1",
            (&device, limit),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, 0));
    let mut clock = if ms >= server_now { Hlc { ms, counter } } else { Hlc { ms: server_now, counter: 0 } };
    for id in &ids {
        clock = clock.tick(server_now);
        tx.execute("UPDATE ops SET hlc_ms = ?1, hlc_counter = ?2 WHERE id = ?3", (clock.ms, clock.counter, id))?;
    }
    // The device's clock comes back too, so new work is stamped right.
    let stored: i64 = tx.query_row("SELECT hlc_ms FROM local_device", [], |r| r.get(0))?;
    if !ids.is_empty() || stored > limit {
        tx.execute("UPDATE local_device SET hlc_ms = ?1, hlc_counter = ?2", (clock.ms, clock.counter))?;
    }
    if !ids.is_empty() {
        rebuild(tx)?;
    }
    Ok(ids.len())
}

/// Moves this device's counters past everything its log holds of its own:
/// the next operation number past its highest, the next receipt number
/// past its highest receipt. Run when the device's own operations come
/// back to it (a pull, a restore), so it never reuses a number.
pub(crate) fn own_counters_forward(conn: &Connection) -> Result<()> {
    conn.execute(
        "UPDATE local_device SET next_seq = MAX(next_seq, COALESCE((SELECT MAX(device_seq) + 1 FROM ops WHERE device = local_device.id), 1))",
        [],
    )?;
    conn.execute(
        "UPDATE local_device SET next_receipt = MAX(next_receipt, COALESCE((
             SELECT MAX(CAST(substr(receipt_no, length(local_device.receipt_prefix) + 2) AS INTEGER)) + 1 FROM sales
             WHERE device = local_device.id AND substr(receipt_no, 1, length(local_device.receipt_prefix) + 1) = local_device.receipt_prefix || '-'), 1))",
        [],
    )?;
    Ok(())
}

/// Empties the replicated tables and applies every applied operation of the
/// log again, in order: used after the server refused an operation this
/// device had already applied, so the tables no longer include it.
pub(crate) fn rebuild(tx: &Tx<'_>) -> Result<()> {
    let ops = all_ops(tx)?;
    for table in REPLICATED_TABLES {
        tx.execute(&format!("DELETE FROM {table}"), [])?;
    }
    for op in &ops {
        apply(tx, op)?;
    }
    Ok(())
}

/// The business tables, in a stable order: what a replay must reproduce.
pub const REPLICATED_TABLES: &[&str] = &[
    "settings",
    "supplies",
    "products",
    "stock_movements",
    "supply_lots",
    "recipes",
    "recipe_lines",
    "batches",
    "batch_inputs",
    "events",
    "customers",
    "sales",
    "sale_lines",
    "sale_payments",
    "refunds",
    "refund_lines",
    "field_clock",
    "stock_levels",
    "sales_daily",
    "payments_daily",
    "shopify_orders",
    "shopify_order_lines",
    "shopify_sku_map",
    "shopify_links",
    "lot_moves",
    "lot_levels",
    "event_drawers",
    "allotments",
    "early_voids",
    "withdrawn_payments",
    "event_costs",
    "receipt_emails",
    "receipt_email_outcomes",
];

/// Every row of every replicated table, as text, sorted: two stores with
/// the same dump have the same business state.
pub fn dump_tables(conn: &Connection) -> Result<Vec<(String, Vec<String>)>> {
    let mut out = Vec::new();
    for table in REPLICATED_TABLES {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table}"))?;
        let cols = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                let mut line = Vec::with_capacity(cols);
                for i in 0..cols {
                    let v: rusqlite::types::Value = r.get(i)?;
                    line.push(format!("{v:?}"));
                }
                Ok(line.join("|"))
            })?
            .collect::<rusqlite::Result<_>>()?;
        rows.sort();
        out.push((table.to_string(), rows));
    }
    Ok(out)
}

/// Replays this store's log into a fresh in-memory store and reports the
/// first table that differs, if any (DESIGN rule 1).
pub fn replay_check(store: &Store) -> Result<Option<String>> {
    let ops = all_ops(store.conn())?;
    let mut fresh = Store::open_in_memory()?;
    apply_foreign(&mut fresh, &ops)?;
    let want = dump_tables(store.conn())?;
    let got = dump_tables(fresh.conn())?;
    for ((table, a), (_, b)) in want.iter().zip(got.iter()) {
        if a != b {
            let diff = a.iter().filter(|r| !b.contains(r)).chain(b.iter().filter(|r| !a.contains(r))).next().cloned();
            return Ok(Some(format!("table {table} differs after replay (e.g. row {})", diff.unwrap_or_default())));
        }
    }
    Ok(None)
}

/// Pairs of queries that must return the same set of rows: each running
/// total kept by `apply` against the rows it totals.
const TOTALS: &[(&str, &str, &str)] = &[
    ("stock_levels", "SELECT item_id, on_hand FROM stock_levels", "SELECT item_id, SUM(qty) FROM stock_movements GROUP BY item_id"),
    (
        "lot_levels",
        "SELECT lot_id, item_id, on_hand FROM lot_levels",
        "SELECT lot_id, item_id, SUM(qty) FROM lot_moves GROUP BY lot_id, item_id",
    ),
    (
        "sales_daily",
        "SELECT day, product_id, event_id, units, gross_cents, discount_cents, tax_cents, net_cents, total_cents,
                refund_units, refund_cents, refund_tax_cents
         FROM sales_daily WHERE units != 0 OR gross_cents != 0 OR total_cents != 0 OR refund_units != 0 OR refund_cents != 0",
        "SELECT d, p, e, SUM(u), SUM(g), SUM(dc), SUM(t), SUM(n), SUM(tot), SUM(ru), SUM(rc), SUM(rt) FROM (
             SELECT strftime('%Y-%m-%d', at_ms / 1000, 'unixepoch') d, product_id p, COALESCE(event_id, '') e, qty u, gross_cents g,
                    discount_cents dc, tax_cents t, net_cents n, total_cents tot, 0 ru, 0 rc, 0 rt
             FROM sale_lines WHERE voided = 0
             UNION ALL
             SELECT strftime('%Y-%m-%d', at_ms / 1000, 'unixepoch'), product_id, COALESCE(event_id, ''), 0, 0, 0, 0, 0, 0,
                    qty, amount_cents, tax_cents
             FROM refund_lines)
         GROUP BY d, p, e",
    ),
    (
        "payments_daily",
        "SELECT day, method, payments, amount_cents, refund_cents FROM payments_daily
         WHERE payments != 0 OR amount_cents != 0 OR refund_cents != 0",
        "SELECT d, m, SUM(n), SUM(a), SUM(r) FROM (
             SELECT strftime('%Y-%m-%d', s.at_ms / 1000, 'unixepoch') d, COALESCE(p.tender, p.method) m, 1 n, p.amount_cents a, 0 r
             FROM sale_payments p JOIN sales s ON s.id = p.sale_id WHERE s.voided = 0
             UNION ALL
             SELECT strftime('%Y-%m-%d', at_ms / 1000, 'unixepoch'), COALESCE(tender, method), 0, 0, total_cents FROM refunds)
         GROUP BY d, m HAVING SUM(n) != 0 OR SUM(a) != 0 OR SUM(r) != 0",
    ),
];

/// Checks every running total against the rows it totals; names the first
/// that disagrees.
pub fn totals_check(conn: &Connection) -> Result<Option<String>> {
    for (name, kept, recomputed) in TOTALS {
        let differs: bool = conn.query_row(
            &format!(
                "SELECT EXISTS (SELECT * FROM ({kept}) EXCEPT SELECT * FROM ({recomputed}))
                     OR EXISTS (SELECT * FROM ({recomputed}) EXCEPT SELECT * FROM ({kept}))"
            ),
            [],
            |r| r.get(0),
        )?;
        if differs {
            return Ok(Some(format!("{name} does not match the rows it totals")));
        }
    }
    Ok(None)
}
