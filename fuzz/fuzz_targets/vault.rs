//! The vault envelope and its key sources. Arbitrary bytes opened as a blob must be refused
//! with an error, never a panic nor a plaintext; any plaintext sealed opens back to itself,
//! and not for another owner or once a byte of the blob changes; the key file and the
//! environment's key list are parsed without panicking.
#![no_main]

use std::sync::LazyLock;

use deskgate_vault::{AssociatedData, KeyRing, Vault, blob_key_version};
use libfuzzer_sys::fuzz_target;
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

static VAULT: LazyLock<Vault> = LazyLock::new(|| {
    let keys = SecretString::from(
        "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
            .to_owned(),
    );
    Vault::new(KeyRing::from_env(&keys, Some("2"), Some("1")).expect("a valid test key ring"))
});

fuzz_target!(|data: &[u8]| {
    let tenant = Uuid::from_u128(1);
    let owner = AssociatedData::connection_credential(tenant, Uuid::from_u128(2), "api_token");
    let other = AssociatedData::connection_credential(tenant, Uuid::from_u128(3), "api_token");

    // Arbitrary bytes as a blob.
    let _ = blob_key_version(data);
    let _ = VAULT.needs_rewrap(data);
    assert!(VAULT.open(&owner, data).is_err(), "arbitrary bytes opened");
    assert!(
        VAULT.rewrap(&owner, data).is_err(),
        "arbitrary bytes re-wrapped"
    );

    // The input as a plaintext: it opens back, for its owner only, and not once altered.
    let blob = VAULT.seal(&owner, data).expect("sealing works");
    let opened = VAULT.open(&owner, &blob).expect("a sealed blob opens");
    assert_eq!(opened.expose_secret(), data);
    assert!(
        VAULT.open(&other, &blob).is_err(),
        "opened for another owner"
    );
    if !data.is_empty() {
        let at = usize::from(data[0]) % blob.len();
        let mut altered = blob.clone();
        altered[at] ^= data[data.len() - 1] | 1;
        assert!(
            VAULT.open(&owner, &altered).is_err(),
            "an altered blob opened"
        );
    }

    // The input as key sources.
    if let Ok(text) = std::str::from_utf8(data) {
        let secret = SecretString::from(text.to_owned());
        let _ = KeyRing::from_key_file(&secret);
        let (keys, rest) = text.split_once('\n').unwrap_or((text, ""));
        let (active, min) = rest.split_once('\n').unwrap_or((rest, ""));
        let keys = SecretString::from(keys.to_owned());
        let _ = KeyRing::from_env(
            &keys,
            Some(active).filter(|a| !a.is_empty()),
            Some(min).filter(|m| !m.is_empty()),
        );
    }
});
