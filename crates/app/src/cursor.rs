//! List cursors a caller can hold but not forge.
//!
//! A cursor is `base64url(version ‖ vendor cursor ‖ signature)`, where the signature
//! ([`deskgate_vault::Vault::sign`]) covers the connection id, the list it belongs to (resource
//! and filters, as a scope string) and the vendor cursor. A cursor from another connection or
//! another list, or one altered by a single bit, fails verification and never reaches a vendor.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use deskgate_core::{ConnectionId, VendorCursor};
use deskgate_vault::{SIGNATURE_LEN, Vault};

use crate::AppError;

const FORMAT: u8 = 1;
const LABEL: &str = "deskgate list cursor v1";
/// Longer cursors are refused before decoding.
const MAX_LEN: usize = 4096;

fn signed_data(connection: ConnectionId, scope: &str, vendor: &[u8]) -> Vec<u8> {
    let mut data = Vec::with_capacity(16 + 8 + scope.len() + vendor.len());
    data.extend_from_slice(connection.as_uuid().as_bytes());
    data.extend_from_slice(&(scope.len() as u64).to_be_bytes());
    data.extend_from_slice(scope.as_bytes());
    data.extend_from_slice(vendor);
    data
}

/// Wraps a connector's cursor for the caller.
pub fn seal(
    vault: &Vault,
    connection: ConnectionId,
    scope: &str,
    cursor: &VendorCursor,
) -> Result<String, AppError> {
    let vendor = cursor.0.as_bytes();
    let signature = vault
        .sign(LABEL, &signed_data(connection, scope, vendor))
        .map_err(|e| AppError::Internal(format!("signing a cursor: {e}")))?;
    let mut raw = Vec::with_capacity(1 + vendor.len() + SIGNATURE_LEN);
    raw.push(FORMAT);
    raw.extend_from_slice(vendor);
    raw.extend_from_slice(&signature);
    Ok(URL_SAFE_NO_PAD.encode(raw))
}

/// Unwraps a caller's cursor, or says why it is refused.
pub fn open(
    vault: &Vault,
    connection: ConnectionId,
    scope: &str,
    token: &str,
) -> Result<VendorCursor, AppError> {
    let invalid = || {
        AppError::invalid_query(
            "cursor",
            "not a cursor this list issued: pass `next_cursor` from the previous page of the same \
             list, on the same connection, unchanged",
        )
    };
    if token.len() > MAX_LEN {
        return Err(invalid());
    }
    let raw = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let Some((&FORMAT, rest)) = raw.split_first() else {
        return Err(invalid());
    };
    let Some(split) = rest.len().checked_sub(SIGNATURE_LEN) else {
        return Err(invalid());
    };
    let (vendor, signature) = rest.split_at(split);
    if !vault.verify(LABEL, &signed_data(connection, scope, vendor), signature) {
        return Err(invalid());
    }
    let vendor = String::from_utf8(vendor.to_vec()).map_err(|_| invalid())?;
    Ok(VendorCursor(vendor))
}

#[cfg(test)]
mod tests {
    use deskgate_vault::KeyRing;
    use secrecy::SecretString;

    use super::*;

    fn vault() -> Vault {
        let keys = SecretString::from("1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".to_owned());
        Vault::new(KeyRing::from_env(&keys, None, None).unwrap())
    }

    #[test]
    fn a_cursor_opens_only_on_its_own_connection_and_list() {
        let v = vault();
        let (a, b) = (ConnectionId::new(), ConnectionId::new());
        let vc = VendorCursor("eyJvIjoibmljZV9pZCIsInYiOiJhUlFBQUFBQUFBQUEifQ==".into());
        let token = seal(&v, a, "tickets", &vc).unwrap();
        assert_eq!(open(&v, a, "tickets", &token).unwrap(), vc);
        assert!(open(&v, b, "tickets", &token).is_err());
        assert!(open(&v, a, "users", &token).is_err());
        assert!(open(&v, a, "tickets", "").is_err());
        assert!(open(&v, a, "tickets", "!!!").is_err());
        assert!(open(&v, a, "tickets", &"A".repeat(5000)).is_err());
    }

    #[test]
    fn every_single_bit_change_is_refused() {
        let v = vault();
        let a = ConnectionId::new();
        let token = seal(&v, a, "tickets", &VendorCursor("page-2".into())).unwrap();
        let raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
        for bit in 0..raw.len() * 8 {
            let mut bad = raw.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            assert!(
                open(&v, a, "tickets", &URL_SAFE_NO_PAD.encode(&bad)).is_err(),
                "bit {bit}"
            );
        }
    }
}
