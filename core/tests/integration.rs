//! Every integration test of wildroot-core, one module per file beside this one,
//! built as one binary (Cargo.toml: autotests = false). Run one file's tests
//! with a filter: `cargo test -p wildroot-core --test integration books::`.
mod backup;
mod books;
mod label;
mod lots;
mod mail;
mod market;
mod migration;
mod only_apply_writes;
mod season;
mod shopify_import;
mod shopify_orders;
mod store;
mod trust;
