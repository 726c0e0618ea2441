//! Shopify: the link to a store, the catalogue, stock pushed back, and the
//! import that reads orders from the Admin GraphQL API (the orders become
//! Wildroot rows in `crate::apply::shopify`, like every other write).
pub mod catalogue;
pub mod client;
pub mod import;
pub mod link;
pub mod stock;
