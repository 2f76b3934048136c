//! deskgate-app: what deskgate does, independent of how it is asked.
//!
//! The HTTP API and the CLI both call into [`App`]; neither holds business rules of its own.
//! - [`app`]: [`App`], the handle to everything (store, caches, settings).
//! - [`api_keys`]: the key format, issuing, authenticating and revoking keys.
//! - [`tenants`]: creating and listing tenants.
//! - [`credentials`]: connection credentials through the vault: sealing on write, a
//!   short-lived cache of opened ones, audited opens, crypto-shredding, re-wrapping under a
//!   new key, and the boot check of the key ring against the database.
//! - [`context`]: who is acting and under which request id, for the audit log.
//! - [`error`]: [`AppError`], classified by what the caller did wrong; it knows no HTTP.

pub mod api_keys;
pub mod app;
pub mod context;
pub mod credentials;
pub mod error;
pub mod tenants;

pub use app::{App, AppSettings};
pub use context::{Actor, RequestContext};
pub use error::AppError;
