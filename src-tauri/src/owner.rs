//! The owner's screens: inventory, recipes and batches, customers, reports,
//! alerts and the shop's settings. Plain functions from a request of
//! `wildroot_model::app` to the core, like [`crate::commands`]. Screens that
//! show costs, margins or settings are the owner's: a device signed in as a
//! vendor is refused here, whatever its UI shows (the server judges every
//! change again).
use crate::shell::Shell;
use wildroot_core::batch::ProduceRequest;
use wildroot_core::customer::CustomerInput;
use wildroot_core::product::{NewProduct, ProductEdit};
use wildroot_core::report::GroupBy;
use wildroot_core::settings::TaxRule;
use wildroot_core::supply::{NewSupply, SupplyEdit};
use wildroot_core::sync::SyncClient;
use wildroot_core::{export, CoreError, Result, Store};
use wildroot_model::app::*;
use wildroot_model::sync::{DeviceInfo, NewUserRequest, Role, ServerShopifyStatus, UserInfo};
use wildroot_model::views::*;

/// How far back a product's or supply's history goes on screen.
const HISTORY_LIMIT: usize = 200;
/// Bars on the "top sellers" chart.
const TOP_PRODUCTS: usize = 10;

pub fn role(store: &Store) -> Result<Role> {
    Ok(store.sync_config()?.map(|c| c.role).unwrap_or(Role::Owner))
}

/// Refuses `what` on a device signed in as a vendor.
pub fn owner_only(store: &Store, what: &str) -> Result<()> {
    match role(store)? {
        Role::Owner => Ok(()),
        Role::Vendor => {
            Err(CoreError::Invalid(format!("signed in as a vendor: {what} is for the owner; ask them, or sign in as the owner")))
        }
    }
}

fn optional(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

// Inventory: products.

/// The active catalogue; archived products leave the lists and the POS.
pub fn list_products(store: &Store, req: ListProducts) -> Result<Vec<ProductView>> {
    store.list_products(optional(&req.query).as_deref(), None)
}

pub fn save_product(store: &mut Store, req: SaveProduct) -> Result<ProductView> {
    owner_only(store, "editing products")?;
    let f = req.form;
    // None: no alert.
    let low = f.low_stock_at.unwrap_or(0);
    match req.original_sku {
        None => store.add_product(NewProduct {
            sku: f.sku,
            name: f.name,
            price: f.price,
            category: optional(&f.category),
            barcode: optional(&f.barcode),
            low_stock_at: Some(low),
            favorite: f.favorite,
            no_oversell: f.no_oversell,
            tax_category: f.tax_category,
            net: f.net,
            label_name: f.label_name,
            warnings: f.warnings,
        }),
        Some(original) => store.edit_product(
            &original,
            ProductEdit {
                sku: Some(f.sku),
                name: Some(f.name),
                price: Some(f.price),
                category: Some(f.category),
                barcode: Some(f.barcode),
                low_stock_at: Some(low),
                favorite: Some(f.favorite),
                no_oversell: Some(f.no_oversell),
                tax_category: f.tax_category,
                net: f.net,
                label_name: f.label_name,
                warnings: f.warnings,
            },
        ),
    }
}

pub fn archive_product(store: &mut Store, req: ArchiveProduct) -> Result<ProductView> {
    owner_only(store, "archiving products")?;
    store.archive_product(&req.sku)?;
    store.product(&req.sku)
}

pub fn adjust_product(store: &mut Store, req: AdjustProduct) -> Result<ProductView> {
    owner_only(store, "adjusting stock")?;
    // Core refuses a change of 0: one rule, one message.
    store.adjust_product(&req.sku, req.qty, &req.reason)
}

pub fn product_history(store: &Store, req: ProductHistory) -> Result<Vec<MovementView>> {
    store.product_movements(&req.sku, HISTORY_LIMIT)
}

// Inventory: supplies.

pub fn list_supplies(store: &Store, req: ListSupplies) -> Result<Vec<SupplyView>> {
    owner_only(store, "supplies and their costs")?;
    store.list_supplies(req.include_archived)
}

pub fn save_supply(store: &mut Store, req: SaveSupply) -> Result<SupplyView> {
    owner_only(store, "editing supplies")?;
    let f = req.form;
    match req.original_name {
        None => {
            // Label details are checked before anything is saved, then set on the new supply.
            let inci = f.inci.filter(|i| !i.trim().is_empty());
            let density = f.density.filter(|d| !d.trim().is_empty());
            if let Some(d) = &density {
                wildroot_model::field::density_mg_per_ml("density", d).map_err(CoreError::Invalid)?;
                if f.unit != Some(wildroot_model::Unit::Ml) {
                    return Err(CoreError::Invalid("a density is for a supply measured in ml".into()));
                }
            }
            let added = store.add_supply(NewSupply {
                name: f.name,
                unit: f.unit,
                reorder_at: optional(&f.reorder_at),
                supplier: optional(&f.supplier),
                notes: optional(&f.notes),
            })?;
            if inci.is_none() && density.is_none() {
                return Ok(added);
            }
            store.edit_supply(&added.id.to_string(), SupplyEdit { inci, density, ..Default::default() })
        }
        Some(original) => store.edit_supply(
            &original,
            SupplyEdit {
                name: Some(f.name),
                reorder_at: Some(f.reorder_at),
                supplier: Some(f.supplier),
                notes: Some(f.notes),
                inci: f.inci,
                density: f.density.filter(|d| !d.trim().is_empty()),
            },
        ),
    }
}

pub fn archive_supply(store: &mut Store, req: ArchiveSupply) -> Result<SupplyView> {
    owner_only(store, "archiving supplies")?;
    store.archive_supply(&req.name)?;
    store.supply(&req.name)
}

pub fn receive_supply(store: &mut Store, req: ReceiveSupply) -> Result<SupplyView> {
    owner_only(store, "receiving purchases")?;
    store.receive_supply(&req.name, &req.qty, req.cost, optional(&req.lot_code).as_deref())?;
    store.supply(&req.name)
}

pub fn adjust_supply(store: &mut Store, req: AdjustSupply) -> Result<SupplyView> {
    owner_only(store, "adjusting supplies")?;
    store.adjust_supply(&req.name, &req.qty, &req.reason)
}

pub fn supply_history(store: &Store, req: SupplyHistory) -> Result<Vec<MovementView>> {
    owner_only(store, "supply history")?;
    store.supply_movements(&req.name, HISTORY_LIMIT)
}

// Recipes and batches.

pub fn list_recipes(store: &Store, _: ListRecipes) -> Result<Vec<RecipeSummary>> {
    owner_only(store, "recipes")?;
    store.list_recipes()
}

pub fn get_recipe(store: &Store, req: GetRecipe) -> Result<Option<RecipeView>> {
    owner_only(store, "recipes")?;
    let p = store.product(&req.sku)?;
    match store.recipe(&p.sku) {
        Ok(r) => Ok(Some(r)),
        Err(CoreError::NotFound { what: "recipe for", .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

pub fn set_recipe(store: &mut Store, req: SetRecipe) -> Result<RecipeView> {
    owner_only(store, "editing recipes")?;
    let lines: Vec<(String, String)> = req
        .lines
        .into_iter()
        .filter(|(s, q)| !(s.trim().is_empty() && q.trim().is_empty()))
        .map(|(s, q)| (s.trim().to_string(), q))
        .collect();
    if let Some((_, q)) = lines.iter().find(|(s, _)| s.is_empty()) {
        return Err(CoreError::Invalid(format!("a recipe line of {q} has no supply: pick one, or clear the line")));
    }
    store.set_recipe(&req.sku, req.yield_qty, &lines)
}

pub fn plan_batch(store: &Store, req: PlanBatch) -> Result<BatchPlan> {
    owner_only(store, "making batches")?;
    store.plan_batch(&req.sku, req.batches)
}

pub fn make_batch(store: &mut Store, req: MakeBatch) -> Result<BatchView> {
    owner_only(store, "making batches")?;
    store.produce(ProduceRequest {
        sku: req.sku,
        batches: req.batches,
        lot_code: optional(&req.lot_code),
        expires_on: req.expires_on,
        allow_short: req.allow_short,
        // None: as many as the recipe yields.
        made: req.made,
    })
}

pub fn plan_event(store: &mut Store, req: PlanEvent) -> Result<EventView> {
    owner_only(store, "planning market days")?;
    let location = Some(req.location.trim()).filter(|l| !l.is_empty());
    store.plan_event(&req.name, location, req.date)
}

/// Allots one line and answers with the event's report, whose allotments
/// show every booth's.
pub fn allot_stock(store: &mut Store, req: AllotStock) -> Result<ZReport> {
    owner_only(store, "allotting stock")?;
    let event = req.event_id.to_string();
    store.allot(&event, &req.device, &[(req.sku, req.qty)])?;
    store.z_report(&event)
}

pub fn list_known_devices(store: &Store, _: ListKnownDevices) -> Result<Vec<KnownDevice>> {
    owner_only(store, "allotting stock")?;
    store.known_devices()
}

/// Recall: who bought from a lot, with their contacts (the owner's only).
pub fn trace_lot(store: &Store, req: TraceLot) -> Result<LotTrace> {
    owner_only(store, "tracing lots")?;
    Ok(if req.supply { LotTrace::Supply(store.trace_supply_lot(&req.lot)?) } else { LotTrace::Product(store.trace_product_lot(&req.lot)?) })
}

/// A tax place from the settings form, read by the CLI's parsers.
pub fn save_tax_place(store: &mut Store, req: SaveTaxPlace) -> Result<wildroot_model::tax::TaxPlace> {
    owner_only(store, "tax places")?;
    let place =
        wildroot_model::tax::TaxPlace::typed(&req.name, &req.rate, req.inclusive, req.categories.lines()).map_err(CoreError::Invalid)?;
    store.set_tax_place(place, req.home)
}

pub fn add_tender(store: &mut Store, req: AddTender) -> Result<wildroot_model::tender::Tender> {
    owner_only(store, "ways to pay")?;
    store.add_tender(&req.name, req.gives_change, req.in_drawer)
}

pub fn label(store: &Store, req: GetLabel) -> Result<wildroot_model::label::Label> {
    owner_only(store, "labels")?;
    store.label(&req.lot)
}

/// The PDF goes in a `labels` folder beside the shop's database, named by
/// lot and stock, for the owner to open and print.
pub fn save_labels(store: &Store, db: &std::path::Path, req: SaveLabels) -> Result<String> {
    use wildroot_model::label::{pdf, Stock};
    owner_only(store, "labels")?;
    let label = store.label(&req.lot)?;
    let stock = Stock::parse(&req.stock).map_err(CoreError::Invalid)?;
    if !(1..=1000).contains(&req.count) {
        return Err(CoreError::Invalid(format!("{} labels: give 1 to 1000", req.count)));
    }
    let bytes = pdf(&label, stock, req.count as usize).map_err(CoreError::Invalid)?;
    let dir = db.parent().unwrap_or(std::path::Path::new(".")).join("labels");
    let safe: String = label.lot_code.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    let path = dir.join(format!("{safe}-{}.pdf", req.stock.trim().to_ascii_lowercase()));
    let io = |e: std::io::Error| CoreError::Invalid(format!("the labels could not be saved in {}: {e}", dir.display()));
    std::fs::create_dir_all(&dir).map_err(io)?;
    std::fs::write(&path, bytes).map_err(io)?;
    Ok(path.display().to_string())
}

pub fn list_batches(store: &Store, _: ListBatches) -> Result<Vec<BatchView>> {
    owner_only(store, "batch costs")?;
    store.list_batches(None)
}

// Customers: a vendor records them at the booth, so these are open to both.

pub fn list_customers(store: &Store, req: ListCustomers) -> Result<Vec<CustomerView>> {
    store.list_customers(optional(&req.query).as_deref())
}

pub fn get_customer(store: &Store, req: GetCustomer) -> Result<CustomerView> {
    store.customer(&req.id.to_string())
}

pub fn save_customer(store: &mut Store, req: SaveCustomer) -> Result<CustomerView> {
    let input = CustomerInput { name: Some(req.name), email: Some(req.email), phone: Some(req.phone), notes: Some(req.notes) };
    match req.id {
        None => store.add_customer(input),
        Some(id) => store.edit_customer(&id.to_string(), input),
    }
}

// Reports and alerts.

pub fn dashboard(store: &Store, req: Dashboard) -> Result<DashboardView> {
    owner_only(store, "reports")?;
    // The core refuses a range that ends before it starts.
    let (from, to) = (req.from, req.to);
    let lot_margins = store.lot_margins()?;
    Ok(DashboardView {
        by_day: store.sales_report(GroupBy::Day, from, to)?,
        top_products: store.top_sellers(TOP_PRODUCTS, from, to)?,
        by_event: store.sales_report(GroupBy::Event, from, to)?,
        by_payment: store.sales_report(GroupBy::Payment, from, to)?,
        valuation: store.valuation()?,
        margins: store.margins_from(&lot_margins)?,
        lot_margins,
    })
}

/// Writes the CSV into the exports folder and answers with where it went.
pub fn export_csv(shell: &Shell, req: ExportCsv) -> Result<String> {
    let (body, name) = csv_report(shell, &req)?;
    let dir = shell.export_dir();
    std::fs::create_dir_all(dir).map_err(|e| CoreError::Invalid(format!("cannot create {}: {e}", dir.display())))?;
    crate::commands::write_file(&dir.join(name), body.as_bytes())
}

/// One report as CSV (owner only), and the file's usual name.
pub fn csv_report(shell: &Shell, req: &ExportCsv) -> Result<(String, String)> {
    let store = shell.store()?;
    owner_only(&store, "reports")?;
    let (from, to) = (req.from, req.to);
    let (body, name) = match req.report.as_str() {
        "margins" => (export::margins_csv(&store.margins()?), "margins".to_string()),
        by => {
            let group = GroupBy::parse(by)?;
            (export::sales_csv(&store.sales_report(group, from, to)?), format!("sales-by-{by}"))
        }
    };
    let span = match (from, to) {
        (None, None) => String::new(),
        (f, t) => format!(
            "-{}-to-{}",
            f.map(|d| d.to_string()).unwrap_or_else(|| "start".into()),
            t.map(|d| d.to_string()).unwrap_or_else(|| "today".into())
        ),
    };
    Ok((body, format!("wildroot-{name}{span}.csv")))
}

/// A checked copy of the whole shop (the same as `wildroot backup`), beside
/// exported reports, to keep somewhere else.
pub fn backup_now(shell: &Shell, _: BackupNow) -> Result<String> {
    let store = shell.store()?;
    owner_only(&store, "backups")?;
    let path = shell.export_dir().join(format!("wildroot-backup-{}.db", crate::shell::chrono_stamp(store.now_ms())));
    store.backup_to(&path)?;
    Ok(path.display().to_string())
}

/// The backups folder's files, newest first, for Settings to restore from.
pub fn list_backups(shell: &Shell, _: ListBackups) -> Result<BackupList> {
    owner_only(&*shell.store()?, "backups")?;
    let dir = shell.backups_dir();
    let backups = wildroot_core::backup::list_backups(&dir)?
        .into_iter()
        .map(|b| BackupEntry { path: b.path.display().to_string(), at_ms: b.at_ms, bytes: b.bytes, automatic: b.automatic })
        .collect();
    Ok(BackupList { folder: dir.display().to_string(), backups, last_error: shell.backup_error() })
}

/// Answers where the replaced shop was kept.
pub fn restore_backup(shell: &Shell, req: RestoreBackup) -> Result<String> {
    owner_only(&*shell.store()?, "restoring a backup")?;
    let path = req.path.trim().trim_matches('"');
    if path.is_empty() {
        return Err(CoreError::Invalid("type the path of the backup file to restore".into()));
    }
    let r = shell.restore(std::path::Path::new(path))?;
    Ok(r.kept.map(|k| k.display().to_string()).unwrap_or_default())
}

pub fn list_alerts(store: &Store, _: ListAlerts) -> Result<Vec<Alert>> {
    store.alerts()
}

/// Reorder and expiry alerts are the owner's work; a vendor's phone shows
/// no badge it cannot act on.
pub fn alert_count(store: &Store, _: AlertCount) -> Result<usize> {
    if role(store)? == Role::Owner {
        Ok(store.alerts()?.len())
    } else {
        Ok(0)
    }
}

// Settings.

pub fn get_settings(shell: &Shell, _: GetSettings) -> Result<SettingsView> {
    let store = shell.store()?;
    owner_only(&store, "settings")?;
    settings_view(shell, &store)
}

fn settings_view(shell: &Shell, store: &Store) -> Result<SettingsView> {
    let tax = store.tax_rule()?;
    let sync = store.sync_config()?;
    let shop = store.shopify_shop()?;
    Ok(SettingsView {
        business_name: business_name(store)?,
        receipt_prefix: store.receipt_prefix()?,
        tax_bp: tax.bp,
        tax_inclusive: tax.inclusive,
        currency: store.currency()?,
        database_path: shell.db_path().display().to_string(),
        role: sync.as_ref().map(|c| c.role).unwrap_or(Role::Owner),
        server_url: sync.as_ref().map(|c| c.server_url.clone()),
        device_name: sync.as_ref().map(|c| c.device_name.clone()),
        user_email: sync.as_ref().map(|c| c.user_email.clone()),
        shopify_token_set: shop.is_some(),
        shopify_shop: shop,
    })
}

pub fn business_name(store: &Store) -> Result<String> {
    store.business_name()
}

pub fn save_discount_presets(store: &mut Store, req: SaveDiscountPresets) -> Result<Vec<wildroot_model::pricing::DiscountPreset>> {
    owner_only(store, "preset discounts")?;
    store.set_discount_presets(&req.presets)
}

pub fn save_shop(shell: &Shell, req: SaveShop) -> Result<SettingsView> {
    let mut store = shell.store()?;
    owner_only(&store, "settings")?;
    let rule = TaxRule { bp: req.tax_bp, inclusive: req.tax_inclusive };
    store.set_shop(&req.business_name, &req.currency, rule)?;
    settings_view(shell, &store)
}

pub fn link_shopify(shell: &Shell, req: LinkShopify) -> Result<SettingsView> {
    let key = shell.device_key()?;
    let mut store = shell.store()?;
    owner_only(&store, "linking Shopify")?;
    store.link_shopify(&req.shop, &req.token, &key)?;
    let view = settings_view(shell, &store)?;
    drop(store);
    shell.start_shopify()?;
    Ok(view)
}

fn shopify_panel(store: &Store) -> Result<ShopifyPanel> {
    Ok(ShopifyPanel { import: store.shopify_import_view()?, unmatched: store.shopify_unmatched()? })
}

pub fn get_shopify(shell: &Shell, _: GetShopify) -> Result<ShopifyPanel> {
    let store = shell.store()?;
    owner_only(&store, "the Shopify import")?;
    shopify_panel(&store)
}

/// Runs the import here and now (the background one keeps its schedule),
/// then wakes the server sync so the orders travel at once.
pub async fn import_shopify_now(shell: &Shell, _: ImportShopifyNow) -> Result<ShopifyPanel> {
    owner_only(&*shell.store()?, "importing from Shopify")?;
    let key = shell.device_key()?;
    let outcome = wildroot_core::shopify::import::import_and_push(shell.shared_store(), &key).await;
    shell.wake_sync();
    outcome?;
    shopify_panel(&*shell.store()?)
}

/// Where the server's own import stands: on a device whose orders come
/// through the server there is nothing to link here, only this to see.
pub async fn get_server_shopify(shell: &Shell, _: GetServerShopify) -> Result<Option<ServerShopifyStatus>> {
    {
        let store = shell.store()?;
        owner_only(&store, "the Shopify import")?;
        if store.sync_config()?.is_none() {
            return Ok(None);
        }
    }
    Ok(Some(wildroot_core::sync::server_shopify_status(shell.shared_store()).await?))
}

pub fn map_shopify_sku(shell: &Shell, req: MapShopifySku) -> Result<ShopifyPanel> {
    let mut store = shell.store()?;
    owner_only(&store, "mapping Shopify SKUs")?;
    store.map_shopify_sku(&req.shopify_sku, &req.product_sku)?;
    let panel = shopify_panel(&store)?;
    drop(store);
    shell.wake_sync();
    Ok(panel)
}

pub fn set_shopify_push_stock(shell: &Shell, req: SetShopifyPushStock) -> Result<ShopifyPanel> {
    let mut store = shell.store()?;
    owner_only(&store, "changing the Shopify stock push-back")?;
    let location = req.location.as_deref().map(str::trim).filter(|l| !l.is_empty());
    store.configure_shopify_import(None, None, location)?;
    store.set_shopify_push_stock(req.on)?;
    shopify_panel(&store)
}

pub fn unlink_shopify(shell: &Shell, _: UnlinkShopify) -> Result<SettingsView> {
    let mut store = shell.store()?;
    owner_only(&store, "unlinking Shopify")?;
    store.unlink_shopify()?;
    settings_view(shell, &store)
}

/// The server, the signed-in owner's email and a fresh login token.
async fn owner_login(shell: &Shell, password: &str) -> Result<(SyncClient, String)> {
    let cfg = {
        let store = shell.store()?;
        owner_only(&store, "managing users and devices")?;
        store.sync_config()?.ok_or(CoreError::NotConnected)?
    };
    if password.is_empty() {
        return Err(CoreError::Invalid("type your password: managing users and devices needs it again".into()));
    }
    let client = SyncClient::new(&cfg.server_url)?;
    let login = client.login(&cfg.user_email, password).await?;
    Ok((client, login.token))
}

pub async fn list_devices(shell: &Shell, req: ListDevices) -> Result<Vec<DeviceInfo>> {
    let (client, token) = owner_login(shell, &req.password).await?;
    client.list_devices(&token).await
}

pub async fn list_users(shell: &Shell, req: ListUsers) -> Result<Vec<UserInfo>> {
    let (client, token) = owner_login(shell, &req.password).await?;
    client.list_users(&token).await
}

pub async fn add_user(shell: &Shell, req: AddUser) -> Result<Vec<UserInfo>> {
    let (client, token) = owner_login(shell, &req.password).await?;
    client.add_user(&token, &NewUserRequest { email: req.email, password: req.new_password, role: req.role }).await
}

pub async fn revoke_device(shell: &Shell, req: RevokeDevice) -> Result<Vec<DeviceInfo>> {
    let this = shell.store()?.device();
    if req.device_id == this {
        return Err(CoreError::Invalid("that is this device: sign out instead of revoking it".into()));
    }
    let (client, token) = owner_login(shell, &req.password).await?;
    client.revoke_device(&token, &req.device_id.to_string()).await?;
    client.list_devices(&token).await
}

pub fn market_results(store: &Store, req: MarketResults) -> Result<MarketsReport> {
    owner_only(store, "seeing what each market earned")?;
    store.market_results(req.season)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wildroot_core::sync::SyncConfig;
    use wildroot_model::Money;

    fn shell() -> Result<(tempfile::TempDir, Shell)> {
        let dir = tempfile::tempdir().map_err(|e| CoreError::Invalid(e.to_string()))?;
        let shell = Shell::open(dir.path().join("wildroot.db"), None)?.exporting_to(dir.path().join("exports"));
        Ok((dir, shell))
    }

    fn err<T: std::fmt::Debug>(r: Result<T>) -> String {
        r.err().map(|e| e.to_string()).unwrap_or_default()
    }

    /// The forms' label details (#25) reach the label; a bad one saves nothing.
    #[test]
    fn label_details_typed_in_the_forms_are_on_the_label() -> Result<()> {
        let (_dir, shell) = shell()?;
        let mut store = shell.store()?;
        let oil = |density: &str| SupplyForm {
            name: "Cold-pressed olive oil".into(),
            unit: Some(wildroot_model::Unit::Ml),
            inci: Some("Olea Europaea Fruit Oil".into()),
            density: Some(density.into()),
            ..Default::default()
        };
        assert!(err(save_supply(&mut store, SaveSupply { original_name: None, form: oil("heavy") })).contains("like 0.92"));
        assert!(store.supply("Cold-pressed olive oil").is_err(), "a bad density saves nothing, not even the supply");
        let s = save_supply(&mut store, SaveSupply { original_name: None, form: oil("0.91") })?;
        assert_eq!((s.inci.as_deref(), s.density_mg_per_ml), (Some("Olea Europaea Fruit Oil"), Some(910)));
        let form = ProductForm {
            sku: "OIL".into(),
            name: "Body Oil".into(),
            price: Money(1600),
            net: Some("30 ml".into()),
            label_name: Some("Calendula Body Oil".into()),
            warnings: Some("For external use only.".into()),
            ..Default::default()
        };
        let p = save_product(&mut store, SaveProduct { original_sku: None, form: form.clone() })?;
        assert_eq!(p.label.net.as_deref(), Some("30 ml"));
        let bad = ProductForm { net: Some("two jars".into()), ..form.clone() };
        assert!(err(save_product(&mut store, SaveProduct { original_sku: Some("OIL".into()), form: bad })).contains("56 g or 30 ml"));
        let cleared = ProductForm { label_name: Some(String::new()), ..form };
        let p = save_product(&mut store, SaveProduct { original_sku: Some("OIL".into()), form: cleared })?;
        assert_eq!((p.label.label_name, p.label.warnings.as_deref()), (None, Some("For external use only.")));
        Ok(())
    }

    #[test]
    fn the_owner_adds_receives_sets_a_recipe_and_makes_a_batch() -> Result<()> {
        let (_dir, shell) = shell()?;
        let mut store = shell.store()?;
        let form = SupplyForm {
            name: "Calendula oil".into(),
            unit: Some(wildroot_model::Unit::Ml),
            reorder_at: "250ml".into(),
            ..Default::default()
        };
        save_supply(&mut store, SaveSupply { original_name: None, form })?;
        let s = receive_supply(
            &mut store,
            ReceiveSupply { name: "Calendula oil".into(), qty: "1l".into(), cost: Money(1800), lot_code: String::new() },
        )?;
        assert_eq!((s.on_hand, s.cost_per_1000_cents), (1000, 1800));
        // The shell takes values; what arrives is still checked by the core.
        assert!(err(receive_supply(
            &mut store,
            ReceiveSupply { name: "Calendula oil".into(), qty: String::new(), cost: Money(1800), lot_code: String::new() }
        ))
        .contains("no quantity was given"));
        let p = save_product(
            &mut store,
            SaveProduct {
                original_sku: None,
                form: ProductForm {
                    sku: "CAL-OIL".into(),
                    name: "Calendula Oil".into(),
                    price: Money(1600),
                    low_stock_at: Some(3),
                    ..Default::default()
                },
            },
        )?;
        assert_eq!((p.price_cents, p.low_stock_at), (1600, 3));
        assert!(store.alerts()?.iter().any(|a| a.item == "CAL-OIL"), "no stock yet is low stock");
        set_recipe(
            &mut store,
            SetRecipe {
                sku: "CAL-OIL".into(),
                yield_qty: 4,
                lines: vec![("Calendula oil".into(), "100ml".into()), (String::new(), String::new())],
            },
        )?;
        let plan = plan_batch(&store, PlanBatch { sku: "CAL-OIL".into(), batches: 2 })?;
        assert_eq!((plan.output_qty, plan.cost_cents, plan.unit_cost_cents), (8, 360, 45));
        let b = make_batch(
            &mut store,
            MakeBatch {
                sku: "CAL-OIL".into(),
                batches: 2,
                lot_code: String::new(),
                expires_on: chrono::NaiveDate::from_ymd_opt(2027, 6, 1),
                allow_short: false,
                made: None,
            },
        )?;
        assert_eq!((b.output_qty, b.expires_on.as_deref()), (8, Some("2027-06-01")));
        assert_eq!(store.supply("Calendula oil")?.on_hand, 800);
        assert!(!store.alerts()?.iter().any(|a| a.item == "CAL-OIL"), "eight on hand is not low");
        assert!(err(make_batch(
            &mut store,
            MakeBatch { sku: "CAL-OIL".into(), batches: 1, lot_code: String::new(), expires_on: None, allow_short: false, made: Some(-3) }
        ))
        .contains("-3"));
        let history = product_history(&store, ProductHistory { sku: "CAL-OIL".into() })?;
        assert_eq!(history[0].reason, "batch_output");
        Ok(())
    }

    #[test]
    fn reports_take_a_range_and_export_csv() -> Result<()> {
        let (dir, shell) = shell()?;
        {
            let store = shell.store()?;
            let d = dashboard(&store, Dashboard::default())?;
            assert_eq!(d.by_day.total_cents, store.sales_report(GroupBy::Day, None, None)?.total_cents);
            assert!(d.by_day.total_cents > 0, "the demo has sales");
            assert!(err(dashboard(
                &store,
                Dashboard { from: chrono::NaiveDate::from_ymd_opt(2026, 2, 1), to: chrono::NaiveDate::from_ymd_opt(2026, 1, 1) }
            ))
            .contains("swap the dates"));
        }
        let path = export_csv(&shell, ExportCsv { report: "product".into(), from: None, to: None })?;
        assert!(path.starts_with(&dir.path().join("exports").display().to_string()));
        let csv = std::fs::read_to_string(&path).map_err(|e| CoreError::Invalid(e.to_string()))?;
        assert!(csv.starts_with("key,label,units"));
        assert!(csv.lines().count() > 2);
        assert!(err(export_csv(&shell, ExportCsv { report: "weather".into(), from: None, to: None })).contains("weather"));
        let backup = backup_now(&shell, BackupNow {})?;
        let copy = Store::open(std::path::Path::new(&backup))?;
        assert_eq!(copy.list_products(None, None)?.len(), shell.store()?.list_products(None, None)?.len());
        assert!(copy.checkup()?.ok, "the copy passes the checkup");
        drop(copy);
        // A sale after the backup, then the backup restored: the shop before it is kept and the sale comes back.
        let sales_before = shell.store()?.recent_sales(None, 1000)?.len();
        let sku = shell.store()?.list_products(None, Some(1))?[0].sku.clone();
        crate::commands::sell(
            &mut *shell.store()?,
            Sell {
                lines: vec![CartItem { sku, qty: 1, discount: None, lot: None, custom: None }],
                discount: None,
                customer: None,
                payments: vec![(wildroot_model::op::PayMethod::Cash, 100_000)],
                ..Default::default()
            },
        )?;
        assert!(err(restore_backup(&shell, RestoreBackup { path: dir.path().join("nope.db").display().to_string() }))
            .contains("no backup file"));
        assert_eq!(shell.store()?.recent_sales(None, 1000)?.len(), sales_before + 1, "a refused restore changes nothing");
        let kept = restore_backup(&shell, RestoreBackup { path: backup })?;
        assert_eq!(shell.store()?.recent_sales(None, 1000)?.len(), sales_before + 1, "no sale is lost by a restore");
        assert_eq!(Store::open(std::path::Path::new(&kept))?.recent_sales(None, 1000)?.len(), sales_before + 1);
        Ok(())
    }

    #[test]
    fn the_daily_backup_is_listed_and_restores_and_its_failure_is_shown() -> Result<()> {
        let (dir, shell) = shell()?;
        assert!(list_backups(&shell, ListBackups {})?.backups.is_empty());
        let made = shell.daily_backup()?.made.ok_or_else(|| CoreError::Invalid("no backup made".into()))?;
        assert_eq!(shell.daily_backup()?.made, None, "once a day");
        backup_now(&shell, BackupNow {})?; // by hand, elsewhere: not in the backups folder
        let list = list_backups(&shell, ListBackups {})?;
        assert_eq!(list.folder, dir.path().join("backups").display().to_string());
        assert_eq!(list.backups.len(), 1);
        assert!(list.backups[0].automatic && list.backups[0].bytes > 0);
        assert_eq!(list.backups[0].path, made.display().to_string());
        assert_eq!(list.last_error, None);
        let kept = restore_backup(&shell, RestoreBackup { path: list.backups[0].path.clone() })?;
        assert!(!kept.is_empty() && shell.store()?.checkup()?.ok);

        // A backups folder that cannot be written: said in Settings, nothing else breaks.
        for entry in std::fs::read_dir(dir.path().join("backups")).map_err(|e| CoreError::Invalid(e.to_string()))? {
            let _ = std::fs::remove_file(entry.map_err(|e| CoreError::Invalid(e.to_string()))?.path());
        }
        std::fs::remove_dir(dir.path().join("backups")).map_err(|e| CoreError::Invalid(e.to_string()))?;
        std::fs::write(dir.path().join("backups"), b"a file where the folder should be").map_err(|e| CoreError::Invalid(e.to_string()))?;
        assert!(shell.daily_backup().is_err());
        let why = shell.backup_error().unwrap_or_default();
        assert!(why.starts_with("the daily backup failed"), "{why}");
        Ok(())
    }

    #[test]
    fn a_vendor_session_is_refused_the_owner_s_screens() -> Result<()> {
        let (_dir, shell) = shell()?;
        assert!(alert_count(&*shell.store()?, AlertCount {})? > 0, "the demo shop has alerts for its owner");
        shell.store()?.connect(&SyncConfig {
            server_url: "http://127.0.0.1:9".into(),
            device_token: "t".into(),
            device_name: "Booth phone".into(),
            user_email: "sam@example.com".into(),
            role: Role::Vendor,
        })?;
        assert!(err(get_settings(&shell, GetSettings {})).contains("signed in as a vendor"));
        assert!(err(save_shop(&shell, SaveShop { business_name: "X".into(), currency: "USD".into(), tax_bp: 0, tax_inclusive: false }))
            .contains("vendor"));
        let mut store = shell.store()?;
        assert!(err(list_supplies(&store, ListSupplies::default())).contains("vendor"));
        assert!(err(dashboard(&store, Dashboard::default())).contains("vendor"));
        assert!(err(list_recipes(&store, ListRecipes {})).contains("vendor"));
        let sku = store.list_products(None, Some(1))?[0].sku.clone();
        assert!(err(adjust_product(&mut store, AdjustProduct { sku, qty: 5, reason: "found".into() })).contains("vendor"));
        // What a vendor does at the booth still works, and shows no owner's badge.
        assert!(!list_products(&store, ListProducts::default())?.is_empty());
        assert_eq!(alert_count(&store, AlertCount {})?, 0);
        save_customer(
            &mut store,
            SaveCustomer { id: None, name: "Ana".into(), email: "ana@example.com".into(), phone: String::new(), notes: String::new() },
        )?;
        assert_eq!(list_customers(&store, ListCustomers { query: "ana".into() })?.len(), 1);
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_shopify_token_is_saved_but_never_shown_back_and_orders_come_in() -> Result<()> {
        let fake = fake_shopify::FakeShopify::start("shpat_secret_value_123").await;
        let now = chrono::Utc::now().timestamp_millis();
        fake.put_orders([fake_shopify::order(1, now - 60_000, now - 60_000, "ana@example.com", &[("SOAP-OAT", 1, 900)])]);
        let (_dir, shell) = shell()?;
        let v = link_shopify(&shell, LinkShopify { shop: fake.base_url.clone(), token: "shpat_secret_value_123".into() })?;
        assert_eq!((v.shopify_shop.as_deref(), v.shopify_token_set), (Some(fake.base_url.as_str()), true));
        // Linking starts the background import: the order arrives on its own.
        let started = std::time::Instant::now();
        while shell.store()?.shopify_import_view()?.orders == 0 && started.elapsed() < std::time::Duration::from_secs(20) {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(shell.store()?.shopify_import_view()?.orders, 1);
        shell.stop_shopify().await;
        let json = serde_json::to_string(&v).map_err(|e| CoreError::Invalid(e.to_string()))?;
        assert!(!json.contains("shpat_secret_value_123"));
        let opened = shell.store()?.shopify_credentials(&shell.device_key()?)?;
        assert_eq!(opened.map(|(_, t)| t).as_deref(), Some("shpat_secret_value_123"));
        let v = unlink_shopify(&shell, UnlinkShopify {})?;
        assert!(!v.shopify_token_set);
        Ok(())
    }
}
