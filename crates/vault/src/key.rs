//! One version of the key ring: a ready AES-256-GCM cipher and the key's check value.

use std::fmt;

use aes_gcm::{Aes256Gcm, KeyInit};
use zeroize::Zeroizing;

use crate::check_value::{self, CheckValue};

/// Length of every vault key in bytes.
pub const KEY_LEN: usize = 32;

/// A versioned key. The raw key bytes are not kept: only the expanded cipher state, which the
/// `aes-gcm` crate zeroizes on drop, and the public check value.
pub(crate) struct VersionedKey {
    version: u32,
    cipher: Aes256Gcm,
    check_value: CheckValue,
    /// A subkey for message authentication, derived so that MACs and ciphertexts never
    /// share a key.
    mac_key: Zeroizing<[u8; KEY_LEN]>,
}

impl VersionedKey {
    pub(crate) fn new(version: u32, key: &[u8; KEY_LEN]) -> Self {
        VersionedKey {
            version,
            cipher: Aes256Gcm::new(key.into()),
            check_value: check_value::compute(key),
            mac_key: crate::mac::derive_key(key),
        }
    }

    pub(crate) fn version(&self) -> u32 {
        self.version
    }

    pub(crate) fn cipher(&self) -> &Aes256Gcm {
        &self.cipher
    }

    pub(crate) fn mac_key(&self) -> &[u8; KEY_LEN] {
        &self.mac_key
    }

    pub(crate) fn check_value(&self) -> &CheckValue {
        &self.check_value
    }
}

impl fmt::Debug for VersionedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VersionedKey")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}
