//! Connections: a tenant's customers' helpdesk accounts, and calls on them.
//!
//! - `model`: [`Connection`] and what a connection is made from ([`ConnectRequest`]).
//! - `input`: reading a connect or reauthorize body against the providers' descriptions.
//! - `connect`: checking credentials with the vendor, then storing the connection and its
//!   sealed credentials in one transaction; listing, reading and deleting connections.
//! - `registry`: the one `match` on [`Provider`](deskgate_core::Provider); every other path
//!   reaches a vendor through the `ProviderSpec` it returns.
//! - `refresh`: renewing expiring tokens exactly once per connection: single-flight in the
//!   process and a lease on the connection row across replicas.
//! - `renewal`: renewing tokens ahead of time in the background, through the same lock and
//!   lease.
//! - `calls`: running a connector operation for a tenant, with renewal and error handling.
//! - `row_cache`: connection rows kept for a moment for the call path.
//! - `connector_cache`: the call path's connectors, kept while their row and credentials hold.
//! - `health`: what `GET /v1/connections/{id}/health` reports.
//! - `blocks`: the upstream engine's shared rate-limit blocks, kept in the store.

mod blocks;
mod calls;
mod connect;
mod connector_cache;
mod health;
mod input;
mod model;
mod refresh;
pub mod registry;
mod renewal;
mod row_cache;

pub use blocks::StoreBlockRegistry;
pub use calls::{ListAt, ListPart, ListedStream};
pub(crate) use connector_cache::ConnectorCache;
pub use deskgate_core::ConnectionStatus;
pub use health::{BudgetHealth, ConnectionHealth};
pub use model::{ConnectRequest, Connection, ListConnections};
pub(crate) use refresh::RefreshLocks;
pub use renewal::{RenewalReport, RenewalSettings};
pub(crate) use row_cache::ConnectionCache;
