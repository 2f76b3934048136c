//! The key ring: versioned keys, the active version, the minimum decryptable version, and the
//! check values that tie the configured keys to the ones the database was written with.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Bound;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{KeyRingError, KeySource, VaultError};
use crate::key::{KEY_LEN, VersionedKey};

/// Versioned 256-bit keys with one active version (every seal uses it) and a minimum
/// decryptable version (blobs sealed below it are refused even if their key is present).
///
/// Built from configuration by [`KeyRing::from_sources`], [`KeyRing::from_env`] or
/// [`KeyRing::from_key_file`]. Its `Debug` shows versions only, never keys.
pub struct KeyRing {
    keys: BTreeMap<u32, VersionedKey>,
    active: u32,
    min_version: u32,
}

/// A parsed key entry, before validation of the ring as a whole.
pub(crate) struct KeyEntry {
    pub(crate) version: u32,
    pub(crate) key: Zeroizing<[u8; KEY_LEN]>,
}

/// What a source said, before validation of the ring as a whole.
pub(crate) struct ParsedRing {
    pub(crate) source: KeySource,
    pub(crate) entries: Vec<KeyEntry>,
    pub(crate) active: Option<u32>,
    pub(crate) min_version: Option<u32>,
    /// How to name the active setting in an error message.
    pub(crate) active_hint: &'static str,
}

impl KeyRing {
    pub(crate) fn build(parsed: ParsedRing) -> Result<Self, KeyRingError> {
        let ParsedRing {
            source,
            entries,
            active,
            min_version,
            active_hint,
        } = parsed;
        let mut keys = BTreeMap::new();
        for entry in entries {
            let key = VersionedKey::new(entry.version, &entry.key);
            keys.insert(entry.version, key);
        }
        let Some(&highest) = keys.keys().next_back() else {
            return Err(KeyRingError::NoKeys { origin: source });
        };
        refuse_shared_keys(source, &keys)?;
        let active = match active {
            Some(active) => active,
            None if keys.len() == 1 => highest,
            None => {
                return Err(KeyRingError::ActiveRequired {
                    origin: source,
                    count: keys.len(),
                    hint: active_hint,
                });
            }
        };
        if !keys.contains_key(&active) {
            return Err(KeyRingError::ActiveMissing {
                active,
                available: keys.keys().copied().collect(),
            });
        }
        let min_version = min_version.unwrap_or(1);
        if min_version > active {
            return Err(KeyRingError::MinimumAboveActive {
                minimum: min_version,
                active,
            });
        }
        Ok(KeyRing {
            keys,
            active,
            min_version,
        })
    }

    /// The version every seal uses.
    pub fn active_version(&self) -> u32 {
        self.active
    }

    /// The lowest version a blob may have been sealed with and still be opened.
    pub fn min_version(&self) -> u32 {
        self.min_version
    }

    /// The configured versions, ascending.
    pub fn versions(&self) -> Vec<u32> {
        self.keys.keys().copied().collect()
    }

    /// The check value of every configured version, ascending by version, to be recorded in
    /// the database (`vault_keys(version, check_value)`) the first time a version is seen.
    pub fn check_values(&self) -> Vec<(u32, Vec<u8>)> {
        self.keys
            .values()
            .map(|key| (key.version(), key.check_value().to_vec()))
            .collect()
    }

    /// The check values of configured versions that `stored` does not hold yet: what to insert
    /// into the database after [`verify_against`](KeyRing::verify_against) succeeded.
    pub fn unrecorded_check_values(&self, stored: &[(u32, Vec<u8>)]) -> Vec<(u32, Vec<u8>)> {
        self.check_values()
            .into_iter()
            .filter(|(version, _)| !stored.iter().any(|(known, _)| known == version))
            .collect()
    }

    /// Compares the configured keys with the check values recorded in the database.
    ///
    /// Refuses when a configured key's check value differs from the recorded one (a wrong key
    /// under a known version) or when a recorded version at or above the minimum decryptable
    /// version is not configured (its blobs could not be opened). A recorded version below the
    /// minimum may be absent: it has been retired. Versions not recorded yet are accepted.
    pub fn verify_against(&self, stored: &[(u32, Vec<u8>)]) -> Result<(), KeyRingError> {
        let mut mismatched = Vec::new();
        let mut missing = Vec::new();
        for (version, recorded) in stored {
            match self.keys.get(version) {
                Some(key) if !bool::from(key.check_value().as_slice().ct_eq(recorded)) => {
                    mismatched.push(*version);
                }
                Some(_) => {}
                None if *version >= self.min_version => missing.push(*version),
                None => {}
            }
        }
        for list in [&mut mismatched, &mut missing] {
            list.sort_unstable();
            list.dedup();
        }
        if mismatched.is_empty() && missing.is_empty() {
            Ok(())
        } else {
            Err(KeyRingError::KeyCheckFailed {
                mismatched,
                missing,
            })
        }
    }

    pub(crate) fn active_key(&self) -> Result<&VersionedKey, VaultError> {
        self.keys
            .get(&self.active)
            .ok_or(VaultError::UnknownKeyVersion {
                version: self.active,
            })
    }

    /// The key that may open a blob sealed with `version`.
    pub(crate) fn opening_key(&self, version: u32) -> Result<&VersionedKey, VaultError> {
        if version < self.min_version {
            return Err(VaultError::BelowMinimumVersion {
                version,
                minimum: self.min_version,
            });
        }
        self.keys
            .get(&version)
            .ok_or(VaultError::UnknownKeyVersion { version })
    }
}

/// Two versions with one key would make a blob's version byte changeable without detection.
fn refuse_shared_keys(
    source: KeySource,
    keys: &BTreeMap<u32, VersionedKey>,
) -> Result<(), KeyRingError> {
    for (first, a) in keys {
        for (second, b) in keys.range((Bound::Excluded(*first), Bound::Unbounded)) {
            if bool::from(a.check_value().ct_eq(b.check_value())) {
                return Err(KeyRingError::DuplicateKey {
                    origin: source,
                    first: *first,
                    second: *second,
                });
            }
        }
    }
    Ok(())
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("versions", &self.versions())
            .field("active", &self.active)
            .field("min_version", &self.min_version)
            .finish_non_exhaustive()
    }
}
