//! Checks the Intercom imitation against the 2.16 spec's documented shapes and behaviours.
//! One test binary; each module covers one concern. Helpers unwrap like the tests do.

#![allow(clippy::unwrap_used)]

mod auth;
mod contacts;
mod control;
#[path = "../common/control_api.rs"]
mod control_api;
mod conversations;
mod deleted;
mod limits;
mod oauth;
#[path = "../common/receiver.rs"]
mod receiver;
mod search;
mod shapes;
mod support;
mod walk;
mod webhooks;
mod writes;
