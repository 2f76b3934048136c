use deskgate_vault::{AssociatedData, Purpose, Vault, VaultError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::fixtures::{CONNECTION_1, TENANT_A, vault};

const TRIALS: usize = 10_000;

/// The parts of a sealed blob and of its owner that a single flipped bit can land in.
#[derive(Debug, Clone, Copy)]
enum Region {
    Header,
    Nonce,
    Ciphertext,
    Tag,
    Purpose,
    Tenant,
    Connection,
    Field,
}

const REGIONS: [Region; 8] = [
    Region::Header,
    Region::Nonce,
    Region::Ciphertext,
    Region::Tag,
    Region::Purpose,
    Region::Tenant,
    Region::Connection,
    Region::Field,
];

fn flip_bit_in(bytes: &mut [u8], rng: &mut StdRng) {
    let index = rng.random_range(0..bytes.len());
    bytes[index] ^= 1 << rng.random_range(0..8);
}

fn flip_uuid(id: Uuid, rng: &mut StdRng) -> Uuid {
    let mut bytes = *id.as_bytes();
    flip_bit_in(&mut bytes, rng);
    Uuid::from_bytes(bytes)
}

/// Seals a random plaintext, flips one bit in `region`, and reports whether it still opened.
fn tampered_blob_opens(vault: &Vault, region: Region, rng: &mut StdRng) -> bool {
    let field = "refresh_token";
    let owner = AssociatedData {
        purpose: Purpose::ConnectionCredential,
        tenant_id: TENANT_A,
        connection_id: CONNECTION_1,
        field,
    };
    let len = rng.random_range(1..512);
    let plaintext: Vec<u8> = (0..len).map(|_| rng.random()).collect();
    let mut blob = vault.seal(&owner, &plaintext).expect("sealing succeeds");
    let ciphertext_end = blob.len() - 16;
    let mut opened_as = owner;
    let mut field_bytes = field.as_bytes().to_vec();
    match region {
        Region::Header => flip_bit_in(&mut blob[..6], rng),
        Region::Nonce => flip_bit_in(&mut blob[6..18], rng),
        Region::Ciphertext => flip_bit_in(&mut blob[18..ciphertext_end], rng),
        Region::Tag => flip_bit_in(&mut blob[ciphertext_end..], rng),
        Region::Purpose => opened_as.purpose = Purpose::OAuthClientSecret,
        Region::Tenant => opened_as.tenant_id = flip_uuid(owner.tenant_id, rng),
        Region::Connection => opened_as.connection_id = flip_uuid(owner.connection_id, rng),
        Region::Field => {
            // Flipping one of the low seven bits of an ASCII byte keeps the field valid UTF-8.
            let index = rng.random_range(0..field_bytes.len());
            field_bytes[index] ^= 1 << rng.random_range(0..7);
        }
    }
    let field = String::from_utf8(field_bytes).expect("the flipped field is still ASCII");
    if matches!(region, Region::Field) {
        opened_as.field = &field;
    }
    match vault.open(&opened_as, &blob) {
        Ok(_) => true,
        Err(
            VaultError::OpenFailed
            | VaultError::Malformed { .. }
            | VaultError::UnknownKeyVersion { .. }
            | VaultError::BelowMinimumVersion { .. },
        ) => false,
        Err(other) => panic!("unexpected error for a tampered blob: {other}"),
    }
}

#[test]
fn no_single_bit_flip_in_blob_or_owner_is_accepted() {
    // Versions 1 and 3 differ in one bit, so header flips also reach a wrong but present key.
    let vault = vault(&[(1, 0x11), (3, 0x33)], 1, None);
    let mut rng = StdRng::seed_from_u64(0x5eed_7a4e);
    let mut tried = [0usize; REGIONS.len()];
    let mut accepted = [0usize; REGIONS.len()];
    for trial in 0..TRIALS {
        let index = trial % REGIONS.len();
        tried[index] += 1;
        if tampered_blob_opens(&vault, REGIONS[index], &mut rng) {
            accepted[index] += 1;
        }
    }
    let accepted_total: usize = accepted.iter().sum();
    println!("tamper: {TRIALS} tried, {accepted_total} accepted");
    for (region, (tried, accepted)) in REGIONS.iter().zip(tried.iter().zip(accepted)) {
        println!("tamper: {region:?}: {tried} tried, {accepted} accepted");
    }
    assert_eq!(accepted_total, 0);
}

#[test]
fn truncated_blobs_are_refused() {
    let vault = vault(&[(1, 0x11)], 1, None);
    let owner = AssociatedData::connection_credential(TENANT_A, CONNECTION_1, "api_token");
    let blob = vault.seal(&owner, b"a credential of some length").unwrap();
    for len in 0..blob.len() {
        let error = vault.open(&owner, &blob[..len]).unwrap_err();
        if len < 34 {
            assert!(
                matches!(error, VaultError::Malformed { .. }),
                "{len}: {error}"
            );
        } else {
            assert!(matches!(error, VaultError::OpenFailed), "{len}: {error}");
        }
    }
}

#[test]
fn unknown_format_and_algorithm_are_reported_as_malformed() {
    let vault = vault(&[(1, 0x11)], 1, None);
    let owner = AssociatedData::connection_credential(TENANT_A, CONNECTION_1, "api_token");
    let blob = vault.seal(&owner, b"secret").unwrap();

    let mut newer_format = blob.clone();
    newer_format[0] = 2;
    let error = vault.open(&owner, &newer_format).unwrap_err();
    assert_eq!(
        error.to_string(),
        "sealed blob is malformed: unknown format version 2"
    );

    let mut other_algorithm = blob;
    other_algorithm[1] = 9;
    let error = vault.open(&owner, &other_algorithm).unwrap_err();
    assert_eq!(
        error.to_string(),
        "sealed blob is malformed: unknown algorithm id 9"
    );
}
