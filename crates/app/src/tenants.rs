//! Tenants: created by the operator, each with a first API key.

use chrono::Utc;
use deskgate_core::TenantId;
use deskgate_store::audit::AuditEvent;
use deskgate_store::tenants::Tenant;

use crate::api_keys::IssuedKey;
use crate::{App, AppError, RequestContext};

impl App {
    /// Creates a tenant and its first API key. The key's secret is in the result and nowhere
    /// else: it is shown once.
    pub async fn create_tenant(
        &self,
        name: &str,
        ctx: &RequestContext,
    ) -> Result<(Tenant, IssuedKey), AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AppError::invalid("name", "must be 1 to 200 characters"));
        }
        if name.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "name",
                "must not contain control characters",
            ));
        }
        let tenant = Tenant {
            id: TenantId::new(),
            name: name.to_owned(),
            created_at: Utc::now(),
        };
        self.store().insert_tenant(&tenant).await?;
        self.store()
            .append_audit(&AuditEvent {
                tenant_id: Some(tenant.id),
                at: tenant.created_at,
                actor: ctx.actor.to_string(),
                action: "tenant.create".into(),
                target: Some(tenant.id.to_string()),
                request_id: ctx.request_id.clone(),
                detail: serde_json::json!({ "name": tenant.name }),
            })
            .await?;
        let key = self.create_api_key(tenant.id, "default", None, ctx).await?;
        Ok((tenant, key))
    }

    pub async fn list_tenants(&self) -> Result<Vec<Tenant>, AppError> {
        Ok(self.store().list_tenants().await?)
    }
}
