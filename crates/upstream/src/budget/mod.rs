//! The rate budget per upstream account: learn the limit from headers, pace below it with
//! GCRA at this replica's share, spend a vendor's reported window evenly to its end, block on
//! 429 exactly as long as the vendor says, share blocks between replicas, and hold background
//! work to its share of the pace.

pub(crate) mod account;
pub(crate) mod budgets;
pub(crate) mod gcra;
pub(crate) mod headers;
pub(crate) mod key;
pub(crate) mod lane;
pub(crate) mod registry;
pub(crate) mod replicas;
pub(crate) mod state;
pub(crate) mod window;
