//! Checks the Freshdesk imitation against the vendor's documented shapes and behaviours.
//! One test binary; each module covers one concern. Helpers unwrap like the tests do.

#![allow(clippy::unwrap_used)]

mod auth;
mod automations;
mod control;
#[path = "../common/control_api.rs"]
mod control_api;
mod limits;
mod listing;
#[path = "../common/receiver.rs"]
mod receiver;
mod support;
mod trash;
mod walk;
mod writes;
