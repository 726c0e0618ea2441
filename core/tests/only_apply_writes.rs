//! "Only `apply` writes business tables" holds by directory: no SQL outside
//! `core/src/apply/` inserts, updates or deletes a replicated table. The one
//! exception is the log's own rebuild (`oplog::rebuild`), which empties the
//! tables (by a formatted name, so not matched here) and applies the log again.
use std::path::Path;
use wildroot_core::oplog::REPLICATED_TABLES;

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            sources(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Every way a statement names the table it writes, followed by what may
/// end a table name in our SQL.
fn writes(sql: &str, table: &str) -> bool {
    ["INSERT INTO ", "INSERT OR IGNORE INTO ", "INSERT OR REPLACE INTO ", "UPDATE ", "DELETE FROM "]
        .iter()
        .any(|verb| [" ", "(", "\"", "\n"].iter().any(|end| sql.contains(&format!("{verb}{table}{end}"))))
}

#[test]
fn no_business_table_is_written_outside_apply() -> std::io::Result<()> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files)?;
    assert!(files.len() > 10, "found the sources");
    let apply = src.join("apply");
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&apply)) {
        let text = std::fs::read_to_string(file)?;
        // Unit-test fixtures may set up rows by hand.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for table in REPLICATED_TABLES {
            if writes(code, table) {
                found.push(format!("{} writes {table}", file.strip_prefix(&src).unwrap_or(file).display()));
            }
        }
    }
    assert!(found.is_empty(), "only core/src/apply/ may write business tables:\n{}", found.join("\n"));
    Ok(())
}

#[test]
fn the_check_sees_a_write() {
    assert!(writes("conn.execute(\"UPDATE sales SET x = 1\")", "sales"));
    assert!(writes("\"INSERT OR IGNORE INTO lot_moves (op_id)\"", "lot_moves"));
    assert!(!writes("\"SELECT * FROM sales\"", "sales"));
    assert!(!writes("\"UPDATE sales_daily SET x = 1\"", "sales"));
}
