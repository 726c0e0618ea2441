//! Recipes and batches: what can be made now from the supplies on hand, a
//! recipe's lines with units, "Make a batch" with what it will consume,
//! what is short and the cost per unit shown before it is confirmed, and the
//! batch history with lot codes, dates, expiry and cost, and the recall of
//! who bought from a lot.
use crate::api::call;
use crate::cart::money;
use crate::form::{checkbox, field, field_hint, qty, when};
use crate::state::{AppState, Focus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wildroot_model::app::*;
use wildroot_model::field;
use wildroot_model::views::{BatchPlan, BatchView, ProductLotTrace, ProductView, RecipeSummary, SupplyView};

#[component]
pub fn Recipes() -> impl IntoView {
    let app = expect_context::<AppState>();
    let recipes = RwSignal::new(Vec::<RecipeSummary>::new());
    let batches = RwSignal::new(Vec::<BatchView>::new());
    let products = RwSignal::new(Vec::<ProductView>::new());
    let supplies = RwSignal::new(Vec::<SupplyView>::new());
    let version = RwSignal::new(0u32);
    let editing = RwSignal::new(None::<String>);
    // The product being made: (SKU, name).
    let making = RwSignal::new(None::<(String, String)>);
    let tracing = RwSignal::new(None::<(String, bool)>);
    let labeling = RwSignal::new(None::<String>);
    let lot_focus = match app.focus.get_untracked() {
        Some(Focus::Lot(code)) => Some(code),
        _ => None,
    };
    app.focus.set(None);
    Effect::new(move |_| {
        version.track();
        spawn_local(async move {
            let r = call(&ListRecipes {}).await;
            let b = call(&ListBatches {}).await;
            let p = call(&ListProducts::default()).await;
            let s = call(&ListSupplies::default()).await;
            match (r, b, p, s) {
                (Ok(r), Ok(b), Ok(p), Ok(s)) => {
                    recipes.set(r);
                    batches.set(b);
                    products.set(p);
                    supplies.set(s);
                }
                (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => app.fail(e),
            }
        });
    });
    let changed = Callback::new(move |_: ()| {
        version.update(|v| *v += 1);
        app.refresh_home();
    });
    let new_recipe = RwSignal::new(String::new());
    let without_recipe = move || {
        let with: Vec<String> = recipes.with(|r| r.iter().map(|r| r.sku.clone()).collect());
        products.with(|p| p.iter().filter(|p| !with.contains(&p.sku)).cloned().collect::<Vec<_>>())
    };
    view! {
        <section class="owner recipes" id="recipes">
            // What is being edited or made comes first, where the eye is.
            {move || editing.get().map(|sku| view! { <RecipeEditor sku=sku supplies=supplies changed=changed close=Callback::new(move |_| editing.set(None)) /> })}
            {move || making.get().map(|(sku, name)| view! { <MakeBatchPanel sku=sku name=name changed=changed close=Callback::new(move |_| making.set(None)) /> })}
            {move || labeling.get().map(|lot| view! { <LabelPanel lot=lot close=Callback::new(move |_| labeling.set(None)) /> })}
            <Recall tracing=tracing />
            <div class="card">
                <h2>"What you can make now"</h2>
                <table class="grid" id="recipe-list">
                    <thead>
                        <tr>
                            <th>"Product"</th>
                            <th class="num">"Per batch"</th>
                            <th class="num">"Batch cost"</th>
                            <th class="num">"Cost per unit"</th>
                            <th class="num">"Batches on hand"</th>
                            <th></th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            recipes
                                .get()
                                .into_iter()
                                .map(|r| {
                                    let (e, m) = (r.sku.clone(), (r.sku.clone(), r.name.clone()));
                                    view! {
                                        <tr class="recipe" data-sku=r.sku.clone() data-makeable=r.makeable_batches>
                                            <td>{r.name.clone()}</td>
                                            <td class="num">{r.yield_qty}</td>
                                            <td class="num">{money(r.batch_cost_cents)}</td>
                                            <td class="num">{money(r.unit_cost_cents)}</td>
                                            <td class="num">
                                                {r.makeable_batches}
                                                {r.limited_by.clone().map(|s| view! { <span class="muted">{format!(" (by {s})")}</span> })}
                                            </td>
                                            <td class="row-actions">
                                                <button class="secondary edit-recipe" on:click=move |_| editing.set(Some(e.clone()))>"Edit"</button>
                                                <button class="primary make-batch" on:click=move |_| making.set(Some(m.clone()))>"Make a batch"</button>
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
                <div class="inline-form">
                    <label>
                        "New recipe for"
                        <select id="new-recipe" on:change=move |ev| new_recipe.set(event_target_value(&ev)) prop:value=move || new_recipe.get()>
                            <option value="">"Choose a product"</option>
                            {move || without_recipe().into_iter().map(|p| view! { <option value=p.sku.clone()>{format!("{} ({})", p.name, p.sku)}</option> }).collect_view()}
                        </select>
                    </label>
                    <button id="start-recipe" on:click=move |_| {
                        let sku = new_recipe.get_untracked();
                        if sku.is_empty() { app.fail("choose the product the recipe makes".into()) } else { editing.set(Some(sku)) }
                    }>"Write its recipe"</button>
                </div>
            </div>
            <div class="card">
                <h2>"Batches made"</h2>
                <table class="grid" id="batches">
                    <thead>
                        <tr>
                            <th>"Lot"</th>
                            <th>"Product"</th>
                            <th>"Made"</th>
                            <th>"Expires"</th>
                            <th class="num">"Units"</th>
                            <th class="num">"Cost"</th>
                            <th class="num">"Per unit"</th>
                            <th></th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            batches
                                .get()
                                .into_iter()
                                .map(|b| {
                                    let focused = lot_focus.as_deref() == Some(b.lot_code.as_str());
                                    let code = b.lot_code.clone();
                                    let for_label = b.lot_code.clone();
                                    let waste = b.expected_qty.map(|e| format!(" of {e}")).unwrap_or_default();
                                    view! {
                                        <tr class="batch" class:selected=focused data-lot=b.lot_code.clone()>
                                            <td class="mono">{b.lot_code.clone()}</td>
                                            <td class="mono">{b.sku.clone()}</td>
                                            <td>{when(b.made_at_ms)}</td>
                                            <td>{b.expires_on.clone().unwrap_or_else(|| "—".into())}</td>
                                            <td class="num">{format!("{}{waste}", b.output_qty)}</td>
                                            <td class="num">{money(b.cost_cents)}</td>
                                            <td class="num">{money(b.unit_cost_cents)}</td>
                                            <td class="row-actions">
                                                <button class="secondary trace-batch" on:click=move |_| tracing.set(Some((code.clone(), false)))>"Who bought it"</button>
                                                <button class="secondary label-batch" on:click=move |_| labeling.set(Some(for_label.clone()))>"Labels"</button>
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// One line being edited: the supply's name and the quantity as typed.
#[derive(Clone, Copy)]
struct Line {
    supply: RwSignal<String>,
    qty: RwSignal<String>,
}

#[component]
fn RecipeEditor(sku: String, supplies: RwSignal<Vec<SupplyView>>, changed: Callback<()>, close: Callback<()>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let yield_qty = RwSignal::new(String::new());
    let lines = RwSignal::new(Vec::<Line>::new());
    let blank = || Line { supply: RwSignal::new(String::new()), qty: RwSignal::new(String::new()) };
    {
        let sku = sku.clone();
        spawn_local(async move {
            match call(&GetRecipe { sku }).await {
                Ok(Some(r)) => {
                    yield_qty.set(r.yield_qty.to_string());
                    lines.set(
                        r.lines
                            .iter()
                            .map(|l| Line {
                                supply: RwSignal::new(l.supply.clone()),
                                qty: RwSignal::new(qty(l.qty, l.unit).replace(' ', "")),
                            })
                            .collect(),
                    );
                }
                Ok(None) => lines.set(vec![blank(), blank()]),
                Err(e) => app.fail(e),
            }
        });
    }
    let save = {
        let sku = sku.clone();
        move |_| {
            let yield_qty = match field::whole("yield", &yield_qty.get_untracked()) {
                Ok(n) => n,
                Err(e) => return app.fail(e),
            };
            let req = SetRecipe {
                sku: sku.clone(),
                yield_qty,
                lines: lines.get_untracked().iter().map(|l| (l.supply.get_untracked(), l.qty.get_untracked())).collect(),
            };
            spawn_local(async move {
                match call(&req).await {
                    Ok(_) => {
                        app.toast.set(None);
                        changed.run(());
                        close.run(());
                    }
                    Err(e) => app.fail(e),
                }
            });
        }
    };
    let unit_of = move |name: &str| supplies.with(|s| s.iter().find(|s| s.name == name).map(|s| s.unit.as_str()).unwrap_or(""));
    view! {
        <div class="card" id="recipe-editor">
            <div class="detail-head">
                <h2>{format!("Recipe for {sku}")}</h2>
                <button class="icon secondary" title="Close" on:click=move |_| close.run(())>"✕"</button>
            </div>
            {field_hint("One batch makes (units)", "r-yield", "12", yield_qty)}
            <table class="grid" id="recipe-lines">
                <thead>
                    <tr>
                        <th>"Supply"</th>
                        <th>"Amount per batch"</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        lines
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(i, l)| {
                                view! {
                                    <tr class="recipe-line">
                                        <td>
                                            <select class="line-supply" prop:value=move || l.supply.get() on:change=move |ev| l.supply.set(event_target_value(&ev))>
                                                <option value="">"Choose a supply"</option>
                                                {supplies
                                                    .get()
                                                    .into_iter()
                                                    .map(|s| {
                                                        let selected = s.name == l.supply.get_untracked();
                                                        view! { <option value=s.name.clone() selected=selected>{s.name.clone()}</option> }
                                                    })
                                                    .collect_view()}
                                            </select>
                                        </td>
                                        <td>
                                            <input class="line-qty" placeholder=move || match unit_of(&l.supply.get()) { "g" => "170g", "ml" => "500ml", "each" => "12", _ => "amount" }
                                                prop:value=move || l.qty.get() on:input=move |ev| l.qty.set(event_target_value(&ev)) />
                                        </td>
                                        <td>
                                            <button class="icon secondary" title="Remove this line" on:click=move |_| lines.update(|ls| { ls.remove(i); })>"✕"</button>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
            <div class="actions">
                <button class="secondary" id="add-line" on:click=move |_| lines.update(|ls| ls.push(blank()))>"Add a line"</button>
                <button class="primary" id="save-recipe" on:click=save>"Save recipe"</button>
            </div>
        </div>
    }
}

#[component]
fn MakeBatchPanel(sku: String, name: String, changed: Callback<()>, close: Callback<()>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let count = RwSignal::new("1".to_string());
    let lot = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let units_made = RwSignal::new(String::new());
    let plan = RwSignal::new(None::<BatchPlan>);
    let made = RwSignal::new(None::<BatchView>);
    let batches = move || field::whole("number of batches", &count.get_untracked());
    let preview = {
        let sku = sku.clone();
        move |_| {
            let n = match batches() {
                Ok(n) => n,
                Err(e) => return app.fail(e),
            };
            let req = PlanBatch { sku: sku.clone(), batches: n };
            spawn_local(async move {
                match call(&req).await {
                    Ok(p) => {
                        app.toast.set(None);
                        plan.set(Some(p));
                    }
                    Err(e) => app.fail(e),
                }
            });
        }
    };
    let make = move |allow_short: bool| {
        let Some(p) = plan.get_untracked() else { return };
        let read = || {
            // Empty: no expiry; as many as the recipe yields.
            Ok::<_, String>((
                field::optional_day("expiry date", &expires.get_untracked())?,
                field::optional_whole("units made", &units_made.get_untracked())?,
            ))
        };
        let (expires_on, units) = match read() {
            Ok(r) => r,
            Err(e) => return app.fail(e),
        };
        let req = MakeBatch { sku: p.sku, batches: p.batches, lot_code: lot.get_untracked(), expires_on, allow_short, made: units };
        spawn_local(async move {
            match call(&req).await {
                Ok(b) => {
                    app.toast.set(None);
                    plan.set(None);
                    made.set(Some(b));
                    changed.run(());
                }
                Err(e) => app.fail(e),
            }
        });
    };
    view! {
        <div class="card" id="make-batch">
            <div class="detail-head">
                <h2>{format!("Make a batch of {name}")}</h2>
                <button class="icon secondary" title="Close" on:click=move |_| close.run(())>"✕"</button>
            </div>
            <div class="inline-form">
                {field("Batches", "b-count", count)}
                {field_hint("Lot code (optional)", "b-lot", "made up from the day", lot)}
                <label>
                    "Best before (optional)"
                    <input id="b-expires" type="date" prop:value=move || expires.get() on:input=move |ev| expires.set(event_target_value(&ev)) />
                </label>
                {field_hint("Units made (optional)", "b-made", "as the recipe yields", units_made)}
                <button id="plan-batch" on:click=preview>"Check supplies"</button>
            </div>
            {move || {
                plan.get()
                    .map(|p| {
                        let enough = p.enough;
                        view! {
                            <div class="plan" id="batch-plan" data-enough=enough.to_string()>
                                <p>
                                    {format!("{} × batch → {} units · cost {} · ", p.batches, p.output_qty, money(p.cost_cents))}
                                    <strong id="plan-unit-cost">{format!("{} per unit", money(p.unit_cost_cents))}</strong>
                                </p>
                                <table class="grid" id="plan-lines">
                                    <thead>
                                        <tr>
                                            <th>"Supply"</th>
                                            <th class="num">"Uses"</th>
                                            <th class="num">"On hand"</th>
                                            <th class="num">"Short"</th>
                                            <th class="num">"Cost"</th>
                                            <th>"From lots"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p.lines
                                            .iter()
                                            .map(|l| {
                                                view! {
                                                    <tr class="plan-line" class:low={l.short > 0} data-supply=l.supply.clone() data-short=l.short>
                                                        <td>{l.supply.clone()}</td>
                                                        <td class="num">{qty(l.need, l.unit)}</td>
                                                        <td class="num">{qty(l.on_hand, l.unit)}</td>
                                                        <td class="num">{if l.short > 0 { qty(l.short, l.unit) } else { "—".into() }}</td>
                                                        <td class="num">{money(l.cost_cents)}</td>
                                                        <td class="mono lots">
                                                            {l.lots.iter().map(|u| format!("{} ({})", u.lot_code, qty(u.qty, l.unit))).collect::<Vec<_>>().join(", ")}
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                                {if enough {
                                    view! { <button class="primary big" id="confirm-batch" on:click=move |_| make(false)>"Make it"</button> }.into_any()
                                } else {
                                    view! {
                                        <p class="warn">"The books say some supplies are short. Receive them first, or make it anyway if the shelf has more than the books."</p>
                                        <button class="danger" id="confirm-batch-short" on:click=move |_| make(true)>"Make it anyway"</button>
                                    }
                                        .into_any()
                                }}
                            </div>
                        }
                    })
            }}
            {move || {
                made.get()
                    .map(|b| {
                        view! {
                            <p class="done" id="batch-made">
                                {format!("Made lot {}: {} units at {} each.", b.lot_code, b.output_qty, money(b.unit_cost_cents))}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// Recall: a lot code in, everyone who bought from it out, with contacts.
/// A supply lot (a purchase of beeswax, say) is followed through every
/// batch made with it; a product lot (a batch) also shows what it was made of.
#[component]
fn Recall(tracing: RwSignal<Option<(String, bool)>>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let code = RwSignal::new(String::new());
    let supply = RwSignal::new(false);
    let found = RwSignal::new(None::<LotTrace>);
    let run = move |lot: String, is_supply: bool| {
        spawn_local(async move {
            match call(&TraceLot { lot, supply: is_supply }).await {
                Ok(t) => {
                    app.toast.set(None);
                    found.set(Some(t));
                    // Asked from a batch row far below: bring the answer into view.
                    if let Some(card) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("recall")) {
                        card.scroll_into_view();
                    }
                }
                Err(e) => app.fail(e),
            }
        });
    };
    // "Who bought it" on a batch row traces that lot here.
    Effect::new(move |_| {
        if let Some((lot, is_supply)) = tracing.get() {
            code.set(lot.clone());
            supply.set(is_supply);
            run(lot, is_supply);
        }
    });
    let sales_rows = |t: &ProductLotTrace| {
        t.sales
            .iter()
            .map(|s| {
                let note = s.note();
                view! {
                    <tr class="recall-sale" data-lot=s.lot_code.clone() data-email=s.email.clone().unwrap_or_default()>
                        <td class="mono">{s.lot_code.clone()}</td>
                        <td>{when(s.at_ms)}</td>
                        <td class="mono">{s.receipt_no.clone()}</td>
                        <td class="num">{s.qty}</td>
                        <td>{s.customer.clone().unwrap_or_else(|| "walk-in".into())}</td>
                        <td>{s.email.clone().unwrap_or_default()}</td>
                        <td>{s.phone.clone().unwrap_or_default()}</td>
                        <td>{note}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let unassigned = |t: &ProductLotTrace| t.unassigned_note().map(|n| view! { <p class="muted unassigned">{n}</p> });
    view! {
        <div class="card" id="recall">
            <h2>"Recall: who bought from a lot"</h2>
            <div class="inline-form">
                {field_hint("Lot code", "trace-lot", "a batch's or a purchase's lot", code)}
                {checkbox("It is a supply lot (a purchase)", "trace-supply", supply)}
                <button id="trace-run" on:click=move |_| run(code.get_untracked(), supply.get_untracked())>"Trace"</button>
            </div>
            {move || found.get().map(|t| {
                let (summary, batches): (String, Vec<ProductLotTrace>) = match t {
                    LotTrace::Product(p) => {
                        let made_from = if p.inputs.is_empty() {
                            "no supply lots recorded".to_string()
                        } else {
                            p.inputs.iter().map(|i| format!("{} {} ({})", i.supply, i.lot_code, qty(i.qty, i.unit))).collect::<Vec<_>>().join(", ")
                        };
                        (format!("Lot {} of {}: made {}, {} left. Made from {made_from}.", p.lot.lot_code, p.name, p.lot.qty, p.lot.on_hand), vec![p])
                    }
                    LotTrace::Supply(s) => (
                        format!(
                            "Supply lot {} of {}{}: used in {} batch(es): {}.",
                            s.lot.lot_code,
                            s.lot.item,
                            s.supplier.as_ref().map(|x| format!(" from {x}")).unwrap_or_default(),
                            s.batches.len(),
                            s.batches.iter().map(|b| b.lot.lot_code.clone()).collect::<Vec<_>>().join(", ")
                        ),
                        s.batches,
                    ),
                };
                let count: usize = batches.iter().map(|b| b.sales.len()).sum();
                view! {
                    <p id="recall-summary" data-sales=count.to_string()>{summary}</p>
                    <table class="grid" id="recall-sales">
                        <thead>
                            <tr>
                                <th>"Lot"</th><th>"Sold"</th><th>"Receipt"</th><th class="num">"Units"</th>
                                <th>"Customer"</th><th>"Email"</th><th>"Phone"</th><th></th>
                            </tr>
                        </thead>
                        <tbody>{batches.iter().map(sales_rows).collect_view()}</tbody>
                    </table>
                    {batches.iter().map(unassigned).collect_view()}
                }
            })}
        </div>
    }
}

/// A lot's label as it will print: what it says, its barcode, what it
/// assumed (a density, a missing INCI name), and the PDF for a label stock.
#[component]
fn LabelPanel(lot: String, close: Callback<()>) -> impl IntoView {
    use wildroot_model::label::{barcode, Label, Stock};
    let app = expect_context::<AppState>();
    let label = RwSignal::new(None::<Label>);
    let stock = RwSignal::new(String::from("rect"));
    let count = RwSignal::new(String::from("10"));
    let saved = RwSignal::new(None::<String>);
    let req = GetLabel { lot: lot.clone() };
    spawn_local(async move {
        match call(&req).await {
            Ok(l) => label.set(Some(l)),
            Err(e) => app.fail(e),
        }
    });
    let save = move |_| {
        let n = match field::whole("number of labels", &count.get_untracked()) {
            Ok(n) if (1..=1000).contains(&n) => n as u32,
            Ok(_) => return app.fail("give 1 to 1000 labels".into()),
            Err(e) => return app.fail(e),
        };
        let Some(l) = label.get_untracked() else { return };
        let req = SaveLabels { lot: l.lot_code, stock: stock.get_untracked(), count: n };
        spawn_local(async move {
            match call(&req).await {
                Ok(path) => {
                    saved.set(Some(path));
                    app.toast.set(None);
                }
                Err(e) => app.fail(e),
            }
        });
    };
    view! {
        <div class="card" id="label-panel">
            <h2>{format!("Labels for lot {lot}")}</h2>
            {move || label.get().map(|l| {
                let (bars, width) = barcode(&l.code).unwrap_or_default();
                view! {
                    <div class="label-preview" id="label-preview">
                        <p class="label-name"><strong>{l.name.clone()}</strong></p>
                        {l.net.clone().map(|n| view! { <p id="label-net"><strong>{n}</strong></p> })}
                        <p id="label-ingredients">
                            "Ingredients: "
                            {l.ingredients
                                .iter()
                                .enumerate()
                                .map(|(k, i)| view! { {(k > 0).then_some(", ")}<span class="ingredient" data-mg=i.weight_mg.to_string()>{i.name.clone()}</span> })
                                .collect_view()}
                        </p>
                        {l.warnings.clone().map(|w| view! { <p id="label-warnings">{format!("Warning: {w}")}</p> })}
                        <p>{format!("Made by {}{}", l.business_name, l.business_address.as_deref().map(|a| format!(", {a}")).unwrap_or_default())}</p>
                        <p id="label-lot"><strong>{format!("Lot {}{}", l.lot_code, l.best_before.map(|d| format!("  Best before {d}")).unwrap_or_default())}</strong></p>
                        <svg id="label-barcode" class="barcode" viewBox=format!("0 0 {} 40", width + 20) preserveAspectRatio="none" role="img" aria-label=l.code.clone()>
                            <rect x="0" y="0" width=(width + 20).to_string() height="40" fill="#fff"></rect>
                            {bars.into_iter().map(|(x, w)| view! { <rect class="bar" x=(x + 10).to_string() y="0" width=w.to_string() height="40" fill="#000"></rect> }).collect_view()}
                        </svg>
                        <p class="mono" id="label-code">{l.code.clone()}</p>
                    </div>
                    {l.notes.iter().map(|n| view! { <p class="warn label-note">{n.clone()}</p> }).collect_view()}
                }
            })}
            <label>
                "Label stock"
                <select id="label-stock" prop:value=move || stock.get() on:change=move |ev| { saved.set(None); stock.set(event_target_value(&ev)) }>
                    {Stock::NAMES.iter().map(|n| view! { <option value=*n>{match *n { "rect" => "4 × 2 in, 10 a sheet", "square" => "2 × 2 in, 12 a sheet", "round" => "2.5 in round, 12 a sheet", _ => "One label (label printer)" }}</option> }).collect_view()}
                </select>
            </label>
            <label>"How many"<input id="label-count" inputmode="numeric" prop:value=move || count.get() on:input=move |ev| { saved.set(None); count.set(event_target_value(&ev)) } /></label>
            <div class="actions">
                <button class="primary" id="save-labels" on:click=save>"Save labels as PDF"</button>
                <button class="secondary" on:click=move |_| close.run(())>"Close"</button>
            </div>
            {move || saved.get().map(|p| view! { <p class="done" id="labels-saved">{format!("Saved {p}: open it to print.")}</p> })}
        </div>
    }
}
