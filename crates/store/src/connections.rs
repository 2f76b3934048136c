//! Connections: one connected helpdesk account of one tenant's customer.

use chrono::{DateTime, Utc};
use deskgate_core::{ConnectionId, TenantId};
use uuid::Uuid;

use crate::audit::{AuditEvent, INSERT_AUDIT};
use crate::{Scope, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ConnectionRecord {
    #[sqlx(try_from = "Uuid")]
    pub id: ConnectionId,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    pub provider: String,
    pub account_label: String,
    pub auth_kind: String,
    pub status: String,
    pub external_ref: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, tenant_id, provider, account_label, auth_kind, status, external_ref, created_at, updated_at";

impl Store {
    pub async fn insert_connection(&self, c: &ConnectionRecord) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(c.tenant_id), |conn| {
            sqlx::query(
                "INSERT INTO connections (id, tenant_id, provider, account_label, auth_kind, status, \
                 external_ref, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(c.id.as_uuid())
            .bind(c.tenant_id.as_uuid())
            .bind(&c.provider)
            .bind(&c.account_label)
            .bind(&c.auth_kind)
            .bind(&c.status)
            .bind(&c.external_ref)
            .bind(c.created_at)
            .bind(c.updated_at)
            .execute(conn)
            .await?
            .rows_affected()
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
                sqlx::query(INSERT_AUDIT)
                    .bind(audit.tenant_id.map(|t| t.as_uuid()))
                    .bind(audit.at)
                    .bind(&audit.actor)
                    .bind(&audit.action)
                    .bind(&audit.target)
                    .bind(&audit.request_id)
                    .bind(sqlx::types::Json(&detail))
                    .execute(&mut *conn)
                    .await?;
                Some(destroyed)
            }
        }))
    }
}
