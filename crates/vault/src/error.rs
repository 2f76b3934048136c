//! Errors of the vault, classified by what the caller can do about them.
//!
//! No message ever contains key material or plaintext: key entries are named by their
//! position and version, never by their text.

use std::fmt;

/// Why sealing, opening or re-wrapping a blob failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// The bytes are not a sealed blob this version of the vault understands: corrupted
    /// storage, or a blob written by a newer release.
    #[error("sealed blob is malformed: {reason}")]
    Malformed {
        /// What is wrong with the envelope.
        reason: MalformedReason,
    },
    /// The blob was sealed with a key version that is not configured: add the key back.
    #[error("sealed blob uses key version {version}, which is not in the key ring")]
    UnknownKeyVersion {
        /// The key version named by the blob's header.
        version: u32,
    },
    /// The blob was sealed with a key version below the minimum decryptable version: it
    /// missed a re-wrap, or the minimum was raised too early.
    #[error(
        "sealed blob uses key version {version}, below the minimum decryptable version {minimum}"
    )]
    BelowMinimumVersion {
        /// The key version named by the blob's header.
        version: u32,
        /// The configured minimum decryptable version.
        minimum: u32,
    },
    /// Authentication failed. Deliberately one case for a tampered blob, a blob opened as
    /// another owner (tenant, connection, field, purpose) and a wrong key under the right
    /// version: telling them apart would help an attacker and not the caller.
    #[error(
        "sealed blob failed authentication: it was altered, belongs to another owner, or its key is wrong"
    )]
    OpenFailed,
    /// The plaintext exceeds what AES-256-GCM can seal under one nonce (about 64 GiB).
    #[error("plaintext is too large to seal")]
    TooLarge,
    /// The operating system's random number generator failed, so no nonce could be drawn.
    #[error("the system random number generator failed")]
    Randomness,
}

/// What is wrong with a malformed envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MalformedReason {
    /// Shorter than header, nonce and tag together.
    TooShort {
        /// The blob's length in bytes.
        len: usize,
    },
    /// A format version this release does not know.
    UnknownFormat {
        /// The format version byte.
        version: u8,
    },
    /// An algorithm id this release does not know.
    UnknownAlgorithm {
        /// The algorithm id byte.
        id: u8,
    },
    /// Key version 0, which is reserved and never written.
    ReservedKeyVersion,
}

impl fmt::Display for MalformedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MalformedReason::TooShort { len } => write!(
                f,
                "{len} bytes is shorter than the {} bytes of an empty envelope",
                crate::ENVELOPE_OVERHEAD
            ),
            MalformedReason::UnknownFormat { version } => {
                write!(f, "unknown format version {version}")
            }
            MalformedReason::UnknownAlgorithm { id } => write!(f, "unknown algorithm id {id}"),
            MalformedReason::ReservedKeyVersion => f.write_str("key version 0 is reserved"),
        }
    }
}

/// Where a key-ring source came from, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// `DESKGATE_VAULT_KEYS` with `DESKGATE_VAULT_ACTIVE` and `DESKGATE_VAULT_MIN_VERSION`.
    Environment,
    /// A key file.
    KeyFile,
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Environment => f.write_str(crate::KEYS_ENV),
            KeySource::KeyFile => f.write_str("the key file"),
        }
    }
}

/// The position of a key entry: the entry number in `DESKGATE_VAULT_KEYS` (counting from 1)
/// or the line number in a key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Which source.
    pub source: KeySource,
    /// Entry or line number, counting from 1.
    pub index: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.source {
            KeySource::Environment => write!(f, "{} entry {}", crate::KEYS_ENV, self.index),
            KeySource::KeyFile => write!(f, "key file line {}", self.index),
        }
    }
}

/// Why a key ring could not be built or does not match the database. Every case means the
/// process must not start until the operator fixes the configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyRingError {
    /// Neither source is configured.
    #[error(
        "no vault key is configured: set {keys} (with {active} when it holds several keys) or provide a key file",
        keys = crate::KEYS_ENV,
        active = crate::ACTIVE_ENV
    )]
    NoSource,
    /// Both sources are configured, so which one is meant is ambiguous.
    #[error(
        "conflicting vault key sources: both {keys} and a key file are configured; use exactly one",
        keys = crate::KEYS_ENV
    )]
    ConflictingSources,
    /// A setting of the environment source is given without its keys.
    #[error("{name} is set but {keys} is not; a key file carries its own settings", keys = crate::KEYS_ENV)]
    SettingWithoutKeys {
        /// The environment variable.
        name: &'static str,
    },
    /// The source holds no key at all.
    #[error("{origin} contains no keys")]
    NoKeys {
        /// Which source.
        origin: KeySource,
    },
    /// An entry is not `<version>:<base64 key>`.
    #[error("{at} is not of the form <version>:<base64 key>")]
    MalformedEntry {
        /// Where the entry is.
        at: Location,
    },
    /// The version of an entry is not a whole number from 1 to [`MAX_KEY_VERSION`](crate::MAX_KEY_VERSION).
    #[error("{at} has a key version that is not a whole number from 1 to {max}", max = crate::MAX_KEY_VERSION)]
    InvalidVersion {
        /// Where the entry is.
        at: Location,
    },
    /// An entry uses version 0.
    #[error("{at} uses key version 0, which is reserved; versions start at 1")]
    ReservedVersion {
        /// Where the entry is.
        at: Location,
    },
    /// The key of an entry is not valid standard base64.
    #[error("{at}: key version {version} is not valid base64 (standard alphabet, with padding)")]
    InvalidBase64 {
        /// Where the entry is.
        at: Location,
        /// The entry's version.
        version: u32,
    },
    /// The key of an entry does not decode to exactly 32 bytes.
    #[error(
        "{at}: key version {version} is too {}: {len} bytes after base64 decoding, expected exactly 32",
        if *.len < 32 { "short" } else { "long" }
    )]
    WrongKeyLength {
        /// Where the entry is.
        at: Location,
        /// The entry's version.
        version: u32,
        /// The decoded length in bytes.
        len: usize,
    },
    /// Two entries share a version.
    #[error("{at}: key version {version} is defined more than once")]
    DuplicateVersion {
        /// Where the second entry is.
        at: Location,
        /// The repeated version.
        version: u32,
    },
    /// Two versions hold the same key, which would let a blob's version be changed unnoticed.
    #[error(
        "key versions {first} and {second} in {origin} are the same key; each version needs its own key"
    )]
    DuplicateKey {
        /// Which source.
        origin: KeySource,
        /// The lower version.
        first: u32,
        /// The higher version.
        second: u32,
    },
    /// A setting is not a whole number from 1 to [`MAX_KEY_VERSION`](crate::MAX_KEY_VERSION).
    #[error("{name} is not a key version (a whole number from 1 to {max})", max = crate::MAX_KEY_VERSION)]
    InvalidSetting {
        /// The setting, e.g. `DESKGATE_VAULT_ACTIVE` or `key file setting \`active\``.
        name: &'static str,
    },
    /// A key-file line is neither a key entry, a setting, a comment nor blank.
    #[error(
        "key file line {line} is neither `<version>:<base64 key>`, `active = <version>`, `min_version = <version>` nor a comment"
    )]
    UnrecognizedLine {
        /// The line number, counting from 1.
        line: usize,
    },
    /// A key-file setting appears twice.
    #[error("key file line {line}: `{name}` is set more than once")]
    DuplicateSetting {
        /// The line number of the second occurrence.
        line: usize,
        /// The setting's name.
        name: &'static str,
    },
    /// Several keys and no active version: picking one silently would make a freshly added
    /// key active before every node can read it.
    #[error("{origin} holds {count} keys but names no active version; set {hint}")]
    ActiveRequired {
        /// Which source.
        origin: KeySource,
        /// How many keys it holds.
        count: usize,
        /// The setting to add.
        hint: &'static str,
    },
    /// The active version is not among the keys.
    #[error("active key version {active} is not among the configured versions {}", list(.available))]
    ActiveMissing {
        /// The configured active version.
        active: u32,
        /// The versions the source holds.
        available: Vec<u32>,
    },
    /// The minimum decryptable version is above the active one, so fresh blobs could not be opened.
    #[error("minimum decryptable version {minimum} is above the active version {active}")]
    MinimumAboveActive {
        /// The configured minimum.
        minimum: u32,
        /// The configured active version.
        active: u32,
    },
    /// The configured keys do not match the check values recorded in the database.
    #[error("{}", key_check_message(.mismatched, .missing))]
    KeyCheckFailed {
        /// Versions whose configured key differs from the one recorded (a wrong key).
        mismatched: Vec<u32>,
        /// Recorded versions at or above the minimum that are not configured.
        missing: Vec<u32>,
    },
    /// The operating system's random number generator failed while generating a key.
    #[error("the system random number generator failed")]
    Randomness,
}

fn list(versions: &[u32]) -> String {
    let items: Vec<String> = versions.iter().map(u32::to_string).collect();
    format!("[{}]", items.join(", "))
}

fn key_check_message(mismatched: &[u32], missing: &[u32]) -> String {
    let mut parts = Vec::new();
    if !mismatched.is_empty() {
        parts.push(format!(
            "key versions {} do not match the check values recorded in the database (wrong key)",
            list(mismatched)
        ));
    }
    if !missing.is_empty() {
        parts.push(format!(
            "key versions {} are recorded in the database but missing from the key ring",
            list(missing)
        ));
    }
    format!("vault key check failed: {}", parts.join("; "))
}
