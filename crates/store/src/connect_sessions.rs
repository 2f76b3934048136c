//! Connect sessions (the hosted page's short-lived link) and OAuth sessions (one authorize
//! round trip). Both are found by the digest of a secret the browser holds, never by the
//! secret itself, and both are spent at most once.

use chrono::{DateTime, Utc};
use deskgate_core::{Provider, TenantId};
use uuid::Uuid;

use crate::audit::AuditEvent;
use crate::{Scope, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ConnectSessionRecord {
    pub id: Uuid,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    /// SHA-256 of the token in the connect URL.
    pub token_hash: Vec<u8>,
    pub end_user_ref: String,
    pub end_user_email: Option<String>,
    pub end_user_name: Option<String>,
    /// Provider names, comma-separated, in the order the page offers them.
    pub allowed_providers: String,
    pub return_url: String,
    /// The connection this session re-authorizes in place, if any.
    pub reauthorize_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The connection the session produced: set once, and the session is spent.
    pub connection_id: Option<Uuid>,
    pub completed_at: Option<DateTime<Utc>>,
    /// The code of the last failed attempt (the session stays usable until it expires).
    pub last_error: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A session's state, derived from its row and the time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    Pending,
    Connected,
    Failed,
    Expired,
    Revoked,
}

impl SessionStatus {
    pub const ALL: [SessionStatus; 5] = [
        Self::Pending,
        Self::Connected,
        Self::Failed,
        Self::Expired,
        Self::Revoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Connected => "connected",
            Self::Failed => "failed",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The SQL condition selecting sessions in this state at `$2`.
    fn condition(self) -> &'static str {
        match self {
            Self::Connected => "connection_id IS NOT NULL",
            Self::Revoked => "connection_id IS NULL AND revoked_at IS NOT NULL",
            Self::Expired => "connection_id IS NULL AND revoked_at IS NULL AND expires_at <= $2",
            Self::Failed => {
                "connection_id IS NULL AND revoked_at IS NULL AND expires_at > $2 \
                 AND last_error IS NOT NULL"
            }
            Self::Pending => {
                "connection_id IS NULL AND revoked_at IS NULL AND expires_at > $2 \
                 AND last_error IS NULL"
            }
        }
    }
}

impl ConnectSessionRecord {
    pub fn status(&self, now: DateTime<Utc>) -> SessionStatus {
        if self.connection_id.is_some() {
            SessionStatus::Connected
        } else if self.revoked_at.is_some() {
            SessionStatus::Revoked
        } else if self.expires_at <= now {
            SessionStatus::Expired
        } else if self.last_error.is_some() {
            SessionStatus::Failed
        } else {
            SessionStatus::Pending
        }
    }

    /// Whether the page may still act on it: not spent, revoked or expired.
    pub fn open(&self, now: DateTime<Utc>) -> bool {
        matches!(
            self.status(now),
            SessionStatus::Pending | SessionStatus::Failed
        )
    }
}

/// Spends a connect session inside the transaction that writes its connection.
#[derive(Clone, Copy, Debug)]
pub struct SessionSpend {
    pub session_id: Uuid,
    pub at: DateTime<Utc>,
}

/// Marks `$spend`'s session as having produced `$connection`, if it is still open; returns
/// `Err(StoreError::Gone)` from the enclosing function otherwise, rolling the transaction back.
macro_rules! spend_session {
    ($conn:expr, $tenant:expr, $connection:expr, $spend:expr) => {
        if let Some(spend) = $spend {
            let spent = sqlx::query(
                "UPDATE connect_sessions SET connection_id = $1, completed_at = $2 \
                 WHERE tenant_id = $3 AND id = $4 AND connection_id IS NULL \
                 AND revoked_at IS NULL AND expires_at > $2",
            )
            .bind($connection.as_uuid())
            .bind(spend.at)
            .bind($tenant.as_uuid())
            .bind(spend.session_id)
            .execute(&mut *$conn)
            .await?
            .rows_affected();
            if spent == 0 {
                return Err($crate::StoreError::Gone);
            }
        }
    };
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OAuthSessionRecord {
    pub id: Uuid,
    /// SHA-256 of the `state` sent to the vendor.
    pub state_hash: Vec<u8>,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    pub connect_session_id: Uuid,
    #[sqlx(try_from = "String")]
    pub provider: Provider,
    pub account_label: String,
    /// The only URL the code may be exchanged at (mix-up defense).
    pub token_url: String,
    pub redirect_uri: String,
    pub client_id: String,
    pub scopes: Option<String>,
    /// Whether the customer brought their own OAuth client (its secret is then sealed here).
    pub own_client: bool,
    /// The PKCE verifier, sealed for (`oauth_session_secret`, tenant, id, `code_verifier`).
    pub verifier: Vec<u8>,
    /// The customer's client secret, sealed for (…, `client_secret`).
    pub client_secret: Option<Vec<u8>>,
    /// Whether the page was opened as a popup by `/connect.js`.
    pub popup: bool,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub consumed_at: Option<DateTime<Utc>>,
}

const SESSION_COLUMNS: &str = "id, tenant_id, token_hash, end_user_ref, end_user_email, \
    end_user_name, allowed_providers, return_url, reauthorize_id, created_at, expires_at, \
    connection_id, completed_at, last_error, revoked_at";

const OAUTH_COLUMNS: &str = "id, state_hash, tenant_id, connect_session_id, provider, \
    account_label, token_url, redirect_uri, client_id, scopes, own_client, verifier, \
    client_secret, popup, created_at, expires_at, consumed_at";

impl Store {
    pub async fn insert_connect_session(
        &self,
        s: &ConnectSessionRecord,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(s.tenant_id), |conn| {
            sqlx::query(
                "INSERT INTO connect_sessions (id, tenant_id, token_hash, end_user_ref, \
                 end_user_email, end_user_name, allowed_providers, return_url, reauthorize_id, \
                 created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(s.id)
            .bind(s.tenant_id.as_uuid())
            .bind(&s.token_hash)
            .bind(&s.end_user_ref)
            .bind(&s.end_user_email)
            .bind(&s.end_user_name)
            .bind(&s.allowed_providers)
            .bind(&s.return_url)
            .bind(s.reauthorize_id)
            .bind(s.created_at)
            .bind(s.expires_at)
            .execute(&mut *conn)
            .await?;
            insert_audit!(conn, audit, &audit.detail);
        });
        Ok(())
    }

    pub async fn connect_session(
        &self,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<Option<ConnectSessionRecord>, StoreError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM connect_sessions WHERE tenant_id = $1 AND id = $2"
        );
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, ConnectSessionRecord>(&sql)
                .bind(tenant.as_uuid())
                .bind(id)
                .fetch_optional(conn)
                .await?
        }))
    }

    /// The session a connect URL's token names, whichever tenant owns it: the hosted page's
    /// first read.
    pub async fn connect_session_by_token(
        &self,
        token_hash: &[u8],
    ) -> Result<Option<ConnectSessionRecord>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM connect_sessions WHERE token_hash = $1");
        Ok(scoped!(self, Scope::Authenticate, |conn| {
            sqlx::query_as::<_, ConnectSessionRecord>(&sql)
                .bind(token_hash)
                .fetch_optional(conn)
                .await?
        }))
    }

    /// The tenant's sessions, newest first, after the id `before` (ids are time-ordered).
    pub async fn list_connect_sessions(
        &self,
        tenant: TenantId,
        status: Option<SessionStatus>,
        before: Option<Uuid>,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<ConnectSessionRecord>, StoreError> {
        let condition = status.map_or("$2 = $2", SessionStatus::condition);
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM connect_sessions WHERE tenant_id = $1 AND ({condition}) \
             AND ($3 IS NULL OR id < $3) ORDER BY id DESC LIMIT $4"
        );
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, ConnectSessionRecord>(&sql)
                .bind(tenant.as_uuid())
                .bind(now)
                .bind(before)
                .bind(i64::from(limit))
                .fetch_all(conn)
                .await?
        }))
    }

    /// Revokes a session that has not produced a connection; false when there is none to
    /// revoke (unknown, spent or revoked already).
    pub async fn revoke_connect_session(
        &self,
        tenant: TenantId,
        id: Uuid,
        at: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<bool, StoreError> {
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            let n = sqlx::query(
                "UPDATE connect_sessions SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 \
                 AND connection_id IS NULL AND revoked_at IS NULL",
            )
            .bind(tenant.as_uuid())
            .bind(id)
            .bind(at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n > 0 {
                insert_audit!(conn, audit, &audit.detail);
            }
            n > 0
        }))
    }

    /// Records a failed attempt's code on a session that is still open. With `end`, the
    /// session is also closed (the customer cancelled): revoked at that time.
    pub async fn fail_connect_session(
        &self,
        tenant: TenantId,
        id: Uuid,
        code: &str,
        end: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query(
                "UPDATE connect_sessions SET last_error = $3, revoked_at = COALESCE($4, revoked_at) \
                 WHERE tenant_id = $1 AND id = $2 AND connection_id IS NULL AND revoked_at IS NULL",
            )
            .bind(tenant.as_uuid())
            .bind(id)
            .bind(code)
            .bind(end)
            .execute(conn)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    pub async fn insert_oauth_session(&self, s: &OAuthSessionRecord) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(s.tenant_id), |conn| {
            sqlx::query(
                "INSERT INTO oauth_sessions (id, state_hash, tenant_id, connect_session_id, \
                 provider, account_label, token_url, redirect_uri, client_id, scopes, own_client, \
                 verifier, client_secret, popup, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(s.id)
            .bind(&s.state_hash)
            .bind(s.tenant_id.as_uuid())
            .bind(s.connect_session_id)
            .bind(s.provider.as_str())
            .bind(&s.account_label)
            .bind(&s.token_url)
            .bind(&s.redirect_uri)
            .bind(&s.client_id)
            .bind(&s.scopes)
            .bind(s.own_client)
            .bind(&s.verifier)
            .bind(&s.client_secret)
            .bind(s.popup)
            .bind(s.created_at)
            .bind(s.expires_at)
            .execute(conn)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Consumes the OAuth session a callback's `state` names: at most once, and only before
    /// it expires. `None` for an unknown, consumed or expired state; nothing else changes.
    pub async fn consume_oauth_session(
        &self,
        state_hash: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<OAuthSessionRecord>, StoreError> {
        let sql = format!(
            "UPDATE oauth_sessions SET consumed_at = $2 WHERE state_hash = $1 \
             AND consumed_at IS NULL AND expires_at > $2 RETURNING {OAUTH_COLUMNS}"
        );
        Ok(scoped!(self, Scope::Authenticate, |conn| {
            sqlx::query_as::<_, OAuthSessionRecord>(&sql)
                .bind(state_hash)
                .bind(now)
                .fetch_optional(conn)
                .await?
        }))
    }

    /// Whether a `state` was ever issued (consumed or expired since): lets the callback say
    /// "used already or expired" rather than "unknown".
    pub async fn oauth_state_known(&self, state_hash: &[u8]) -> Result<bool, StoreError> {
        Ok(scoped!(self, Scope::Authenticate, |conn| {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM oauth_sessions WHERE state_hash = $1",
            )
            .bind(state_hash)
            .fetch_one(conn)
            .await?
        }) > 0)
    }

    /// Deletes OAuth sessions that expired before `before`; how many.
    pub async fn purge_oauth_sessions(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(scoped!(self, Scope::Operator, |conn| {
            sqlx::query("DELETE FROM oauth_sessions WHERE expires_at < $1")
                .bind(before)
                .execute(conn)
                .await?
                .rows_affected()
        }))
    }
}
