//! The Wildroot app's screens, in Leptos (client-side, compiled to wasm and
//! shown in the Tauri shell's webview). Phone portrait first: everything a
//! vendor needs at the booth is reachable with one thumb; on a laptop the
//! same screens get a sidebar and the cart stays open beside the products.
//!
//! All state lives in [`state::AppState`] and [`pos::PosState`], created once
//! by [`App`] so that moving between screens never loses a cart.
#![forbid(unsafe_code)]

pub mod api;
pub mod cart;
mod market;
mod pos;
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
    app.refresh_home();
    app.refresh_sync();
    app.apply_theme();
    // The sync status is always visible, so it is read often; it is one small query.
    set_interval(move || app.tick(), std::time::Duration::from_secs(2));

    let tab = move |screen: Screen| {
        view! {
            <button
                class="tab"
                class:active=move || app.screen.get() == screen
                id=format!("nav-{}", screen.id())
                on:click=move |_| app.go(screen)
            >
                {screen.label()}
            </button>
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
            <nav class="tabs">{Screen::ALL.into_iter().map(tab).collect_view()}</nav>
            <div class="toast" id="toast" class:shown=move || app.toast.with(Option::is_some) on:click=move |_| app.toast.set(None)>
                {move || app.toast.get().unwrap_or_default()}
            </div>
            <main class="screen">
                {move || match app.screen.get() {
                    Screen::Pos => view! { <pos::Pos /> }.into_any(),
                    Screen::Sales => view! { <sales::Sales /> }.into_any(),
                    Screen::Market => view! { <market::Market /> }.into_any(),
                    Screen::Settings => view! { <settings::Settings /> }.into_any(),
                }}
            </main>
        </div>
    }
}
