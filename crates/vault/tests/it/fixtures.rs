//! Fixed keys and owners shared by the tests.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use deskgate_vault::{AssociatedData, KeyRing, Vault};
use secrecy::SecretString;
use uuid::Uuid;

pub(crate) const TENANT_A: Uuid = Uuid::from_u128(0x0198_0000_0000_7000_8000_0000_0000_000a);
pub(crate) const TENANT_B: Uuid = Uuid::from_u128(0x0198_0000_0000_7000_8000_0000_0000_000b);
pub(crate) const CONNECTION_1: Uuid = Uuid::from_u128(0x0198_0000_0000_7000_8000_0000_0000_0c01);
pub(crate) const CONNECTION_2: Uuid = Uuid::from_u128(0x0198_0000_0000_7000_8000_0000_0000_0c02);

/// A 32-byte test key of repeated `byte`, base64 encoded.
pub(crate) fn key(byte: u8) -> String {
    STANDARD.encode([byte; 32])
}

/// `DESKGATE_VAULT_KEYS` for versions keyed by the given bytes.
pub(crate) fn keys_env(keys: &[(u32, u8)]) -> SecretString {
    let entries: Vec<String> = keys
        .iter()
        .map(|(version, byte)| format!("{version}:{}", key(*byte)))
        .collect();
    SecretString::from(entries.join(","))
}

pub(crate) fn ring(keys: &[(u32, u8)], active: u32, min_version: Option<u32>) -> KeyRing {
    let active = active.to_string();
    let min_version = min_version.map(|version| version.to_string());
    KeyRing::from_env(&keys_env(keys), Some(&active), min_version.as_deref())
        .expect("fixture key ring is valid")
}

pub(crate) fn vault(keys: &[(u32, u8)], active: u32, min_version: Option<u32>) -> Vault {
    Vault::new(ring(keys, active, min_version))
}

/// A vault with one key, version 1.
pub(crate) fn single_key_vault() -> Vault {
    vault(&[(1, 0x11)], 1, None)
}

pub(crate) fn owner(field: &str) -> AssociatedData<'_> {
    AssociatedData::connection_credential(TENANT_A, CONNECTION_1, field)
}
