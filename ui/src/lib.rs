//! The Wildroot app's screens, in Leptos (client-side, compiled to wasm and
//! shown in the Tauri shell's webview). Phone portrait first: everything a
//! vendor needs at the booth is reachable with one thumb; on a laptop the
//! same screens get a sidebar and the cart stays open beside the products.
//!
//! All state lives in [`state::AppState`] and [`pos::PosState`], created once
//! by [`App`] so that moving between screens never loses a cart.
#![forbid(unsafe_code)]

mod alerts;
pub mod api;
pub mod cart;
pub mod chart;
mod customers;
pub mod form;
mod inventory;
mod market;
mod pos;
mod recipes;
mod reports;
mod sales;
mod settings;
pub mod state;
mod sync_badge;

use leptos::prelude::*;
use state::{AppState, Screen};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
pub fn App() -> impl IntoView {
    let app = AppState::new();
    provide_context(app);
    let pos = pos::PosState::new();
    provide_context(pos);
    app.start();
    app.apply_theme();
    // The sync status is always visible, so it is read often; it is one small query.
    set_interval(move || app.tick(), std::time::Duration::from_secs(2));

    // A vendor's session shows only the screens a vendor may open.
    let tab = move |screen: Screen| {
        view! {
            <Show when=move || screen.may_open(app.role())>
                <button
                    class="tab"
                    class:extra=!screen.on_phone_bar()
                    class:active=move || app.screen.get() == screen
                    id=format!("nav-{}", screen.id())
                    on:click=move |_| app.go(screen)
                >
                    {screen.label()}
                    {(screen == Screen::Alerts)
                        .then(|| {
                            view! {
                                <Show when=move || { app.alert_count() > 0 }>
                                    <span class="badge" id="alert-badge">{move || app.alert_count()}</span>
                                </Show>
                            }
                        })}
                </button>
            </Show>
        }
    };
    view! {
        <div class="app">
            <header class="top">
                <span class="brand" id="brand">
                    {move || app.home.with(|h| h.as_ref().map(|h| h.business_name.clone()).unwrap_or_else(|| "Wildroot".into()))}
                </span>
                <sync_badge::SyncBadge />
                <button class="icon theme" id="theme-toggle" title="Theme" on:click=move |_| app.next_theme()>
                    {move || app.theme.get().icon()}
                </button>
            </header>
            <nav class="tabs" class:more-open=move || app.more_open.get()>
                {Screen::ALL.into_iter().map(tab).collect_view()}
                <button class="tab more" id="nav-more" class:active=move || !app.screen.get().on_phone_bar() on:click=move |_| app.more_open.update(|o| *o = !*o)>
                    "More"
                    <Show when=move || { app.alert_count() > 0 }>
                        <span class="badge">{move || app.alert_count()}</span>
                    </Show>
                </button>
            </nav>
            <div class="toast" id="toast" class:shown=move || app.toast.with(Option::is_some) on:click=move |_| app.toast.set(None)>
                {move || app.toast.get().unwrap_or_default()}
            </div>
            <main class="screen">
                {move || match app.screen.get() {
                    Screen::Pos => view! { <pos::Pos /> }.into_any(),
                    Screen::Sales => view! { <sales::Sales /> }.into_any(),
                    Screen::Market => view! { <market::Market /> }.into_any(),
                    Screen::Inventory => view! { <inventory::Inventory /> }.into_any(),
                    Screen::Recipes => view! { <recipes::Recipes /> }.into_any(),
                    Screen::Customers => view! { <customers::Customers /> }.into_any(),
                    Screen::Reports => view! { <reports::Reports /> }.into_any(),
                    Screen::Alerts => view! { <alerts::Alerts /> }.into_any(),
                    Screen::Settings => view! { <settings::Settings /> }.into_any(),
                }}
            </main>
        </div>
    }
}
