//! Idempotency records: the first response to a write with an `Idempotency-Key`, per tenant.

use chrono::{DateTime, Utc};
use deskgate_core::TenantId;

use crate::{Scope, Store, StoreError};

/// What a write with an idempotency key should do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// This request owns the key: perform the write, then [`Store::complete_idempotency`].
    Claimed,
    /// The key's first request finished: answer with its response. `sealed`: the body was
    /// stored sealed by the vault (every record written since sealing began).
    Replay {
        status: u16,
        body: Vec<u8>,
        sealed: bool,
    },
    /// The key was used for a different request.
    Mismatch,
    /// The key's first request is still running.
    InFlight,
}

#[derive(sqlx::FromRow)]
struct Row {
    request_hash: Vec<u8>,
    response_status: Option<i32>,
    response_body: Option<Vec<u8>>,
    sealed: bool,
}

impl Store {
    /// Claims `key` for a request whose canonical hash is `request_hash`, unless a live
    /// record exists; an expired record is taken over.
    pub async fn claim_idempotency(
        &self,
        tenant: TenantId,
        key: &str,
        request_hash: &[u8],
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<IdempotencyClaim, StoreError> {
        let claim = scoped!(self, Scope::Tenant(tenant), |conn| {
            let claimed = sqlx::query(
                "INSERT INTO idempotency_keys (tenant_id, key, request_hash, response_status, response_body, created_at, expires_at) \
                 VALUES ($1, $2, $3, NULL, NULL, $4, $5) \
                 ON CONFLICT (tenant_id, key) DO UPDATE SET request_hash = excluded.request_hash, \
                 response_status = NULL, response_body = NULL, created_at = excluded.created_at, \
                 expires_at = excluded.expires_at WHERE idempotency_keys.expires_at <= $4",
            )
            .bind(tenant.as_uuid())
            .bind(key)
            .bind(request_hash)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?
            .rows_affected()
                > 0;
            if claimed {
                IdempotencyClaim::Claimed
            } else {
                let row = sqlx::query_as::<_, Row>(
                    "SELECT request_hash, response_status, response_body, sealed FROM idempotency_keys \
                     WHERE tenant_id = $1 AND key = $2",
                )
                .bind(tenant.as_uuid())
                .bind(key)
                .fetch_one(&mut *conn)
                .await?;
                if row.request_hash != request_hash {
                    IdempotencyClaim::Mismatch
                } else {
                    match (row.response_status, row.response_body) {
                        (Some(status), Some(body)) => IdempotencyClaim::Replay {
                            status: u16::try_from(status).unwrap_or(500),
                            body,
                            sealed: row.sealed,
                        },
                        _ => IdempotencyClaim::InFlight,
                    }
                }
            }
        });
        Ok(claim)
    }

    /// Records the response of the request that claimed `key`, as the vault sealed it.
    pub async fn complete_idempotency(
        &self,
        tenant: TenantId,
        key: &str,
        status: u16,
        sealed_body: &[u8],
    ) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query(
                "UPDATE idempotency_keys SET response_status = $3, response_body = $4, \
                 sealed = TRUE WHERE tenant_id = $1 AND key = $2",
            )
            .bind(tenant.as_uuid())
            .bind(key)
            .bind(i32::from(status))
            .bind(sealed_body)
            .execute(conn)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Gives `key` up when its request provably did nothing, so a retry may run.
    pub async fn release_idempotency(&self, tenant: TenantId, key: &str) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query(
                "DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND response_status IS NULL",
            )
            .bind(tenant.as_uuid())
            .bind(key)
            .execute(conn)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Deletes expired records of every tenant; returns how many.
    pub async fn sweep_idempotency(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(scoped!(self, Scope::Operator, |conn| {
            sqlx::query("DELETE FROM idempotency_keys WHERE expires_at <= $1")
                .bind(now)
                .execute(conn)
                .await?
                .rows_affected()
        }))
    }
}
