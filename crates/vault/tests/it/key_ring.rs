use std::num::NonZeroU32;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use deskgate_vault::{
    KeyRing, KeyRingError, KeyRingSources, generate_key_entry, generate_key_file,
};
use secrecy::{ExposeSecret, SecretString};

use crate::fixtures::{key, keys_env};

fn from_env(keys: &str, active: Option<&str>, min_version: Option<&str>) -> KeyRingError {
    KeyRing::from_env(&SecretString::from(keys), active, min_version)
        .expect_err("the environment values must be refused")
}

fn from_file(contents: &str) -> KeyRingError {
    KeyRing::from_key_file(&SecretString::from(contents)).expect_err("the key file must be refused")
}

/// Asserts the message and that it does not leak any of the key texts involved.
fn assert_message(error: &KeyRingError, expected: &str, key_texts: &[&str]) {
    let message = error.to_string();
    assert_eq!(message, expected);
    for text in key_texts {
        assert!(!message.contains(text), "message leaks key text: {message}");
        assert!(
            !format!("{error:?}").contains(text),
            "debug leaks key text: {error:?}"
        );
    }
}

#[test]
fn short_key_is_refused() {
    let short = STANDARD.encode([7u8; 16]);
    let error = from_env(&format!("1:{short}"), None, None);
    assert_message(
        &error,
        "DESKGATE_VAULT_KEYS entry 1: key version 1 is too short: 16 bytes after base64 decoding, expected exactly 32",
        &[&short],
    );
}

#[test]
fn long_key_is_refused() {
    let long = STANDARD.encode([7u8; 33]);
    let error = from_env(&format!("1:{},2:{long}", key(1)), Some("1"), None);
    assert_message(
        &error,
        "DESKGATE_VAULT_KEYS entry 2: key version 2 is too long: 33 bytes after base64 decoding, expected exactly 32",
        &[&long],
    );
}

#[test]
fn bad_base64_is_refused() {
    let bad = "not*base64*at*all*but*forty*four*chars*long=";
    let error = from_env(&format!("1:{bad}"), None, None);
    assert_message(
        &error,
        "DESKGATE_VAULT_KEYS entry 1: key version 1 is not valid base64 (standard alphabet, with padding)",
        &[bad],
    );
}

#[test]
fn duplicate_versions_are_refused() {
    let error = from_env(&format!("1:{},1:{}", key(1), key(2)), None, None);
    assert_message(
        &error,
        "DESKGATE_VAULT_KEYS entry 2: key version 1 is defined more than once",
        &[&key(1), &key(2)],
    );
}

#[test]
fn the_same_key_under_two_versions_is_refused() {
    let error = from_env(&format!("1:{},2:{}", key(1), key(1)), Some("2"), None);
    assert_message(
        &error,
        "key versions 1 and 2 in DESKGATE_VAULT_KEYS are the same key; each version needs its own key",
        &[&key(1)],
    );
}

#[test]
fn active_version_absent_from_the_ring_is_refused() {
    let error = from_env(&format!("1:{},2:{}", key(1), key(2)), Some("3"), None);
    assert_message(
        &error,
        "active key version 3 is not among the configured versions [1, 2]",
        &[],
    );
}

#[test]
fn several_keys_without_an_active_version_are_refused() {
    let error = from_env(&format!("1:{},2:{}", key(1), key(2)), None, None);
    assert_message(
        &error,
        "DESKGATE_VAULT_KEYS holds 2 keys but names no active version; set DESKGATE_VAULT_ACTIVE",
        &[],
    );
}

#[test]
fn a_single_key_is_active_by_default() {
    let ring = KeyRing::from_env(&keys_env(&[(4, 0x44)]), None, None).unwrap();
    assert_eq!(ring.active_version(), 4);
    assert_eq!(ring.min_version(), 1);
}

#[test]
fn minimum_above_active_is_refused() {
    let error = from_env(&format!("1:{},2:{}", key(1), key(2)), Some("1"), Some("2"));
    assert_message(
        &error,
        "minimum decryptable version 2 is above the active version 1",
        &[],
    );
}

#[test]
fn version_zero_is_reserved() {
    let error = from_env(&format!("0:{}", key(1)), None, None);
    assert_message(
        &error,
        "DESKGATE_VAULT_KEYS entry 1 uses key version 0, which is reserved; versions start at 1",
        &[&key(1)],
    );
}

#[test]
fn entry_without_version_is_refused_without_echoing_it() {
    let error = from_env(&key(1), None, None);
    assert_message(
        &error,
        "DESKGATE_VAULT_KEYS entry 1 is not of the form <version>:<base64 key>",
        &[&key(1)],
    );
}

#[test]
fn non_numeric_version_is_refused() {
    let error = from_env(&format!("v1:{}", key(1)), None, None);
    assert_message(
        &error,
        "DESKGATE_VAULT_KEYS entry 1 has a key version that is not a whole number from 1 to 2147483647",
        &[&key(1)],
    );
}

#[test]
fn non_numeric_active_setting_is_refused() {
    let error = from_env(&format!("1:{}", key(1)), Some("latest"), None);
    assert_message(
        &error,
        "DESKGATE_VAULT_ACTIVE is not a key version (a whole number from 1 to 2147483647)",
        &[],
    );
}

#[test]
fn empty_keys_are_refused() {
    let error = from_env(" , ", None, None);
    assert_message(&error, "DESKGATE_VAULT_KEYS contains no keys", &[]);
}

#[test]
fn conflicting_sources_are_refused() {
    let sources = KeyRingSources {
        keys: Some(keys_env(&[(1, 0x11)])),
        key_file: Some(SecretString::from(format!("1:{}", key(2)))),
        ..KeyRingSources::default()
    };
    let error = KeyRing::from_sources(&sources).unwrap_err();
    assert_message(
        &error,
        "conflicting vault key sources: both DESKGATE_VAULT_KEYS and a key file are configured; use exactly one",
        &[&key(1), &key(2)],
    );
}

#[test]
fn missing_sources_are_refused() {
    let error = KeyRing::from_sources(&KeyRingSources::default()).unwrap_err();
    assert_message(
        &error,
        "no vault key is configured: set DESKGATE_VAULT_KEYS (with DESKGATE_VAULT_ACTIVE when it holds several keys) or provide a key file",
        &[],
    );
}

#[test]
fn environment_setting_next_to_a_key_file_is_refused() {
    let sources = KeyRingSources {
        active: Some("2".to_owned()),
        key_file: Some(SecretString::from(format!("1:{}", key(1)))),
        ..KeyRingSources::default()
    };
    let error = KeyRing::from_sources(&sources).unwrap_err();
    assert_message(
        &error,
        "DESKGATE_VAULT_ACTIVE is set but DESKGATE_VAULT_KEYS is not; a key file carries its own settings",
        &[],
    );
}

#[test]
fn either_source_alone_is_accepted() {
    let from_env = KeyRing::from_sources(&KeyRingSources {
        keys: Some(keys_env(&[(1, 0x11), (2, 0x22)])),
        active: Some("2".to_owned()),
        min_version: Some("1".to_owned()),
        key_file: None,
    })
    .unwrap();
    let from_file = KeyRing::from_sources(&KeyRingSources {
        key_file: Some(SecretString::from(format!(
            "# two keys\n\nactive = 2\nmin_version = 1\n1:{}\n  2:{}  \n",
            key(0x11),
            key(0x22)
        ))),
        ..KeyRingSources::default()
    })
    .unwrap();
    assert_eq!(from_env.check_values(), from_file.check_values());
    assert_eq!(from_file.active_version(), 2);
    assert_eq!(from_file.min_version(), 1);
    assert_eq!(from_file.versions(), vec![1, 2]);
}

#[test]
fn key_file_errors_name_the_line() {
    let bad_line = from_file(&format!("active = 1\n1:{}\nverbose = yes\n", key(1)));
    assert_message(
        &bad_line,
        "key file line 3 is neither `<version>:<base64 key>`, `active = <version>`, `min_version = <version>` nor a comment",
        &[&key(1)],
    );

    let twice = from_file(&format!("active = 1\nactive = 1\n1:{}\n", key(1)));
    assert_message(
        &twice,
        "key file line 2: `active` is set more than once",
        &[],
    );

    let short = STANDARD.encode([9u8; 31]);
    let short_key = from_file(&format!("# comment\nactive = 1\n1:{short}\n"));
    assert_message(
        &short_key,
        "key file line 3: key version 1 is too short: 31 bytes after base64 decoding, expected exactly 32",
        &[&short],
    );

    let no_active = from_file(&format!("1:{}\n2:{}\n", key(1), key(2)));
    assert_message(
        &no_active,
        "the key file holds 2 keys but names no active version; set `active = <version>` in the key file",
        &[],
    );

    let bad_active = from_file(&format!("active = two\n1:{}\n", key(1)));
    assert_message(
        &bad_active,
        "key file setting `active` is not a key version (a whole number from 1 to 2147483647)",
        &[],
    );
}

#[test]
fn generated_key_file_is_a_valid_single_key_ring() {
    let first = generate_key_file().unwrap();
    let second = generate_key_file().unwrap();
    let ring = KeyRing::from_key_file(&first).unwrap();
    assert_eq!(ring.versions(), vec![1]);
    assert_eq!(ring.active_version(), 1);
    assert!(first.expose_secret().contains("0600"));
    assert_ne!(
        ring.check_values(),
        KeyRing::from_key_file(&second).unwrap().check_values(),
        "each generated key file holds a fresh key"
    );
}

#[test]
fn generated_entry_extends_a_key_ring() {
    let entry = generate_key_entry(NonZeroU32::new(2).unwrap()).unwrap();
    assert!(entry.expose_secret().starts_with("2:"));
    let keys = SecretString::from(format!("1:{},{}", key(1), entry.expose_secret()));
    let ring = KeyRing::from_env(&keys, Some("1"), None).unwrap();
    assert_eq!(ring.versions(), vec![1, 2]);
}
