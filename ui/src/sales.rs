//! The sales of the open market event (or the latest ones), newest first,
//! with refund and void a confirmation away.
use crate::api::call;
use crate::cart::{ago, money};
use crate::pos::method_name;
use crate::state::AppState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wildroot_model::app::{PrintReceipt, RecentSales, RefundSale, VoidSale};
use wildroot_model::views::SaleSummary;
use wildroot_model::SaleId;

/// What the person is about to confirm on one sale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pending {
    Refund(SaleId),
    Void(SaleId),
}

#[component]
pub fn Sales() -> impl IntoView {
    let app = expect_context::<AppState>();
    let sales = RwSignal::new(None::<Vec<SaleSummary>>);
    let pending = RwSignal::new(None::<Pending>);
    let restock = RwSignal::new(true);
    let reason = RwSignal::new("rung up in error".to_string());
    // A confirm button is off while its request runs: a double tap sends one.
    let busy = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            match call(&RecentSales { limit: 100 }).await {
                Ok(list) => sales.set(Some(list)),
                Err(e) => app.fail(e),
            }
        })
    };
    load();
    let after = move |result: Result<(), String>| {
        busy.set(false);
        match result {
            Ok(()) => {
                pending.set(None);
                app.refresh_home();
                app.refresh_sync();
            }
            Err(e) => app.fail(e),
        }
        load();
    };
    let refund = move |sale_id: SaleId| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let req = RefundSale { sale_id, restock: restock.get_untracked() };
        spawn_local(async move { after(call(&req).await.map(|_| ())) });
    };
    let void = move |sale_id: SaleId| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let req = VoidSale { sale_id, reason: reason.get_untracked() };
        spawn_local(async move { after(call(&req).await.map(|_| ())) });
    };
    // A reprint never changes the sale; a printer that is off says why.
    let reprint = move |sale_id| {
        spawn_local(async move {
            match call(&PrintReceipt { sale_id, after_sale: false }).await {
                Ok(_) => app.toast.set(None),
                Err(e) => app.fail(format!("The receipt did not print ({e}).")),
            }
        })
    };
    let row = move |s: SaleSummary| {
        let id = s.sale_id;
        let left = s.total_cents - s.refunded_cents;
        let status = if s.voided {
            "Voided".to_string()
        } else if s.refunded_cents >= s.total_cents && s.total_cents > 0 {
            "Refunded".to_string()
        } else if s.refunded_cents > 0 {
            format!("{} refunded", money(s.refunded_cents))
        } else {
            String::new()
        };
        let can_act = !s.voided && left > 0;
        let can_void = can_act && s.refunded_cents == 0;
        view! {
            <li class="sale" class:voided=s.voided data-receipt=s.receipt_no.clone()>
                <div class="sale-head">
                    <span class="receipt-no">{s.receipt_no.clone()}</span>
                    <span class="muted">{move || ago(s.at_ms, app.now_ms.get())}</span>
                    <span class="sale-total">{money(s.total_cents)}</span>
                </div>
                <p class="sale-lines">{s.lines.iter().map(|l| format!("{} × {}", l.qty, l.name)).collect::<Vec<_>>().join(", ")}</p>
                <p class="muted">
                    {s.payments.iter().map(|p| format!("{} {}", method_name(p.method), money(p.amount_cents))).collect::<Vec<_>>().join(" + ")}
                    {s.customer.clone().map(|c| format!(" · {c}"))}
                </p>
                {(!status.is_empty()).then(|| view! { <p class="sale-status">{status}</p> })}
                <button class="secondary reprint" data-sale=id.to_string() on:click=move |_| reprint(id)>"Print receipt"</button>
                <Show when=move || can_act>
                    <div class="sale-actions">
                        {move || match pending.get() {
                            Some(Pending::Refund(p)) if p == id => {
                                view! {
                                    <label class="check">
                                        <input type="checkbox" prop:checked=move || restock.get() on:change=move |ev| restock.set(event_target_checked(&ev)) />
                                        "Put the goods back in stock"
                                    </label>
                                    <button class="danger confirm-refund" disabled=move || busy.get() on:click=move |_| refund(id)>{format!("Refund {}", money(left))}</button>
                                    <button class="secondary" on:click=move |_| pending.set(None)>"Keep"</button>
                                }
                                    .into_any()
                            }
                            Some(Pending::Void(p)) if p == id => {
                                view! {
                                    <input class="void-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                                    <button class="danger confirm-void" disabled=move || busy.get() on:click=move |_| void(id)>"Void sale"</button>
                                    <button class="secondary" on:click=move |_| pending.set(None)>"Keep"</button>
                                }
                                    .into_any()
                            }
                            _ => {
                                view! {
                                    <button class="secondary refund" on:click=move |_| pending.set(Some(Pending::Refund(id)))>"Refund"</button>
                                    <Show when=move || can_void>
                                        <button class="secondary void" on:click=move |_| pending.set(Some(Pending::Void(id)))>"Void"</button>
                                    </Show>
                                }
                                    .into_any()
                            }
                        }}
                    </div>
                </Show>
            </li>
        }
    };
    view! {
        <section class="sales-screen" id="sales">
            <h2>
                {move || {
                    app.home
                        .with(|h| h.as_ref().and_then(|h| h.event.as_ref().map(|e| format!("Sales at {}", e.name))))
                        .unwrap_or_else(|| "Recent sales".into())
                }}
            </h2>
            {move || match sales.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="muted" id="no-sales">"No sales yet."</p> }.into_any(),
                Some(list) => view! { <ul class="sale-list" id="sale-list">{list.into_iter().map(row).collect_view()}</ul> }.into_any(),
            }}
        </section>
    }
}
