//! Printing results: aligned tables for people, CSV for spreadsheets, JSON
//! for programs.
use serde::Serialize;
use wildroot_model::views::{ProductLotTrace, SupplyLotTrace};
use wildroot_model::{Money, Quantity, Unit};

/// How the user asked to see results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
}

/// A table of text cells; numbers are right-aligned.
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Table {
        Table { headers: headers.to_vec(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Csv => {
                let mut out = String::new();
                for line in std::iter::once(self.headers.iter().map(|h| h.to_string()).collect::<Vec<_>>()).chain(self.rows.iter().cloned())
                {
                    out.push_str(&line.iter().map(|c| wildroot_core::export::quote(c)).collect::<Vec<_>>().join(","));
                    out.push('\n');
                }
                out
            }
            _ => {
                let widths: Vec<usize> = (0..self.headers.len())
                    .map(|i| {
                        self.rows
                            .iter()
                            .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                            .chain([self.headers[i].len()])
                            .max()
                            .unwrap_or(0)
                    })
                    .collect();
                let numeric: Vec<bool> = (0..self.headers.len())
                    .map(|i| !self.rows.is_empty() && self.rows.iter().all(|r| r.get(i).is_some_and(|c| is_number(c))))
                    .collect();
                let mut out = String::new();
                let line = |cells: &[String], out: &mut String| {
                    let parts: Vec<String> = cells
                        .iter()
                        .enumerate()
                        .map(|(i, c)| if numeric[i] { format!("{c:>w$}", w = widths[i]) } else { format!("{c:<w$}", w = widths[i]) })
                        .collect();
                    out.push_str(parts.join("  ").trim_end());
                    out.push('\n');
                };
                line(&self.headers.iter().map(|h| h.to_string()).collect::<Vec<_>>(), &mut out);
                for r in &self.rows {
                    line(r, &mut out);
                }
                if self.rows.is_empty() {
                    out.push_str("(none)\n");
                }
                out
            }
        }
    }
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == ' ' || c == '%')
}

pub fn money(cents: i64) -> String {
    Money(cents).to_string()
}

pub fn json<T: Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

/// UTC time of day and date for a millisecond timestamp.
pub fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|d| d.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}

/// A unit cost kept in millionths of a cent, shown per piece, or per kg / l.
pub fn unit_cost(microcents: i64, unit: Unit) -> String {
    let (per, label) = match unit {
        Unit::Each => (1, ""),
        Unit::G => (1000, "/kg"),
        Unit::Ml => (1000, "/l"),
    };
    let cents = wildroot_model::money::div_round(i128::from(microcents) * per, 1_000_000) as i64;
    format!("{}{label}", money(cents))
}

/// Who bought from a product lot: the recall list, one row per sale.
fn sales_table(trace: &ProductLotTrace, t: &mut Table) {
    for s in &trace.sales {
        t.row(vec![
            s.lot_code.clone(),
            when(s.at_ms),
            s.receipt_no.clone(),
            s.qty.to_string(),
            s.customer.clone().unwrap_or_else(|| "(walk-in)".into()),
            s.email.clone().unwrap_or_default(),
            s.phone.clone().unwrap_or_default(),
            s.event.clone().unwrap_or_default(),
            s.note(),
        ]);
    }
}

const SALE_HEADERS: [&str; 9] = ["lot", "sold", "receipt", "qty", "customer", "email", "phone", "event", "note"];

fn unassigned_note(trace: &ProductLotTrace) -> String {
    trace.unassigned_note().map(|n| n + "\n").unwrap_or_default()
}

pub fn product_trace(trace: &ProductLotTrace, format: Format) -> String {
    let mut out = String::new();
    if format == Format::Table {
        out.push_str(&format!(
            "Lot {} of {} ({}): made {}, {} left{}.\n",
            trace.lot.lot_code,
            trace.name,
            trace.lot.item,
            trace.lot.qty,
            trace.lot.on_hand,
            trace.lot.expires_on.as_ref().map(|e| format!(", expires {e}")).unwrap_or_default()
        ));
        if trace.inputs.is_empty() {
            out.push_str("Made from: no supply lots recorded.\n");
        } else {
            let mut t = Table::new(&["supply", "lot", "qty", "supplier"]);
            for i in &trace.inputs {
                t.row(vec![i.supply.clone(), i.lot_code.clone(), Quantity(i.qty).display(i.unit), i.supplier.clone().unwrap_or_default()]);
            }
            out.push_str("Made from:\n");
            out.push_str(&t.render(format));
        }
        out.push_str(&format!("Sold to ({} sales):\n", trace.sales.len()));
    }
    let mut t = Table::new(&SALE_HEADERS);
    sales_table(trace, &mut t);
    out.push_str(&t.render(format));
    if format == Format::Table {
        out.push_str(&unassigned_note(trace));
    }
    out
}

pub fn supply_trace(trace: &SupplyLotTrace, format: Format) -> String {
    let mut out = String::new();
    if format == Format::Table {
        out.push_str(&format!(
            "Supply lot {} of {}{}: received {} on {}, {} left. Used in {} batch(es).\n",
            trace.lot.lot_code,
            trace.lot.item,
            trace.supplier.as_ref().map(|s| format!(" from {s}")).unwrap_or_default(),
            Quantity(trace.lot.qty).display(trace.lot.unit),
            when(trace.lot.at_ms),
            Quantity(trace.lot.on_hand).display(trace.lot.unit),
            trace.batches.len()
        ));
        for b in &trace.batches {
            out.push_str(&format!(
                "  lot {} of {}: made {}, {} left, {} sale(s)\n",
                b.lot.lot_code,
                b.name,
                b.lot.qty,
                b.lot.on_hand,
                b.sales.len()
            ));
        }
        out.push_str("Sold to:\n");
    }
    let mut t = Table::new(&SALE_HEADERS);
    for b in &trace.batches {
        sales_table(b, &mut t);
    }
    out.push_str(&t.render(format));
    if format == Format::Table {
        for b in &trace.batches {
            out.push_str(&unassigned_note(b));
        }
    }
    out
}
