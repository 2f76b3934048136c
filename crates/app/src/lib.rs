//! deskgate-app: what deskgate does, independent of how it is asked.
//!
//! The HTTP API and the CLI both call into [`App`]; neither holds business rules of its own.
//! - [`app`]: [`App`], the handle to everything (store, caches, settings).
//! - [`api_keys`]: the key format, issuing, authenticating and revoking keys.
//! - [`tenants`]: creating and listing tenants.
//! - [`credentials`]: connection credentials through the vault: sealing on write, a
//!   short-lived cache of opened ones, audited opens, crypto-shredding, re-wrapping under a
//!   new key, and the boot check of the key ring against the database.
//! - [`connections`]: connecting helpdesk accounts (checked with the vendor before anything
//!   is stored), the provider registry, token renewal exactly once per connection, calls on a
//!   connection's connector, and connection health.
//! - [`cursor`]: signed list cursors bound to their connection and list.
//! - [`return_urls`]: the tenant's registered return URLs, compared exactly.
//! - [`connect`]: connect sessions, the hosted page's logic, the tenant's OAuth apps and
//!   OAuth by redirect.
//! - [`events`]: change detection (each connection's sync on its vendor's change feed), the
//!   ordered event log, and vendor webhooks that make a sync run sooner.
//! - [`limits`]: inbound limits (request rates per API key and per tenant, calls in flight
//!   per connection), per replica.
//! - [`idempotency`]: replaying the first response to a write with an `Idempotency-Key`.
//! - [`webhooks`]: the tenant's webhook endpoints and the signed, durable delivery of events
//!   to them (Standard Webhooks), with the delivery workers every replica runs.
//! - [`context`]: who is acting and under which request id, for the audit log.
//! - [`error`]: [`AppError`], classified by what the caller did wrong; it knows no HTTP.

pub mod api_keys;
pub mod app;
pub mod connect;
pub mod connections;
/// The connector kit the providers are described with.
pub use deskgate_connector as connector;
pub mod context;
pub mod credentials;
pub mod cursor;
pub mod error;
pub mod events;
pub mod idempotency;
pub mod limits;
pub mod replicas;
pub mod return_urls;
mod secrets;
pub mod tenants;
pub mod webhooks;

pub use app::{App, AppSettings, UpstreamSettings};
pub use context::{Actor, RequestContext};
pub use error::AppError;
