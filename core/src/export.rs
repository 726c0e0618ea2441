//! Reports as CSV for a spreadsheet: plain decimal amounts (no symbol), one
//! header row, and text cells that a spreadsheet would run as a formula
//! (`=`, `+`, `-`, `@`) quoted with a leading apostrophe.
use wildroot_model::views::{MarginRow, SalesReport, SalesRow};
use wildroot_model::Money;

/// Quotes a cell that holds a comma, a quote or a line break (RFC 4180).
pub fn quote(c: &str) -> String {
    if c.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", c.replace('"', "\"\""))
    } else {
        c.to_string()
    }
}

fn text_cell(c: &str) -> String {
    if c.starts_with(['=', '+', '-', '@']) {
        quote(&format!("'{c}"))
    } else {
        quote(c)
    }
}

fn money(cents: i64) -> String {
    Money(cents).to_string()
}

fn join(cells: Vec<String>) -> String {
    cells.join(",") + "\n"
}

pub fn sales_csv(r: &SalesReport) -> String {
    let mut out = join(["key", "label"].iter().chain(SalesRow::FIGURES.iter()).map(|h| h.to_string()).collect());
    for row in &r.rows {
        out.push_str(&join([text_cell(&row.key), text_cell(&row.label)].into_iter().chain(row.figure_cells()).collect()));
    }
    out
}

pub fn margins_csv(rows: &[MarginRow]) -> String {
    let mut out = join(["sku", "name", "price", "unit_cost", "margin", "margin_percent"].iter().map(|h| h.to_string()).collect());
    for m in rows {
        out.push_str(&join(vec![
            text_cell(&m.sku),
            text_cell(&m.name),
            money(m.price_cents),
            m.unit_cost_cents.map(money).unwrap_or_default(),
            m.margin_cents.map(money).unwrap_or_default(),
            m.margin_bp.map(money).unwrap_or_default(),
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        let row = SalesRow {
            key: "S-1".into(),
            label: "=HYPERLINK(\"x\"), salve".into(),
            units: 3,
            gross_cents: 4200,
            discount_cents: 0,
            tax_cents: 0,
            refund_cents: -5,
            net_cents: 4195,
            total_cents: 4195,
        };
        let csv = sales_csv(&SalesReport { by: "product".into(), from: None, to: None, total_cents: 4195, rows: vec![row] });
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "key,label,units,gross,discounts,tax,refunds,net,total");
        assert_eq!(lines[1], "S-1,\"'=HYPERLINK(\"\"x\"\"), salve\",3,42.00,0.00,0.00,-0.05,41.95,41.95");
    }
}
