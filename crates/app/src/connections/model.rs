use chrono::{DateTime, Utc};
use deskgate_connector::{AuthInput, Deprecation};
use deskgate_core::{AuthMode, ConnectionId, ConnectionStatus, Provider, TenantId};
use deskgate_store::connections::ConnectionRecord;

use crate::connections::registry;

/// A connection as its tenant sees it. No secret is in here.
#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    pub id: ConnectionId,
    pub tenant_id: TenantId,
    pub provider: Provider,
    /// The vendor account: a Zendesk subdomain, a Freshdesk domain.
    pub account_label: String,
    pub auth_kind: AuthMode,
    pub status: ConnectionStatus,
    /// Why the status is what it is, when it is not `active`.
    pub status_detail: Option<String>,
    /// The tenant's own id for its customer.
    pub external_ref: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub token_expires_at: Option<DateTime<Utc>>,
    /// The provider's own settings (its typed struct, serialized).
    pub(crate) settings: serde_json::Value,
}

#[cfg(test)]
impl Connection {
    /// An active API-token Zendesk connection of a new tenant.
    pub(crate) fn for_tests() -> Self {
        let now = Utc::now();
        Self {
            id: ConnectionId::new(),
            tenant_id: TenantId::new(),
            provider: Provider::Zendesk,
            account_label: "acme".into(),
            auth_kind: AuthMode::ApiToken,
            status: ConnectionStatus::Active,
            status_detail: None,
            external_ref: None,
            created_at: now,
            updated_at: now,
            token_expires_at: None,
            settings: serde_json::json!({}),
        }
    }
}

impl From<ConnectionRecord> for Connection {
    fn from(r: ConnectionRecord) -> Self {
        Self {
            id: r.id,
            tenant_id: r.tenant_id,
            provider: r.provider,
            account_label: r.account_label,
            auth_kind: r.auth_kind,
            status: r.status,
            status_detail: r.status_detail,
            external_ref: r.external_ref,
            created_at: r.created_at,
            updated_at: r.updated_at,
            token_expires_at: r.token_expires_at,
            settings: r.settings.0,
        }
    }
}

impl Connection {
    /// The day the connection's credentials stop working whatever deskgate does, and what
    /// to do about it (Zendesk API tokens).
    pub fn deprecation(&self) -> Option<Deprecation> {
        registry::spec(self.provider).and_then(|s| s.deprecation(self.auth_kind))
    }
}

/// What a connection is made from: the provider, its account and one auth mode's checked
/// fields (secrets as `SecretString`s from the moment they are read). Built from a request
/// body by [`ConnectRequest::from_body`].
#[derive(Debug)]
pub struct ConnectRequest {
    pub provider: Provider,
    /// The canonical account label (a Zendesk subdomain, a Freshdesk domain).
    pub account_label: String,
    pub auth: AuthInput,
    /// The tenant's own id for its customer.
    pub external_ref: Option<String>,
}

/// Which connections to list, and where.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListConnections {
    pub provider: Option<Provider>,
    pub status: Option<ConnectionStatus>,
    pub external_ref: Option<String>,
    pub after: Option<ConnectionId>,
    pub limit: u32,
}
