//! Short text secrets sealed by the vault for one owner (an OAuth client secret, a webhook
//! signing secret, a vendor's hook secret): sealed with the active key, opened back into a
//! `SecretString`.

use deskgate_vault::AssociatedData;
use secrecy::{ExposeSecret, SecretString};

use crate::{App, AppError};

/// A sealed secret and the key version that sealed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SealedText {
    pub blob: Vec<u8>,
    pub key_version: i32,
}

impl App {
    /// Seals `text` for `owner` with the active key. `what` names it in an error.
    pub(crate) fn seal_text(
        &self,
        owner: &AssociatedData<'_>,
        text: &str,
        what: &str,
    ) -> Result<SealedText, AppError> {
        let blob = self
            .vault()
            .seal(owner, text.as_bytes())
            .map_err(|e| AppError::Internal(format!("sealing {what}: {e}")))?;
        let key_version = i32::try_from(self.vault().key_ring().active_version())
            .map_err(|_| AppError::Internal("key version out of range".into()))?;
        Ok(SealedText { blob, key_version })
    }

    /// Opens a secret sealed by [`App::seal_text`] for the same owner.
    pub(crate) fn open_text(
        &self,
        owner: &AssociatedData<'_>,
        blob: &[u8],
        what: &str,
    ) -> Result<SecretString, AppError> {
        let opened = self
            .vault()
            .open(owner, blob)
            .map_err(|e| AppError::Internal(format!("opening {what}: {e}")))?;
        let text = String::from_utf8(opened.expose_secret().to_vec())
            .map_err(|_| AppError::Internal(format!("{what} is not text")))?;
        Ok(SecretString::from(text))
    }
}
