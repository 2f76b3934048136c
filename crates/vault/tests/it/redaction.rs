use deskgate_vault::{KeyRing, KeyRingSources};
use secrecy::SecretString;

use crate::fixtures::{key, keys_env, owner, single_key_vault, vault};

#[test]
fn debug_output_never_contains_key_material() {
    let vault = vault(&[(1, 0x11), (2, 0x22)], 2, None);
    let debug = format!("{vault:?} {:?}", vault.key_ring());
    assert!(debug.contains("versions: [1, 2]"), "{debug}");
    for secret in [key(0x11), key(0x22)] {
        assert!(!debug.contains(&secret));
    }
    assert!(!debug.contains("17, 17, 17"), "raw key bytes in {debug}");

    let sources = KeyRingSources {
        keys: Some(keys_env(&[(1, 0x11)])),
        key_file: Some(SecretString::from(format!("1:{}", key(0x22)))),
        ..KeyRingSources::default()
    };
    let debug = format!("{sources:?}");
    assert!(
        !debug.contains(&key(0x11)) && !debug.contains(&key(0x22)),
        "{debug}"
    );
}

#[test]
fn opened_plaintext_is_redacted_in_debug_output() {
    let vault = single_key_vault();
    let blob = vault.seal(&owner("api_token"), b"canary-8f2e").unwrap();
    let opened = vault.open(&owner("api_token"), &blob).unwrap();
    let debug = format!("{opened:?}");
    assert!(!debug.contains("canary"), "{debug}");
    assert!(debug.contains("REDACTED"), "{debug}");
}

#[test]
fn key_ring_built_from_a_file_keeps_no_key_text_in_debug() {
    let ring = KeyRing::from_key_file(&SecretString::from(format!("1:{}\n", key(0x33)))).unwrap();
    assert!(!format!("{ring:?}").contains(&key(0x33)));
}
