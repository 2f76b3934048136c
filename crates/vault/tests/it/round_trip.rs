use deskgate_vault::{AssociatedData, ENVELOPE_OVERHEAD, Purpose, blob_key_version};
use proptest::prelude::*;
use secrecy::ExposeSecret;
use uuid::Uuid;

use crate::fixtures::{owner, single_key_vault, vault};

fn any_purpose() -> impl Strategy<Value = Purpose> {
    proptest::sample::select(Purpose::ALL.to_vec())
}

proptest! {
    #[test]
    fn sealed_blobs_open_to_the_exact_plaintext(
        plaintext in proptest::collection::vec(any::<u8>(), 0..4096),
        purpose in any_purpose(),
        tenant in any::<u128>(),
        connection in any::<u128>(),
        field in ".{0,40}",
    ) {
        let vault = single_key_vault();
        let owner = AssociatedData {
            purpose,
            tenant_id: Uuid::from_u128(tenant),
            connection_id: Uuid::from_u128(connection),
            field: &field,
        };
        let blob = vault.seal(&owner, &plaintext).unwrap();
        prop_assert_eq!(blob.len(), plaintext.len() + ENVELOPE_OVERHEAD);
        let opened = vault.open(&owner, &blob).unwrap();
        prop_assert_eq!(opened.expose_secret(), plaintext.as_slice());
    }
}

#[test]
fn sealed_blob_has_the_documented_layout() {
    let vault = vault(&[(1, 0x11), (258, 0x22)], 258, None);
    let blob = vault.seal(&owner("api_token"), b"secret").unwrap();

    assert_eq!(blob.len(), 6 + 12 + 6 + 16);
    assert_eq!(
        blob[..6],
        [1, 1, 0, 0, 1, 2],
        "format 1, AES-256-GCM, key version 258"
    );
    assert_eq!(blob_key_version(&blob).unwrap(), 258);
    assert!(
        !blob.windows(6).any(|window| window == b"secret"),
        "the plaintext must not appear in the blob"
    );
}

#[test]
fn every_seal_draws_a_fresh_nonce() {
    let vault = single_key_vault();
    let nonces: std::collections::HashSet<Vec<u8>> = (0..1000)
        .map(|_| vault.seal(&owner("api_token"), b"same plaintext").unwrap()[6..18].to_vec())
        .collect();
    assert_eq!(nonces.len(), 1000);
}

#[test]
fn empty_plaintext_round_trips() {
    let vault = single_key_vault();
    let blob = vault.seal(&owner("api_token"), b"").unwrap();
    assert_eq!(blob.len(), ENVELOPE_OVERHEAD);
    assert!(
        vault
            .open(&owner("api_token"), &blob)
            .unwrap()
            .expose_secret()
            .is_empty()
    );
}
