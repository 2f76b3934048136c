//! Connections: one connected helpdesk account of one tenant's customer.

use chrono::{DateTime, Utc};
use deskgate_core::{AuthMode, ConnectionId, ConnectionStatus, Provider, TenantId};
use uuid::Uuid;

use crate::audit::AuditEvent;
use crate::connect_sessions::SessionSpend;
use crate::credentials::NewCredential;
use crate::events::NewEvent;
use crate::{Scope, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ConnectionRecord {
    #[sqlx(try_from = "Uuid")]
    pub id: ConnectionId,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    #[sqlx(try_from = "String")]
    pub provider: Provider,
    pub account_label: String,
    #[sqlx(try_from = "String")]
    pub auth_kind: AuthMode,
    #[sqlx(try_from = "String")]
    pub status: ConnectionStatus,
    pub external_ref: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the access token in use expires, for tokens that do.
    pub token_expires_at: Option<DateTime<Utc>>,
    /// Why the status is what it is (a reauthorization hint), never a secret.
    pub status_detail: Option<String>,
    /// Non-secret settings (an OAuth scope, a region).
    pub settings: Settings,
}

const COLUMNS: &str = "id, tenant_id, provider, account_label, auth_kind, status, external_ref, \
    created_at, updated_at, token_expires_at, status_detail, settings";

/// A connection's non-secret settings, stored as JSON.
pub type Settings = sqlx::types::Json<serde_json::Value>;

/// Wraps settings for a [`ConnectionRecord`].
pub fn settings(value: serde_json::Value) -> Settings {
    sqlx::types::Json(value)
}

/// A credential write: the sealed fields and what changes with them on the connection row.
#[derive(Debug)]
pub struct CredentialWrite<'a> {
    pub fields: &'a [NewCredential<'a>],
    pub token_expires_at: Option<DateTime<Utc>>,
    /// A new auth kind (a reauthorization may move an API-token connection to OAuth); `None`
    /// keeps the current one.
    pub auth_kind: Option<AuthMode>,
    /// New non-secret settings; `None` keeps the current ones.
    pub settings: Option<Settings>,
    pub at: DateTime<Utc>,
    /// The connect session this write completes, spent in the same transaction.
    pub spend: Option<SessionSpend>,
    /// Events recorded with the write (`connection.reauthorized`), in the same transaction.
    pub events: &'a [NewEvent],
}

/// Which of a tenant's connections to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectionFilter {
    pub provider: Option<Provider>,
    pub status: Option<ConnectionStatus>,
    pub external_ref: Option<String>,
}

/// Writes one sealed credential field inside a transaction, bumping its revision; yields the
/// rows written (0 when the connection does not exist for the tenant).
macro_rules! upsert_credential {
    ($conn:expr, $tenant:expr, $connection:expr, $field:expr, $at:expr) => {
        sqlx::query(crate::credentials::UPSERT)
            .bind($tenant.as_uuid())
            .bind($connection.as_uuid())
            .bind($field.field)
            .bind($field.sealed)
            .bind($field.key_version)
            .bind($at)
            .execute(&mut *$conn)
            .await?
            .rows_affected()
    };
}

/// Inserts one connection row inside a transaction; yields the rows written.
macro_rules! insert_connection {
    ($conn:expr, $c:expr) => {
        sqlx::query(
            "INSERT INTO connections (id, tenant_id, provider, account_label, auth_kind, status, \
             external_ref, created_at, updated_at, token_expires_at, status_detail, settings) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind($c.id.as_uuid())
        .bind($c.tenant_id.as_uuid())
        .bind($c.provider.as_str())
        .bind(&$c.account_label)
        .bind($c.auth_kind.as_str())
        .bind($c.status.as_str())
        .bind(&$c.external_ref)
        .bind($c.created_at)
        .bind($c.updated_at)
        .bind($c.token_expires_at)
        .bind(&$c.status_detail)
        .bind(&$c.settings)
        .execute(&mut *$conn)
        .await?
        .rows_affected()
    };
}

impl Store {
    pub async fn insert_connection(&self, c: &ConnectionRecord) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(c.tenant_id), |conn| {
            insert_connection!(conn, c)
        });
        Ok(())
    }

    pub async fn get_connection(
        &self,
        tenant: TenantId,
        id: ConnectionId,
    ) -> Result<Option<ConnectionRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM connections WHERE tenant_id = $1 AND id = $2");
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, ConnectionRecord>(&sql)
                .bind(tenant.as_uuid())
                .bind(id.as_uuid())
                .fetch_optional(conn)
                .await?
        }))
    }

    /// Deletes a connection and, by cascade in the same statement, its sealed credentials.
    /// Returns whether the tenant had such a connection.
    pub async fn delete_connection(
        &self,
        tenant: TenantId,
        id: ConnectionId,
    ) -> Result<bool, StoreError> {
        let done = scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query("DELETE FROM connections WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.as_uuid())
                .bind(id.as_uuid())
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(done > 0)
    }

    /// Crypto-shredding: deletes a connection and every sealed credential of it, and appends
    /// `audit` (its `detail` gains `credentials_destroyed`, the number of rows deleted), all
    /// in one transaction. Returns that number, or `None` when the tenant has no such
    /// connection, in which case nothing is written.
    pub async fn shred_connection(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        audit: &AuditEvent,
        events: &[NewEvent],
    ) -> Result<Option<u64>, StoreError> {
        let scope = Scope::Tenant(tenant);
        Ok(scoped!(self, scope, |conn| {
            let destroyed =
                sqlx::query("DELETE FROM credentials WHERE tenant_id = $1 AND connection_id = $2")
                    .bind(tenant.as_uuid())
                    .bind(id.as_uuid())
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
            let deleted = sqlx::query("DELETE FROM connections WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.as_uuid())
                .bind(id.as_uuid())
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if deleted == 0 {
                None
            } else {
                let mut detail = audit.detail.clone();
                if let Some(map) = detail.as_object_mut() {
                    map.insert("credentials_destroyed".into(), destroyed.into());
                }
                insert_audit!(conn, audit, &detail);
                append_events!(conn, tenant, events);
                Some(destroyed)
            }
        }))
    }

    /// Inserts a connection and its sealed credentials in one transaction, with an audit
    /// record: a connection never exists without its credentials.
    pub async fn create_connection(
        &self,
        c: &ConnectionRecord,
        fields: &[NewCredential<'_>],
        audit: &AuditEvent,
        spend: Option<&SessionSpend>,
        events: &[NewEvent],
    ) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(c.tenant_id), |conn| {
            insert_connection!(conn, c);
            spend_session!(conn, c.tenant_id, c.id, spend);
            for f in fields {
                upsert_credential!(conn, c.tenant_id, c.id, f, c.created_at);
            }
            insert_audit!(conn, audit, &audit.detail);
            append_events!(conn, c.tenant_id, events)
        });
        Ok(())
    }

    /// A page of the tenant's connections in creation order, after the id `after`.
    pub async fn list_connections(
        &self,
        tenant: TenantId,
        filter: &ConnectionFilter,
        after: Option<ConnectionId>,
        limit: u32,
    ) -> Result<Vec<ConnectionRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM connections WHERE tenant_id = $1 AND id > $2 \
             AND ($3 IS NULL OR provider = $3) AND ($4 IS NULL OR status = $4) \
             AND ($5 IS NULL OR external_ref = $5) ORDER BY id LIMIT $6"
        );
        let after = after.map_or(uuid::Uuid::nil(), |a| a.as_uuid());
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, ConnectionRecord>(&sql)
                .bind(tenant.as_uuid())
                .bind(after)
                .bind(filter.provider.map(Provider::as_str))
                .bind(filter.status.map(ConnectionStatus::as_str))
                .bind(filter.external_ref.as_deref())
                .bind(i64::from(limit))
                .fetch_all(conn)
                .await?
        }))
    }

    /// Sets a connection's status and its reason, and records `events` with the change;
    /// whether it changed (false when the tenant has no such connection, or it already had
    /// that status).
    pub async fn set_connection_status(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        status: ConnectionStatus,
        detail: Option<&str>,
        at: DateTime<Utc>,
        events: &[NewEvent],
    ) -> Result<bool, StoreError> {
        let n = scoped!(self, Scope::Tenant(tenant), |conn| {
            let n = sqlx::query(
                "UPDATE connections SET status = $3, status_detail = $4, updated_at = $5 \
                 WHERE tenant_id = $1 AND id = $2 AND status <> $3",
            )
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .bind(status.as_str())
            .bind(detail)
            .bind(at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n > 0 {
                append_events!(conn, tenant, events);
            }
            n
        });
        Ok(n > 0)
    }

    /// Takes the connection's token-refresh lease until `until`, unless another holder's
    /// lease is still running at `now`. Across replicas, at most one holds it.
    pub async fn take_refresh_lease(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let n = scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query(
                "UPDATE connections SET lease_until = $4 WHERE tenant_id = $1 AND id = $2 \
                 AND (lease_until IS NULL OR lease_until <= $3)",
            )
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .bind(now)
            .bind(until)
            .execute(conn)
            .await?
            .rows_affected()
        });
        Ok(n > 0)
    }

    /// Active connections, of every tenant, whose token expires before `before` and whose
    /// renewal lease is free at `now`: the background renewal's work, soonest first.
    pub async fn connections_due(
        &self,
        before: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(TenantId, ConnectionId)>, StoreError> {
        let rows: Vec<(Uuid, Uuid)> = scoped!(self, Scope::Operator, |conn| {
            sqlx::query_as(
                "SELECT tenant_id, id FROM connections WHERE status = 'active' \
                 AND token_expires_at IS NOT NULL AND token_expires_at < $1 \
                 AND (lease_until IS NULL OR lease_until <= $2) \
                 ORDER BY token_expires_at LIMIT $3",
            )
            .bind(before)
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(conn)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(tenant, id)| (TenantId::from_uuid(tenant), ConnectionId::from_uuid(id)))
            .collect())
    }

    pub async fn release_refresh_lease(
        &self,
        tenant: TenantId,
        id: ConnectionId,
    ) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query(
                "UPDATE connections SET lease_until = NULL WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(conn)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Replaces a connection's sealed credentials (fields not in `write.fields` are deleted)
    /// and sets what goes with them on its row — token expiry, the active status, and for a
    /// reauthorization the auth kind and settings — and releases the refresh lease, in one
    /// transaction with `audit` when given: the new credentials are durable before anyone
    /// uses them. `MissingReference` when the connection is gone.
    pub async fn save_credentials(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        write: &CredentialWrite<'_>,
        audit: Option<&AuditEvent>,
    ) -> Result<(), StoreError> {
        let names: Vec<&str> = write.fields.iter().map(|f| f.field).collect();
        let at = write.at;
        scoped!(self, Scope::Tenant(tenant), |conn| {
            for f in write.fields {
                if upsert_credential!(conn, tenant, id, f, at) == 0 {
                    return Err(StoreError::MissingReference);
                }
            }
            let existing: Vec<String> = sqlx::query_scalar(
                "SELECT field FROM credentials WHERE tenant_id = $1 AND connection_id = $2",
            )
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .fetch_all(&mut *conn)
            .await?;
            for stale in existing.iter().filter(|f| !names.contains(&f.as_str())) {
                sqlx::query("DELETE FROM credentials WHERE tenant_id = $1 AND connection_id = $2 AND field = $3")
                    .bind(tenant.as_uuid())
                    .bind(id.as_uuid())
                    .bind(stale)
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query(
                "UPDATE connections SET token_expires_at = $3, status = 'active', status_detail = NULL, \
                 lease_until = NULL, updated_at = $4, auth_kind = COALESCE($5, auth_kind), \
                 settings = COALESCE($6, settings) WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.as_uuid())
            .bind(id.as_uuid())
            .bind(write.token_expires_at)
            .bind(at)
            .bind(write.auth_kind.map(AuthMode::as_str))
            .bind(write.settings.as_ref())
            .execute(&mut *conn)
            .await?;
            spend_session!(conn, tenant, id, write.spend.as_ref());
            if let Some(audit) = audit {
                insert_audit!(conn, audit, &audit.detail);
            }
            append_events!(conn, tenant, write.events);
        });
        Ok(())
    }
}
