//! Checks the Zendesk imitation against the vendor's documented shapes and behaviours.
//! One test binary; each module covers one concern. Helpers unwrap like the tests do.

#![allow(clippy::unwrap_used)]

mod auth;
mod consent;
mod export;
mod faults;
mod oauth;
mod paging;
mod shapes;
mod support;
mod writes;
