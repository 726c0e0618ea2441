//! A believable maker's catalogue for first runs: supplies bought, recipes,
//! batches made, and a past Saturday market with real sales.
use crate::batch::ProduceRequest;
use crate::customer::CustomerInput;
use crate::error::{CoreError, Result};
use crate::product::NewProduct;
use crate::sale::{LineRequest, SaleRequest};
use crate::settings::TaxRule;
use crate::store::Store;
use crate::supply::NewSupply;
use wildroot_model::op::PayMethod;
use wildroot_model::pricing::Discount;
use wildroot_model::{Money, Unit};

const DAY_MS: i64 = 86_400_000;

/// SKU, batch yield, lines of (supply, quantity).
type DemoRecipe = (&'static str, i64, &'static [(&'static str, &'static str)]);

fn line(sku: &str, qty: i64) -> LineRequest {
    LineRequest { key: sku.into(), qty, unit_price: None, discount: None, lot: None, custom: None }
}

impl Store {
    /// Seeds the demo catalogue. Refuses a store that already has products.
    pub fn seed_demo(&mut self) -> Result<()> {
        let has: bool = self.conn().query_row("SELECT EXISTS (SELECT 1 FROM products)", [], |r| r.get(0))?;
        if has {
            return Err(CoreError::Invalid(
                "this database already has products: the demo goes into an empty one (use another database)".into(),
            ));
        }
        let now = self.now_ms();
        // Back-date the history so reports and the Z report have a past day to show.
        let at = |days_ago: i64, hour: i64| now - days_ago * DAY_MS + hour * 3_600_000 - (now % DAY_MS);
        let result = (|| -> Result<()> {
            self.set_clock(Some(at(20, 9)));
            self.set_business_name("Wildroot Alchemy")?;
            self.set_tax(TaxRule { bp: 0, inclusive: false })?;
            let supplies: &[(&str, Unit, &str, &str, &str, &str)] = &[
                // name, unit, reorder at, supplier, bought, cost
                ("Beeswax", Unit::G, "500g", "Hillside Apiary", "2kg", "36.00"),
                ("Olive oil", Unit::Ml, "1l", "Mediterranean Imports", "4l", "42.00"),
                ("Calendula-infused oil", Unit::Ml, "250ml", "made in-house", "1l", "18.50"),
                ("Shea butter", Unit::G, "500g", "Ghana Co-op", "1kg", "16.80"),
                ("Coconut oil", Unit::G, "1kg", "Bulk Naturals", "3kg", "27.00"),
                ("Sodium hydroxide (lye)", Unit::G, "250g", "Essential Depot", "1kg", "12.00"),
                ("Lavender essential oil", Unit::Ml, "30ml", "Provence Aromatics", "100ml", "24.00"),
                ("Dried chamomile", Unit::G, "100g", "Mountain Rose", "500g", "21.00"),
                ("Grain alcohol 40%", Unit::Ml, "500ml", "State Liquor", "3l", "45.00"),
                ("Colloidal oatmeal", Unit::G, "200g", "Bulk Naturals", "1kg", "9.50"),
                ("Raw honey", Unit::G, "200g", "Hillside Apiary", "1kg", "14.00"),
                ("2 oz tin", Unit::Each, "24", "Specialty Bottle", "144", "51.84"),
                ("1 oz dropper bottle", Unit::Each, "24", "Specialty Bottle", "72", "43.20"),
                ("Lip balm tube", Unit::Each, "50", "Specialty Bottle", "200", "30.00"),
            ];
            for (name, unit, reorder, supplier, qty, cost) in supplies {
                self.add_supply(NewSupply {
                    name: (*name).into(),
                    unit: Some(*unit),
                    reorder_at: Some((*reorder).into()),
                    supplier: Some((*supplier).into()),
                    notes: None,
                })?;
                self.receive_supply(name, qty, Money::parse(cost)?, None)?;
            }
            let products: &[(&str, &str, &str, &str, i64, bool)] = &[
                ("SALVE-LAV-2OZ", "Lavender Calendula Salve 2 oz", "14.00", "Salves", 6, true),
                ("SALVE-HEAL-2OZ", "Healing Herb Salve 2 oz", "15.00", "Salves", 6, true),
                ("SOAP-OAT", "Oatmeal Honey Soap", "9.00", "Soaps", 10, true),
                ("SOAP-LAV", "Lavender Soap", "9.00", "Soaps", 10, true),
                ("TINC-CHAM-1OZ", "Chamomile Calm Tincture 1 oz", "18.00", "Tinctures", 4, true),
                ("LIP-HONEY", "Honey Lip Balm", "5.00", "Lip care", 12, true),
                ("BUTTER-SHEA-4OZ", "Whipped Shea Body Butter 4 oz", "22.00", "Body", 3, false),
            ];
            for (i, (sku, name, price, category, low, fav)) in products.iter().enumerate() {
                self.add_product(NewProduct {
                    sku: (*sku).into(),
                    name: (*name).into(),
                    price: Money::parse(price)?,
                    category: Some((*category).into()),
                    barcode: Some(format!("0860001{:05}", 1001 + i)),
                    low_stock_at: Some(*low),
                    favorite: *fav,
                    no_oversell: false,
                    tax_category: None,
                    ..Default::default()
                })?;
            }
            let recipes: &[DemoRecipe] = &[
                (
                    "SALVE-LAV-2OZ",
                    12,
                    &[("Beeswax", "170g"), ("Calendula-infused oil", "500ml"), ("Lavender essential oil", "12ml"), ("2 oz tin", "12")],
                ),
                (
                    "SALVE-HEAL-2OZ",
                    12,
                    &[("Beeswax", "170g"), ("Olive oil", "500ml"), ("Lavender essential oil", "6ml"), ("2 oz tin", "12")],
                ),
                (
                    "SOAP-OAT",
                    10,
                    &[
                        ("Olive oil", "400ml"),
                        ("Coconut oil", "300g"),
                        ("Sodium hydroxide (lye)", "110g"),
                        ("Colloidal oatmeal", "40g"),
                        ("Raw honey", "30g"),
                    ],
                ),
                (
                    "SOAP-LAV",
                    10,
                    &[
                        ("Olive oil", "400ml"),
                        ("Coconut oil", "300g"),
                        ("Sodium hydroxide (lye)", "110g"),
                        ("Lavender essential oil", "20ml"),
                    ],
                ),
                ("TINC-CHAM-1OZ", 24, &[("Dried chamomile", "150g"), ("Grain alcohol 40%", "750ml"), ("1 oz dropper bottle", "24")]),
                ("LIP-HONEY", 40, &[("Beeswax", "60g"), ("Shea butter", "40g"), ("Raw honey", "10g"), ("Lip balm tube", "40")]),
                ("BUTTER-SHEA-4OZ", 6, &[("Shea butter", "400g"), ("Coconut oil", "150g"), ("Lavender essential oil", "4ml")]),
            ];
            for (sku, yield_qty, lines) in recipes {
                let lines: Vec<(String, String)> = lines.iter().map(|(s, q)| ((*s).into(), (*q).into())).collect();
                self.set_recipe(sku, *yield_qty, &lines)?;
            }
            self.set_clock(Some(at(14, 10)));
            let today = chrono::DateTime::from_timestamp_millis(now).map(|d| d.date_naive()).unwrap_or_default();
            for (sku, k, shelf_days) in [
                ("SALVE-LAV-2OZ", 2, 365),
                ("SALVE-HEAL-2OZ", 1, 365),
                ("SOAP-OAT", 3, 300),
                ("SOAP-LAV", 2, 300),
                ("TINC-CHAM-1OZ", 1, 25),
                ("LIP-HONEY", 1, 200),
                ("BUTTER-SHEA-4OZ", 1, 120),
            ] {
                self.produce(ProduceRequest {
                    sku: sku.into(),
                    batches: k,
                    lot_code: None,
                    expires_on: today.checked_add_days(chrono::Days::new(shelf_days)),
                    allow_short: false,
                    made: None,
                })?;
            }
            self.set_clock(Some(at(7, 8)));
            let regular = self.add_customer(CustomerInput {
                name: Some("Maya Greenleaf".into()),
                email: Some("maya@example.com".into()),
                phone: Some("555-0142".into()),
                notes: Some("Buys the lavender salve for her mother".into()),
            })?;
            self.add_customer(CustomerInput {
                name: Some("Tom Okafor".into()),
                email: Some("tom@example.com".into()),
                phone: None,
                notes: None,
            })?;
            let market_date = chrono::DateTime::from_timestamp_millis(at(7, 8)).map(|d| d.date_naive());
            self.open_event("Saturday Farmers Market", Some("Riverside Park"), market_date, Money(10_000))?;
            let sales: Vec<(i64, SaleRequest)> = vec![
                (
                    9,
                    SaleRequest {
                        lines: vec![line("SALVE-LAV-2OZ", 1)],
                        payments: vec![(PayMethod::Cash, Money(2000))],
                        ..Default::default()
                    },
                ),
                (
                    9,
                    SaleRequest {
                        lines: vec![line("SOAP-OAT", 2), line("LIP-HONEY", 1)],
                        payments: vec![(PayMethod::Card, Money(2300))],
                        ..Default::default()
                    },
                ),
                (
                    10,
                    SaleRequest {
                        lines: vec![line("SALVE-LAV-2OZ", 2), line("TINC-CHAM-1OZ", 1)],
                        customer: Some(regular.email.clone().unwrap_or_default()),
                        add_customer: false,
                        discount: Some(Discount::PercentBp(1000)),
                        payments: vec![(PayMethod::Card, Money(3000)), (PayMethod::Cash, Money(2000))],
                        ..Default::default()
                    },
                ),
                (
                    11,
                    SaleRequest { lines: vec![line("SOAP-LAV", 3)], payments: vec![(PayMethod::Cash, Money(3000))], ..Default::default() },
                ),
                (
                    11,
                    SaleRequest {
                        lines: vec![line("BUTTER-SHEA-4OZ", 1), line("LIP-HONEY", 2)],
                        payments: vec![(PayMethod::Card, Money(3200))],
                        ..Default::default()
                    },
                ),
                (
                    12,
                    SaleRequest {
                        lines: vec![line("SALVE-HEAL-2OZ", 1), line("SOAP-OAT", 1)],
                        payments: vec![(PayMethod::Cash, Money(2400))],
                        ..Default::default()
                    },
                ),
                (
                    13,
                    SaleRequest {
                        lines: vec![line("TINC-CHAM-1OZ", 2)],
                        payments: vec![(PayMethod::Other, Money(3600))],
                        ..Default::default()
                    },
                ),
            ];
            for (hour, sale) in sales {
                self.set_clock(Some(at(7, hour)));
                self.sell(sale)?;
            }
            self.set_clock(Some(at(7, 14)));
            // Float 100 + cash 14 + 11.40 (the split sale's 41.40 less 30 on card) + 27 + 24
            // = 176.40 expected; the drawer came up a dollar short.
            self.close_event(Money(17_540))?;
            self.set_clock(Some(at(5, 9)));
            self.adjust_product("SOAP-LAV", -1, "cracked bar, used as a tester")?;
            Ok(())
        })();
        self.set_clock(None);
        result
    }
}
