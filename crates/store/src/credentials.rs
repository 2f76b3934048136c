//! Sealed credentials: opaque bytes the vault produced, one row per (connection, field).
//!
//! `revision` grows with every write, so a re-wrap can replace a blob only if nobody wrote it
//! since it was read (compare-and-swap) instead of overwriting a newer value.

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

/// One field to write: its name, the sealed blob and the key version that sealed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewCredential<'a> {
    pub field: &'a str,
    pub sealed: &'a [u8],
    pub key_version: i32,
}

/// Where a walk over all credentials stopped: the primary key of the last row it saw.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CredentialKey {
    pub connection_id: ConnectionId,
    pub field: String,
}

/// Replace one row's blob, but only if its revision is still `expected_revision`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialSwap {
    pub tenant_id: TenantId,
    pub connection_id: ConnectionId,
    pub field: String,
    pub sealed: Vec<u8>,
    pub key_version: i32,
    pub expected_revision: i64,
}

const COLUMNS: &str = "tenant_id, connection_id, field, sealed, key_version, revision, updated_at";

/// The `WHERE` keeps one tenant from overwriting another's row by naming its connection: the
/// conflicting row is left alone and no row is affected.
pub(crate) const UPSERT: &str = "INSERT INTO credentials (tenant_id, connection_id, field, sealed, key_version, revision, updated_at) \
     VALUES ($1, $2, $3, $4, $5, 1, $6) \
     ON CONFLICT (connection_id, field) DO UPDATE SET sealed = excluded.sealed, \
     key_version = excluded.key_version, revision = credentials.revision + 1, \
     updated_at = excluded.updated_at WHERE credentials.tenant_id = excluded.tenant_id";

const SWAP: &str = "UPDATE credentials SET sealed = $1, key_version = $2, revision = revision + 1, updated_at = $3 \
     WHERE tenant_id = $4 AND connection_id = $5 AND field = $6 AND revision = $7";

impl Store {
    /// Writes a sealed field, replacing any earlier value and bumping its revision.
    ///
    /// Fails with [`StoreError::MissingReference`] when the tenant has no such connection.
    pub async fn put_credential(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        field: &str,
        sealed: &[u8],
        key_version: i32,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let written = scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query(UPSERT)
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
        if written == 0 {
            return Err(StoreError::MissingReference);
        }
        Ok(())
    }

    /// Makes `fields` the connection's whole set of credentials in one transaction: each is
    /// written (bumping its revision) and fields not in the set are deleted.
    ///
    /// Fails with [`StoreError::MissingReference`] when the tenant has no such connection.
    pub async fn replace_credentials(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        fields: &[NewCredential<'_>],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Rows are written in primary-key order, the order a re-wrap batch locks them in.
        let mut ordered: Vec<&NewCredential<'_>> = fields.iter().collect();
        ordered.sort_by_key(|f| f.field);
        let placeholders: Vec<String> = (0..ordered.len()).map(|i| format!("${}", i + 3)).collect();
        let delete = if ordered.is_empty() {
            "DELETE FROM credentials WHERE tenant_id = $1 AND connection_id = $2".to_owned()
        } else {
            format!(
                "DELETE FROM credentials WHERE tenant_id = $1 AND connection_id = $2 \
                 AND field NOT IN ({})",
                placeholders.join(", ")
            )
        };
        scoped!(self, Scope::Tenant(tenant), |conn| {
            for f in &ordered {
                let written = sqlx::query(UPSERT)
                    .bind(tenant.as_uuid())
                    .bind(connection.as_uuid())
                    .bind(f.field)
                    .bind(f.sealed)
                    .bind(f.key_version)
                    .bind(at)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                if written == 0 {
                    // Dropping the transaction rolls back the fields written so far.
                    return Err(StoreError::MissingReference);
                }
            }
            let mut query = sqlx::query(&delete)
                .bind(tenant.as_uuid())
                .bind(connection.as_uuid());
            for f in &ordered {
                query = query.bind(f.field);
            }
            query.execute(&mut *conn).await?.rows_affected()
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

    /// One sealed field of a connection.
    pub async fn get_credential(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        field: &str,
    ) -> Result<Option<SealedCredential>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM credentials WHERE tenant_id = $1 AND connection_id = $2 AND field = $3"
        );
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, SealedCredential>(&sql)
                .bind(tenant.as_uuid())
                .bind(connection.as_uuid())
                .bind(field)
                .fetch_optional(conn)
                .await?
        }))
    }

    /// Up to `limit` credentials of every tenant not sealed with `active_version`, in primary
    /// key order after `after`. Operator use only: the walk of a re-wrap.
    pub async fn list_stale_credentials(
        &self,
        active_version: i32,
        after: Option<&CredentialKey>,
        limit: u32,
    ) -> Result<Vec<SealedCredential>, StoreError> {
        let limit = i64::from(limit);
        Ok(match after {
            None => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM credentials WHERE key_version <> $1 \
                     ORDER BY connection_id, field LIMIT $2"
                );
                scoped!(self, Scope::Operator, |conn| {
                    sqlx::query_as::<_, SealedCredential>(&sql)
                        .bind(active_version)
                        .bind(limit)
                        .fetch_all(conn)
                        .await?
                })
            }
            Some(key) => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM credentials WHERE key_version <> $1 \
                     AND (connection_id, field) > ($2, $3) ORDER BY connection_id, field LIMIT $4"
                );
                scoped!(self, Scope::Operator, |conn| {
                    sqlx::query_as::<_, SealedCredential>(&sql)
                        .bind(active_version)
                        .bind(key.connection_id.as_uuid())
                        .bind(&key.field)
                        .bind(limit)
                        .fetch_all(conn)
                        .await?
                })
            }
        })
    }

    /// Applies each swap whose row still has its expected revision, in one transaction, and
    /// says for each whether it applied. A row written or deleted since it was read is left
    /// alone. Operator use only: a re-wrap batch spans tenants.
    pub async fn swap_credentials(
        &self,
        swaps: &[CredentialSwap],
        at: DateTime<Utc>,
    ) -> Result<Vec<bool>, StoreError> {
        Ok(scoped!(self, Scope::Operator, |conn| {
            let mut applied = Vec::with_capacity(swaps.len());
            for swap in swaps {
                let rows = sqlx::query(SWAP)
                    .bind(&swap.sealed)
                    .bind(swap.key_version)
                    .bind(at)
                    .bind(swap.tenant_id.as_uuid())
                    .bind(swap.connection_id.as_uuid())
                    .bind(&swap.field)
                    .bind(swap.expected_revision)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                applied.push(rows == 1);
            }
            applied
        }))
    }

    /// Applies one swap if the row still has its expected revision; returns whether it did.
    pub async fn swap_credential(
        &self,
        swap: &CredentialSwap,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let rows = scoped!(self, Scope::Tenant(swap.tenant_id), |conn| {
            sqlx::query(SWAP)
                .bind(&swap.sealed)
                .bind(swap.key_version)
                .bind(at)
                .bind(swap.tenant_id.as_uuid())
                .bind(swap.connection_id.as_uuid())
                .bind(&swap.field)
                .bind(swap.expected_revision)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(rows == 1)
    }
}
