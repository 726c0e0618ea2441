//! The one-thumb POS: tap a tile (or scan), Charge, pick how it was paid.
//! An exact-cash sale of a favourite is three taps: tile, Charge, Exact.
use crate::api::call;
use crate::cart::{discount_text, keypad, money, parse_amount, parse_discount, quick_cash, Cart, Line, Tender};
use crate::state::AppState;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wildroot_model::app::{
    EmailReceipt, GetReceipt, ListParked, LotChoice, ParkCart, ParkedView, PrintReceipt, ProductLots, ReceiptEmails, ResumeParked, Search,
    Sell, WithdrawPayment,
};
use wildroot_model::op::PayMethod;
use wildroot_model::tax::TaxPlace;
use wildroot_model::tender::Tender as Tender0;
use wildroot_model::views::{ProductView, SaleReceipt};
use wildroot_model::{bounds, Money};

/// Where the sale in progress is.
#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    Cart,
    Tender,
    Done(Box<Done>),
}

/// A finished sale as its receipt shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Done {
    pub receipt: SaleReceipt,
    pub lines: Vec<Line>,
    pub payments: Vec<(PayMethod, i64)>,
    /// Payments in the shop's own tenders, and the tip.
    pub named: Vec<(String, bool, i64)>,
    pub tip: i64,
    pub customer: Option<String>,
}

#[derive(Clone, Copy)]
pub struct PosState {
    pub cart: RwSignal<Cart>,
    pub tender: RwSignal<Tender>,
    pub stage: RwSignal<Stage>,
    pub query: RwSignal<String>,
    pub results: RwSignal<Option<Vec<ProductView>>>,
    pub customer: RwSignal<String>,
    pub cart_open: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
    /// Carts set aside on this device, oldest first.
    pub parked: RwSignal<Vec<ParkedView>>,
}

impl PosState {
    pub fn new() -> PosState {
        PosState {
            cart: RwSignal::new(Cart::default()),
            tender: RwSignal::new(Tender::default()),
            stage: RwSignal::new(Stage::Cart),
            query: RwSignal::new(String::new()),
            results: RwSignal::new(None),
            customer: RwSignal::new(String::new()),
            cart_open: RwSignal::new(false),
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
            parked: RwSignal::new(Vec::new()),
        }
    }
}

impl Default for PosState {
    fn default() -> Self {
        PosState::new()
    }
}

/// Sets the cart aside (with the customer typed so far) and starts an empty one.
fn park(pos: PosState) {
    if pos.cart.with(Cart::is_empty) || pos.tender.with(|t| !t.is_empty()) {
        return;
    }
    let customer = pos.customer.get_untracked();
    let req = ParkCart { label: customer.clone(), cart: pos.cart.with_untracked(|c| c.parked(&customer)) };
    spawn_local(async move {
        match call(&req).await {
            Ok(list) => {
                pos.parked.set(list);
                pos.cart.set(Cart::default());
                pos.customer.set(String::new());
                pos.cart_open.set(false);
                pos.error.set(None);
            }
            Err(e) => pos.error.set(Some(e)),
        }
    });
}

/// Brings a parked cart back; the cart in hand, if any, is parked in its place.
fn resume(app: AppState, pos: PosState, id: String) {
    if pos.tender.with_untracked(|t| !t.is_empty()) {
        pos.error.set(Some("this cart has payments taken: finish it before you bring another back".into()));
        return;
    }
    let customer = pos.customer.get_untracked();
    let swap = pos.cart.with_untracked(|c| (!c.is_empty()).then(|| ParkCart { label: customer.clone(), cart: c.parked(&customer) }));
    spawn_local(async move {
        if let Some(req) = swap {
            if let Err(e) = call(&req).await {
                return pos.error.set(Some(e));
            }
        }
        match call(&ResumeParked { id }).await {
            Ok(kept) => {
                let cart = app.home.with_untracked(|h| Cart::resumed(&kept, h.as_ref().map(|h| h.products.as_slice()).unwrap_or(&[])));
                pos.cart.set(cart);
                pos.customer.set(kept.customer);
                pos.error.set(None);
            }
            Err(e) => pos.error.set(Some(e)),
        }
        if let Ok(list) = call(&ListParked {}).await {
            pos.parked.set(list);
        }
    });
}

/// Where a sale made now is taxed (the open market day's place, else the
/// home place), for pricing the cart as the core will.
pub(crate) fn place(app: AppState) -> TaxPlace {
    app.home.with(|h| match h {
        Some(h) => h.tax_place.clone().unwrap_or_else(|| TaxPlace::shop(h.tax_bp, h.tax_inclusive)),
        None => TaxPlace::shop(0, false),
    })
}

fn total(app: AppState, pos: PosState) -> i64 {
    let place = place(app);
    pos.cart.with(|c| c.total(&place))
}

/// Takes a payment; when what was handed over covers the total, rings the sale up.
fn pay(app: AppState, pos: PosState, method: PayMethod, cents: i64) {
    let due = total(app, pos);
    let remaining = pos.tender.with(|t| t.remaining(due));
    if cents <= 0 {
        pos.error.set(Some("type an amount above 0".into()));
        return;
    }
    if method != PayMethod::Cash && cents > remaining {
        pos.error.set(Some(format!("{} is more than the {} still due: change is only given from cash", money(cents), money(remaining))));
        return;
    }
    pos.error.set(None);
    pos.tender.update(|t| t.payments.push((method, cents)));
    if pos.tender.with(|t| t.covers(due)) {
        complete(app, pos);
    }
}

/// Takes a payment in one of the shop's own tenders (SNAP, tokens). One
/// that gives no change is never taken above what is still due.
fn pay_named(app: AppState, pos: PosState, tender: &Tender0, cents: i64) {
    let due = total(app, pos);
    let remaining = pos.tender.with(|t| t.remaining(due));
    if cents <= 0 {
        pos.error.set(Some("type an amount above 0".into()));
        return;
    }
    if !tender.gives_change && cents > remaining {
        pos.error.set(Some(format!("{} is more than the {} still due: {} gives no change", money(cents), money(remaining), tender.name)));
        return;
    }
    pos.error.set(None);
    pos.tender.update(|t| t.named.push((tender.name.clone(), tender.gives_change, cents)));
    if pos.tender.with(|t| t.covers(due)) {
        complete(app, pos);
    }
}

fn complete(app: AppState, pos: PosState) {
    if pos.busy.get_untracked() {
        return;
    }
    pos.busy.set(true);
    let cart = pos.cart.get_untracked();
    let taken = pos.tender.get_untracked();
    let payments = taken.payments.clone();
    let customer = Some(pos.customer.get_untracked().trim().to_string()).filter(|c| !c.is_empty());
    let req = Sell {
        lines: cart.items(),
        discount: cart.discount,
        customer: customer.clone(),
        payments: payments.clone(),
        tenders: taken.named.iter().map(|(name, _, c)| (name.clone(), *c)).collect(),
        tip_cents: taken.tip,
    };
    spawn_local(async move {
        match call(&req).await {
            Ok(receipt) => {
                // This device's printer, when it prints after each sale. A
                // printer that is off says so; the sale stands, reprintable.
                let print = PrintReceipt { sale_id: receipt.sale_id, after_sale: true };
                spawn_local(async move {
                    if let Err(e) = call(&print).await {
                        app.fail(format!("The receipt did not print ({e}). The sale is recorded: print it again from the receipt."));
                    }
                });
                pos.stage.set(Stage::Done(Box::new(Done {
                    receipt,
                    lines: cart.lines,
                    payments,
                    named: taken.named,
                    tip: taken.tip,
                    customer,
                })));
                pos.cart.set(Cart::default());
                pos.tender.set(Tender::default());
                pos.customer.set(String::new());
                pos.cart_open.set(false);
                app.refresh_home();
                app.refresh_sync();
            }
            Err(e) => {
                // Nothing was recorded, but the payments stay listed (a card
                // may really have been charged): the vendor fixes what was
                // refused and finishes, or takes payments off one by one.
                pos.error.set(Some(e));
            }
        }
        pos.busy.set(false);
    });
}

fn new_sale(pos: PosState) {
    pos.stage.set(Stage::Cart);
    pos.error.set(None);
    focus_search();
}

fn focus_search() {
    use wasm_bindgen::JsCast;
    if let Some(input) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("search"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = input.focus();
    }
}

/// What Enter in the search box adds: the product whose barcode or SKU is
/// exactly what was typed (a scanner types a barcode and Enter), else the
/// only product found.
pub fn scanned<'a>(query: &str, found: &'a [ProductView]) -> Option<&'a ProductView> {
    let q = query.trim();
    found.iter().find(|p| p.barcode.as_deref() == Some(q) || p.sku.eq_ignore_ascii_case(q)).or(if found.len() == 1 {
        found.first()
    } else {
        None
    })
}

fn add(app: AppState, pos: PosState, product: &ProductView) {
    pos.cart.update(|c| c.add(product));
    pos.error.set(None);
    app.toast.set(None);
}

#[component]
pub fn Pos() -> impl IntoView {
    let app = expect_context::<AppState>();
    let pos = expect_context::<PosState>();
    spawn_local(async move {
        if let Ok(list) = call(&ListParked {}).await {
            pos.parked.set(list);
        }
    });

    let on_search = move |ev| {
        let q = event_target_value(&ev);
        pos.query.set(q.clone());
        if q.trim().is_empty() {
            pos.results.set(None);
            return;
        }
        spawn_local(async move {
            if let Ok(found) = call(&Search { query: q.clone() }).await {
                // Answers can come back out of order: keep only the latest query's.
                if pos.query.get_untracked() == q {
                    pos.results.set(Some(found));
                }
            }
        });
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() != "Enter" {
            return;
        }
        ev.prevent_default();
        let q = pos.query.get_untracked();
        if q.trim().is_empty() {
            return;
        }
        spawn_local(async move {
            match call(&Search { query: q.clone() }).await {
                Ok(found) => match scanned(&q, &found) {
                    Some(p) => {
                        // A label's code carries the lot: the jar is sold from that lot.
                        match wildroot_model::gs1::parse(&q).and_then(Result::ok).and_then(|scan| scan.lot) {
                            Some(lot) => {
                                pos.cart.update(|c| c.add_from_lot(p, &lot));
                                pos.error.set(None);
                                app.toast.set(None);
                            }
                            None => add(app, pos, p),
                        }
                        pos.query.set(String::new());
                        pos.results.set(None);
                    }
                    None if found.is_empty() => {
                        pos.error.set(Some(format!("nothing matches '{}': check the barcode or search by name", q.trim())))
                    }
                    None => pos.results.set(Some(found)),
                },
                Err(e) => pos.error.set(Some(e)),
            }
        });
    };

    // Favourites when nothing is typed (the whole catalogue if none are set).
    let tiles = move || -> Vec<ProductView> {
        if let Some(found) = pos.results.get() {
            return found;
        }
        app.home.with(|h| {
            let all = h.as_ref().map(|h| h.products.as_slice()).unwrap_or(&[]);
            let favs: Vec<ProductView> = all.iter().filter(|p| p.favorite).cloned().collect();
            if favs.is_empty() {
                all.iter().take(60).cloned().collect()
            } else {
                favs
            }
        })
    };
    // The booth is usable once the shop is in and its tiles are drawn:
    // noted once, in the start-up trace (`api::trace`).
    let drawn = StoredValue::new(false);
    Effect::new(move || {
        if app.home.with(Option::is_some) && !drawn.get_value() {
            drawn.set_value(true);
            crate::api::trace("booth-ready");
        }
    });
    let count = move || pos.cart.with(Cart::count);
    let due = move || total(app, pos);
    let custom_open = RwSignal::new(false);

    view! {
        <section class="pos" class:cart-open=move || pos.cart_open.get()>
            <div class="catalog">
                {move || {
                    app.home
                        .with(|h| h.as_ref().and_then(|h| h.event.clone()))
                        .map(|e| view! { <div class="event-strip" id="event-strip">{format!("{} · open", e.name)}</div> })
                }}
                <input
                    id="search"
                    class="search"
                    type="search"
                    inputmode="search"
                    autocomplete="off"
                    placeholder="Search or scan a barcode"
                    prop:value=move || pos.query.get()
                    on:input=on_search
                    on:keydown=on_key
                />
                <Show when=move || !pos.parked.with(Vec::is_empty)>
                    <div class="parked" id="parked">
                        <span class="muted">"Parked:"</span>
                        {move || {
                            pos.parked
                                .get()
                                .into_iter()
                                .map(|p| {
                                    let label = format!("{} · {} item{}", p.label, p.cart.count(), if p.cart.count() == 1 { "" } else { "s" });
                                    let id = p.id.clone();
                                    view! {
                                        <button class="secondary parked-cart" data-id=p.id.clone() on:click=move |_| resume(app, pos, id.clone())>
                                            {label}
                                        </button>
                                    }
                                })
                                .collect_view()
                        }}
                    </div>
                </Show>
                <div class="tiles" id="tiles">
                    <For each=tiles key=|p| (p.sku.clone(), p.on_hand, p.price_cents) let:product>
                        <Tile product=product />
                    </For>
                    <button class="custom-tile" id="custom-item" on:click=move |_| custom_open.set(true)>
                        <span class="tile-name">"Custom amount"</span>
                        <span class="tile-stock">"Not in the catalogue"</span>
                    </button>
                </div>
                <Show when=move || custom_open.get()>
                    <CustomItemSheet open=custom_open />
                </Show>
            </div>
            <CartPanel />
            <div class="cart-bar" id="cart-bar">
                <button
                    class="icon undo"
                    id="undo"
                    title="Undo last"
                    disabled=move || pos.cart.with(Cart::is_empty)
                    on:click=move |_| {
                        pos.cart.update(|c| {
                            c.undo();
                        })
                    }
                >
                    "↶"
                </button>
                <button class="cart-summary" id="cart-toggle" on:click=move |_| pos.cart_open.update(|o| *o = !*o)>
                    <span id="cart-count">{move || format!("{} item{}", count(), if count() == 1 { "" } else { "s" })}</span>
                    <span id="cart-total">{move || money(due())}</span>
                </button>
                <button
                    class="charge"
                    id="charge"
                    // Payments already taken keep the way to them open, even if the cart was emptied since.
                    disabled=move || pos.cart.with(Cart::is_empty) && pos.tender.with(Tender::is_empty)
                    on:click=move |_| {
                        let place = place(app);
                        match pos.cart.with(|c| c.priced(&place)) {
                            Ok(_) => {
                                // Payments already taken stay (Back keeps them).
                                pos.error.set(None);
                                pos.stage.set(Stage::Tender);
                            }
                            // Emptied after paying in part: the sheet lists the payments to take off.
                            Err(_) if pos.tender.with(|t| !t.is_empty()) => {
                                pos.error.set(None);
                                pos.stage.set(Stage::Tender);
                            }
                            Err(e) => pos.error.set(Some(e.to_string())),
                        }
                    }
                >
                    {move || format!("Charge {}", money(due()))}
                </button>
            </div>
            <Show when=move || pos.error.with(Option::is_some) && pos.stage.with(|s| *s == Stage::Cart)>
                <p class="error pos-error" id="pos-error">{move || pos.error.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || pos.tender.with(|t| !t.is_empty())>
                <p class="warn pos-note" id="payments-kept">
                    {move || format!("{} already paid: Charge to finish, or take the payments off there.", money(pos.tender.with(Tender::paid)))}
                </p>
            </Show>
            <Show when=move || pos.stage.with(|s| *s == Stage::Tender)>
                <TenderSheet />
            </Show>
            {move || match pos.stage.get() {
                Stage::Done(done) => Some(view! { <ReceiptSheet done=*done /> }),
                _ => None,
            }}
        </section>
    }
}

/// An item not in the catalogue at a typed price (a seconds jar, gift
/// wrap): what it is, what it costs and whether it is taxed. It becomes a
/// sale line of its own that takes no stock.
#[component]
fn CustomItemSheet(open: RwSignal<bool>) -> impl IntoView {
    let pos = expect_context::<PosState>();
    let name = RwSignal::new("Custom item".to_string());
    let amount = RwSignal::new(String::new());
    let exempt = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let add_it = move |_| {
        let description = name.get_untracked();
        if let Err(e) = bounds::custom_description(description.trim()) {
            error.set(Some(e));
            return;
        }
        match parse_amount(&amount.get_untracked()) {
            Ok(cents) if cents > 0 => {
                let category = if exempt.get_untracked() { bounds::EXEMPT_CATEGORY } else { bounds::STANDARD_CATEGORY };
                pos.cart.update(|c| c.add_custom(&description, Money(cents), category));
                pos.error.set(None);
                open.set(false);
            }
            Ok(_) => error.set(Some("give the amount it sells for, above 0".into())),
            Err(e) => error.set(Some(e)),
        }
    };
    view! {
        <div class="sheet-backdrop">
            <div class="sheet custom-sheet" id="custom-sheet">
                <h2>"Custom amount"</h2>
                <label>
                    "What is it"
                    <input id="custom-name" type="text" maxlength="80" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <label>
                    "Amount"
                    <input
                        id="custom-amount"
                        type="text"
                        inputmode="decimal"
                        placeholder="0.00"
                        prop:value=move || amount.get()
                        on:input=move |ev| amount.set(event_target_value(&ev))
                    />
                </label>
                <label class="check">
                    <input id="custom-exempt" type="checkbox" prop:checked=move || exempt.get() on:change=move |ev| exempt.set(event_target_checked(&ev)) />
                    "No sales tax on this (exempt)"
                </label>
                <Show when=move || error.with(Option::is_some)>
                    <p class="error field-error" id="custom-error">{move || error.get().unwrap_or_default()}</p>
                </Show>
                <div class="thumb-row">
                    <button class="secondary" id="custom-cancel" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button class="primary" id="custom-add" on:click=add_it>"Add to cart"</button>
                </div>
            </div>
        </div>
    }
}

#[component]
fn Tile(product: ProductView) -> impl IntoView {
    let app = expect_context::<AppState>();
    let pos = expect_context::<PosState>();
    // At the booth a sold-out tile is flagged too, alert threshold or not.
    let low = product.is_low() || product.on_hand <= 0;
    let stock = if product.on_hand < 0 { format!("{} oversold", -product.on_hand) } else { format!("{} left", product.on_hand) };
    let sku = product.sku.clone();
    let in_cart = Memo::new(move |_| pos.cart.with(|c| c.lines.iter().find(|l| l.sku == sku).map(|l| l.qty).unwrap_or(0)));
    let view_product = product.clone();
    view! {
        <button class="tile" class:low=low data-sku=product.sku.clone() on:click=move |_| add(app, pos, &view_product)>
            <span class="tile-name">{product.name.clone()}</span>
            <span class="tile-price">{money(product.price_cents)}</span>
            <span class="tile-stock" data-on-hand=product.on_hand>{stock}</span>
            <Show when=move || { in_cart.get() > 0 }>
                <span class="tile-qty">{move || in_cart.get()}</span>
            </Show>
        </button>
    }
}

#[component]
fn CartPanel() -> impl IntoView {
    let app = expect_context::<AppState>();
    let pos = expect_context::<PosState>();
    let sale_discount = RwSignal::new(String::new());
    let priced = move || {
        let place = place(app);
        pos.cart.with(|c| c.priced(&place))
    };
    let lot_cache = RwSignal::new(std::collections::HashMap::<String, Vec<LotChoice>>::new());
    // The line whose quantity the keypad is typing, and what it shows.
    let keypad_for = RwSignal::new(None::<(usize, String)>);
    // A new sale starts with fresh counts of what each lot has left.
    Effect::new(move |_| {
        if pos.cart.with(Cart::is_empty) {
            lot_cache.update_untracked(std::collections::HashMap::clear);
        }
    });
    let line = move |(i, l): (usize, Line)| {
        let dtext = RwSignal::new(discount_text(l.discount));
        let qty = l.qty;
        // The lots on the table, for the rare sale where the jar's lot
        // matters: asked once per product while the cart holds it, not on
        // every tap that redraws the lines.
        let sku = l.sku.clone();
        // A custom-amount item has no lots to ask about.
        if l.custom.is_none() && lot_cache.with_untracked(|c| !c.contains_key(&sku)) {
            lot_cache.update(|c| {
                c.insert(sku.clone(), Vec::new());
            });
            let sku = sku.clone();
            spawn_local(async move {
                if let Ok(found) = call(&ProductLots { sku: sku.clone() }).await {
                    lot_cache.update(|c| {
                        c.insert(sku, found);
                    });
                }
            });
        }
        let lots = Memo::new(move |_| lot_cache.with(|c| c.get(&sku).cloned().unwrap_or_default()));
        let picked = l.lot.clone().unwrap_or_default();
        view! {
            <li class="cart-line" class:custom=l.custom.is_some() data-sku=l.sku.clone()>
                <div class="line-head">
                    <span class="line-name">{l.name.clone()}</span>
                    <span class="line-total">{move || priced().ok().and_then(|p| p.lines.get(i).map(|pl| money(pl.total_cents))).unwrap_or_default()}</span>
                </div>
                <div class="line-tools">
                    <div class="stepper">
                        <button class="icon step-down" on:click=move |_| pos.cart.update(|c| c.set_qty(i, qty - 1))>"−"</button>
                        <button class="qty" title="Type a quantity" on:click=move |_| keypad_for.set(Some((i, String::new())))>
                            {qty}
                        </button>
                        <button class="icon step-up" on:click=move |_| pos.cart.update(|c| c.set_qty(i, qty + 1))>"+"</button>
                    </div>
                    <span class="each">{format!("@ {}", money(l.unit_price_cents))}</span>
                    <input
                        class="line-discount"
                        placeholder="Discount"
                        inputmode="decimal"
                        prop:value=move || dtext.get()
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            dtext.set(text.clone());
                            match parse_discount(&text) {
                                Ok(d) => {
                                    pos.error.set(None);
                                    pos.cart.update(|c| c.set_line_discount(i, d));
                                }
                                Err(e) => pos.error.set(Some(e)),
                            }
                        }
                    />
                    <Show when=move || lots.with(|l| l.len() > 1)>
                        <select
                            class="line-lot"
                            title="Lot"
                            on:change=move |ev| {
                                let code = event_target_value(&ev);
                                pos.cart.update(|c| c.set_line_lot(i, Some(code)));
                            }
                        >
                            <option value="">"Lot: earliest expiry"</option>
                            {
                                let picked = picked.clone();
                                move || {
                                    lots.get()
                                        .into_iter()
                                        .map(|lot| {
                                            let label = match &lot.expires_on {
                                                Some(e) => format!("{} · {} left · best before {e}", lot.lot_code, lot.on_hand),
                                                None => format!("{} · {} left", lot.lot_code, lot.on_hand),
                                            };
                                            let chosen = lot.lot_code == picked;
                                            view! { <option value=lot.lot_code.clone() selected=chosen>{label}</option> }
                                        })
                                        .collect_view()
                                }
                            }
                        </select>
                    </Show>
                </div>
            </li>
        }
    };
    let press = move |key: char| {
        keypad_for.update(|k| {
            if let Some((_, shown)) = k {
                *shown = keypad(shown, key)
            }
        })
    };
    view! {
        <aside class="cart-panel" id="cart-panel">
            <Show when=move || keypad_for.with(Option::is_some)>
                <div class="sheet-backdrop">
                    <div class="sheet keypad" id="qty-keypad">
                        <p class="keypad-shown" id="keypad-shown">{move || keypad_for.with(|k| k.as_ref().map(|(_, s)| s.clone()).unwrap_or_default())}</p>
                        <div class="keys">
                            {['1', '2', '3', '4', '5', '6', '7', '8', '9', '⌫', '0']
                                .into_iter()
                                .map(|k| view! { <button class="key" data-key=k.to_string() on:click=move |_| press(k)>{k.to_string()}</button> })
                                .collect_view()}
                            <button
                                class="key primary"
                                id="keypad-ok"
                                on:click=move |_| {
                                    if let Some((i, shown)) = keypad_for.get_untracked() {
                                        // Empty keeps the quantity; 0 takes the line out, like the − button.
                                        if let Ok(q) = shown.parse::<i64>() {
                                            pos.cart.update(|c| c.set_qty(i, q));
                                        }
                                    }
                                    keypad_for.set(None);
                                }
                            >
                                "Set"
                            </button>
                        </div>
                        <button class="secondary" id="keypad-cancel" on:click=move |_| keypad_for.set(None)>"Cancel"</button>
                    </div>
                </div>
            </Show>
            <h2>"Cart"</h2>
            <Show when=move || pos.cart.with(Cart::is_empty)>
                <p class="muted">"Tap a product to add it."</p>
            </Show>
            <ul class="cart-lines">
                {move || pos.cart.get().lines.into_iter().enumerate().map(line).collect_view()}
            </ul>
            <label class="sale-discount">
                "Sale discount"
                <input
                    id="sale-discount"
                    placeholder="10% or 2.00"
                    inputmode="decimal"
                    prop:value=move || sale_discount.get()
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        sale_discount.set(text.clone());
                        match parse_discount(&text) {
                            Ok(d) => {
                                pos.error.set(None);
                                pos.cart.update(|c| c.discount = d);
                            }
                            Err(e) => pos.error.set(Some(e)),
                        }
                    }
                />
            </label>
            <div class="presets" id="discount-presets">
                {move || {
                    app.home
                        .with(|h| h.as_ref().map(|h| h.discount_presets.clone()).unwrap_or_default())
                        .into_iter()
                        .map(|p| {
                            let d = p.discount;
                            let chosen = move || pos.cart.with(|c| c.discount == Some(d));
                            view! {
                                <button
                                    class="secondary preset"
                                    class:chosen=chosen
                                    data-name=p.name.clone()
                                    aria-pressed=move || chosen().to_string()
                                    on:click=move |_| {
                                        // A second tap takes the preset off again.
                                        let next = if chosen() { None } else { Some(d) };
                                        sale_discount.set(discount_text(next));
                                        pos.error.set(None);
                                        pos.cart.update(|c| c.discount = next);
                                    }
                                >
                                    {format!("{} {}", p.name, d)}
                                </button>
                            }
                        })
                        .collect_view()
                }}
            </div>
            // A discount larger than the cart (or a line) is said here, as it is typed, not at Charge.
            {move || priced().err().map(|e| view! { <p class="error" id="cart-error" role="alert">{e.to_string()}</p> })}
            {move || {
                priced()
                    .ok()
                    .map(|p| {
                        view! {
                            <dl class="sums">
                                <dt>"Subtotal"</dt>
                                <dd>{money(p.gross_cents)}</dd>
                                <dt>"Discounts"</dt>
                                <dd id="cart-discount">{money(-p.discount_cents)}</dd>
                                <dt>{if place(app).inclusive { "Tax included" } else { "Tax" }}</dt>
                                <dd>{money(p.tax_cents)}</dd>
                                <dt class="grand">"Total"</dt>
                                <dd class="grand">{money(p.total_cents)}</dd>
                            </dl>
                        }
                    })
            }}
            <button
                class="secondary park"
                id="park-cart"
                title="Set this cart aside to serve the next customer"
                disabled=move || pos.cart.with(Cart::is_empty) || pos.tender.with(|t| !t.is_empty())
                on:click=move |_| {
                    sale_discount.set(String::new());
                    park(pos);
                }
            >
                "Park for later"
            </button>
            <button
                class="secondary clear"
                // A cart with payments taken is never thrown away by one tap.
                disabled=move || pos.cart.with(Cart::is_empty) || pos.tender.with(|t| !t.is_empty())
                on:click=move |_| {
                    sale_discount.set(String::new());
                    pos.cart.set(Cart::default());
                }
            >
                "Clear cart"
            </button>
        </aside>
    }
}

#[component]
fn TenderSheet() -> impl IntoView {
    let app = expect_context::<AppState>();
    let pos = expect_context::<PosState>();
    let split = RwSignal::new(String::new());
    // A split is two taps away, so a single tap never pays in part.
    let split_open = RwSignal::new(pos.tender.with_untracked(|t| !t.is_empty()));
    // The payment about to be taken off (its place in the list), asked first.
    let removing = RwSignal::new(None::<usize>);
    let customer_view = RwSignal::new(false);
    let tip_open = RwSignal::new(false);
    let tip_text = RwSignal::new(String::new());
    let due = move || total(app, pos);
    let remaining = move || pos.tender.with(|t| t.remaining(due()));
    let split_pay = move |method: PayMethod| match parse_amount(&split.get_untracked()) {
        Ok(cents) => {
            split.set(String::new());
            pay(app, pos, method, cents);
        }
        Err(e) => pos.error.set(Some(e)),
    };
    let payment = move |(n, (m, c)): (usize, (PayMethod, i64))| {
        view! {
            <li class="payment" data-method=method_name(m) data-cents=c>
                <span>{format!("{} {}", method_name(m), money(c))}</span>
                {move || match removing.get() {
                    Some(r) if r == n => {
                        let take_off = move || {
                            pos.tender.update(|t| {
                                t.remove(n);
                            });
                            removing.set(None);
                            pos.error.set(None);
                        };
                        // A card payment may have gone through on the reader:
                        // the answer is recorded (the Z report lists it), and
                        // one that was charged is owed back there.
                        let record = move |charged: bool| {
                            if pos.busy.get_untracked() {
                                return;
                            }
                            pos.busy.set(true);
                            spawn_local(async move {
                                match call(&WithdrawPayment { method: m, amount: Money(c), charged }).await {
                                    Ok(()) => {
                                        take_off();
                                        if charged {
                                            app.toast.set(Some(format!("Refund the {} on the card reader now.", money(c))));
                                        }
                                    }
                                    Err(e) => pos.error.set(Some(e)),
                                }
                                pos.busy.set(false);
                            });
                        };
                        if m == PayMethod::Cash {
                            view! {
                                <span class="ask">"Give the cash back?"</span>
                                <button class="danger confirm-remove" disabled=move || pos.busy.get() on:click=move |_| take_off()>
                                    "Take it off"
                                </button>
                                <button class="secondary" on:click=move |_| removing.set(None)>"Keep"</button>
                            }
                                .into_any()
                        } else {
                            view! {
                                <span class="ask">{format!("Was the {} charged?", method_name(m).to_lowercase())}</span>
                                <button
                                    class="danger confirm-remove"
                                    data-charged="true"
                                    disabled=move || pos.busy.get()
                                    on:click=move |_| record(true)
                                >
                                    "Charged: I'll refund it on the reader"
                                </button>
                                <button
                                    class="secondary confirm-remove"
                                    data-charged="false"
                                    disabled=move || pos.busy.get()
                                    on:click=move |_| record(false)
                                >
                                    "Not charged"
                                </button>
                                <button class="secondary" on:click=move |_| removing.set(None)>"Keep"</button>
                            }
                                .into_any()
                        }
                    }
                    _ => {
                        view! {
                            <button class="secondary remove-payment" title="Take this payment off" disabled=move || pos.busy.get() on:click=move |_| removing.set(Some(n))>
                                "Remove"
                            </button>
                        }
                            .into_any()
                    }
                }}
            </li>
        }
    };
    view! {
        <div class="sheet-backdrop">
            <div class="sheet tender" id="tender">
                <Show when=move || customer_view.get()>
                    // Turned round for the customer: the total in large type; a tap anywhere closes it.
                    <div class="customer-view" id="customer-view" on:click=move |_| customer_view.set(false)>
                        <p class="cv-shop">{move || app.home.with(|h| h.as_ref().map(|h| h.business_name.clone()).unwrap_or_default())}</p>
                        <p class="cv-label">{move || if pos.tender.with(Tender::is_empty) { "Total" } else { "Still due" }}</p>
                        <p class="cv-total" id="customer-total">{move || money(remaining())}</p>
                        <ul class="cv-lines">
                            {move || pos.cart.get().lines.into_iter().map(|l| view! { <li>{format!("{} × {}", l.qty, l.name)}</li> }).collect_view()}
                        </ul>
                    </div>
                </Show>
                <div class="tender-head">
                    // Back keeps what was paid: the sheet shows it again when the cart comes back here.
                    <button class="secondary back" id="tender-back" on:click=move |_| {
                        pos.error.set(None);
                        pos.stage.set(Stage::Cart);
                    }>"‹ Cart"</button>
                    <div class="due">
                        <span>{move || if pos.tender.with(Tender::is_empty) { "Due" } else { "Still due" }}</span>
                        <strong id="due">{move || money(remaining())}</strong>
                    </div>
                    <button class="secondary" id="show-customer" title="A large total to show the customer" on:click=move |_| customer_view.set(true)>
                        "Show"
                    </button>
                </div>
                <ul class="taken" id="taken">
                    {move || pos.tender.get().payments.into_iter().enumerate().map(payment).collect_view()}
                    {move || {
                        pos.tender
                            .get()
                            .named
                            .into_iter()
                            .enumerate()
                            .map(|(n, (name, _, c))| {
                                view! {
                                    <li class="payment" data-method=name.clone() data-cents=c>
                                        <span>{format!("{name} {}", money(c))}</span>
                                        <button
                                            class="secondary remove-payment"
                                            title="Take this payment off"
                                            disabled=move || pos.busy.get()
                                            on:click=move |_| {
                                                pos.tender.update(|t| {
                                                    if n < t.named.len() {
                                                        t.named.remove(n);
                                                    }
                                                });
                                            }
                                        >
                                            "Remove"
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                // A tip on top of the sale: recorded apart, with the tender that pays it.
                <div class="tip-row">
                    <Show
                        when=move || tip_open.get()
                        fallback=move || {
                            view! {
                                <button class="secondary" id="add-tip" on:click=move |_| tip_open.set(true)>
                                    {move || match pos.tender.with(|t| t.tip) {
                                        0 => "Add a tip".to_string(),
                                        t => format!("Tip {}", money(t)),
                                    }}
                                </button>
                            }
                        }
                    >
                        <input id="tip-amount" placeholder="Tip: 2.00 or 15%" inputmode="decimal" prop:value=move || tip_text.get() on:input=move |ev| tip_text.set(event_target_value(&ev)) />
                        <button class="secondary" id="tip-ok" on:click=move |_| {
                            let text = tip_text.get_untracked();
                            let text = text.trim();
                            let cents = if text.is_empty() {
                                Ok(0)
                            } else if text.ends_with('%') {
                                wildroot_model::field::percent_bp("tip", text).map(|bp| Money(due()).percent_bp(bp).0)
                            } else {
                                parse_amount(text)
                            };
                            match cents {
                                Ok(c) if c >= 0 => {
                                    pos.tender.update(|t| t.tip = c);
                                    pos.error.set(None);
                                    tip_open.set(false);
                                }
                                Ok(_) => pos.error.set(Some("a tip is 0 or more".into())),
                                Err(e) => pos.error.set(Some(e)),
                            }
                        }>"Set tip"</button>
                    </Show>
                </div>
                <input
                    id="customer"
                    class="customer"
                    placeholder="Customer email or phone (optional)"
                    inputmode="email"
                    prop:value=move || pos.customer.get()
                    on:input=move |ev| pos.customer.set(event_target_value(&ev))
                />
                <Show when=move || pos.error.with(Option::is_some)>
                    <p class="error" id="tender-error" role="alert">{move || pos.error.get().unwrap_or_default()}</p>
                </Show>
                // Paid in full but not recorded (the core refused the sale): once fixed, finish it with the same payments.
                <Show when=move || pos.tender.with(|t| t.covers(due())) && !pos.busy.get() && !pos.cart.with(Cart::is_empty)>
                    <button class="big primary" id="finish-sale" on:click=move |_| complete(app, pos)>"Finish the sale"</button>
                </Show>
                <button class="secondary split-toggle" id="split-toggle" aria-expanded=move || split_open.get().to_string() on:click=move |_| split_open.update(|o| *o = !*o)>
                    "Split payment"
                </button>
                <Show when=move || split_open.get()>
                    <div class="split">
                        <input id="split-amount" placeholder="Amount of this part" inputmode="decimal" prop:value=move || split.get() on:input=move |ev| split.set(event_target_value(&ev)) />
                        <button id="split-cash" disabled=move || pos.busy.get() on:click=move |_| split_pay(PayMethod::Cash)>"Cash"</button>
                        <button id="split-card" disabled=move || pos.busy.get() on:click=move |_| split_pay(PayMethod::Card)>"Card"</button>
                        <button id="split-other" disabled=move || pos.busy.get() on:click=move |_| split_pay(PayMethod::Other)>"Other"</button>
                    </div>
                </Show>
                <div class="quick" id="quick-cash">
                    {move || {
                        quick_cash(remaining())
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <button class="cash" data-cents=c disabled=move || pos.busy.get() on:click=move |_| pay(app, pos, PayMethod::Cash, c)>
                                        {money(c)}
                                    </button>
                                }
                            })
                            .collect_view()
                    }}
                </div>
                <div class="tenders" id="tenders">
                    {move || {
                        app.home
                            .with(|h| h.as_ref().map(|h| h.tenders.clone()).unwrap_or_default())
                            .into_iter()
                            .map(|t| {
                                let name = t.name.clone();
                                let label = t.name.clone();
                                let split_t = t.clone();
                                view! {
                                    <button
                                        class="method tender-pay"
                                        data-tender=name
                                        disabled=move || pos.busy.get()
                                        on:click=move |_| {
                                            // A typed split amount pays that part; else what is still due.
                                            match parse_amount(&split.get_untracked()) {
                                                Ok(c) if split_open.get_untracked() && c > 0 => {
                                                    split.set(String::new());
                                                    pay_named(app, pos, &split_t, c);
                                                }
                                                _ => pay_named(app, pos, &t, remaining()),
                                            }
                                        }
                    >
                                        {label}
                                    </button>
                                }
                            })
                            .collect_view()
                    }}
                    <button class="method other" id="pay-other" disabled=move || pos.busy.get() on:click=move |_| pay(app, pos, PayMethod::Other, remaining())>
                        "Other"
                    </button>
                </div>
                // The bottom edge, where the thumb rests: the two ways most sales are paid.
                <div class="thumb-row">
                    <button class="big method" id="pay-card" disabled=move || pos.busy.get() on:click=move |_| pay(app, pos, PayMethod::Card, remaining())>
                        "Card"
                    </button>
                    <button class="big primary" id="pay-exact" disabled=move || pos.busy.get() on:click=move |_| pay(app, pos, PayMethod::Cash, remaining())>
                        {move || format!("Exact cash {}", money(remaining()))}
                    </button>
                </div>
            </div>
        </div>
    }
}

pub fn method_name(m: PayMethod) -> &'static str {
    m.label()
}

#[component]
fn ReceiptSheet(done: Done) -> impl IntoView {
    let pos = expect_context::<PosState>();
    let app = expect_context::<AppState>();
    let r = done.receipt.clone();
    // Change is for cash: a sale paid by card alone says it is paid.
    let cash = done.payments.iter().any(|(m, _)| *m == PayMethod::Cash);
    let shop = app.home.with_untracked(|h| h.as_ref().map(|h| h.business_name.clone())).unwrap_or_default();
    // The receipt as recorded: tax by place and rate, as every format prints it.
    let recorded = RwSignal::new(None::<wildroot_model::receipt::Receipt>);
    let sale_id = r.sale_id;
    spawn_local(async move {
        match call(&GetReceipt { sale_id }).await {
            Ok(x) => recorded.set(Some(x)),
            Err(e) => app.fail(e),
        }
    });
    let printing = RwSignal::new(false);
    let print = move |_| {
        printing.set(true);
        spawn_local(async move {
            match call(&PrintReceipt { sale_id, after_sale: false }).await {
                Ok(_) => app.toast.set(None),
                Err(e) => app.fail(format!("The receipt did not print ({e}). The sale is recorded: try again.")),
            }
            printing.set(false);
        });
    };
    // Email: recorded now, offline too; the status follows each sync.
    let email_to = RwSignal::new(String::new());
    let emails = RwSignal::new(Vec::<wildroot_model::mail::ReceiptEmailView>::new());
    let refresh = move || {
        spawn_local(async move {
            if let Ok(got) = call(&ReceiptEmails { sale_id }).await {
                // The sale's customer's address is offered while none was asked for.
                if got.emails.is_empty() && email_to.with_untracked(String::is_empty) {
                    if let Some(e) = got.customer_email {
                        email_to.set(e);
                    }
                }
                emails.set(got.emails);
            }
        })
    };
    refresh();
    // While a request waits, its status is read again (the background sync brings the outcome).
    let watch = leptos::prelude::set_interval_with_handle(
        move || {
            if emails.with_untracked(|l| l.iter().any(|e| e.status != wildroot_model::mail::EmailStatus::Sent)) {
                refresh();
            }
        },
        std::time::Duration::from_secs(2),
    )
    .ok();
    on_cleanup(move || {
        if let Some(w) = watch {
            w.clear();
        }
    });
    let sending = RwSignal::new(false);
    let email = move |_| {
        let to = email_to.get_untracked();
        sending.set(true);
        spawn_local(async move {
            match call(&EmailReceipt { sale_id, to }).await {
                Ok(_) => {
                    email_to.set(String::new());
                    refresh();
                }
                Err(e) => app.fail(e),
            }
            sending.set(false);
        });
    };
    let tax_total = r.tax_cents;
    view! {
        <div class="sheet-backdrop">
            <div class="sheet receipt" id="receipt">
                {if cash {
                    view! {
                        <p class="change-label">"Change due"</p>
                        <p class="change" id="change">{money(r.change_cents)}</p>
                    }
                        .into_any()
                } else {
                    view! {
                        <p class="change-label">"Paid"</p>
                        <p class="change" id="paid">{money(r.total_cents)}</p>
                    }
                        .into_any()
                }}
                <button class="big primary" id="new-sale" on:click=move |_| new_sale(pos)>"New sale"</button>
                <button class="secondary" id="print-receipt" disabled=move || printing.get() on:click=print>
                    {move || if printing.get() { "Printing…" } else { "Print receipt" }}
                </button>
                <div class="email-receipt">
                    <input
                        id="email-to"
                        // text, not email: WebKit moves the caret of an email
                        // field when its value is set back while typing.
                        type="text"
                        inputmode="email"
                        autocapitalize="off"
                        autocomplete="email"
                        placeholder="Customer's email"
                        prop:value=move || email_to.get()
                        on:input=move |ev| email_to.set(event_target_value(&ev))
                    />
                    <button
                        class="secondary"
                        id="email-receipt"
                        disabled=move || sending.get() || email_to.with(|t| t.trim().is_empty())
                        on:click=email
                    >
                        "Email receipt"
                    </button>
                </div>
                <ul class="email-status" id="email-status">
                    {move || {
                        emails
                            .get()
                            .into_iter()
                            .map(|e| {
                                let said = match &e.reason {
                                    Some(r) => format!("{} · {} · {r}", e.to, e.status.as_str()),
                                    None => format!("{} · {}", e.to, e.status.as_str()),
                                };
                                view! {
                                    <li class="email" data-status=e.status.as_str() data-to=e.to.clone()>{said}</li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                // The next customer's first item starts the next sale in one tap.
                <div class="next-tiles" id="next-tiles">
                    {app.home
                        .with_untracked(|h| {
                            let all = h.as_ref().map(|h| h.products.as_slice()).unwrap_or(&[]);
                            let favs: Vec<ProductView> = all.iter().filter(|p| p.favorite).take(6).cloned().collect();
                            if favs.is_empty() { all.iter().take(6).cloned().collect() } else { favs }
                        })
                        .into_iter()
                        .map(|p| {
                            let name = p.name.clone();
                            view! {
                                <button class="secondary next-tile" data-sku=p.sku.clone() on:click=move |_| {
                                    new_sale(pos);
                                    add(app, pos, &p);
                                }>{name}</button>
                            }
                        })
                        .collect_view()}
                </div>
                <div class="receipt-body">
                    <p class="receipt-shop" id="receipt-shop">{shop}</p>
                    <p class="muted" id="receipt-when">{crate::form::when(js_sys::Date::now() as i64)}</p>
                    <p class="receipt-no" id="receipt-no">{format!("Receipt {}", r.receipt_no)}</p>
                    <ul>
                        {done
                            .lines
                            .iter()
                            .map(|l| view! { <li>{format!("{} × {}", l.qty, l.name)}</li> })
                            .collect_view()}
                    </ul>
                    <dl class="sums">
                        <dt>"Discounts"</dt>
                        <dd>{money(-r.discount_cents)}</dd>
                        {move || match recorded.get() {
                            Some(x) if !x.taxes.is_empty() => x
                                .taxes
                                .iter()
                                .map(|t| {
                                    let label = format!("Tax {} {}", wildroot_model::money::percent(t.rate_bp), t.place);
                                    view! { <dt>{label}</dt><dd class="receipt-tax" data-rate-bp=t.rate_bp.to_string()>{money(t.tax_cents)}</dd> }
                                })
                                .collect_view()
                                .into_any(),
                            _ => view! { <dt>"Tax"</dt><dd>{money(tax_total)}</dd> }.into_any(),
                        }}
                        <dt class="grand">"Total"</dt>
                        <dd class="grand" id="receipt-total">{money(r.total_cents)}</dd>
                        {done
                            .payments
                            .iter()
                            .map(|(m, c)| view! { <dt>{method_name(*m)}</dt><dd>{money(*c)}</dd> })
                            .collect_view()}
                        {done.named.iter().map(|(name, _, c)| view! { <dt>{name.clone()}</dt><dd>{money(*c)}</dd> }).collect_view()}
                        {(done.tip > 0).then(|| view! { <dt>"Tip"</dt><dd id="receipt-tip">{money(done.tip)}</dd> })}
                    </dl>
                    {done.customer.clone().map(|c| view! { <p class="muted">{format!("Customer: {c}")}</p> })}
                    {(!r.oversold.is_empty())
                        .then(|| view! { <p class="warn">{format!("Sold more than the stock shows: {}", r.oversold.join(", "))}</p> })}
                </div>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wildroot_model::ProductId;

    fn p(sku: &str, barcode: Option<&str>) -> ProductView {
        ProductView {
            id: ProductId::new(),
            sku: sku.into(),
            name: sku.into(),
            category: None,
            price_cents: 100,
            barcode: barcode.map(String::from),
            low_stock_at: 0,
            favorite: false,
            no_oversell: false,
            archived: false,
            tax_category: "standard".into(),
            label: Default::default(),
            on_hand: 1,
        }
    }

    #[test]
    fn a_scan_adds_the_exact_barcode_or_the_only_match() {
        let found = [p("LAV-SALVE", Some("0123456789012")), p("LAV-SOAP", Some("01234567890"))];
        assert_eq!(scanned("01234567890", &found).map(|p| p.sku.as_str()), Some("LAV-SOAP"));
        assert_eq!(scanned("lav-salve", &found).map(|p| p.sku.as_str()), Some("LAV-SALVE"));
        assert_eq!(scanned("LAV", &found), None, "two matches: the vendor chooses");
        assert_eq!(scanned("LAV", &found[..1]).map(|p| p.sku.as_str()), Some("LAV-SALVE"));
        assert_eq!(scanned("X", &[]), None);
    }
}
