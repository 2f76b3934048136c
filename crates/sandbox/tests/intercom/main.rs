//! Checks the Intercom imitation against the 2.16 spec's documented shapes and behaviours.
//! One test binary; each module covers one concern. Helpers unwrap like the tests do.

#![allow(clippy::unwrap_used)]

mod auth;
mod contacts;
mod control;
mod conversations;
mod limits;
mod oauth;
mod search;
mod shapes;
mod support;
mod walk;
mod writes;
