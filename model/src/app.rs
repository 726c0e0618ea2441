//! The commands the app's shell answers: one request type per command, with
//! the name the shell registers it under and the type it answers with. The
//! Tauri shell and the Leptos UI both compile this module, so a request the
//! UI sends is exactly what the shell reads.
use crate::ids::*;
use crate::op::PayMethod;
use crate::pricing::Discount;
use crate::views::*;
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
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sell {
    pub lines: Vec<CartItem>,
    pub discount: Option<Discount>,
    /// An email or phone number; a new one becomes a customer.
    pub customer: Option<String>,
    pub payments: Vec<(PayMethod, i64)>,
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
}

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
    /// Where the local database lives.
    pub database_path: String,
}

command!(Home => HomeView, "home");
command!(Search => Vec<ProductView>, "search");
command!(Sell => SaleReceipt, "sell");
command!(RecentSales => Vec<SaleSummary>, "recent_sales");
command!(VoidSale => SaleId, "void_sale");
command!(RefundSale => RefundReceipt, "refund_sale");
command!(OpenEvent => EventView, "open_event");
command!(CloseEvent => ZReport, "close_event");
command!(ListEvents => Vec<EventView>, "list_events");
command!(EventReport => ZReport, "event_report");
command!(GetSync => AppSync, "get_sync");
command!(SyncNow => AppSync, "sync_now");
command!(Connect => AppSync, "connect");
command!(StartFresh => SettingsView, "start_fresh");
command!(GetSettings => SettingsView, "get_settings");
