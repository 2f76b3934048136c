//! Vendor webhooks in: `/hooks/{provider}/{token}`. The token names the connection; the
//! provider verifies the vendor's signature with the connection's secret; an accepted one
//! makes the connection's sync due now and is answered at once. Nothing in a notification is
//! trusted as data: the sync reads the vendor's feed as always.

use chrono::Utc;
use deskgate_connector::{HookRefusal, HookSecret, InboundHook};
use deskgate_core::Provider;
use http::HeaderMap;
use secrecy::SecretString;

use super::settings::{hook_owner, token_digest};
use crate::connections::registry;
use crate::{App, AppError};

/// Longest hook token accepted (ours are 43 characters).
const MAX_TOKEN_CHARS: usize = 128;

/// What became of a notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookOutcome {
    /// Verified: the connection's sync runs now (if it is enabled).
    Accepted,
    /// The signature, timestamp or secret did not hold.
    Refused(HookRefusal),
}

impl App {
    /// Handles one vendor notification for `provider` with the path `token`. `NotFound` for
    /// an unknown provider or token (nothing is said about which).
    pub async fn receive_hook(
        &self,
        provider: &str,
        token: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<HookOutcome, AppError> {
        let provider: Provider = provider.parse().map_err(|_| AppError::NotFound("hook"))?;
        if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
            return Err(AppError::NotFound("hook"));
        }
        let target = self
            .store()
            .hook_target(&token_digest(token))
            .await?
            .ok_or(AppError::NotFound("hook"))?;
        let (tenant, id) = (target.tenant_id, target.connection_id);
        let connection = self.connection(tenant, id).await?;
        if connection.provider != provider {
            return Err(AppError::NotFound("hook"));
        }
        let spec = registry::spec_of(&connection)?;
        let key: Option<SecretString> = match (spec.hook_scheme().secret, &target.hook_secret) {
            (HookSecret::PathToken, _) => None,
            (_, Some(sealed)) => {
                Some(self.open_text(&hook_owner(tenant, id), sealed, "a hook secret")?)
            }
            (HookSecret::WebhookSecret, None) => None,
            (HookSecret::ClientSecret, None) => self
                .tenant_oauth_client(tenant, provider)
                .await?
                .and_then(|client| client.client_secret),
        };
        let hook = InboundHook {
            headers,
            body,
            now: Utc::now(),
        };
        let outcome = match spec.verify_hook(&hook, key.as_ref()) {
            Ok(()) => HookOutcome::Accepted,
            Err(refusal) => HookOutcome::Refused(refusal),
        };
        let accepted = outcome == HookOutcome::Accepted;
        self.store().count_hook(tenant, id, accepted).await?;
        if accepted {
            self.store().request_sync(tenant, id, Utc::now()).await?;
        } else {
            tracing::warn!(%tenant, connection = %id, %provider, reason = ?outcome, "a vendor webhook was refused");
        }
        Ok(outcome)
    }
}
