//! Connect sessions: a tenant asks for a link, its customer opens it. The token in the link
//! is 32 random bytes; only its SHA-256 digest is stored. A session lives 30 minutes and is
//! spent in the transaction that stores the connection it produced.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use deskgate_core::{ConnectionId, Provider, TenantId};
use deskgate_store::audit::AuditEvent;
use deskgate_store::connect_sessions::{ConnectSessionRecord, SessionStatus};
use uuid::Uuid;

use crate::connect::{digest, printable};
use crate::connections::registry;
use crate::{App, AppError, RequestContext};

/// How long a connect link works.
pub const SESSION_LIFETIME: Duration = Duration::minutes(30);

/// The tenant's customer the session is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndUser {
    /// The tenant's own id for the customer; becomes the connection's `external_ref`.
    pub external_ref: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
}

/// What a tenant asks for.
#[derive(Clone, Debug)]
pub struct NewConnectSession {
    pub end_user: EndUser,
    /// Provider names; every provider this build connects to when absent.
    pub allowed_providers: Option<Vec<String>>,
    /// One of the tenant's registered return URLs, exactly.
    pub return_url: String,
    /// A connection to re-authorize in place (same id) instead of creating one.
    pub connection_id: Option<ConnectionId>,
}

/// A session as the tenant sees it. Never its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectSession {
    pub id: Uuid,
    pub status: SessionStatus,
    pub end_user: EndUser,
    pub allowed_providers: Vec<Provider>,
    pub return_url: String,
    /// The connection re-authorized in place, for a reauthorization session.
    pub reauthorizes: Option<ConnectionId>,
    /// The connection the session produced.
    pub connection_id: Option<ConnectionId>,
    /// The code of the last failed attempt.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// A new session and its link, shown once.
#[derive(Clone, Debug)]
pub struct CreatedSession {
    pub session: ConnectSession,
    pub connect_url: String,
}

/// Which sessions to list.
#[derive(Clone, Debug, Default)]
pub struct ListSessions {
    pub status: Option<String>,
    /// The last id of the previous page (newest first).
    pub before: Option<Uuid>,
    pub limit: u32,
}

pub(crate) fn providers_of(record: &ConnectSessionRecord) -> Vec<Provider> {
    record
        .allowed_providers
        .split(',')
        .filter_map(|p| p.parse().ok())
        .collect()
}

pub(crate) fn view(record: ConnectSessionRecord, now: DateTime<Utc>) -> ConnectSession {
    ConnectSession {
        id: record.id,
        status: record.status(now),
        allowed_providers: providers_of(&record),
        end_user: EndUser {
            external_ref: record.end_user_ref,
            email: record.end_user_email,
            display_name: record.end_user_name,
        },
        return_url: record.return_url,
        reauthorizes: record.reauthorize_id.map(ConnectionId::from),
        connection_id: record.connection_id.map(ConnectionId::from),
        last_error: record.last_error,
        created_at: record.created_at,
        expires_at: record.expires_at,
        completed_at: record.completed_at,
    }
}

impl App {
    /// Opens a connect session for one of the tenant's customers.
    pub async fn create_connect_session(
        &self,
        tenant: TenantId,
        request: NewConnectSession,
        ctx: &RequestContext,
    ) -> Result<CreatedSession, AppError> {
        let end_user = &request.end_user;
        printable("end_user.external_ref", &end_user.external_ref, 200)?;
        if let Some(email) = &end_user.email
            && !deskgate_connector::input::plausible_email(email)
        {
            return Err(AppError::invalid(
                "end_user.email",
                "must be an email address",
            ));
        }
        if let Some(name) = &end_user.display_name {
            printable("end_user.display_name", name, 200)?;
        }
        let reauthorize = match request.connection_id {
            Some(id) => Some(self.connection(tenant, id).await.map_err(|e| match e {
                AppError::NotFound(_) => {
                    AppError::invalid("connection_id", "is not a connection of this tenant")
                }
                other => other,
            })?),
            None => None,
        };
        let providers: Vec<Provider> = match &request.allowed_providers {
            None => match &reauthorize {
                Some(c) => vec![c.provider],
                None => registry::specs().map(|s| s.provider()).collect(),
            },
            Some(names) => {
                if names.is_empty() {
                    return Err(AppError::invalid(
                        "allowed_providers",
                        format!("must name at least one of {}", registry::available()),
                    ));
                }
                let mut out = Vec::with_capacity(names.len());
                for (i, name) in names.iter().enumerate() {
                    let provider = name
                        .parse::<Provider>()
                        .ok()
                        .filter(|p| registry::spec(*p).is_some())
                        .ok_or_else(|| {
                            AppError::invalid(
                                format!("allowed_providers[{i}]"),
                                format!("must be one of {}", registry::available()),
                            )
                        })?;
                    if !out.contains(&provider) {
                        out.push(provider);
                    }
                }
                out
            }
        };
        if let Some(c) = &reauthorize
            && providers != [c.provider]
        {
            return Err(AppError::invalid(
                "allowed_providers",
                format!(
                    "a session that re-authorizes connection {} allows only its provider, {}",
                    c.id, c.provider
                ),
            ));
        }
        if !self
            .return_urls(tenant)
            .await?
            .contains(&request.return_url)
        {
            return Err(AppError::invalid(
                "return_url",
                "is not one of the tenant's registered return URLs (compared exactly, character \
                 for character): register it with PUT /v1/settings/return-urls first",
            ));
        }
        let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        let now = Utc::now();
        let record = ConnectSessionRecord {
            id: Uuid::now_v7(),
            tenant_id: tenant,
            token_hash: digest(&token),
            end_user_ref: end_user.external_ref.clone(),
            end_user_email: end_user.email.clone(),
            end_user_name: end_user.display_name.clone(),
            allowed_providers: providers
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(","),
            return_url: request.return_url.clone(),
            reauthorize_id: reauthorize.as_ref().map(|c| c.id.as_uuid()),
            created_at: now,
            expires_at: now + SESSION_LIFETIME,
            connection_id: None,
            completed_at: None,
            last_error: None,
            revoked_at: None,
        };
        let audit = AuditEvent {
            tenant_id: Some(tenant),
            at: now,
            actor: ctx.actor.to_string(),
            action: "connect_session.create".into(),
            target: Some(format!("connect_session:{}", record.id)),
            request_id: ctx.request_id.clone(),
            detail: serde_json::json!({
                "allowed_providers": record.allowed_providers,
                "reauthorize": record.reauthorize_id,
            }),
        };
        self.store().insert_connect_session(&record, &audit).await?;
        Ok(CreatedSession {
            connect_url: format!("{}/connect/{token}", self.public_url()),
            session: view(record, now),
        })
    }

    /// One of the tenant's sessions.
    pub async fn connect_session(
        &self,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<ConnectSession, AppError> {
        self.store()
            .connect_session(tenant, id)
            .await?
            .map(|r| view(r, Utc::now()))
            .ok_or(AppError::NotFound("connect session"))
    }

    /// A page of the tenant's sessions, newest first.
    pub async fn list_connect_sessions(
        &self,
        tenant: TenantId,
        query: &ListSessions,
    ) -> Result<Vec<ConnectSession>, AppError> {
        let status = match &query.status {
            None => None,
            Some(s) => Some(SessionStatus::parse(s).ok_or_else(|| {
                AppError::invalid_query(
                    "status",
                    "must be one of pending, connected, failed, expired, revoked",
                )
            })?),
        };
        let now = Utc::now();
        Ok(self
            .store()
            .list_connect_sessions(tenant, status, query.before, query.limit, now)
            .await?
            .into_iter()
            .map(|r| view(r, now))
            .collect())
    }

    /// Revokes a session that has not produced a connection: its link stops working at once.
    pub async fn revoke_connect_session(
        &self,
        tenant: TenantId,
        id: Uuid,
        ctx: &RequestContext,
    ) -> Result<ConnectSession, AppError> {
        let now = Utc::now();
        let audit = AuditEvent {
            tenant_id: Some(tenant),
            at: now,
            actor: ctx.actor.to_string(),
            action: "connect_session.revoke".into(),
            target: Some(format!("connect_session:{id}")),
            request_id: ctx.request_id.clone(),
            detail: serde_json::json!({}),
        };
        if !self
            .store()
            .revoke_connect_session(tenant, id, now, &audit)
            .await?
        {
            let current = self.connect_session(tenant, id).await?;
            if current.status == SessionStatus::Connected {
                return Err(AppError::Conflict(
                    "the session has produced a connection already; delete the connection instead"
                        .into(),
                ));
            }
        }
        self.connect_session(tenant, id).await
    }
}
