//! Message authentication for data the gateway hands out and must trust when it comes back
//! (list cursors): `tag = HMAC-SHA-256(mac_key_v, len(label) ‖ label ‖ data)`, where
//! `mac_key_v = HMAC-SHA-256(key_v, "deskgate vault mac subkey v1")`. A signature is the
//! key version (4 bytes, big-endian) followed by the 32-byte tag, so signatures made before a
//! rotation verify while their key version is still in the ring.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::key::KEY_LEN;
use crate::{Vault, VaultError};

const SUBKEY_LABEL: &[u8] = b"deskgate vault mac subkey v1";
const TAG_LEN: usize = 32;

/// Length of a signature from [`Vault::sign`].
pub const SIGNATURE_LEN: usize = 4 + TAG_LEN;

fn hmac(key: &[u8; KEY_LEN]) -> Hmac<Sha256> {
    // As in `check_value`: a zero-padded 64-byte block is HMAC under the 32-byte key.
    let mut block = Zeroizing::new([0u8; 64]);
    block[..KEY_LEN].copy_from_slice(key);
    <Hmac<Sha256> as Mac>::new(block.as_ref().into())
}

pub(crate) fn derive_key(key: &[u8; KEY_LEN]) -> Zeroizing<[u8; KEY_LEN]> {
    let mut mac = hmac(key);
    mac.update(SUBKEY_LABEL);
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}

fn tag(mac_key: &[u8; KEY_LEN], label: &str, data: &[u8]) -> [u8; TAG_LEN] {
    let mut mac = hmac(mac_key);
    mac.update(&(label.len() as u64).to_be_bytes());
    mac.update(label.as_bytes());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

impl Vault {
    /// Signs `data` for the purpose `label` under the active key version.
    pub fn sign(&self, label: &str, data: &[u8]) -> Result<[u8; SIGNATURE_LEN], VaultError> {
        let key = self.key_ring().active_key()?;
        let mut out = [0u8; SIGNATURE_LEN];
        out[..4].copy_from_slice(&key.version().to_be_bytes());
        out[4..].copy_from_slice(&tag(key.mac_key(), label, data));
        Ok(out)
    }

    /// Whether `signature` is [`Vault::sign`]'s for `label` and `data` under a key version
    /// the ring still opens. Compares in constant time.
    pub fn verify(&self, label: &str, data: &[u8], signature: &[u8]) -> bool {
        let Some((version, given)) = signature.split_first_chunk::<4>() else {
            return false;
        };
        if given.len() != TAG_LEN {
            return false;
        }
        let Ok(key) = self.key_ring().opening_key(u32::from_be_bytes(*version)) else {
            return false;
        };
        bool::from(tag(key.mac_key(), label, data).as_slice().ct_eq(given))
    }
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;
    use crate::KeyRing;

    fn vault(entries: &str, active: &str) -> Vault {
        let keys = SecretString::from(entries.to_owned());
        Vault::new(KeyRing::from_env(&keys, Some(active), None).unwrap())
    }

    const K1: &str = "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const K2: &str = "2:HxwdHhscGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=";

    #[test]
    fn signatures_verify_only_for_the_same_label_and_data() {
        let v = vault(K1, "1");
        let sig = v.sign("cursor", b"payload").unwrap();
        assert!(v.verify("cursor", b"payload", &sig));
        assert!(!v.verify("cursor", b"payloaD", &sig));
        assert!(!v.verify("other", b"payload", &sig));
        assert!(!v.verify("cursor", b"payload", &sig[..SIGNATURE_LEN - 1]));
        for bit in 0..SIGNATURE_LEN * 8 {
            let mut bad = sig;
            bad[bit / 8] ^= 1 << (bit % 8);
            assert!(!v.verify("cursor", b"payload", &bad), "bit {bit}");
        }
    }

    #[test]
    fn signatures_survive_rotation_while_the_old_key_is_in_the_ring() {
        let old = vault(K1, "1");
        let sig = old.sign("cursor", b"p").unwrap();
        let rotated = vault(&format!("{K1},{K2}"), "2");
        assert!(rotated.verify("cursor", b"p", &sig));
        assert_eq!(
            rotated.sign("cursor", b"p").unwrap()[..4],
            2u32.to_be_bytes()
        );
        let retired = vault(K2, "2");
        assert!(!retired.verify("cursor", b"p", &sig));
    }
}
