//! The commands, one module per family (its arguments, its run and its
//! tables); here the top-level `Command`, the dispatch and the readers of
//! arguments every family shares.
mod backup;
mod catalogue;
mod receipt;
mod report;
mod selling;
mod server;
mod shop;
mod shopify;
mod sync;
mod tax;

// Each family reads the others' items and this prelude through `use super::*`.
pub(crate) use backup::*;
pub(crate) use catalogue::*;
pub(crate) use receipt::*;
pub(crate) use report::*;
pub(crate) use selling::*;
pub(crate) use server::*;
pub(crate) use shop::*;
pub(crate) use shopify::*;
pub(crate) use sync::*;
pub(crate) use tax::*;

pub(crate) use crate::output;
pub(crate) use crate::output::{json, money, when, Format, Table};
pub(crate) use crate::Cli;
pub(crate) use anyhow::{anyhow, bail, Context, Result};
pub(crate) use chrono::NaiveDate;
pub(crate) use clap::{Args, Subcommand};
pub(crate) use std::path::Path;
pub(crate) use std::path::PathBuf;
pub(crate) use wildroot_core::batch::ProduceRequest;
pub(crate) use wildroot_core::customer::CustomerInput;
pub(crate) use wildroot_core::product::{NewProduct, ProductEdit};
pub(crate) use wildroot_core::report::GroupBy;
pub(crate) use wildroot_core::sale::{CustomItem, LineRequest, SaleRequest, TipRequest};
pub(crate) use wildroot_core::settings::{self, TaxRule};
pub(crate) use wildroot_core::shopify::client::RetryPolicy;
pub(crate) use wildroot_core::shopify::link::DeviceKey;
pub(crate) use wildroot_core::supply::{NewSupply, SupplyEdit};
pub(crate) use wildroot_core::Store;
pub(crate) use wildroot_model::money::percent;
pub(crate) use wildroot_model::pricing::Discount;
pub(crate) use wildroot_model::views::*;
pub(crate) use wildroot_model::{Money, Quantity, Unit};

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Create the database (with --demo, a believable maker's shop to explore).
    Init {
        #[arg(long)]
        demo: bool,
    },
    /// Raw materials: beeswax, oils, jars.
    #[command(subcommand)]
    Supply(SupplyCmd),
    /// What you sell.
    #[command(subcommand)]
    Product(ProductCmd),
    /// Bills of materials.
    #[command(subcommand)]
    Recipe(RecipeCmd),
    /// Production batches.
    #[command(subcommand)]
    Batch(BatchCmd),
    /// Market days.
    #[command(subcommand)]
    Event(EventCmd),
    /// Ring up a sale: --line SKU=QTY … --pay cash=AMOUNT …
    Sell(SellArgs),
    /// Refund a sale, whole or some lines.
    Refund {
        /// Receipt number (A-000123) or sale id.
        sale: String,
        /// SKU=QTY to refund; none refunds the whole sale.
        #[arg(long = "line")]
        lines: Vec<String>,
        /// Do not put the goods back in stock (damaged, used).
        #[arg(long)]
        no_restock: bool,
    },
    /// A sale's receipt: as text, html, pdf or escpos, to a file, or printed.
    Receipt(ReceiptArgs),
    /// Labels for a product lot: ingredients by weight, net content, lot, best-before and its barcode, as a PDF.
    Label(LabelArgs),
    /// Void a sale rung up in error: it leaves the reports and its stock returns.
    Void {
        sale: String,
        #[arg(long, default_value = "voided")]
        reason: String,
    },
    /// Customers and their purchases.
    #[command(subcommand)]
    Customer(CustomerCmd),
    /// Stock on hand of every product and supply.
    Stock,
    /// The lots of a product (earliest expiry first) or a supply (oldest
    /// purchase first) with what is left of each.
    Lots {
        /// A product's SKU or a supply's name.
        item: String,
        /// Include lots used up.
        #[arg(long)]
        all: bool,
    },
    /// Recall: follow a lot to the customers who bought from it.
    #[command(subcommand)]
    Trace(TraceCmd),
    /// Low stock, reorder, oversold and expiring alerts.
    Alerts,
    /// Sales, valuation, margins, production and event reports.
    #[command(subcommand)]
    Report(ReportCmd),
    /// Tax rate, business name, this device's receipt prefix.
    #[command(subcommand)]
    Settings(SettingsCmd),
    /// The places you sell at and their tax rates.
    #[command(subcommand)]
    Tax(TaxCmd),
    /// Ways to pay beyond cash and card: SNAP, market tokens, checks.
    #[command(subcommand)]
    Tender(TenderCmd),
    /// Run the central sync server (--db is the server's database).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080", env = "WILDROOT_LISTEN")]
        listen: String,
        #[command(flatten)]
        storage: ServerStorage,
        /// The Shopify app's client secret, which signs its webhooks to
        /// /api/v1/shopify/webhooks. From the environment only, never argv.
        #[arg(skip = std::env::var("WILDROOT_SHOPIFY_WEBHOOK_SECRET").ok())]
        shopify_webhook_secret: Option<String>,
        /// The key that seals the server's Shopify token (default: beside
        /// the SQLite database, or in the data directory with PostgreSQL).
        #[arg(long, env = "WILDROOT_SERVER_KEY_FILE")]
        key_file: Option<PathBuf>,
        /// Seconds between the server's Shopify imports (when connected with
        /// `wildroot server shopify connect`).
        #[arg(long, env = "WILDROOT_SHOPIFY_POLL_SECONDS", default_value_t = 300)]
        shopify_poll_seconds: u64,
        /// Seconds between the server's tries at emailing queued receipts
        /// (a sync that brings a request wakes it at once).
        #[arg(long, env = "WILDROOT_MAIL_POLL_SECONDS", default_value_t = 60)]
        mail_poll_seconds: u64,
    },
    /// Manage the server's users and devices (--db is the server's database).
    Server {
        #[command(flatten)]
        storage: ServerStorage,
        #[command(subcommand)]
        cmd: ServerCmd,
    },
    /// Connect this device to a server (password from stdin or a prompt), then sync.
    Login {
        #[arg(long)]
        server: String,
        #[arg(long)]
        email: String,
        /// This device's name as the owner will see it.
        #[arg(long)]
        device: Option<String>,
    },
    /// Copy the database safely (even while the app runs), or restore a copy.
    #[command(subcommand)]
    Backup(BackupCmd),
    /// Check the database: integrity, replay, running totals, sync, clock.
    Doctor,
    /// Push this device's changes and pull everyone else's; `sync status` shows where it stands.
    Sync {
        #[command(subcommand)]
        cmd: Option<SyncCmd>,
    },
    /// The Shopify store: connect it, see held lines, map SKUs.
    #[command(subcommand)]
    Shopify(ShopifyCmd),
    /// Bring in what happened elsewhere.
    #[command(subcommand)]
    Import(ImportCmd),
}

pub(crate) fn run(cli: Cli, format: Format) -> Result<String> {
    match cli.command {
        Command::Serve { listen, storage, shopify_webhook_secret, key_file, shopify_poll_seconds, mail_poll_seconds } => {
            return serve_cmd(
                cli.db,
                &listen,
                storage.database_url,
                shopify_webhook_secret,
                key_file,
                shopify_poll_seconds,
                mail_poll_seconds,
            )
        }
        Command::Server { storage, cmd } => return server_cmd(cli.db, storage, cmd, format),
        _ => {}
    }
    let path = match cli.db {
        Some(p) => p,
        None => default_db()?,
    };
    if let Command::Backup(BackupCmd::Restore { path: from }) = &cli.command {
        // Nothing may hold the store open while it is replaced.
        let mut shown = crate::progress::Progress::new(format);
        let r = wildroot_core::backup::restore_with_progress(&path, from, &mut |stage| shown.say(&format!("Restoring: {stage}…")))?;
        drop(shown);
        return Ok(if format == Format::Json {
            json(&serde_json::json!({
                "restored": from, "db": path, "kept": r.kept, "recovered": r.recovered,
                "recovered_sales": r.recovered_sales, "unreadable": r.unreadable,
            }))?
        } else {
            let kept = r.kept.as_ref().map(|k| format!(" The database it replaced is kept as {}.", k.display())).unwrap_or_default();
            let back = match (&r.unreadable, r.recovered) {
                (Some(why), _) => format!(
                    "\nNothing was brought back from the replaced database ({why}): what this device synced since the backup comes back with `wildroot sync`."
                ),
                (None, 0) => String::new(),
                (None, n) => format!(
                    "\n{} sale(s) and {} other change(s) made after this backup were in the replaced database and came back.",
                    r.recovered_sales,
                    n - r.recovered_sales
                ),
            };
            format!("Restored {} into {}.{kept}{back}\n", from.display(), path.display())
        });
    }
    let fresh = !path.exists();
    if fresh && !matches!(cli.command, Command::Init { .. }) {
        bail!(
            "there is no database at {}: create one with `wildroot init` (or `wildroot init --demo` to explore), or give --db PATH",
            path.display()
        );
    }
    let mut store = Store::open(&path).with_context(|| format!("opening {}", path.display()))?;
    Ok(match cli.command {
        Command::Init { demo } => shop::init(&mut store, &path, demo, fresh, format)?,
        Command::Supply(cmd) => supply(&mut store, cmd, format)?,
        Command::Product(cmd) => product(&mut store, cmd, format)?,
        Command::Recipe(cmd) => catalogue::recipe(&mut store, cmd, format)?,
        Command::Batch(cmd) => catalogue::batch(&mut store, cmd, format)?,
        Command::Event(cmd) => selling::event(&mut store, cmd, format)?,
        Command::Sell(args) => selling::sell(&mut store, args, format)?,
        Command::Refund { sale, lines, no_restock } => selling::refund(&mut store, sale, lines, no_restock, format)?,
        Command::Void { sale, reason } => selling::void(&mut store, sale, reason, format)?,
        Command::Receipt(args) => receipt::receipt(&mut store, &path, args, format)?,
        Command::Label(args) => receipt::label(&store, args, format)?,
        Command::Customer(cmd) => customer(&mut store, cmd, format)?,
        Command::Stock => catalogue::stock(&mut store, format)?,
        Command::Lots { item, all } => lots_out(&store.list_lots(&item, all)?, format)?,
        Command::Trace(cmd) => catalogue::trace(&mut store, cmd, format)?,
        Command::Alerts => catalogue::alerts(&mut store, format)?,
        Command::Report(cmd) => report(&store, cmd, format)?,
        Command::Serve { .. } | Command::Server { .. } | Command::Backup(BackupCmd::Restore { .. }) => {
            bail!("this command does not use an open local store")
        }
        Command::Backup(BackupCmd::Auto) => backup::auto(&mut store, &path, format)?,
        Command::Backup(BackupCmd::List) => backup::list(&path, format)?,
        Command::Backup(BackupCmd::Create { path: to }) => backup::create(&mut store, &path, to, format)?,
        Command::Doctor => backup::doctor(&mut store, format)?,
        Command::Login { server, email, device } => sync::login(store, server, email, device, format)?,
        Command::Sync { cmd: None } => sync::sync_now(store, format)?,
        Command::Shopify(cmd) => shopify(store, &path, cmd, format)?,
        Command::Import(ImportCmd::Shopify { since, bulk, paged }) => shopify::import(store, &path, since, bulk, paged, format)?,
        Command::Sync { cmd: Some(SyncCmd::Export { path: to }) } => sync::export(&mut store, to, format)?,
        Command::Sync { cmd: Some(SyncCmd::Import { path: from }) } => sync::import_file(&mut store, from, format)?,
        Command::Sync { cmd: Some(SyncCmd::Status) } => sync::status(&mut store, format)?,
        Command::Settings(cmd) => shop::settings(&mut store, &path, cmd, format)?,
        Command::Tax(cmd) => tax::tax(&mut store, cmd, format)?,
        Command::Tender(cmd) => tax::tender(&mut store, cmd, format)?,
    })
}

pub(crate) fn default_db() -> Result<PathBuf> {
    let dir = dirs::data_dir().ok_or_else(|| anyhow!("no data directory on this system: give --db PATH"))?;
    Ok(dir.join("wildroot").join("wildroot.db"))
}

// Arguments are read by `model::field`, the parsers the app uses too.
pub(crate) fn date(s: &str, flag: &str) -> Result<NaiveDate> {
    wildroot_model::field::day(flag, s).map_err(|e| anyhow!(e))
}

pub(crate) fn opt_date(s: &Option<String>, flag: &str) -> Result<Option<NaiveDate>> {
    s.as_deref().map(|s| date(s, flag)).transpose()
}

pub(crate) fn amount(s: &str, flag: &str) -> Result<Money> {
    wildroot_model::field::amount(flag, s).map_err(|e| anyhow!(e))
}

pub(crate) fn count(s: &str, what: &str) -> Result<i64> {
    wildroot_model::field::whole(what, s).map_err(|e| anyhow!(e))
}

/// Splits `KEY=VALUE`, naming the flag in the error.
pub(crate) fn pair<'a>(s: &'a str, flag: &str, example: &str) -> Result<(&'a str, &'a str)> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => Ok((k.trim(), v.trim())),
        _ => bail!("{flag} '{s}' is not KEY=VALUE: type it like {example}"),
    }
}

/// Midnight UTC of a day, in milliseconds.
pub(crate) fn day_start_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or_default()
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?)
}

/// A password from the terminal without echo, or the first line of stdin
/// when it is piped (scripts, tests).
pub(crate) fn read_password(prompt: &str) -> Result<String> {
    use std::io::{BufRead, IsTerminal};
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt)?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    if password.is_empty() {
        bail!("no password given: type it at the prompt or pipe it on stdin");
    }
    Ok(password)
}
