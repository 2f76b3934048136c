//! Sealing, opening and re-wrapping blobs with the key ring.

use aes_gcm::aead::{AeadInOut, Generate, Nonce, Tag};
use aes_gcm::{Aes256Gcm, P_MAX};
use secrecy::{ExposeSecret, ExposeSecretMut, SecretBox};
use zeroize::Zeroize;

use crate::associated_data::AssociatedData;
use crate::envelope::{self, AUTHENTICATED_HEADER, ENVELOPE_OVERHEAD, Envelope};
use crate::error::VaultError;
use crate::key_ring::KeyRing;

/// Seals and opens credentials with a [`KeyRing`]. Pure and cheap to share: wrap it in an
/// `Arc` and call it from any thread.
#[derive(Debug)]
pub struct Vault {
    key_ring: KeyRing,
}

impl Vault {
    /// A vault over a validated key ring.
    pub fn new(key_ring: KeyRing) -> Self {
        Vault { key_ring }
    }

    /// The key ring, for check values and versions.
    pub fn key_ring(&self) -> &KeyRing {
        &self.key_ring
    }

    /// Encrypts `plaintext` with the active key and a fresh random nonce, bound to `owner`.
    ///
    /// The result is a self-describing envelope ([`ENVELOPE_OVERHEAD`] bytes longer than the
    /// plaintext) that only [`open`](Vault::open) with the same owner can read.
    pub fn seal(
        &self,
        owner: &AssociatedData<'_>,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, VaultError> {
        if plaintext.len() as u64 > P_MAX {
            return Err(VaultError::TooLarge);
        }
        let key = self.key_ring.active_key()?;
        let nonce = Nonce::<Aes256Gcm>::try_generate().map_err(|_| VaultError::Randomness)?;
        let associated_data = owner.encode(AUTHENTICATED_HEADER);

        let mut blob = Vec::with_capacity(ENVELOPE_OVERHEAD + plaintext.len());
        envelope::write_header(&mut blob, key.version());
        blob.extend_from_slice(&nonce);
        let body_start = blob.len();
        blob.extend_from_slice(plaintext);
        let body = &mut blob[body_start..];
        match key
            .cipher()
            .encrypt_inout_detached(&nonce, &associated_data, body.into())
        {
            Ok(tag) => {
                blob.extend_from_slice(&tag);
                Ok(blob)
            }
            Err(_) => {
                // The buffer may still hold plaintext.
                blob.zeroize();
                Err(VaultError::TooLarge)
            }
        }
    }

    /// Authenticates and decrypts a blob sealed for `owner`.
    ///
    /// Refuses blobs sealed below the minimum decryptable version or with an unknown version,
    /// and answers [`VaultError::OpenFailed`] for a tampered blob, another owner's blob and a
    /// wrong key alike. The plaintext is zeroized when the returned box is dropped.
    pub fn open(
        &self,
        owner: &AssociatedData<'_>,
        blob: &[u8],
    ) -> Result<SecretBox<[u8]>, VaultError> {
        let envelope = Envelope::parse(blob)?;
        let key = self.key_ring.opening_key(envelope.key_version)?;
        let associated_data = owner.encode(AUTHENTICATED_HEADER);
        let nonce = Nonce::<Aes256Gcm>::from(envelope.nonce);
        let tag = Tag::<Aes256Gcm>::from(envelope.tag);
        // Decrypt into an exactly sized box that is zeroized on drop, whatever happens next.
        let mut plaintext = SecretBox::new(Box::<[u8]>::from(envelope.ciphertext));
        key.cipher()
            .decrypt_inout_detached(
                &nonce,
                &associated_data,
                plaintext.expose_secret_mut().into(),
                &tag,
            )
            .map_err(|_| VaultError::OpenFailed)?;
        Ok(plaintext)
    }

    /// Opens a blob with whichever key sealed it and seals it again with the active key and a
    /// fresh nonce, for the same owner.
    pub fn rewrap(&self, owner: &AssociatedData<'_>, blob: &[u8]) -> Result<Vec<u8>, VaultError> {
        let plaintext = self.open(owner, blob)?;
        self.seal(owner, plaintext.expose_secret())
    }

    /// Whether a blob was sealed with another version than the active one, read from its
    /// header without opening it.
    pub fn needs_rewrap(&self, blob: &[u8]) -> Result<bool, VaultError> {
        Ok(envelope::blob_key_version(blob)? != self.key_ring.active_version())
    }
}
