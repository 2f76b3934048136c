//! deskgate-vault: the credential vault. It seals and opens bytes and does nothing else: no
//! files, no environment, no network, no database. The caller reads configuration and stored
//! rows and passes their text and bytes in.
//!
//! A [`KeyRing`] holds versioned 256-bit keys, one active version and a minimum decryptable
//! version; it is built from environment values or a key file ([`KeyRingSources`]) and checked
//! against the database with per-version check values. A [`Vault`] seals plaintext with
//! AES-256-GCM under the active key into a self-describing envelope bound to its owner
//! ([`AssociatedData`]: purpose, tenant, connection, field), opens it again, and re-wraps
//! old blobs under the active key.
//!
//! Layout:
//! - `associated_data`: the owner a blob is bound to and its canonical encoding
//! - `envelope`: the binary format of a sealed blob
//! - `key`: one version's cipher and check value
//! - `check_value`: key check values
//! - `key_ring`: the key ring and its validation
//! - `sources`: parsers for the environment and the key file
//! - `generate`: fresh keys and key files
//! - `vault`: seal, open, rewrap
//! - `mac`: short tags that authenticate data the gateway hands out (cursors), under a
//!   subkey derived from each key version
//! - `error`: [`VaultError`] and [`KeyRingError`]
//!
//! The formats and the rotation runbook are in `docs/security.md`.

mod associated_data;
mod check_value;
mod envelope;
mod error;
mod generate;
mod key;
mod key_ring;
mod mac;
mod sources;
mod vault;

pub use associated_data::{AssociatedData, Purpose};
pub use check_value::CHECK_VALUE_LEN;
pub use envelope::{ENVELOPE_OVERHEAD, blob_key_version};
pub use error::{KeyRingError, KeySource, Location, MalformedReason, VaultError};
pub use generate::{generate_key_entry, generate_key_file};
pub use key::KEY_LEN;
pub use key_ring::KeyRing;
pub use mac::SIGNATURE_LEN;
pub use sources::{ACTIVE_ENV, KEYS_ENV, KeyRingSources, MAX_KEY_VERSION, MIN_VERSION_ENV};
pub use vault::Vault;
