//! Renewing expiring tokens, exactly once per connection.
//!
//! Zendesk refresh tokens rotate and are single-use: two replicas refreshing at once look like
//! theft and can get the grant revoked. So a renewal takes, in order: the connection's
//! in-process lock (single-flight: concurrent requests on this replica wait for one
//! renewal), a lease on the connection row (`lease_until`, a conditional UPDATE: at most one
//! replica renews), a fresh read of the row and credentials under the lease (another replica
//! may have renewed and released its lease between our first read and our lease), the vendor
//! call, and one transaction that stores the new tokens, their expiry
//! and releases the lease, before anyone uses them. `invalid_grant` marks the connection
//! `needs_reauth`; it is never retried.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use deskgate_core::{ConnectionId, ConnectorError, Provider};
use deskgate_store::audit::AuditEvent;
use deskgate_zendesk::ZendeskConnector;

use crate::connections::model::Connection;
use crate::connections::providers;
use crate::credentials::{CredentialPurpose, Credentials};
use crate::{App, AppError, RequestContext};

/// Renew when the token has less than this left.
const AHEAD: TimeDelta = TimeDelta::seconds(120);
/// How long a renewal may hold the connection's lease.
const LEASE: TimeDelta = TimeDelta::seconds(30);
/// How long to wait for another replica's renewal before giving up.
const WAIT_FOR_OTHER: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);

/// Per-connection locks for single-flight renewal in this process.
#[derive(Debug)]
pub(crate) struct RefreshLocks {
    locks: moka::future::Cache<ConnectionId, Arc<tokio::sync::Mutex<()>>>,
}

impl RefreshLocks {
    pub(crate) fn new() -> Self {
        Self {
            locks: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs(600))
                .build(),
        }
    }

    async fn get(&self, id: ConnectionId) -> Arc<tokio::sync::Mutex<()>> {
        self.locks
            .get_with(id, async { Arc::new(tokio::sync::Mutex::new(())) })
            .await
    }
}

/// Whether the connection's token should be renewed now.
pub(crate) fn due(connection: &Connection, now: DateTime<Utc>) -> bool {
    connection
        .token_expires_at
        .is_some_and(|at| at - now < AHEAD)
}

impl App {
    /// Renews the connection's token if it is still due once this caller holds the lock and
    /// the lease; returns the connection and credentials to use.
    pub(crate) async fn renew(
        &self,
        connection: Connection,
        ctx: &RequestContext,
    ) -> Result<(Connection, Arc<Credentials>), AppError> {
        let (tenant, id) = (connection.tenant_id, connection.id);
        let lock = self.refresh_locks().get(id).await;
        let _guard = lock.lock().await;

        let waited_since = tokio::time::Instant::now();
        let mut current = self.connection(tenant, id).await?;
        loop {
            if !due(&current, Utc::now()) {
                // Renewed while we waited, here or on another replica.
                let creds = self.current_credentials(&current, ctx).await?;
                return Ok((current, creds));
            }
            let now = Utc::now();
            if self
                .store()
                .take_refresh_lease(tenant, id, now, now + LEASE)
                .await?
            {
                // The row read above may predate another replica's renewal that finished
                // (and released its lease) just before ours was taken: read it again under
                // the lease, and stand down if it is no longer due.
                self.forget_connection(tenant, id).await;
                current = self.connection(tenant, id).await?;
                if due(&current, Utc::now()) {
                    break;
                }
                self.store().release_refresh_lease(tenant, id).await?;
                continue;
            }
            if waited_since.elapsed() > WAIT_FOR_OTHER {
                return Err(AppError::Upstream(ConnectorError::Timeout));
            }
            tokio::time::sleep(POLL).await;
            current = self.connection(tenant, id).await?;
        }

        // Leased and still due: renew from the freshest credentials (the caches were dropped).
        let result = self.renew_leased(&current, ctx).await;
        if result.is_err() {
            self.store().release_refresh_lease(tenant, id).await?;
        }
        result
    }

    async fn renew_leased(
        &self,
        current: &Connection,
        ctx: &RequestContext,
    ) -> Result<(Connection, Arc<Credentials>), AppError> {
        let (tenant, id) = (current.tenant_id, current.id);
        let creds = self
            .credentials(tenant, id, CredentialPurpose::TokenRefresh, ctx)
            .await?;
        let renewed = match current.provider {
            Provider::Zendesk => {
                let input = providers::zendesk_input(current, &creds)?;
                let connector = ZendeskConnector::new(self.upstream().clone(), input)
                    .with_connection_id(id.to_string());
                match connector.refresh().await {
                    Ok(auth) => {
                        let (creds, _) = providers::zendesk_credentials(&auth);
                        (creds, auth.expires_at())
                    }
                    Err(e) => return Err(self.vendor_error(tenant, id, e).await),
                }
            }
            other => {
                return Err(AppError::Internal(format!(
                    "renewing {other} tokens is not built"
                )));
            }
        };
        let (new_creds, expires_at) = renewed;
        let sealed = self.seal_credentials(tenant, id, &new_creds)?;
        let now = Utc::now();
        self.store()
            .save_renewed_credentials(tenant, id, &sealed.rows(), expires_at, now)
            .await?;
        self.forget_connection(tenant, id).await;
        self.store()
            .append_audit(&AuditEvent {
                tenant_id: Some(tenant),
                at: now,
                actor: ctx.actor.to_string(),
                action: "credential.renew".into(),
                target: Some(format!("connection:{id}")),
                request_id: ctx.request_id.clone(),
                detail: serde_json::json!({ "token_expires_at": expires_at, "key_version": sealed.key_version }),
            })
            .await?;
        tracing::info!(%tenant, connection = %id, ?expires_at, "token renewed");
        let fresh = self.connection(tenant, id).await?;
        let creds = self.current_credentials(&fresh, ctx).await?;
        Ok((fresh, creds))
    }
}
