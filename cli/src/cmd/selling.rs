//! Selling: market events, sales, refunds, voids and customers.
use super::*;

/// An event's terms as typed: where it is and the market's cut.
#[derive(Args)]
pub(crate) struct TermsArgs {
    /// The tax place it is at (`wildroot tax list`); its sales follow that place's rates.
    #[arg(long)]
    pub(crate) place: Option<String>,
    /// The market's booth fee.
    #[arg(long)]
    pub(crate) fee: Option<String>,
    /// The market's commission: 10% (of sales with tax) or 10%:net (without).
    #[arg(long)]
    pub(crate) commission: Option<String>,
    /// Hours you spent on the day, for profit per hour: 7.5 or 7:30.
    #[arg(long)]
    pub(crate) hours: Option<String>,
}

impl TermsArgs {
    fn read(&self, store: &Store) -> Result<wildroot_model::op::EventTerms> {
        Ok(wildroot_model::op::EventTerms {
            place: self.place.as_deref().map(|p| store.tax_place(p)).transpose()?,
            fee_cents: self.fee.as_deref().map(|f| amount(f, "--fee")).transpose()?.map(|m| m.0),
            commission: self.commission.as_deref().map(wildroot_model::field::commission).transpose().map_err(|e| anyhow!(e))?,
            minutes_worked: self
                .hours
                .as_deref()
                .map(|h| wildroot_model::field::minutes("hours", h))
                .transpose()
                .map_err(|e| anyhow!(e))?,
        })
    }
}

#[derive(Subcommand)]
pub(crate) enum EventCmd {
    Open {
        name: String,
        #[arg(long)]
        location: Option<String>,
        /// Opening cash float.
        #[arg(long, default_value = "0", allow_hyphen_values = true)]
        float: String,
        /// YYYY-MM-DD (default today).
        #[arg(long)]
        date: Option<String>,
        #[command(flatten)]
        terms: TermsArgs,
    },
    /// Change an event's place, fee, commission or hours (its past sales keep their tax).
    Edit {
        /// The event's name or id.
        event: String,
        #[command(flatten)]
        terms: TermsArgs,
    },
    /// A cost of the day besides fee and commission: travel, stall, a helper.
    Cost {
        /// The event's name or id.
        event: String,
        #[arg(long)]
        amount: String,
        #[arg(long)]
        note: String,
    },
    /// The statement a market manager asks for: sales by day, tax, commission owed, fee.
    Settle {
        /// The event's name or id.
        event: String,
    },
    /// Close this device's open event with the counted cash; prints the Z report.
    Close {
        #[arg(long, default_value = "0", allow_hyphen_values = true)]
        counted: String,
    },
    List,
    /// Plan an event ahead (no cash drawer here), to allot stock to the booths.
    Plan {
        name: String,
        #[arg(long)]
        location: Option<String>,
        /// YYYY-MM-DD.
        #[arg(long)]
        date: String,
        #[command(flatten)]
        terms: TermsArgs,
    },
    /// Open this device's cash drawer at an event another device opened or planned.
    Join {
        /// The event's name or id.
        event: String,
        #[arg(long, default_value = "0", allow_hyphen_values = true)]
        float: String,
    },
    /// Allot stock to a booth device for an event (SKU=QTY; 0 takes it away).
    Allot {
        /// The event's name or id.
        event: String,
        /// The device's id (or the start of it, or `this`).
        #[arg(long)]
        device: String,
        #[arg(long = "line", required = true)]
        lines: Vec<String>,
    },
    /// What this device was allotted for its open event, and what is left.
    Allotment,
    /// The combined Z report of an event: every device's drawer and allotment.
    Z {
        /// The event's name or id.
        event: String,
    },
}

#[derive(Args)]
pub(crate) struct SellArgs {
    /// SKU=QTY, optionally SKU=QTY@PRICE and/or ~DISCOUNT (SALVE=2~10%); the
    /// SKU may be a label's scanned code, "(01)…(17)…(10)LOT=1", which sells from that lot.
    #[arg(long = "line", required_unless_present = "custom")]
    pub(crate) lines: Vec<String>,
    /// An item not in the catalogue at a typed price, taking no stock:
    /// DESCRIPTION=QTY@PRICE, optionally ~DISCOUNT and :CATEGORY for its tax
    /// ("Seconds jar=1@4.00", "Gift wrap=2@1.50:exempt"; default standard).
    #[arg(long = "custom")]
    pub(crate) custom: Vec<String>,
    /// Whole-sale discount: 10% or an amount.
    #[arg(long)]
    pub(crate) discount: Option<String>,
    /// Customer email, phone or id.
    #[arg(long)]
    pub(crate) customer: Option<String>,
    /// Add the --customer (an email or phone) with the sale if no customer
    /// has it; a refused sale adds no one.
    #[arg(long, requires = "customer")]
    pub(crate) new_customer: bool,
    /// TENDER=AMOUNT: cash, card, other or a tender the shop added (SNAP=10); repeat to split.
    #[arg(long = "pay")]
    pub(crate) payments: Vec<String>,
    /// A tip on top of the sale: an amount (2.00) or a rate of the total (15%).
    #[arg(long)]
    pub(crate) tip: Option<String>,
}

#[derive(Subcommand)]
pub(crate) enum CustomerCmd {
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    Edit {
        /// Email, phone or id.
        customer: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    /// Details, purchase history and lifetime spend.
    Show { customer: String },
    List {
        #[arg(long)]
        search: Option<String>,
    },
}

pub(crate) fn sale_line(s: &str) -> Result<LineRequest> {
    // A label's code as scanned may be a GS1 Digital Link, whose query has
    // its own '=' (…?17=271231): the quantity is after the last one.
    let (sku, rest) = match s.trim_start().get(..4).map(str::to_ascii_lowercase).as_deref() {
        Some("http") => match s.rsplit_once('=') {
            Some((k, q)) if !q.trim().is_empty() => (k.trim(), q.trim()),
            _ => bail!("--line '{s}' has no quantity: add =QTY after the scanned code"),
        },
        _ => pair(s, "--line", "SALVE=2")?,
    };
    // `#LOT` last: the lot code on the jar, when it must be that one.
    let (rest, lot) = match rest.split_once('#') {
        Some((_, l)) if l.trim().is_empty() => bail!("--line {s} names no lot after #: type it like SALVE=2#SALVE-20261201-1"),
        Some((r, l)) => (r, Some(l.trim().to_string())),
        None => (rest, None),
    };
    let (rest, discount) = match rest.split_once('~') {
        Some((r, d)) => (r, Some(Discount::parse(d)?)),
        None => (rest, None),
    };
    let (qty, price) = match rest.split_once('@') {
        Some((q, p)) => (q, Some(amount(p, "the price after @")?)),
        None => (rest, None),
    };
    Ok(LineRequest {
        key: sku.to_string(),
        qty: count(qty, &format!("quantity in --line {s}"))?,
        unit_price: price,
        discount,
        lot,
        custom: None,
    })
}

/// `--custom DESCRIPTION=QTY@PRICE[~DISCOUNT][:CATEGORY]`: a custom-amount item.
pub(crate) fn custom_line(s: &str) -> Result<LineRequest> {
    let example = "\"Seconds jar=1@4.00\" or \"Gift wrap=1@1.50:exempt\"";
    let (description, rest) = pair(s, "--custom", example)?;
    let (rest, category) = match rest.rsplit_once(':') {
        Some((r, c)) => (r, c.trim().to_string()),
        None => (rest, wildroot_model::bounds::STANDARD_CATEGORY.to_string()),
    };
    let (rest, discount) = match rest.split_once('~') {
        Some((r, d)) => (r, Some(Discount::parse(d)?)),
        None => (rest, None),
    };
    let Some((qty, price)) = rest.split_once('@') else {
        bail!("--custom {s} has no price: type it like {example}");
    };
    Ok(LineRequest {
        key: description.to_string(),
        qty: count(qty, &format!("quantity in --custom {s}"))?,
        unit_price: Some(amount(price, &format!("the price in --custom {s}"))?),
        discount,
        lot: None,
        custom: Some(CustomItem { tax_category: category }),
    })
}

pub(crate) fn refund_lines(lines: &[String]) -> Result<Vec<(String, i64)>> {
    lines
        .iter()
        .map(|l| {
            let (sku, q) = pair(l, "--line", "SALVE=1")?;
            Ok((sku.to_string(), count(q, &format!("quantity in --line {l}"))?))
        })
        .collect()
}

pub(crate) fn allotment_out(lines: &[AllotmentLine], format: Format) -> Result<String> {
    if format == Format::Json {
        return json(&serde_json::json!({ "allotments": lines }));
    }
    let mut t = Table::new(&["device", "sku", "name", "allotted", "sold", "left"]);
    for l in lines {
        t.row(vec![l.device.to_string(), l.sku.clone(), l.name.clone(), l.allotted.to_string(), l.sold.to_string(), l.left.to_string()]);
    }
    Ok(t.render(format))
}

pub(crate) fn customer(store: &mut Store, cmd: CustomerCmd, format: Format) -> Result<String> {
    let view = match cmd {
        CustomerCmd::Add { name, email, phone, notes } => store.add_customer(CustomerInput { name: Some(name), email, phone, notes })?,
        CustomerCmd::Edit { customer, name, email, phone, notes } => {
            store.edit_customer(&customer, CustomerInput { name, email, phone, notes })?
        }
        CustomerCmd::Show { customer } => store.customer(&customer)?,
        CustomerCmd::List { search } => {
            let list = store.list_customers(search.as_deref())?;
            if format == Format::Json {
                return json(&serde_json::json!({ "customers": list }));
            }
            let mut t = Table::new(&["name", "email", "phone", "purchases", "lifetime spend"]);
            for c in list {
                t.row(vec![
                    c.name,
                    c.email.unwrap_or_default(),
                    c.phone.unwrap_or_default(),
                    c.purchases.len().to_string(),
                    money(c.lifetime_spend_cents),
                ]);
            }
            return Ok(t.render(format));
        }
    };
    if format == Format::Json {
        return json(&view);
    }
    let mut s = String::new();
    if format == Format::Table {
        s.push_str(&format!(
            "{} · {} · {}\nLifetime spend {} over {} purchases\n",
            view.name,
            view.email.clone().unwrap_or_else(|| "no email".into()),
            view.phone.clone().unwrap_or_else(|| "no phone".into()),
            money(view.lifetime_spend_cents),
            view.purchases.iter().filter(|p| !p.voided).count()
        ));
    }
    let mut t = Table::new(&["when", "receipt", "total", "refunded", "status"]);
    for p in &view.purchases {
        t.row(vec![
            when(p.at_ms),
            p.receipt_no.clone(),
            money(p.total_cents),
            money(p.refunded_cents),
            if p.voided { "voided".into() } else { String::new() },
        ]);
    }
    s.push_str(&t.render(format));
    Ok(s)
}

pub(crate) fn event(store: &mut Store, cmd: EventCmd, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok(match cmd {
        EventCmd::Open { name, location, float, date: d, terms } => {
            let terms = terms.read(store)?;
            let e = store.open_event_with(&name, location.as_deref(), opt_date(&d, "--date")?, amount(&float, "--float")?, terms)?;
            if j {
                json(&e)?
            } else {
                format!("Opened {} on {} with a float of {}.\n", e.name, e.date, money(e.float_cents))
            }
        }
        EventCmd::Close { counted } => z_out(&store.close_event(amount(&counted, "--counted")?)?, format)?,
        EventCmd::Edit { event, terms } => {
            let terms = terms.read(store)?;
            let e = store.edit_event(&event, terms)?;
            if j {
                json(&e)?
            } else {
                format!("{} on {}: {}.\n", e.name, e.date, terms_text(&e))
            }
        }
        EventCmd::Cost { event, amount: a, note } => {
            let e = store.add_event_cost(&event, amount(&a, "--amount")?, &note)?;
            if j {
                json(&e)?
            } else {
                format!("Recorded a cost of {} for {} on {}.\n", money(amount(&a, "--amount")?.0), e.name, e.date)
            }
        }
        EventCmd::Settle { event } => settle_out(&store.settle_event(&event)?, format)?,
        EventCmd::Plan { name, location, date: d, terms } => {
            let terms = terms.read(store)?;
            let e = store.plan_event_with(&name, location.as_deref(), date(&d, "--date")?, terms)?;
            if j {
                json(&e)?
            } else {
                format!("Planned {} on {}; allot stock with `wildroot event allot` and join it from each booth.\n", e.name, e.date)
            }
        }
        EventCmd::Join { event, float } => {
            let e = store.join_event(&event, amount(&float, "--float")?)?;
            if j {
                json(&e)?
            } else {
                format!("Joined {} on {} with a float of {}.\n", e.name, e.date, money(e.float_cents))
            }
        }
        EventCmd::Allot { event, device, lines } => {
            let lines = lines
                .iter()
                .map(|l| {
                    let (sku, q) = pair(l, "--line", "SALVE=12")?;
                    Ok((sku.to_string(), count(q, &format!("quantity in --line {l}"))?))
                })
                .collect::<Result<Vec<_>>>()?;
            allotment_out(&store.allot(&event, &device, &lines)?, format)?
        }
        EventCmd::Allotment => match store.allotment()? {
            Some(a) if j => json(&a)?,
            Some(a) => format!("{} on {}:\n{}", a.event.name, a.event.date, allotment_out(&a.lines, format)?),
            None if j => "null\n".into(),
            None => "No event is open on this device.\n".into(),
        },
        EventCmd::Z { event } => z_out(&store.z_report(&event)?, format)?,
        EventCmd::List => {
            let events = store.list_events()?;
            if j {
                json(&serde_json::json!({ "events": events }))?
            } else {
                let mut t = Table::new(&["date", "name", "location", "float", "counted", "status", "id"]);
                for e in events {
                    t.row(vec![
                        e.date,
                        e.name,
                        e.location,
                        money(e.float_cents),
                        e.counted_cents.map(money).unwrap_or_default(),
                        if e.open { "open".into() } else { "closed".into() },
                        e.id.to_string(),
                    ]);
                }
                t.render(format)
            }
        }
    })
}

pub(crate) fn sell(store: &mut Store, args: SellArgs, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        let mut lines = args.lines.iter().map(|l| sale_line(l)).collect::<Result<Vec<_>>>()?;
        for c in &args.custom {
            lines.push(custom_line(c)?);
        }
        // Any tender by name; the core knows the shop's.
        let tenders = args
            .payments
            .iter()
            .map(|p| {
                let (m, a) = pair(p, "--pay", "cash=20")?;
                Ok((m.to_string(), amount(a, &format!("--pay {p}"))?))
            })
            .collect::<Result<Vec<_>>>()?;
        let tip = match args.tip.as_deref().map(str::trim) {
            None => None,
            Some(t) if t.ends_with('%') => {
                Some(TipRequest::PercentBp(wildroot_model::field::percent_bp("tip", t).map_err(|e| anyhow!(e))?))
            }
            Some(t) => Some(TipRequest::Amount(amount(t, "--tip")?)),
        };
        let discount = args.discount.as_deref().map(Discount::parse).transpose()?;
        let r = store.sell(SaleRequest {
            lines,
            discount,
            customer: args.customer,
            add_customer: args.new_customer,
            payments: Vec::new(),
            tenders,
            tip,
        })?;
        // A printer that fails warns; the sale stands.
        if let Some(warning) = receipt::auto_print(store, &r.receipt_no) {
            eprintln!("warning: {warning}");
        }
        if j {
            json(&r)?
        } else {
            let mut s = format!("Sale {}: total {}", r.receipt_no, money(r.total_cents));
            if r.change_cents > 0 {
                s.push_str(&format!(", change {}", money(r.change_cents)));
            }
            s.push_str(".\n");
            if !r.over_allotment.is_empty() {
                s.push_str(&format!("Past this booth's allotment: {} (more was sold than it was given).\n", r.over_allotment.join(", ")));
            }
            if !r.oversold.is_empty() {
                s.push_str(&format!("Oversold: {} (stock is now below zero; count the shelf).\n", r.oversold.join(", ")));
            }
            s
        }
    })
}

pub(crate) fn refund(store: &mut Store, sale: String, lines: Vec<String>, no_restock: bool, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        let lines = refund_lines(&lines)?;
        let r = store.refund(&sale, if lines.is_empty() { None } else { Some(&lines) }, !no_restock)?;
        if j {
            json(&r)?
        } else {
            format!("Refunded {} in {}.\n", money(r.total_cents), r.method.as_str())
        }
    })
}

pub(crate) fn void(store: &mut Store, sale: String, reason: String, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        let id = store.void_sale(&sale, &reason)?;
        if j {
            json(&serde_json::json!({ "sale_id": id, "voided": true }))?
        } else {
            format!("Voided sale {sale}; its stock is back.\n")
        }
    })
}

/// An event's place, fee and commission in words.
fn terms_text(e: &EventView) -> String {
    let mut parts = vec![format!("taxed at {}", e.place.as_deref().unwrap_or("the home place"))];
    if e.fee_cents > 0 {
        parts.push(format!("booth fee {}", money(e.fee_cents)));
    }
    if e.commission_bp > 0 {
        parts.push(format!("commission {} of {} sales", percent(e.commission_bp), e.commission_base));
    }
    if let Some(m) = e.minutes_worked {
        parts.push(format!("{}:{:02} worked", m / 60, m % 60));
    }
    parts.join(", ")
}
