//! What people type and what Shopify sends as amounts: money, quantities in
//! every unit, discounts and Shopify's decimal strings. Never a panic, and
//! what parses prints back to the same value.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wildroot_model::money::Money;
use wildroot_model::pricing::Discount;
use wildroot_model::quantity::{Quantity, Unit};
use wildroot_model::shopify::parse_cents;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(m) = Money::parse(s) {
        assert_eq!(Money::parse(&m.to_string()), Ok(m), "{s:?} read as {m}");
    }
    for unit in [Unit::G, Unit::Ml, Unit::Each] {
        if let Ok(q) = Quantity::parse(s, unit) {
            assert_eq!(Quantity::parse(&q.base().to_string(), unit), Ok(q), "{s:?} read as {q:?}");
        }
    }
    let _ = Discount::parse(s);
    if let Ok(cents) = parse_cents(s) {
        assert_eq!(parse_cents(&Money(cents).to_string()), Ok(cents), "{s:?} read as {cents}");
    }
});
