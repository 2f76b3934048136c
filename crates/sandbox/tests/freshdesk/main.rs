//! Checks the Freshdesk imitation against the vendor's documented shapes and behaviours.
//! One test binary; each module covers one concern. Helpers unwrap like the tests do.

#![allow(clippy::unwrap_used)]

mod auth;
mod control;
mod limits;
mod listing;
mod support;
mod walk;
mod writes;
