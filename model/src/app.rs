//! The commands the app's shell answers: one request type per command, with
//! the name the shell registers it under and the type it answers with. The
//! Tauri shell and the Leptos UI both compile this module, so a request the
//! UI sends is exactly what the shell reads.
use crate::ids::*;
use crate::money::Money;
use crate::op::PayMethod;
use crate::pricing::{Discount, DiscountPreset};
use crate::quantity::Unit;
use crate::sync::{DeviceInfo, Role, ServerShopifyStatus, UserInfo};
use crate::views::*;
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A request to the shell. The UI sends `{"req": <Self>}` to `NAME`.
pub trait Command: Serialize + DeserializeOwned {
    const NAME: &'static str;
    type Response: Serialize + DeserializeOwned;
}

/// What a failed command says: one sentence for a person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    pub message: String,
}

macro_rules! command {
    ($req:ty => $resp:ty, $name:literal) => {
        impl Command for $req {
            const NAME: &'static str = $name;
            type Response = $resp;
        }
    };
}

/// Everything the POS screen needs to draw itself.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Home {}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HomeView {
    pub business_name: String,
    /// The active catalogue.
    pub products: Vec<ProductView>,
    pub event: Option<EventView>,
    /// The open event's running totals.
    pub totals: Option<ZReport>,
    pub tax_bp: i64,
    pub tax_inclusive: bool,
    /// Where a sale made now is taxed: the open market day's place, else
    /// the home place (`tax_bp`/`tax_inclusive` are its standard rate).
    #[serde(default)]
    pub tax_place: Option<crate::tax::TaxPlace>,
    /// ISO 4217 code; amounts are in its minor units.
    pub currency: String,
    /// Who this device is signed in as; owner when it is not connected.
    pub role: Role,
    /// The owner's named discounts, one tap each at the POS.
    #[serde(default)]
    pub discount_presets: Vec<DiscountPreset>,
    /// The shop's configured tenders (SNAP, tokens): buttons beside Cash and Card.
    #[serde(default)]
    pub tenders: Vec<crate::tender::Tender>,
    /// The places a market day may be opened at.
    #[serde(default)]
    pub tax_places: Vec<crate::tax::TaxPlace>,
}

/// Products whose SKU, name or barcode starts with `query`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Search {
    pub query: String,
}

/// One cart line as the POS holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CartItem {
    pub sku: String,
    pub qty: i64,
    pub discount: Option<Discount>,
    /// The lot code on the jar, when it matters which; `None`: earliest expiry first.
    #[serde(default)]
    pub lot: Option<String>,
    /// A custom-amount item (not in the catalogue, no stock): `sku` then
    /// holds what it was called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<CustomAmount>,
}

/// What a custom-amount item sells for and how it is taxed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomAmount {
    pub unit_price: Money,
    /// "standard" or "exempt" (`bounds::STANDARD_CATEGORY`, `EXEMPT_CATEGORY`).
    pub tax_category: String,
}

/// The lots of a product with stock, in the order a sale takes them, for
/// picking one by hand at the till (no costs: a vendor may ask).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductLots {
    pub sku: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotChoice {
    pub lot_code: String,
    pub on_hand: i64,
    pub expires_on: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sell {
    pub lines: Vec<CartItem>,
    pub discount: Option<Discount>,
    /// An email or phone number; a new one becomes a customer.
    pub customer: Option<String>,
    pub payments: Vec<(PayMethod, i64)>,
    /// Payments in the shop's configured tenders, by name, after `payments`.
    #[serde(default)]
    pub tenders: Vec<(String, i64)>,
    /// A tip on top of the sale (0: none).
    #[serde(default)]
    pub tip_cents: i64,
}

/// A card or other payment taken off a sale before it was finished, with
/// the vendor's answer to "was it charged?" (recorded for the Z report).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WithdrawPayment {
    pub method: PayMethod,
    pub amount: Money,
    pub charged: bool,
}

/// A cart set aside to serve the next customer: what it holds, as the
/// booth will sell it when it comes back. Kept on this device only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ParkedCart {
    pub lines: Vec<CartItem>,
    pub discount: Option<Discount>,
    /// The customer typed so far, if any.
    #[serde(default)]
    pub customer: String,
}

impl ParkedCart {
    /// Units in the cart (a line of 3 counts 3).
    pub fn count(&self) -> i64 {
        self.lines.iter().map(|l| l.qty).sum()
    }
}

/// One parked cart as the booth lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParkedView {
    pub id: String,
    pub parked_at_ms: i64,
    /// A name for the customer, like "blue hat", or the time it was parked.
    pub label: String,
    pub cart: ParkedCart,
}

/// Sets a cart aside; answers with every parked cart, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParkCart {
    pub label: String,
    pub cart: ParkedCart,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListParked {}

/// Takes a parked cart back out (it is parked no more) and answers with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResumeParked {
    pub id: String,
}

/// A place the shop sells at and its rates, as the settings form types
/// them: "5.3%", and one CATEGORY=RATE a line ("food=2.5%").
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SaveTaxPlace {
    pub name: String,
    pub rate: String,
    pub inclusive: bool,
    pub categories: String,
    /// Sales outside a market day are taxed here.
    pub home: bool,
}

/// A way to pay beyond cash and card (SNAP, tokens, checks).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AddTender {
    pub name: String,
    /// Change may come back for it (a check written for more); SNAP and tokens never.
    pub gives_change: bool,
    /// Counted in the drawer at close (tokens, checks).
    pub in_drawer: bool,
}

/// A product lot's label, for the preview.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GetLabel {
    pub lot: String,
}

/// A lot's labels as a PDF on `stock` ("rect", "square", "round",
/// "single"), written beside the shop's database; answers the file's path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveLabels {
    pub lot: String,
    pub stock: String,
    pub count: u32,
}

/// A sale's receipt, as recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GetReceipt {
    pub sale_id: SaleId,
}

/// Prints a sale's receipt on this device's printer. `after_sale`: only if
/// this device prints after each sale. Answers whether it printed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrintReceipt {
    pub sale_id: SaleId,
    pub after_sale: bool,
}

/// Asks for a sale's receipt by email (recorded offline too; sent by the
/// shop's sender). Answers the request as it stands after any sending here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmailReceipt {
    pub sale_id: SaleId,
    pub to: String,
}

/// The emailed receipts of a sale, newest first, and the address of the
/// sale's customer (offered on the receipt screen).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceiptEmails {
    pub sale_id: SaleId,
}

/// The mail server this device emails receipts through (a shop with no server).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GetMail {}

/// Sets this device's mail server as typed (read by `mail::MailServer::parse`),
/// or forgets it (`off`). Answers the settings as they stand.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveMail {
    pub smtp: String,
    /// starttls, tls or plain.
    pub security: String,
    pub user: String,
    pub password: String,
    /// Empty: the login.
    pub from: String,
    pub off: bool,
}

/// This device's receipt printer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GetPrinter {}

/// Replaces this device's receipt printer settings (`printer` none: no printer).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavePrinter {
    pub printer: crate::receipt::PrinterView,
}

/// A sale of this device, newest first: the open event's, or all when none is open.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecentSales {
    pub limit: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VoidSale {
    pub sale_id: SaleId,
    pub reason: String,
}

/// Refunds whatever of a sale has not been refunded yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefundSale {
    pub sale_id: SaleId,
    pub restock: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenEvent {
    pub name: String,
    pub location: String,
    pub float_cents: i64,
    /// The tax place it is at (none: the home place).
    #[serde(default)]
    pub place: Option<String>,
}

/// Every market of a season (by the event's year; none: all time) with
/// what it really earned. The owner's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MarketResults {
    pub season: Option<i32>,
}

/// Open this device's drawer at an event another device opened or planned.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JoinEvent {
    pub event_id: EventId,
    pub float_cents: i64,
}

/// Plan an event ahead (owner): no drawer on this device; booths join it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanEvent {
    pub name: String,
    pub location: String,
    pub date: NaiveDate,
}

/// Allot units of one product to a booth device for an event (owner; 0 takes it away).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AllotStock {
    pub event_id: EventId,
    /// A device id, the start of one, or `this`.
    pub device: String,
    pub sku: String,
    pub qty: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListKnownDevices {}

/// What this device was allotted for its open event (`None`: no event open).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GetAllotment {}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CloseEvent {
    pub counted_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListEvents {}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventReport {
    pub event_id: EventId,
}

/// The statement a market manager asks for: sales by day, tax, commission owed, fee.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettleEvent {
    pub event_id: EventId,
}

/// Where sync stands, and whether a sync is talking to the server now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GetSync {}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppSync {
    pub status: SyncStatus,
    pub syncing: bool,
}

/// Ask the background sync to run now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncNow {}

/// Write this device's unsynced changes to a file (beside exported reports),
/// to carry to the server by hand; answers with the file's path.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExportUnsynced {}

/// Saves this device's unsynced changes where the person chooses, with the
/// platform's save dialog (#26); `None` when they closed it. The plain
/// [`ExportUnsynced`] stays beside it, writing beside exported reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SaveUnsyncedAs {}

/// Asks the platform's file picker for a file of another device's unsynced
/// changes; `None` when the person closed it. A typed path does as well.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChooseChangesFile {}

/// Applies another device's unsynced changes, from the file it exported,
/// here: booth work only, each change once (as `wildroot sync import`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportChanges {
    pub path: String,
}

/// Sign this device in to a server and start syncing with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Connect {
    pub server_url: String,
    pub email: String,
    pub password: String,
    pub device_name: String,
}

/// Put the demo shop aside (kept as a file) and start with an empty one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StartFresh {
    pub business_name: String,
}

/// The shop's settings as the Settings screen shows them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GetSettings {}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub business_name: String,
    pub receipt_prefix: String,
    pub tax_bp: i64,
    pub tax_inclusive: bool,
    pub currency: String,
    /// Where the local database lives.
    pub database_path: String,
    pub role: Role,
    pub server_url: Option<String>,
    pub device_name: Option<String>,
    pub user_email: Option<String>,
    /// The linked Shopify store; the token is never sent back.
    pub shopify_shop: Option<String>,
    pub shopify_token_set: bool,
}

// The owner's screens. Figures travel as values: the UI reads what was
// typed with `crate::field` (the parsers the CLI uses) and says what to fix
// beside the form. Quantities with units (`1.2kg`) travel as typed, because
// what they mean depends on the supply's unit, which the core knows.

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListProducts {
    pub query: String,
}

/// A product as its form holds it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductForm {
    pub sku: String,
    pub name: String,
    pub price: Money,
    pub category: String,
    pub barcode: String,
    /// None: no alert.
    pub low_stock_at: Option<i64>,
    pub favorite: bool,
    pub no_oversell: bool,
    /// "standard", "exempt" or a category a place names; none leaves it.
    #[serde(default)]
    pub tax_category: Option<String>,
    /// The label's details as typed ("56 g"); none leaves them, empty clears.
    #[serde(default)]
    pub net: Option<String>,
    #[serde(default)]
    pub label_name: Option<String>,
    #[serde(default)]
    pub warnings: Option<String>,
}

/// Adds a product (`original_sku` none) or edits the one with that SKU.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveProduct {
    pub original_sku: Option<String>,
    pub form: ProductForm,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArchiveProduct {
    pub sku: String,
}

/// A signed change in units (`-2`, `+6`) with the reason a person gave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdjustProduct {
    pub sku: String,
    pub qty: i64,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductHistory {
    pub sku: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListSupplies {
    pub include_archived: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SupplyForm {
    pub name: String,
    pub unit: Option<Unit>,
    pub reorder_at: String,
    pub supplier: String,
    pub notes: String,
    /// For labels: none leaves them; an empty INCI clears it.
    #[serde(default)]
    pub inci: Option<String>,
    /// Grams per ml as typed ("0.91"); none or empty leaves it.
    #[serde(default)]
    pub density: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveSupply {
    pub original_name: Option<String>,
    pub form: SupplyForm,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArchiveSupply {
    pub name: String,
}

/// A purchase: how much arrived (`2kg`) and what it cost in total (`24.00`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceiveSupply {
    pub name: String,
    pub qty: String,
    pub cost: Money,
    pub lot_code: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdjustSupply {
    pub name: String,
    pub qty: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SupplyHistory {
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListRecipes {}

/// The recipe of a product, or none yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GetRecipe {
    pub sku: String,
}

/// Replaces a recipe: units per batch and (supply name, quantity typed with units).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetRecipe {
    pub sku: String,
    pub yield_qty: i64,
    pub lines: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanBatch {
    pub sku: String,
    pub batches: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MakeBatch {
    pub sku: String,
    pub batches: i64,
    /// Empty: one is made up from the SKU and the day.
    pub lot_code: String,
    pub expires_on: Option<NaiveDate>,
    /// Make it even though the books say a supply is short.
    pub allow_short: bool,
    /// Units actually made, when fewer or more than the recipe yields; none: as the recipe says.
    #[serde(default)]
    pub made: Option<i64>,
}

/// Recall: a lot code, traced as a product lot (a batch: both ways) or a
/// supply lot (a purchase: forward to the batches and their buyers).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceLot {
    pub lot: String,
    pub supply: bool,
}

/// A trace answered as whichever kind of lot was asked: `{"product": …}`
/// or `{"supply": …}`. Externally tagged, not by an inner `kind`: an inner
/// tag makes serde read the whole trace into a buffer first and instance
/// every type in it a second time: 27 KB of the UI's wasm (#26, twiggy).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LotTrace {
    Product(ProductLotTrace),
    Supply(SupplyLotTrace),
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListBatches {}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListCustomers {
    pub query: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GetCustomer {
    pub id: CustomerId,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveCustomer {
    pub id: Option<CustomerId>,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub notes: String,
}

/// The reports dashboard over a range of UTC days (inclusive; none = open).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub by_day: SalesReport,
    pub top_products: SalesReport,
    pub by_event: SalesReport,
    pub by_payment: SalesReport,
    pub valuation: Valuation,
    pub margins: Vec<MarginRow>,
    #[serde(default)]
    pub lot_margins: Vec<LotMarginRow>,
}

/// Writes one report as CSV into the Downloads folder and answers with its path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportCsv {
    /// `day`, `product`, `event`, `payment` or `margins`.
    pub report: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Writes one report as CSV where the person chooses, with the platform's
/// save dialog (#26); `None` when they closed it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveCsvAs {
    pub export: ExportCsv,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListAlerts {}

/// How many alerts wait, for the badge in the navigation. Its own command,
/// asked after the booth screen is up: counting reorder and expiry alerts
/// reads the whole stock, and the first screen never waits on it (#26).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlertCount {}

/// Replaces the owner's preset discounts (owner); answers with them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SaveDiscountPresets {
    pub presets: Vec<DiscountPreset>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveShop {
    pub business_name: String,
    pub currency: String,
    /// The sales tax in basis points (8.25% is 825).
    pub tax_bp: i64,
    pub tax_inclusive: bool,
}

/// Writes a consistent copy of the shop next to exported reports; answers with its path.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupNow {}

/// The backups in this shop's backups folder, newest first, and how the
/// daily automatic backup last went.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListBackups {}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BackupList {
    pub folder: String,
    pub backups: Vec<BackupEntry>,
    /// Why the last automatic backup failed, while it keeps failing.
    pub last_error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackupEntry {
    pub path: String,
    pub at_ms: i64,
    pub bytes: u64,
    /// Made by the daily schedule (and pruned by it), not by a person.
    pub automatic: bool,
}

/// Replaces this shop with a backup file (checked first; the current shop is kept beside it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RestoreBackup {
    pub path: String,
}

/// Asks the platform's own file picker for a backup file to restore
/// (#26); `None` when the person closed it. The typed path stays beside it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChooseBackupFile {}

/// Signs this device out of its server (owner only).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SignOut {
    /// Sign out even though some changes have not reached the server.
    pub force: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkShopify {
    pub shop: String,
    pub token: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UnlinkShopify {}

/// Where the Shopify import stands and the online SKUs it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShopifyPanel {
    pub import: ShopifyImportView,
    pub unmatched: Vec<UnmatchedSkuView>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GetShopify {}

/// Where the server's own Shopify import stands, for a device whose orders
/// come through the server; `None` on a device with no server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GetServerShopify {}

/// Import now instead of at the next tick of the background import.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportShopifyNow {}

/// Stock push-back after each background import, on or off, at `location`
/// (a number or gid; `None` keeps the one set).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetShopifyPushStock {
    pub on: bool,
    pub location: Option<String>,
}

/// Online lines with `shopify_sku` are the product `product_sku` (its SKU,
/// barcode or id) from now on; held lines are applied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapShopifySku {
    pub shopify_sku: String,
    pub product_sku: String,
}

/// The server's devices; the owner's password is asked again because
/// managing devices takes a fresh login.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListDevices {
    pub password: String,
}

/// The server's users (owner's password again, as for devices).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListUsers {
    pub password: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AddUser {
    /// The owner's own password.
    pub password: String,
    pub email: String,
    pub new_password: String,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RevokeDevice {
    pub password: String,
    pub device_id: DeviceId,
}

command!(Home => HomeView, "home");
command!(Search => Vec<ProductView>, "search");
command!(Sell => SaleReceipt, "sell");
command!(ParkCart => Vec<ParkedView>, "park_cart");
command!(MarketResults => MarketsReport, "market_results");
command!(WithdrawPayment => (), "withdraw_payment");
command!(SaveDiscountPresets => Vec<DiscountPreset>, "save_discount_presets");
command!(ListParked => Vec<ParkedView>, "list_parked");
command!(ResumeParked => ParkedCart, "resume_parked");
command!(RecentSales => Vec<SaleSummary>, "recent_sales");
command!(GetReceipt => crate::receipt::Receipt, "receipt");
command!(GetLabel => crate::label::Label, "label");
command!(SaveTaxPlace => crate::tax::TaxPlace, "save_tax_place");
command!(AddTender => crate::tender::Tender, "add_tender");
command!(SaveLabels => String, "save_labels");
command!(PrintReceipt => bool, "print_receipt");
command!(EmailReceipt => crate::mail::ReceiptEmailView, "email_receipt");
command!(ReceiptEmails => crate::mail::SaleEmails, "receipt_emails");
command!(GetMail => Option<crate::mail::MailServer>, "mail");
command!(SaveMail => Option<crate::mail::MailServer>, "save_mail");
command!(GetPrinter => crate::receipt::PrinterView, "printer");
command!(SavePrinter => crate::receipt::PrinterView, "save_printer");
command!(VoidSale => SaleId, "void_sale");
command!(RefundSale => RefundReceipt, "refund_sale");
command!(OpenEvent => EventView, "open_event");
command!(CloseEvent => ZReport, "close_event");
command!(ProductLots => Vec<LotChoice>, "product_lots");
command!(JoinEvent => EventView, "join_event");
command!(PlanEvent => EventView, "plan_event");
command!(AllotStock => ZReport, "allot_stock");
command!(ListKnownDevices => Vec<KnownDevice>, "list_known_devices");
command!(GetAllotment => Option<AllotmentView>, "get_allotment");
command!(ListEvents => Vec<EventView>, "list_events");
command!(EventReport => ZReport, "event_report");
command!(SettleEvent => SettleStatement, "settle_event");
command!(GetSync => AppSync, "get_sync");
command!(SyncNow => AppSync, "sync_now");
command!(ExportUnsynced => String, "export_unsynced");
command!(SaveUnsyncedAs => Option<String>, "save_unsynced_as");
command!(ChooseChangesFile => Option<String>, "choose_changes_file");
command!(ImportChanges => ImportedChanges, "import_changes");
command!(Connect => AppSync, "connect");
command!(StartFresh => SettingsView, "start_fresh");
command!(GetSettings => SettingsView, "get_settings");
command!(ListProducts => Vec<ProductView>, "list_products");
command!(SaveProduct => ProductView, "save_product");
command!(ArchiveProduct => ProductView, "archive_product");
command!(AdjustProduct => ProductView, "adjust_product");
command!(ProductHistory => Vec<MovementView>, "product_history");
command!(ListSupplies => Vec<SupplyView>, "list_supplies");
command!(SaveSupply => SupplyView, "save_supply");
command!(ArchiveSupply => SupplyView, "archive_supply");
command!(ReceiveSupply => SupplyView, "receive_supply");
command!(AdjustSupply => SupplyView, "adjust_supply");
command!(SupplyHistory => Vec<MovementView>, "supply_history");
command!(ListRecipes => Vec<RecipeSummary>, "list_recipes");
command!(GetRecipe => Option<RecipeView>, "get_recipe");
command!(SetRecipe => RecipeView, "set_recipe");
command!(PlanBatch => BatchPlan, "plan_batch");
command!(MakeBatch => BatchView, "make_batch");
command!(ListBatches => Vec<BatchView>, "list_batches");
command!(TraceLot => LotTrace, "trace_lot");
command!(ListCustomers => Vec<CustomerView>, "list_customers");
command!(GetCustomer => CustomerView, "get_customer");
command!(SaveCustomer => CustomerView, "save_customer");
command!(Dashboard => DashboardView, "dashboard");
command!(ExportCsv => String, "export_csv");
command!(SaveCsvAs => Option<String>, "save_csv_as");
command!(ListAlerts => Vec<Alert>, "list_alerts");
command!(AlertCount => usize, "alert_count");
command!(SaveShop => SettingsView, "save_shop");
command!(SignOut => AppSync, "sign_out");
command!(BackupNow => String, "backup_now");
command!(RestoreBackup => String, "restore_backup");
command!(ChooseBackupFile => Option<String>, "choose_backup_file");
command!(ListBackups => BackupList, "list_backups");
command!(LinkShopify => SettingsView, "link_shopify");
command!(UnlinkShopify => SettingsView, "unlink_shopify");
command!(GetShopify => ShopifyPanel, "get_shopify");
command!(ImportShopifyNow => ShopifyPanel, "import_shopify_now");
command!(GetServerShopify => Option<ServerShopifyStatus>, "get_server_shopify");
command!(MapShopifySku => ShopifyPanel, "map_shopify_sku");
command!(SetShopifyPushStock => ShopifyPanel, "set_shopify_push_stock");
command!(ListDevices => Vec<DeviceInfo>, "list_devices");
command!(RevokeDevice => Vec<DeviceInfo>, "revoke_device");
command!(ListUsers => Vec<UserInfo>, "list_users");
command!(AddUser => Vec<UserInfo>, "add_user");
