//! Market day: open an event with a cash float (or join one another device
//! opened or the owner planned), see what this booth was allotted, watch
//! the running totals, close with the counted cash and read the Z report:
//! combined across every device's drawer once they have synced.
use crate::api::call;
use crate::cart::{drawer_total, money, parse_amount, DENOMINATIONS};
use crate::pos::method_name;
use crate::state::{recall, remember, AppState};

/// Where the last float of a market (by its name) is remembered.
fn float_key(market: &str) -> String {
    format!("wildroot.float.{}", market.trim().to_lowercase())
}
use leptos::prelude::*;
use leptos::task::spawn_local;
use wildroot_model::app::{
    AllotStock, CloseEvent, EventReport, GetAllotment, JoinEvent, ListEvents, ListKnownDevices, ListProducts, OpenEvent, PlanEvent,
};
use wildroot_model::sync::Role;
use wildroot_model::views::{AllotmentLine, AllotmentView, EventView, KnownDevice, ProductView, ZReport};

/// The last characters of a device id (its random part): enough to tell booths apart.
fn short_device(id: &wildroot_model::DeviceId) -> String {
    id.to_string().chars().rev().take(6).collect::<String>().chars().rev().collect()
}

#[component]
fn AllotmentTable(lines: Vec<AllotmentLine>, show_device: bool) -> impl IntoView {
    view! {
        <table class="grid allotment">
            <thead>
                <tr>
                    {show_device.then(|| view! { <th>"Booth"</th> })}
                    <th>"Product"</th><th class="num">"Allotted"</th><th class="num">"Sold"</th><th class="num">"Left"</th>
                </tr>
            </thead>
            <tbody>
                {lines
                    .into_iter()
                    .map(|l| {
                        view! {
                            <tr class="allotted" class:low=l.left < 0 data-sku=l.sku.clone() data-left=l.left>
                                {show_device.then(|| view! { <td class="mono">{short_device(&l.device)}</td> })}
                                <td>{l.name.clone()}</td>
                                <td class="num">{l.allotted}</td>
                                <td class="num">{l.sold}</td>
                                <td class="num">{l.left}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

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
                    let name = p.tender.clone().unwrap_or_else(|| method_name(p.method).to_string());
                    let tips = (p.tips_cents != 0).then(|| format!(" (+{} tips)", money(p.tips_cents)));
                    view! {
                        <dt class="tender-total" data-tender=name.clone()>{name.clone()}</dt>
                        <dd data-tender=name data-tips=p.tips_cents>{format!("{}{}", money(p.amount_cents - p.refunded_cents), tips.unwrap_or_default())}</dd>
                    }
                })
                .collect_view()}
            <dt>"Tips (not sales)"</dt>
            <dd id="totals-tips">{money(z.tips_cents)}</dd>
            {z
                .taxes
                .iter()
                .filter(|t| t.rate_bp > 0)
                .map(|t| {
                    view! {
                        <dt class="tax-line">{format!("Tax {} · {}", t.place, wildroot_model::money::percent(t.rate_bp))}</dt>
                        <dd>{money(t.tax_cents)}</dd>
                    }
                })
                .collect_view()}
            <dt>"Cash expected in the drawer"</dt>
            <dd id="expected-cash">{money(z.expected_cash_cents)}</dd>
        </dl>
    }
}

/// The statement a market manager asks for, printable from the app.
#[component]
fn SettleView(event_id: wildroot_model::EventId) -> impl IntoView {
    let app = expect_context::<AppState>();
    let statement = RwSignal::new(None::<wildroot_model::views::SettleStatement>);
    let load = move |_| {
        spawn_local(async move {
            match call(&wildroot_model::app::SettleEvent { event_id }).await {
                Ok(s) => statement.set(Some(s)),
                Err(e) => app.fail(e),
            }
        });
    };
    view! {
        <button class="secondary" id="show-settle" on:click=load>"Market statement"</button>
        {move || statement.get().map(|s| view! {
            <div class="settle-statement" id="settle-statement">
                <h3>{format!("Statement · {} · {}", s.event.name, s.event.date)}</h3>
                <table class="grid">
                    <thead><tr><th>"Day"</th><th class="num">"Sales"</th><th class="num">"Refunds"</th><th class="num">"Tax"</th><th class="num">"Net"</th></tr></thead>
                    <tbody>
                        {s.days.iter().map(|d| view! {
                            <tr><td>{d.day.clone()}</td><td class="num">{money(d.gross_cents)}</td><td class="num">{money(d.refunds_cents)}</td><td class="num">{money(d.tax_cents)}</td><td class="num">{money(d.net_cents)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <dl class="sums">
                    <dt>{format!("Commission {} of {} sales", wildroot_model::money::percent(s.commission_bp), s.commission_base)}</dt>
                    <dd id="settle-commission">{money(s.commission_cents)}</dd>
                    <dt>"Booth fee"</dt>
                    <dd>{money(s.fee_cents)}</dd>
                    <dt class="grand">"Owed to the market"</dt>
                    <dd class="grand" id="settle-owed">{money(s.owed_cents)}</dd>
                </dl>
                <button class="secondary" id="print-settle" on:click=move |_| {
                    if let Some(w) = web_sys::window() {
                        let _ = w.print();
                    }
                }>"Print"</button>
            </div>
        })}
    }
}

#[component]
fn ZReportView(z: ZReport) -> impl IntoView {
    let diff = z.over_short_cents;
    let event_id = z.event.id;
    view! {
        <div class="zreport" id="zreport">
            <h3>{format!("Z report · {} · {}", z.event.name, z.event.date)}</h3>
            {diff.map(|d| view! { <p class="over-short" class:short=d < 0 id="over-short">{over_short(d)}</p> })}
            {z.counted_cash_cents.map(|c| view! { <p>{format!("Counted {}", money(c))}</p> })}
            <Totals z=z.clone() />
            <ul class="units" id="z-units">
                {z.units.iter().map(|u| view! { <li class="unit-line">{format!("{} × {} · {}", u.units, u.name, money(u.total_cents))}</li> }).collect_view()}
            </ul>
            {(!z.withdrawn.is_empty()).then(|| view! {
                <h4>"Payments taken off unfinished sales"</h4>
                <ul class="withdrawn" id="z-withdrawn">
                    {z.withdrawn.iter().map(|w| {
                        let answer = if w.charged { "charged: refund it on the reader" } else { "not charged" };
                        view! {
                            <li class="withdrawn-payment" class:warn=w.charged data-charged=w.charged.to_string()>
                                {format!("{} {} · {answer}", method_name(w.method), money(w.amount_cents))}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {(z.drawers.len() > 1).then(|| view! {
                <h4>"Drawers"</h4>
                <table class="grid" id="z-drawers">
                    <thead>
                        <tr><th>"Booth"</th><th class="num">"Sales"</th><th class="num">"Float"</th><th class="num">"Cash expected"</th><th class="num">"Counted"</th><th>""</th></tr>
                    </thead>
                    <tbody>
                        {z.drawers.iter().map(|d| view! {
                            <tr class="drawer" data-device=d.device.to_string() data-over-short=d.over_short_cents.map(|c| c.to_string()).unwrap_or_default()>
                                <td class="mono">{format!("{}{}", short_device(&d.device), if d.this_device { " (this)" } else { "" })}</td>
                                <td class="num">{d.sales_count}</td>
                                <td class="num">{money(d.float_cents)}</td>
                                <td class="num">{money(d.expected_cash_cents)}</td>
                                <td class="num">{d.counted_cash_cents.map(money).unwrap_or_else(|| "open".into())}</td>
                                <td>{d.over_short_cents.map(over_short).unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {(!z.allotments.is_empty()).then(|| view! {
                <h4>"Allotted, sold and coming back"</h4>
                <AllotmentTable lines=z.allotments.clone() show_device=true />
            })}
            <SettleView event_id=event_id />
        </div>
    }
}

#[component]
pub fn Market() -> impl IntoView {
    let app = expect_context::<AppState>();
    let name = RwSignal::new(String::new());
    let location = RwSignal::new(String::new());
    // The tax place the day is at; empty: the shop's home place.
    let place = RwSignal::new(String::new());
    let float = RwSignal::new(String::new());
    let counted = RwSignal::new(String::new());
    // Closing a day is asked twice: a stray tap does not end the market.
    let confirming = RwSignal::new(false);
    // Counting by notes and coins (optional): each count, and whether the list is open.
    let by_note = RwSignal::new(false);
    let note_counts = StoredValue::new(DENOMINATIONS.iter().map(|c| (*c, RwSignal::new(String::new()))).collect::<Vec<_>>());
    let recount = move || {
        let typed: Vec<(i64, String)> = note_counts.with_value(|n| n.iter().map(|(c, s)| (*c, s.get_untracked())).collect());
        match drawer_total(&typed) {
            Ok(total) => counted.set(format!("{}.{:02}", total / 100, total % 100)),
            Err(e) => app.fail(e),
        }
    };
    let closed = RwSignal::new(None::<ZReport>);
    let past = RwSignal::new(Vec::<EventView>::new());
    let shown = RwSignal::new(None::<ZReport>);
    let busy = RwSignal::new(false);
    let joinable = RwSignal::new(Vec::<EventView>::new());
    let allotment = RwSignal::new(None::<AllotmentView>);
    let load_past = move || {
        spawn_local(async move {
            if let Ok(list) = call(&ListEvents {}).await {
                let (open, closed): (Vec<_>, Vec<_>) = list.into_iter().partition(|e| e.open);
                past.set(closed);
                joinable.set(open);
            }
        })
    };
    load_past();
    // Read at start and whenever home changes: a sale on the Sell screen,
    // or joining and closing here (both refresh home).
    Effect::new(move |_| {
        app.home.track();
        spawn_local(async move {
            if let Ok(a) = call(&GetAllotment {}).await {
                allotment.set(a);
            }
        });
    });
    let join = move |event: EventView| {
        if float.get_untracked().trim().is_empty() {
            float.set(recall(&float_key(&event.name)).unwrap_or_default());
        }
        let float_cents = match float.get_untracked().trim() {
            "" => 0,
            text => match parse_amount(text) {
                Ok(c) => c,
                Err(e) => return app.fail(e),
            },
        };
        busy.set(true);
        spawn_local(async move {
            match call(&JoinEvent { event_id: event.id, float_cents }).await {
                Ok(_) => {
                    remember(&float_key(&event.name), &float.get_untracked());
                    closed.set(None);
                    float.set(String::new());
                    app.toast.set(None);
                    app.refresh_home();
                    load_past();
                }
                Err(e) => app.fail(e),
            }
            busy.set(false);
        });
    };

    let open = move |_| {
        let float_cents = match float.get_untracked().trim() {
            "" => 0,
            text => match parse_amount(text) {
                Ok(c) => c,
                Err(e) => return app.fail(e),
            },
        };
        let req = OpenEvent {
            name: name.get_untracked(),
            location: location.get_untracked(),
            float_cents,
            place: Some(place.get_untracked()).filter(|p| !p.is_empty()),
        };
        busy.set(true);
        spawn_local(async move {
            match call(&req).await {
                Ok(_) => {
                    remember(&float_key(&name.get_untracked()), &float.get_untracked());
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
                    confirming.set(false);
                    closed.set(Some(z));
                    // The Z report is what the vendor came for: it is shown first.
                    if let Some(w) = web_sys::window() {
                        w.scroll_to_with_x_and_y(0.0, 0.0);
                    }
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
            {move || closed.get().map(|z| view! { <ZReportView z=z /> })}
            {move || match event() {
                Some(e) => {
                    view! {
                        <div class="card">
                            <h2 id="event-name">{e.name.clone()}</h2>
                            <p class="muted">{format!("{} · float {}", e.date, money(e.float_cents))}</p>
                            {move || app.home.with(|h| h.as_ref().and_then(|h| h.totals.clone())).map(|z| view! { <Totals z=z /> })}
                            {move || allotment.get().filter(|a| !a.lines.is_empty()).map(|a| view! {
                                <h3>"This booth carries"</h3>
                                <div id="my-allotment"><AllotmentTable lines=a.lines show_device=false /></div>
                            })}
                            <button class="secondary" id="count-by-note" aria-expanded=move || by_note.get().to_string() on:click=move |_| by_note.update(|o| *o = !*o)>
                                "Count by notes and coins"
                            </button>
                            <Show when=move || by_note.get()>
                                <div class="denominations" id="denominations">
                                    {note_counts
                                        .get_value()
                                        .into_iter()
                                        .map(|(cents, typed)| {
                                            view! {
                                                <label class="denomination">
                                                    {money(cents)}
                                                    <input
                                                        inputmode="numeric"
                                                        data-cents=cents
                                                        placeholder="0"
                                                        prop:value=move || typed.get()
                                                        on:input=move |ev| {
                                                            typed.set(event_target_value(&ev));
                                                            recount();
                                                        }
                                                    />
                                                </label>
                                            }
                                        })
                                        .collect_view()}
                                </div>
                            </Show>
                            <label>
                                "Counted cash"
                                <input id="counted" inputmode="decimal" placeholder="0.00" prop:value=move || counted.get() on:input=move |ev| counted.set(event_target_value(&ev)) />
                            </label>
                            <Show
                                when=move || confirming.get()
                                fallback=move || {
                                    view! {
                                        <button class="big primary" id="close-event" disabled=move || busy.get() on:click=move |_| {
                                            // The count is checked before the question is asked.
                                            match parse_amount(&counted.get_untracked()) {
                                                Ok(_) => confirming.set(true),
                                                Err(e) => app.fail(format!("{e} (count the cash in the drawer)")),
                                            }
                                        }>"Close and count"</button>
                                    }
                                }
                            >
                                <div class="confirm" id="close-confirm">
                                    <p>
                                        {
                                            let market = e.name.clone();
                                            move || format!("Close {market} with {} counted? Sales after this belong to no market day.", money(parse_amount(&counted.get()).unwrap_or(0)))
                                        }
                                    </p>
                                    <button class="big primary" id="confirm-close" disabled=move || busy.get() on:click=close>"Close the day"</button>
                                    <button class="secondary" id="cancel-close" on:click=move |_| confirming.set(false)>"Not yet"</button>
                                </div>
                            </Show>
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
                                <input id="event-name-input" placeholder="Saturday farmers market" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) on:change=move |_| {
                                    // The float this market started with last time, when none is typed yet.
                                    if float.get_untracked().trim().is_empty() {
                                        if let Some(f) = recall(&float_key(&name.get_untracked())) {
                                            float.set(f);
                                        }
                                    }
                                } />
                            </label>
                            <label>
                                "Where (optional)"
                                <input id="event-location" prop:value=move || location.get() on:input=move |ev| location.set(event_target_value(&ev)) />
                            </label>
                            <Show when=move || app.home.with(|h| h.as_ref().is_some_and(|h| !h.tax_places.is_empty()))>
                                <label>
                                    "Tax place"
                                    <select id="event-place" prop:value=move || place.get() on:change=move |ev| place.set(event_target_value(&ev))>
                                        <option value="">"Home"</option>
                                        {move || {
                                            app.home
                                                .with(|h| h.as_ref().map(|h| h.tax_places.clone()).unwrap_or_default())
                                                .into_iter()
                                                .map(|p| {
                                                    let label = format!("{} · {}", p.name, wildroot_model::money::percent(p.rate_bp));
                                                    view! { <option value=p.name.clone()>{label}</option> }
                                                })
                                                .collect_view()
                                        }}
                                    </select>
                                </label>
                            </Show>
                            <label>
                                "Cash float"
                                <input id="event-float" inputmode="decimal" placeholder="0.00" prop:value=move || float.get() on:input=move |ev| float.set(event_target_value(&ev)) />
                            </label>
                            <button class="big primary" id="open-event" disabled=move || busy.get() on:click=open>"Open event"</button>
                            <Show when=move || !joinable.with(Vec::is_empty)>
                                <h3>"Or join one"</h3>
                                <p class="muted">"Another booth opened it, or the owner planned it: this device keeps its own drawer with the float above."</p>
                                <ul class="join-events">
                                    {move || joinable.get().into_iter().map(|e| {
                                        let label = format!("Join {} · {}", e.name, e.date);
                                        let id = e.id.to_string();
                                        view! { <li><button class="secondary join-event" data-event=id disabled=move || busy.get() on:click=move |_| join(e.clone())>{label}</button></li> }
                                    }).collect_view()}
                                </ul>
                            </Show>
                        </div>
                    }
                        .into_any()
                }
            }}
            <Show when=move || app.role() == Role::Owner>
                <Allot events=joinable planned=Callback::new(move |_: ()| load_past()) />
            </Show>
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

/// The owner's side of a market day: plan it ahead, then give each booth
/// device the stock it takes there, one product at a time.
#[component]
fn Allot(events: RwSignal<Vec<EventView>>, planned: Callback<()>) -> impl IntoView {
    let app = expect_context::<AppState>();
    let name = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let location = RwSignal::new(String::new());
    let event = RwSignal::new(String::new());
    let device = RwSignal::new(String::new());
    let sku = RwSignal::new(String::new());
    let qty = RwSignal::new(String::new());
    let devices = RwSignal::new(Vec::<KnownDevice>::new());
    let products = RwSignal::new(Vec::<ProductView>::new());
    let report = RwSignal::new(None::<ZReport>);
    spawn_local(async move {
        if let Ok(d) = call(&ListKnownDevices {}).await {
            devices.set(d);
        }
        if let Ok(p) = call(&ListProducts::default()).await {
            products.set(p);
        }
    });
    let plan = move |_| {
        let date = match wildroot_model::field::day("date of the event", &date.get_untracked()) {
            Ok(d) => d,
            Err(e) => return app.fail(e),
        };
        let req = PlanEvent { name: name.get_untracked(), location: location.get_untracked(), date };
        spawn_local(async move {
            match call(&req).await {
                Ok(e) => {
                    app.toast.set(None);
                    name.set(String::new());
                    location.set(String::new());
                    event.set(e.id.to_string());
                    planned.run(());
                }
                Err(e) => app.fail(e),
            }
        });
    };
    let allot = move |_| {
        let Ok(event_id) = event.get_untracked().parse() else {
            return app.fail("choose the event to allot for".into());
        };
        let units = match wildroot_model::field::whole("number of units", &qty.get_untracked()) {
            Ok(n) => n,
            Err(e) => return app.fail(e),
        };
        let req = AllotStock { event_id, device: device.get_untracked(), sku: sku.get_untracked(), qty: units };
        spawn_local(async move {
            match call(&req).await {
                Ok(z) => {
                    app.toast.set(None);
                    qty.set(String::new());
                    report.set(Some(z));
                }
                Err(e) => app.fail(e),
            }
        });
    };
    // The allotments so far of the event chosen.
    Effect::new(move |_| {
        if let Ok(event_id) = event.get().parse() {
            spawn_local(async move {
                if let Ok(z) = call(&EventReport { event_id }).await {
                    report.set(Some(z));
                }
            });
        }
    });
    let device_label = |d: &KnownDevice| {
        let mut label = format!("…{}", short_device(&d.id));
        if d.this_device {
            label.push_str(" (this device)");
        }
        if let Some(p) = &d.receipt_prefix {
            label.push_str(&format!(" · receipts {p}"));
        }
        label.push_str(&format!(" · {} sales", d.sales));
        label
    };
    view! {
        <div class="card" id="allot">
            <h2>"Plan a market day and allot stock"</h2>
            <div class="inline-form">
                <label>"Event"<input id="plan-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <label>"Day"<input id="plan-date" type="date" prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev)) /></label>
                <label>"Where (optional)"<input id="plan-location" prop:value=move || location.get() on:input=move |ev| location.set(event_target_value(&ev)) /></label>
                <button class="secondary" id="plan-event" on:click=plan>"Plan it"</button>
            </div>
            <div class="inline-form">
                <label>
                    "For"
                    <select id="allot-event" prop:value=move || event.get() on:change=move |ev| event.set(event_target_value(&ev))>
                        <option value="">"Choose an event"</option>
                        {move || events.get().into_iter().map(|e| view! { <option value=e.id.to_string()>{format!("{} · {}", e.name, e.date)}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    "Booth device"
                    <select id="allot-device" prop:value=move || device.get() on:change=move |ev| device.set(event_target_value(&ev))>
                        <option value="">"Choose a device"</option>
                        {move || devices.get().iter().map(|d| view! { <option value=d.id.to_string()>{device_label(d)}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    "Product"
                    <select id="allot-sku" prop:value=move || sku.get() on:change=move |ev| sku.set(event_target_value(&ev))>
                        <option value="">"Choose a product"</option>
                        {move || products.get().into_iter().map(|p| view! { <option value=p.sku.clone()>{format!("{} ({} on hand)", p.name, p.on_hand)}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Units"<input id="allot-qty" inputmode="numeric" prop:value=move || qty.get() on:input=move |ev| qty.set(event_target_value(&ev)) /></label>
                <button class="primary" id="allot-save" on:click=allot>"Allot"</button>
            </div>
            {move || report.get().filter(|z| !z.allotments.is_empty()).map(|z| view! {
                <div id="allotments"><AllotmentTable lines=z.allotments show_device=true /></div>
            })}
        </div>
    }
}
