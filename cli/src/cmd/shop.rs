//! A new database, and the shop's settings.
use super::*;
use wildroot_model::pricing::DiscountPreset;

#[derive(Subcommand)]
pub(crate) enum SettingsCmd {
    Show,
    /// Sales tax: --rate 8.25% [--inclusive]
    Tax {
        #[arg(long)]
        rate: String,
        /// Prices already include the tax.
        #[arg(long)]
        inclusive: bool,
    },
    BusinessName {
        name: String,
    },
    /// What receipts say of the shop: settings business --name N --address A [--refund-policy TEXT]
    Business {
        #[arg(long)]
        name: Option<String>,
        /// The place of business, printed on receipts and labels (empty clears it).
        #[arg(long)]
        address: Option<String>,
        /// Printed at the foot of every receipt (empty clears it).
        #[arg(long)]
        refund_policy: Option<String>,
    },
    /// This device's receipt printer: --tcp HOST:PORT | --device PATH [--width 58|80] [--auto|--no-auto]
    Printer(PrinterArgs),
    /// Email receipts from this device (a shop with no server; the owner):
    /// --smtp HOST:PORT --user U --password-file F [--starttls|--tls|--plain] [--from ADDRESS], or --off
    Mail(MailArgs),
    /// This device's receipt series prefix (A gives A-000001, A-000002 …).
    ReceiptPrefix {
        prefix: String,
    },
    /// The booth's preset discounts: `settings presets "Market regular = 10%" "Friend = 2.00"`
    /// replaces them; `--clear` removes them; with neither, lists them.
    Presets {
        presets: Vec<String>,
        #[arg(long, conflicts_with = "presets")]
        clear: bool,
    },
}

fn presets_out(presets: &[DiscountPreset], format: Format) -> Result<String> {
    if format == Format::Json {
        // Money in `_cents` keys, like every other figure the CLI prints.
        let rows: Vec<serde_json::Value> = presets
            .iter()
            .map(|p| match p.discount {
                wildroot_model::pricing::Discount::PercentBp(bp) => serde_json::json!({ "name": p.name, "percent_bp": bp }),
                wildroot_model::pricing::Discount::Amount(m) => serde_json::json!({ "name": p.name, "amount_cents": m.0 }),
            })
            .collect();
        return json(&serde_json::json!({ "presets": rows }));
    }
    let mut t = Table::new(&["preset", "discount"]);
    for p in presets {
        t.row(vec![p.name.clone(), p.discount.to_string()]);
    }
    Ok(t.render(format))
}

pub(crate) fn settings_out(store: &Store, format: Format) -> Result<String> {
    let tax = store.tax_rule()?;
    let name = store.business_name()?;
    let prefix = store.receipt_prefix()?;
    let address = store.business_address()?;
    let policy = store.refund_policy()?;
    if format == Format::Json {
        return json(&serde_json::json!({
            "business_name": name, "business_address": address, "refund_policy": policy,
            "tax_bp": tax.bp, "tax_inclusive": tax.inclusive,
            "receipt_prefix": prefix, "device": store.device(),
        }));
    }
    let mut t = Table::new(&["setting", "value"]);
    t.row(vec!["business name".into(), name]);
    t.row(vec!["business address".into(), address.unwrap_or_default()]);
    t.row(vec!["refund policy".into(), policy.unwrap_or_default()]);
    t.row(vec!["tax".into(), format!("{} {}", percent(tax.bp), if tax.inclusive { "included in prices" } else { "added to prices" })]);
    t.row(vec!["receipt prefix".into(), prefix]);
    t.row(vec!["device".into(), store.device().to_string()]);
    Ok(t.render(format))
}

pub(crate) fn init(store: &mut Store, path: &Path, demo: bool, fresh: bool, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        if demo {
            store.seed_demo()?;
        }
        let products = store.list_products(None, None)?.len();
        if j {
            json(&serde_json::json!({ "db": path, "created": fresh, "demo": demo, "products": products }))?
        } else {
            let what = if fresh { "Created" } else { "Opened" };
            let mut s = format!("{what} {} ({products} products).\n", path.display());
            if demo {
                s.push_str("Demo shop ready. Try: wildroot stock · wildroot alerts · wildroot report sales --by product\n");
            }
            s
        }
    })
}

pub(crate) fn settings(store: &mut Store, db: &std::path::Path, cmd: SettingsCmd, format: Format) -> Result<String> {
    Ok(match cmd {
        SettingsCmd::Show => settings_out(store, format)?,
        SettingsCmd::Tax { rate, inclusive } => {
            store.set_tax(TaxRule { bp: settings::parse_percent_bp(&rate)?, inclusive })?;
            settings_out(store, format)?
        }
        SettingsCmd::BusinessName { name } => {
            store.set_business_name(&name)?;
            settings_out(store, format)?
        }
        SettingsCmd::Business { name, address, refund_policy } => {
            if name.is_none() && address.is_none() && refund_policy.is_none() {
                bail!("give --name, --address or --refund-policy: what receipts should say");
            }
            if let Some(n) = &name {
                store.set_business_name(n)?;
            }
            store.set_business_details(address.as_deref(), refund_policy.as_deref())?;
            settings_out(store, format)?
        }
        SettingsCmd::Printer(args) => receipt::printer(store, args, format)?,
        SettingsCmd::Mail(args) => {
            if args.off {
                store.clear_mail()?;
            } else if let Some((server, password)) = args.read()? {
                let key = DeviceKey::load_or_create(&db.with_extension("key"))?;
                store.set_mail(&key, &server, &password)?;
            }
            receipt::mail_out(store.mail_server()?.as_ref(), format)?
        }
        SettingsCmd::ReceiptPrefix { prefix } => {
            store.set_receipt_prefix(&prefix)?;
            settings_out(store, format)?
        }
        SettingsCmd::Presets { presets, clear } => {
            let now = if clear {
                store.set_discount_presets(&[])?
            } else if presets.is_empty() {
                store.discount_presets()?
            } else {
                // One argument per preset, read by the same parser as the app's form.
                let parsed = DiscountPreset::parse_lines(&presets.join("\n")).map_err(|e| anyhow!(e))?;
                store.set_discount_presets(&parsed)?
            };
            presets_out(&now, format)?
        }
    })
}
