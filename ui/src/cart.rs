//! What the POS holds between taps: the cart, its undo history and the
//! payments taken so far. Pure, so it is tested on the host; every figure
//! comes from `wildroot_model::pricing`, the same arithmetic the core records.
use wildroot_model::app::{CartItem, CustomAmount, ParkedCart};
use wildroot_model::bounds::STANDARD_CATEGORY;
use wildroot_model::op::PayMethod;
use wildroot_model::pricing::{self, Discount, Priced, PricingError};
use wildroot_model::tax::TaxPlace;
use wildroot_model::views::ProductView;
use wildroot_model::Money;

#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub sku: String,
    pub name: String,
    pub unit_price_cents: i64,
    pub qty: i64,
    pub discount: Option<Discount>,
    /// Picked by hand; `None`: the sale takes the earliest-expiring lot.
    pub lot: Option<String>,
    /// A custom-amount item's tax category; `None` for a product. A custom
    /// item's `sku` and `name` are what the vendor called it.
    pub custom: Option<String>,
    /// A product's tax category (a custom item's is `custom`).
    pub tax_category: String,
}

impl Line {
    fn category(&self) -> &str {
        self.custom.as_deref().unwrap_or(&self.tax_category)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cart {
    pub lines: Vec<Line>,
    pub discount: Option<Discount>,
    /// SKUs in the order they were tapped in, for undo.
    taps: Vec<String>,
}

impl Cart {
    /// One more of `product`: a tap on its tile or a scan of its barcode.
    pub fn add(&mut self, product: &ProductView) {
        match self.lines.iter_mut().find(|l| l.sku == product.sku && l.custom.is_none()) {
            Some(line) => line.qty += 1,
            None => self.lines.push(Line {
                sku: product.sku.clone(),
                name: product.name.clone(),
                unit_price_cents: product.price_cents,
                qty: 1,
                discount: None,
                lot: None,
                custom: None,
                tax_category: product.tax_category.clone(),
            }),
        }
        self.taps.push(product.sku.clone());
    }

    /// A product from a known lot (a label's code was scanned): one more on
    /// the line of that product and lot, else a line of its own.
    pub fn add_from_lot(&mut self, product: &ProductView, lot: &str) {
        match self.lines.iter_mut().find(|l| l.sku == product.sku && l.custom.is_none() && l.lot.as_deref() == Some(lot)) {
            Some(line) => line.qty += 1,
            None => self.lines.push(Line {
                sku: product.sku.clone(),
                name: product.name.clone(),
                unit_price_cents: product.price_cents,
                qty: 1,
                discount: None,
                lot: Some(lot.to_string()),
                custom: None,
                tax_category: product.tax_category.clone(),
            }),
        }
        self.taps.push(product.sku.clone());
    }

    /// An item not in the catalogue at a typed price (a seconds jar, gift
    /// wrap): its own line, taxed in `tax_category`, taking no stock.
    pub fn add_custom(&mut self, description: &str, price: Money, tax_category: &str) {
        let description = description.trim().to_string();
        self.lines.push(Line {
            sku: description.clone(),
            name: description.clone(),
            unit_price_cents: price.0,
            qty: 1,
            discount: None,
            lot: None,
            custom: Some(tax_category.to_string()),
            tax_category: tax_category.to_string(),
        });
        self.taps.push(description);
    }

    /// Sets a line's quantity; 0 or less takes the line out.
    pub fn set_qty(&mut self, index: usize, qty: i64) {
        if index >= self.lines.len() {
            return;
        }
        if qty <= 0 {
            self.lines.remove(index);
        } else {
            self.lines[index].qty = qty;
        }
    }

    pub fn set_line_discount(&mut self, index: usize, discount: Option<Discount>) {
        if let Some(line) = self.lines.get_mut(index) {
            line.discount = discount;
        }
    }

    pub fn set_line_lot(&mut self, index: usize, lot: Option<String>) {
        if let Some(line) = self.lines.get_mut(index) {
            line.lot = lot.filter(|l| !l.trim().is_empty());
        }
    }

    /// Takes back the last tap: one fewer of what was added last. False when
    /// there is nothing to undo.
    pub fn undo(&mut self) -> bool {
        while let Some(sku) = self.taps.pop() {
            if let Some(i) = self.lines.iter().position(|l| l.sku == sku) {
                let qty = self.lines[i].qty - 1;
                self.set_qty(i, qty);
                return true;
            }
        }
        false
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Items in the cart (a line of 3 counts 3).
    pub fn count(&self) -> i64 {
        self.lines.iter().map(|l| l.qty).sum()
    }

    /// The cart as the core will price it at `place`: each line at its
    /// tax category's rate there.
    pub fn priced(&self, place: &TaxPlace) -> Result<Priced, PricingError> {
        let lines: Vec<pricing::CartLine> = self
            .lines
            .iter()
            .map(|l| pricing::CartLine {
                qty: l.qty,
                unit_price: Money(l.unit_price_cents),
                discount: l.discount,
                tax_bp: Some(place.rate_of(l.category())),
            })
            .collect();
        pricing::price(&lines, self.discount, place.rate_bp, place.inclusive)
    }

    /// The total to charge, or 0 for an empty cart or one that cannot be priced.
    pub fn total(&self, place: &TaxPlace) -> i64 {
        self.priced(place).map(|p| p.total_cents).unwrap_or(0)
    }

    pub fn items(&self) -> Vec<CartItem> {
        self.lines
            .iter()
            .map(|l| CartItem {
                sku: l.sku.clone(),
                qty: l.qty,
                discount: l.discount,
                lot: l.lot.clone(),
                custom: l.custom.as_ref().map(|c| CustomAmount { unit_price: Money(l.unit_price_cents), tax_category: c.clone() }),
            })
            .collect()
    }

    /// What is kept of this cart when it is parked.
    pub fn parked(&self, customer: &str) -> ParkedCart {
        ParkedCart { lines: self.items(), discount: self.discount, customer: customer.trim().to_string() }
    }

    /// A parked cart back in the POS, named and priced from today's
    /// catalogue (the sale is priced by the core when it is charged). A
    /// product gone from the catalogue keeps its SKU as its name, and the
    /// core says so at Charge.
    pub fn resumed(parked: &ParkedCart, catalogue: &[ProductView]) -> Cart {
        let lines = parked
            .lines
            .iter()
            .map(|item| {
                if let Some(c) = &item.custom {
                    return Line {
                        sku: item.sku.clone(),
                        name: item.sku.clone(),
                        unit_price_cents: c.unit_price.0,
                        qty: item.qty,
                        discount: item.discount,
                        lot: None,
                        custom: Some(c.tax_category.clone()),
                        tax_category: c.tax_category.clone(),
                    };
                }
                let product = catalogue.iter().find(|p| p.sku == item.sku);
                Line {
                    sku: item.sku.clone(),
                    name: product.map_or_else(|| item.sku.clone(), |p| p.name.clone()),
                    unit_price_cents: product.map_or(0, |p| p.price_cents),
                    qty: item.qty,
                    discount: item.discount,
                    lot: item.lot.clone(),
                    custom: None,
                    tax_category: product.map_or_else(|| STANDARD_CATEGORY.to_string(), |p| p.tax_category.clone()),
                }
            })
            .collect();
        Cart { lines, discount: parked.discount, taps: Vec::new() }
    }
}

/// Payments taken towards one sale: one for a plain sale, several for a split.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tender {
    pub payments: Vec<(PayMethod, i64)>,
    /// Payments in the shop's own tenders: (name, gives change, cents).
    pub named: Vec<(String, bool, i64)>,
    /// A tip on top of the sale, owed with it.
    pub tip: i64,
}

impl Tender {
    pub fn paid(&self) -> i64 {
        self.payments.iter().map(|(_, c)| c).sum::<i64>() + self.named.iter().map(|(_, _, c)| c).sum::<i64>()
    }

    /// Whether nothing was taken yet.
    pub fn is_empty(&self) -> bool {
        self.payments.is_empty() && self.named.is_empty()
    }

    /// Takes the payment at `n` off the list (nothing when there is none).
    pub fn remove(&mut self, n: usize) -> Option<(PayMethod, i64)> {
        (n < self.payments.len()).then(|| self.payments.remove(n))
    }

    /// What is still owed on `total` and the tip.
    pub fn remaining(&self, total: i64) -> i64 {
        (total + self.tip - self.paid()).max(0)
    }

    /// Whether what was handed over covers `total` and the tip.
    pub fn covers(&self, total: i64) -> bool {
        self.paid() >= total + self.tip && !self.is_empty()
    }

    /// What was handed over, as the core settles it.
    pub fn tendered(&self) -> Vec<pricing::Tendered> {
        let mut out: Vec<pricing::Tendered> = self.payments.iter().map(|(m, c)| pricing::Tendered::of(*m, Money(*c))).collect();
        out.extend(self.named.iter().map(|(name, change, c)| pricing::Tendered {
            method: PayMethod::Other,
            tender: Some(name.clone()),
            amount: Money(*c),
            gives_change: *change,
        }));
        out
    }

    /// The change due if the sale were settled now, by the core's own rule.
    pub fn change(&self, total: i64) -> Result<i64, PricingError> {
        pricing::settle_with_tip(total, self.tip, &self.tendered()).map(|(_, change, _)| change)
    }
}

/// Cash buttons for what is still owed: the round-ups and the common notes
/// ($5, $10, $20, $50) *above* the amount, smallest first. Never a note
/// below it (a tap on $5 for an $18 sale would be a part payment by
/// accident), and not the exact amount (it has its own button).
pub fn quick_cash(remaining: i64) -> Vec<i64> {
    let mut out: Vec<i64> = pricing::tender_suggestions(Money(remaining)).into_iter().map(|m| m.0).filter(|c| *c > remaining).collect();
    for note in [500, 1000, 2000, 5000] {
        if !out.contains(&note) && note > remaining {
            out.push(note);
        }
    }
    out.sort_unstable();
    out
}

/// Notes and coins a drawer is counted in (US dollars; other currencies
/// count the total by hand), largest first, in cents.
pub const DENOMINATIONS: [i64; 10] = [10_000, 5_000, 2_000, 1_000, 500, 100, 25, 10, 5, 1];

/// A drawer counted by denomination: how many of each, typed as whole
/// numbers (empty is none). The total, or the first count that is not a number.
pub fn drawer_total(counts: &[(i64, String)]) -> Result<i64, String> {
    let mut total = 0i64;
    for (cents, typed) in counts {
        let n = wildroot_model::field::optional_whole(&format!("count of {}", money(*cents)), typed)?.unwrap_or(0);
        if n < 0 {
            return Err(format!("the count of {} is below zero", money(*cents)));
        }
        total = n.checked_mul(*cents).and_then(|c| c.checked_add(total)).ok_or("that drawer is too large to count")?;
    }
    Ok(total)
}

/// The quantity keypad: what the display shows after `key` (a digit, or
/// `⌫` to take the last one back). At most four digits: no booth sells
/// 10,000 of one thing in a tap, and a stuck key cannot overflow.
pub fn keypad(shown: &str, key: char) -> String {
    match key {
        '⌫' => shown.chars().take(shown.chars().count().saturating_sub(1)).collect(),
        d if d.is_ascii_digit() && shown.len() < 4 => {
            if shown == "0" {
                d.to_string()
            } else {
                format!("{shown}{d}")
            }
        }
        _ => shown.to_string(),
    }
}

thread_local! {
    // The UI runs on one thread; the shop's currency is set once it is known.
    static SYMBOL: std::cell::Cell<&'static str> = const { std::cell::Cell::new("$") };
}

/// The symbol amounts are shown with, for an ISO 4217 code.
pub fn symbol_of(code: &str) -> &'static str {
    match code {
        "USD" | "CAD" | "AUD" | "NZD" | "MXN" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "CHF" => "CHF ",
        "SEK" | "NOK" | "DKK" => "kr ",
        _ => "¤",
    }
}

pub fn set_currency(code: &str) {
    SYMBOL.with(|s| s.set(symbol_of(code)));
}

/// `$12.50`, `-$3.00`: money as the screens show it, in the shop's currency.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let symbol = SYMBOL.with(std::cell::Cell::get);
    format!("{sign}{symbol}{}", Money(cents.saturating_abs()))
}

/// A line's discount as typed back into its field.
pub fn discount_text(d: Option<Discount>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Reads what was typed into a discount field: empty clears it.
pub fn parse_discount(text: &str) -> Result<Option<Discount>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    Discount::parse(text).map(Some).map_err(|e| e.to_string())
}

/// Reads an amount typed in dollars (`20`, `12.5`, `$7.25`) as cents.
pub fn parse_amount(text: &str) -> Result<i64, String> {
    wildroot_model::field::price("amount", text).map(|m| m.0)
}

/// How long ago `then_ms` was, in words, as of `now_ms`.
pub fn ago(then_ms: i64, now_ms: i64) -> String {
    let secs = (now_ms - then_ms).max(0) / 1000;
    match secs {
        0..=9 => "just now".into(),
        10..=59 => format!("{secs} s ago"),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wildroot_model::ProductId;

    /// A place taxing everything at `bp`.
    fn at(bp: i64, inclusive: bool) -> TaxPlace {
        TaxPlace { name: "Here".into(), rate_bp: bp, inclusive, categories: Default::default() }
    }

    fn product(sku: &str, cents: i64) -> ProductView {
        ProductView {
            id: ProductId::new(),
            sku: sku.into(),
            name: format!("{sku} jar"),
            category: None,
            price_cents: cents,
            barcode: None,
            low_stock_at: 0,
            favorite: true,
            no_oversell: false,
            archived: false,
            on_hand: 10,
            tax_category: STANDARD_CATEGORY.into(),
            label: Default::default(),
        }
    }

    #[test]
    fn a_scanned_lot_gets_its_own_line_and_the_same_lot_adds_to_it() {
        let p = ProductView {
            id: wildroot_model::ProductId::new(),
            sku: "SALVE".into(),
            name: "Salve".into(),
            category: None,
            price_cents: 1400,
            barcode: None,
            low_stock_at: 0,
            favorite: false,
            no_oversell: false,
            archived: false,
            tax_category: "standard".into(),
            label: Default::default(),
            on_hand: 5,
        };
        let mut c = Cart::default();
        c.add_from_lot(&p, "LATE");
        c.add_from_lot(&p, "LATE");
        c.add_from_lot(&p, "SOON");
        let lines: Vec<(Option<&str>, i64)> = c.lines.iter().map(|l| (l.lot.as_deref(), l.qty)).collect();
        assert_eq!(lines, [(Some("LATE"), 2), (Some("SOON"), 1)]);
    }

    #[test]
    fn taps_make_lines_and_undo_takes_back_the_last() {
        let (salve, soap) = (product("SALVE", 1200), product("SOAP", 850));
        let mut cart = Cart::default();
        cart.add(&salve);
        cart.add(&soap);
        cart.add(&salve);
        assert_eq!(cart.lines.len(), 2);
        assert_eq!(cart.count(), 3);
        assert_eq!(cart.total(&at(0, false)), 3250);
        assert!(cart.undo());
        assert_eq!((cart.lines[0].qty, cart.count()), (1, 2));
        assert!(cart.undo());
        assert_eq!(cart.lines.len(), 1, "the soap line is gone");
        // A line taken out with the stepper is skipped by undo.
        cart.set_qty(0, 0);
        assert!(!cart.undo());
        assert!(cart.is_empty());
        assert_eq!(cart.total(&at(0, false)), 0);
    }

    #[test]
    fn the_cart_total_is_the_core_s_arithmetic() -> Result<(), String> {
        let mut cart = Cart::default();
        cart.add(&product("SALVE", 1200));
        cart.set_qty(0, 2);
        cart.add(&product("SOAP", 850));
        cart.set_line_discount(0, parse_discount("10%")?);
        cart.discount = parse_discount("1.00")?;
        // 2400 − 240 = 2160, + 850 = 3010, − 100 = 2910, + 8.25 % tax = 240.075 → 240.
        let p = cart.priced(&at(825, false)).map_err(|e| e.to_string())?;
        assert_eq!((p.discount_cents, p.tax_cents, p.total_cents), (340, 240, 3150));
        assert_eq!(cart.total(&at(825, true)), 2910, "tax included in the prices");
        assert_eq!(money(p.total_cents), "$31.50");
        assert_eq!(cart.items()[0].qty, 2);
        assert!(parse_discount("150%").is_err());
        assert!(parse_discount("abc").is_err_and(|e| e.contains("10%")));
        Ok(())
    }

    #[test]
    fn a_too_large_discount_makes_the_cart_unpriceable_not_negative() -> Result<(), String> {
        let mut cart = Cart::default();
        cart.add(&product("SALVE", 500));
        cart.discount = parse_discount("6.00")?;
        assert!(cart.priced(&at(0, false)).is_err_and(|e| e.to_string().contains("more than")));
        assert_eq!(cart.total(&at(0, false)), 0);
        Ok(())
    }

    #[test]
    fn tender_covers_splits_and_gives_change_from_cash_only() {
        let total = 3150;
        let mut t = Tender::default();
        assert!(!t.covers(total));
        t.payments.push((PayMethod::Card, 1000));
        assert_eq!(t.remaining(total), 2150);
        t.payments.push((PayMethod::Cash, 5000));
        assert!(t.covers(total));
        assert_eq!(t.change(total), Ok(2850));
        let card_over = Tender { payments: vec![(PayMethod::Card, 4000)], ..Default::default() };
        assert!(card_over.change(total).is_err());
    }

    #[test]
    fn a_drawer_counted_by_notes_and_coins_adds_up() {
        let counts = vec![(2_000, "3".to_string()), (500, String::new()), (25, "4".into()), (1, "7".into())];
        assert_eq!(drawer_total(&counts), Ok(6_107));
        assert!(drawer_total(&[(100, "two".into())]).is_err());
        assert!(drawer_total(&[(100, "-1".into())]).is_err());
    }

    #[test]
    fn the_keypad_types_whole_quantities_of_at_most_four_digits() {
        let typed = "12".chars().fold(String::new(), |s, k| keypad(&s, k));
        assert_eq!(typed, "12");
        assert_eq!(keypad("12", '⌫'), "1");
        assert_eq!(keypad("", '⌫'), "");
        assert_eq!(keypad("0", '7'), "7");
        assert_eq!(keypad("9999", '9'), "9999");
        assert_eq!(keypad("12", '.'), "12", "whole units only");
    }

    #[test]
    fn a_parked_cart_comes_back_as_it_was() {
        let soap = product("SOAP", 850);
        let mut cart = Cart::default();
        cart.add(&soap);
        cart.add(&soap);
        cart.set_line_discount(0, Some(Discount::PercentBp(1000)));
        cart.discount = Some(Discount::Amount(Money(100)));
        let kept = cart.parked(" ana@example.com ");
        assert_eq!(kept.customer, "ana@example.com");
        assert_eq!(kept.count(), 2);
        let back = Cart::resumed(&kept, &[soap]);
        assert_eq!((back.lines.clone(), back.discount), (cart.lines.clone(), cart.discount));
        assert_eq!(back.total(&at(0, false)), cart.total(&at(0, false)));
    }

    #[test]
    fn a_payment_comes_off_the_list_and_what_is_due_comes_back() {
        let mut t = Tender { payments: vec![(PayMethod::Card, 500), (PayMethod::Cash, 400)], ..Default::default() };
        assert_eq!(t.remaining(1800), 900);
        assert_eq!(t.remove(0), Some((PayMethod::Card, 500)));
        assert_eq!(t.payments, vec![(PayMethod::Cash, 400)]);
        assert_eq!(t.remaining(1800), 1400);
        assert_eq!(t.remove(5), None, "nothing there, nothing taken");
    }

    #[test]
    fn quick_cash_offers_notes_and_round_ups() {
        assert_eq!(quick_cash(1250), vec![1300, 1500, 2000, 5000, 10_000]);
        assert_eq!(quick_cash(1800), vec![2000, 5000, 10_000]);
        assert_eq!(quick_cash(2000), vec![5000, 10_000]);
        assert_eq!(quick_cash(7), vec![100, 500, 1000, 2000, 5000, 10_000]);
        // Whatever is due, every offer covers it: a tap never pays in part.
        for due in [1, 99, 500, 1799, 4999, 12_345, 99_999] {
            assert!(quick_cash(due).iter().all(|c| *c > due), "{due}");
        }
    }

    #[test]
    fn words_for_screens() {
        assert_eq!(money(-300), "-$3.00");
        assert_eq!(money(5), "$0.05");
        assert_eq!(discount_text(Some(Discount::PercentBp(1250))), "12.5%");
        assert_eq!(discount_text(Some(Discount::PercentBp(1005))), "10.05%");
        assert_eq!(discount_text(Some(Discount::Amount(Money(250)))), "2.50");
        assert_eq!(parse_amount("$20"), Ok(2000));
        assert_eq!(parse_amount("12.5"), Ok(1250));
        assert!(parse_amount("-1").is_err());
        assert!(parse_amount("lots").is_err_and(|e| e.contains("12.50")));
        assert_eq!(ago(0, 5_000), "just now");
        assert_eq!(ago(0, 125_000), "2 min ago");
        assert_eq!(ago(0, 7_200_000), "2 h ago");
    }

    #[test]
    fn a_custom_item_is_its_own_line_taxed_by_its_category_and_parks_whole() {
        let mut c = Cart::default();
        c.add(&product("SALVE", 1000));
        c.add_custom("Gift wrap", Money(150), "exempt");
        c.add_custom("Seconds jar", Money(400), "standard");
        // 10.00 + 4.00 at 10 %, 1.50 exempt.
        assert_eq!(c.priced(&at(1000, false)).map(|p| (p.tax_cents, p.total_cents)), Ok((140, 1690)));
        let parked = c.parked("");
        assert_eq!(parked.lines[1].custom, Some(CustomAmount { unit_price: Money(150), tax_category: "exempt".into() }));
        // Back from parking, priced as it was, whatever the catalogue holds.
        let back = Cart::resumed(&parked, &[product("SALVE", 1000)]);
        assert_eq!(back.total(&at(1000, false)), 1690);
        assert_eq!(back.lines[2].name, "Seconds jar");
        // A product of the same name is still a product of its own.
        let mut c = Cart::default();
        c.add_custom("SALVE", Money(1), "standard");
        c.add(&product("SALVE", 1000));
        assert_eq!(c.lines.len(), 2);
    }

    #[test]
    fn a_tender_that_gives_no_change_and_a_tip_settle_as_the_core_does() {
        let mut t = Tender { tip: 200, ..Default::default() };
        // 19.25 due and a 2.00 tip: SNAP 8.32, then 20 cash.
        t.named.push(("SNAP".into(), false, 832));
        assert_eq!(t.remaining(1925), 1925 + 200 - 832);
        assert!(!t.covers(1925));
        t.payments.push((PayMethod::Cash, 2000));
        assert!(t.covers(1925));
        assert_eq!(t.change(1925), Ok(2000 + 832 - 1925 - 200));
        // SNAP above what is due is refused by the same rule.
        let over = Tender { named: vec![("SNAP".into(), false, 3000)], ..Default::default() };
        assert!(over.change(1925).is_err());
    }
}
