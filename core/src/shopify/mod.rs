//! Shopify: the link to a store, the online orders as Wildroot rows, and
//! the import that reads them from the Admin GraphQL API.
pub mod catalogue;
pub mod client;
pub mod import;
pub mod link;
pub mod project;
pub mod stock;
