use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use deskgate_core::{AuthMode, ConnectionId, Provider, TenantId};
use deskgate_store::connections::ConnectionRecord;
use secrecy::SecretString;

use crate::AppError;

/// A connection as its tenant sees it. No secret is in here.
#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    pub id: ConnectionId,
    pub tenant_id: TenantId,
    pub provider: Provider,
    /// The vendor account: a Zendesk subdomain.
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

/// Whether a connection can be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnectionStatus {
    Active,
    /// The vendor refused the credentials; a person must reconnect.
    NeedsReauth,
}

impl ConnectionStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Active => "active",
            ConnectionStatus::NeedsReauth => "needs_reauth",
        }
    }
}

impl fmt::Display for ConnectionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ConnectionStatus {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(ConnectionStatus::Active),
            "needs_reauth" => Ok(ConnectionStatus::NeedsReauth),
            other => Err(AppError::invalid(
                "status",
                format!("unknown status `{other}`: expected active or needs_reauth"),
            )),
        }
    }
}

fn auth_mode(s: &str) -> Option<AuthMode> {
    [
        AuthMode::ApiToken,
        AuthMode::OauthCode,
        AuthMode::ClientCredentials,
        AuthMode::ApiKey,
        AuthMode::AccessToken,
    ]
    .into_iter()
    .find(|m| m.as_str() == s)
}

impl TryFrom<ConnectionRecord> for Connection {
    type Error = AppError;

    fn try_from(r: ConnectionRecord) -> Result<Self, AppError> {
        let corrupt = |what: &str, value: &str| {
            AppError::Internal(format!(
                "connection {} has an unknown {what} `{value}`",
                r.id
            ))
        };
        Ok(Self {
            provider: r
                .provider
                .parse()
                .map_err(|_| corrupt("provider", &r.provider))?,
            auth_kind: auth_mode(&r.auth_kind).ok_or_else(|| corrupt("auth kind", &r.auth_kind))?,
            status: r.status.parse().map_err(|_| corrupt("status", &r.status))?,
            id: r.id,
            tenant_id: r.tenant_id,
            account_label: r.account_label.clone(),
            status_detail: r.status_detail.clone(),
            external_ref: r.external_ref.clone(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            token_expires_at: r.token_expires_at,
            settings: r.settings.0.clone(),
        })
    }
}

/// What a connection is made from: the provider and its credentials. Secrets are
/// `SecretString`s from the moment they are parsed.
#[derive(Debug)]
pub enum ConnectRequest {
    Zendesk(ZendeskConnect),
}

impl ConnectRequest {
    pub fn provider(&self) -> Provider {
        match self {
            ConnectRequest::Zendesk(_) => Provider::Zendesk,
        }
    }
}

/// A Zendesk account and how to reach it.
#[derive(Debug)]
pub struct ZendeskConnect {
    /// The account's subdomain: `acme` for `acme.zendesk.com`. A label, never a URL.
    pub subdomain: String,
    pub auth: ZendeskAuthInput,
}

/// How a Zendesk connection authenticates.
#[derive(Debug)]
pub enum ZendeskAuthInput {
    /// Legacy API token (Zendesk disables all of them on 2027-04-30).
    ApiToken { email: String, token: SecretString },
    /// An OAuth client of the customer's account, with the client-credentials grant.
    ClientCredentials {
        client_id: String,
        client_secret: SecretString,
        /// Space-separated; `read write` by default.
        scope: Option<String>,
    },
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
