//! An endpoint's signing secrets in the vault: sealed for (`webhook_secret`, tenant,
//! endpoint id), opened for each attempt, re-sealed under a new key by a re-wrap.
//!
//! After a rotation the previous secret keeps its sealed bytes (the owner is the same), so a
//! rotation seals one new secret and moves the old blob.

use chrono::{DateTime, Utc};
use deskgate_core::TenantId;
use deskgate_store::webhooks::WebhookEndpointRecord;
use deskgate_vault::{AssociatedData, Purpose};
use uuid::Uuid;

use crate::secrets::SealedText;
use crate::webhooks::signing::SigningKey;
use crate::{App, AppError};

const FIELD: &str = "secret";
const WHAT: &str = "a webhook signing secret";

fn owner(tenant: TenantId, endpoint: Uuid) -> AssociatedData<'static> {
    AssociatedData::new(Purpose::WebhookSecret, tenant.as_uuid(), endpoint, FIELD)
}

impl App {
    /// Seals `key`'s secret for the endpoint.
    pub(crate) fn seal_webhook_key(
        &self,
        tenant: TenantId,
        endpoint: Uuid,
        key: &SigningKey,
    ) -> Result<SealedText, AppError> {
        let secret = key.to_secret();
        self.seal_text(
            &owner(tenant, endpoint),
            secrecy::ExposeSecret::expose_secret(&secret),
            WHAT,
        )
    }

    fn open_webhook_key(
        &self,
        tenant: TenantId,
        endpoint: Uuid,
        blob: &[u8],
    ) -> Result<SigningKey, AppError> {
        let secret = self.open_text(&owner(tenant, endpoint), blob, WHAT)?;
        SigningKey::from_secret(&secret)
            .map_err(|e| AppError::Internal(format!("{WHAT} of endpoint {endpoint}: {e}")))
    }

    /// The keys an attempt at `now` is signed with: the current one, then the previous one
    /// while it is still valid.
    pub(crate) fn webhook_keys(
        &self,
        tenant: TenantId,
        endpoint: Uuid,
        secret: &[u8],
        previous: Option<(&[u8], DateTime<Utc>)>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SigningKey>, AppError> {
        let mut keys = vec![self.open_webhook_key(tenant, endpoint, secret)?];
        if let Some((blob, until)) = previous
            && until > now
        {
            keys.push(self.open_webhook_key(tenant, endpoint, blob)?);
        }
        Ok(keys)
    }

    /// Re-seals the endpoints' secrets not sealed with the active key (a rotation meanwhile
    /// wins: that endpoint is read again next batch); how many were re-sealed and how many
    /// failed to open.
    pub(crate) async fn rewrap_webhook_secrets(&self) -> Result<(u64, u64), AppError> {
        let active = i32::try_from(self.vault().key_ring().active_version())
            .map_err(|_| AppError::Internal("key version out of range".into()))?;
        let (mut rewrapped, mut failed) = (0, 0);
        let mut after = None;
        loop {
            let stale = self
                .store()
                .stale_webhook_secrets(active, after, 100)
                .await?;
            let Some(last) = stale.last() else { break };
            after = Some(last.id);
            for endpoint in &stale {
                match self.rewrapped_secrets(endpoint, active) {
                    Ok(new) => {
                        if self.store().swap_webhook_secrets(endpoint, &new).await? {
                            rewrapped += 1;
                        }
                    }
                    Err(e) => {
                        tracing::error!(tenant = %endpoint.tenant_id, endpoint = %endpoint.id, error = %e, "a webhook secret does not open");
                        failed += 1;
                    }
                }
            }
        }
        Ok((rewrapped, failed))
    }

    fn rewrapped_secrets(
        &self,
        endpoint: &WebhookEndpointRecord,
        active: i32,
    ) -> Result<WebhookEndpointRecord, deskgate_vault::VaultError> {
        let owner = owner(endpoint.tenant_id, endpoint.id);
        let mut new = endpoint.clone();
        new.secret = self.vault().rewrap(&owner, &endpoint.secret)?;
        new.secret_key_version = active;
        if let Some(previous) = &endpoint.previous_secret {
            new.previous_secret = Some(self.vault().rewrap(&owner, previous)?);
            new.previous_secret_key_version = Some(active);
        }
        Ok(new)
    }
}
