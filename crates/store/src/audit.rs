//! The append-only audit log. Both backends refuse UPDATE and DELETE on it with a trigger.

use chrono::{DateTime, Utc};
use deskgate_core::TenantId;
use uuid::Uuid;

use crate::{Scope, Store, StoreError};

/// One audit event. `detail` never holds a secret.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEvent {
    pub tenant_id: Option<TenantId>,
    pub at: DateTime<Utc>,
    /// Who acted: `api_key:<id>`, `operator`, `system`.
    pub actor: String,
    /// What happened, as `noun.verb`: `api_key.create`, `credential.open`.
    pub action: String,
    pub target: Option<String>,
    pub request_id: Option<String>,
    pub detail: serde_json::Value,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AuditRecord {
    pub id: i64,
    pub tenant_id: Option<Uuid>,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub request_id: Option<String>,
    pub detail: sqlx::types::Json<serde_json::Value>,
}

/// Appends one event; the seven binds are those of [`insert_audit!`], in order.
pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log (tenant_id, at, actor, action, target, request_id, detail) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Appends `$event` with `$detail` (its detail, or a copy with more in it) inside the
/// transaction `$conn` (inside `scoped!`, on either backend); yields the rows written.
macro_rules! insert_audit {
    ($conn:expr, $event:expr, $detail:expr) => {
        sqlx::query($crate::audit::INSERT_AUDIT)
            .bind($event.tenant_id.map(|t| t.as_uuid()))
            .bind($event.at)
            .bind(&$event.actor)
            .bind(&$event.action)
            .bind(&$event.target)
            .bind(&$event.request_id)
            .bind(sqlx::types::Json($detail))
            .execute(&mut *$conn)
            .await?
            .rows_affected()
    };
}

/// Runs `$query` (a bound `sqlx::query`) inside the transaction `$conn` and appends `$event`
/// when it changed a row; yields whether it did. For writes audited only when they happen.
macro_rules! execute_audited {
    ($conn:expr, $query:expr, $event:expr) => {{
        let changed = $query.execute(&mut *$conn).await?.rows_affected() > 0;
        if changed {
            insert_audit!($conn, $event, &$event.detail);
        }
        changed
    }};
}

impl Store {
    pub async fn append_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
        let scope = event.tenant_id.map_or(Scope::Operator, Scope::Tenant);
        scoped!(self, scope, |conn| insert_audit!(
            conn,
            event,
            &event.detail
        ));
        Ok(())
    }

    /// The tenant's most recent audit events, newest first.
    pub async fn recent_audit(
        &self,
        tenant: TenantId,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, AuditRecord>(
                "SELECT id, tenant_id, at, actor, action, target, request_id, detail FROM audit_log \
                 WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(tenant.as_uuid())
            .bind(i64::from(limit))
            .fetch_all(conn)
            .await?
        }))
    }
}
