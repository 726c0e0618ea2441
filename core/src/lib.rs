//! The local store and every business operation of a Wildroot shop.
//!
//! Every change goes through [`Store::write`]: the command validates against
//! the current tables, records one [`Operation`](wildroot_model::Operation)
//! and applies it, all in one SQLite transaction. Reads are plain queries.
//! Nothing else in the workspace writes SQL against the local store.
#![forbid(unsafe_code)]

pub mod alert;
pub mod apply;
pub mod backup;
pub mod batch;
pub mod books;
pub mod customer;
pub mod demo;
pub mod error;
pub mod event;
pub mod export;
pub mod label;
pub mod lot;
pub mod mail;
pub mod market;
pub mod movement;
pub mod oplog;
pub mod parked;
pub mod product;
pub mod receipt;
pub mod recipe;
pub mod report;
pub mod sale;
pub mod settings;
pub mod shopify;
pub mod store;
pub mod supply;
pub mod sync;
pub mod tax;
pub mod tender;

pub use error::{CoreError, Result};
pub use store::{Store, Tx};
