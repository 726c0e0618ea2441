//! What queries return: the shapes the CLI prints as JSON and the UI renders.
//! Money fields end in `_cents`; quantities are integer base units.
use crate::ids::*;
use crate::op::PayMethod;
use crate::quantity::Unit;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductView {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub price_cents: i64,
    pub barcode: Option<String>,
    pub low_stock_at: i64,
    pub favorite: bool,
    pub no_oversell: bool,
    pub archived: bool,
    pub on_hand: i64,
    /// How it is taxed at each place; "standard" unless set.
    #[serde(default = "standard_category")]
    pub tax_category: String,
    /// What its labels say beyond its name.
    #[serde(default)]
    pub label: ProductLabel,
}

/// A product's label details (#25): none set until the owner sets them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductLabel {
    /// Net content as typed back: "56 g", "30 ml".
    pub net: Option<String>,
    pub label_name: Option<String>,
    pub warnings: Option<String>,
}

fn standard_category() -> String {
    crate::bounds::STANDARD_CATEGORY.to_string()
}

impl ProductView {
    /// The low-stock rule the core's alerts use: below zero, or at or under
    /// a threshold that is set (0 means no alert).
    pub fn is_low(&self) -> bool {
        self.on_hand < 0 || (self.low_stock_at > 0 && self.on_hand <= self.low_stock_at)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SupplyView {
    pub id: SupplyId,
    pub name: String,
    pub unit: Unit,
    pub reorder_at: i64,
    pub supplier: Option<String>,
    pub notes: Option<String>,
    pub archived: bool,
    pub on_hand: i64,
    /// Weighted average over every purchase, per 1000 base units (per kg,
    /// per litre, per 1000 pieces), rounded to the cent for display only.
    pub cost_per_1000_cents: i64,
    /// On hand at the weighted average cost, rounded once.
    pub value_cents: i64,
    /// The INCI name a label lists it by.
    #[serde(default)]
    pub inci: Option<String>,
    /// For a supply measured in ml: mg per ml (a label's weight order).
    #[serde(default)]
    pub density_mg_per_ml: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecipeLineView {
    pub supply_id: SupplyId,
    pub supply: String,
    pub unit: Unit,
    pub qty: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecipeView {
    pub product_id: ProductId,
    pub sku: String,
    pub yield_qty: i64,
    pub lines: Vec<RecipeLineView>,
    /// Cost of one batch from the supply lots it would use now (first
    /// received first); what no lot covers costs nothing.
    pub batch_cost_cents: i64,
    /// The supply lots one batch would use now, with what each part costs.
    #[serde(default)]
    pub lots: Vec<LotUse>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchView {
    pub lot_id: LotId,
    pub lot_code: String,
    pub sku: String,
    pub batches: i64,
    pub output_qty: i64,
    pub cost_cents: i64,
    pub unit_cost_cents: i64,
    pub made_at_ms: i64,
    pub expires_on: Option<String>,
    /// What the recipe promised, when the batch made a different number.
    #[serde(default)]
    pub expected_qty: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    pub id: EventId,
    pub name: String,
    pub location: String,
    pub date: String,
    pub float_cents: i64,
    pub open: bool,
    pub counted_cents: Option<i64>,
    /// The place whose tax its sales follow (none: the shop's home place).
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub fee_cents: i64,
    /// The market's commission, in basis points, and whether of sales with
    /// tax ("gross") or without ("net").
    #[serde(default)]
    pub commission_bp: i64,
    #[serde(default)]
    pub commission_base: String,
    #[serde(default)]
    pub minutes_worked: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentTotal {
    pub method: PayMethod,
    pub amount_cents: i64,
    pub refunded_cents: i64,
    /// A configured tender's name (its `method` is other).
    #[serde(default)]
    pub tender: Option<String>,
    /// Tips taken in this tender: not sales, listed apart.
    #[serde(default)]
    pub tips_cents: i64,
    /// Counted in the drawer at close (cash, tokens, checks).
    #[serde(default)]
    pub in_drawer: bool,
}

impl PaymentTotal {
    /// The tender's name as a person reads it.
    pub fn name(&self) -> &str {
        self.tender.as_deref().unwrap_or(self.method.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitsSold {
    pub sku: String,
    pub name: String,
    pub units: i64,
    pub total_cents: i64,
}

/// The Z report of one market event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZReport {
    pub event: EventView,
    pub sales_count: i64,
    pub total_cents: i64,
    pub refunds_cents: i64,
    pub payments: Vec<PaymentTotal>,
    pub expected_cash_cents: i64,
    pub counted_cash_cents: Option<i64>,
    /// counted − expected: positive is over, negative is short.
    pub over_short_cents: Option<i64>,
    pub units: Vec<UnitsSold>,
    /// Every device's cash drawer at the event (one when one device worked it).
    #[serde(default)]
    pub drawers: Vec<DrawerZ>,
    /// What each booth device was allotted and what became of it.
    #[serde(default)]
    pub allotments: Vec<AllotmentLine>,
    /// Card and other payments taken off unfinished sales; those charged
    /// are owed back to the customer on the reader.
    #[serde(default)]
    pub withdrawn: Vec<WithdrawnPayment>,
    /// Tips, every tender's together (each is in its `payments` row).
    #[serde(default)]
    pub tips_cents: i64,
    /// Tax by place and rate, as the sales were taxed.
    #[serde(default)]
    pub taxes: Vec<TaxRow>,
}

/// A payment taken off a sale before it was finished.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawnPayment {
    pub at_ms: i64,
    pub device: DeviceId,
    pub method: PayMethod,
    pub amount_cents: i64,
    /// The vendor said the reader charged it: refund it there.
    pub charged: bool,
}

/// One device's cash drawer at an event: its float, what it took, what
/// should be in it and what was counted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawerZ {
    pub device: DeviceId,
    /// The device asking.
    pub this_device: bool,
    pub open: bool,
    pub float_cents: i64,
    pub sales_count: i64,
    pub total_cents: i64,
    /// Cash taken for sales, less cash given back for refunds.
    pub net_cash_cents: i64,
    /// Cash tips, in the drawer but not sales.
    #[serde(default)]
    pub cash_tips_cents: i64,
    /// Change handed out of the drawer for a tender that gives change (a
    /// check written for more).
    #[serde(default)]
    pub change_out_cents: i64,
    /// float + net cash + cash tips − change handed out for other tenders.
    pub expected_cash_cents: i64,
    pub counted_cash_cents: Option<i64>,
    pub over_short_cents: Option<i64>,
}

/// Stock allotted to one device for an event and what became of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllotmentLine {
    pub device: DeviceId,
    pub sku: String,
    pub name: String,
    pub allotted: i64,
    /// Units that device sold at the event, less what came back as refunds.
    pub sold: i64,
    /// What should come back from the booth: allotted − sold (below zero:
    /// it sold more than it was given).
    pub left: i64,
}

/// A device this one has heard from (its operations are in the log): the
/// booths the owner can allot stock to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownDevice {
    pub id: DeviceId,
    pub this_device: bool,
    pub sales: i64,
    /// Its receipt numbers start with this, when it has sold.
    pub receipt_prefix: Option<String>,
}

/// What this device carries to the event it has open.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AllotmentView {
    pub event: EventView,
    pub lines: Vec<AllotmentLine>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaleReceipt {
    pub sale_id: SaleId,
    pub receipt_no: String,
    pub gross_cents: i64,
    pub discount_cents: i64,
    pub tax_cents: i64,
    pub total_cents: i64,
    pub change_cents: i64,
    pub oversold: Vec<String>,
    /// SKUs this sale took past what the device was allotted for the event.
    #[serde(default)]
    pub over_allotment: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefundReceipt {
    pub refund_id: RefundId,
    pub sale_id: SaleId,
    pub total_cents: i64,
    pub method: PayMethod,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    pub id: CustomerId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub lifetime_spend_cents: i64,
    pub purchases: Vec<PurchaseView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PurchaseView {
    pub sale_id: SaleId,
    pub receipt_no: String,
    pub at_ms: i64,
    pub total_cents: i64,
    pub refunded_cents: i64,
    pub voided: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    LowStock,
    Reorder,
    Oversold,
    Expiring,
    /// The device cannot sync, or the server refused a change.
    Sync,
    /// Online order lines whose SKU matches no product, held until it is mapped.
    UnmatchedSku,
    /// A lot below zero: two devices sold the same last units offline.
    LotNegative,
    /// A sale line refunded for more than was sold: two devices refunded
    /// it offline, each seeing what was left. The money went out twice.
    RefundedTwice,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub kind: AlertKind,
    /// SKU, supply name or lot code.
    pub item: String,
    pub message: String,
    pub on_hand: Option<i64>,
    pub threshold: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SalesRow {
    /// The day (`YYYY-MM-DD`), event name, SKU or payment method.
    pub key: String,
    pub label: String,
    pub units: i64,
    pub gross_cents: i64,
    pub discount_cents: i64,
    pub tax_cents: i64,
    pub refund_cents: i64,
    /// gross − discounts − refunds, tax excluded.
    pub net_cents: i64,
    /// What customers paid, less what was refunded to them.
    pub total_cents: i64,
}

impl SalesRow {
    /// The headers of [`SalesRow::figure_cells`], in the same order.
    pub const FIGURES: [&'static str; 7] = ["units", "gross", "discounts", "tax", "refunds", "net", "total"];

    /// The row's figures as text, for every table and CSV that shows them:
    /// units, then each amount as `12.50`.
    pub fn figure_cells(&self) -> Vec<String> {
        let money = |c: i64| crate::Money(c).to_string();
        vec![
            self.units.to_string(),
            money(self.gross_cents),
            money(self.discount_cents),
            money(self.tax_cents),
            money(self.refund_cents),
            money(self.net_cents),
            money(self.total_cents),
        ]
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SalesReport {
    pub by: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub total_cents: i64,
    pub rows: Vec<SalesRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Valuation {
    pub supplies_cents: i64,
    pub products_cents: i64,
    pub total_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarginRow {
    pub sku: String,
    pub name: String,
    pub price_cents: i64,
    /// Average cost of a unit over every batch made, if any were.
    pub unit_cost_cents: Option<i64>,
    pub margin_cents: Option<i64>,
    /// Margin as basis points of the price.
    pub margin_bp: Option<i64>,
    /// Units sold from known lots (less those refunded back into them),
    /// what they brought in before tax and what those lots cost to make:
    /// the margin actually made, not the one the price promises.
    #[serde(default)]
    pub sold_units: i64,
    #[serde(default)]
    pub sold_net_cents: i64,
    #[serde(default)]
    pub sold_cost_cents: i64,
}

/// What one product lot (a batch) cost, what its units sold for and the margin made on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotMarginRow {
    pub lot_code: String,
    pub sku: String,
    pub name: String,
    pub made_at_ms: i64,
    pub made: i64,
    /// Cost over what was made, rounded.
    pub unit_cost_cents: i64,
    /// Units sold from it, less those refunded back into it.
    pub sold: i64,
    /// What they brought in before tax.
    pub net_cents: i64,
    pub cost_cents: i64,
    pub margin_cents: i64,
    /// Margin as basis points of what they brought in.
    pub margin_bp: Option<i64>,
}

/// Where this device stands with the server, for a status that is always visible.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// `not_configured`, `synced`, `pending` (unsynced changes, last try fine), `offline` (last try failed).
    pub state: String,
    pub server_url: Option<String>,
    pub device_name: Option<String>,
    pub user_email: Option<String>,
    /// This device's operations the server has not acknowledged.
    pub pending: i64,
    /// Operations the server refused for good, with its reasons.
    pub refused: Vec<RefusedOp>,
    pub last_attempt_ms: Option<i64>,
    pub last_success_ms: Option<i64>,
    pub last_error: Option<String>,
    /// The last server sequence applied here.
    pub pulled_through: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefusedOp {
    pub op_id: OpId,
    pub kind: String,
    pub reason: String,
}

/// What importing another device's file of unsynced changes did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportedChanges {
    /// Changes in the file.
    pub operations: usize,
    /// Of them, new here and applied.
    pub applied: usize,
    /// Left out, with the reason.
    pub refused: Vec<RefusedOp>,
}

/// What one sync did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncReport {
    pub pushed: usize,
    pub refused: Vec<RefusedOp>,
    pub pulled: usize,
    pub applied: usize,
    /// The server's log had gone back (restored from a backup): this device
    /// sent its own operations again and pulled from the start.
    #[serde(default)]
    pub server_restored: bool,
    /// Operations stamped while this device's clock was set ahead were
    /// stamped again from now (the clock is right again).
    #[serde(default)]
    pub clock_recovered: bool,
}

/// A sale as a history list shows it: what was sold, how it was paid, and
/// what has been refunded or voided since.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaleSummary {
    pub sale_id: SaleId,
    pub receipt_no: String,
    pub at_ms: i64,
    pub event_id: Option<EventId>,
    pub customer: Option<String>,
    pub total_cents: i64,
    pub change_cents: i64,
    pub refunded_cents: i64,
    pub voided: bool,
    pub lines: Vec<SoldLine>,
    pub payments: Vec<crate::op::Payment>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SoldLine {
    pub sku: String,
    pub name: String,
    pub qty: i64,
    pub total_cents: i64,
}

/// One change to a product's or supply's stock, with the balance after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MovementView {
    pub at_ms: i64,
    /// Signed, in base units.
    pub qty: i64,
    /// `sale`, `refund`, `void`, `purchase`, `batch_input`, `batch_output`, `adjustment`.
    pub reason: String,
    /// What the person typed for an adjustment.
    pub note: Option<String>,
    /// The supply receipt's or batch's lot code.
    pub lot_code: Option<String>,
    /// On hand right after this movement.
    pub balance: i64,
}

impl SupplyView {
    /// The reorder rule the core's alerts use: below zero, or at or under a set reorder point.
    pub fn needs_reorder(&self) -> bool {
        self.on_hand < 0 || (self.reorder_at > 0 && self.on_hand <= self.reorder_at)
    }
}

/// What K batches of a recipe would consume, what is short, and what it costs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchPlan {
    pub sku: String,
    pub name: String,
    pub batches: i64,
    pub output_qty: i64,
    pub lines: Vec<PlanLine>,
    pub cost_cents: i64,
    /// `cost_cents / output_qty`, rounded.
    pub unit_cost_cents: i64,
    /// Whether every supply covers its need.
    pub enough: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanLine {
    pub supply_id: SupplyId,
    pub supply: String,
    pub unit: Unit,
    pub need: i64,
    pub on_hand: i64,
    /// How much is missing (0 when there is enough).
    pub short: i64,
    pub cost_cents: i64,
    /// The supply lots it would use, oldest received first, each at its own cost.
    #[serde(default)]
    pub lots: Vec<LotUse>,
}

/// Part of a need met from one lot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotUse {
    pub lot_code: String,
    pub qty: i64,
    pub cost_cents: i64,
}

/// A lot of a product (a batch) or of a supply (a purchase) with what is
/// left of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotView {
    pub lot_id: LotId,
    pub lot_code: String,
    /// The product's SKU or the supply's name.
    pub item: String,
    pub unit: Unit,
    /// Made (a batch) or received (a purchase).
    pub qty: i64,
    pub on_hand: i64,
    pub at_ms: i64,
    pub expires_on: Option<String>,
    /// What one unit of this lot cost, in millionths of a cent.
    pub unit_cost_microcents: i64,
}

/// Everyone who bought from a product lot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceSale {
    pub lot_code: String,
    pub receipt_no: String,
    pub at_ms: i64,
    pub qty: i64,
    /// Units of it refunded and put back.
    pub returned: i64,
    pub voided: bool,
    pub customer: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub event: Option<String>,
}

impl TraceSale {
    /// "voided", "2 returned", or nothing: what became of the sale since.
    pub fn note(&self) -> String {
        if self.voided {
            "voided".into()
        } else if self.returned > 0 {
            format!("{} returned", self.returned)
        } else {
            String::new()
        }
    }
}

impl ProductLotTrace {
    /// The warning a recall needs when some units sold carry no lot.
    pub fn unassigned_note(&self) -> Option<String> {
        (self.unassigned_units > 0).then(|| {
            format!(
                "{} unit(s) of {} sold since lot {} was made have no lot recorded (online orders, older sales): they may be from it.",
                self.unassigned_units, self.name, self.lot.lot_code
            )
        })
    }
}

/// A product lot and where its units went (forward) and what it was made of (backward).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductLotTrace {
    pub lot: LotView,
    pub name: String,
    /// The supply lots it consumed.
    pub inputs: Vec<TraceInput>,
    pub sales: Vec<TraceSale>,
    /// Units of the product sold since this lot was made with no lot
    /// recorded (online orders, sales from before lots): they may be from it.
    pub unassigned_units: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceInput {
    pub supply: String,
    pub unit: Unit,
    pub lot_code: String,
    pub supplier: Option<String>,
    pub qty: i64,
}

/// A supply lot, the batches that used it and who bought from those batches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplyLotTrace {
    pub lot: LotView,
    pub supplier: Option<String>,
    pub batches: Vec<ProductLotTrace>,
}

/// A product's recipe in a list: what a batch costs and how many batches
/// the supplies on hand would make now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecipeSummary {
    pub sku: String,
    pub name: String,
    pub yield_qty: i64,
    pub lines: usize,
    pub batch_cost_cents: i64,
    pub unit_cost_cents: i64,
    pub makeable_batches: i64,
    /// The supply that runs out first, when any limits it.
    pub limited_by: Option<String>,
}

/// A Shopify SKU no product has, with the online lines held until it is mapped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmatchedSkuView {
    pub sku: String,
    pub lines: i64,
    pub units: i64,
    /// A few of the orders (`#1042`), oldest first.
    pub orders: Vec<String>,
}

/// A Shopify variant beside the Wildroot product it is (or would be):
/// `state` is `linked`, `matches` (same SKU, not linked yet), `missing` (no
/// product has the SKU) or `no_sku`. Differences are listed, never applied
/// silently.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueRow {
    pub variant_gid: String,
    pub shopify_sku: Option<String>,
    pub shopify_title: String,
    pub shopify_price_cents: i64,
    pub shopify_barcode: Option<String>,
    pub status: String,
    pub state: String,
    pub product_sku: Option<String>,
    pub product_name: Option<String>,
    pub product_price_cents: Option<i64>,
    pub product_barcode: Option<String>,
    /// `title`, `price`, `barcode`: where the two sides disagree.
    pub differences: Vec<String>,
}

/// What writing Wildroot's title, price and barcode to Shopify did for one product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CataloguePush {
    pub sku: String,
    pub name: String,
    /// The fields Shopify now has from Wildroot.
    pub written: Vec<String>,
    /// `written`, `unchanged`, `partly` (some fields refused) or `refused`.
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Where this device's Shopify import stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopifyImportView {
    pub shop: Option<String>,
    pub since_ms: Option<i64>,
    /// Orders updated up to here are in.
    pub cursor_ms: Option<i64>,
    pub api_version: String,
    pub location_gid: Option<String>,
    pub last_run_ms: Option<i64>,
    pub last_error: Option<String>,
    pub orders: i64,
    pub unmatched_skus: i64,
    /// Shopify's available counts are set from Wildroot's stock after each
    /// background import.
    #[serde(default)]
    pub push_stock: bool,
    /// What Shopify withheld from the last import for want of a permission
    /// (the import went on without it), in Shopify's words.
    #[serde(default)]
    pub withheld: Option<String>,
    /// A bulk first import under way: orders recorded, of how many.
    #[serde(default)]
    pub bulk_progress: Option<(i64, i64)>,
}

/// One day of a market's sales, as its statement prints it (after refunds).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettleDay {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// What customers paid, tax included, after discounts.
    pub gross_cents: i64,
    /// What was given back, tax included.
    pub refunds_cents: i64,
    /// Tax collected, less tax refunded.
    pub tax_cents: i64,
    /// Sales without tax, after refunds: gross − refunds − tax.
    pub net_cents: i64,
}

/// The statement a market manager asks for at the end of a day: sales by
/// day, tax, and what the market is owed by its rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettleStatement {
    pub event: EventView,
    pub days: Vec<SettleDay>,
    pub gross_cents: i64,
    pub refunds_cents: i64,
    pub tax_cents: i64,
    pub net_cents: i64,
    /// "gross" (sales with tax, after refunds) or "net" (without tax).
    pub commission_base: String,
    pub commission_bp: i64,
    /// What the commission is taken of, by the event's rule.
    pub commission_on_cents: i64,
    pub commission_cents: i64,
    pub fee_cents: i64,
    /// Commission and fee: what the market is owed.
    pub owed_cents: i64,
}

/// What one market day really earned: its figures and the profit they make.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarketResult {
    pub event: EventView,
    /// Sales without tax, before refunds (tips are never sales).
    pub net_sales_cents: i64,
    /// Refunds without tax.
    pub refunds_cents: i64,
    pub commission_cents: i64,
    pub fee_cents: i64,
    /// The day's other costs entered (travel, stall, a helper).
    pub costs_cents: i64,
    /// What the goods sold cost: from the lots they came from, units no
    /// lot covers at the product's average lot cost.
    pub goods_cents: i64,
    /// Units costed at their product's average because no lot covered them.
    pub units_at_average: i64,
    /// net sales − refunds − commission − fee − costs − goods.
    pub profit_cents: i64,
    pub minutes_worked: Option<i64>,
    /// Profit per hour worked, when the hours were entered.
    pub profit_per_hour_cents: Option<i64>,
}

/// Every market of a season side by side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarketsReport {
    pub season: Option<i32>,
    pub markets: Vec<MarketResult>,
    pub net_sales_cents: i64,
    pub profit_cents: i64,
}

/// Tax for filing: per place and rate, over a range of days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRow {
    pub place: String,
    pub rate_bp: i64,
    /// Sales without tax at this rate, less refunds (0 % rows are exempt sales).
    pub taxable_cents: i64,
    pub exempt_cents: i64,
    /// Tax collected less tax refunded.
    pub tax_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxReport {
    pub from: String,
    pub to: String,
    pub rows: Vec<TaxRow>,
    pub taxable_cents: i64,
    pub exempt_cents: i64,
    pub tax_cents: i64,
}
