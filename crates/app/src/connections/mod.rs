//! Connections: a tenant's customers' helpdesk accounts, and calls on them.
//!
//! - `model`: [`Connection`], [`ConnectionStatus`], what a connection is made from
//!   ([`ConnectRequest`]).
//! - `connect`: checking credentials with the vendor, then storing the connection and its
//!   sealed credentials in one transaction; listing, reading and deleting connections.
//! - `providers`: the registry, one `match` on [`Provider`](deskgate_core::Provider): stored
//!   credentials ⇄ a vendor's typed auth, and the connector built from them.
//! - `refresh`: renewing expiring tokens exactly once per connection: single-flight in the
//!   process and a lease on the connection row across replicas.
//! - `calls`: running a connector operation for a tenant, with renewal and error handling.
//! - `row_cache`: connection rows kept for a moment for the call path.
//! - `health`: what `GET /v1/connections/{id}/health` reports.
//! - `blocks`: the upstream engine's shared rate-limit blocks, kept in the store.

mod blocks;
mod calls;
mod connect;
mod health;
mod model;
mod providers;
mod refresh;
mod row_cache;

pub use blocks::StoreBlockRegistry;
pub use calls::{ListAt, Listed};
pub use health::{BudgetHealth, ConnectionHealth};
pub use model::{
    ConnectRequest, Connection, ConnectionStatus, ListConnections, ZendeskAuthInput, ZendeskConnect,
};
pub(crate) use refresh::RefreshLocks;
pub(crate) use row_cache::ConnectionCache;
