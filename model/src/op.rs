//! Operations: the only way anything changes (DESIGN rule 1).
//!
//! An operation carries everything needed to apply it: computed totals, the
//! receipt number, the supplies a batch consumed and what they cost. Applying
//! never recomputes from the current catalogue, so every device that applies
//! the same operation gets the same tables, whatever it knew at the time.
use crate::hlc::Hlc;
use crate::ids::*;
use crate::quantity::Unit;
use serde::{Deserialize, Serialize};

/// The payload version this build writes. Bump when a payload changes shape.
///
/// 2: sale lines, refund lines and batch inputs name the lots they took
/// from or returned to ([`LotTake`]); a batch may record what its recipe
/// promised (`expected_qty`). A build that knows only 1 keeps version 2
/// operations unapplied until it is upgraded, so its lot figures are never
/// short of what another device recorded.
///
/// 3: a sale line may be a custom-amount item (no product, a description)
/// and names its tax category and rate; a refund line of one has no product.
///
/// 4: what a label says (#25): a product's net content, label name and
/// warnings, a supply's INCI name and density. A build that knows only 3
/// would drop them; it keeps version 4 operations unapplied instead.
pub const OP_VERSION: u32 = 4;

/// One immutable change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    pub id: OpId,
    pub device: DeviceId,
    /// Position in this device's own series, 1, 2, 3…; lets a server notice gaps.
    pub device_seq: i64,
    pub hlc: Hlc,
    pub version: u32,
    #[serde(flatten)]
    pub kind: OpKind,
}

/// What happened. Serialized as `{"kind": "...", "payload": {...}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum OpKind {
    SupplyCreated(SupplyCreated),
    SupplyEdited(SupplyEdited),
    SupplyReceived(SupplyReceived),
    StockAdjusted(StockAdjusted),
    ProductCreated(ProductCreated),
    ProductEdited(ProductEdited),
    RecipeSet(RecipeSet),
    BatchProduced(BatchProduced),
    EventOpened(EventOpened),
    EventClosed(EventClosed),
    EventJoined(EventJoined),
    StockAllotted(StockAllotted),
    SaleCompleted(SaleCompleted),
    SaleVoided(SaleVoided),
    SaleRefunded(SaleRefunded),
    CustomerCreated(CustomerCreated),
    CustomerEdited(CustomerEdited),
    SettingSet(SettingSet),
    ShopifyOrderSeen(ShopifyOrderSeen),
    ShopifySkuMapped(ShopifySkuMapped),
    ShopifyVariantLinked(ShopifyVariantLinked),
    PaymentWithdrawn(PaymentWithdrawn),
    EventEdited(EventEdited),
    EventCostAdded(EventCostAdded),
    ReceiptEmailRequested(ReceiptEmailRequested),
    ReceiptEmailOutcome(ReceiptEmailOutcome),
}

/// The wire names of every kind this build knows.
pub const KIND_NAMES: &[&str] = &[
    "supply_created",
    "supply_edited",
    "supply_received",
    "stock_adjusted",
    "product_created",
    "product_edited",
    "recipe_set",
    "batch_produced",
    "event_opened",
    "event_closed",
    "event_joined",
    "stock_allotted",
    "sale_completed",
    "sale_voided",
    "sale_refunded",
    "customer_created",
    "customer_edited",
    "setting_set",
    "shopify_order_seen",
    "shopify_sku_mapped",
    "shopify_variant_linked",
    "payment_withdrawn",
    "event_edited",
    "event_cost_added",
    "receipt_email_requested",
    "receipt_email_outcome",
];

impl OpKind {
    /// The wire name of this kind, as stored in the log's `kind` column.
    pub fn name(&self) -> &'static str {
        match self {
            OpKind::SupplyCreated(_) => "supply_created",
            OpKind::SupplyEdited(_) => "supply_edited",
            OpKind::SupplyReceived(_) => "supply_received",
            OpKind::StockAdjusted(_) => "stock_adjusted",
            OpKind::ProductCreated(_) => "product_created",
            OpKind::ProductEdited(_) => "product_edited",
            OpKind::RecipeSet(_) => "recipe_set",
            OpKind::BatchProduced(_) => "batch_produced",
            OpKind::EventOpened(_) => "event_opened",
            OpKind::EventClosed(_) => "event_closed",
            OpKind::EventJoined(_) => "event_joined",
            OpKind::StockAllotted(_) => "stock_allotted",
            OpKind::SaleCompleted(_) => "sale_completed",
            OpKind::SaleVoided(_) => "sale_voided",
            OpKind::SaleRefunded(_) => "sale_refunded",
            OpKind::CustomerCreated(_) => "customer_created",
            OpKind::CustomerEdited(_) => "customer_edited",
            OpKind::SettingSet(_) => "setting_set",
            OpKind::ShopifyOrderSeen(_) => "shopify_order_seen",
            OpKind::ShopifySkuMapped(_) => "shopify_sku_mapped",
            OpKind::ShopifyVariantLinked(_) => "shopify_variant_linked",
            OpKind::PaymentWithdrawn(_) => "payment_withdrawn",
            OpKind::EventEdited(_) => "event_edited",
            OpKind::EventCostAdded(_) => "event_cost_added",
            OpKind::ReceiptEmailRequested(_) => "receipt_email_requested",
            OpKind::ReceiptEmailOutcome(_) => "receipt_email_outcome",
        }
    }
}

/// Fields of a supply; `None` leaves a field as it is. Each field is a
/// last-writer-wins register (DESIGN rule 3).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SupplyFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reorder_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    /// The ingredient's INCI name, as a label lists it. Empty clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inci: Option<String>,
    /// For a supply measured in ml: its density in mg per ml, to order a
    /// label's ingredients by weight (none: 1 g/ml, the label says so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub density_mg_per_ml: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SupplyCreated {
    pub supply_id: SupplyId,
    /// Fixed at creation: changing the unit would change the meaning of every movement.
    pub unit: Unit,
    pub fields: SupplyFields,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SupplyEdited {
    pub supply_id: SupplyId,
    pub fields: SupplyFields,
}

/// A purchase received: a supply lot with its quantity and what it cost in total.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SupplyReceived {
    pub lot_id: LotId,
    pub supply_id: SupplyId,
    pub lot_code: String,
    pub qty: i64,
    pub cost_cents: i64,
    pub received_at_ms: i64,
}

/// What a stock movement or adjustment is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Item {
    Product(ProductId),
    Supply(SupplyId),
}

/// A manual correction of stock: `qty` is the signed change, never a new total,
/// so movements other devices made meanwhile still count (DESIGN rule 2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StockAdjusted {
    pub item: Item,
    pub qty: i64,
    pub reason: String,
    pub at_ms: i64,
    /// What a write-off (a negative adjustment) took from which lots, first
    /// expired or first received first, with what those units cost; a
    /// positive adjustment (units found) belongs to no lot and costs nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lots: Vec<LotTake>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProductFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Empty string clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_cents: Option<i64>,
    /// Empty string clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_stock_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub favorite: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_oversell: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    /// "standard" unless set: how the product is taxed at each place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_category: Option<String>,
    /// Net content on the label, in base units of `net_unit` (g or ml).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_qty: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_unit: Option<crate::quantity::Unit>,
    /// The product's identity on its label (its name when none). Empty clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_name: Option<String>,
    /// Warnings printed on the label. Empty clears them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductCreated {
    pub product_id: ProductId,
    pub fields: ProductFields,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductEdited {
    pub product_id: ProductId,
    pub fields: ProductFields,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipeLine {
    pub supply_id: SupplyId,
    pub qty: i64,
}

/// The whole bill of materials of a product, replaced as one register.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecipeSet {
    pub product_id: ProductId,
    pub yield_qty: i64,
    pub lines: Vec<RecipeLine>,
}

/// Units of one lot: taken by a sale line or a batch input, or put back by
/// a refund. Chosen once, by the device that recorded the operation, so
/// every device applies the same choice (two devices selling a lot's last
/// jar offline both take it: the lot goes negative and is reported).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotTake {
    pub lot_id: LotId,
    pub qty: i64,
    /// For a supply lot consumed (by a batch or a write-off): what these
    /// units cost, in whole cents, by the rule in `bounds::take_cost`; 0 for
    /// product lots, which are valued at their batch's unit cost.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cost_cents: i64,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// One supply consumed by a batch, with its share of the batch cost in
/// millionths of a cent (rounded to cents once, at the batch total).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchInput {
    pub supply_id: SupplyId,
    pub qty: i64,
    pub cost_microcents: i64,
    /// The supply lots consumed, oldest received first; their sum may be
    /// short of `qty` when the books were behind (the rest is unassigned).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lots: Vec<LotTake>,
}

/// K batches made: supplies out, product in, one lot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchProduced {
    pub lot_id: LotId,
    pub product_id: ProductId,
    pub lot_code: String,
    pub batches: i64,
    pub output_qty: i64,
    pub made_at_ms: i64,
    /// `YYYY-MM-DD`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<String>,
    pub inputs: Vec<BatchInput>,
    pub cost_cents: i64,
    /// What the recipe promised when `output_qty` (what was made) is less
    /// or more: the difference is waste, and the unit cost is over what was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_qty: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventOpened {
    pub event_id: EventId,
    pub name: String,
    pub location: String,
    /// `YYYY-MM-DD`
    pub date: String,
    pub float_cents: i64,
    pub opened_at_ms: i64,
    /// Planned ahead (by the owner, to allot stock to the booths): the
    /// recording device opens no cash drawer at it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub planned: bool,
    /// Where it is, how sales there are taxed, and the market's cut.
    #[serde(default, skip_serializing_if = "EventTerms::is_empty")]
    pub terms: EventTerms,
}

/// An event's terms, each a last-writer-wins register (`None` leaves it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventTerms {
    /// The place the market is at, as its rates were when set: sales there
    /// are taxed by the place's rates (the current ones where this device
    /// knows the place, else these).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<crate::tax::TaxPlace>,
    /// The market's booth fee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_cents: Option<i64>,
    /// The market's commission on sales.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commission: Option<Commission>,
    /// Hours the owner spent on the day (setting up, selling, packing up), in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes_worked: Option<i64>,
}

impl EventTerms {
    pub fn is_empty(&self) -> bool {
        *self == EventTerms::default()
    }
}

/// What a market takes of a day's sales: a rate of the sales with tax
/// (`Gross`) or without (`Net`), after refunds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commission {
    pub bp: i64,
    pub base: CommissionBase,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommissionBase {
    Gross,
    Net,
}

impl CommissionBase {
    pub fn as_str(self) -> &'static str {
        match self {
            CommissionBase::Gross => "gross",
            CommissionBase::Net => "net",
        }
    }
}

/// The owner changes an event's terms (its place, fee, commission, hours).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventEdited {
    pub event_id: EventId,
    pub terms: EventTerms,
}

/// A cost of a market day besides the fee and commission (travel, stall,
/// a helper), for what the day really earned.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventCostAdded {
    pub event_id: EventId,
    pub amount_cents: i64,
    pub note: String,
    pub at_ms: i64,
}

/// The recording device's cash drawer at the event is closed with this count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventClosed {
    pub event_id: EventId,
    pub counted_cents: i64,
    pub closed_at_ms: i64,
}

/// Another device works the same event with its own cash drawer: its sales
/// belong to the event, and the event's Z report has a line for its drawer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventJoined {
    pub event_id: EventId,
    pub float_cents: i64,
    pub joined_at_ms: i64,
}

/// What a booth device takes to an event: `qty` units of a product (a
/// last-writer-wins register per event, device and product; 0 takes it away).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StockAllotted {
    pub event_id: EventId,
    pub device: DeviceId,
    pub product_id: ProductId,
    pub qty: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PayMethod {
    Cash,
    Card,
    Other,
    /// Paid online through Shopify: only imported orders carry it.
    Shopify,
}

impl PayMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PayMethod::Cash => "cash",
            PayMethod::Card => "card",
            PayMethod::Other => "other",
            PayMethod::Shopify => "shopify",
        }
    }

    /// The method as a person reads it, on a screen or a receipt.
    pub fn label(self) -> &'static str {
        match self {
            PayMethod::Cash => "Cash",
            PayMethod::Card => "Card",
            PayMethod::Other => "Other",
            PayMethod::Shopify => "Shopify",
        }
    }

    pub fn parse(s: &str) -> Option<PayMethod> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cash" => Some(PayMethod::Cash),
            "card" => Some(PayMethod::Card),
            "other" => Some(PayMethod::Other),
            "shopify" => Some(PayMethod::Shopify),
            _ => None,
        }
    }
}

/// A payment: what was handed over (`tendered_cents`) and what of it paid
/// for the sale (`amount_cents`); the difference is change, given in cash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub method: PayMethod,
    pub amount_cents: i64,
    pub tendered_cents: i64,
    /// A tender the shop configured (SNAP, Tokens), paid as `Other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tender: Option<String>,
    /// The tender gives change (a check written for more): it may have
    /// been handed over above what it paid, the change coming from the drawer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gives_change: bool,
}

impl Payment {
    /// How takings are keyed in reports and the Z report: the configured
    /// tender's name, else the method.
    pub fn key(&self) -> &str {
        self.tender.as_deref().unwrap_or(self.method.as_str())
    }
}

/// A tip: not a sale, not taxed, not revenue; paid with a tender.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tip {
    pub amount_cents: i64,
    pub method: PayMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tender: Option<String>,
}

/// A sold line with its figures fixed at the moment of sale.
/// `net` excludes tax; `total = net + tax` is what the customer paid for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLine {
    /// The product sold; none for a custom-amount item (something not in
    /// the catalogue, rung up at a typed price), which takes no stock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<ProductId>,
    /// What a custom-amount item was, as typed at the booth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The line's tax category (none: "standard") and the rate it was taxed
    /// at (none: the sale's `tax_bp`), fixed at the moment of sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_bp: Option<i64>,
    pub qty: i64,
    pub unit_price_cents: i64,
    pub gross_cents: i64,
    pub discount_cents: i64,
    pub tax_cents: i64,
    pub net_cents: i64,
    pub total_cents: i64,
    /// The lots the units came from (first-expired-first-out unless picked
    /// by hand); what they do not cover is unassigned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lots: Vec<LotTake>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaleCompleted {
    pub sale_id: SaleId,
    pub receipt_no: String,
    pub at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<EventId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<CustomerId>,
    pub lines: Vec<SaleLine>,
    /// The place the sale was taxed by (none: the shop's own rate, as
    /// before places); `tax_bp` is its standard rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_place: Option<String>,
    pub tax_bp: i64,
    pub tax_inclusive: bool,
    pub gross_cents: i64,
    pub discount_cents: i64,
    pub tax_cents: i64,
    pub total_cents: i64,
    pub change_cents: i64,
    pub payments: Vec<Payment>,
    /// What the customer added as a tip, apart from the sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip: Option<Tip>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaleVoided {
    pub sale_id: SaleId,
    pub reason: String,
    pub at_ms: i64,
    /// Voiding puts the goods back on the shelf.
    pub restock: bool,
}

/// A customer asked for a sale's receipt by email (#25). Recorded like a
/// sale, so a request made offline survives a dead phone and syncs; the
/// one sender (the server, or the device holding the mail settings when the
/// shop has no server) sends it once and records a
/// [`ReceiptEmailOutcome`]. The operation's id names the request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceiptEmailRequested {
    pub sale_id: SaleId,
    /// The address, as `email::recipient` reads it.
    pub to: String,
    pub at_ms: i64,
}

/// What became of a [`ReceiptEmailRequested`]: sent, or not with the
/// reason. A request once sent stays sent whatever else arrives; until
/// then the latest failure (by the operation's clock) is its status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceiptEmailOutcome {
    /// The request's operation id.
    pub request: OpId,
    pub sent: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub at_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundLine {
    /// Index of the refunded line in the sale.
    pub line_no: i64,
    /// The line's product; none for a custom-amount item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<ProductId>,
    pub qty: i64,
    /// Money returned for this line, tax included.
    pub amount_cents: i64,
    pub tax_cents: i64,
    /// The lots restocked units go back to: those the line was sold from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lots: Vec<LotTake>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaleRefunded {
    pub refund_id: RefundId,
    pub sale_id: SaleId,
    pub at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<EventId>,
    pub restock: bool,
    pub method: PayMethod,
    /// The configured tender the money went back in, when not cash or card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tender: Option<String>,
    pub lines: Vec<RefundLine>,
    pub total_cents: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerCreated {
    pub customer_id: CustomerId,
    pub created_at_ms: i64,
    pub fields: CustomerFields,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerEdited {
    pub customer_id: CustomerId,
    pub fields: CustomerFields,
}

/// A card (or other non-cash) payment taken towards a sale and then taken
/// off before the sale was finished, with the vendor's answer to "was it
/// charged?". No sale records it, so this is the record: a charge that
/// went through must be refunded on the reader, and the Z report says so.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentWithdrawn {
    pub at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<EventId>,
    pub method: PayMethod,
    pub amount_cents: i64,
    /// The vendor's answer: the reader charged the customer.
    pub charged: bool,
}

/// A business-wide setting (tax rate, business name), a last-writer-wins register.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingSet {
    pub key: String,
    pub value: String,
}

/// A Shopify order in the state Shopify last described it, recorded by
/// whoever imported it (an owner's device or the server). Its id is derived
/// from the order and its update time, so two importers record the same
/// operation; every device turns the newest state of each order into a sale,
/// stock movements and refunds with the same code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShopifyOrderSeen {
    pub order: crate::shopify::ShopifyOrder,
}

/// Online lines with this SKU are this product (a last-writer-wins register
/// per SKU). Held lines with the SKU are applied from then on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShopifySkuMapped {
    pub sku: String,
    pub product_id: ProductId,
}

/// A Wildroot product is this Shopify variant: the ids stock push-back
/// needs (a last-writer-wins register per product).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShopifyVariantLinked {
    pub product_id: ProductId,
    pub variant_gid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory_item_gid: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_round_trip_through_json() {
        let op = Operation {
            id: OpId::new(),
            device: DeviceId::new(),
            device_seq: 7,
            hlc: Hlc { ms: 1, counter: 2 },
            version: OP_VERSION,
            kind: OpKind::SaleVoided(SaleVoided { sale_id: SaleId::new(), reason: "test".into(), at_ms: 3, restock: true }),
        };
        let json = serde_json::to_string(&op).unwrap_or_default();
        assert!(json.contains("\"kind\":\"sale_voided\""), "{json}");
        let back: Operation = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
        assert_eq!(back, op);
        assert_eq!(op.kind.name(), "sale_voided");
    }
}
