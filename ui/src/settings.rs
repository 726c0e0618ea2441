//! Settings: the theme, the shop's details, connecting to a sync server, and
//! starting an empty shop for real use once the demo has been tried.
use crate::api::call;
use crate::form::{checkbox, field, field_hint, when};
use crate::state::{AppState, Theme};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wildroot_model::app::*;
use wildroot_model::sync::{DeviceInfo, Role, ServerShopifyStatus, UserInfo};

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
    // A memo: the status poll replaces `app.sync` every two seconds, and the
    // account section (its lists and half-typed forms) must not be rebuilt each time.
    let connected = Memo::new(move |_| app.sync.with(|s| s.as_ref().and_then(|s| s.status.server_url.clone())));

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
            <ShopForm settings=settings />
            <Presets />
            <Printer />
            <Show when=move || app.role() == wildroot_model::sync::Role::Owner>
                {move || match connected.get() {
                    None => view! { <Mail /> }.into_any(),
                    Some(_) => view! {
                        <div class="card" id="mail">
                            <h2>"Emailed receipts"</h2>
                            <p class="muted" id="mail-by-server">"Your server emails receipts, so no phone holds the mail password. Its owner sets the mail server there: wildroot server mail --smtp HOST:PORT --user U --password-file F."</p>
                        </div>
                    }.into_any(),
                }}
            </Show>
            <Show when=move || app.role() == wildroot_model::sync::Role::Owner>
                <PlacesAndTenders />
            </Show>
            <div class="card">
                <h2>"Sync"</h2>
                {move || match connected.get() {
                    Some(url) => view! {
                        <p id="connected-to">{format!("Connected to {url}. Sales sync in the background whenever there is a network.")}</p>
                        <Account settings=settings />
                    }.into_any(),
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
            <CarriedChanges />
            <Shopify settings=settings />
            <Backup />
            <Show when=move || connected.get().is_none()>
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

/// The business name, currency and tax, saved together.
#[component]
fn ShopForm(settings: RwSignal<Option<SettingsView>>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let name = RwSignal::new(String::new());
    let currency = RwSignal::new(String::new());
    let tax = RwSignal::new(String::new());
    let inclusive = RwSignal::new(false);
    let saved = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(s) = settings.get() {
            name.set(s.business_name);
            currency.set(s.currency);
            tax.set(wildroot_model::money::percent(s.tax_bp));
            inclusive.set(s.tax_inclusive);
        }
    });
    let save = move |_| {
        let tax_bp = match wildroot_model::field::percent_bp("tax rate", &tax.get_untracked()) {
            Ok(bp) => bp,
            Err(e) => return app.fail(e),
        };
        let req = SaveShop {
            business_name: name.get_untracked(),
            currency: currency.get_untracked(),
            tax_bp,
            tax_inclusive: inclusive.get_untracked(),
        };
        spawn_local(async move {
            match call(&req).await {
                Ok(s) => {
                    settings.set(Some(s));
                    saved.set(true);
                    app.toast.set(None);
                    app.refresh_home();
                }
                Err(e) => app.fail(e),
            }
        });
    };
    view! {
        <div class="card" id="shop-form">
            <h2>"This shop"</h2>
            <div class="form-grid">
                {field("Business name", "set-business", name)}
                {field_hint("Currency", "set-currency", "USD", currency)}
                {field_hint("Sales tax", "set-tax", "8.25%", tax)}
            </div>
            {checkbox("Prices already include the tax", "set-inclusive", inclusive)}
            <div class="actions">
                <button class="primary" id="save-shop" on:click=save>"Save"</button>
                <Show when=move || saved.get()><span class="done" id="shop-saved">"Saved."</span></Show>
            </div>
            {move || {
                settings.get().map(|s| {
                    view! {
                        <dl class="sums">
                            <dt>"Receipts"</dt>
                            <dd>{format!("{}-000001 …", s.receipt_prefix)}</dd>
                            <dt>"Data"</dt>
                            <dd class="path" id="settings-data">{s.database_path}</dd>
                        </dl>
                    }
                })
            }}
        </div>
    }
}

/// Where the shop sells and how people pay there (#24): the tax places
/// (a rate, prices with or without tax, a rate per category) and the ways
/// to pay beyond cash and card. Every device gets them by sync.
#[component]
fn PlacesAndTenders() -> impl IntoView {
    let app = expect_context::<AppState>();
    let name = RwSignal::new(String::new());
    let rate = RwSignal::new(String::new());
    let inclusive = RwSignal::new(false);
    let categories = RwSignal::new(String::new());
    let home = RwSignal::new(false);
    let tender = RwSignal::new(String::new());
    let gives_change = RwSignal::new(false);
    let in_drawer = RwSignal::new(true);
    let save_place = move |_| {
        let req = SaveTaxPlace {
            name: name.get_untracked(),
            rate: rate.get_untracked(),
            inclusive: inclusive.get_untracked(),
            categories: categories.get_untracked(),
            home: home.get_untracked(),
        };
        spawn_local(async move {
            match call(&req).await {
                Ok(_) => {
                    name.set(String::new());
                    rate.set(String::new());
                    categories.set(String::new());
                    home.set(false);
                    app.toast.set(None);
                    app.refresh_home();
                }
                Err(e) => app.fail(e),
            }
        });
    };
    let add_tender = move |_| {
        let req =
            AddTender { name: tender.get_untracked(), gives_change: gives_change.get_untracked(), in_drawer: in_drawer.get_untracked() };
        spawn_local(async move {
            match call(&req).await {
                Ok(_) => {
                    tender.set(String::new());
                    app.toast.set(None);
                    app.refresh_home();
                }
                Err(e) => app.fail(e),
            }
        });
    };
    let places = move || app.home.with(|h| h.as_ref().map(|h| h.tax_places.clone()).unwrap_or_default());
    let tenders = move || app.home.with(|h| h.as_ref().map(|h| h.tenders.clone()).unwrap_or_default());
    view! {
        <div class="card" id="places">
            <h2>"Where you sell: tax places"</h2>
            <ul class="plain" id="place-list">
                {move || places().into_iter().map(|p| {
                    let cats: Vec<String> = p.categories.iter().map(|(c, bp)| format!("{c} {}", wildroot_model::money::percent(*bp))).collect();
                    view! {
                        <li class="place" data-place=p.name.clone() data-rate-bp=p.rate_bp.to_string()>
                            {format!("{} · {}{}{}", p.name, wildroot_model::money::percent(p.rate_bp), if p.inclusive { " in prices" } else { "" },
                                if cats.is_empty() { String::new() } else { format!(" · {}", cats.join(", ")) })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <div class="form-grid">
                <label>"Place"<input id="place-name" placeholder="Bristol VA" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <label>"Rate"<input id="place-rate" placeholder="5.3%" inputmode="decimal" prop:value=move || rate.get() on:input=move |ev| rate.set(event_target_value(&ev)) /></label>
            </div>
            <label>
                "Categories taxed differently, one a line (exempt is always 0%)"
                <textarea id="place-categories" rows="2" placeholder="food=2.5%" prop:value=move || categories.get() on:input=move |ev| categories.set(event_target_value(&ev))></textarea>
            </label>
            <label class="check"><input type="checkbox" id="place-inclusive" prop:checked=move || inclusive.get() on:change=move |ev| inclusive.set(event_target_checked(&ev)) />"Prices there include the tax"</label>
            <label class="check"><input type="checkbox" id="place-home" prop:checked=move || home.get() on:change=move |ev| home.set(event_target_checked(&ev)) />"Sales outside a market day are taxed here"</label>
            <div class="actions"><button class="primary" id="save-place" on:click=save_place>"Save place"</button></div>
        </div>
        <div class="card" id="tenders">
            <h2>"Ways to pay beyond cash and card"</h2>
            <ul class="plain" id="tender-list">
                {move || tenders().into_iter().map(|t| view! {
                    <li class="tender" data-tender=t.name.clone()>
                        {format!("{} · {} · {}", t.name, if t.gives_change { "change may come back" } else { "never gives change" },
                            if t.in_drawer { "counted in the drawer" } else { "not in the drawer" })}
                    </li>
                }).collect_view()}
            </ul>
            <label>"Name"<input id="tender-name" placeholder="SNAP, Tokens, Check" prop:value=move || tender.get() on:input=move |ev| tender.set(event_target_value(&ev)) /></label>
            <label class="check"><input type="checkbox" id="tender-change" prop:checked=move || gives_change.get() on:change=move |ev| gives_change.set(event_target_checked(&ev)) />"Change may come back for it (a check written for more)"</label>
            <label class="check"><input type="checkbox" id="tender-drawer" prop:checked=move || in_drawer.get() on:change=move |ev| in_drawer.set(event_target_checked(&ev)) />"Counted in the cash drawer (tokens, checks)"</label>
            <div class="actions"><button class="primary" id="add-tender" on:click=add_tender>"Add way to pay"</button></div>
        </div>
    }
}

/// This device's receipt printer: a network thermal printer (HOST:PORT,
/// usually port 9100) or a device file (USB, Bluetooth serial), its paper,
/// and whether it prints after each sale. A booth phone sets its own.
#[component]
fn Printer() -> impl IntoView {
    use wildroot_model::receipt::PrinterView;
    let app = expect_context::<AppState>();
    let kind = RwSignal::new(String::from("none"));
    let address = RwSignal::new(String::new());
    let width = RwSignal::new(String::from("80"));
    let auto = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let show = move |p: PrinterView| {
        kind.set(p.kind.unwrap_or_else(|| "none".into()));
        address.set(p.address.unwrap_or_default());
        width.set(p.width_mm.to_string());
        auto.set(p.auto_print);
    };
    spawn_local(async move {
        match call(&GetPrinter {}).await {
            Ok(p) => show(p),
            Err(e) => app.fail(e),
        }
    });
    let save = move |_| {
        let printer = PrinterView {
            kind: Some(kind.get_untracked()).filter(|k| k != "none"),
            address: Some(address.get_untracked()),
            width_mm: width.get_untracked().parse().unwrap_or(0),
            auto_print: auto.get_untracked(),
        };
        spawn_local(async move {
            match call(&SavePrinter { printer }).await {
                Ok(p) => {
                    show(p);
                    saved.set(true);
                    app.toast.set(None);
                }
                Err(e) => app.fail(e),
            }
        });
    };
    view! {
        <div class="card" id="printer">
            <h2>"Receipt printer"</h2>
            <label>
                "Printer"
                <select id="printer-kind" prop:value=move || kind.get() on:change=move |ev| { saved.set(false); kind.set(event_target_value(&ev)) }>
                    <option value="none">"None: show receipts on screen"</option>
                    <option value="tcp">"Network printer (address:port)"</option>
                    <option value="device">"USB or Bluetooth device"</option>
                </select>
            </label>
            <Show when=move || kind.get() != "none">
                <label>
                    {move || if kind.get() == "tcp" { "Address, like 192.168.1.50:9100" } else { "Device, like /dev/usb/lp0 or /dev/rfcomm0" }}
                    <input id="printer-address" prop:value=move || address.get() on:input=move |ev| { saved.set(false); address.set(event_target_value(&ev)) } />
                </label>
            </Show>
            <label>
                "Paper"
                <select id="printer-width" prop:value=move || width.get() on:change=move |ev| { saved.set(false); width.set(event_target_value(&ev)) }>
                    <option value="58">"58 mm"</option>
                    <option value="80">"80 mm"</option>
                </select>
            </label>
            <label class="check">
                <input type="checkbox" id="printer-auto" prop:checked=move || auto.get() on:change=move |ev| { saved.set(false); auto.set(event_target_checked(&ev)) } />
                "Print a receipt after each sale"
            </label>
            <div class="actions">
                <button class="primary" id="save-printer" on:click=save>"Save printer"</button>
                <Show when=move || saved.get()><span class="done" id="printer-saved">"Saved."</span></Show>
            </div>
        </div>
    }
}

/// The mail server this device emails receipts through, for a shop with no
/// server: the password is sealed with the device key and never shown again.
#[component]
fn Mail() -> impl IntoView {
    use wildroot_model::app::{GetMail, SaveMail};
    use wildroot_model::mail::MailServer;
    let app = expect_context::<AppState>();
    let smtp = RwSignal::new(String::new());
    let security = RwSignal::new(String::from("starttls"));
    let user = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let current = RwSignal::new(None::<MailServer>);
    let saved = RwSignal::new(false);
    let show = move |m: Option<MailServer>| {
        if let Some(m) = &m {
            smtp.set(m.address());
            security.set(m.security.as_str().to_string());
            user.set(m.user.clone());
            from.set(m.from.clone());
        }
        password.set(String::new());
        current.set(m);
    };
    spawn_local(async move {
        match call(&GetMail {}).await {
            Ok(m) => show(m),
            Err(e) => app.fail(e),
        }
    });
    let save = move |off: bool| {
        saved.set(false);
        let req = SaveMail {
            smtp: smtp.get_untracked(),
            security: security.get_untracked(),
            user: user.get_untracked(),
            password: password.get_untracked(),
            from: from.get_untracked(),
            off,
        };
        spawn_local(async move {
            match call(&req).await {
                Ok(m) => {
                    show(m);
                    saved.set(true);
                    app.toast.set(None);
                }
                Err(e) => app.fail(e),
            }
        });
    };
    view! {
        <div class="card" id="mail">
            <h2>"Emailed receipts"</h2>
            <p class="muted" id="mail-state">
                {move || match current.get() {
                    Some(m) => format!("Receipts are emailed from {} through {} ({}).", m.from, m.address(), m.security.as_str()),
                    None => "Receipts are not emailed yet: give your mail provider's server to send them from this device.".to_string(),
                }}
            </p>
            <label>"Mail server, like smtp.example.com:587"<input id="mail-smtp" prop:value=move || smtp.get() on:input=move |ev| smtp.set(event_target_value(&ev)) /></label>
            <label>
                "Connection"
                <select id="mail-security" prop:value=move || security.get() on:change=move |ev| security.set(event_target_value(&ev))>
                    <option value="starttls">"STARTTLS (port 587)"</option>
                    <option value="tls">"TLS (port 465)"</option>
                    <option value="plain">"Plain: a relay on this network only"</option>
                </select>
            </label>
            <label>"Login"<input id="mail-user" autocapitalize="off" prop:value=move || user.get() on:input=move |ev| user.set(event_target_value(&ev)) /></label>
            <label>"Password"<input id="mail-password" type="password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) /></label>
            <label>"From address (empty: the login)"<input id="mail-from" autocapitalize="off" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) /></label>
            <div class="actions">
                <button class="primary" id="save-mail" on:click=move |_| save(false)>"Save mail server"</button>
                <Show when=move || current.with(Option::is_some)>
                    <button class="secondary" id="mail-off" on:click=move |_| save(true)>"Stop emailing"</button>
                </Show>
                <Show when=move || saved.get()><span class="done" id="mail-saved">"Saved."</span></Show>
            </div>
        </div>
    }
}

/// The owner's preset discounts, typed one per line; every booth shows them
/// as buttons beside the sale discount.
#[component]
fn Presets() -> impl IntoView {
    let app = expect_context::<AppState>();
    let text = RwSignal::new(app.home.with_untracked(|h| {
        h.as_ref().map(|h| wildroot_model::pricing::DiscountPreset::to_lines(&h.discount_presets)).unwrap_or_default()
    }));
    let saved = RwSignal::new(false);
    let save = move |_| {
        // Read here, by the model's one parser; the core checks the list again.
        let presets = match wildroot_model::pricing::DiscountPreset::parse_lines(&text.get_untracked()) {
            Ok(p) => p,
            Err(e) => return app.fail(e),
        };
        spawn_local(async move {
            match call(&SaveDiscountPresets { presets }).await {
                Ok(p) => {
                    text.set(wildroot_model::pricing::DiscountPreset::to_lines(&p));
                    saved.set(true);
                    app.toast.set(None);
                    app.refresh_home();
                }
                Err(e) => app.fail(e),
            }
        });
    };
    view! {
        <div class="card" id="presets">
            <h2>"Preset discounts"</h2>
            <label>
                "One per line, like Market regular = 10% or Friend = 2.00"
                <textarea
                    id="preset-lines"
                    rows="4"
                    placeholder="Market regular = 10%"
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        saved.set(false);
                        text.set(event_target_value(&ev));
                    }
                ></textarea>
            </label>
            <div class="actions">
                <button class="primary" id="save-presets" on:click=save>"Save presets"</button>
                <Show when=move || saved.get()><span class="done" id="presets-saved">"Saved."</span></Show>
            </div>
        </div>
    }
}

/// Who this device is signed in as, signing out, and (for the owner) the server's devices.
#[component]
fn Account(settings: RwSignal<Option<SettingsView>>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let confirm_force = RwSignal::new(None::<String>);
    let sign_out = move |force: bool| {
        spawn_local(async move {
            match call(&SignOut { force }).await {
                Ok(s) => {
                    confirm_force.set(None);
                    app.sync.set(Some(s));
                    app.toast.set(None);
                    app.refresh_home();
                    if let Ok(v) = call(&GetSettings {}).await {
                        settings.set(Some(v));
                    }
                }
                // Unsynced changes: say so and offer to sign out anyway.
                Err(e) if !force && e.contains("not reached the server") => confirm_force.set(Some(e)),
                Err(e) => app.fail(e),
            }
        });
    };
    let password = RwSignal::new(String::new());
    let devices = RwSignal::new(None::<Vec<DeviceInfo>>);
    let users = RwSignal::new(None::<Vec<UserInfo>>);
    let show_devices = move |_| {
        let (d, u) = (ListDevices { password: password.get_untracked() }, ListUsers { password: password.get_untracked() });
        spawn_local(async move {
            match call(&d).await {
                Ok(d) => {
                    app.toast.set(None);
                    devices.set(Some(d));
                }
                Err(e) => return app.fail(e),
            }
            match call(&u).await {
                Ok(u) => users.set(Some(u)),
                Err(e) => app.fail(e),
            }
        });
    };
    // Renaming signs this device in again under the new name (the server keeps names per device).
    let new_name = RwSignal::new(String::new());
    let rename = move |_| {
        let Some(s) = settings.get_untracked() else { return };
        let req = Connect {
            server_url: s.server_url.unwrap_or_default(),
            email: s.user_email.unwrap_or_default(),
            password: password.get_untracked(),
            device_name: new_name.get_untracked(),
        };
        if req.device_name.trim().is_empty() {
            return app.fail("type the device's new name".into());
        }
        if req.password.is_empty() {
            return app.fail("type your password: renaming this device signs it in again".into());
        }
        spawn_local(async move {
            match call(&req).await {
                Ok(sync) => {
                    app.sync.set(Some(sync));
                    app.toast.set(None);
                    new_name.set(String::new());
                    if let Ok(v) = call(&GetSettings {}).await {
                        settings.set(Some(v));
                    }
                }
                Err(e) => app.fail(e),
            }
        });
    };
    let new_email = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let new_role = RwSignal::new(Role::Vendor);
    let add_user = move |_| {
        let req = AddUser {
            password: password.get_untracked(),
            email: new_email.get_untracked(),
            new_password: new_password.get_untracked(),
            role: new_role.get_untracked(),
        };
        spawn_local(async move {
            match call(&req).await {
                Ok(u) => {
                    app.toast.set(None);
                    new_email.set(String::new());
                    new_password.set(String::new());
                    users.set(Some(u));
                }
                Err(e) => app.fail(e),
            }
        });
    };
    let role_choice = move |r: Role, label: &'static str| {
        view! { <button class="choice" id=format!("new-role-{}", r.as_str()) class:active=move || new_role.get() == r on:click=move |_| new_role.set(r)>{label}</button> }
    };
    let revoke = move |device_id| {
        let req = RevokeDevice { password: password.get_untracked(), device_id };
        spawn_local(async move {
            match call(&req).await {
                Ok(d) => devices.set(Some(d)),
                Err(e) => app.fail(e),
            }
        });
    };
    view! {
        {move || {
            settings.get().map(|s| {
                view! {
                    <dl class="sums" id="account">
                        <dt>"Signed in as"</dt>
                        <dd id="account-email">{s.user_email.unwrap_or_default()}</dd>
                        <dt>"Role"</dt>
                        <dd id="account-role">{s.role.as_str()}</dd>
                        <dt>"This device"</dt>
                        <dd id="account-device">{s.device_name.unwrap_or_default()}</dd>
                    </dl>
                }
            })
        }}
        {move || match confirm_force.get() {
            None => view! { <button class="secondary" id="sign-out" on:click=move |_| sign_out(false)>"Sign out"</button> }.into_any(),
            Some(why) => view! {
                <p class="warn">{why}</p>
                <button class="danger" id="sign-out-anyway" on:click=move |_| sign_out(true)>"Sign out anyway"</button>
                <button class="secondary" on:click=move |_| confirm_force.set(None)>"Stay signed in"</button>
            }.into_any(),
        }}
        <h3>"Users and devices"</h3>
        <p class="muted">"Who may sign in, and the devices that sync with this server. Revoke a lost phone so it can no longer sync; its sales already sent stay."</p>
        <div class="inline-form">
            <label>"Your password"<input id="devices-password" type="password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) /></label>
            <button id="show-devices" on:click=show_devices>"Show users and devices"</button>
        </div>
        <div class="inline-form">
            {field_hint("Rename this device", "rename-device", "Booth phone", new_name)}
            <button id="rename" on:click=rename>"Rename"</button>
        </div>
        {move || users.get().map(|list| view! {
            <table class="grid" id="users">
                <thead><tr><th>"User"</th><th>"Role"</th><th>"Since"</th><th class="num">"Devices"</th></tr></thead>
                <tbody>
                    {list.into_iter().map(|u| view! {
                        <tr class="user" data-email=u.email.clone()>
                            <td>{u.email.clone()}</td>
                            <td>{u.role.as_str()}</td>
                            <td>{when(u.created_at_ms)}</td>
                            <td class="num">{u.devices}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <div class="inline-form" id="add-user-form">
                {field_hint("New user's email", "new-user-email", "sam@example.com", new_email)}
                <label>"Their password (8 characters or more)"<input id="new-user-password" type="password" autocomplete="new-password" prop:value=move || new_password.get() on:input=move |ev| new_password.set(event_target_value(&ev)) /></label>
                <div class="choices">{role_choice(Role::Vendor, "Vendor")} {role_choice(Role::Owner, "Owner")}</div>
                <button class="primary" id="add-user" on:click=add_user>"Add user"</button>
            </div>
        })}
        {move || devices.get().map(|list| view! {
            <table class="grid" id="devices">
                <thead><tr><th>"Device"</th><th>"User"</th><th>"Last seen"</th><th></th></tr></thead>
                <tbody>
                    {list.into_iter().map(|d| {
                        let id = d.device_id;
                        view! {
                            <tr class="device" class:voided=d.revoked data-id=d.device_id.to_string()>
                                <td>{d.name.clone()}</td>
                                <td>{format!("{} ({})", d.user_email, d.role.as_str())}</td>
                                <td>{d.last_seen_ms.map(when).unwrap_or_else(|| "never".into())}</td>
                                <td>{if d.revoked { view! { <span class="muted">"revoked"</span> }.into_any() } else { view! { <button class="secondary revoke" on:click=move |_| revoke(id)>"Revoke"</button> }.into_any() }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        })}
    }
}

/// The Shopify store this device imports from. The token goes in and is
/// never shown back; the screen only says one is saved.
#[component]
fn Shopify(settings: RwSignal<Option<SettingsView>>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let shop = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let link = move |_| {
        let req = LinkShopify { shop: shop.get_untracked(), token: token.get_untracked() };
        spawn_local(async move {
            match call(&req).await {
                Ok(s) => {
                    token.set(String::new());
                    settings.set(Some(s));
                    app.toast.set(None);
                }
                Err(e) => app.fail(e),
            }
        });
    };
    let unlink = move |_| {
        spawn_local(async move {
            match call(&UnlinkShopify {}).await {
                Ok(s) => settings.set(Some(s)),
                Err(e) => app.fail(e),
            }
        });
    };
    let linked = move || settings.with(|s| s.as_ref().and_then(|s| s.shopify_shop.clone()));
    view! {
        <div class="card" id="shopify">
            <h2>"Shopify"</h2>
            {move || match linked() {
                Some(url) => view! {
                    <p id="shopify-linked">{format!("Linked to {url}. The access token is saved on this device, encrypted, and is not shown again.")}</p>
                    <ShopifyImport />
                    <button class="secondary" id="shopify-unlink" on:click=unlink>"Unlink"</button>
                }.into_any(),
                None => view! {
                    <ServerShopify />
                    <p class="muted">"Online orders come in from Shopify and take stock from the same shelves. Create a custom app in the store with read access to orders and products, and paste its Admin API access token here."</p>
                    {field_hint("Store", "shopify-shop", "my-shop.myshopify.com", shop)}
                    <label>"Admin API access token"<input id="shopify-token" type="password" autocomplete="off" prop:value=move || token.get() on:input=move |ev| token.set(event_target_value(&ev)) /></label>
                    <button class="primary" id="shopify-link" on:click=link>"Link store"</button>
                }.into_any(),
            }}
        </div>
    }
}

/// The server's own import, when this device syncs with one: where it
/// stands, so the owner need not log in to the server to see it. Asked
/// once when the screen opens (it is a request to the server, not a read).
#[component]
fn ServerShopify() -> impl IntoView {
    let status = RwSignal::new(None::<ServerShopifyStatus>);
    let failed = RwSignal::new(None::<String>);
    spawn_local(async move {
        match call(&GetServerShopify {}).await {
            Ok(s) => status.set(s),
            Err(e) => failed.set(Some(e)),
        }
    });
    view! {
        {move || failed.get().map(|e| view! { <p class="muted" id="server-shopify-unknown">{format!("Where the server's Shopify import stands is not known now: {e}")}</p> })}
        {move || status.get().map(|s| match s.shop {
            Some(shop) => {
                let last = s.last_run_ms.map(when).unwrap_or_else(|| "not yet".into());
                let newest = s.watermark_ms.map(when).unwrap_or_else(|| "none yet".into());
                view! {
                    <p id="server-shopify" data-shop=shop.clone()>
                        {format!("The server imports the orders of {shop} and every device gets them by syncing: there is no token to keep here. Last import {last}; newest order {newest}.")}
                    </p>
                    {s.last_error.map(|e| view! { <p class="error" id="server-shopify-error">{format!("The server's last import failed: {e}")}</p> })}
                }.into_any()
            }
            None => view! {
                <p class="muted" id="server-shopify" data-shop="">
                    "The server does not import from Shopify. Link it there (wildroot server shopify connect) so vendor devices never hold the token, or link this device below."
                </p>
            }.into_any(),
        })}
    }
}

/// Where the import stands, "Import now", and the online SKUs no product
/// has, each with a box to name the product it is.
#[component]
fn ShopifyImport() -> impl IntoView {
    let app = expect_context::<AppState>();
    let panel = RwSignal::new(None::<ShopifyPanel>);
    let busy = RwSignal::new(false);
    let location = RwSignal::new(String::new());
    let push_on = RwSignal::new(false);
    let refresh = move || {
        spawn_local(async move {
            match call(&GetShopify {}).await {
                Ok(p) => {
                    if panel.get_untracked().is_none() {
                        let gid = p.import.location_gid.clone().unwrap_or_default();
                        location.set(gid.trim_start_matches("gid://shopify/Location/").to_string());
                        push_on.set(p.import.push_stock);
                    }
                    // Unchanged, the panel is left alone: re-drawing it would
                    // wipe a SKU being typed into a map box.
                    if panel.get_untracked().as_ref() != Some(&p) {
                        panel.set(Some(p));
                    }
                }
                Err(e) => app.fail(e),
            }
        })
    };
    refresh();
    // The background import runs on its own: show what it brought.
    let ticker = set_interval_with_handle(refresh, std::time::Duration::from_secs(3)).ok();
    on_cleanup(move || {
        if let Some(t) = ticker {
            t.clear();
        }
    });
    let import_now = move |_| {
        busy.set(true);
        spawn_local(async move {
            let outcome = call(&ImportShopifyNow {}).await;
            busy.set(false);
            match outcome {
                Ok(p) => panel.set(Some(p)),
                Err(e) => {
                    app.fail(e);
                    refresh();
                }
            }
        });
    };
    let save_push = move |_| {
        let req = SetShopifyPushStock { on: push_on.get_untracked(), location: Some(location.get_untracked()) };
        spawn_local(async move {
            match call(&req).await {
                Ok(p) => {
                    push_on.set(p.import.push_stock);
                    panel.set(Some(p));
                    app.toast.set(None);
                }
                Err(e) => {
                    push_on.set(panel.get_untracked().is_some_and(|p| p.import.push_stock));
                    app.fail(e);
                }
            }
        });
    };
    let map = move |shopify_sku: String, product_sku: String| {
        spawn_local(async move {
            match call(&MapShopifySku { shopify_sku, product_sku }).await {
                Ok(p) => {
                    panel.set(Some(p));
                    app.toast.set(None);
                }
                Err(e) => app.fail(e),
            }
        });
    };
    view! {
        {move || panel.get().map(|p| {
            let v = p.import;
            let last = v.last_run_ms.map(when).unwrap_or_else(|| "not yet".into());
            let held = p.unmatched;
            view! {
                <p id="shopify-status" data-orders=v.orders.to_string() data-held=v.unmatched_skus.to_string()>
                    {format!("{} online {} imported; last import {last}.", v.orders, if v.orders == 1 { "order" } else { "orders" })}
                </p>
                {v.bulk_progress.map(|(done, total)| view! {
                    <p id="shopify-bulk" data-done=done.to_string() data-total=total.to_string()>
                        <progress value=done.to_string() max=total.to_string()></progress>
                        {format!(" First import of the store's history: {done} of {total} orders recorded.")}
                    </p>
                })}
                {v.withheld.map(|w| view! {
                    <p class="error" id="shopify-withheld">{format!("Shopify withheld part of the orders for want of a permission ({w}): give the store's custom app that access.")}</p>
                })}
                {v.last_error.map(|e| view! { <p class="error" id="shopify-error">{format!("The last import failed: {e}")}</p> })}
                {(!held.is_empty()).then(|| view! {
                    <p class="muted">"These Shopify SKUs match no product, so their lines are held: type the SKU of the product each one is."</p>
                    <table id="shopify-unmatched">
                        <thead><tr><th>"Shopify SKU"</th><th>"Units"</th><th>"Orders"</th><th>"Is product"</th></tr></thead>
                        <tbody>
                            {held.into_iter().map(|u| {
                                let to = RwSignal::new(String::new());
                                let sku = u.sku.clone();
                                let fixable = !u.sku.is_empty();
                                view! {
                                    <tr class="held" data-sku=u.sku.clone()>
                                        <td>{if fixable { u.sku.clone() } else { "(no SKU: fix it in Shopify)".into() }}</td>
                                        <td>{u.units}</td>
                                        <td>{u.orders.join(" ")}</td>
                                        <td>{fixable.then(|| view! {
                                            <input class="map-to" placeholder="Product SKU" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) />
                                            <button class="secondary map" on:click=move |_| map(sku.clone(), to.get_untracked())>"Map"</button>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
            }
        })}
        <button class="secondary" id="shopify-import" disabled=move || busy.get() on:click=import_now>
            {move || if busy.get() { "Importing…" } else { "Import now" }}
        </button>
        <h3>"Stock in Shopify"</h3>
        <p class="muted">"Set Shopify's available stock from Wildroot's after each import, so the web store stops selling what the booth sold. A count changed in Shopify meanwhile is left for the next import."</p>
        {field_hint("Shopify location", "shopify-location", "Location number", location)}
        {checkbox("Keep Shopify's stock in step", "shopify-push-stock", push_on)}
        <button class="secondary" id="shopify-push-save" on:click=save_push>"Save"</button>
        {move || panel.get().map(|p| {
            let v = p.import;
            let said = if v.push_stock { "after every import" } else { "off" };
            view! { <p id="shopify-push-state" data-on=v.push_stock.to_string()>{format!("Stock push-back: {said}.")}</p> }
        })}
    }
}

/// A copy of the whole shop, written beside exported reports; the daily
/// automatic copies, each restorable from here.
/// A booth's changes carried by hand: the file its "Save unsynced changes"
/// wrote, applied here (booth work only, each change once; the core says
/// what it left out and why).
#[component]
fn CarriedChanges() -> impl IntoView {
    let app = expect_context::<AppState>();
    let path = RwSignal::new(String::new());
    let done = RwSignal::new(None::<wildroot_model::views::ImportedChanges>);
    let choose = move |_| {
        spawn_local(async move {
            match call(&ChooseChangesFile {}).await {
                Ok(Some(p)) => path.set(p),
                Ok(None) => {}
                Err(e) => app.fail(e),
            }
        });
    };
    let import = move |_| {
        let req = ImportChanges { path: path.get_untracked() };
        spawn_local(async move {
            match call(&req).await {
                Ok(r) => {
                    done.set(Some(r));
                    app.refresh_home();
                }
                Err(e) => app.fail(e),
            }
        });
    };
    view! {
        <div class="card" id="carried">
            <h2>"Changes carried by hand"</h2>
            <p class="muted">"A booth that could not sync saves its waiting changes to a file. Import that file here to see its sales now; the booth still sends them when it next syncs, and each counts once."</p>
            {field_hint("File of changes", "carried-path", "/home/me/Downloads/wildroot-unsynced-….json", path)}
            // The platform's own picker; typing the path above works as well.
            <button class="secondary" id="carried-choose" on:click=choose>"Choose file…"</button>
            <button class="primary" id="carried-import" on:click=import>"Import"</button>
            {move || {
                done.get()
                    .map(|r| {
                        let left = r.refused.iter().map(|o| format!("{} ({})", o.kind, o.reason)).collect::<Vec<_>>().join("; ");
                        view! {
                            <p class="done" id="carried-done">{format!("Applied {} new change(s) of {} in the file.", r.applied, r.operations)}</p>
                            {(!r.refused.is_empty()).then(|| view! { <p class="muted" id="carried-left-out">{format!("Left out: {left}")}</p> })}
                        }
                    })
            }}
        </div>
    }
}

#[component]
fn Backup() -> impl IntoView {
    let app = expect_context::<AppState>();
    let saved = RwSignal::new(None::<String>);
    let list = RwSignal::new(None::<BackupList>);
    let load = move || {
        spawn_local(async move {
            match call(&ListBackups {}).await {
                Ok(l) => list.set(Some(l)),
                Err(e) => app.fail(e),
            }
        })
    };
    load();
    let backup = move |_| {
        spawn_local(async move {
            match call(&BackupNow {}).await {
                Ok(path) => saved.set(Some(path)),
                Err(e) => app.fail(e),
            }
        });
    };
    let restore_path = RwSignal::new(String::new());
    let choose = move |_| {
        spawn_local(async move {
            match call(&ChooseBackupFile {}).await {
                Ok(Some(path)) => restore_path.set(path),
                Ok(None) => {}
                Err(e) => app.fail(e),
            }
        });
    };
    let confirm = RwSignal::new(false);
    let restored = RwSignal::new(None::<String>);
    let restore = move |_| {
        let req = RestoreBackup { path: restore_path.get_untracked() };
        spawn_local(async move {
            match call(&req).await {
                Ok(kept) => {
                    confirm.set(false);
                    app.toast.set(None);
                    restored.set(Some(kept));
                    app.refresh_home();
                    load();
                }
                Err(e) => {
                    confirm.set(false);
                    app.fail(e);
                }
            }
        });
    };
    let daily = move || {
        list.get().map(|l| {
            let empty = l.backups.is_empty();
            let rows = l
                .backups
                .into_iter()
                .map(|b| {
                    let path = b.path.clone();
                    let pick = move |_| {
                        restore_path.set(path.clone());
                        confirm.set(true);
                    };
                    view! {
                        <tr class="backup-row" data-path=b.path.clone()>
                            <td>{when(b.at_ms)}</td>
                            <td>{if b.automatic { "daily" } else { "by hand" }}</td>
                            <td class="num">{format!("{} KB", b.bytes.div_ceil(1024))}</td>
                            <td><button class="secondary restore-this" on:click=pick>"Restore…"</button></td>
                        </tr>
                    }
                })
                .collect_view();
            let table = if empty {
                view! { <p class="muted" id="no-backups">"No daily backup yet: the first is made when the app starts."</p> }.into_any()
            } else {
                view! {
                    <table class="grid" id="backup-list">
                        <thead><tr><th>"Made"</th><th>"Kind"</th><th class="num">"Size"</th><th></th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                .into_any()
            };
            view! {
                {l.last_error.map(|e| view! { <p class="error" id="backup-error">{e}</p> })}
                {table}
                <p class="muted">{format!("In {}", l.folder)}</p>
            }
        })
    };
    view! {
        <div class="card" id="backup">
            <h2>"Backup"</h2>
            <p class="muted">"A checked copy of everything in this shop, to keep somewhere else (a USB stick, your cloud drive)."</p>
            <button class="secondary" id="backup-now" on:click=backup>"Back up now"</button>
            {move || saved.get().map(|p| view! { <p class="done" id="backup-done">{format!("Saved {p}")}</p> })}
            <h3>"Daily backups"</h3>
            <p class="muted">"Made by the app once a day on this device; the last 7 days and 4 weeks are kept."</p>
            {daily}
            <h3>"Restore"</h3>
            <p class="muted">"Put a backup in this shop's place. It is checked first; the shop it replaces is kept as a file beside it. Not on a device that syncs: sign in on a new one instead."</p>
            {field_hint("Backup file", "restore-path", "/home/me/Downloads/wildroot-backup-….db", restore_path)}
            // The platform's own picker; typing the path above works as well.
            <button class="secondary" id="restore-choose" on:click=choose>"Choose file…"</button>
            <Show
                when=move || confirm.get()
                fallback=move || view! { <button class="secondary" id="restore" on:click=move |_| confirm.set(true)>"Restore…"</button> }
            >
                <button class="danger" id="restore-confirm" on:click=restore>"Replace this shop with the backup"</button>
                <button class="secondary" on:click=move |_| confirm.set(false)>"Keep this shop"</button>
            </Show>
            {move || restored.get().map(|k| view! { <p class="done" id="restore-done">{format!("Restored. The shop it replaced is kept at {k}")}</p> })}
        </div>
    }
}
