//! API keys: the id and an HMAC digest of the secret; never the secret itself.

use chrono::{DateTime, Utc};
use deskgate_core::TenantId;
use uuid::Uuid;

use crate::{Scope, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiKeyRecord {
    pub id: String,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    pub name: String,
    pub digest: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, tenant_id, name, digest, created_at, expires_at, revoked_at";

impl Store {
    pub async fn insert_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(key.tenant_id), |conn| {
            sqlx::query(
                "INSERT INTO api_keys (id, tenant_id, name, digest, created_at, expires_at, revoked_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&key.id)
            .bind(key.tenant_id.as_uuid())
            .bind(&key.name)
            .bind(&key.digest)
            .bind(key.created_at)
            .bind(key.expires_at)
            .bind(key.revoked_at)
            .execute(conn)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Reads a key by id, whichever tenant owns it: the first step of authentication.
    pub async fn find_api_key_for_authentication(
        &self,
        id: &str,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE id = $1");
        Ok(scoped!(self, Scope::Authenticate, |conn| {
            sqlx::query_as::<_, ApiKeyRecord>(&sql)
                .bind(id)
                .fetch_optional(conn)
                .await?
        }))
    }

    /// The tenant's keys, oldest first, `limit` at most, after the key id `after`.
    pub async fn list_api_keys(
        &self,
        tenant: TenantId,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM api_keys WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, ApiKeyRecord>(&sql)
                .bind(tenant.as_uuid())
                .bind(after.unwrap_or(""))
                .bind(i64::from(limit))
                .fetch_all(conn)
                .await?
        }))
    }

    pub async fn get_api_key(
        &self,
        tenant: TenantId,
        id: &str,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE tenant_id = $1 AND id = $2");
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, ApiKeyRecord>(&sql)
                .bind(tenant.as_uuid())
                .bind(id)
                .fetch_optional(conn)
                .await?
        }))
    }

    /// Marks a key revoked; returns the key as stored afterwards, or `None` if the tenant has
    /// no such key. Revoking twice keeps the first revocation time.
    pub async fn revoke_api_key(
        &self,
        tenant: TenantId,
        id: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        let sql = format!(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3) \
             WHERE tenant_id = $1 AND id = $2 RETURNING {COLUMNS}"
        );
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, ApiKeyRecord>(&sql)
                .bind(tenant.as_uuid())
                .bind(id)
                .bind(at)
                .fetch_optional(conn)
                .await?
        }))
    }
}
