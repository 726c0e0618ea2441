//! The reports dashboard: sales by day, top sellers, by market event and by
//! payment method as charts; what the stock is worth; the margin of every
//! product; a date range; CSV export of each table.
use crate::api::call;
use crate::cart::money;
use crate::chart::{every_day, ColumnChart, RowChart};
use crate::pos::method_name;
use crate::state::AppState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wildroot_model::app::{Dashboard, DashboardView, ExportCsv, MarketResults, SaveCsvAs};
use wildroot_model::field;
use wildroot_model::op::PayMethod;
use wildroot_model::views::{MarketsReport, SalesReport};

/// `YYYY-MM-DD` (UTC, like the reports' days) `days` before now.
fn utc_day(days_ago: i64) -> String {
    let ms = js_sys::Date::now() - (days_ago as f64) * 86_400_000.0;
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!("{:04}-{:02}-{:02}", d.get_utc_full_year(), d.get_utc_month() + 1, d.get_utc_date())
}

/// The day report's rows by day, every day of the range drawn.
pub fn days(r: &SalesReport, from: &str, to: &str) -> Vec<(String, i64)> {
    let sold: Vec<(String, i64)> = r.rows.iter().map(|row| (row.key.clone(), row.total_cents)).collect();
    every_day(&sold, from, to)
}

/// A report's rows as (label, net takings) for a chart; a product's label
/// leads with its SKU, which the chart's narrow labels can do without.
/// A report's rows as bars of what customers paid, largest first: a chart
/// is sorted by what it draws (top sellers come from the core by units).
pub fn series(r: &SalesReport) -> Vec<(String, i64)> {
    let mut bars: Vec<(String, i64)> = r
        .rows
        .iter()
        .map(|row| {
            let label = row.label.strip_prefix(&format!("{} ", row.key)).unwrap_or(&row.label);
            (label.to_string(), row.total_cents)
        })
        .collect();
    bars.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    bars
}

/// The names [`series`] draws for a product report, in its order: a
/// product's label without its SKU (SKUs have no spaces), "Custom items"
/// as it is.
pub fn product_names(r: &SalesReport) -> Vec<String> {
    let mut rows: Vec<&wildroot_model::views::SalesRow> = r.rows.iter().collect();
    rows.sort_by(|a, b| b.total_cents.cmp(&a.total_cents).then_with(|| a.label.cmp(&b.label)));
    rows.iter()
        .map(|row| match row.label.split_once(' ') {
            Some((_, name)) if !row.key.is_empty() => name.to_string(),
            _ => row.label.clone(),
        })
        .collect()
}

fn payment_label(key: &str) -> String {
    match key {
        "cash" => method_name(PayMethod::Cash).into(),
        "card" => method_name(PayMethod::Card).into(),
        "other" => method_name(PayMethod::Other).into(),
        k => k.into(),
    }
}

#[component]
pub fn Reports() -> impl IntoView {
    let app = expect_context::<AppState>();
    let from = RwSignal::new(utc_day(29));
    let to = RwSignal::new(utc_day(0));
    let data = RwSignal::new(None::<DashboardView>);
    // Every market side by side: what each really earned (all seasons).
    let markets = RwSignal::new(None::<MarketsReport>);
    spawn_local(async move {
        match call(&MarketResults { season: None }).await {
            Ok(r) => markets.set(Some(r)),
            Err(e) => app.fail(e),
        }
    });
    let exported = RwSignal::new(None::<String>);
    // The date fields, read by the one parser (empty: open-ended).
    let period = move || Ok::<_, String>((field::optional_day("start date", &from.get())?, field::optional_day("end date", &to.get())?));
    Effect::new(move |_| {
        let req = match period() {
            Ok((from, to)) => Dashboard { from, to },
            Err(e) => return app.fail(e),
        };
        spawn_local(async move {
            match call(&req).await {
                Ok(d) => data.set(Some(d)),
                Err(e) => app.fail(e),
            }
        });
    });
    let range = move |id: &'static str, label: &'static str, days: Option<i64>| {
        view! {
            <button class="choice" id=id on:click=move |_| match days {
                Some(d) => {
                    from.set(utc_day(d - 1));
                    to.set(utc_day(0));
                }
                None => {
                    from.set(String::new());
                    to.set(String::new());
                }
            }>{label}</button>
        }
    };
    // Off: each CSV goes to Downloads at once. On: the platform's save
    // dialog asks where (closing it saves nothing).
    let ask_where = RwSignal::new(false);
    let export = move |report: &'static str| {
        let req = match untrack(period) {
            Ok((from, to)) => ExportCsv { report: report.into(), from, to },
            Err(e) => return app.fail(e),
        };
        spawn_local(async move {
            let saved = if ask_where.get_untracked() { call(&SaveCsvAs { export: req }).await } else { call(&req).await.map(Some) };
            match saved {
                Ok(Some(path)) => exported.set(Some(path)),
                Ok(None) => {}
                Err(e) => app.fail(e),
            }
        });
    };
    let export_button = move |report: &'static str| {
        view! { <button class="secondary export" id=format!("export-{report}") on:click=move |_| export(report)>"CSV"</button> }
    };
    view! {
        <section class="owner reports" id="reports">
            <div class="card range">
                <label>"From"<input type="date" id="from" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) /></label>
                <label>"To"<input type="date" id="to" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) /></label>
                <div class="choices">{range("range-7", "7 days", Some(7))} {range("range-30", "30 days", Some(30))} {range("range-all", "All time", None)}</div>
                {crate::form::checkbox("Ask where to save each CSV", "export-ask", ask_where)}
                {move || exported.get().map(|p| view! { <p class="done" id="export-done">{format!("Saved {p}")}</p> })}
            </div>
            {move || {
                data.get()
                    .map(|d| {
                        let payments: Vec<(String, i64)> = d.by_payment.rows.iter().map(|r| (payment_label(&r.key), r.total_cents)).collect();
                        view! {
                            <div class="card wide">
                                <div class="card-head">
                                    <h2>"Sales by day"</h2>
                                    <span class="figure" id="range-total">{money(d.by_day.total_cents)}</span>
                                    {export_button("day")}
                                </div>
                                <ColumnChart id="chart-by-day" values=days(&d.by_day, &from.get_untracked(), &to.get_untracked()) />
                            </div>
                            <div class="dash-grid">
                                <div class="card">
                                    <div class="card-head"><h2>"Top sellers"</h2>{export_button("product")}</div>
                                    <RowChart id="chart-top" values=series(&d.top_products) shown=product_names(&d.top_products) />
                                </div>
                                <div class="card">
                                    <div class="card-head"><h2>"By market"</h2>{export_button("event")}</div>
                                    <RowChart id="chart-events" values=series(&d.by_event) />
                                </div>
                                <div class="card">
                                    <div class="card-head"><h2>"By payment"</h2>{export_button("payment")}</div>
                                    <RowChart id="chart-payments" values=payments />
                                </div>
                                {move || markets.get().map(|r| {
                                    // Profit per market, as `report markets` computes it.
                                    let bars: Vec<(String, i64)> =
                                        r.markets.iter().map(|m| (format!("{} {}", m.event.name, m.event.date), m.profit_cents)).collect();
                                    view! {
                                        <div class="card" id="markets">
                                            <div class="card-head"><h2>"What each market earned"</h2></div>
                                            <RowChart id="chart-markets" values=bars />
                                            <table class="grid" id="markets-table">
                                                <thead>
                                                    <tr><th>"Market"</th><th class="num">"Sales"</th><th class="num">"Profit"</th><th class="num">"Per hour"</th></tr>
                                                </thead>
                                                <tbody>
                                                    {r.markets.iter().map(|m| view! {
                                                        <tr class="market" data-event=m.event.id.to_string() data-profit=m.profit_cents>
                                                            <td>{format!("{} · {}", m.event.name, m.event.date)}</td>
                                                            <td class="num">{money(m.net_sales_cents - m.refunds_cents)}</td>
                                                            <td class="num">{money(m.profit_cents)}</td>
                                                            <td class="num">{m.profit_per_hour_cents.map(money).unwrap_or_default()}</td>
                                                        </tr>
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }
                                })}
                                <div class="card" id="valuation">
                                    <h2>"Stock is worth"</h2>
                                    <dl class="sums">
                                        <dt>"Supplies, at cost"</dt>
                                        <dd id="value-supplies">{money(d.valuation.supplies_cents)}</dd>
                                        <dt>"Products, at batch cost"</dt>
                                        <dd id="value-products">{money(d.valuation.products_cents)}</dd>
                                        <dt>"In all"</dt>
                                        <dd class="grand" id="value-total">{money(d.valuation.total_cents)}</dd>
                                    </dl>
                                </div>
                            </div>
                            <div class="card wide">
                                <div class="card-head"><h2>"Margin per product"</h2>{export_button("margins")}</div>
                                <table class="grid" id="margins">
                                    <thead>
                                        <tr>
                                            <th>"Product"</th>
                                            <th class="num">"Price"</th>
                                            <th class="num">"Cost per unit"</th>
                                            <th class="num">"Margin"</th>
                                            <th class="num">"%"</th>
                                            <th class="num">"Sold (from lots)"</th>
                                            <th class="num">"Made on them"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {d.margins
                                            .iter()
                                            .map(|m| {
                                                let pct = m.margin_bp.map(wildroot_model::money::percent).unwrap_or_else(|| "—".into());
                                                view! {
                                                    <tr class="margin" data-sku=m.sku.clone() class:low=m.margin_cents.is_some_and(|c| c < 0)>
                                                        <td>{m.name.clone()}</td>
                                                        <td class="num">{money(m.price_cents)}</td>
                                                        <td class="num">{m.unit_cost_cents.map(money).unwrap_or_else(|| "no batches yet".into())}</td>
                                                        <td class="num">{m.margin_cents.map(money).unwrap_or_else(|| "—".into())}</td>
                                                        <td class="num">{pct}</td>
                                                        <td class="num">{m.sold_units}</td>
                                                        <td class="num sold-margin">{money(m.sold_net_cents - m.sold_cost_cents)}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <div class="card wide">
                                <div class="card-head"><h2>"Margin per lot"</h2></div>
                                <p class="muted">"Each batch at what it really cost (the supply lots it used, over what was made) against what its units sold for, before tax."</p>
                                <table class="grid" id="lot-margins">
                                    <thead>
                                        <tr>
                                            <th>"Lot"</th>
                                            <th>"Product"</th>
                                            <th class="num">"Made"</th>
                                            <th class="num">"Cost each"</th>
                                            <th class="num">"Sold"</th>
                                            <th class="num">"Sold for"</th>
                                            <th class="num">"Margin"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {d.lot_margins
                                            .iter()
                                            .map(|l| {
                                                view! {
                                                    <tr class="lot-margin" data-lot=l.lot_code.clone() data-margin=l.margin_cents class:low=l.margin_cents < 0>
                                                        <td class="mono">{l.lot_code.clone()}</td>
                                                        <td>{l.name.clone()}</td>
                                                        <td class="num">{l.made}</td>
                                                        <td class="num">{money(l.unit_cost_cents)}</td>
                                                        <td class="num">{l.sold}</td>
                                                        <td class="num">{money(l.net_cents)}</td>
                                                        <td class="num">{money(l.margin_cents)}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                    })
            }}
        </section>
    }
}
