//! Fresh keys, for the single-node default (a generated key file) and for rotation (a new
//! entry to add to the configured keys).

use std::fmt::Write as _;
use std::num::NonZeroU32;

use aes_gcm::aead::Generate;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::error::KeyRingError;
use crate::key::KEY_LEN;

/// A new key file holding one fresh random key as version 1, active.
///
/// The caller writes it with mode 0600 and says loudly that it did: whoever reads the file can
/// open every stored credential, and losing it loses them all.
pub fn generate_key_file() -> Result<SecretString, KeyRingError> {
    let mut text = Zeroizing::new(String::with_capacity(512));
    text.push_str(
        "# deskgate vault key file.\n\
         # Whoever can read this file can open every stored credential: keep it mode 0600,\n\
         # and back it up apart from the database, which is unreadable without it.\n\
         # Format and rotation: docs/security.md.\n\
         active = 1\n",
    );
    push_entry(&mut text, NonZeroU32::MIN)?;
    text.push('\n');
    Ok(SecretString::from(text.as_str()))
}

/// A fresh random key as one `<version>:<base64 key>` entry, to add to
/// `DESKGATE_VAULT_KEYS` or to a key file when rotating.
pub fn generate_key_entry(version: NonZeroU32) -> Result<SecretString, KeyRingError> {
    let mut text = Zeroizing::new(String::with_capacity(64));
    push_entry(&mut text, version)?;
    Ok(SecretString::from(text.as_str()))
}

/// Appends `<version>:<base64 key>` to `out`, which must have room for it so that no
/// reallocation leaves an unzeroized copy behind.
fn push_entry(out: &mut String, version: NonZeroU32) -> Result<(), KeyRingError> {
    let key =
        Zeroizing::new(<[u8; KEY_LEN]>::try_generate().map_err(|_| KeyRingError::Randomness)?);
    // Writing to a String cannot fail.
    let _ = write!(out, "{version}:");
    STANDARD.encode_string(key.as_slice(), out);
    Ok(())
}
