//! Inventory: the products (price, barcode, favourite, low-stock alert,
//! stock with its history) and the supplies (purchases with their cost,
//! adjustments with a reason, reorder point), in sortable, searchable tables.
use crate::api::call;
use crate::cart::money;
use crate::form::{checkbox, field, field_hint, per_unit, qty, reason_text, when, Sort};
use crate::state::{AppState, Focus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wildroot_model::app::*;
use wildroot_model::bounds;
use wildroot_model::views::{MovementView, ProductView, SupplyView};
use wildroot_model::{field, Unit};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Products,
    Supplies,
}

#[component]
pub fn Inventory() -> impl IntoView {
    let app = expect_context::<AppState>();
    let tab = RwSignal::new(Tab::Products);
    let product = RwSignal::new(None::<Option<String>>);
    let supply = RwSignal::new(None::<Option<String>>);
    // An alert's link opens its item.
    match app.focus.get_untracked() {
        Some(Focus::Product(sku)) => product.set(Some(Some(sku))),
        Some(Focus::Supply(name)) => {
            tab.set(Tab::Supplies);
            supply.set(Some(Some(name)));
        }
        _ => {}
    }
    app.focus.set(None);
    let tab_button = move |t: Tab, id: &'static str, label: &'static str| {
        view! { <button class="choice" id=id class:active=move || tab.get() == t on:click=move |_| tab.set(t)>{label}</button> }
    };
    view! {
        <section class="owner inventory" id="inventory">
            <div class="choices">
                {tab_button(Tab::Products, "inv-products", "Products")}
                {tab_button(Tab::Supplies, "inv-supplies", "Supplies")}
            </div>
            {move || match tab.get() {
                Tab::Products => view! { <Products selected=product /> }.into_any(),
                Tab::Supplies => view! { <Supplies selected=supply /> }.into_any(),
            }}
        </section>
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PCol {
    Name,
    Sku,
    Category,
    Price,
    OnHand,
}

/// `selected`: none = only the list, `Some(None)` = a new product, `Some(Some(sku))` = that one.
#[component]
fn Products(selected: RwSignal<Option<Option<String>>>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let query = RwSignal::new(String::new());
    let list = RwSignal::new(Vec::<ProductView>::new());
    let version = RwSignal::new(0u32);
    let sort = RwSignal::new(Sort { key: PCol::Name, descending: false });
    Effect::new(move |_| {
        let req = ListProducts { query: query.get() };
        version.track();
        spawn_local(async move {
            match call(&req).await {
                Ok(p) => list.set(p),
                Err(e) => app.fail(e),
            }
        });
    });
    let sorted = move || {
        let mut rows = list.get();
        sort.get().apply(&mut rows, |k, a, b| match k {
            PCol::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
            PCol::Sku => a.sku.cmp(&b.sku),
            PCol::Category => a.category.cmp(&b.category),
            PCol::Price => a.price_cents.cmp(&b.price_cents),
            PCol::OnHand => a.on_hand.cmp(&b.on_hand),
        });
        rows
    };
    let header = move |col: PCol, label: &'static str, id: &'static str| {
        view! {
            <th>
                <button class="sort" id=id on:click=move |_| sort.update(|s| *s = s.click(col))>
                    {label}
                    {move || sort.get().arrow(col)}
                </button>
            </th>
        }
    };
    let saved = Callback::new(move |sku: Option<String>| {
        version.update(|v| *v += 1);
        app.refresh_home();
        selected.set(sku.map(Some));
    });
    view! {
        <div class="split-view">
            <div class="list-pane">
                <div class="toolbar">
                    <input id="inv-search" class="search" placeholder="Search products" prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
                    <button class="primary" id="add-product" on:click=move |_| selected.set(Some(None))>"Add product"</button>
                </div>
                <table class="grid" id="products">
                    <thead>
                        <tr>
                            {header(PCol::Name, "Name", "sort-name")}
                            {header(PCol::Sku, "SKU", "sort-sku")}
                            {header(PCol::Category, "Category", "sort-category")}
                            {header(PCol::Price, "Price", "sort-price")}
                            {header(PCol::OnHand, "On hand", "sort-on-hand")}
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            sorted()
                                .into_iter()
                                .map(|p| {
                                    let sku = p.sku.clone();
                                    let low = p.is_low();
                                    let is_selected = {
                                        let sku = sku.clone();
                                        move || selected.with(|s| s.as_ref().and_then(|s| s.as_deref()) == Some(sku.as_str()))
                                    };
                                    view! {
                                        <tr class="product" class:selected=is_selected class:low=low data-sku=p.sku.clone() on:click=move |_| selected.set(Some(Some(sku.clone())))>
                                            <td>{p.name.clone()}{if p.favorite { " ★" } else { "" }}</td>
                                            <td class="mono">{p.sku.clone()}</td>
                                            <td>{p.category.clone().unwrap_or_default()}</td>
                                            <td class="num">{money(p.price_cents)}</td>
                                            <td class="num on-hand" data-on-hand=p.on_hand>{p.on_hand}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
            {move || {
                selected
                    .get()
                    .map(|sku| {
                        let current = sku.as_ref().and_then(|s| list.with(|l| l.iter().find(|p| &p.sku == s).cloned()));
                        view! { <ProductPanel product=current saved=saved close=Callback::new(move |_| selected.set(None)) /> }
                    })
            }}
        </div>
    }
}

#[component]
fn ProductPanel(product: Option<ProductView>, saved: Callback<Option<String>>, close: Callback<()>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let original = product.as_ref().map(|p| p.sku.clone());
    let p = product.clone();
    let sku = RwSignal::new(p.as_ref().map(|p| p.sku.clone()).unwrap_or_default());
    let name = RwSignal::new(p.as_ref().map(|p| p.name.clone()).unwrap_or_default());
    let price = RwSignal::new(p.as_ref().map(|p| wildroot_model::Money(p.price_cents).to_string()).unwrap_or_default());
    let category = RwSignal::new(p.as_ref().and_then(|p| p.category.clone()).unwrap_or_default());
    let tax_category = RwSignal::new(p.as_ref().map(|p| p.tax_category.clone()).unwrap_or_else(|| "standard".into()));
    let barcode = RwSignal::new(p.as_ref().and_then(|p| p.barcode.clone()).unwrap_or_default());
    let low = RwSignal::new(p.as_ref().map(|p| p.low_stock_at.to_string()).unwrap_or_else(|| "0".into()));
    let favorite = RwSignal::new(p.as_ref().is_some_and(|p| p.favorite));
    let no_oversell = RwSignal::new(p.as_ref().is_some_and(|p| p.no_oversell));
    // What the label says beyond the name (Recipes & batches prints it).
    let net = RwSignal::new(p.as_ref().and_then(|p| p.label.net.clone()).unwrap_or_default());
    let label_name = RwSignal::new(p.as_ref().and_then(|p| p.label.label_name.clone()).unwrap_or_default());
    let warnings = RwSignal::new(p.as_ref().and_then(|p| p.label.warnings.clone()).unwrap_or_default());
    let save = {
        let original = original.clone();
        move |_| {
            let read = || -> Result<ProductForm, String> {
                Ok(ProductForm {
                    sku: sku.get_untracked(),
                    name: name.get_untracked(),
                    price: field::price("price", &price.get_untracked())?,
                    category: category.get_untracked(),
                    barcode: barcode.get_untracked(),
                    // Empty: no alert.
                    low_stock_at: field::optional_whole("low-stock alert", &low.get_untracked())?,
                    favorite: favorite.get_untracked(),
                    no_oversell: no_oversell.get_untracked(),
                    tax_category: Some(bounds::tax_category(tax_category.get_untracked().trim())?.to_string()),
                    // Read by the model's parser here too, so a typo is named before anything is saved.
                    net: Some(net.get_untracked())
                        .filter(|n| !n.trim().is_empty())
                        .map(|n| wildroot_model::field::net_content("net content", &n).map(|_| n))
                        .transpose()?,
                    label_name: Some(label_name.get_untracked()),
                    warnings: Some(warnings.get_untracked()),
                })
            };
            let req = match read() {
                Ok(form) => SaveProduct { original_sku: original.clone(), form },
                Err(e) => return app.fail(e),
            };
            spawn_local(async move {
                match call(&req).await {
                    Ok(p) => {
                        app.toast.set(None);
                        saved.run(Some(p.sku));
                    }
                    Err(e) => app.fail(e),
                }
            });
        }
    };
    let confirm_archive = RwSignal::new(false);
    let archive = {
        let original = original.clone();
        move |_| {
            let Some(sku) = original.clone() else { return };
            spawn_local(async move {
                match call(&ArchiveProduct { sku }).await {
                    Ok(_) => saved.run(None),
                    Err(e) => app.fail(e),
                }
            });
        }
    };
    let title = match &product {
        Some(p) => format!("{} · {} on hand", p.name, p.on_hand),
        None => "New product".to_string(),
    };
    view! {
        <aside class="detail card" id="product-panel">
            <div class="detail-head">
                <h2>{title}</h2>
                <button class="icon secondary" id="close-panel" title="Close" on:click=move |_| close.run(())>"✕"</button>
            </div>
            <div class="form-grid">
                {field("Name", "p-name", name)}
                {field("SKU", "p-sku", sku)}
                {field_hint("Price", "p-price", "14.00", price)}
                {field("Category", "p-category", category)}
                {field("Tax category (standard, exempt, food…)", "p-tax-category", tax_category)}
                {field("Barcode", "p-barcode", barcode)}
                {field_hint("Low-stock alert at", "p-low", "0 = no alert", low)}
                {field_hint("Net content on the label", "p-net", "56 g or 30 ml", net)}
                {field_hint("Name on the label", "p-label-name", "its name when empty", label_name)}
                {field_hint("Warnings on the label", "p-warnings", "For external use only.", warnings)}
            </div>
            {checkbox("Favourite: a tile on the Sell screen", "p-fav", favorite)}
            {checkbox("Never sell more than is on hand", "p-nooversell", no_oversell)}
            <div class="actions">
                <button class="primary" id="save-product" on:click=save>{if original.is_some() { "Save changes" } else { "Add product" }}</button>
                {original
                    .is_some()
                    .then(|| {
                        view! {
                            <Show
                                when=move || confirm_archive.get()
                                fallback=move || view! { <button class="secondary" id="archive-product" on:click=move |_| confirm_archive.set(true)>"Archive…"</button> }
                            >
                                <button class="danger" id="archive-confirm" on:click=archive.clone()>"Archive: hide it from the POS and lists"</button>
                            </Show>
                        }
                    })}
            </div>
            {original.map(|sku| view! { <StockPanel sku=sku saved=saved /> })}
        </aside>
    }
}

/// Adjusting a product's stock with a reason, and its history.
#[component]
fn StockPanel(sku: String, saved: Callback<Option<String>>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let history = RwSignal::new(Vec::<MovementView>::new());
    let change = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    {
        let sku = sku.clone();
        spawn_local(async move {
            match call(&ProductHistory { sku }).await {
                Ok(h) => history.set(h),
                Err(e) => app.fail(e),
            }
        });
    }
    let adjust = move |_| {
        let qty = match field::whole("change", &change.get_untracked()) {
            Ok(q) => q,
            Err(e) => return app.fail(e),
        };
        let req = AdjustProduct { sku: sku.clone(), qty, reason: reason.get_untracked() };
        spawn_local(async move {
            match call(&req).await {
                Ok(p) => saved.run(Some(p.sku)),
                Err(e) => app.fail(e),
            }
        });
    };
    view! {
        <h3>"Adjust stock"</h3>
        <div class="inline-form">
            {field_hint("Change", "adj-qty", "-2 or 6", change)}
            {field_hint("Reason", "adj-reason", "counted the shelf", reason)}
            <button id="adjust-product" on:click=adjust>"Adjust"</button>
        </div>
        <History rows=history unit=Unit::Each />
    }
}

#[component]
fn History(rows: RwSignal<Vec<MovementView>>, unit: Unit) -> impl IntoView {
    view! {
        <h3>"History"</h3>
        <table class="grid history" id="history">
            <thead>
                <tr>
                    <th>"When"</th>
                    <th>"What"</th>
                    <th class="num">"Change"</th>
                    <th class="num">"Balance"</th>
                </tr>
            </thead>
            <tbody>
                {move || {
                    rows.get()
                        .into_iter()
                        .map(|m| {
                            let what = match (&m.note, &m.lot_code) {
                                (Some(n), _) => format!("{}: {n}", reason_text(&m.reason)),
                                (None, Some(l)) => format!("{} · lot {l}", reason_text(&m.reason)),
                                (None, None) => reason_text(&m.reason).to_string(),
                            };
                            let sign = if m.qty > 0 { "+" } else { "" };
                            view! {
                                <tr class="movement" data-reason=m.reason.clone() data-qty=m.qty>
                                    <td>{when(m.at_ms)}</td>
                                    <td>{what}</td>
                                    <td class="num">{format!("{sign}{}", qty(m.qty, unit))}</td>
                                    <td class="num">{qty(m.balance, unit)}</td>
                                </tr>
                            }
                        })
                        .collect_view()
                }}
            </tbody>
        </table>
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SCol {
    Name,
    OnHand,
    Reorder,
    Cost,
    Value,
}

#[component]
fn Supplies(selected: RwSignal<Option<Option<String>>>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let query = RwSignal::new(String::new());
    let list = RwSignal::new(Vec::<SupplyView>::new());
    let version = RwSignal::new(0u32);
    let sort = RwSignal::new(Sort { key: SCol::Name, descending: false });
    Effect::new(move |_| {
        version.track();
        spawn_local(async move {
            match call(&ListSupplies { include_archived: false }).await {
                Ok(s) => list.set(s),
                Err(e) => app.fail(e),
            }
        });
    });
    let shown = move || {
        let q = query.get().trim().to_lowercase();
        let mut rows: Vec<SupplyView> = list.get().into_iter().filter(|s| q.is_empty() || s.name.to_lowercase().contains(&q)).collect();
        sort.get().apply(&mut rows, |k, a, b| match k {
            SCol::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
            SCol::OnHand => a.on_hand.cmp(&b.on_hand),
            SCol::Reorder => a.reorder_at.cmp(&b.reorder_at),
            SCol::Cost => a.cost_per_1000_cents.cmp(&b.cost_per_1000_cents),
            SCol::Value => a.value_cents.cmp(&b.value_cents),
        });
        rows
    };
    let header = move |col: SCol, label: &'static str| {
        view! {
            <th>
                <button class="sort" on:click=move |_| sort.update(|s| *s = s.click(col))>
                    {label}
                    {move || sort.get().arrow(col)}
                </button>
            </th>
        }
    };
    let saved = Callback::new(move |name: Option<String>| {
        version.update(|v| *v += 1);
        app.refresh_home();
        selected.set(name.map(Some));
    });
    view! {
        <div class="split-view">
            <div class="list-pane">
                <div class="toolbar">
                    <input id="supply-search" class="search" placeholder="Search supplies" prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
                    <button class="primary" id="add-supply" on:click=move |_| selected.set(Some(None))>"Add supply"</button>
                </div>
                <table class="grid" id="supplies">
                    <thead>
                        <tr>
                            {header(SCol::Name, "Supply")}
                            {header(SCol::OnHand, "On hand")}
                            {header(SCol::Reorder, "Reorder at")}
                            {header(SCol::Cost, "Average cost")}
                            {header(SCol::Value, "Value")}
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            shown()
                                .into_iter()
                                .map(|s| {
                                    let name = s.name.clone();
                                    let low = s.needs_reorder();
                                    view! {
                                        <tr class="supply" class:low=low data-name=s.name.clone() on:click=move |_| selected.set(Some(Some(name.clone())))>
                                            <td>{s.name.clone()}</td>
                                            <td class="num on-hand" data-on-hand=s.on_hand>{qty(s.on_hand, s.unit)}</td>
                                            <td class="num">{if s.reorder_at > 0 { qty(s.reorder_at, s.unit) } else { "—".into() }}</td>
                                            <td class="num">{per_unit(s.cost_per_1000_cents, s.unit)}</td>
                                            <td class="num">{money(s.value_cents)}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
            {move || {
                selected
                    .get()
                    .map(|name| {
                        let current = name.as_ref().and_then(|n| list.with(|l| l.iter().find(|s| &s.name == n).cloned()));
                        view! { <SupplyPanel supply=current saved=saved close=Callback::new(move |_| selected.set(None)) /> }
                    })
            }}
        </div>
    }
}

#[component]
fn SupplyPanel(supply: Option<SupplyView>, saved: Callback<Option<String>>, close: Callback<()>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let original = supply.as_ref().map(|s| s.name.clone());
    let unit = supply.as_ref().map(|s| s.unit);
    let name = RwSignal::new(original.clone().unwrap_or_default());
    let new_unit = RwSignal::new(Unit::G);
    let reorder = RwSignal::new(supply.as_ref().filter(|s| s.reorder_at > 0).map(|s| qty(s.reorder_at, s.unit)).unwrap_or_default());
    let supplier = RwSignal::new(supply.as_ref().and_then(|s| s.supplier.clone()).unwrap_or_default());
    let notes = RwSignal::new(supply.as_ref().and_then(|s| s.notes.clone()).unwrap_or_default());
    let inci = RwSignal::new(supply.as_ref().and_then(|s| s.inci.clone()).unwrap_or_default());
    let density = RwSignal::new(
        supply.as_ref().and_then(|s| s.density_mg_per_ml).map(|d| format!("{}.{:03}", d / 1000, d % 1000)).unwrap_or_default(),
    );
    let by_volume = unit == Some(Unit::Ml);
    let save = {
        let original = original.clone();
        move |_| {
            let req = SaveSupply {
                original_name: original.clone(),
                form: SupplyForm {
                    name: name.get_untracked(),
                    unit: Some(unit.unwrap_or(new_unit.get_untracked())),
                    reorder_at: reorder.get_untracked(),
                    supplier: supplier.get_untracked(),
                    notes: notes.get_untracked(),
                    inci: Some(inci.get_untracked()),
                    density: Some(density.get_untracked()),
                },
            };
            spawn_local(async move {
                match call(&req).await {
                    Ok(s) => {
                        app.toast.set(None);
                        saved.run(Some(s.name));
                    }
                    Err(e) => app.fail(e),
                }
            });
        }
    };
    let title = match &supply {
        Some(s) => format!("{} · {} on hand", s.name, qty(s.on_hand, s.unit)),
        None => "New supply".to_string(),
    };
    let unit_choice = move |u: Unit, label: &'static str| {
        view! { <button class="choice" id=format!("unit-{}", u.as_str()) class:active=move || new_unit.get() == u on:click=move |_| new_unit.set(u)>{label}</button> }
    };
    view! {
        <aside class="detail card" id="supply-panel">
            <div class="detail-head">
                <h2 id="supply-title">{title}</h2>
                <button class="icon secondary" id="close-panel" title="Close" on:click=move |_| close.run(())>"✕"</button>
            </div>
            <div class="form-grid">
                {field("Name", "s-name", name)}
                {field_hint("Reorder at", "s-reorder", "500g", reorder)}
                {field("Supplier", "s-supplier", supplier)}
                {field("Notes", "s-notes", notes)}
                {field_hint("INCI name (for labels)", "s-inci", "Cera Alba", inci)}
                {by_volume.then(|| field_hint("Density, g per ml (for labels)", "s-density", "0.91", density))}
            </div>
            {unit
                .is_none()
                .then(|| {
                    view! {
                        <p class="muted">"Counted in"</p>
                        <div class="choices">{unit_choice(Unit::G, "grams")} {unit_choice(Unit::Ml, "millilitres")} {unit_choice(Unit::Each, "pieces")}</div>
                    }
                })}
            <div class="actions">
                <button class="primary" id="save-supply" on:click=save>{if original.is_some() { "Save changes" } else { "Add supply" }}</button>
            </div>
            {original.zip(unit).map(|(name, unit)| view! { <SupplyStock name=name unit=unit saved=saved /> })}
        </aside>
    }
}

/// Receiving a purchase, adjusting with a reason, and the history.
#[component]
fn SupplyStock(name: String, unit: Unit, saved: Callback<Option<String>>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let history = RwSignal::new(Vec::<MovementView>::new());
    {
        let name = name.clone();
        spawn_local(async move {
            match call(&SupplyHistory { name }).await {
                Ok(h) => history.set(h),
                Err(e) => app.fail(e),
            }
        });
    }
    let rcv_qty = RwSignal::new(String::new());
    let rcv_cost = RwSignal::new(String::new());
    let rcv_lot = RwSignal::new(String::new());
    let adj_qty = RwSignal::new(String::new());
    let adj_reason = RwSignal::new(String::new());
    let done = move |r: Result<SupplyView, String>| match r {
        Ok(s) => {
            app.toast.set(None);
            saved.run(Some(s.name));
        }
        Err(e) => app.fail(e),
    };
    let receive = {
        let name = name.clone();
        move |_| {
            let cost = match field::price("cost of the whole purchase", &rcv_cost.get_untracked()) {
                Ok(c) => c,
                Err(e) => return app.fail(e),
            };
            let req = ReceiveSupply { name: name.clone(), qty: rcv_qty.get_untracked(), cost, lot_code: rcv_lot.get_untracked() };
            spawn_local(async move { done(call(&req).await) });
        }
    };
    let adjust = move |_| {
        let req = AdjustSupply { name: name.clone(), qty: adj_qty.get_untracked(), reason: adj_reason.get_untracked() };
        spawn_local(async move { done(call(&req).await) });
    };
    let example = match unit {
        Unit::G => "2kg",
        Unit::Ml => "1l",
        Unit::Each => "100",
    };
    view! {
        <h3>"Receive a purchase"</h3>
        <div class="inline-form">
            {field_hint("How much", "rcv-qty", example, rcv_qty)}
            {field_hint("What it cost in all", "rcv-cost", "24.00", rcv_cost)}
            {field_hint("Lot code (optional)", "rcv-lot", "from the label", rcv_lot)}
            <button class="primary" id="receive" on:click=receive>"Receive"</button>
        </div>
        <h3>"Adjust"</h3>
        <div class="inline-form">
            {field_hint("Change", "sadj-qty", "-200g", adj_qty)}
            {field_hint("Reason", "sadj-reason", "spilled", adj_reason)}
            <button id="adjust-supply" on:click=adjust>"Adjust"</button>
        </div>
        <History rows=history unit=unit />
    }
}
