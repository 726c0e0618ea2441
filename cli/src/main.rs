//! `wildroot`: the whole shop from a terminal, over the same core as the app.
//!
//! Arguments are parsed here into typed requests (amounts exactly, dates,
//! `SKU=QTY` pairs); every rule lives in `wildroot-core`.
#![forbid(unsafe_code)]

mod hints;
mod output;

use anyhow::{anyhow, bail, Context, Result};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use output::{json, money, when, Format, Table};
use std::path::PathBuf;
use wildroot_core::batch::ProduceRequest;
use wildroot_core::customer::CustomerInput;
use wildroot_core::product::{NewProduct, ProductEdit};
use wildroot_core::report::GroupBy;
use wildroot_core::sale::{LineRequest, SaleRequest};
use wildroot_core::settings::{self, TaxRule};
use wildroot_core::shopify::client::RetryPolicy;
use wildroot_core::shopify::link::DeviceKey;
use wildroot_core::supply::{NewSupply, SupplyEdit};
use wildroot_core::Store;
use wildroot_model::money::percent;
use wildroot_model::op::PayMethod;
use wildroot_model::pricing::Discount;
use wildroot_model::views::*;
use wildroot_model::{Money, Quantity, Unit};

#[derive(Parser)]
#[command(name = "wildroot", version, about = "Point of sale and inventory for makers of handmade botanical goods")]
struct Cli {
    /// The local database (default: the platform data dir, e.g. ~/.local/share/wildroot/wildroot.db).
    #[arg(long, global = true, env = "WILDROOT_DB")]
    db: Option<PathBuf>,
    /// Print JSON for programs: money as integer cents in keys ending _cents, quantities in base units.
    #[arg(long, global = true)]
    json: bool,
    /// Print tables as CSV, for spreadsheets.
    #[arg(long, global = true, conflicts_with = "json")]
    csv: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
    /// Run the central sync server (--db is the server's database).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080", env = "WILDROOT_LISTEN")]
        listen: String,
        /// PostgreSQL instead of the SQLite file.
        #[arg(long, env = "WILDROOT_DATABASE_URL")]
        database_url: Option<String>,
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
    },
    /// Manage the server's users and devices (--db is the server's database).
    #[command(subcommand)]
    Server(ServerCmd),
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

#[derive(Subcommand)]
enum TraceCmd {
    /// A supply lot forward: the batches made with it and everyone who bought from them.
    SupplyLot { lot: String },
    /// A product lot both ways: the supply lots it was made from, and everyone who bought from it.
    ProductLot { lot: String },
}

#[derive(Subcommand)]
enum ShopifyCmd {
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
enum ImportCmd {
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

#[derive(Subcommand)]
enum BackupCmd {
    /// Write a consistent copy (default: the data dir's backups/ folder).
    Create { path: Option<PathBuf> },
    /// Check a backup, then put it in place of the database (the old one is kept).
    Restore { path: PathBuf },
    /// Today's automatic backup, if not made yet, then prune the automatic
    /// ones to the last 7 days and 4 weeks (for cron; the app does it itself).
    Auto,
    /// The backups in the data dir's backups/ folder, newest first.
    List,
}

#[derive(Subcommand)]
enum ServerBackupCmd {
    /// With the server stopped: put a backup back (SQLite: a `server backup`
    /// copy; PostgreSQL: a `pg_dump -Fc` file, with pg_restore) and give the
    /// log a new epoch, so every device sends again what the backup lacks.
    Restore {
        file: PathBuf,
        #[arg(long, env = "WILDROOT_DATABASE_URL")]
        database_url: Option<String>,
    },
}

#[derive(Subcommand)]
enum ServerCmd {
    /// Users who may log in.
    #[command(subcommand)]
    User(UserCmd),
    /// Devices registered with the server.
    Devices {
        #[arg(long, env = "WILDROOT_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Copy the server's SQLite database while it runs (PostgreSQL: use
    /// pg_dump); `backup restore FILE` puts a copy back.
    #[command(args_conflicts_with_subcommands = true)]
    Backup {
        path: Option<PathBuf>,
        #[arg(long, env = "WILDROOT_DATABASE_URL")]
        database_url: Option<String>,
        #[command(subcommand)]
        cmd: Option<ServerBackupCmd>,
    },
    /// Store a device's exported changes (`wildroot sync export`) as if it
    /// had synced them; importing the same file again stores nothing new.
    ImportOps {
        path: PathBuf,
        #[arg(long, env = "WILDROOT_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Revoke a device (id or a unique prefix): it can no longer sync.
    Revoke {
        device: String,
        #[arg(long, env = "WILDROOT_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// The server's own Shopify import: the token is kept on the server,
    /// sealed, and no device needs it.
    #[command(subcommand)]
    Shopify(ServerShopifyCmd),
}

#[derive(Subcommand)]
enum ServerShopifyCmd {
    /// Link the server to a store. The token is read from a file (never the
    /// command line), tried once, then sealed; `wildroot serve` imports from then on.
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
        /// Where the first import starts (YYYY-MM-DD, UTC; default: 60 days ago).
        #[arg(long)]
        since: Option<String>,
        #[arg(long, env = "WILDROOT_SERVER_KEY_FILE")]
        key_file: Option<PathBuf>,
        #[arg(long, env = "WILDROOT_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Where the server's import stands.
    Status {
        #[arg(long, env = "WILDROOT_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Import now, once (the running server also does, on its own schedule).
    Import {
        #[arg(long, env = "WILDROOT_SERVER_KEY_FILE")]
        key_file: Option<PathBuf>,
        #[arg(long, env = "WILDROOT_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Stop importing and forget the token.
    Disconnect {
        #[arg(long, env = "WILDROOT_DATABASE_URL")]
        database_url: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user; the password is read from stdin or a prompt.
    Add {
        #[arg(long)]
        email: String,
        /// owner or vendor
        #[arg(long)]
        role: String,
        #[arg(long, env = "WILDROOT_DATABASE_URL")]
        database_url: Option<String>,
    },
}

#[derive(Subcommand)]
enum SyncCmd {
    /// Online or not, pending changes, last success, refusals and errors.
    Status,
    /// Write this device's not-yet-synced changes to a file, to carry by
    /// hand to the server (`wildroot server import-ops`) or another device.
    Export { path: PathBuf },
    /// Apply another device's exported changes here (each once).
    Import { path: PathBuf },
}

#[derive(Subcommand)]
enum SupplyCmd {
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
struct ProductFieldsArgs {
    #[arg(long)]
    name: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    price: Option<String>,
    #[arg(long)]
    category: Option<String>,
    #[arg(long)]
    barcode: Option<String>,
    /// Alert when stock falls to this many.
    #[arg(long, allow_hyphen_values = true)]
    low_stock: Option<i64>,
}

#[derive(Subcommand)]
enum ProductCmd {
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
enum RecipeCmd {
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
enum BatchCmd {
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
enum EventCmd {
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
struct SellArgs {
    /// SKU=QTY, optionally SKU=QTY@PRICE and/or ~DISCOUNT (SALVE=2~10%).
    #[arg(long = "line", required = true)]
    lines: Vec<String>,
    /// Whole-sale discount: 10% or an amount.
    #[arg(long)]
    discount: Option<String>,
    /// Customer email, phone or id.
    #[arg(long)]
    customer: Option<String>,
    /// Add the --customer (an email or phone) with the sale if no customer
    /// has it; a refused sale adds no one.
    #[arg(long, requires = "customer")]
    new_customer: bool,
    /// cash=AMOUNT, card=AMOUNT or other=AMOUNT; repeat to split.
    #[arg(long = "pay")]
    payments: Vec<String>,
}

#[derive(Subcommand)]
enum CustomerCmd {
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

#[derive(Args)]
struct Period {
    /// First day, YYYY-MM-DD (UTC).
    #[arg(long)]
    from: Option<String>,
    /// Last day, YYYY-MM-DD (UTC), inclusive.
    #[arg(long)]
    to: Option<String>,
}

#[derive(Subcommand)]
enum ReportCmd {
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
}

#[derive(Subcommand)]
enum SettingsCmd {
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
    /// This device's receipt series prefix (A gives A-000001, A-000002 …).
    ReceiptPrefix {
        prefix: String,
    },
}

fn main() {
    let cli = Cli::parse();
    let format = if cli.json {
        Format::Json
    } else if cli.csv {
        Format::Csv
    } else {
        Format::Table
    };
    match run(cli, format) {
        Ok(out) => print!("{out}"),
        Err(e) => {
            match hints::hint(&e) {
                Some(h) => eprintln!("error: {e:#} ({h})"),
                None => eprintln!("error: {e:#}"),
            }
            std::process::exit(1);
        }
    }
}

fn default_db() -> Result<PathBuf> {
    let dir = dirs::data_dir().ok_or_else(|| anyhow!("no data directory on this system: give --db PATH"))?;
    Ok(dir.join("wildroot").join("wildroot.db"))
}

// Arguments are read by `model::field`, the parsers the app uses too.
fn date(s: &str, flag: &str) -> Result<NaiveDate> {
    wildroot_model::field::day(flag, s).map_err(|e| anyhow!(e))
}

fn opt_date(s: &Option<String>, flag: &str) -> Result<Option<NaiveDate>> {
    s.as_deref().map(|s| date(s, flag)).transpose()
}

fn amount(s: &str, flag: &str) -> Result<Money> {
    wildroot_model::field::amount(flag, s).map_err(|e| anyhow!(e))
}

fn count(s: &str, what: &str) -> Result<i64> {
    wildroot_model::field::whole(what, s).map_err(|e| anyhow!(e))
}

/// Splits `KEY=VALUE`, naming the flag in the error.
fn pair<'a>(s: &'a str, flag: &str, example: &str) -> Result<(&'a str, &'a str)> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => Ok((k.trim(), v.trim())),
        _ => bail!("{flag} '{s}' is not KEY=VALUE: type it like {example}"),
    }
}

fn sale_line(s: &str) -> Result<LineRequest> {
    let (sku, rest) = pair(s, "--line", "SALVE=2")?;
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
    Ok(LineRequest { key: sku.to_string(), qty: count(qty, &format!("the quantity in --line {s}"))?, unit_price: price, discount, lot })
}

fn refund_lines(lines: &[String]) -> Result<Vec<(String, i64)>> {
    lines
        .iter()
        .map(|l| {
            let (sku, q) = pair(l, "--line", "SALVE=1")?;
            Ok((sku.to_string(), count(q, &format!("the quantity in --line {l}"))?))
        })
        .collect()
}

fn run(cli: Cli, format: Format) -> Result<String> {
    match cli.command {
        Command::Serve { listen, database_url, shopify_webhook_secret, key_file, shopify_poll_seconds } => {
            return serve_cmd(cli.db, &listen, database_url, shopify_webhook_secret, key_file, shopify_poll_seconds)
        }
        Command::Server(cmd) => return server_cmd(cli.db, cmd, format),
        _ => {}
    }
    let path = match cli.db {
        Some(p) => p,
        None => default_db()?,
    };
    if let Command::Backup(BackupCmd::Restore { path: from }) = &cli.command {
        // Nothing may hold the store open while it is replaced.
        let r = wildroot_core::backup::restore(&path, from)?;
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
    let j = format == Format::Json;
    Ok(match cli.command {
        Command::Init { demo } => {
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
        }
        Command::Supply(cmd) => supply(&mut store, cmd, format)?,
        Command::Product(cmd) => product(&mut store, cmd, format)?,
        Command::Recipe(cmd) => match cmd {
            RecipeCmd::Set { sku, yield_qty, lines } => {
                let lines = lines
                    .iter()
                    .map(|l| pair(l, "--line", "Beeswax=170g").map(|(a, b)| (a.to_string(), b.to_string())))
                    .collect::<Result<Vec<_>>>()?;
                recipe_out(&store.set_recipe(&sku, yield_qty, &lines)?, format)?
            }
            RecipeCmd::Show { sku } => recipe_out(&store.recipe(&sku)?, format)?,
        },
        Command::Batch(cmd) => match cmd {
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
        },
        Command::Event(cmd) => match cmd {
            EventCmd::Open { name, location, float, date: d } => {
                let e = store.open_event(&name, location.as_deref(), opt_date(&d, "--date")?, amount(&float, "--float")?)?;
                if j {
                    json(&e)?
                } else {
                    format!("Opened {} on {} with a float of {}.\n", e.name, e.date, money(e.float_cents))
                }
            }
            EventCmd::Close { counted } => z_out(&store.close_event(amount(&counted, "--counted")?)?, format)?,
            EventCmd::Plan { name, location, date: d } => {
                let e = store.plan_event(&name, location.as_deref(), date(&d, "--date")?)?;
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
                        Ok((sku.to_string(), count(q, &format!("the quantity in --line {l}"))?))
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
        },
        Command::Sell(args) => {
            let lines = args.lines.iter().map(|l| sale_line(l)).collect::<Result<Vec<_>>>()?;
            let payments = args
                .payments
                .iter()
                .map(|p| {
                    let (m, a) = pair(p, "--pay", "cash=20")?;
                    let method = PayMethod::parse(m)
                        .ok_or_else(|| anyhow!("--pay '{p}': '{m}' is not a payment method: use cash, card or other"))?;
                    Ok((method, amount(a, &format!("--pay {p}"))?))
                })
                .collect::<Result<Vec<_>>>()?;
            let discount = args.discount.as_deref().map(Discount::parse).transpose()?;
            let r = store.sell(SaleRequest { lines, discount, customer: args.customer, add_customer: args.new_customer, payments })?;
            if j {
                json(&r)?
            } else {
                let mut s = format!("Sale {}: total {}", r.receipt_no, money(r.total_cents));
                if r.change_cents > 0 {
                    s.push_str(&format!(", change {}", money(r.change_cents)));
                }
                s.push_str(".\n");
                if !r.over_allotment.is_empty() {
                    s.push_str(&format!(
                        "Past this booth's allotment: {} (more was sold than it was given).\n",
                        r.over_allotment.join(", ")
                    ));
                }
                if !r.oversold.is_empty() {
                    s.push_str(&format!("Oversold: {} (stock is now below zero; count the shelf).\n", r.oversold.join(", ")));
                }
                s
            }
        }
        Command::Refund { sale, lines, no_restock } => {
            let lines = refund_lines(&lines)?;
            let r = store.refund(&sale, if lines.is_empty() { None } else { Some(&lines) }, !no_restock)?;
            if j {
                json(&r)?
            } else {
                format!("Refunded {} in {}.\n", money(r.total_cents), r.method.as_str())
            }
        }
        Command::Void { sale, reason } => {
            let id = store.void_sale(&sale, &reason)?;
            if j {
                json(&serde_json::json!({ "sale_id": id, "voided": true }))?
            } else {
                format!("Voided sale {sale}; its stock is back.\n")
            }
        }
        Command::Customer(cmd) => customer(&mut store, cmd, format)?,
        Command::Stock => {
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
        }
        Command::Lots { item, all } => lots_out(&store.list_lots(&item, all)?, format)?,
        Command::Trace(cmd) => match cmd {
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
        },
        Command::Alerts => {
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
        }
        Command::Report(cmd) => report(&store, cmd, format)?,
        Command::Serve { .. } | Command::Server(_) | Command::Backup(BackupCmd::Restore { .. }) => {
            bail!("this command does not use an open local store")
        }
        Command::Backup(BackupCmd::Auto) => {
            let report = wildroot_core::backup::auto_backup(&store, &wildroot_core::backup::backups_dir(&path))?;
            if j {
                json(&report)?
            } else {
                let mut s = match &report.made {
                    Some(p) => format!("Backed up to {}.\n", p.display()),
                    None => "Today's backup is already made.\n".to_string(),
                };
                for p in &report.pruned {
                    s.push_str(&format!("Removed the older automatic backup {}.\n", p.display()));
                }
                s
            }
        }
        Command::Backup(BackupCmd::List) => {
            let list = wildroot_core::backup::list_backups(&wildroot_core::backup::backups_dir(&path))?;
            if j {
                json(&serde_json::json!({ "backups": list }))?
            } else if list.is_empty() {
                "No backups yet: `wildroot backup create` makes one.\n".to_string()
            } else {
                let mut t = Table::new(&["made", "kind", "size", "file"]);
                for b in &list {
                    t.row(vec![
                        when(b.at_ms),
                        if b.automatic { "daily" } else { "by hand" }.into(),
                        format!("{} KB", b.bytes.div_ceil(1024)),
                        b.path.display().to_string(),
                    ]);
                }
                t.render(format)
            }
        }
        Command::Backup(BackupCmd::Create { path: to }) => {
            let to = match to {
                Some(p) => p,
                None => {
                    wildroot_core::backup::backups_dir(&path).join(format!("wildroot-{}.db", chrono::Utc::now().format("%Y%m%d-%H%M%S")))
                }
            };
            store.backup_to(&to)?;
            if j {
                json(&serde_json::json!({ "backup": to }))?
            } else {
                format!("Backed up to {}.\n", to.display())
            }
        }
        Command::Doctor => {
            let check = store.checkup()?;
            let skew = match store.sync_config()? {
                Some(cfg) => {
                    let client = wildroot_core::sync::SyncClient::new(&cfg.server_url)?;
                    runtime()?.block_on(client.server_time_ms()).ok().map(|server| store.now_ms() - server)
                }
                None => None,
            };
            let skew_ok = skew.is_none_or(|s| s.abs() < 5 * 60 * 1000);
            let ok = check.ok && skew_ok;
            let out = if j {
                json(&serde_json::json!({ "ok": ok, "checks": check, "clock_skew_ms": skew }))?
            } else {
                let mut t = Table::new(&["check", "result"]);
                t.row(vec!["integrity".into(), check.integrity.clone()]);
                t.row(vec!["tables = replay of the log".into(), check.replay.clone().unwrap_or_else(|| "ok".into())]);
                t.row(vec!["running totals".into(), check.totals.clone().unwrap_or_else(|| "ok".into())]);
                t.row(vec!["the books balance".into(), check.books.clone().unwrap_or_else(|| "ok".into())]);
                t.row(vec![
                    "stored clock".into(),
                    check
                        .clock_ahead_ms
                        .map(|a| format!("{} minutes ahead of this device's clock: sync to stamp new work again", a / 60_000))
                        .unwrap_or_else(|| "ok".into()),
                ]);
                t.row(vec!["waiting to sync".into(), check.pending.to_string()]);
                t.row(vec!["refused by the server".into(), check.refused.to_string()]);
                t.row(vec![
                    "clock against the server".into(),
                    skew.map(|s| format!("{:+.1} s", s as f64 / 1000.0)).unwrap_or_else(|| "not checked (no server reachable)".into()),
                ]);
                let verdict = if ok {
                    "All good: the records are whole and consistent.\n".to_string()
                } else if !skew_ok {
                    "This device's clock is off by more than 5 minutes: set its date and time.\n".to_string()
                } else if check.clock_ahead_ms.is_some() && check.integrity == "ok" && check.replay.is_none() && check.totals.is_none() {
                    "This device's clock once ran ahead: sync, and what it has not sent is stamped again from now.\n".to_string()
                } else if check.books.is_some() && check.integrity == "ok" && check.replay.is_none() && check.totals.is_none() {
                    "The records are whole, but the books do not balance (above): report it, with this database.\n".to_string()
                } else if check.refused > 0 && check.integrity == "ok" && check.replay.is_none() && check.totals.is_none() {
                    "The records are whole, but the server refused some changes: see `wildroot sync status`.\n".to_string()
                } else {
                    "Something is wrong with this database: restore the latest backup (`wildroot backup restore FILE`) or log in again to rebuild it from the server.\n".to_string()
                };
                t.render(format) + &verdict
            };
            if !ok {
                print!("{out}");
                std::process::exit(2);
            }
            out
        }
        Command::Login { server, email, device } => {
            let password = read_password("Password: ")?;
            let name = device.unwrap_or_else(|| std::env::var("HOSTNAME").unwrap_or_else(|_| "This device".into()));
            let store = std::sync::Mutex::new(store);
            let rt = runtime()?;
            let role = rt.block_on(wildroot_core::sync::login(&store, &server, &email, &password, &name))?;
            eprintln!("Logged in as {email} ({}); syncing…", role.as_str());
            let report = rt.block_on(sync_with_progress(&store))?;
            sync_out(&report, j, format!("Connected to {server} as {email} ({}).\n", role.as_str()))?
        }
        Command::Sync { cmd: None } => {
            let store = std::sync::Mutex::new(store);
            let report = runtime()?.block_on(sync_with_progress(&store))?;
            sync_out(&report, j, String::new())?
        }
        Command::Shopify(cmd) => shopify(store, &path, cmd, format)?,
        Command::Import(ImportCmd::Shopify { since, bulk, paged }) => {
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
            eprintln!("Importing Shopify orders…");
            let report = runtime()?.block_on(import_linked(&store, &key, RetryPolicy::default(), way, &mut import_progress))?;
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
        }
        Command::Sync { cmd: Some(SyncCmd::Export { path: to }) } => {
            if to.exists() {
                bail!("{} already exists: choose a new file name", to.display());
            }
            let file = store.export_unsynced()?;
            std::fs::write(&to, serde_json::to_vec(&file)?).with_context(|| format!("cannot write {}", to.display()))?;
            if j {
                json(&serde_json::json!({ "file": to, "operations": file.ops.len() }))?
            } else {
                format!(
                    "Wrote {} unsynced change(s) to {}. Import it on the server with `wildroot server import-ops FILE`.\n",
                    file.ops.len(),
                    to.display()
                )
            }
        }
        Command::Sync { cmd: Some(SyncCmd::Import { path: from }) } => {
            let file = read_ops_file(&from)?;
            let report = store.import_ops_file(&file)?;
            if j {
                json(&serde_json::json!({ "operations": file.ops.len(), "applied": report.applied, "refused": report.refused }))?
            } else {
                let mut out = format!("Applied {} new change(s) of {} in the file.\n", report.applied, file.ops.len());
                for r in &report.refused {
                    out.push_str(&format!("Left out a {}: {}.\n", r.kind, r.reason));
                }
                out
            }
        }
        Command::Sync { cmd: Some(SyncCmd::Status) } => {
            let st = store.sync_status()?;
            if j {
                json(&st)?
            } else {
                let mut t = Table::new(&["sync", ""]);
                t.row(vec!["state".into(), st.state.clone()]);
                t.row(vec!["server".into(), st.server_url.clone().unwrap_or_else(|| "none: wildroot login --server URL --email E".into())]);
                t.row(vec!["signed in as".into(), st.user_email.clone().unwrap_or_default()]);
                t.row(vec!["pending changes".into(), st.pending.to_string()]);
                t.row(vec!["last success".into(), st.last_success_ms.map(when).unwrap_or_else(|| "never".into())]);
                t.row(vec!["last error".into(), st.last_error.clone().unwrap_or_default()]);
                let mut s = t.render(format);
                for r in &st.refused {
                    s.push_str(&format!("refused {}: {}\n", r.kind, r.reason));
                }
                s
            }
        }
        Command::Settings(cmd) => match cmd {
            SettingsCmd::Show => settings_out(&store, format)?,
            SettingsCmd::Tax { rate, inclusive } => {
                store.set_tax(TaxRule { bp: settings::parse_percent_bp(&rate)?, inclusive })?;
                settings_out(&store, format)?
            }
            SettingsCmd::BusinessName { name } => {
                store.set_business_name(&name)?;
                settings_out(&store, format)?
            }
            SettingsCmd::ReceiptPrefix { prefix } => {
                store.set_receipt_prefix(&prefix)?;
                settings_out(&store, format)?
            }
        },
    })
}

fn settings_out(store: &Store, format: Format) -> Result<String> {
    let tax = store.tax_rule()?;
    let name = store.business_name()?;
    let prefix = store.receipt_prefix()?;
    if format == Format::Json {
        return json(&serde_json::json!({
            "business_name": name, "tax_bp": tax.bp, "tax_inclusive": tax.inclusive,
            "receipt_prefix": prefix, "device": store.device(),
        }));
    }
    let mut t = Table::new(&["setting", "value"]);
    t.row(vec!["business name".into(), name]);
    t.row(vec!["tax".into(), format!("{} {}", percent(tax.bp), if tax.inclusive { "included in prices" } else { "added to prices" })]);
    t.row(vec!["receipt prefix".into(), prefix]);
    t.row(vec!["device".into(), store.device().to_string()]);
    Ok(t.render(format))
}

fn supply(store: &mut Store, cmd: SupplyCmd, format: Format) -> Result<String> {
    let view = match cmd {
        SupplyCmd::Add { name, unit, reorder_at, supplier, notes } => {
            let unit: Unit = unit.parse()?;
            store.add_supply(NewSupply { name, unit: Some(unit), reorder_at, supplier, notes })?
        }
        SupplyCmd::Edit { name, new_name, reorder_at, supplier, notes } => {
            store.edit_supply(&name, SupplyEdit { name: new_name, reorder_at, supplier, notes })?
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

fn supplies_out(list: &[SupplyView], format: Format) -> Result<String> {
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

fn product(store: &mut Store, cmd: ProductCmd, format: Format) -> Result<String> {
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
        })?,
        ProductCmd::Edit { sku, new_sku, fields, favorite, no_oversell } => store.edit_product(
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

fn products_out(list: &[ProductView], format: Format) -> Result<String> {
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

fn recipe_out(r: &RecipeView, format: Format) -> Result<String> {
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

fn batches_out(list: &[BatchView], format: Format) -> Result<String> {
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

fn lots_out(list: &[LotView], format: Format) -> Result<String> {
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

fn allotment_out(lines: &[AllotmentLine], format: Format) -> Result<String> {
    if format == Format::Json {
        return json(&serde_json::json!({ "allotments": lines }));
    }
    let mut t = Table::new(&["device", "sku", "name", "allotted", "sold", "left"]);
    for l in lines {
        t.row(vec![l.device.to_string(), l.sku.clone(), l.name.clone(), l.allotted.to_string(), l.sold.to_string(), l.left.to_string()]);
    }
    Ok(t.render(format))
}

fn z_out(z: &ZReport, format: Format) -> Result<String> {
    if format == Format::Json {
        return json(z);
    }
    let mut s = String::new();
    let float: i64 = if z.drawers.is_empty() { z.event.float_cents } else { z.drawers.iter().map(|d| d.float_cents).sum() };
    if format == Format::Table {
        s.push_str(&format!(
            "Z report: {} — {} ({})\n{} sales, {} taken, {} refunded\nCash: float {} → expected {}",
            z.event.name,
            z.event.date,
            z.event.location,
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
        let mut t = Table::new(&["method", "taken", "refunded"]);
        for p in &z.payments {
            t.row(vec![p.method.as_str().into(), money(p.amount_cents), money(p.refunded_cents)]);
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
    if format == Format::Table && !z.allotments.is_empty() {
        s.push_str("Allotted, sold and coming back:\n");
        s.push_str(&allotment_out(&z.allotments, format)?);
    }
    Ok(s)
}

fn report(store: &Store, cmd: ReportCmd, format: Format) -> Result<String> {
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
    }
}

fn sales_out(r: &SalesReport, format: Format) -> Result<String> {
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
            Table::new(&[if r.by == "top" { "product" } else { "group" }, "units", "gross", "discounts", "tax", "refunds", "net", "total"]);
        for row in &r.rows {
            t.row(vec![
                row.label.clone(),
                row.units.to_string(),
                money(row.gross_cents),
                money(row.discount_cents),
                money(row.tax_cents),
                money(row.refund_cents),
                money(row.net_cents),
                money(row.total_cents),
            ]);
        }
        t
    };
    let mut s = t.render(format);
    if format == Format::Table {
        s.push_str(&format!("Total: {}\n", money(r.total_cents)));
    }
    Ok(s)
}

fn customer(store: &mut Store, cmd: CustomerCmd, format: Format) -> Result<String> {
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

/// Midnight UTC of a day, in milliseconds.
fn day_start_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or_default()
}

fn shopify(mut store: Store, db: &std::path::Path, cmd: ShopifyCmd, format: Format) -> Result<String> {
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

fn shopify_status(store: &Store, format: Format, intro: String) -> Result<String> {
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

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?)
}

/// A password from the terminal without echo, or the first line of stdin
/// when it is piped (scripts, tests).
fn read_password(prompt: &str) -> Result<String> {
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

/// The import's progress on stderr, one line a step (stdout stays the
/// report, for scripts): a bar of orders recorded against the total.
fn import_progress(p: wildroot_core::shopify::import::ImportProgress) {
    use wildroot_core::shopify::import::ImportProgress;
    match p {
        ImportProgress::BulkRunning { objects } => eprintln!("Shopify is gathering the orders: {objects} object(s) so far…"),
        ImportProgress::Recorded { recorded, total } => {
            let filled = (recorded * 30).checked_div(total).unwrap_or(30);
            eprintln!("[{}{}] {recorded} of {total} orders recorded", "#".repeat(filled), "-".repeat(30 - filled));
        }
    }
}

async fn sync_with_progress(store: &std::sync::Mutex<Store>) -> Result<wildroot_model::views::SyncReport> {
    let report = wildroot_core::sync::sync_once(store, &mut |p| {
        if let wildroot_core::sync::Progress::Pulled { total, more: true, .. } = p {
            eprintln!("pulled {total} operations…");
        }
    })
    .await?;
    Ok(report)
}

fn sync_out(r: &wildroot_model::views::SyncReport, j: bool, head: String) -> Result<String> {
    if j {
        return json(r);
    }
    let mut s = head;
    s.push_str(&format!("Synced: {} pushed, {} pulled ({} new here).\n", r.pushed, r.pulled, r.applied));
    for refused in &r.refused {
        s.push_str(&format!("Refused by the server, {}: {}\n", refused.kind, refused.reason));
    }
    Ok(s)
}

fn server_db(db: Option<PathBuf>) -> Result<PathBuf> {
    match db {
        Some(p) => Ok(p),
        None => Ok(dirs::data_dir()
            .ok_or_else(|| anyhow!("no data directory on this system: give --db PATH"))?
            .join("wildroot")
            .join("server.db")),
    }
}

/// The server's storage: PostgreSQL at `database_url`, or the SQLite file.
/// `wildroot server backup restore FILE`: the backup put back with a new
/// epoch. The server must be stopped (its database must not be open).
fn server_restore(db: Option<PathBuf>, file: &std::path::Path, database_url: Option<String>, format: Format) -> Result<String> {
    let rt = runtime()?;
    if !file.is_file() {
        bail!("there is no backup file at {}", file.display());
    }
    let (storage, kept) = match &database_url {
        Some(url) => {
            wildroot_server::postgres::restore_dump(url, file)?;
            (rt.block_on(server_storage(db, database_url.clone(), false))?, None)
        }
        None => {
            let kept = wildroot_server::sqlite::restore_file(&server_db(db.clone())?, file)?;
            (rt.block_on(server_storage(db, None, true))?, kept)
        }
    };
    let epoch = rt.block_on(wildroot_server::new_epoch(&storage))?;
    Ok(if format == Format::Json {
        json(&serde_json::json!({ "restored": file, "epoch": epoch, "kept": kept }))?
    } else {
        let kept = kept.map(|k| format!(" The database it replaced is kept as {}.", k.display())).unwrap_or_default();
        format!(
            "Restored the server from {}.{kept} Start it: each device sends again what the backup lacks when it next syncs.\n",
            file.display()
        )
    })
}

async fn server_storage(db: Option<PathBuf>, database_url: Option<String>, must_exist: bool) -> Result<wildroot_server::any::AnyStorage> {
    let path = server_db(db)?;
    if database_url.is_none() && must_exist && !path.exists() {
        bail!("there is no server database at {}: start the server once with `wildroot serve --db {}`", path.display(), path.display());
    }
    Ok(wildroot_server::any::AnyStorage::open(&path, database_url.as_deref()).await?)
}

/// The key file that seals the server's secrets: as given, else beside the
/// SQLite database, else (PostgreSQL) in the data directory.
fn server_key_file(db: Option<PathBuf>, uses_postgres: bool, given: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = given {
        return Ok(p);
    }
    if uses_postgres {
        return Ok(dirs::data_dir()
            .ok_or_else(|| anyhow!("no data directory on this system: give --key-file PATH"))?
            .join("wildroot")
            .join("server.key"));
    }
    Ok(server_db(db)?.with_extension("key"))
}

fn read_token(token_file: &std::path::Path) -> Result<String> {
    if token_file.as_os_str() == "-" {
        let mut t = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut t).context("reading the token from stdin")?;
        Ok(t)
    } else {
        std::fs::read_to_string(token_file)
            .with_context(|| format!("reading the token file {} (put the Admin API access token in it)", token_file.display()))
    }
}

fn server_shopify(
    rt: &tokio::runtime::Runtime,
    storage: wildroot_server::any::AnyStorage,
    default_key: PathBuf,
    cmd: ServerShopifyCmd,
    format: Format,
) -> Result<String> {
    use wildroot_server::shopify::import;
    let key_at = |given: Option<PathBuf>| -> Result<DeviceKey> {
        let path = given.unwrap_or(default_key.clone());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        Ok(DeviceKey::load_or_create(&path)?)
    };
    let intro = match cmd {
        ServerShopifyCmd::Connect { shop, token_file, api_version, since, key_file, .. } => {
            let token = read_token(&token_file)?;
            let since = opt_date(&since, "--since")?.map(day_start_ms);
            let key = key_at(key_file)?;
            let shop = rt
                .block_on(import::connect(&storage, &key, &shop, &token, api_version.as_deref(), since, RetryPolicy::default()))
                .context("nothing was kept")?;
            format!("The server imports from {shop}; the token is sealed. `wildroot serve` imports on its own from now on.\n")
        }
        ServerShopifyCmd::Import { key_file, .. } => {
            let key = key_at(key_file)?;
            let state = rt.block_on(wildroot_server::state(storage.clone()))?;
            match rt.block_on(import::import_once(&state, &key, RetryPolicy::default()))? {
                Some(r) => {
                    if format == Format::Json {
                        return json(&r);
                    }
                    let mut out = format!("Read {} order(s) in {} page(s).\n", r.orders, r.pages);
                    if let Some(w) = r.version_warning {
                        out.push_str(&format!("warning: {w}\n"));
                    }
                    out
                }
                None => bail!("the server is not connected to Shopify: run `wildroot server shopify connect --shop NAME --token-file F`"),
            }
        }
        ServerShopifyCmd::Disconnect { .. } => {
            rt.block_on(import::disconnect(&storage))?;
            "The server no longer imports from Shopify; its token is forgotten.\n".to_string()
        }
        ServerShopifyCmd::Status { .. } => String::new(),
    };
    let v = rt.block_on(import::status(&storage))?;
    if format == Format::Json {
        return json(&v);
    }
    let mut t = Table::new(&["server shopify", ""]);
    t.row(vec![
        "store".into(),
        v.shop.clone().unwrap_or_else(|| "none: wildroot server shopify connect --shop NAME --token-file F".into()),
    ]);
    t.row(vec!["api version".into(), v.api_version.clone().unwrap_or_default()]);
    t.row(vec!["first import from".into(), v.since_ms.map(when).unwrap_or_default()]);
    t.row(vec!["orders in up to".into(), v.watermark_ms.map(when).unwrap_or_else(|| "none yet".into())]);
    t.row(vec!["last run".into(), v.last_run_ms.map(when).unwrap_or_else(|| "never".into())]);
    t.row(vec!["last error".into(), v.last_error.clone().unwrap_or_default()]);
    Ok(intro + &t.render(format))
}

fn serve_cmd(
    db: Option<PathBuf>,
    listen: &str,
    database_url: Option<String>,
    shopify_webhook_secret: Option<String>,
    key_file: Option<PathBuf>,
    shopify_poll_seconds: u64,
) -> Result<String> {
    use wildroot_server::storage::Storage;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let addr: std::net::SocketAddr =
        listen.parse().map_err(|_| anyhow!("--listen '{listen}' is not an address: type it like 127.0.0.1:8080"))?;
    let where_ = match &database_url {
        Some(_) => "--database-url URL".to_string(),
        None => format!("--db {}", server_db(db.clone())?.display()),
    };
    if shopify_poll_seconds == 0 {
        bail!("--shopify-poll-seconds must be at least 1");
    }
    let key_path = server_key_file(db.clone(), database_url.is_some(), key_file)?;
    if let Some(dir) = key_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let shopify_import = wildroot_server::shopify::import::ImportOptions {
        key: std::sync::Arc::new(DeviceKey::load_or_create(&key_path)?),
        every: std::time::Duration::from_secs(shopify_poll_seconds),
        policy: RetryPolicy::default(),
    };
    runtime()?.block_on(async move {
        let storage = server_storage(db, database_url, false).await?;
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        let url = format!("http://{}", listener.local_addr()?);
        eprintln!("Wildroot server on {url} ({} storage, {where_})", storage.describe());
        if storage.user_count().await? == 0 {
            eprintln!("No users yet. Create the owner:\n  wildroot server user add {where_} --email you@example.com --role owner");
        }
        let shutdown = async {
            let ctrl_c = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(t) => t,
                    Err(_) => return std::future::pending::<()>().await,
                };
                tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
            }
            #[cfg(not(unix))]
            let _ = ctrl_c.await;
            eprintln!("Stopping: finishing requests in flight…");
        };
        if shopify_webhook_secret.is_some() {
            eprintln!("Shopify webhooks: {url}/api/v1/shopify/webhooks (orders/create, orders/updated, orders/cancelled, refunds/create)");
        }
        if let Some(shop) = wildroot_server::shopify::import::status(&storage).await?.shop {
            eprintln!("Importing Shopify orders from {shop} every {shopify_poll_seconds} s");
        }
        let options = wildroot_server::Options { shopify_webhook_secret, shopify_import: Some(shopify_import), ..Default::default() };
        wildroot_server::serve_with(storage, listener, shutdown, options).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(String::new())
}

fn server_cmd(db: Option<PathBuf>, cmd: ServerCmd, format: Format) -> Result<String> {
    use wildroot_server::storage::Storage;
    if let ServerCmd::Backup { cmd: Some(ServerBackupCmd::Restore { file, database_url }), .. } = &cmd {
        return server_restore(db, file, database_url.clone(), format);
    }
    let url = match &cmd {
        ServerCmd::User(UserCmd::Add { database_url, .. })
        | ServerCmd::Devices { database_url }
        | ServerCmd::Backup { database_url, .. }
        | ServerCmd::Revoke { database_url, .. }
        | ServerCmd::ImportOps { database_url, .. }
        | ServerCmd::Shopify(
            ServerShopifyCmd::Connect { database_url, .. }
            | ServerShopifyCmd::Status { database_url }
            | ServerShopifyCmd::Import { database_url, .. }
            | ServerShopifyCmd::Disconnect { database_url },
        ) => database_url.clone(),
    };
    let uses_postgres = url.is_some();
    let rt = runtime()?;
    let storage = rt.block_on(server_storage(db.clone(), url, true))?;
    match cmd {
        ServerCmd::User(UserCmd::Add { email, role, .. }) => {
            let role =
                wildroot_model::sync::Role::parse(&role).ok_or_else(|| anyhow!("--role '{role}' is not a role: use owner or vendor"))?;
            let password = read_password("New password: ")?;
            let email = wildroot_server::auth::check_new_user(&email, &password).map_err(|m| anyhow!(m))?;
            let hash = wildroot_server::auth::hash_password(&password).map_err(|m| anyhow!(m))?;
            rt.block_on(storage.add_user(&email, &hash, role))?;
            Ok(if format == Format::Json {
                json(&serde_json::json!({ "email": email, "role": role }))?
            } else {
                format!("Added {email} ({}).\n", role.as_str())
            })
        }
        ServerCmd::Backup { path, .. } => {
            let wildroot_server::any::AnyStorage::Sqlite(sqlite) = &storage else {
                bail!("this server keeps its data in PostgreSQL: back it up with pg_dump (see the README)");
            };
            let to = match path {
                Some(p) => p,
                None => dirs::data_dir()
                    .ok_or_else(|| anyhow!("no data directory on this system: give a backup path"))?
                    .join("wildroot")
                    .join("server-backups")
                    .join(format!("server-{}.db", chrono::Utc::now().format("%Y%m%d-%H%M%S"))),
            };
            rt.block_on(sqlite.backup_to(&to))?;
            Ok(if format == Format::Json {
                json(&serde_json::json!({ "backup": to }))?
            } else {
                format!(
                    "Backed up the server to {}. To restore: stop the server, run `wildroot server backup restore {}`, start it.\n",
                    to.display(),
                    to.display()
                )
            })
        }
        ServerCmd::Devices { .. } => {
            let devices = rt.block_on(storage.list_devices())?;
            if format == Format::Json {
                return json(&serde_json::json!({ "devices": devices }));
            }
            let mut t = Table::new(&["device", "name", "user", "role", "last seen", "status"]);
            for d in devices {
                t.row(vec![
                    d.device_id.to_string(),
                    d.name,
                    d.user_email,
                    d.role.as_str().into(),
                    d.last_seen_ms.map(when).unwrap_or_else(|| "never".into()),
                    if d.revoked { "revoked".into() } else { "active".into() },
                ]);
            }
            Ok(t.render(format))
        }
        ServerCmd::Shopify(cmd) => server_shopify(&rt, storage, server_key_file(db, uses_postgres, None)?, cmd, format),
        ServerCmd::ImportOps { path, .. } => {
            let file = read_ops_file(&path)?;
            let total = file.ops.len();
            let resp = rt.block_on(wildroot_server::api::import_ops_file(&storage, file))?;
            Ok(if format == Format::Json {
                json(&serde_json::json!({ "operations": total, "stored": resp.acked.len(), "refused": resp.refused }))?
            } else {
                let mut s = format!(
                    "Stored {} of {total} operation(s) from {} (any already here are stored once).\n",
                    resp.acked.len(),
                    path.display()
                );
                for r in &resp.refused {
                    s.push_str(&format!("Refused {}: {}\n", r.id, r.reason));
                }
                s
            })
        }
        ServerCmd::Revoke { device, .. } => {
            let id = rt.block_on(storage.revoke_device(&device))?;
            Ok(if format == Format::Json {
                json(&serde_json::json!({ "device_id": id, "revoked": true }))?
            } else {
                format!("Revoked {id}: it can no longer sync.\n")
            })
        }
    }
}

/// An exported operations file (`wildroot sync export`), checked.
fn read_ops_file(path: &std::path::Path) -> Result<wildroot_model::sync::OpsFile> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    wildroot_model::sync::OpsFile::parse(&bytes).map_err(|m| anyhow!(m))
}
