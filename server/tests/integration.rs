//! Every integration test of wildroot-server, one module per file beside this one,
//! built as one binary (Cargo.toml: autotests = false). Run one file's tests
//! with a filter: `cargo test -p wildroot-server --test integration abuse::`.
mod abuse;
mod mail;
mod shopify;
mod simulation;
mod storage_story;
mod sync;
