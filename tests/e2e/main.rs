//! deskgate's end-to-end tests: one binary, every test on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)]

mod api_keys;
mod browser;
mod connect;
mod connect_page;
mod connections;
mod errors;
mod events;
mod idempotency;
mod isolation;
mod limits;
mod operations;
mod passthrough;
mod renewal;
mod replicas;
mod resources;
mod rls;
mod settings;
mod store;
mod upstream_errors;
mod vault;
mod walk;
mod webhooks;
