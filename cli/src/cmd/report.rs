//! Reports: sales by day, product, event or payment; margins; Z reports.
use super::*;

#[derive(Args)]
pub(crate) struct Period {
    /// First day, YYYY-MM-DD (UTC).
    #[arg(long)]
    pub(crate) from: Option<String>,
    /// Last day, YYYY-MM-DD (UTC), inclusive.
    #[arg(long)]
    pub(crate) to: Option<String>,
}

#[derive(Subcommand)]
pub(crate) enum ReportCmd {
    /// Sales by day, event, product or payment method.
    Sales {
        #[arg(long, default_value = "day")]
        by: String,
        #[command(flatten)]
        period: Period,
    },
    /// Best sellers by units.
    Top {
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[command(flatten)]
        period: Period,
    },
    /// What stock on hand is worth at cost.
    Valuation,
    /// Unit cost and margin per product (at today's price, and on what was sold).
    Margins,
    /// Cost, sales and margin per product lot (batch).
    Lots,
    /// Production history.
    Production,
    /// The Z report of an event (id or name).
    Event { event: String },
    /// Tax for filing: taxable sales, exempt sales and tax collected per place and rate.
    Tax {
        #[command(flatten)]
        period: Period,
    },
    /// What each market really earned: sales less refunds, the market's cut,
    /// costs and the goods sold, and per hour worked.
    Markets {
        /// Only the markets of this year (YYYY).
        #[arg(long)]
        season: Option<String>,
    },
}

pub(crate) fn report(store: &Store, cmd: ReportCmd, format: Format) -> Result<String> {
    let j = format == Format::Json;
    match cmd {
        ReportCmd::Sales { by, period } => {
            let r = store.sales_report(GroupBy::parse(&by)?, opt_date(&period.from, "--from")?, opt_date(&period.to, "--to")?)?;
            sales_out(&r, format)
        }
        ReportCmd::Top { limit, period } => {
            let r = store.top_sellers(limit, opt_date(&period.from, "--from")?, opt_date(&period.to, "--to")?)?;
            sales_out(&r, format)
        }
        ReportCmd::Valuation => {
            let v = store.valuation()?;
            if j {
                return json(&v);
            }
            let mut t = Table::new(&["stock", "value at cost"]);
            t.row(vec!["supplies".into(), money(v.supplies_cents)]);
            t.row(vec!["products".into(), money(v.products_cents)]);
            t.row(vec!["total".into(), money(v.total_cents)]);
            Ok(t.render(format))
        }
        ReportCmd::Margins => {
            let rows = store.margins()?;
            if j {
                return json(&serde_json::json!({ "products": rows }));
            }
            let mut t = Table::new(&["sku", "name", "price", "unit cost", "margin", "margin %", "sold", "sold for", "their cost", "made"]);
            for r in rows {
                t.row(vec![
                    r.sku,
                    r.name,
                    money(r.price_cents),
                    r.unit_cost_cents.map(money).unwrap_or_else(|| "-".into()),
                    r.margin_cents.map(money).unwrap_or_else(|| "-".into()),
                    r.margin_bp.map(percent).unwrap_or_else(|| "-".into()),
                    r.sold_units.to_string(),
                    money(r.sold_net_cents),
                    money(r.sold_cost_cents),
                    money(r.sold_net_cents - r.sold_cost_cents),
                ]);
            }
            Ok(t.render(format))
        }
        ReportCmd::Lots => {
            let rows = store.lot_margins()?;
            if j {
                return json(&serde_json::json!({ "lots": rows }));
            }
            let mut t = Table::new(&["lot", "sku", "made", "unit cost", "sold", "sold for", "cost", "margin", "margin %"]);
            for r in rows {
                t.row(vec![
                    r.lot_code,
                    r.sku,
                    r.made.to_string(),
                    money(r.unit_cost_cents),
                    r.sold.to_string(),
                    money(r.net_cents),
                    money(r.cost_cents),
                    money(r.margin_cents),
                    r.margin_bp.map(percent).unwrap_or_else(|| "-".into()),
                ]);
            }
            Ok(t.render(format))
        }
        ReportCmd::Production => batches_out(&store.list_batches(None)?, format),
        ReportCmd::Event { event } => z_out(&store.z_report(&event)?, format),
        ReportCmd::Tax { period } => {
            let r = store.tax_report(opt_date(&period.from, "--from")?, opt_date(&period.to, "--to")?)?;
            if j {
                return json(&r);
            }
            let mut t = Table::new(&["place", "rate", "taxable sales", "exempt sales", "tax collected"]);
            for row in &r.rows {
                t.row(vec![
                    row.place.clone(),
                    percent(row.rate_bp),
                    money(row.taxable_cents),
                    money(row.exempt_cents),
                    money(row.tax_cents),
                ]);
            }
            if format == Format::Table {
                t.row(vec!["total".into(), String::new(), money(r.taxable_cents), money(r.exempt_cents), money(r.tax_cents)]);
            }
            Ok(t.render(format))
        }
        ReportCmd::Markets { season } => {
            let season = season
                .as_deref()
                .map(|s| {
                    s.trim()
                        .parse::<i32>()
                        .ok()
                        .filter(|y| (1900..=9999).contains(y))
                        .ok_or_else(|| anyhow!("--season {s} is not a year: type it like 2026"))
                })
                .transpose()?;
            let r = store.market_results(season)?;
            if j {
                return json(&r);
            }
            let mut t =
                Table::new(&["date", "market", "net sales", "refunds", "commission", "fee", "costs", "goods", "profit", "per hour"]);
            for m in &r.markets {
                t.row(vec![
                    m.event.date.clone(),
                    m.event.name.clone(),
                    money(m.net_sales_cents),
                    money(m.refunds_cents),
                    money(m.commission_cents),
                    money(m.fee_cents),
                    money(m.costs_cents),
                    format!("{}{}", money(m.goods_cents), if m.units_at_average > 0 { "*" } else { "" }),
                    money(m.profit_cents),
                    m.profit_per_hour_cents.map(money).unwrap_or_default(),
                ]);
            }
            let mut out = t.render(format);
            if format == Format::Table && r.markets.iter().any(|m| m.units_at_average > 0) {
                out.push_str("* some units came from no lot: costed at their product's average batch cost.\n");
            }
            Ok(out)
        }
    }
}

pub(crate) fn sales_out(r: &SalesReport, format: Format) -> Result<String> {
    if format == Format::Json {
        return json(r);
    }
    let t = if r.by == "payment" {
        // Payments are not split by line: gross, discounts and tax do not apply.
        let mut t = Table::new(&["method", "payments", "refunds", "total"]);
        for row in &r.rows {
            t.row(vec![row.label.clone(), row.units.to_string(), money(row.refund_cents), money(row.total_cents)]);
        }
        t
    } else {
        let mut t =
            Table::new(&[&[if r.by == "top" { "product" } else { "group" }][..], &wildroot_model::views::SalesRow::FIGURES[..]].concat());
        for row in &r.rows {
            t.row([vec![row.label.clone()], row.figure_cells()].concat());
        }
        t
    };
    let mut s = t.render(format);
    if format == Format::Table {
        s.push_str(&format!("Total: {}\n", money(r.total_cents)));
    }
    Ok(s)
}

pub(crate) fn z_out(z: &ZReport, format: Format) -> Result<String> {
    if format == Format::Json {
        return json(z);
    }
    let mut s = String::new();
    let float: i64 = if z.drawers.is_empty() { z.event.float_cents } else { z.drawers.iter().map(|d| d.float_cents).sum() };
    if format == Format::Table {
        s.push_str(&format!(
            "Z report: {} — {}{}\n{} sales, {} taken, {} refunded\nCash: float {} → expected {}",
            z.event.name,
            z.event.date,
            // A day with no location given says nothing, not "()".
            Some(z.event.location.trim()).filter(|l| !l.is_empty()).map(|l| format!(" ({l})")).unwrap_or_default(),
            z.sales_count,
            money(z.total_cents),
            money(z.refunds_cents),
            money(float),
            money(z.expected_cash_cents)
        ));
        match (z.counted_cash_cents, z.over_short_cents) {
            (Some(c), Some(d)) => {
                let word = if d > 0 {
                    "over"
                } else if d < 0 {
                    "short"
                } else {
                    "exact"
                };
                s.push_str(&format!(", counted {} ({word} {})\n", money(c), money(d.abs())));
            }
            _ => s.push_str(" (still open)\n"),
        }
        // Every tender by its name (SNAP, not "other"), with the tips taken in it.
        let mut t = Table::new(&["method", "taken", "refunded", "tips"]);
        for p in &z.payments {
            t.row(vec![p.name().into(), money(p.amount_cents), money(p.refunded_cents), money(p.tips_cents)]);
        }
        s.push_str(&t.render(format));
    }
    let mut t = Table::new(&["sku", "name", "units", "total"]);
    for u in &z.units {
        t.row(vec![u.sku.clone(), u.name.clone(), u.units.to_string(), money(u.total_cents)]);
    }
    s.push_str(&t.render(format));
    if format == Format::Table && z.drawers.len() > 1 {
        let mut t = Table::new(&["device", "sales", "taken", "float", "cash expected", "counted", "over/short"]);
        for d in &z.drawers {
            t.row(vec![
                format!("{}{}", d.device, if d.this_device { " (this)" } else { "" }),
                d.sales_count.to_string(),
                money(d.total_cents),
                money(d.float_cents),
                money(d.expected_cash_cents),
                d.counted_cash_cents.map(money).unwrap_or_else(|| "open".into()),
                d.over_short_cents.map(money).unwrap_or_default(),
            ]);
        }
        s.push_str("Drawers:\n");
        s.push_str(&t.render(format));
    }
    if format == Format::Table && !z.withdrawn.is_empty() {
        s.push_str("Payments taken off unfinished sales:\n");
        for w in &z.withdrawn {
            let answer = if w.charged { "charged: refund it on the reader" } else { "not charged" };
            s.push_str(&format!("  {} {} ({answer})\n", w.method.as_str(), money(w.amount_cents)));
        }
    }
    if format == Format::Table && !z.allotments.is_empty() {
        s.push_str("Allotted, sold and coming back:\n");
        s.push_str(&allotment_out(&z.allotments, format)?);
    }
    Ok(s)
}

/// The statement a market manager asks for.
pub(crate) fn settle_out(s: &SettleStatement, format: Format) -> Result<String> {
    if format == Format::Json {
        return json(s);
    }
    let mut t = Table::new(&["day", "sales", "refunds", "tax", "net"]);
    for d in &s.days {
        t.row(vec![d.day.clone(), money(d.gross_cents), money(d.refunds_cents), money(d.tax_cents), money(d.net_cents)]);
    }
    if format == Format::Csv {
        return Ok(t.render(format));
    }
    t.row(vec!["total".into(), money(s.gross_cents), money(s.refunds_cents), money(s.tax_cents), money(s.net_cents)]);
    let mut out = format!("Settlement: {} — {} ({})\n", s.event.name, s.event.date, s.event.place.as_deref().unwrap_or("home place"));
    out.push_str(&t.render(format));
    out.push_str(&format!(
        "Commission {} of {} sales ({}): {}\nBooth fee: {}\nOwed to the market: {}\n",
        percent(s.commission_bp),
        s.commission_base,
        money(s.commission_on_cents),
        money(s.commission_cents),
        money(s.fee_cents),
        money(s.owed_cents)
    ));
    Ok(out)
}
