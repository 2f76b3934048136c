//! Where requests may go: validated labels and origins, the address policy, the guarded
//! resolver and the final destination check.

pub(crate) mod address;
pub(crate) mod destination;
pub(crate) mod label;
pub(crate) mod origin;
pub(crate) mod resolver;
