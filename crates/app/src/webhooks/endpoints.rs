//! The tenant's webhook endpoints: create (the secret shown once), read, list, change,
//! delete, rotate the secret (the previous one signs too for a day).
//!
//! A URL is untrusted input: it is checked against the engine's webhook policy (`https`
//! only; loopback `http` only where the operator allows it) before anything is stored, and
//! its host is resolved and checked again at every attempt.

use chrono::{DateTime, TimeDelta, Utc};
use deskgate_core::{ConnectionId, EventType, TenantId};
use deskgate_store::audit::AuditEvent;
use deskgate_store::webhooks::{
    EndpointChange, SecretRotation, WebhookEndpointRecord, decode_event_types, encode_event_types,
};
use deskgate_upstream::check_webhook_url;
use secrecy::SecretString;
use uuid::Uuid;

use crate::connect::printable;
use crate::webhooks::signing::SigningKey;
use crate::{App, AppError, RequestContext};

/// How long the previous secret signs beside the new one after a rotation.
pub const PREVIOUS_SECRET_LIFETIME: TimeDelta = TimeDelta::hours(24);
const MAX_URL: usize = 2048;
const MAX_DESCRIPTION: usize = 200;

/// An endpoint as it is shown: never its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: Uuid,
    pub url: String,
    pub description: Option<String>,
    /// `None`: every type.
    pub event_types: Option<Vec<EventType>>,
    /// Only this connection's events; `None`: every connection's (and the tenant's own).
    pub connection_id: Option<ConnectionId>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    /// After a rotation, the previous secret signs too until then.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// Since when every attempt failed.
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookEndpointRecord> for WebhookEndpoint {
    fn from(r: WebhookEndpointRecord) -> Self {
        Self {
            event_types: decode_event_types(&r.event_types),
            id: r.id,
            url: r.url,
            description: r.description,
            connection_id: r.connection_id.map(ConnectionId::from_uuid),
            enabled: r.enabled,
            disabled_reason: r.disabled_reason,
            previous_secret_until: r.previous_secret_until,
            failing_since: r.failing_since,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// An endpoint with its signing secret: the answer to a create or a rotation, the only
/// times the secret is shown.
#[derive(Debug)]
pub struct EndpointWithSecret {
    pub endpoint: WebhookEndpoint,
    /// `whsec_…`.
    pub secret: SecretString,
}

/// What a tenant registers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEndpoint {
    pub url: String,
    pub description: Option<String>,
    /// `None`: every type.
    pub event_types: Option<Vec<EventType>>,
    /// As the caller sent it; it must be one of the tenant's connections.
    pub connection_id: Option<String>,
    pub enabled: bool,
}

/// A change: `None` leaves a field alone, `Some(None)` clears a nullable one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub description: Option<Option<String>>,
    /// `Some(None)`: every type.
    pub event_types: Option<Option<Vec<EventType>>>,
    pub connection_id: Option<Option<String>>,
    pub enabled: Option<bool>,
}

/// Parses an endpoint id from a path; one that cannot exist is simply not found.
pub fn endpoint_id(raw: &str) -> Result<Uuid, AppError> {
    deskgate_core::ids::canonical_uuid(raw).ok_or(AppError::NotFound("webhook endpoint"))
}

/// A list cursor that is an id (of the page's last endpoint or attempt).
pub(crate) fn id_cursor(raw: Option<&str>) -> Result<Option<Uuid>, AppError> {
    raw.map(|c| {
        deskgate_core::ids::canonical_uuid(c).ok_or_else(|| {
            AppError::invalid_query(
                "cursor",
                "pass `next_cursor` from the previous page unchanged",
            )
        })
    })
    .transpose()
}

impl App {
    fn checked_url(&self, raw: &str) -> Result<String, AppError> {
        if raw.len() > MAX_URL {
            return Err(AppError::invalid(
                "url",
                format!("must be at most {MAX_URL} characters"),
            ));
        }
        let url = check_webhook_url(raw, self.upstream().webhook_policy())
            .map_err(|e| AppError::invalid("url", e.to_string()))?;
        Ok(url.to_string())
    }

    async fn checked_connection(
        &self,
        tenant: TenantId,
        raw: Option<&str>,
    ) -> Result<Option<ConnectionId>, AppError> {
        let Some(raw) = raw else { return Ok(None) };
        let id: ConnectionId = raw
            .parse()
            .map_err(|_| AppError::invalid("connection_id", "is not a connection id"))?;
        match self.store().get_connection(tenant, id).await? {
            Some(_) => Ok(Some(id)),
            None => Err(AppError::invalid("connection_id", "no such connection")),
        }
    }

    /// Registers an endpoint with a new secret, shown in the answer and never again.
    pub async fn create_webhook_endpoint(
        &self,
        tenant: TenantId,
        input: NewEndpoint,
        ctx: &RequestContext,
    ) -> Result<EndpointWithSecret, AppError> {
        let url = self.checked_url(&input.url)?;
        if let Some(d) = &input.description {
            printable("description", d, MAX_DESCRIPTION)?;
        }
        let event_types = checked_types(input.event_types)?;
        let connection = self
            .checked_connection(tenant, input.connection_id.as_deref())
            .await?;
        let id = Uuid::now_v7();
        let key = SigningKey::generate();
        let sealed = self.seal_webhook_key(tenant, id, &key)?;
        let now = Utc::now();
        let record = WebhookEndpointRecord {
            id,
            tenant_id: tenant,
            url,
            description: input.description,
            event_types: encode_event_types(event_types.as_deref()),
            connection_id: connection.map(|c| c.as_uuid()),
            enabled: input.enabled,
            disabled_reason: (!input.enabled).then(|| "created disabled".to_owned()),
            secret: sealed.blob,
            secret_key_version: sealed.key_version,
            previous_secret: None,
            previous_secret_key_version: None,
            previous_secret_until: None,
            failing_since: None,
            created_at: now,
            updated_at: now,
        };
        let detail = serde_json::json!({
            "url": record.url,
            "event_types": record.event_types,
            "connection_id": record.connection_id,
            "enabled": record.enabled,
            "key_version": record.secret_key_version,
        });
        let audit = endpoint_audit(tenant, id, "webhook_endpoint.create", ctx, now, detail);
        self.store()
            .create_webhook_endpoint(&record, &audit)
            .await?;
        Ok(EndpointWithSecret {
            endpoint: record.into(),
            secret: key.to_secret(),
        })
    }

    pub async fn webhook_endpoint(
        &self,
        tenant: TenantId,
        id: &str,
    ) -> Result<WebhookEndpoint, AppError> {
        self.endpoint_record(tenant, endpoint_id(id)?)
            .await
            .map(WebhookEndpoint::from)
    }

    pub(crate) async fn endpoint_record(
        &self,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<WebhookEndpointRecord, AppError> {
        self.store()
            .webhook_endpoint(tenant, id)
            .await?
            .ok_or(AppError::NotFound("webhook endpoint"))
    }

    /// A page of the tenant's endpoints, oldest first, after the endpoint `after`.
    pub async fn list_webhook_endpoints(
        &self,
        tenant: TenantId,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<WebhookEndpoint>, AppError> {
        Ok(self
            .store()
            .list_webhook_endpoints(tenant, id_cursor(after)?, limit)
            .await?
            .into_iter()
            .map(WebhookEndpoint::from)
            .collect())
    }

    /// Changes an endpoint. Enabling a disabled one clears its reason and failure streak and
    /// sends its pending deliveries at once; events recorded while it was disabled are not
    /// delivered unless resent.
    pub async fn update_webhook_endpoint(
        &self,
        tenant: TenantId,
        id: &str,
        patch: EndpointPatch,
        ctx: &RequestContext,
    ) -> Result<WebhookEndpoint, AppError> {
        let id = endpoint_id(id)?;
        let url = patch
            .url
            .as_deref()
            .map(|u| self.checked_url(u))
            .transpose()?;
        if let Some(Some(d)) = &patch.description {
            printable("description", d, MAX_DESCRIPTION)?;
        }
        let event_types = match patch.event_types {
            Some(types) => Some(encode_event_types(checked_types(types)?.as_deref())),
            None => None,
        };
        let connection_id = match &patch.connection_id {
            Some(raw) => Some(
                self.checked_connection(tenant, raw.as_deref())
                    .await?
                    .map(|c| c.as_uuid()),
            ),
            None => None,
        };
        let now = Utc::now();
        let change = EndpointChange {
            url,
            description: patch.description,
            event_types,
            connection_id,
            enabled: patch.enabled,
            disabled_reason: Some("disabled through the API".into()),
            at: now,
        };
        let detail = serde_json::json!({
            "url": change.url,
            "event_types": change.event_types,
            "connection_id": change.connection_id,
            "enabled": change.enabled,
        });
        let audit = endpoint_audit(tenant, id, "webhook_endpoint.update", ctx, now, detail);
        let updated = self
            .store()
            .update_webhook_endpoint(tenant, id, &change, &audit)
            .await?
            .ok_or(AppError::NotFound("webhook endpoint"))?;
        if change.enabled == Some(true) {
            self.wake_deliveries();
        }
        Ok(updated.into())
    }

    /// Deletes an endpoint with its secrets, deliveries and attempts.
    pub async fn delete_webhook_endpoint(
        &self,
        tenant: TenantId,
        id: &str,
        ctx: &RequestContext,
    ) -> Result<(), AppError> {
        let id = endpoint_id(id)?;
        let audit = endpoint_audit(
            tenant,
            id,
            "webhook_endpoint.delete",
            ctx,
            Utc::now(),
            serde_json::json!({}),
        );
        if self
            .store()
            .delete_webhook_endpoint(tenant, id, &audit)
            .await?
        {
            Ok(())
        } else {
            Err(AppError::NotFound("webhook endpoint"))
        }
    }

    /// Gives an endpoint a new secret, shown in the answer; the previous one keeps signing
    /// beside it for [`PREVIOUS_SECRET_LIFETIME`] (a secret before that stops at once).
    pub async fn rotate_webhook_secret(
        &self,
        tenant: TenantId,
        id: &str,
        ctx: &RequestContext,
    ) -> Result<EndpointWithSecret, AppError> {
        let id = endpoint_id(id)?;
        let key = SigningKey::generate();
        let sealed = self.seal_webhook_key(tenant, id, &key)?;
        let now = Utc::now();
        let rotation = SecretRotation {
            sealed: sealed.blob,
            key_version: sealed.key_version,
            previous_until: now + PREVIOUS_SECRET_LIFETIME,
            at: now,
        };
        let detail = serde_json::json!({
            "previous_secret_until": rotation.previous_until,
            "key_version": rotation.key_version,
        });
        let audit = endpoint_audit(
            tenant,
            id,
            "webhook_endpoint.rotate_secret",
            ctx,
            now,
            detail,
        );
        let endpoint = self
            .store()
            .rotate_webhook_secret(tenant, id, &rotation, &audit)
            .await?
            .ok_or(AppError::NotFound("webhook endpoint"))?;
        Ok(EndpointWithSecret {
            endpoint: endpoint.into(),
            secret: key.to_secret(),
        })
    }
}

/// At least one type when a list is given, each once.
fn checked_types(types: Option<Vec<EventType>>) -> Result<Option<Vec<EventType>>, AppError> {
    let Some(types) = types else { return Ok(None) };
    if types.is_empty() {
        return Err(AppError::invalid(
            "event_types",
            "name at least one event type, or leave it out (null) for every type",
        ));
    }
    let mut unique: Vec<EventType> = Vec::with_capacity(types.len());
    for t in types {
        if !unique.contains(&t) {
            unique.push(t);
        }
    }
    Ok(Some(unique))
}

/// The audit record of a change to an endpoint.
pub(crate) fn endpoint_audit(
    tenant: TenantId,
    id: Uuid,
    action: &str,
    ctx: &RequestContext,
    at: DateTime<Utc>,
    detail: serde_json::Value,
) -> AuditEvent {
    AuditEvent {
        tenant_id: Some(tenant),
        at,
        actor: ctx.actor.to_string(),
        action: action.into(),
        target: Some(format!("webhook_endpoint:{id}")),
        request_id: ctx.request_id.clone(),
        detail,
    }
}
