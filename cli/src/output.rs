//! Printing results: aligned tables for people, CSV for spreadsheets, JSON
//! for programs.
use serde::Serialize;
use wildroot_model::Money;

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
