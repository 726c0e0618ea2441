//! The Wildroot app's shell: typed Tauri commands over the core for the
//! Leptos UI in `ui/`. Each command reads one request type of
//! `wildroot_model::app` and answers with its response type or an
//! [`AppError`]; the work is in [`commands`], the business rules in the core.
//!
//! Written for Tauri's mobile entry point too: nothing here is desktop-only.
#![forbid(unsafe_code)]

pub mod commands;
pub mod notices;
pub mod owner;
pub mod shell;

use shell::Shell;
use std::path::PathBuf;
use std::time::Duration;
use tauri::{Manager, State};
use wildroot_core::CoreError;
use wildroot_model::app::*;
use wildroot_model::pricing::DiscountPreset;
use wildroot_model::sync::ServerShopifyStatus;
use wildroot_model::views::*;
use wildroot_model::SaleId;

type Reply<T> = Result<T, AppError>;

/// The one place a core error becomes what the screen shows: core's plain
/// words, and where in the app to fix it when core names a remedy.
fn fail(e: CoreError) -> AppError {
    use wildroot_core::error::Fix;
    let hint = match e.fix() {
        Some(Fix::ListProducts) => Some("Inventory → Products lists them"),
        Some(Fix::ListSupplies) => Some("Inventory → Supplies lists them"),
        Some(Fix::SetRecipe) => Some("set it under Recipes & batches"),
        Some(Fix::OpenEvent) => Some("open one on Market day"),
        Some(Fix::CloseEvent) => Some("close it on Market day"),
        Some(Fix::LogIn) => Some("sign in under Settings → Sync"),
        Some(Fix::ConnectShopify) => Some("connect it under Settings → Shopify"),
        Some(Fix::ShopifyLocation) => Some("give the location under Settings → Shopify"),
        _ => None,
    };
    let message = match hint {
        Some(h) => format!("{e} ({h})"),
        None => e.to_string(),
    };
    AppError { message }
}

fn read<T>(shell: &Shell, f: impl FnOnce(&wildroot_core::Store) -> wildroot_core::Result<T>) -> Reply<T> {
    let store = shell.store().map_err(fail)?;
    f(&store).map_err(fail)
}

/// A change to this device's own settings: no operation, nothing to sync.
fn read_mut<T>(shell: &Shell, f: impl FnOnce(&mut wildroot_core::Store) -> wildroot_core::Result<T>) -> Reply<T> {
    let mut store = shell.store().map_err(fail)?;
    f(&mut store).map_err(fail)
}

/// A change: done in the store, then handed to the background sync at once.
fn write<T>(shell: &Shell, f: impl FnOnce(&mut wildroot_core::Store) -> wildroot_core::Result<T>) -> Reply<T> {
    let out = {
        let mut store = shell.store().map_err(fail)?;
        f(&mut store).map_err(fail)?
    };
    shell.wake_sync();
    Ok(out)
}

// Commands run on the async runtime's threads (`async`), never the window's.

#[tauri::command(async)]
fn home(shell: State<'_, Shell>, req: Home) -> Reply<HomeView> {
    read(&shell, |s| commands::home(s, req))
}

#[tauri::command(async)]
fn search(shell: State<'_, Shell>, req: Search) -> Reply<Vec<ProductView>> {
    read(&shell, |s| commands::search(s, req))
}

#[tauri::command(async)]
fn sell(shell: State<'_, Shell>, req: Sell) -> Reply<SaleReceipt> {
    write(&shell, |s| commands::sell(s, req))
}

#[tauri::command(async)]
fn settle_event(shell: State<'_, Shell>, req: SettleEvent) -> Reply<SettleStatement> {
    read(&shell, |s| commands::settle_event(s, req))
}

#[tauri::command(async)]
fn market_results(shell: State<'_, Shell>, req: MarketResults) -> Reply<MarketsReport> {
    read(&shell, |s| owner::market_results(s, req))
}

#[tauri::command(async)]
fn withdraw_payment(shell: State<'_, Shell>, req: WithdrawPayment) -> Reply<()> {
    write(&shell, |s| commands::withdraw_payment(s, req))
}

#[tauri::command(async)]
fn park_cart(shell: State<'_, Shell>, req: ParkCart) -> Reply<Vec<ParkedView>> {
    write(&shell, |s| commands::park_cart(s, req))
}

#[tauri::command(async)]
fn list_parked(shell: State<'_, Shell>, req: ListParked) -> Reply<Vec<ParkedView>> {
    read(&shell, |s| commands::list_parked(s, req))
}

#[tauri::command(async)]
fn resume_parked(shell: State<'_, Shell>, req: ResumeParked) -> Reply<ParkedCart> {
    write(&shell, |s| commands::resume_parked(s, req))
}

#[tauri::command(async)]
fn save_discount_presets(shell: State<'_, Shell>, req: SaveDiscountPresets) -> Reply<Vec<DiscountPreset>> {
    write(&shell, |s| owner::save_discount_presets(s, req))
}

#[tauri::command(async)]
fn recent_sales(shell: State<'_, Shell>, req: RecentSales) -> Reply<Vec<SaleSummary>> {
    read(&shell, |s| commands::recent_sales(s, req))
}

#[tauri::command(async)]
fn save_tax_place(shell: State<'_, Shell>, req: SaveTaxPlace) -> Reply<wildroot_model::tax::TaxPlace> {
    write(&shell, |s| owner::save_tax_place(s, req))
}

#[tauri::command(async)]
fn add_tender(shell: State<'_, Shell>, req: AddTender) -> Reply<wildroot_model::tender::Tender> {
    write(&shell, |s| owner::add_tender(s, req))
}

#[tauri::command(async)]
fn label(shell: State<'_, Shell>, req: GetLabel) -> Reply<wildroot_model::label::Label> {
    read(&shell, |s| owner::label(s, req))
}

#[tauri::command(async)]
fn save_labels(shell: State<'_, Shell>, req: SaveLabels) -> Reply<String> {
    let db = shell.db_path().to_path_buf();
    read(&shell, |s| owner::save_labels(s, &db, req))
}

#[tauri::command(async)]
fn receipt(shell: State<'_, Shell>, req: GetReceipt) -> Reply<wildroot_model::receipt::Receipt> {
    read(&shell, |s| commands::receipt(s, req))
}

/// The bytes are made under the store's lock and sent without it: a
/// printer that is off takes seconds to say so, and the booth sells on.
#[tauri::command(async)]
fn print_receipt(shell: State<'_, Shell>, req: PrintReceipt) -> Reply<bool> {
    match read(&shell, |s| s.print_job(&req.sale_id.to_string(), req.after_sale))? {
        None => Ok(false),
        Some((printer, bytes)) => printer.send(&bytes).map(|()| true).map_err(fail),
    }
}

/// Recorded under the store's lock (then synced at once); a device that is
/// the shop's sender (no server, mail set here) sends without holding it.
#[tauri::command]
async fn email_receipt(shell: State<'_, Shell>, req: EmailReceipt) -> Reply<wildroot_model::mail::ReceiptEmailView> {
    let asked = write(&shell, |s| s.request_receipt_email(&req.sale_id.to_string(), &req.to))?;
    if read(&shell, |s| s.mail_server())?.is_some() {
        let key = shell.device_key().map_err(fail)?;
        if let Err(e) = wildroot_core::mail::send_queued(&**shell.shared_store(), &key).await {
            tracing::warn!("receipt emails: {e}");
        }
    }
    let request = asked.request.parse().map_err(|_| AppError { message: format!("the request id '{}' is not an id", asked.request) })?;
    Ok(read(&shell, |s| s.receipt_email(request))?.unwrap_or(asked))
}

#[tauri::command(async)]
fn mail(shell: State<'_, Shell>, req: GetMail) -> Reply<Option<wildroot_model::mail::MailServer>> {
    let GetMail {} = req;
    read(&shell, |s| s.mail_server())
}

#[tauri::command(async)]
fn save_mail(shell: State<'_, Shell>, req: SaveMail) -> Reply<Option<wildroot_model::mail::MailServer>> {
    let key = shell.device_key().map_err(fail)?;
    read_mut(&shell, |s| commands::save_mail(s, &key, req))
}

#[tauri::command(async)]
fn receipt_emails(shell: State<'_, Shell>, req: ReceiptEmails) -> Reply<wildroot_model::mail::SaleEmails> {
    let sale = req.sale_id.to_string();
    read(&shell, |s| {
        Ok(wildroot_model::mail::SaleEmails { customer_email: s.sale_customer_email(&sale)?, emails: s.receipt_emails_of(&sale)? })
    })
}

#[tauri::command(async)]
fn printer(shell: State<'_, Shell>, req: GetPrinter) -> Reply<wildroot_model::receipt::PrinterView> {
    let GetPrinter {} = req;
    read(&shell, commands::printer)
}

#[tauri::command(async)]
fn save_printer(shell: State<'_, Shell>, req: SavePrinter) -> Reply<wildroot_model::receipt::PrinterView> {
    read_mut(&shell, |s| commands::save_printer(s, req))
}

#[tauri::command(async)]
fn void_sale(shell: State<'_, Shell>, req: VoidSale) -> Reply<SaleId> {
    write(&shell, |s| commands::void_sale(s, req))
}

#[tauri::command(async)]
fn refund_sale(shell: State<'_, Shell>, req: RefundSale) -> Reply<RefundReceipt> {
    write(&shell, |s| commands::refund_sale(s, req))
}

#[tauri::command(async)]
fn open_event(shell: State<'_, Shell>, req: OpenEvent) -> Reply<EventView> {
    write(&shell, |s| commands::open_event(s, req))
}

#[tauri::command(async)]
fn product_lots(shell: State<'_, Shell>, req: ProductLots) -> Reply<Vec<LotChoice>> {
    read(&shell, |s| commands::product_lots(s, req))
}

#[tauri::command(async)]
fn join_event(shell: State<'_, Shell>, req: JoinEvent) -> Reply<EventView> {
    write(&shell, |s| commands::join_event(s, req))
}

#[tauri::command(async)]
fn get_allotment(shell: State<'_, Shell>, req: GetAllotment) -> Reply<Option<AllotmentView>> {
    read(&shell, |s| commands::get_allotment(s, req))
}

#[tauri::command(async)]
fn close_event(shell: State<'_, Shell>, req: CloseEvent) -> Reply<ZReport> {
    write(&shell, |s| commands::close_event(s, req))
}

#[tauri::command(async)]
fn list_events(shell: State<'_, Shell>, req: ListEvents) -> Reply<Vec<EventView>> {
    read(&shell, |s| commands::list_events(s, req))
}

#[tauri::command(async)]
fn event_report(shell: State<'_, Shell>, req: EventReport) -> Reply<ZReport> {
    read(&shell, |s| commands::event_report(s, req))
}

#[tauri::command(async)]
fn get_settings(shell: State<'_, Shell>, req: GetSettings) -> Reply<SettingsView> {
    owner::get_settings(&shell, req).map_err(fail)
}

/// The owner's screens: reads and writes over the store, one line each.
macro_rules! store_commands {
    ($($name:ident($req:ty) -> $resp:ty = $how:ident;)*) => {
        $(
            #[tauri::command(async)]
            fn $name(shell: State<'_, Shell>, req: $req) -> Reply<$resp> {
                $how(&shell, |s| owner::$name(s, req))
            }
        )*
    };
}

store_commands! {
    list_products(ListProducts) -> Vec<ProductView> = read;
    save_product(SaveProduct) -> ProductView = write;
    archive_product(ArchiveProduct) -> ProductView = write;
    adjust_product(AdjustProduct) -> ProductView = write;
    product_history(ProductHistory) -> Vec<MovementView> = read;
    list_supplies(ListSupplies) -> Vec<SupplyView> = read;
    save_supply(SaveSupply) -> SupplyView = write;
    archive_supply(ArchiveSupply) -> SupplyView = write;
    receive_supply(ReceiveSupply) -> SupplyView = write;
    adjust_supply(AdjustSupply) -> SupplyView = write;
    supply_history(SupplyHistory) -> Vec<MovementView> = read;
    list_recipes(ListRecipes) -> Vec<RecipeSummary> = read;
    get_recipe(GetRecipe) -> Option<RecipeView> = read;
    set_recipe(SetRecipe) -> RecipeView = write;
    plan_batch(PlanBatch) -> BatchPlan = read;
    make_batch(MakeBatch) -> BatchView = write;
    list_batches(ListBatches) -> Vec<BatchView> = read;
    trace_lot(TraceLot) -> LotTrace = read;
    plan_event(PlanEvent) -> EventView = write;
    allot_stock(AllotStock) -> ZReport = write;
    list_known_devices(ListKnownDevices) -> Vec<KnownDevice> = read;
    list_customers(ListCustomers) -> Vec<CustomerView> = read;
    get_customer(GetCustomer) -> CustomerView = read;
    save_customer(SaveCustomer) -> CustomerView = write;
    dashboard(Dashboard) -> DashboardView = read;
    list_alerts(ListAlerts) -> Vec<Alert> = read;
    alert_count(AlertCount) -> usize = read;
}

#[tauri::command(async)]
fn export_csv(shell: State<'_, Shell>, req: ExportCsv) -> Reply<String> {
    owner::export_csv(&shell, req).map_err(fail)
}

#[tauri::command(async)]
fn backup_now(shell: State<'_, Shell>, req: BackupNow) -> Reply<String> {
    owner::backup_now(&shell, req).map_err(fail)
}

#[tauri::command(async)]
fn list_backups(shell: State<'_, Shell>, req: ListBackups) -> Reply<BackupList> {
    owner::list_backups(&shell, req).map_err(fail)
}

#[tauri::command(async)]
fn restore_backup(shell: State<'_, Shell>, req: RestoreBackup) -> Reply<String> {
    owner::restore_backup(&shell, req).map_err(fail)
}

/// The platform's file picker (tauri-plugin-dialog), opened where the
/// backups are kept. Blocking is fine: commands run off the window's thread.
#[tauri::command(async)]
fn choose_backup_file(app: tauri::AppHandle, shell: State<'_, Shell>, _req: ChooseBackupFile) -> Reply<Option<String>> {
    owner::owner_only(&*shell.store().map_err(fail)?, "restoring a backup").map_err(fail)?;
    Ok(ask_which_file(&app, "Backup to restore", &shell.backups_dir(), ("Wildroot backup", &["db"])))
}

/// The platform's file picker, at `dir` when it exists; the chosen file's
/// path, or `None` when the person closed it.
fn ask_which_file(app: &tauri::AppHandle, title: &str, dir: &std::path::Path, filter: (&str, &[&str])) -> Option<String> {
    use tauri_plugin_dialog::DialogExt;
    let picker = app.dialog().file().set_title(title).add_filter(filter.0, filter.1);
    let picker = if dir.is_dir() { picker.set_directory(dir) } else { picker };
    picker.blocking_pick_file().and_then(|f| f.into_path().ok()).map(|p| p.display().to_string())
}

/// The platform's save dialog, at `dir` with the usual file name filled
/// in; `None` when the person closed it.
fn ask_where_to_save(app: &tauri::AppHandle, title: &str, dir: &std::path::Path, name: &str, filter: (&str, &[&str])) -> Option<PathBuf> {
    use tauri_plugin_dialog::DialogExt;
    let dialog = app.dialog().file().set_title(title).set_file_name(name).add_filter(filter.0, filter.1);
    let dialog = if dir.is_dir() { dialog.set_directory(dir) } else { dialog };
    dialog.blocking_save_file().and_then(|f| f.into_path().ok())
}

/// The unsynced changes, saved where the person chooses. Checked before
/// the dialog opens (nothing to save says so at once) and read again after
/// it closes, so a sale rung up meanwhile is in the file too.
#[tauri::command(async)]
fn save_unsynced_as(app: tauri::AppHandle, shell: State<'_, Shell>, _req: SaveUnsyncedAs) -> Reply<Option<String>> {
    let (_, name) = commands::unsynced_file(&shell).map_err(fail)?;
    let Some(path) = ask_where_to_save(&app, "Save unsynced changes", shell.export_dir(), &name, ("Wildroot changes", &["json"])) else {
        return Ok(None);
    };
    let (bytes, _) = commands::unsynced_file(&shell).map_err(fail)?;
    commands::write_file(&path, &bytes).map(Some).map_err(fail)
}

#[tauri::command(async)]
fn save_csv_as(app: tauri::AppHandle, shell: State<'_, Shell>, req: SaveCsvAs) -> Reply<Option<String>> {
    let (body, name) = owner::csv_report(&shell, &req.export).map_err(fail)?;
    let Some(path) = ask_where_to_save(&app, "Save report as CSV", shell.export_dir(), &name, ("CSV", &["csv"])) else {
        return Ok(None);
    };
    commands::write_file(&path, body.as_bytes()).map(Some).map_err(fail)
}

/// The platform's file picker for another device's file of changes.
#[tauri::command(async)]
fn choose_changes_file(app: tauri::AppHandle, shell: State<'_, Shell>, _req: ChooseChangesFile) -> Reply<Option<String>> {
    Ok(ask_which_file(&app, "File of changes to import", shell.export_dir(), ("Wildroot changes", &["json"])))
}

#[tauri::command(async)]
fn import_changes(shell: State<'_, Shell>, req: ImportChanges) -> Reply<ImportedChanges> {
    commands::import_changes(&shell, req).map_err(fail)
}

#[tauri::command(async)]
fn save_shop(shell: State<'_, Shell>, req: SaveShop) -> Reply<SettingsView> {
    let out = owner::save_shop(&shell, req).map_err(fail)?;
    shell.wake_sync();
    Ok(out)
}

#[tauri::command(async)]
fn link_shopify(shell: State<'_, Shell>, req: LinkShopify) -> Reply<SettingsView> {
    owner::link_shopify(&shell, req).map_err(fail)
}

#[tauri::command(async)]
fn get_shopify(shell: State<'_, Shell>, req: GetShopify) -> Reply<ShopifyPanel> {
    owner::get_shopify(&shell, req).map_err(fail)
}

#[tauri::command]
async fn import_shopify_now(shell: State<'_, Shell>, req: ImportShopifyNow) -> Reply<ShopifyPanel> {
    owner::import_shopify_now(&shell, req).await.map_err(fail)
}

#[tauri::command]
async fn get_server_shopify(shell: State<'_, Shell>, req: GetServerShopify) -> Reply<Option<ServerShopifyStatus>> {
    owner::get_server_shopify(&shell, req).await.map_err(fail)
}

#[tauri::command(async)]
fn map_shopify_sku(shell: State<'_, Shell>, req: MapShopifySku) -> Reply<ShopifyPanel> {
    owner::map_shopify_sku(&shell, req).map_err(fail)
}

#[tauri::command]
fn set_shopify_push_stock(shell: State<'_, Shell>, req: SetShopifyPushStock) -> Reply<ShopifyPanel> {
    owner::set_shopify_push_stock(&shell, req).map_err(fail)
}

#[tauri::command(async)]
fn unlink_shopify(shell: State<'_, Shell>, req: UnlinkShopify) -> Reply<SettingsView> {
    owner::unlink_shopify(&shell, req).map_err(fail)
}

#[tauri::command]
async fn list_devices(shell: State<'_, Shell>, req: ListDevices) -> Reply<Vec<wildroot_model::sync::DeviceInfo>> {
    owner::list_devices(&shell, req).await.map_err(fail)
}

#[tauri::command]
async fn revoke_device(shell: State<'_, Shell>, req: RevokeDevice) -> Reply<Vec<wildroot_model::sync::DeviceInfo>> {
    owner::revoke_device(&shell, req).await.map_err(fail)
}

#[tauri::command]
async fn list_users(shell: State<'_, Shell>, req: ListUsers) -> Reply<Vec<wildroot_model::sync::UserInfo>> {
    owner::list_users(&shell, req).await.map_err(fail)
}

#[tauri::command]
async fn add_user(shell: State<'_, Shell>, req: AddUser) -> Reply<Vec<wildroot_model::sync::UserInfo>> {
    owner::add_user(&shell, req).await.map_err(fail)
}

/// Stops the background sync first so no sync is half-way when the device forgets its server.
#[tauri::command]
async fn sign_out(shell: State<'_, Shell>, req: SignOut) -> Reply<AppSync> {
    owner::owner_only(&*shell.store().map_err(fail)?, "signing this device out").map_err(fail)?;
    shell.stop_sync().await;
    let signed_out = shell.store().map_err(fail).and_then(|mut s| s.sign_out(req.force).map_err(fail));
    if let Err(e) = signed_out {
        // Still signed in: keep syncing.
        shell.start_sync().map_err(fail)?;
        return Err(e);
    }
    commands::get_sync(&shell, GetSync {}).map_err(fail)
}

#[tauri::command(async)]
fn get_sync(shell: State<'_, Shell>, req: GetSync) -> Reply<AppSync> {
    commands::get_sync(&shell, req).map_err(fail)
}

#[tauri::command(async)]
fn sync_now(shell: State<'_, Shell>, req: SyncNow) -> Reply<AppSync> {
    commands::sync_now(&shell, req).map_err(fail)
}

#[tauri::command(async)]
fn export_unsynced(shell: State<'_, Shell>, req: ExportUnsynced) -> Reply<String> {
    commands::export_unsynced(&shell, req).map_err(fail)
}

#[tauri::command(async)]
fn start_fresh(shell: State<'_, Shell>, req: StartFresh) -> Reply<SettingsView> {
    commands::start_fresh(&shell, req).map_err(fail)
}

#[tauri::command]
async fn connect(shell: State<'_, Shell>, req: Connect) -> Reply<AppSync> {
    let name = Some(req.device_name.trim()).filter(|n| !n.is_empty()).unwrap_or("Wildroot app");
    wildroot_core::sync::login(shell.shared_store(), &req.server_url, &req.email, &req.password, name).await.map_err(fail)?;
    shell.start_sync().map_err(fail)?;
    shell.wake_sync();
    commands::get_sync(&shell, GetSync {}).map_err(fail)
}

/// Where the database lives: `WILDROOT_APP_DB` if set (tests, a second
/// shop), else `wildroot.db` in the platform's app data folder.
fn database_path(app: &tauri::App) -> Result<PathBuf, Box<dyn std::error::Error>> {
    match std::env::var_os("WILDROOT_APP_DB") {
        Some(p) if !p.is_empty() => Ok(PathBuf::from(p)),
        _ => Ok(app.path().app_data_dir()?.join("wildroot.db")),
    }
}

/// Where exported CSVs go: `WILDROOT_EXPORT_DIR` if set, else Downloads,
/// else the app's data folder.
fn export_dir(app: &tauri::App) -> PathBuf {
    match std::env::var_os("WILDROOT_EXPORT_DIR") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => app.path().download_dir().or_else(|_| app.path().app_data_dir()).unwrap_or_default(),
    }
}

/// `WILDROOT_SYNC_INTERVAL_SECS` shortens the background sync's pause (tests).
fn sync_interval() -> Result<Option<Duration>, String> {
    match std::env::var("WILDROOT_SYNC_INTERVAL_SECS") {
        Err(_) => Ok(None),
        Ok(v) => match v.trim().parse::<u64>() {
            Ok(secs) if secs > 0 => Ok(Some(Duration::from_secs(secs))),
            _ => Err(format!("WILDROOT_SYNC_INTERVAL_SECS='{v}' is not a whole number of seconds above 0")),
        },
    }
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .try_init();
    let built = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            let path = database_path(app)?;
            let shell = Shell::open(path, sync_interval()?)?.exporting_to(export_dir(app));
            // The sync loop is a task on Tauri's async runtime.
            tauri::async_runtime::block_on(async { shell.start_sync().and_then(|()| shell.start_shopify()) })?;
            shell.start_daily_backups();
            let handle = app.handle().clone();
            let told = notices::watch(std::sync::Arc::downgrade(shell.shared_store()), notices::EVERY, move |n| {
                use tauri_plugin_notification::NotificationExt;
                // No notification service (a bare desktop): the window's badge still shows it.
                if let Err(e) = handle.notification().builder().title(&n.title).body(&n.body).show() {
                    tracing::warn!("a notification could not be shown: {e}");
                }
            });
            if let Err(e) = told {
                tracing::warn!("notifications could not start: {e}");
            }
            app.manage(shell);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            home,
            search,
            sell,
            park_cart,
            withdraw_payment,
            market_results,
            settle_event,
            save_discount_presets,
            list_parked,
            resume_parked,
            recent_sales,
            receipt,
            print_receipt,
            email_receipt,
            receipt_emails,
            mail,
            save_mail,
            label,
            save_labels,
            save_tax_place,
            add_tender,
            printer,
            save_printer,
            void_sale,
            refund_sale,
            open_event,
            join_event,
            product_lots,
            get_allotment,
            close_event,
            list_events,
            event_report,
            get_settings,
            get_sync,
            sync_now,
            export_unsynced,
            save_unsynced_as,
            choose_changes_file,
            import_changes,
            start_fresh,
            connect,
            list_products,
            save_product,
            archive_product,
            adjust_product,
            product_history,
            list_supplies,
            save_supply,
            archive_supply,
            receive_supply,
            adjust_supply,
            supply_history,
            list_recipes,
            get_recipe,
            set_recipe,
            plan_batch,
            make_batch,
            list_batches,
            trace_lot,
            plan_event,
            allot_stock,
            list_known_devices,
            list_customers,
            get_customer,
            save_customer,
            dashboard,
            export_csv,
            save_csv_as,
            list_alerts,
            alert_count,
            save_shop,
            link_shopify,
            unlink_shopify,
            get_shopify,
            import_shopify_now,
            get_server_shopify,
            map_shopify_sku,
            set_shopify_push_stock,
            list_devices,
            revoke_device,
            sign_out,
            backup_now,
            list_users,
            add_user,
            restore_backup,
            choose_backup_file,
            list_backups
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = built {
        tracing::error!("the app could not start: {e}");
        eprintln!("the app could not start: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    /// The names the UI may call (`model::app`, one `command!` each) and the
    /// handlers this shell registers are the same set: a command the UI knows
    /// and the shell lacks would fail only when a user taps it.
    #[test]
    fn every_command_of_the_ui_is_registered_in_the_shell() {
        let declared: std::collections::BTreeSet<&str> = include_str!("../../model/src/app.rs")
            .lines()
            .filter_map(|l| l.trim().strip_prefix("command!(")?.rsplit_once(", \"")?.1.strip_suffix("\");"))
            .collect();
        let shell = include_str!("lib.rs");
        let list = shell.split("generate_handler![").nth(1).and_then(|s| s.split(']').next()).unwrap_or_default();
        let registered: std::collections::BTreeSet<&str> = list.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
        assert!(declared.len() > 50, "the command! declarations were not found: {declared:?}");
        assert_eq!(declared, registered);
    }
}
