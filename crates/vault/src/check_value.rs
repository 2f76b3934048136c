//! Key check values: a public fingerprint of each key version, so a wrong key is refused at
//! boot rather than discovered at the first failed decryption.
//!
//! The check value is the first 16 bytes of HMAC-SHA-256 keyed with the vault key over a fixed
//! label. HMAC is a pseudorandom function, so the value reveals nothing about the key, and it
//! shares no structure with AES-GCM. The classic banking check value (the key encrypting a
//! zero block) must not be used here: for GCM that block is the authentication subkey, and
//! publishing it would allow forgeries.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::key::KEY_LEN;

/// Length of a check value in bytes.
pub const CHECK_VALUE_LEN: usize = 16;

/// The label the check value is computed over. Frozen: changing it changes every check value.
const LABEL: &[u8] = b"deskgate vault key check value v1";

pub(crate) type CheckValue = [u8; CHECK_VALUE_LEN];

pub(crate) fn compute(key: &[u8; KEY_LEN]) -> CheckValue {
    // HMAC zero-pads a key shorter than the hash block (RFC 2104), so keying it with the padded
    // block is HMAC under the 32-byte key, through a constructor that cannot fail.
    let mut block = Zeroizing::new([0u8; 64]);
    block[..KEY_LEN].copy_from_slice(key);
    let mut mac = <Hmac<Sha256> as Mac>::new(block.as_ref().into());
    mac.update(LABEL);
    let digest = mac.finalize().into_bytes();
    let mut out = [0u8; CHECK_VALUE_LEN];
    out.copy_from_slice(&digest[..CHECK_VALUE_LEN]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_block_key_is_hmac_under_the_plain_key() {
        let key = [7u8; KEY_LEN];
        let mut reference = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
        reference.update(LABEL);
        let expected = reference.finalize().into_bytes();
        assert_eq!(compute(&key), expected[..CHECK_VALUE_LEN]);
    }
}
