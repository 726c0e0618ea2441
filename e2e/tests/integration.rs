//! Every integration test of wildroot-e2e, one module per file beside this one,
//! built as one binary (Cargo.toml: autotests = false). Run one file's tests
//! with a filter: `cargo test -p wildroot-e2e --test integration audit::`.
mod audit;
mod booth_first;
mod email_receipt;
mod market;
mod market_money;
mod owner;
mod pos;
mod receipt;
mod shopify;
mod sync_status;
