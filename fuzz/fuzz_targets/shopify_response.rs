//! What Shopify sends: a GraphQL `orders` or `products` page, or an order
//! webhook. Reading never panics, and every order that is read passes the
//! checks the import relies on.
#![no_main]
use libfuzzer_sys::fuzz_target;
use wildroot_model::shopify::order_from_webhook;
use wildroot_model::shopify_graphql::{orders_page, products_page};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Ok(page) = orders_page(&value) {
        for order in &page.orders {
            assert_eq!(order.validate(), Ok(()));
        }
    }
    let _ = products_page(&value);
    if let Ok(order) = order_from_webhook(&value) {
        assert_eq!(order.validate(), Ok(()));
    }
});
