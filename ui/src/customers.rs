//! Customers: search, lifetime spend, purchase history, add and edit.
//! A vendor records customers at the booth, so this screen is theirs too.
use crate::api::call;
use crate::cart::money;
use crate::form::{field, when};
use crate::state::AppState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wildroot_model::app::*;
use wildroot_model::views::CustomerView;
use wildroot_model::CustomerId;

#[component]
pub fn Customers() -> impl IntoView {
    let app = expect_context::<AppState>();
    let query = RwSignal::new(String::new());
    let list = RwSignal::new(Vec::<CustomerView>::new());
    let version = RwSignal::new(0u32);
    // None: the list only; Some(None): a new customer; Some(Some(id)): that one.
    let selected = RwSignal::new(None::<Option<CustomerId>>);
    Effect::new(move |_| {
        let req = ListCustomers { query: query.get() };
        version.track();
        spawn_local(async move {
            match call(&req).await {
                Ok(c) => list.set(c),
                Err(e) => app.fail(e),
            }
        });
    });
    let saved = Callback::new(move |id: CustomerId| {
        version.update(|v| *v += 1);
        selected.set(Some(Some(id)));
    });
    view! {
        <section class="owner customers" id="customers">
            <div class="split-view">
                <div class="list-pane">
                    <div class="toolbar">
                        <input id="customer-search" class="search" placeholder="Search by name, email or phone" prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
                        <button class="primary" id="add-customer" on:click=move |_| selected.set(Some(None))>"Add customer"</button>
                    </div>
                    <table class="grid" id="customer-list">
                        <thead>
                            <tr>
                                <th>"Name"</th>
                                <th>"Email"</th>
                                <th>"Phone"</th>
                                <th class="num">"Purchases"</th>
                                <th class="num">"Lifetime spend"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || {
                                list.get()
                                    .into_iter()
                                    .map(|c| {
                                        let id = c.id;
                                        view! {
                                            <tr class="customer" data-id=c.id.to_string() on:click=move |_| selected.set(Some(Some(id)))>
                                                <td>{c.name.clone()}</td>
                                                <td>{c.email.clone().unwrap_or_default()}</td>
                                                <td>{c.phone.clone().unwrap_or_default()}</td>
                                                <td class="num">{c.purchases.len()}</td>
                                                <td class="num">{money(c.lifetime_spend_cents)}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </tbody>
                    </table>
                </div>
                {move || selected.get().map(|id| view! { <CustomerPanel id=id saved=saved close=Callback::new(move |_| selected.set(None)) /> })}
            </div>
        </section>
    }
}

#[component]
fn CustomerPanel(id: Option<CustomerId>, saved: Callback<CustomerId>, close: Callback<()>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let customer = RwSignal::new(None::<CustomerView>);
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    if let Some(id) = id {
        spawn_local(async move {
            match call(&GetCustomer { id }).await {
                Ok(c) => {
                    name.set(c.name.clone());
                    email.set(c.email.clone().unwrap_or_default());
                    phone.set(c.phone.clone().unwrap_or_default());
                    notes.set(c.notes.clone().unwrap_or_default());
                    customer.set(Some(c));
                }
                Err(e) => app.fail(e),
            }
        });
    }
    let save = move |_| {
        let req = SaveCustomer {
            id,
            name: name.get_untracked(),
            email: email.get_untracked(),
            phone: phone.get_untracked(),
            notes: notes.get_untracked(),
        };
        spawn_local(async move {
            match call(&req).await {
                Ok(c) => {
                    app.toast.set(None);
                    saved.run(c.id);
                }
                Err(e) => app.fail(e),
            }
        });
    };
    view! {
        <aside class="detail card" id="customer-panel">
            <div class="detail-head">
                <h2>{move || customer.with(|c| c.as_ref().map(|c| c.name.clone())).unwrap_or_else(|| "New customer".into())}</h2>
                <button class="icon secondary" id="close-panel" title="Close" on:click=move |_| close.run(())>"✕"</button>
            </div>
            <div class="form-grid">
                {field("Name", "c-name", name)}
                {field("Email", "c-email", email)}
                {field("Phone", "c-phone", phone)}
                {field("Notes", "c-notes", notes)}
            </div>
            <div class="actions">
                <button class="primary" id="save-customer" on:click=save>{if id.is_some() { "Save changes" } else { "Add customer" }}</button>
            </div>
            {move || {
                customer
                    .get()
                    .map(|c| {
                        view! {
                            <h3>"Purchases"</h3>
                            <p>
                                "Lifetime spend "
                                <strong id="lifetime-spend">{money(c.lifetime_spend_cents)}</strong>
                            </p>
                            <table class="grid" id="purchases">
                                <thead>
                                    <tr>
                                        <th>"Receipt"</th>
                                        <th>"When"</th>
                                        <th class="num">"Total"</th>
                                        <th class="num">"Refunded"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {c.purchases
                                        .iter()
                                        .map(|p| {
                                            view! {
                                                <tr class="purchase" class:voided=p.voided>
                                                    <td class="mono">{p.receipt_no.clone()}{if p.voided { " (voided)" } else { "" }}</td>
                                                    <td>{when(p.at_ms)}</td>
                                                    <td class="num">{money(p.total_cents)}</td>
                                                    <td class="num">{if p.refunded_cents > 0 { money(p.refunded_cents) } else { "—".into() }}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                    })
            }}
        </aside>
    }
}
