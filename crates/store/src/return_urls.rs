//! The return URLs a tenant registers for connect sessions.

use chrono::{DateTime, Utc};
use deskgate_core::TenantId;

use crate::audit::AuditEvent;
use crate::{Scope, Store, StoreError};

impl Store {
    /// Replaces the tenant's return URLs with `urls`, with its audit record, in one
    /// transaction.
    pub async fn replace_return_urls(
        &self,
        tenant: TenantId,
        urls: &[String],
        at: DateTime<Utc>,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query("DELETE FROM return_urls WHERE tenant_id = $1")
                .bind(tenant.as_uuid())
                .execute(&mut *conn)
                .await?;
            for url in urls {
                sqlx::query(
                    "INSERT INTO return_urls (tenant_id, url, created_at) VALUES ($1, $2, $3)",
                )
                .bind(tenant.as_uuid())
                .bind(url)
                .bind(at)
                .execute(&mut *conn)
                .await?;
            }
            insert_audit!(conn, audit, &audit.detail);
        });
        Ok(())
    }

    /// The tenant's return URLs, in the order they sort.
    pub async fn return_urls(&self, tenant: TenantId) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as("SELECT url FROM return_urls WHERE tenant_id = $1 ORDER BY url")
                .bind(tenant.as_uuid())
                .fetch_all(conn)
                .await?
        });
        Ok(rows.into_iter().map(|(url,)| url).collect())
    }
}
