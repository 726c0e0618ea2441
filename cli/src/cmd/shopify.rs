//! The Shopify link, its import and its catalogue.
use super::*;

#[derive(Subcommand)]
pub(crate) enum ShopifyCmd {
    /// Connect this device to a Shopify store; the Admin API token is read
    /// from a file (never the command line) and stored encrypted.
    Connect {
        /// The store: my-shop, my-shop.myshopify.com or a full https:// address.
        #[arg(long)]
        shop: String,
        /// A file holding the Admin API access token (`-` reads stdin).
        #[arg(long)]
        token_file: PathBuf,
        /// The Admin API version, like 2026-10.
        #[arg(long)]
        api_version: Option<String>,
        /// The Shopify location whose stock Wildroot keeps (number or gid).
        #[arg(long)]
        location: Option<String>,
        /// Where the first import starts (YYYY-MM-DD, UTC; default: 60 days ago).
        #[arg(long)]
        since: Option<String>,
    },
    /// Where the import stands.
    Status,
    /// Online lines whose SKU matches no product, held until mapped.
    Unmatched,
    /// Online lines with SHOPIFY_SKU are PRODUCT_SKU from now on; held ones are applied.
    Map { shopify_sku: String, product_sku: String },
    /// The Shopify catalogue beside ours: links, missing products and
    /// differences in title, price and barcode (nothing changes unless asked).
    Products {
        /// Link variants to the products with their SKU (for stock push-back).
        #[arg(long)]
        link: bool,
        /// Create the products Wildroot lacks, as Shopify describes them, and link them.
        #[arg(long)]
        create_missing: bool,
        /// Shopify wins for this product: take its title, price and barcode. Repeatable.
        #[arg(long = "take-shopify", value_name = "SKU")]
        take_shopify: Vec<String>,
        /// Wildroot wins for this product: write its price and barcode to the
        /// Shopify variant, and its name as the title of a single-variant product. Repeatable.
        #[arg(long = "push-wildroot", value_name = "SKU")]
        push_wildroot: Vec<String>,
    },
    /// Set Shopify's available quantities from Wildroot's stock for linked
    /// products (imports orders first so a recent online sale is counted).
    PushStock {
        /// Say what would be set; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// The Shopify location to set (number or gid); remembered.
        #[arg(long)]
        location: Option<String>,
        /// `on`: push after every background import (in the app) from now on;
        /// `off`: only when asked. Pushes nothing itself.
        #[arg(long, value_parser = ["on", "off"])]
        auto: Option<String>,
    },
    /// Forget the store and its token on this device.
    Disconnect,
}

#[derive(Subcommand)]
pub(crate) enum ImportCmd {
    /// Online orders updated since the last import (or since --since).
    Shopify {
        /// Read again from this date (YYYY-MM-DD, UTC); nothing is counted twice.
        #[arg(long)]
        since: Option<String>,
        /// Read with one Shopify bulk operation (the default when the import
        /// starts more than 90 days back).
        #[arg(long, conflicts_with = "paged")]
        bulk: bool,
        /// Read page by page (the default for recent orders).
        #[arg(long)]
        paged: bool,
    },
}

pub(crate) fn shopify(mut store: Store, db: &std::path::Path, cmd: ShopifyCmd, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok(match cmd {
        ShopifyCmd::Connect { shop, token_file, api_version, location, since } => {
            let token = read_token(&token_file)?;
            let since = opt_date(&since, "--since")?.map(day_start_ms);
            // Checked before the token is kept, so a typo keeps nothing.
            store.configure_shopify_import(since, api_version.as_deref(), location.as_deref())?;
            let key = DeviceKey::load_or_create(&db.with_extension("key"))?;
            let base = store.link_shopify(&shop, &token, &key)?;
            shopify_status(
                &store,
                format,
                format!("Connected to {base}; the token is stored encrypted. Import with `wildroot import shopify`.\n"),
            )?
        }
        ShopifyCmd::Status => shopify_status(&store, format, String::new())?,
        ShopifyCmd::Unmatched => {
            let held = store.shopify_unmatched()?;
            if j {
                json(&held)?
            } else if held.is_empty() {
                "Every online line matches a product.\n".into()
            } else {
                let mut t = Table::new(&["shopify sku", "lines", "units", "orders"]);
                for u in &held {
                    let sku = if u.sku.is_empty() { "(no SKU: fix in Shopify)".to_string() } else { u.sku.clone() };
                    t.row(vec![sku, u.lines.to_string(), u.units.to_string(), u.orders.join(" ")]);
                }
                t.render(format) + "Map one with `wildroot shopify map SHOPIFY_SKU PRODUCT_SKU`.\n"
            }
        }
        ShopifyCmd::Map { shopify_sku, product_sku } => {
            let applied = store.map_shopify_sku(&shopify_sku, &product_sku)?;
            let p = store.product(&product_sku)?;
            if j {
                json(
                    &serde_json::json!({ "shopify_sku": shopify_sku.trim(), "product": p.sku, "applied_lines": applied, "on_hand": p.on_hand }),
                )?
            } else {
                format!(
                    "{} is {} ({}) from now on: {applied} held line(s) applied; {} on hand.\n",
                    shopify_sku.trim(),
                    p.sku,
                    p.name,
                    p.on_hand
                )
            }
        }
        ShopifyCmd::Products { link, create_missing, take_shopify, push_wildroot } => {
            if let Some(both) = take_shopify.iter().find(|t| push_wildroot.iter().any(|p| p.trim().eq_ignore_ascii_case(t.trim()))) {
                bail!("{both} is named by both --take-shopify and --push-wildroot: choose which side wins for it");
            }
            let key = DeviceKey::load_or_create(&db.with_extension("key"))?;
            let mut client = wildroot_core::shopify::import::linked_client(&store, &key, RetryPolicy::default())?;
            let rt = runtime()?;
            let mut variants = rt.block_on(client.all_variants())?;
            let mut pushed = Vec::new();
            if !push_wildroot.is_empty() {
                let shared = std::sync::Mutex::new(store);
                pushed =
                    rt.block_on(wildroot_core::shopify::catalogue::push_wildroot_fields(&shared, &mut client, &variants, &push_wildroot))?;
                store = shared.into_inner().map_err(|_| anyhow!("the store is unusable after a failure: run the command again"))?;
                // What Shopify holds now, for the comparison below.
                variants = rt.block_on(client.all_variants())?;
            }
            let mut done = Vec::new();
            if create_missing {
                let made = store.create_missing_from_shopify(&variants)?;
                done.push(format!(
                    "created {} product(s){}",
                    made.len(),
                    if made.is_empty() { String::new() } else { format!(": {}", made.join(", ")) }
                ));
            }
            if link {
                done.push(format!("linked {} variant(s)", store.link_shopify_variants(&variants)?));
            }
            if !take_shopify.is_empty() {
                done.push(format!(
                    "took Shopify's title, price and barcode for {} product(s)",
                    store.take_shopify_fields(&variants, &take_shopify)?
                ));
            }
            let rows = store.shopify_catalogue(&variants)?;
            if j {
                json(&serde_json::json!({ "done": done, "pushed": pushed, "variants": rows }))?
            } else {
                let mut t = Table::new(&["shopify sku", "shopify", "price", "state", "product", "differs"]);
                for r in &rows {
                    t.row(vec![
                        r.shopify_sku.clone().unwrap_or_else(|| "(none)".into()),
                        r.shopify_title.clone(),
                        money(r.shopify_price_cents),
                        r.state.clone(),
                        r.product_sku.as_ref().map(|s| format!("{s} {}", r.product_name.clone().unwrap_or_default())).unwrap_or_default(),
                        r.differences.join(", "),
                    ]);
                }
                let mut out = done.iter().map(|d| format!("{}{}.\n", d[..1].to_uppercase(), &d[1..])).collect::<String>();
                for p in &pushed {
                    let what = match p.outcome.as_str() {
                        "unchanged" => "nothing differed".to_string(),
                        _ if p.written.is_empty() => "nothing written".to_string(),
                        _ => format!("wrote {}", p.written.join(", ")),
                    };
                    out.push_str(&format!(
                        "Shopify ← {} {}: {what}{}.\n",
                        p.sku,
                        p.name,
                        p.message.as_ref().map(|m| format!(" ({m})")).unwrap_or_default()
                    ));
                }
                out.push_str(&t.render(format));
                if rows.iter().any(|r| !r.differences.is_empty()) {
                    out.push_str(
                        "Where they differ, nothing was changed: `--take-shopify SKU` takes Shopify's side for a product, `--push-wildroot SKU` writes Wildroot's.\n",
                    );
                }
                out
            }
        }
        ShopifyCmd::PushStock { dry_run, location, auto } => {
            if location.is_some() {
                store.configure_shopify_import(None, None, location.as_deref())?;
            }
            if let Some(auto) = auto {
                store.set_shopify_push_stock(auto == "on")?;
                let said = if auto == "on" {
                    "Shopify's stock is set from Wildroot's after every background import (the app's, while this device is linked).\n"
                } else {
                    "Shopify's stock is set only when you run `wildroot shopify push-stock`.\n"
                };
                return shopify_status(&store, format, said.into());
            }
            let key = DeviceKey::load_or_create(&db.with_extension("key"))?;
            let mut client = wildroot_core::shopify::import::linked_client(&store, &key, RetryPolicy::default())?;
            let store = std::sync::Mutex::new(store);
            let rt = runtime()?;
            if !dry_run {
                eprintln!("Importing Shopify orders first…");
                rt.block_on(wildroot_core::shopify::import::import_orders(&store, &mut client))?;
            }
            let lines = rt.block_on(wildroot_core::shopify::stock::push_stock(&store, &mut client, dry_run))?;
            if j {
                json(&lines)?
            } else if lines.is_empty() {
                "No product is linked to a Shopify variant: run `wildroot shopify products --link` first.\n".into()
            } else {
                let mut t = Table::new(&["sku", "product", "wildroot", "shopify was", "outcome"]);
                for l in &lines {
                    let outcome = match &l.message {
                        Some(m) => format!("{}: {m}", l.outcome.replace('_', " ")),
                        None => l.outcome.replace('_', " "),
                    };
                    t.row(vec![
                        l.sku.clone(),
                        l.name.clone(),
                        l.wildroot.to_string(),
                        l.shopify.map(|q| q.to_string()).unwrap_or_default(),
                        outcome,
                    ]);
                }
                t.render(format)
            }
        }
        ShopifyCmd::Disconnect => {
            store.unlink_shopify()?;
            if j {
                json(&serde_json::json!({ "connected": false }))?
            } else {
                "This device no longer holds the Shopify token; imported orders stay.\n".into()
            }
        }
    })
}

pub(crate) fn shopify_status(store: &Store, format: Format, intro: String) -> Result<String> {
    let v = store.shopify_import_view()?;
    if format == Format::Json {
        return json(&v);
    }
    let mut t = Table::new(&["shopify", ""]);
    t.row(vec!["store".into(), v.shop.clone().unwrap_or_else(|| "none: wildroot shopify connect --shop NAME --token-file F".into())]);
    t.row(vec!["api version".into(), v.api_version.clone()]);
    t.row(vec!["first import from".into(), v.since_ms.map(when).unwrap_or_default()]);
    t.row(vec!["orders in up to".into(), v.cursor_ms.map(when).unwrap_or_else(|| "none yet".into())]);
    t.row(vec!["orders".into(), v.orders.to_string()]);
    t.row(vec!["held SKUs".into(), v.unmatched_skus.to_string()]);
    t.row(vec!["location".into(), v.location_gid.clone().unwrap_or_default()]);
    t.row(vec!["stock push-back".into(), if v.push_stock { "after every import".into() } else { "when asked".into() }]);
    t.row(vec!["last run".into(), v.last_run_ms.map(when).unwrap_or_else(|| "never".into())]);
    t.row(vec!["last error".into(), v.last_error.clone().unwrap_or_default()]);
    Ok(intro + &t.render(format))
}

/// The import's progress, for a person at a terminal (see `crate::progress`):
/// what Shopify has gathered, then a bar of orders recorded against the total.
pub(crate) fn import_progress(shown: &mut crate::progress::Progress, p: wildroot_core::shopify::import::ImportProgress) {
    use wildroot_core::shopify::import::ImportProgress;
    match p {
        ImportProgress::BulkRunning { objects } => shown.say(&format!("Shopify is gathering the orders: {objects} object(s) so far…")),
        ImportProgress::Recorded { recorded, total } => shown.bar(recorded, total, "orders recorded"),
    }
}

pub(crate) fn import(mut store: Store, path: &Path, since: Option<String>, bulk: bool, paged: bool, format: Format) -> Result<String> {
    let j = format == Format::Json;
    Ok({
        use wildroot_core::shopify::import::{import_linked, ImportWay};
        if let Some(d) = opt_date(&since, "--since")? {
            store.restart_shopify_import(day_start_ms(d))?;
        }
        let key = DeviceKey::load_or_create(&path.with_extension("key"))?;
        let store = std::sync::Mutex::new(store);
        let way = match (bulk, paged) {
            (true, _) => ImportWay::Bulk,
            (_, true) => ImportWay::Paged,
            _ => ImportWay::Auto,
        };
        let mut shown = crate::progress::Progress::new(format);
        shown.say("Importing Shopify orders…");
        let report =
            runtime()?.block_on(import_linked(&store, &key, RetryPolicy::default(), way, &mut |p| import_progress(&mut shown, p)))?;
        drop(shown);
        if j {
            json(&report)?
        } else {
            let mut s = format!(
                "Read {} order update(s) in {} page(s){}: {} new, {} already here.\n",
                report.orders,
                report.pages,
                if report.bulk { " with a bulk operation" } else { "" },
                report.recorded,
                report.unchanged
            );
            if let Some(w) = &report.version_warning {
                s.push_str(&format!("Warning: {w}\n"));
            }
            if report.unmatched_skus > 0 {
                s.push_str(&format!(
                    "{} SKU(s) match no product; their lines are held: see `wildroot shopify unmatched`.\n",
                    report.unmatched_skus
                ));
            }
            s
        }
    })
}
