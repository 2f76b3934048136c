use deskgate_vault::{CHECK_VALUE_LEN, KeyRingError};

use crate::fixtures::ring;

#[test]
fn check_values_are_listed_per_version() {
    let ring = ring(&[(1, 0x11), (2, 0x22)], 2, None);
    let values = ring.check_values();
    assert_eq!(
        values
            .iter()
            .map(|(version, _)| *version)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(
        values
            .iter()
            .all(|(_, value)| value.len() == CHECK_VALUE_LEN)
    );
    assert_ne!(values[0].1, values[1].1);
    assert!(
        values
            .iter()
            .all(|(_, value)| value[..] != [0x11; CHECK_VALUE_LEN][..]
                && value[..] != [0x22; CHECK_VALUE_LEN][..]),
        "a check value is not a piece of its key"
    );
}

#[test]
fn matching_keys_pass_the_check() {
    let ring = ring(&[(1, 0x11), (2, 0x22)], 2, None);
    let stored = ring.check_values();
    ring.verify_against(&stored).unwrap();
    assert!(ring.unrecorded_check_values(&stored).is_empty());
}

#[test]
fn wrong_key_is_reported_as_a_check_value_mismatch() {
    let recorded = ring(&[(1, 0x11), (2, 0x22)], 2, None).check_values();
    let with_wrong_key = ring(&[(1, 0x11), (2, 0x99)], 2, None);
    let error = with_wrong_key.verify_against(&recorded).unwrap_err();
    assert!(matches!(
        &error,
        KeyRingError::KeyCheckFailed { mismatched, missing } if mismatched == &[2] && missing.is_empty()
    ));
    assert_eq!(
        error.to_string(),
        "vault key check failed: key versions [2] do not match the check values recorded in the database (wrong key)"
    );
}

#[test]
fn recorded_version_missing_from_the_ring_is_reported() {
    let recorded = ring(&[(1, 0x11), (2, 0x22)], 2, None).check_values();
    let without_v1 = ring(&[(2, 0x22)], 2, None);
    let error = without_v1.verify_against(&recorded).unwrap_err();
    assert_eq!(
        error.to_string(),
        "vault key check failed: key versions [1] are recorded in the database but missing from the key ring"
    );
}

#[test]
fn mismatched_and_missing_versions_are_reported_together() {
    let recorded = ring(&[(1, 0x11), (2, 0x22)], 2, None).check_values();
    let error = ring(&[(2, 0x99)], 2, None)
        .verify_against(&recorded)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "vault key check failed: key versions [2] do not match the check values recorded in the database (wrong key); \
         key versions [1] are recorded in the database but missing from the key ring"
    );
}

#[test]
fn retired_version_below_the_minimum_may_be_missing() {
    let recorded = ring(&[(1, 0x11), (2, 0x22)], 2, None).check_values();
    let retired_v1 = ring(&[(2, 0x22)], 2, Some(2));
    retired_v1.verify_against(&recorded).unwrap();
}

#[test]
fn new_versions_are_listed_for_recording() {
    let recorded = ring(&[(1, 0x11)], 1, None).check_values();
    let ring = ring(&[(1, 0x11), (2, 0x22)], 1, None);
    ring.verify_against(&recorded).unwrap();
    let unrecorded = ring.unrecorded_check_values(&recorded);
    assert_eq!(unrecorded.len(), 1);
    assert_eq!(unrecorded[0], ring.check_values()[1]);
}
