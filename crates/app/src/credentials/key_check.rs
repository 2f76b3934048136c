//! The boot check: the configured key ring against the check values in the database.

use chrono::Utc;
use deskgate_store::StoreError;
use deskgate_vault::KeyRingError;

use crate::App;

/// Why the key ring was refused at boot.
#[derive(Debug, thiserror::Error)]
pub enum KeyCheckError {
    /// The keys do not match what the database was written with: fix the configuration.
    #[error(transparent)]
    Keys(#[from] KeyRingError),
    /// The check values could not be read or recorded: the database is unavailable.
    #[error("reading the vault key check values: {0}")]
    Store(#[from] StoreError),
}

impl App {
    /// Compares the configured keys with the check values recorded in the database, then
    /// records the versions seen for the first time.
    ///
    /// Refuses a wrong key under a known version and a recorded version (at or above the
    /// minimum) that is not configured. Recording is insert-if-absent and is followed by a
    /// second comparison, so two replicas booting at once with different keys for a new
    /// version cannot both succeed: the one whose value was not recorded refuses.
    pub async fn check_vault_keys(&self) -> Result<(), KeyCheckError> {
        let key_ring = self.vault().key_ring();
        let stored = self.stored_check_values().await?;
        key_ring.verify_against(&stored)?;
        let unrecorded = key_ring.unrecorded_check_values(&stored);
        if unrecorded.is_empty() {
            return Ok(());
        }
        let rows: Vec<(i32, Vec<u8>)> = unrecorded
            .into_iter()
            .filter_map(|(version, value)| Some((i32::try_from(version).ok()?, value)))
            .collect();
        let inserted = self
            .store()
            .record_vault_check_values(&rows, Utc::now())
            .await?;
        key_ring.verify_against(&self.stored_check_values().await?)?;
        let versions: Vec<i32> = rows.iter().map(|(version, _)| *version).collect();
        tracing::info!(?versions, inserted, "recorded vault key check values");
        Ok(())
    }

    async fn stored_check_values(&self) -> Result<Vec<(u32, Vec<u8>)>, StoreError> {
        Ok(self
            .store()
            .vault_check_values()
            .await?
            .into_iter()
            .filter_map(|r| Some((u32::try_from(r.version).ok()?, r.check_value)))
            .collect())
    }
}
