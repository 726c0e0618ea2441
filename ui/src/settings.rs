//! Settings: the theme, the shop's details, connecting to a sync server, and
//! starting an empty shop for real use once the demo has been tried.
use crate::api::call;
use crate::state::{AppState, Theme};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wildroot_model::app::{Connect, GetSettings, SettingsView, StartFresh};

#[component]
pub fn Settings() -> impl IntoView {
    let app = expect_context::<AppState>();
    let settings = RwSignal::new(None::<SettingsView>);
    let load = move || {
        spawn_local(async move {
            match call(&GetSettings {}).await {
                Ok(s) => settings.set(Some(s)),
                Err(e) => app.fail(e),
            }
        })
    };
    load();

    let server = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let device = RwSignal::new(String::new());
    let connecting = RwSignal::new(false);
    let connect = move |_| {
        let req = Connect {
            server_url: server.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
            device_name: device.get_untracked(),
        };
        connecting.set(true);
        spawn_local(async move {
            match call(&req).await {
                Ok(s) => {
                    password.set(String::new());
                    app.sync.set(Some(s));
                    app.toast.set(None);
                    app.refresh_home();
                }
                Err(e) => app.fail(e),
            }
            connecting.set(false);
        });
    };

    let fresh_name = RwSignal::new(String::new());
    let confirm_fresh = RwSignal::new(false);
    let start_fresh = move |_| {
        let req = StartFresh { business_name: fresh_name.get_untracked() };
        spawn_local(async move {
            match call(&req).await {
                Ok(s) => {
                    settings.set(Some(s));
                    confirm_fresh.set(false);
                    fresh_name.set(String::new());
                    app.toast.set(None);
                    app.refresh_home();
                }
                Err(e) => app.fail(e),
            }
        });
    };
    let theme_button = move |theme: Theme, label: &'static str| {
        view! {
            <button class="choice" class:active=move || app.theme.get() == theme id=format!("theme-{}", theme.as_str()) on:click=move |_| app.set_theme(theme)>
                {label}
            </button>
        }
    };
    let connected = move || app.sync.with(|s| s.as_ref().and_then(|s| s.status.server_url.clone()));

    view! {
        <section class="settings" id="settings">
            <div class="card">
                <h2>"Theme"</h2>
                <div class="choices">
                    {theme_button(Theme::System, "Follow the system")}
                    {theme_button(Theme::Sunlight, "Sunlight")}
                    {theme_button(Theme::Dark, "Dark")}
                </div>
            </div>
            <div class="card">
                <h2>"This shop"</h2>
                {move || {
                    settings
                        .get()
                        .map(|s| {
                            view! {
                                <dl class="sums">
                                    <dt>"Business"</dt>
                                    <dd id="settings-business">{s.business_name}</dd>
                                    <dt>"Receipts"</dt>
                                    <dd>{format!("{}-000001 …", s.receipt_prefix)}</dd>
                                    <dt>"Tax"</dt>
                                    <dd>
                                        {format!(
                                            "{}.{:02}% {}",
                                            s.tax_bp / 100,
                                            s.tax_bp % 100,
                                            if s.tax_inclusive { "included in prices" } else { "added at checkout" },
                                        )}
                                    </dd>
                                    <dt>"Data"</dt>
                                    <dd class="path">{s.database_path}</dd>
                                </dl>
                            }
                        })
                }}
            </div>
            <div class="card">
                <h2>"Sync"</h2>
                {move || match connected() {
                    Some(url) => view! { <p id="connected-to">{format!("Connected to {url}. Sales sync in the background whenever there is a network.")}</p> }.into_any(),
                    None => {
                        view! {
                            <p class="muted">"Connect to your Wildroot server to share stock and sales between devices."</p>
                            <label>"Server address"<input id="connect-server" placeholder="https://wildroot.example.com" prop:value=move || server.get() on:input=move |ev| server.set(event_target_value(&ev)) /></label>
                            <label>"Email"<input id="connect-email" type="email" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) /></label>
                            <label>"Password"<input id="connect-password" type="password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) /></label>
                            <label>"This device's name"<input id="connect-device" placeholder="Booth phone" prop:value=move || device.get() on:input=move |ev| device.set(event_target_value(&ev)) /></label>
                            <button class="primary" id="connect" disabled=move || connecting.get() on:click=connect>
                                {move || if connecting.get() { "Connecting…" } else { "Connect" }}
                            </button>
                        }
                            .into_any()
                    }
                }}
            </div>
            <Show when=move || connected().is_none()>
                <div class="card">
                    <h2>"Start fresh"</h2>
                    <p class="muted">
                        "Set this shop aside and start an empty one for real use. Nothing is deleted: the current shop is kept as a file next to the new one."
                    </p>
                    <label>"New business name"<input id="fresh-name" prop:value=move || fresh_name.get() on:input=move |ev| fresh_name.set(event_target_value(&ev)) /></label>
                    <Show
                        when=move || confirm_fresh.get()
                        fallback=move || view! { <button class="secondary" id="fresh" on:click=move |_| confirm_fresh.set(true)>"Start fresh…"</button> }
                    >
                        <button class="danger" id="fresh-confirm" on:click=start_fresh>"Set this shop aside and start empty"</button>
                        <button class="secondary" on:click=move |_| confirm_fresh.set(false)>"Keep this shop"</button>
                    </Show>
                </div>
            </Show>
        </section>
    }
}
