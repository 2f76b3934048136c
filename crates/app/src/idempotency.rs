//! `Idempotency-Key` on writes: the first response is kept per (tenant, key) for 24 hours and
//! replayed; the same key with another request is refused, and so is a second request while
//! the first is still running.

use chrono::{TimeDelta, Utc};
use deskgate_core::TenantId;
use deskgate_store::idempotency::IdempotencyClaim;
use deskgate_vault::{AssociatedData, Purpose};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{App, AppError};

/// How long a response is replayed.
pub const RETENTION: TimeDelta = TimeDelta::hours(24);

/// What to do with a write that carries an idempotency key.
#[derive(Debug, PartialEq, Eq)]
pub enum Idempotency {
    /// Run the request, then [`App::finish_idempotent`] (or [`App::abandon_idempotent`]).
    Run,
    /// Answer with the stored response of the first request.
    Replay { status: u16, body: Vec<u8> },
}

/// Checks a caller's key: 1 to 255 printable ASCII characters.
pub fn check_key(key: &str) -> Result<(), AppError> {
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::invalid(
            "Idempotency-Key",
            "must be 1 to 255 printable ASCII characters, e.g. a UUID",
        ));
    }
    Ok(())
}

/// The owner a stored answer is sealed for: the tenant and its key.
fn response_owner(tenant: TenantId, key: &str) -> AssociatedData<'_> {
    AssociatedData::new(
        Purpose::IdempotencyResponse,
        tenant.as_uuid(),
        Uuid::nil(),
        key,
    )
}

impl App {
    /// Claims `key` for a request described by `fingerprint` (method, path, body).
    pub async fn begin_idempotent(
        &self,
        tenant: TenantId,
        key: &str,
        fingerprint: &[u8],
    ) -> Result<Idempotency, AppError> {
        check_key(key)?;
        let hash = Sha256::digest(fingerprint);
        let now = Utc::now();
        match self
            .store()
            .claim_idempotency(tenant, key, &hash, now, now + RETENTION)
            .await?
        {
            IdempotencyClaim::Claimed => Ok(Idempotency::Run),
            IdempotencyClaim::Replay {
                status,
                body,
                sealed,
            } => {
                let body = if sealed {
                    self.vault()
                        .open(&response_owner(tenant, key), &body)
                        .map_err(|e| AppError::Internal(format!("opening a stored answer: {e}")))?
                        .expose_secret()
                        .to_vec()
                } else {
                    body
                };
                Ok(Idempotency::Replay { status, body })
            }
            IdempotencyClaim::Mismatch => Err(AppError::IdempotencyMismatch),
            IdempotencyClaim::InFlight => Err(AppError::IdempotencyInFlight),
        }
    }

    /// Stores the response to replay, sealed: it may show a secret once (a new API key, a
    /// webhook endpoint's signing secret), and the database must not hold it in the clear.
    pub async fn finish_idempotent(
        &self,
        tenant: TenantId,
        key: &str,
        status: u16,
        body: &[u8],
    ) -> Result<(), AppError> {
        let sealed = self
            .vault()
            .seal(&response_owner(tenant, key), body)
            .map_err(|e| AppError::Internal(format!("sealing a stored answer: {e}")))?;
        Ok(self
            .store()
            .complete_idempotency(tenant, key, status, &sealed)
            .await?)
    }

    /// Gives the key up: the request provably did nothing (it was refused before reaching
    /// the vendor), so a retry with the same key may run.
    pub async fn abandon_idempotent(&self, tenant: TenantId, key: &str) -> Result<(), AppError> {
        Ok(self.store().release_idempotency(tenant, key).await?)
    }

    /// Deletes expired idempotency records; returns how many.
    pub async fn sweep_idempotency(&self) -> Result<u64, AppError> {
        Ok(self.store().sweep_idempotency(Utc::now()).await?)
    }
}
