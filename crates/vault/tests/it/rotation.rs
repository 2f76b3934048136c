use deskgate_vault::{VaultError, blob_key_version};
use secrecy::ExposeSecret;

use crate::fixtures::{owner, vault};

#[test]
fn seal_always_uses_the_active_version() {
    let vault = vault(&[(1, 0x11), (2, 0x22), (3, 0x33)], 2, None);
    for _ in 0..10 {
        let blob = vault.seal(&owner("api_token"), b"token").unwrap();
        assert_eq!(blob_key_version(&blob).unwrap(), 2);
    }
}

#[test]
fn old_version_blobs_open_while_their_key_is_in_the_ring() {
    let old = vault(&[(1, 0x11)], 1, None)
        .seal(&owner("api_token"), b"old token")
        .unwrap();
    let rotated = vault(&[(1, 0x11), (2, 0x22)], 2, None);
    let opened = rotated.open(&owner("api_token"), &old).unwrap();
    assert_eq!(opened.expose_secret(), b"old token");
}

#[test]
fn rewrap_moves_a_blob_to_the_active_version() {
    let old = vault(&[(1, 0x11)], 1, None)
        .seal(&owner("api_token"), b"old token")
        .unwrap();
    let rotated = vault(&[(1, 0x11), (2, 0x22)], 2, None);
    assert!(rotated.needs_rewrap(&old).unwrap());

    let rewrapped = rotated.rewrap(&owner("api_token"), &old).unwrap();
    assert_eq!(blob_key_version(&rewrapped).unwrap(), 2);
    assert!(!rotated.needs_rewrap(&rewrapped).unwrap());

    let retired = vault(&[(2, 0x22)], 2, Some(2));
    let opened = retired.open(&owner("api_token"), &rewrapped).unwrap();
    assert_eq!(opened.expose_secret(), b"old token");
}

#[test]
fn rewrap_keeps_the_owner_binding() {
    let rotated = vault(&[(1, 0x11), (2, 0x22)], 2, None);
    let old = vault(&[(1, 0x11)], 1, None)
        .seal(&owner("api_token"), b"old token")
        .unwrap();
    assert!(matches!(
        rotated.rewrap(&owner("refresh_token"), &old),
        Err(VaultError::OpenFailed)
    ));
    let rewrapped = rotated.rewrap(&owner("api_token"), &old).unwrap();
    assert!(matches!(
        rotated.open(&owner("refresh_token"), &rewrapped),
        Err(VaultError::OpenFailed)
    ));
}

#[test]
fn after_raising_the_minimum_an_old_blob_is_refused_with_a_clear_error() {
    let old = vault(&[(1, 0x11)], 1, None)
        .seal(&owner("api_token"), b"old token")
        .unwrap();
    let raised = vault(&[(1, 0x11), (2, 0x22)], 2, Some(2));
    let error = raised.open(&owner("api_token"), &old).unwrap_err();
    assert!(matches!(
        error,
        VaultError::BelowMinimumVersion {
            version: 1,
            minimum: 2
        }
    ));
    assert_eq!(
        error.to_string(),
        "sealed blob uses key version 1, below the minimum decryptable version 2"
    );
}

#[test]
fn blob_of_an_unconfigured_version_is_refused_as_unknown() {
    let future = vault(&[(1, 0x11), (2, 0x22)], 2, None)
        .seal(&owner("api_token"), b"new token")
        .unwrap();
    let not_yet_deployed = vault(&[(1, 0x11)], 1, None);
    let error = not_yet_deployed
        .open(&owner("api_token"), &future)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "sealed blob uses key version 2, which is not in the key ring"
    );
}

#[test]
fn wrong_key_under_a_known_version_fails_to_open() {
    let blob = vault(&[(1, 0x11)], 1, None)
        .seal(&owner("api_token"), b"token")
        .unwrap();
    let wrong = vault(&[(1, 0x99)], 1, None);
    assert!(matches!(
        wrong.open(&owner("api_token"), &blob),
        Err(VaultError::OpenFailed)
    ));
}

/// The documented order, across two nodes, keeps every blob readable on every node.
#[test]
fn runbook_order_keeps_every_blob_readable_on_every_node() {
    let field = owner("api_token");
    let before = vault(&[(1, 0x11)], 1, None);
    let blob_v1 = before.seal(&field, b"token").unwrap();

    // 1. Add version 2 as decrypt-only everywhere; node b is still on the old configuration.
    let step1 = vault(&[(1, 0x11), (2, 0x22)], 1, None);
    assert_eq!(
        blob_key_version(&step1.seal(&field, b"x").unwrap()).unwrap(),
        1
    );

    // 2. Make version 2 active: every node can already read what it seals.
    let step2 = vault(&[(1, 0x11), (2, 0x22)], 2, None);
    let blob_v2 = step2.seal(&field, b"token").unwrap();
    assert!(step1.open(&field, &blob_v2).is_ok());
    assert!(step2.open(&field, &blob_v1).is_ok());

    // 3. Re-wrap every stale blob.
    let rewrapped = step2.rewrap(&field, &blob_v1).unwrap();

    // 4. Raise the minimum: nothing readable is lost.
    let step4 = vault(&[(1, 0x11), (2, 0x22)], 2, Some(2));
    assert!(step4.open(&field, &rewrapped).is_ok());
    assert!(step4.open(&field, &blob_v2).is_ok());

    // 5. Retire version 1.
    let step5 = vault(&[(2, 0x22)], 2, Some(2));
    assert_eq!(
        step5.open(&field, &rewrapped).unwrap().expose_secret(),
        b"token"
    );
}
