//! Pure types shared by every Wildroot crate: identifiers, exact money and
//! quantities, the hybrid logical clock, operations and the shapes that
//! reports and commands return.
//!
//! This crate does no I/O and builds for `wasm32-unknown-unknown`, so the
//! Leptos UI, the Tauri shell, the core and the server all speak one language.
#![forbid(unsafe_code)]

pub mod app;
pub mod bounds;
pub mod email;
pub mod field;
pub mod gs1;
pub mod hlc;
pub mod ids;
pub mod label;
pub mod mail;
pub mod money;
pub mod op;
pub mod pdf;
pub mod pricing;
pub mod quantity;
pub mod receipt;
pub mod shopify;
pub mod shopify_cost;
pub mod shopify_graphql;
pub mod sync;
pub mod tax;
pub mod tender;
pub mod views;

pub use hlc::Hlc;
pub use ids::*;
pub use money::{Money, ParseMoneyError};
pub use op::{OpKind, Operation, OP_VERSION};
pub use quantity::{ParseQuantityError, Quantity, Unit};
