//! Market day: open an event with a cash float, watch its running totals,
//! close it with the counted cash and read the Z report (over or short).
use crate::api::call;
use crate::cart::{money, parse_amount};
use crate::pos::method_name;
use crate::state::AppState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wildroot_model::app::{CloseEvent, EventReport, ListEvents, OpenEvent};
use wildroot_model::views::{EventView, ZReport};

/// "Over $2.00", "Short $1.00", "Even".
pub fn over_short(cents: i64) -> String {
    match cents {
        0 => "Even".into(),
        c if c > 0 => format!("Over {}", money(c)),
        c => format!("Short {}", money(-c)),
    }
}

#[component]
fn Totals(z: ZReport) -> impl IntoView {
    view! {
        <dl class="sums totals" id="event-totals">
            <dt>"Sales"</dt>
            <dd id="totals-count">{z.sales_count}</dd>
            <dt>"Taken"</dt>
            <dd id="totals-total">{money(z.total_cents)}</dd>
            <dt>"Refunded"</dt>
            <dd>{money(z.refunds_cents)}</dd>
            {z
                .payments
                .iter()
                .map(|p| {
                    view! {
                        <dt>{method_name(p.method)}</dt>
                        <dd>{money(p.amount_cents - p.refunded_cents)}</dd>
                    }
                })
                .collect_view()}
            <dt>"Cash expected in the drawer"</dt>
            <dd id="expected-cash">{money(z.expected_cash_cents)}</dd>
        </dl>
    }
}

#[component]
fn ZReportView(z: ZReport) -> impl IntoView {
    let diff = z.over_short_cents;
    view! {
        <div class="zreport" id="zreport">
            <h3>{format!("Z report · {} · {}", z.event.name, z.event.date)}</h3>
            {diff.map(|d| view! { <p class="over-short" class:short=d < 0 id="over-short">{over_short(d)}</p> })}
            {z.counted_cash_cents.map(|c| view! { <p>{format!("Counted {}", money(c))}</p> })}
            <Totals z=z.clone() />
            <ul class="units">
                {z.units.iter().map(|u| view! { <li>{format!("{} × {} · {}", u.units, u.name, money(u.total_cents))}</li> }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
pub fn Market() -> impl IntoView {
    let app = expect_context::<AppState>();
    let name = RwSignal::new(String::new());
    let location = RwSignal::new(String::new());
    let float = RwSignal::new(String::new());
    let counted = RwSignal::new(String::new());
    let closed = RwSignal::new(None::<ZReport>);
    let past = RwSignal::new(Vec::<EventView>::new());
    let shown = RwSignal::new(None::<ZReport>);
    let busy = RwSignal::new(false);
    let load_past = move || {
        spawn_local(async move {
            if let Ok(list) = call(&ListEvents {}).await {
                past.set(list.into_iter().filter(|e| !e.open).collect());
            }
        })
    };
    load_past();

    let open = move |_| {
        let float_cents = match float.get_untracked().trim() {
            "" => 0,
            text => match parse_amount(text) {
                Ok(c) => c,
                Err(e) => return app.fail(e),
            },
        };
        let req = OpenEvent { name: name.get_untracked(), location: location.get_untracked(), float_cents };
        busy.set(true);
        spawn_local(async move {
            match call(&req).await {
                Ok(_) => {
                    closed.set(None);
                    name.set(String::new());
                    location.set(String::new());
                    float.set(String::new());
                    app.toast.set(None);
                    app.refresh_home();
                }
                Err(e) => app.fail(e),
            }
            busy.set(false);
        });
    };
    let close = move |_| {
        let counted_cents = match parse_amount(&counted.get_untracked()) {
            Ok(c) => c,
            Err(e) => return app.fail(format!("{e} (count the cash in the drawer)")),
        };
        busy.set(true);
        spawn_local(async move {
            match call(&CloseEvent { counted_cents }).await {
                Ok(z) => {
                    closed.set(Some(z));
                    counted.set(String::new());
                    app.toast.set(None);
                    app.refresh_home();
                    load_past();
                }
                Err(e) => app.fail(e),
            }
            busy.set(false);
        });
    };
    let show = move |event: EventView| {
        spawn_local(async move {
            match call(&EventReport { event_id: event.id }).await {
                Ok(z) => shown.set(Some(z)),
                Err(e) => app.fail(e),
            }
        })
    };
    let event = move || app.home.with(|h| h.as_ref().and_then(|h| h.event.clone()));

    view! {
        <section class="market" id="market">
            {move || match event() {
                Some(e) => {
                    view! {
                        <div class="card">
                            <h2 id="event-name">{e.name.clone()}</h2>
                            <p class="muted">{format!("{} · float {}", e.date, money(e.float_cents))}</p>
                            {move || app.home.with(|h| h.as_ref().and_then(|h| h.totals.clone())).map(|z| view! { <Totals z=z /> })}
                            <label>
                                "Counted cash"
                                <input id="counted" inputmode="decimal" placeholder="0.00" prop:value=move || counted.get() on:input=move |ev| counted.set(event_target_value(&ev)) />
                            </label>
                            <button class="big primary" id="close-event" disabled=move || busy.get() on:click=close>"Close and count"</button>
                        </div>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <div class="card">
                            <h2>"Open a market day"</h2>
                            <label>
                                "Event"
                                <input id="event-name-input" placeholder="Saturday farmers market" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                            </label>
                            <label>
                                "Where (optional)"
                                <input id="event-location" prop:value=move || location.get() on:input=move |ev| location.set(event_target_value(&ev)) />
                            </label>
                            <label>
                                "Cash float"
                                <input id="event-float" inputmode="decimal" placeholder="0.00" prop:value=move || float.get() on:input=move |ev| float.set(event_target_value(&ev)) />
                            </label>
                            <button class="big primary" id="open-event" disabled=move || busy.get() on:click=open>"Open event"</button>
                        </div>
                    }
                        .into_any()
                }
            }}
            {move || closed.get().map(|z| view! { <ZReportView z=z /> })}
            <Show when=move || !past.with(Vec::is_empty)>
                <h3>"Past events"</h3>
                <ul class="past-events">
                    {move || {
                        past.get()
                            .into_iter()
                            .map(|e| {
                                let label = format!("{} · {}", e.date, e.name);
                                view! {
                                    <li>
                                        <button class="link" on:click=move |_| show(e.clone())>{label}</button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
            {move || shown.get().map(|z| view! { <ZReportView z=z /> })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_and_short_in_words() {
        assert_eq!(over_short(0), "Even");
        assert_eq!(over_short(250), "Over $2.50");
        assert_eq!(over_short(-100), "Short $1.00");
    }
}
