//! Sealed credentials: opaque bytes the vault produced, one row per (connection, field).

use chrono::{DateTime, Utc};
use deskgate_core::{ConnectionId, TenantId};
use uuid::Uuid;

use crate::{Scope, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SealedCredential {
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    #[sqlx(try_from = "Uuid")]
    pub connection_id: ConnectionId,
    pub field: String,
    pub sealed: Vec<u8>,
    pub key_version: i32,
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "tenant_id, connection_id, field, sealed, key_version, revision, updated_at";

impl Store {
    /// Writes a sealed field, replacing any earlier value and bumping its revision.
    pub async fn put_credential(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        field: &str,
        sealed: &[u8],
        key_version: i32,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query(
                "INSERT INTO credentials (tenant_id, connection_id, field, sealed, key_version, revision, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, 1, $6) \
                 ON CONFLICT (connection_id, field) DO UPDATE SET sealed = excluded.sealed, \
                 key_version = excluded.key_version, revision = credentials.revision + 1, \
                 updated_at = excluded.updated_at",
            )
            .bind(tenant.as_uuid())
            .bind(connection.as_uuid())
            .bind(field)
            .bind(sealed)
            .bind(key_version)
            .bind(at)
            .execute(conn)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Every sealed field of a connection.
    pub async fn get_credentials(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
    ) -> Result<Vec<SealedCredential>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM credentials WHERE tenant_id = $1 AND connection_id = $2 ORDER BY field"
        );
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, SealedCredential>(&sql)
                .bind(tenant.as_uuid())
                .bind(connection.as_uuid())
                .fetch_all(conn)
                .await?
        }))
    }
}
