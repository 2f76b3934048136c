//! Who is acting, for the audit log.

use std::fmt;

use deskgate_core::TenantId;
use uuid::Uuid;

/// The principal behind a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A tenant's API key, by key id.
    ApiKey { tenant: TenantId, key_id: String },
    /// The operator, through the CLI.
    Operator,
    /// The gateway itself, renewing tokens ahead of time.
    Renewal,
    /// The gateway itself, syncing a connection's changes.
    Sync,
    /// The gateway itself, delivering webhooks (disabling an endpoint that refuses them).
    Webhooks,
    /// A tenant's end customer on the hosted connect page, by connect session id.
    ConnectSession { tenant: TenantId, session_id: Uuid },
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::ApiKey { key_id, .. } => write!(f, "api_key:{key_id}"),
            Actor::Operator => f.write_str("operator"),
            Actor::Renewal => f.write_str("renewal"),
            Actor::Sync => f.write_str("sync"),
            Actor::Webhooks => f.write_str("webhooks"),
            Actor::ConnectSession { session_id, .. } => write!(f, "connect_session:{session_id}"),
        }
    }
}

/// One call's actor and request id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestContext {
    pub actor: Actor,
    pub request_id: Option<String>,
}

impl RequestContext {
    pub fn operator() -> Self {
        Self {
            actor: Actor::Operator,
            request_id: None,
        }
    }

    /// A tenant's end customer on the connect page.
    pub fn connect_session(tenant: TenantId, session_id: Uuid) -> Self {
        Self {
            actor: Actor::ConnectSession { tenant, session_id },
            request_id: None,
        }
    }

    /// A connection's change sync.
    pub fn sync() -> Self {
        Self {
            actor: Actor::Sync,
            request_id: None,
        }
    }

    /// The webhook delivery workers.
    pub fn webhooks() -> Self {
        Self {
            actor: Actor::Webhooks,
            request_id: None,
        }
    }

    /// The background renewal of tokens.
    pub fn renewal() -> Self {
        Self {
            actor: Actor::Renewal,
            request_id: None,
        }
    }
}
