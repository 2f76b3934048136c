//! The tenant's own OAuth client per provider: the client id and scopes in the clear, the
//! secret sealed by the vault for (tenant, app id) and never returned.

use chrono::{DateTime, Utc};
use deskgate_connector::OAuthClientInput;
use deskgate_core::{Provider, TenantId};
use deskgate_store::audit::AuditEvent;
use deskgate_store::oauth_apps::OAuthAppRecord;
use deskgate_vault::{AssociatedData, Purpose};
use secrecy::ExposeSecret;
use uuid::Uuid;

use crate::connect::printable;
use crate::connections::registry;
use crate::{App, AppError, RequestContext};

const SECRET_FIELD: &str = "client_secret";

/// What a tenant sets: the same shape a redirect mode authorizes with.
pub type OAuthAppInput = OAuthClientInput;

/// A tenant's OAuth app as it is shown: never its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthApp {
    pub provider: Provider,
    pub client_id: String,
    pub has_client_secret: bool,
    pub scopes: Option<String>,
    /// The callback to register on the OAuth client, exactly.
    pub redirect_uri: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The provider of `/v1/oauth-apps/{provider}`, which must have a redirect mode.
pub(crate) fn redirect_provider(name: &str) -> Result<Provider, AppError> {
    let with_redirect = || {
        registry::specs()
            .filter(|s| s.modes().iter().any(|m| !m.posted))
            .map(|s| s.provider().as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let spec = name
        .parse::<Provider>()
        .ok()
        .and_then(registry::spec)
        .ok_or(AppError::NotFound("provider"))?;
    if !spec.modes().iter().any(|m| !m.posted) {
        return Err(AppError::invalid(
            "provider",
            format!(
                "{} connects without OAuth redirects; OAuth apps are for {}",
                spec.provider(),
                with_redirect()
            ),
        ));
    }
    Ok(spec.provider())
}

impl App {
    fn oauth_app_owner(tenant: TenantId, id: Uuid) -> AssociatedData<'static> {
        AssociatedData::new(
            Purpose::OAuthClientSecret,
            tenant.as_uuid(),
            id,
            SECRET_FIELD,
        )
    }

    /// The callback URL of a provider: what an OAuth client must have registered.
    pub fn oauth_redirect_uri(&self, provider: Provider) -> String {
        format!("{}/oauth/callback/{}", self.public_url(), provider.as_str())
    }

    fn oauth_app_view(&self, r: OAuthAppRecord) -> OAuthApp {
        OAuthApp {
            provider: r.provider,
            redirect_uri: self.oauth_redirect_uri(r.provider),
            client_id: r.client_id,
            has_client_secret: r.client_secret.is_some(),
            scopes: r.scopes,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }

    /// Sets (creates or replaces) the tenant's OAuth app for `provider`.
    pub async fn put_oauth_app(
        &self,
        tenant: TenantId,
        provider: &str,
        input: OAuthAppInput,
        ctx: &RequestContext,
    ) -> Result<OAuthApp, AppError> {
        let provider = redirect_provider(provider)?;
        printable("client_id", &input.client_id, 200)?;
        if let Some(secret) = &input.client_secret {
            printable("client_secret", secret.expose_secret(), 512)?;
        }
        if let Some(scopes) = &input.scopes {
            printable("scopes", scopes, 500)?;
        }
        let now = Utc::now();
        let existing = self.store().oauth_app(tenant, provider).await?;
        let id = existing.as_ref().map_or_else(Uuid::now_v7, |e| e.id);
        let (sealed, key_version) = match &input.client_secret {
            Some(secret) => {
                let sealed = self.seal_text(
                    &Self::oauth_app_owner(tenant, id),
                    secret.expose_secret(),
                    "a client secret",
                )?;
                (Some(sealed.blob), Some(sealed.key_version))
            }
            None => (None, None),
        };
        let record = OAuthAppRecord {
            id,
            tenant_id: tenant,
            provider,
            client_id: input.client_id.trim().to_owned(),
            client_secret: sealed,
            key_version,
            scopes: input.scopes.map(|s| s.trim().to_owned()),
            revision: 1,
            created_at: existing.as_ref().map_or(now, |e| e.created_at),
            updated_at: now,
        };
        let audit = AuditEvent {
            tenant_id: Some(tenant),
            at: now,
            actor: ctx.actor.to_string(),
            action: if existing.is_some() {
                "oauth_app.replace".into()
            } else {
                "oauth_app.create".into()
            },
            target: Some(format!("oauth_app:{}", provider.as_str())),
            request_id: ctx.request_id.clone(),
            detail: serde_json::json!({
                "client_id": record.client_id,
                "has_client_secret": record.client_secret.is_some(),
                "key_version": key_version,
            }),
        };
        self.store().put_oauth_app(&record, &audit).await?;
        self.oauth_app(tenant, provider.as_str()).await
    }

    /// The tenant's OAuth app for `provider`.
    pub async fn oauth_app(&self, tenant: TenantId, provider: &str) -> Result<OAuthApp, AppError> {
        let provider = redirect_provider(provider)?;
        self.store()
            .oauth_app(tenant, provider)
            .await?
            .map(|r| self.oauth_app_view(r))
            .ok_or(AppError::NotFound("oauth app"))
    }

    /// Deletes the tenant's OAuth app for `provider`, destroying its sealed secret.
    /// Connections made with it keep working until their grant needs the secret again.
    pub async fn delete_oauth_app(
        &self,
        tenant: TenantId,
        provider: &str,
        ctx: &RequestContext,
    ) -> Result<(), AppError> {
        let provider = redirect_provider(provider)?;
        let audit = AuditEvent {
            tenant_id: Some(tenant),
            at: Utc::now(),
            actor: ctx.actor.to_string(),
            action: "oauth_app.delete".into(),
            target: Some(format!("oauth_app:{}", provider.as_str())),
            request_id: ctx.request_id.clone(),
            detail: serde_json::json!({}),
        };
        if self
            .store()
            .delete_oauth_app(tenant, provider, &audit)
            .await?
        {
            Ok(())
        } else {
            Err(AppError::NotFound("oauth app"))
        }
    }

    /// The tenant's OAuth client for `provider`, its secret opened, if it set one.
    pub(crate) async fn tenant_oauth_client(
        &self,
        tenant: TenantId,
        provider: Provider,
    ) -> Result<Option<OAuthClientInput>, AppError> {
        let Some(record) = self.store().oauth_app(tenant, provider).await? else {
            return Ok(None);
        };
        let client_secret = match &record.client_secret {
            Some(blob) => Some(self.open_text(
                &Self::oauth_app_owner(tenant, record.id),
                blob,
                "a client secret",
            )?),
            None => None,
        };
        Ok(Some(OAuthClientInput {
            client_id: record.client_id,
            client_secret,
            scopes: record.scopes,
        }))
    }

    /// Re-seals the OAuth apps' secrets not sealed with the active key; how many.
    pub(crate) async fn rewrap_oauth_apps(&self) -> Result<(u64, u64), AppError> {
        let active = i32::try_from(self.vault().key_ring().active_version())
            .map_err(|_| AppError::Internal("key version out of range".into()))?;
        let (mut rewrapped, mut failed) = (0, 0);
        loop {
            let stale = self.store().stale_oauth_apps(active, 100).await?;
            if stale.is_empty() {
                break;
            }
            let mut progressed = false;
            for app in stale {
                let Some(blob) = &app.client_secret else {
                    continue;
                };
                let owner = Self::oauth_app_owner(app.tenant_id, app.id);
                match self.vault().rewrap(&owner, blob) {
                    Ok(sealed) => {
                        if self
                            .store()
                            .swap_oauth_app_secret(
                                app.tenant_id,
                                app.id,
                                app.revision,
                                &sealed,
                                active,
                            )
                            .await?
                        {
                            rewrapped += 1;
                        }
                        progressed = true;
                    }
                    Err(e) => {
                        tracing::error!(tenant = %app.tenant_id, app = %app.id, error = %e, "an oauth app's secret does not open");
                        failed += 1;
                    }
                }
            }
            if !progressed {
                break;
            }
        }
        Ok((rewrapped, failed))
    }
}
