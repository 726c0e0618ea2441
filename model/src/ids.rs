//! Newtype identifiers over UUIDv7, made on the device that creates the thing.
//!
//! UUIDv7 sorts by creation time, so ids made offline on many devices never
//! collide and still index well.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type!(
    /// One operation in the log.
    OpId,
    /// A device (phone, laptop, server importer) that records operations.
    DeviceId,
    /// A product the maker sells.
    ProductId,
    /// A raw material bought in: beeswax, oil, jars.
    SupplyId,
    /// A lot: one receipt of a supply or one production batch of a product.
    LotId,
    /// A market day or fair.
    EventId,
    /// A completed sale.
    SaleId,
    /// A refund against a sale.
    RefundId,
    /// A customer.
    CustomerId,
);
