//! The rate budget per upstream account: learn the limit from headers, pace below it with
//! GCRA, block on 429 exactly as long as the vendor says, share blocks between replicas, and
//! hold background work to its share of the pace.

pub(crate) mod account;
pub(crate) mod budgets;
pub(crate) mod gcra;
pub(crate) mod headers;
pub(crate) mod key;
pub(crate) mod lane;
pub(crate) mod registry;
pub(crate) mod state;
