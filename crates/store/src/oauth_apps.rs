//! A tenant's own OAuth client per provider; the secret is stored sealed.

use chrono::{DateTime, Utc};
use deskgate_core::{Provider, TenantId};
use uuid::Uuid;

use crate::audit::AuditEvent;
use crate::{Scope, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct OAuthAppRecord {
    pub id: Uuid,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    #[sqlx(try_from = "String")]
    pub provider: Provider,
    pub client_id: String,
    /// Sealed for (`oauth_client_secret`, tenant, app id, `client_secret`); absent for a
    /// public client.
    pub client_secret: Option<Vec<u8>>,
    pub key_version: Option<i32>,
    pub scopes: Option<String>,
    pub revision: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, tenant_id, provider, client_id, client_secret, key_version, scopes, \
                       revision, created_at, updated_at";

impl Store {
    /// Creates or replaces the tenant's app for its provider, with its audit record. A
    /// replaced app keeps its id (the secret stays bound to it).
    pub async fn put_oauth_app(
        &self,
        app: &OAuthAppRecord,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(app.tenant_id), |conn| {
            let written = sqlx::query(
                "INSERT INTO oauth_apps (id, tenant_id, provider, client_id, client_secret, \
                 key_version, scopes, revision, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) \
                 ON CONFLICT (tenant_id, provider) DO UPDATE SET client_id = excluded.client_id, \
                 client_secret = excluded.client_secret, key_version = excluded.key_version, \
                 scopes = excluded.scopes, revision = oauth_apps.revision + 1, \
                 updated_at = excluded.updated_at WHERE oauth_apps.id = excluded.id",
            )
            .bind(app.id)
            .bind(app.tenant_id.as_uuid())
            .bind(app.provider.as_str())
            .bind(&app.client_id)
            .bind(&app.client_secret)
            .bind(app.key_version)
            .bind(&app.scopes)
            .bind(app.updated_at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if written == 0 {
                // Another writer created the app under another id meanwhile.
                return Err(StoreError::Conflict);
            }
            insert_audit!(conn, audit, &audit.detail);
        });
        Ok(())
    }

    /// The tenant's app for a provider.
    pub async fn oauth_app(
        &self,
        tenant: TenantId,
        provider: Provider,
    ) -> Result<Option<OAuthAppRecord>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM oauth_apps WHERE tenant_id = $1 AND provider = $2");
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, OAuthAppRecord>(&sql)
                .bind(tenant.as_uuid())
                .bind(provider.as_str())
                .fetch_optional(conn)
                .await?
        }))
    }

    /// Deletes the tenant's app for a provider (and so its sealed secret), with its audit
    /// record; false when there was none.
    pub async fn delete_oauth_app(
        &self,
        tenant: TenantId,
        provider: Provider,
        audit: &AuditEvent,
    ) -> Result<bool, StoreError> {
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            let delete =
                sqlx::query("DELETE FROM oauth_apps WHERE tenant_id = $1 AND provider = $2")
                    .bind(tenant.as_uuid())
                    .bind(provider.as_str());
            execute_audited!(conn, delete, audit)
        }))
    }

    /// Apps of every tenant whose secret is sealed with another version than `active`.
    /// Operator use only: the walk of a re-wrap.
    pub async fn stale_oauth_apps(
        &self,
        active_version: i32,
        limit: u32,
    ) -> Result<Vec<OAuthAppRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM oauth_apps WHERE key_version IS NOT NULL \
             AND key_version <> $1 ORDER BY id LIMIT $2"
        );
        Ok(scoped!(self, Scope::Operator, |conn| {
            sqlx::query_as::<_, OAuthAppRecord>(&sql)
                .bind(active_version)
                .bind(i64::from(limit))
                .fetch_all(conn)
                .await?
        }))
    }

    /// Replaces an app's sealed secret if its revision is still `expected`; whether it did.
    pub async fn swap_oauth_app_secret(
        &self,
        tenant: TenantId,
        id: Uuid,
        expected: i64,
        sealed: &[u8],
        key_version: i32,
    ) -> Result<bool, StoreError> {
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query(
                "UPDATE oauth_apps SET client_secret = $1, key_version = $2, \
                 revision = revision + 1 WHERE tenant_id = $3 AND id = $4 AND revision = $5",
            )
            .bind(sealed)
            .bind(key_version)
            .bind(tenant.as_uuid())
            .bind(id)
            .bind(expected)
            .execute(conn)
            .await?
            .rows_affected()
                == 1
        }))
    }
}
