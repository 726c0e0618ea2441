//! The Wildroot app's shell: typed Tauri commands over the core for the
//! Leptos UI in `ui/`. Each command reads one request type of
//! `wildroot_model::app` and answers with its response type or an
//! [`AppError`]; the work is in [`commands`], the business rules in the core.
//!
//! Written for Tauri's mobile entry point too: nothing here is desktop-only.
#![forbid(unsafe_code)]

pub mod commands;
pub mod shell;

use shell::Shell;
use std::path::PathBuf;
use std::time::Duration;
use tauri::{Manager, State};
use wildroot_core::CoreError;
use wildroot_model::app::*;
use wildroot_model::views::*;
use wildroot_model::SaleId;

type Reply<T> = Result<T, AppError>;

fn fail(e: CoreError) -> AppError {
    AppError { message: e.to_string() }
}

fn read<T>(shell: &Shell, f: impl FnOnce(&wildroot_core::Store) -> wildroot_core::Result<T>) -> Reply<T> {
    let store = shell.store().map_err(fail)?;
    f(&store).map_err(fail)
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
fn recent_sales(shell: State<'_, Shell>, req: RecentSales) -> Reply<Vec<SaleSummary>> {
    read(&shell, |s| commands::recent_sales(s, req))
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
    commands::get_settings(&shell, req).map_err(fail)
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
        .setup(|app| {
            let path = database_path(app)?;
            let shell = Shell::open(path, sync_interval()?)?;
            // The sync loop is a task on Tauri's async runtime.
            tauri::async_runtime::block_on(async { shell.start_sync() })?;
            app.manage(shell);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            home,
            search,
            sell,
            recent_sales,
            void_sale,
            refund_sale,
            open_event,
            close_event,
            list_events,
            event_report,
            get_settings,
            get_sync,
            sync_now,
            start_fresh,
            connect
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = built {
        tracing::error!("the app could not start: {e}");
        eprintln!("the app could not start: {e}");
        std::process::exit(1);
    }
}
