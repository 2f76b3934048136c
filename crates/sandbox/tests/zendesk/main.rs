//! Checks the Zendesk imitation against the vendor's documented shapes and behaviours.
//! One test binary; each module covers one concern. Helpers unwrap like the tests do.

#![allow(clippy::unwrap_used)]

mod auth;
mod consent;
#[path = "../common/control_api.rs"]
mod control_api;
mod export;
mod export_limit;
mod faults;
mod oauth;
mod paging;
#[path = "../common/receiver.rs"]
mod receiver;
mod shapes;
mod support;
mod webhooks;
mod writes;
