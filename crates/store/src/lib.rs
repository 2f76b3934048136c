//! deskgate-store: every SQL statement deskgate runs, on SQLite and PostgreSQL.
//!
//! - [`db`]: [`Store`], opening either backend from a URL and applying migrations.
//! - [`scope`]: the transaction wrapper that tells PostgreSQL's row-level security whose
//!   rows a statement may touch.
//! - one module per table family: [`tenants`], [`api_keys`], [`connections`],
//!   [`credentials`], [`audit`], [`vault_keys`], [`idempotency`], [`rate_state`],
//!   [`return_urls`], [`oauth_apps`], [`connect_sessions`] (and OAuth sessions), [`events`]
//!   (the ordered event log and its outbox fan-out), [`syncs`] (each connection's change sync),
//!   [`webhooks`] (the tenant's webhook endpoints, and the outbox's claims and attempts),
//!   [`replicas`] (the live replicas' heartbeat rows).
//!
//! Every function that touches tenant data takes a [`TenantId`](deskgate_core::TenantId).
//! The store keeps sealed credential bytes and never sees a key.

#[macro_use]
mod scope;

#[macro_use]
pub mod audit;
#[macro_use]
pub mod connect_sessions;
#[macro_use]
pub mod events;
pub mod api_keys;
mod availability;
pub mod connections;
pub mod credentials;
pub mod db;
mod error;
pub mod idempotency;
pub mod oauth_apps;
pub mod rate_state;
pub mod replicas;
pub mod return_urls;
pub mod syncs;
pub mod tenants;
pub mod vault_keys;
pub mod webhooks;

pub use db::{Backend, Store};
pub use error::StoreError;
pub use scope::Scope;
