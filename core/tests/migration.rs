//! Migration 0023 rebuilds nineteen tables on users' data to move the
//! integer rule from triggers into CHECK constraints. What must hold for
//! any database it meets: every row kept, the same schema as a database made
//! new (columns, indexes), no trigger left, and a non-integer figure still
//! refused by every column the triggers guarded.
use rusqlite::{Connection, ErrorCode};
use std::path::Path;
use wildroot_core::oplog::{dump_tables, replay_check, totals_check};
use wildroot_core::sale::{LineRequest, SaleRequest};
use wildroot_core::{CoreError, Store};
use wildroot_model::op::PayMethod;
use wildroot_model::Money;

type R = Result<(), Box<dyn std::error::Error>>;

/// The migration under test, and the tables it rebuilds with the figure
/// columns migration 0010 guarded in each.
const VERSION: usize = 23;
const FIGURES: &[(&str, &[&str])] = &[
    ("stock_levels", &["on_hand"]),
    ("lot_levels", &["on_hand"]),
    ("stock_movements", &["qty"]),
    ("lot_moves", &["qty"]),
    (
        "sales_daily",
        &[
            "units",
            "gross_cents",
            "discount_cents",
            "tax_cents",
            "net_cents",
            "total_cents",
            "refund_units",
            "refund_cents",
            "refund_tax_cents",
        ],
    ),
    ("payments_daily", &["payments", "amount_cents", "refund_cents"]),
    ("sales", &["gross_cents", "discount_cents", "tax_cents", "total_cents", "change_cents"]),
    ("sale_lines", &["qty", "unit_price_cents", "gross_cents", "discount_cents", "tax_cents", "net_cents", "total_cents"]),
    ("sale_payments", &["amount_cents", "tendered_cents"]),
    ("refunds", &["total_cents"]),
    ("refund_lines", &["qty", "amount_cents", "tax_cents"]),
    ("supply_lots", &["qty", "cost_cents"]),
    ("batches", &["output_qty", "cost_cents"]),
    ("batch_inputs", &["qty", "cost_microcents"]),
    ("products", &["price_cents", "low_stock_at"]),
    ("supplies", &["reorder_at"]),
    ("events", &["float_cents", "counted_cents"]),
    ("event_drawers", &["float_cents", "counted_cents"]),
    ("allotments", &["qty"]),
];

fn migration_sql() -> Result<Vec<(String, String)>, std::io::Error> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut files: Vec<_> = std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    files.sort();
    files
        .into_iter()
        .map(|p| Ok((p.file_name().unwrap_or_default().to_string_lossy().into_owned(), std::fs::read_to_string(&p)?)))
        .collect()
}

/// A shop with a row in every table the migration rebuilds: the demo, a
/// market with an allotment, sales, a refund, the market closed.
fn shop(path: &Path) -> Result<Store, CoreError> {
    let mut s = Store::open(path)?;
    s.seed_demo()?;
    s.open_event("Saturday market", Some("Town square"), None, Money(5000))?;
    let sku = s.conn().query_row("SELECT sku FROM products ORDER BY sku LIMIT 1", [], |r| r.get::<_, String>(0))?;
    s.allot("Saturday market", "this", &[(sku.clone(), 5)])?;
    let line = LineRequest { key: sku.clone(), qty: 2, unit_price: None, discount: None, lot: None, custom: None };
    let sold = s.sell(SaleRequest { lines: vec![line], payments: vec![(PayMethod::Cash, Money(100_000))], ..Default::default() })?;
    s.refund(&sold.receipt_no, Some(&[(sku, 1)]), true)?;
    s.close_event(Money(5000))?;
    Ok(s)
}

/// The tables and indexes of a database (not its triggers) as a comparable list: each table's
/// columns (name, type, not null, default, key) and each index's columns.
fn shape(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut out = Vec::new();
    let names: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT type, name, tbl_name FROM sqlite_master
             WHERE name NOT LIKE 'sqlite_%' AND type IN ('table', 'index') ORDER BY type, name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (kind, name, table) in names {
        out.push(format!("{kind} {name} on {table}"));
        let pragma = if kind == "table" { "table_xinfo" } else { "index_xinfo" };
        let mut stmt = conn.prepare(&format!("SELECT * FROM pragma_{pragma}(?1)"))?;
        let cols = stmt.column_count();
        let rows = stmt.query_map([&name], |r| {
            (0..cols).map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}"))).collect::<rusqlite::Result<Vec<_>>>()
        })?;
        for row in rows {
            out.push(format!("  {}", row?.join("|")));
        }
    }
    Ok(out)
}

/// Copies every row of every table (rowids kept) from `from` into `to`,
/// which has the same tables.
fn copy_rows(to: &Connection, from: &Path) -> rusqlite::Result<()> {
    to.execute("ATTACH DATABASE ?1 AS src", [from.to_string_lossy()])?;
    let tables: Vec<(String, bool)> = to
        .prepare("SELECT name, sql LIKE '%WITHOUT ROWID%' FROM src.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (table, without_rowid) in tables {
        let cols: Vec<String> = to
            .prepare("SELECT name FROM pragma_table_info(?1, 'src')")?
            .query_map([&table], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let list = format!("{}{}", if without_rowid { "" } else { "rowid, " }, cols.join(", "));
        to.execute(&format!("INSERT INTO main.\"{table}\" ({list}) SELECT {list} FROM src.\"{table}\""), [])?;
    }
    to.execute("DETACH DATABASE src", [])?;
    Ok(())
}

#[test]
fn rebuilding_the_figure_tables_keeps_every_row_and_the_schema_and_still_refuses_a_non_integer() -> R {
    let dir = tempfile::tempdir()?;
    // A shop as this build makes it, which is what the migration must give.
    let new_path = dir.path().join("new.db");
    let want_rows = {
        let s = shop(&new_path)?;
        for (table, _) in FIGURES {
            let n: i64 = s.conn().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            assert!(n > 0, "the fixture has no row in {table}, so the copy of {table} is not tested");
        }
        dump_tables(s.conn())?
    };

    // The same rows in a database of the version before, made by running
    // the migrations before this one as a build of that version did.
    let old_path = dir.path().join("old.db");
    let want_shape = {
        let old = Connection::open(&old_path)?;
        let migrations = migration_sql()?;
        assert!(migrations[VERSION - 1].0.starts_with(&format!("{VERSION:04}_")), "{:?}", migrations[VERSION - 1].0);
        for (_, sql) in &migrations[..VERSION - 1] {
            old.execute_batch(sql)?;
        }
        old.pragma_update(None, "user_version", (VERSION - 1) as i64)?;
        let triggers: i64 = old.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'", [], |r| r.get(0))?;
        assert_eq!(triggers, 38, "the version before guards figures with triggers");
        copy_rows(&old, &new_path)?;
        shape(&old)?
    };
    // The key that seals this device's secrets, as it would lie beside it.
    if dir.path().join("new.key").exists() {
        std::fs::copy(dir.path().join("new.key"), dir.path().join("old.key"))?;
    }

    let s = Store::open(&old_path)?;
    assert_eq!(dump_tables(s.conn())?, want_rows, "every row is kept");
    let got = shape(s.conn())?;
    let missing: Vec<_> = want_shape.iter().filter(|l| !got.contains(l)).collect();
    let new: Vec<_> = got.iter().filter(|l| !want_shape.contains(l)).collect();
    assert!(got == want_shape, "every column and index is as it was: missing {missing:?}, new {new:?}");
    let triggers: i64 = s.conn().query_row("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'", [], |r| r.get(0))?;
    assert_eq!(triggers, 0, "no trigger is left to open a statement journal");
    assert_eq!(replay_check(&s)?, None);
    assert_eq!(totals_check(s.conn())?, None);
    drop(s);

    // Every figure column refuses a fraction, a text and a sum past i64, in
    // an insert (a copy of a row) and an update, on the migrated database.
    let conn = Connection::open(&old_path)?;
    let mut refused = 0;
    for (table, columns) in FIGURES {
        let all: Vec<String> =
            conn.prepare("SELECT name FROM pragma_table_info(?1)")?.query_map([table], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        for column in *columns {
            let writes = [
                format!("UPDATE {table} SET {column} = 0.5"),
                format!("UPDATE {table} SET {column} = 'seven'"),
                format!("UPDATE {table} SET {column} = 9223372036854775807 + 1"),
                format!(
                    "INSERT INTO {table} ({list}) SELECT {values} FROM {table} LIMIT 1",
                    list = all.join(", "),
                    values = all.iter().map(|c| if c == column { "2.5" } else { c.as_str() }).collect::<Vec<_>>().join(", ")
                ),
            ];
            for sql in writes {
                match conn.execute(&sql, []) {
                    Err(rusqlite::Error::SqliteFailure(e, Some(msg))) if e.code == ErrorCode::ConstraintViolation => {
                        assert!(msg.contains(&format!("a figure in {table} must be a whole number")), "{sql}: {msg}");
                        refused += 1;
                    }
                    other => panic!("{sql} was not refused as a non-integer figure: {other:?}"),
                }
            }
        }
    }
    assert_eq!(refused, 4 * FIGURES.iter().map(|(_, c)| c.len()).sum::<usize>());
    Ok(())
}
