//! Connection credentials through the vault.
//!
//! - [`Credentials`] and [`CredentialField`] (a connection's named secrets) are the connector
//!   kit's, so that each provider writes and reads back its own fields.
//! - `access`: writing (sealed under the active key), reading (opened, audited, cached) and
//!   deleting a connection with its credentials (crypto-shredding).
//! - `cache`: the short-lived cache of opened credentials, invalidated on write and delete.
//! - `rewrap`: re-sealing every credential under the active key, safe beside live traffic.
//! - `key_check`: the boot check of the key ring against the check values in the database.
//!
//! Plaintext exists only as `secrecy` types: it is never logged, never in an error, never in
//! an audit record. Every open is audited; a cache hit is not an open.

mod access;
mod cache;
mod key_check;
mod rewrap;

pub use access::CredentialPurpose;
pub(crate) use cache::CredentialCache;
pub use deskgate_connector::{CredentialField, Credentials, UnknownCredentialField};
pub use key_check::KeyCheckError;
pub use rewrap::RewrapReport;
