//! Whether and how often connections sync: the tenant's default, each connection's own
//! settings, and the connection's hook for vendor webhooks (a URL holding a random token, and
//! the vendor's signing secret where the vendor signs).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use deskgate_connector::HookSecret;
use deskgate_core::{ConnectionId, TenantId};
use deskgate_store::syncs::{SyncChange, SyncRecord};
use deskgate_vault::{AssociatedData, Purpose};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::connections::registry;
use crate::{App, AppError};

const HOOK_SECRET_FIELD: &str = "hook_secret";
/// Longest interval a tenant may set: a day.
const MAX_INTERVAL_SECS: u32 = 86_400;

/// The tenant's default for its connections.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SyncDefaults {
    /// Whether connections sync unless they say otherwise.
    pub enabled: bool,
    /// Seconds between two syncs of a connection unless it says otherwise.
    pub interval_secs: u32,
    /// `tenant` when the tenant set these, `operator` when they are the gateway's.
    pub source: &'static str,
}

/// A change of a connection's own settings; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct SyncConfigChange {
    /// `Some(None)`: follow the tenant's default again.
    pub enabled: Option<Option<bool>>,
    pub interval_secs: Option<Option<u32>>,
    /// Record existing tickets as `ticket.created` with `"backfill": true` on the first sync
    /// (only before that sync ran).
    pub backfill: Option<bool>,
    /// The vendor's signing secret for its webhooks; `Some(None)` removes it.
    pub hook_secret: Option<Option<SecretString>>,
}

/// A connection's sync as the API shows it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SyncView {
    pub connection_id: String,
    /// Whether the connection syncs (its own setting, else the tenant's default).
    pub enabled: bool,
    /// The connection's own setting; `null` follows the tenant's default.
    pub enabled_setting: Option<bool>,
    pub interval_secs: u32,
    /// The connection's own setting; `null` follows the tenant's default.
    pub interval_setting: Option<u32>,
    pub backfill: bool,
    /// When the first sync recorded where the connection stood; `null` before it ran.
    pub baseline_at: Option<DateTime<Utc>>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Failed runs in a row.
    pub failures: i32,
    pub next_run_at: Option<DateTime<Utc>>,
    /// Whether a replica is running it now.
    pub running: bool,
    pub hook: HookView,
}

/// The connection's hook for vendor webhooks.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HookView {
    /// Whether a hook URL was made (it is shown once, when made).
    pub url_issued: bool,
    /// Which secret verifies the vendor's webhooks: `none` (the URL's token is the proof),
    /// `webhook_secret` (set `hook_secret`), `client_secret` (the tenant's OAuth app's
    /// secret, or `hook_secret`).
    pub verified_with: &'static str,
    /// Whether `hook_secret` is set.
    pub secret_set: bool,
    /// How the vendor signs.
    pub scheme: &'static str,
    pub accepted: i64,
    pub refused: i64,
}

/// A hook URL, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IssuedHook {
    /// Give this to the vendor as the webhook's endpoint. It holds a secret: treat it as one.
    pub url: String,
}

pub(crate) fn hook_owner(tenant: TenantId, connection: ConnectionId) -> AssociatedData<'static> {
    AssociatedData::new(
        Purpose::HookSecret,
        tenant.as_uuid(),
        connection.as_uuid(),
        HOOK_SECRET_FIELD,
    )
}

pub(crate) fn token_digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn interval_secs(d: Duration) -> u32 {
    u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
}

impl App {
    /// The tenant's default for its connections' syncs.
    pub async fn sync_defaults(&self, tenant: TenantId) -> Result<SyncDefaults, AppError> {
        let settings = self.event_settings();
        Ok(match self.store().sync_defaults(tenant).await? {
            Some(r) => SyncDefaults {
                enabled: r.enabled,
                interval_secs: u32::try_from(r.interval_secs).unwrap_or(0),
                source: "tenant",
            },
            None => SyncDefaults {
                enabled: settings.sync_enabled_by_default,
                interval_secs: interval_secs(settings.sync_interval),
                source: "operator",
            },
        })
    }

    fn check_interval(&self, field: &str, secs: u32) -> Result<i32, AppError> {
        let min = interval_secs(self.event_settings().min_interval);
        if !(min..=MAX_INTERVAL_SECS).contains(&secs) {
            return Err(AppError::invalid(
                field,
                format!("must be between {min} and {MAX_INTERVAL_SECS} seconds"),
            ));
        }
        i32::try_from(secs).map_err(|_| AppError::invalid(field, "is too large"))
    }

    /// Sets the tenant's default.
    pub async fn put_sync_defaults(
        &self,
        tenant: TenantId,
        enabled: bool,
        interval: u32,
    ) -> Result<SyncDefaults, AppError> {
        let interval = self.check_interval("interval_secs", interval)?;
        self.store()
            .put_sync_defaults(tenant, enabled, interval, Utc::now())
            .await?;
        self.sync_defaults(tenant).await
    }

    /// A connection's sync settings and state.
    pub async fn sync_view(
        &self,
        tenant: TenantId,
        id: ConnectionId,
    ) -> Result<SyncView, AppError> {
        let connection = self.connection(tenant, id).await?;
        let record = self.store().sync_of(tenant, id).await?;
        let defaults = self.sync_defaults(tenant).await?;
        let spec = registry::spec_of(&connection)?;
        let scheme = spec.hook_scheme();
        let now = Utc::now();
        let own_enabled = record.as_ref().and_then(|r| r.enabled);
        let own_interval = record
            .as_ref()
            .and_then(|r| r.interval_secs)
            .and_then(|s| u32::try_from(s).ok());
        Ok(SyncView {
            connection_id: id.to_string(),
            enabled: own_enabled.unwrap_or(defaults.enabled),
            enabled_setting: own_enabled,
            interval_secs: own_interval.unwrap_or(defaults.interval_secs),
            interval_setting: own_interval,
            backfill: record.as_ref().is_some_and(|r| r.backfill),
            baseline_at: record.as_ref().and_then(|r| r.baseline_at),
            last_run_at: record.as_ref().and_then(|r| r.last_run_at),
            last_success_at: record.as_ref().and_then(|r| r.last_success_at),
            last_error: record.as_ref().and_then(|r| r.last_error.clone()),
            failures: record.as_ref().map_or(0, |r| r.failures),
            next_run_at: record.as_ref().map(|r| r.next_run_at),
            running: record
                .as_ref()
                .is_some_and(|r| r.lease_until.is_some_and(|until| until > now)),
            hook: HookView {
                url_issued: record.as_ref().is_some_and(|r| r.has_hook_token),
                verified_with: match scheme.secret {
                    HookSecret::PathToken => "none",
                    HookSecret::WebhookSecret => "webhook_secret",
                    HookSecret::ClientSecret => "client_secret",
                },
                secret_set: record.as_ref().is_some_and(|r| r.hook_secret.is_some()),
                scheme: scheme.summary,
                accepted: record.as_ref().map_or(0, |r| r.hooks_accepted),
                refused: record.as_ref().map_or(0, |r| r.hooks_refused),
            },
        })
    }

    /// Changes a connection's own sync settings.
    pub async fn change_sync(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        change: SyncConfigChange,
    ) -> Result<SyncView, AppError> {
        self.connection(tenant, id).await?;
        let interval = match change.interval_secs {
            Some(Some(secs)) => Some(Some(self.check_interval("interval_secs", secs)?)),
            Some(None) => Some(None),
            None => None,
        };
        if change.backfill == Some(true) {
            let ran = self
                .store()
                .sync_of(tenant, id)
                .await?
                .is_some_and(|r| r.baseline_at.is_some());
            if ran {
                return Err(AppError::invalid(
                    "backfill",
                    "the first sync has already run; backfill applies only before it",
                ));
            }
        }
        let now = Utc::now();
        if let Some(secret) = &change.hook_secret {
            let sealed = match secret {
                Some(s) => {
                    let text = s.expose_secret();
                    if text.is_empty()
                        || text.chars().count() > 512
                        || text.chars().any(char::is_control)
                    {
                        return Err(AppError::invalid(
                            "hook_secret",
                            "must be 1 to 512 printable characters",
                        ));
                    }
                    Some(self.seal_text(&hook_owner(tenant, id), text, "a hook secret")?)
                }
                None => None,
            };
            self.store()
                .set_hook(
                    tenant,
                    id,
                    None,
                    Some(sealed.as_ref().map(|s| (s.blob.as_slice(), s.key_version))),
                    now,
                )
                .await?;
        }
        self.store()
            .change_sync(
                tenant,
                id,
                &SyncChange {
                    enabled: change.enabled,
                    interval_secs: interval,
                    backfill: change.backfill,
                },
                now,
            )
            .await
            .map_err(|e| match e {
                deskgate_store::StoreError::MissingReference => AppError::NotFound("connection"),
                other => other.into(),
            })?;
        self.sync_view(tenant, id).await
    }

    /// Makes (or replaces) the connection's hook URL; the old one stops working.
    pub async fn issue_hook(
        &self,
        tenant: TenantId,
        id: ConnectionId,
    ) -> Result<IssuedHook, AppError> {
        let connection = self.connection(tenant, id).await?;
        let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        self.store()
            .set_hook(tenant, id, Some(&token_digest(&token)), None, Utc::now())
            .await?;
        Ok(IssuedHook {
            url: format!(
                "{}/hooks/{}/{token}",
                self.public_url(),
                connection.provider.as_str()
            ),
        })
    }

    /// The connection's effective interval.
    pub(crate) async fn sync_interval(
        &self,
        tenant: TenantId,
        record: &SyncRecord,
    ) -> Result<Duration, AppError> {
        let secs = match record.interval_secs.and_then(|s| u32::try_from(s).ok()) {
            Some(secs) => secs,
            None => self.sync_defaults(tenant).await?.interval_secs,
        };
        Ok(Duration::from_secs(u64::from(secs.max(1))))
    }

    /// Re-seals the hook secrets not sealed with the active key; `(re-sealed, failed)`.
    pub(crate) async fn rewrap_hook_secrets(&self) -> Result<(u64, u64), AppError> {
        let active = i32::try_from(self.vault().key_ring().active_version())
            .map_err(|_| AppError::Internal("key version out of range".into()))?;
        let (mut rewrapped, mut failed) = (0, 0);
        loop {
            let stale = self.store().stale_hook_secrets(active, 100).await?;
            let mut progressed = false;
            for (tenant, id, blob) in &stale {
                match self.vault().rewrap(&hook_owner(*tenant, *id), blob) {
                    Ok(sealed) => {
                        if self
                            .store()
                            .swap_hook_secret(*tenant, *id, blob, &sealed, active)
                            .await?
                        {
                            rewrapped += 1;
                        }
                        progressed = true;
                    }
                    Err(e) => {
                        tracing::error!(%tenant, connection = %id, error = %e, "a hook secret does not open");
                        failed += 1;
                    }
                }
            }
            if stale.is_empty() || !progressed {
                return Ok((rewrapped, failed));
            }
        }
    }
}
