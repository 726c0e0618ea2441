//! Every integration test of wildroot, one module per file beside this one,
//! built as one binary (Cargo.toml: autotests = false). Run one file's tests
//! with a filter: `cargo test -p wildroot --test integration backup::`.
mod backup;
mod books;
mod cli;
mod common;
mod crash;
mod mail;
mod receipt;
mod shopify;
mod sync;
