use deskgate_vault::{AssociatedData, Purpose, VaultError};

use crate::fixtures::{CONNECTION_1, CONNECTION_2, TENANT_A, TENANT_B, single_key_vault};

fn sealed_for_tenant_a() -> Vec<u8> {
    let owner = AssociatedData::connection_credential(TENANT_A, CONNECTION_1, "api_token");
    single_key_vault()
        .seal(&owner, b"tenant a's token")
        .expect("sealing succeeds")
}

fn opens_as(owner: &AssociatedData<'_>, blob: &[u8]) -> Result<(), VaultError> {
    single_key_vault().open(owner, blob).map(drop)
}

#[test]
fn blob_of_tenant_a_does_not_open_as_tenant_b() {
    let blob = sealed_for_tenant_a();
    let as_b = AssociatedData::connection_credential(TENANT_B, CONNECTION_1, "api_token");
    assert!(matches!(
        opens_as(&as_b, &blob),
        Err(VaultError::OpenFailed)
    ));
}

#[test]
fn blob_does_not_open_as_another_connection() {
    let blob = sealed_for_tenant_a();
    let other = AssociatedData::connection_credential(TENANT_A, CONNECTION_2, "api_token");
    assert!(matches!(
        opens_as(&other, &blob),
        Err(VaultError::OpenFailed)
    ));
}

#[test]
fn blob_does_not_open_as_another_field() {
    let blob = sealed_for_tenant_a();
    let other = AssociatedData::connection_credential(TENANT_A, CONNECTION_1, "refresh_token");
    assert!(matches!(
        opens_as(&other, &blob),
        Err(VaultError::OpenFailed)
    ));
}

#[test]
fn blob_does_not_open_for_another_purpose() {
    let blob = sealed_for_tenant_a();
    let other = AssociatedData {
        purpose: Purpose::OAuthClientSecret,
        ..AssociatedData::connection_credential(TENANT_A, CONNECTION_1, "api_token")
    };
    assert!(matches!(
        opens_as(&other, &blob),
        Err(VaultError::OpenFailed)
    ));
}

#[test]
fn the_rightful_owner_still_opens_it() {
    let blob = sealed_for_tenant_a();
    let owner = AssociatedData::connection_credential(TENANT_A, CONNECTION_1, "api_token");
    assert!(opens_as(&owner, &blob).is_ok());
}

#[test]
fn no_owner_opens_another_owners_blob() {
    let vault = single_key_vault();
    let tenants = [TENANT_A, TENANT_B];
    let connections = [CONNECTION_1, CONNECTION_2];
    let fields = ["api_token", "refresh_token", "access_token"];
    let mut owners = Vec::new();
    for tenant in tenants {
        for connection in connections {
            for field in fields {
                owners.push(AssociatedData::connection_credential(
                    tenant, connection, field,
                ));
            }
        }
    }
    let mut opened_by_others = 0;
    for sealer in &owners {
        let blob = vault.seal(sealer, b"credential").unwrap();
        for opener in owners.iter().filter(|opener| *opener != sealer) {
            if vault.open(opener, &blob).is_ok() {
                opened_by_others += 1;
            }
        }
    }
    assert_eq!(opened_by_others, 0);
}
