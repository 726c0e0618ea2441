//! What the shop makes and keeps: supplies, products, recipes, batches,
//! lots and their trace, stock and alerts.
use super::*;

#[derive(Subcommand)]
pub(crate) enum SupplyCmd {
    Add {
        #[arg(long)]
        name: String,
        /// g, ml or each
        #[arg(long)]
        unit: String,
        /// Reorder when stock falls to this (e.g. 500g).
        #[arg(long, allow_hyphen_values = true)]
        reorder_at: Option<String>,
        #[arg(long)]
        supplier: Option<String>,
        #[arg(long)]
        notes: Option<String>,
    },
    Edit {
        name: String,
        #[arg(long = "name")]
        new_name: Option<String>,
        #[arg(long, allow_hyphen_values = true)]
        reorder_at: Option<String>,
        #[arg(long)]
        supplier: Option<String>,
        #[arg(long)]
        notes: Option<String>,
        /// The INCI name a label lists it by ("Cera Alba"); empty clears it.
        #[arg(long)]
        inci: Option<String>,
        /// Grams per ml, for a supply measured in ml (olive oil 0.91): a
        /// label orders ingredients by weight. Unset: 1 g/ml, and the label says so.
        #[arg(long)]
        density: Option<String>,
    },
    Archive {
        name: String,
    },
    /// Receive a purchase: quantity (2kg, 1.5l, 12) and what it cost in total.
    Receive {
        name: String,
        #[arg(long, allow_hyphen_values = true)]
        qty: String,
        #[arg(long, allow_hyphen_values = true)]
        cost: String,
        #[arg(long)]
        lot: Option<String>,
    },
    /// Correct the stock by a signed amount (-50g, +1kg) with a reason.
    Adjust {
        name: String,
        #[arg(long, allow_hyphen_values = true)]
        qty: String,
        #[arg(long)]
        reason: String,
    },
    /// Record a count (1.2kg): stored as the difference from the books.
    Count {
        name: String,
        #[arg(long)]
        counted: String,
    },
    List {
        /// Include archived supplies.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Args)]
pub(crate) struct ProductFieldsArgs {
    #[arg(long)]
    pub(crate) name: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) price: Option<String>,
    #[arg(long)]
    pub(crate) category: Option<String>,
    #[arg(long)]
    pub(crate) barcode: Option<String>,
    /// Alert when stock falls to this many.
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) low_stock: Option<i64>,
    /// How it is taxed at each place: standard (the default), exempt, or a
    /// category a place names (food).
    #[arg(long)]
    pub(crate) tax_category: Option<String>,
}

#[derive(Subcommand)]
pub(crate) enum ProductCmd {
    Add {
        #[arg(long)]
        sku: String,
        #[command(flatten)]
        fields: ProductFieldsArgs,
        /// Show on the POS favourites grid.
        #[arg(long)]
        favorite: bool,
        /// Refuse to sell more than is on hand.
        #[arg(long)]
        no_oversell: bool,
    },
    Edit {
        sku: String,
        #[arg(long = "sku")]
        new_sku: Option<String>,
        #[command(flatten)]
        fields: ProductFieldsArgs,
        #[arg(long, num_args = 0..=1, default_missing_value = "true")]
        favorite: Option<bool>,
        #[arg(long, num_args = 0..=1, default_missing_value = "true")]
        no_oversell: Option<bool>,
        /// Net content on the label: "56 g" or "30 ml" (the label adds oz or fl oz).
        #[arg(long)]
        net: Option<String>,
        /// The product's identity on its label, when not its name; empty clears it.
        #[arg(long)]
        label_name: Option<String>,
        /// A warning printed on the label (repeat for more); one empty clears them.
        #[arg(long = "warning")]
        warnings: Vec<String>,
    },
    /// Correct the stock by a signed number (-2, +5) with a reason.
    Adjust {
        sku: String,
        #[arg(long, allow_hyphen_values = true)]
        qty: String,
        #[arg(long)]
        reason: String,
    },
    Archive {
        sku: String,
    },
    /// Record a shelf count: stored as the difference from the books, so
    /// sales on other devices still count.
    Count {
        sku: String,
        #[arg(long, allow_hyphen_values = true)]
        counted: String,
    },
    List {
        /// SKU, name or barcode prefix.
        #[arg(long)]
        search: Option<String>,
    },
    Show {
        sku: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum RecipeCmd {
    /// Set what one batch takes (--line SUPPLY=QTY …) and yields.
    Set {
        sku: String,
        #[arg(long = "yield", allow_hyphen_values = true)]
        yield_qty: i64,
        #[arg(long = "line", required = true)]
        lines: Vec<String>,
    },
    Show {
        sku: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum BatchCmd {
    /// Make K batches: supplies out, product in, one lot.
    Produce {
        sku: String,
        #[arg(long, default_value_t = 1, allow_hyphen_values = true)]
        batches: i64,
        #[arg(long)]
        lot: Option<String>,
        /// Expiry date, YYYY-MM-DD.
        #[arg(long)]
        expires: Option<String>,
        /// Make it even if supplies go below zero.
        #[arg(long)]
        allow_short: bool,
        /// Units actually made, when not what the recipe yields (waste).
        #[arg(long, allow_hyphen_values = true)]
        made: Option<i64>,
    },
    List,
}

#[derive(Subcommand)]
pub(crate) enum TraceCmd {
    /// A supply lot forward: the batches made with it and everyone who bought from them.
    SupplyLot { lot: String },
    /// A product lot both ways: the supply lots it was made from, and everyone who bought from it.
    ProductLot { lot: String },
}

pub(crate) fn supply(store: &mut Store, cmd: SupplyCmd, format: Format) -> Result<String> {
    let view = match cmd {
        SupplyCmd::Add { name, unit, reorder_at, supplier, notes } => {
            let unit: Unit = unit.parse()?;
            store.add_supply(NewSupply { name, unit: Some(unit), reorder_at, supplier, notes })?
        }
        SupplyCmd::Edit { name, new_name, reorder_at, supplier, notes, inci, density } => {
            store.edit_supply(&name, SupplyEdit { name: new_name, reorder_at, supplier, notes, inci, density })?
        }
        SupplyCmd::Archive { name } => {
            store.archive_supply(&name)?;
            return Ok(if format == Format::Json {
                json(&serde_json::json!({ "archived": name }))?
            } else {
                format!("Archived {name}.\n")
            });
        }
        SupplyCmd::Receive { name, qty, cost, lot } => {
            let (lot_id, code) = store.receive_supply(&name, &qty, amount(&cost, "--cost")?, lot.as_deref())?;
            let s = store.supply(&name)?;
            return Ok(if format == Format::Json {
                json(&serde_json::json!({ "lot_id": lot_id, "lot_code": code, "supply": s }))?
            } else {
                format!("Received {qty} of {} as lot {code}; {} on hand.\n", s.name, Quantity(s.on_hand).display(s.unit))
            });
        }
        SupplyCmd::Adjust { name, qty, reason } => store.adjust_supply(&name, &qty, &reason)?,
        SupplyCmd::Count { name, counted } => store.count_supply(&name, &counted)?,
        SupplyCmd::List { all } => return supplies_out(&store.list_supplies(all)?, format),
    };
    supplies_out(&[view], format)
}

pub(crate) fn supplies_out(list: &[SupplyView], format: Format) -> Result<String> {
    if format == Format::Json {
        return json(&serde_json::json!({ "supplies": list }));
    }
    let mut t = Table::new(&["name", "unit", "on hand", "reorder at", "cost per kg/l/1000", "value", "supplier"]);
    for s in list {
        t.row(vec![
            s.name.clone(),
            s.unit.to_string(),
            Quantity(s.on_hand).display(s.unit),
            Quantity(s.reorder_at).display(s.unit),
            money(s.cost_per_1000_cents),
            money(s.value_cents),
            s.supplier.clone().unwrap_or_default(),
        ]);
    }
    Ok(t.render(format))
}

pub(crate) fn product(store: &mut Store, cmd: ProductCmd, format: Format) -> Result<String> {
    let view = match cmd {
        ProductCmd::Add { sku, fields, favorite, no_oversell } => store.add_product(NewProduct {
            sku,
            name: fields.name.ok_or_else(|| anyhow!("a product needs --name"))?,
            price: amount(&fields.price.ok_or_else(|| anyhow!("a product needs --price, like --price 14.00"))?, "--price")?,
            category: fields.category,
            barcode: fields.barcode,
            low_stock_at: fields.low_stock,
            favorite,
            no_oversell,
            tax_category: fields.tax_category,
            ..Default::default()
        })?,
        ProductCmd::Edit { sku, new_sku, fields, favorite, no_oversell, net, label_name, warnings } => store.edit_product(
            &sku,
            ProductEdit {
                sku: new_sku,
                name: fields.name,
                price: fields.price.as_deref().map(|p| amount(p, "--price")).transpose()?,
                category: fields.category,
                barcode: fields.barcode,
                low_stock_at: fields.low_stock,
                favorite,
                no_oversell,
                tax_category: fields.tax_category,
                net,
                label_name,
                warnings: (!warnings.is_empty()).then(|| warnings.iter().map(|w| w.trim()).collect::<Vec<_>>().join(" ")),
            },
        )?,
        ProductCmd::Adjust { sku, qty, reason } => store.adjust_product(&sku, count(&qty, "--qty")?, &reason)?,
        ProductCmd::Count { sku, counted } => store.count_product(&sku, count(&counted, "--counted")?)?,
        ProductCmd::Archive { sku } => {
            store.archive_product(&sku)?;
            return Ok(if format == Format::Json { json(&serde_json::json!({ "archived": sku }))? } else { format!("Archived {sku}.\n") });
        }
        ProductCmd::List { search } => return products_out(&store.list_products(search.as_deref(), None)?, format),
        ProductCmd::Show { sku } => store.product(&sku)?,
    };
    products_out(&[view], format)
}

pub(crate) fn products_out(list: &[ProductView], format: Format) -> Result<String> {
    if format == Format::Json {
        return json(&serde_json::json!({ "products": list }));
    }
    let mut t = Table::new(&["sku", "name", "price", "on hand", "low at", "category", "barcode", "fav"]);
    for p in list {
        t.row(vec![
            p.sku.clone(),
            p.name.clone(),
            money(p.price_cents),
            p.on_hand.to_string(),
            p.low_stock_at.to_string(),
            p.category.clone().unwrap_or_default(),
            p.barcode.clone().unwrap_or_default(),
            if p.favorite { "★".into() } else { String::new() },
        ]);
    }
    Ok(t.render(format))
}

pub(crate) fn recipe_out(r: &RecipeView, format: Format) -> Result<String> {
    if format == Format::Json {
        return json(r);
    }
    let mut t = Table::new(&["supply", "per batch"]);
    for l in &r.lines {
        t.row(vec![l.supply.clone(), Quantity(l.qty).display(l.unit)]);
    }
    let head = if format == Format::Table {
        let lots = if r.lots.is_empty() {
            "no supply lot on hand".to_string()
        } else {
            r.lots.iter().map(|l| format!("{} ({})", l.lot_code, money(l.cost_cents))).collect::<Vec<_>>().join(", ")
        };
        format!(
            "{}: one batch makes {}, costs {} at today's supply costs, from lots {lots}.\n",
            r.sku,
            r.yield_qty,
            money(r.batch_cost_cents)
        )
    } else {
        String::new()
    };
    Ok(head + &t.render(format))
}

pub(crate) fn batches_out(list: &[BatchView], format: Format) -> Result<String> {
    if format == Format::Json {
        return json(&serde_json::json!({ "batches": list }));
    }
    let mut t = Table::new(&["made", "lot", "sku", "batches", "made qty", "cost", "unit cost", "expires"]);
    for b in list {
        t.row(vec![
            when(b.made_at_ms),
            b.lot_code.clone(),
            b.sku.clone(),
            b.batches.to_string(),
            b.output_qty.to_string(),
            money(b.cost_cents),
            money(b.unit_cost_cents),
            b.expires_on.clone().unwrap_or_default(),
        ]);
    }
    Ok(t.render(format))
}

pub(crate) fn lots_out(list: &[LotView], format: Format) -> Result<String> {
    if format == Format::Json {
        return json(&serde_json::json!({ "lots": list }));
    }
    let mut t = Table::new(&["lot", "item", "made/received", "qty", "on hand", "expires", "unit cost"]);
    for l in list {
        t.row(vec![
            l.lot_code.clone(),
            l.item.clone(),
            when(l.at_ms),
            Quantity(l.qty).display(l.unit),
            Quantity(l.on_hand).display(l.unit),
            l.expires_on.clone().unwrap_or_default(),
            output::unit_cost(l.unit_cost_microcents, l.unit),
        ]);
    }
    Ok(t.render(format))
}

pub(crate) fn recipe(store: &mut Store, cmd: RecipeCmd, format: Format) -> Result<String> {
    Ok(match cmd {
        RecipeCmd::Set { sku, yield_qty, lines } => {
            let lines = lines
                .iter()
                .map(|l| pair(l, "--line", "Beeswax=170g").map(|(a, b)| (a.to_string(), b.to_string())))
                .collect::<Result<Vec<_>>>()?;
            recipe_out(&store.set_recipe(&sku, yield_qty, &lines)?, format)?
        }
        RecipeCmd::Show { sku } => recipe_out(&store.recipe(&sku)?, format)?,
    })
}

pub(crate) fn batch(store: &mut Store, cmd: BatchCmd, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok(match cmd {
        BatchCmd::Produce { sku, batches, lot, expires, allow_short, made } => {
            let b = store.produce(ProduceRequest {
                sku,
                batches,
                lot_code: lot,
                expires_on: opt_date(&expires, "--expires")?,
                allow_short,
                made,
            })?;
            if j {
                json(&b)?
            } else {
                let waste = match b.expected_qty {
                    Some(e) => format!(" ({} expected, {} short)", e, e - b.output_qty),
                    None => String::new(),
                };
                format!(
                    "Made {}{waste} × {} as lot {} for {} ({} each).\n",
                    b.output_qty,
                    b.sku,
                    b.lot_code,
                    money(b.cost_cents),
                    money(b.unit_cost_cents)
                )
            }
        }
        BatchCmd::List => batches_out(&store.list_batches(None)?, format)?,
    })
}

pub(crate) fn stock(store: &mut Store, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        let products = store.list_products(None, None)?;
        let supplies = store.list_supplies(false)?;
        if j {
            json(&serde_json::json!({ "products": products, "supplies": supplies }))?
        } else {
            let mut t = Table::new(&["kind", "item", "on hand", "alert at", "name"]);
            for p in products {
                t.row(vec!["product".into(), p.sku, p.on_hand.to_string(), p.low_stock_at.to_string(), p.name]);
            }
            for s in supplies {
                t.row(vec![
                    "supply".into(),
                    s.name,
                    Quantity(s.on_hand).display(s.unit),
                    Quantity(s.reorder_at).display(s.unit),
                    String::new(),
                ]);
            }
            t.render(format)
        }
    })
}

pub(crate) fn trace(store: &mut Store, cmd: TraceCmd, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok(match cmd {
        TraceCmd::SupplyLot { lot } => {
            let t = store.trace_supply_lot(&lot)?;
            if j {
                json(&t)?
            } else {
                output::supply_trace(&t, format)
            }
        }
        TraceCmd::ProductLot { lot } => {
            let t = store.trace_product_lot(&lot)?;
            if j {
                json(&t)?
            } else {
                output::product_trace(&t, format)
            }
        }
    })
}

pub(crate) fn alerts(store: &mut Store, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        let alerts = store.alerts()?;
        if j {
            json(&alerts)?
        } else if alerts.is_empty() && format == Format::Table {
            "No alerts: stock, supplies and expiry dates are fine.\n".into()
        } else {
            let mut t = Table::new(&["kind", "item", "message"]);
            for a in alerts {
                t.row(vec![serde_json::to_value(a.kind)?.as_str().unwrap_or_default().to_string(), a.item, a.message]);
            }
            t.render(format)
        }
    })
}
