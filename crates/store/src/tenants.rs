//! Tenants: the companies that use deskgate.

use chrono::{DateTime, Utc};
use deskgate_core::TenantId;
use uuid::Uuid;

use crate::{Scope, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Tenant {
    #[sqlx(try_from = "Uuid")]
    pub id: TenantId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl Store {
    pub async fn insert_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        scoped!(self, Scope::Operator, |conn| {
            sqlx::query("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)")
                .bind(tenant.id.as_uuid())
                .bind(&tenant.name)
                .bind(tenant.created_at)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Every tenant, oldest first. Operator use only.
    pub async fn list_tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        Ok(scoped!(self, Scope::Operator, |conn| {
            sqlx::query_as::<_, Tenant>("SELECT id, name, created_at FROM tenants ORDER BY id")
                .fetch_all(conn)
                .await?
        }))
    }

    pub async fn get_tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        Ok(scoped!(self, Scope::Tenant(id), |conn| {
            sqlx::query_as::<_, Tenant>("SELECT id, name, created_at FROM tenants WHERE id = $1")
                .bind(id.as_uuid())
                .fetch_optional(conn)
                .await?
        }))
    }
}
