//! Renewing expiring tokens, exactly once per connection.
//!
//! Refresh tokens may rotate and be single-use (Zendesk's do): two replicas refreshing at once look like
//! theft and can get the grant revoked. So a renewal takes, in order: the connection's
//! in-process lock (single-flight: concurrent requests on this replica wait for one
//! renewal), a lease on the connection row (`lease_until`, a conditional UPDATE: at most one
//! replica renews), a fresh read of the row and credentials under the lease (another replica
//! may have renewed and released its lease between our first read and our lease), the vendor
//! call, and one transaction that stores the new tokens, their expiry and the audit record
//! and releases the lease, before anyone uses them. `invalid_grant` marks the connection
//! `needs_reauth`; it is never retried.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use deskgate_connector::{NewAuth, ProviderError};
use deskgate_core::{ConnectionId, ConnectorError, TenantId};
use deskgate_store::audit::AuditEvent;
use deskgate_store::connections::CredentialWrite;

use crate::connections::model::Connection;
use crate::connections::registry;
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

/// Whether the connection's token should be renewed now, on the call path.
pub(crate) fn due(connection: &Connection, now: DateTime<Utc>) -> bool {
    due_within(connection, now, AHEAD)
}

/// Whether the connection's token expires within `margin` of `now`.
pub(crate) fn due_within(connection: &Connection, now: DateTime<Utc>, margin: TimeDelta) -> bool {
    connection
        .token_expires_at
        .is_some_and(|at| at - now < margin)
}

impl App {
    /// Takes the connection's row lease (`true`), or, when another holder has it, waits one
    /// poll interval (`false`); past [`WAIT_FOR_OTHER`] since `since`, a timeout.
    async fn take_lease_or_wait(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        since: tokio::time::Instant,
    ) -> Result<bool, AppError> {
        let now = Utc::now();
        if self
            .store()
            .take_refresh_lease(tenant, id, now, now + LEASE)
            .await?
        {
            return Ok(true);
        }
        if since.elapsed() > WAIT_FOR_OTHER {
            return Err(AppError::Upstream(ConnectorError::Timeout));
        }
        tokio::time::sleep(POLL).await;
        Ok(false)
    }

    /// Runs `write` while holding the connection's in-process refresh lock and its row lease,
    /// so that no renewal, here or on another replica, runs at the same time (a renewal that
    /// finished before would otherwise be overwritten, or would overwrite). `write` must
    /// release the lease with the row it writes; on an error the lease is released here.
    pub(crate) async fn exclusive<T, F, Fut>(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        write: F,
    ) -> Result<T, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, AppError>>,
    {
        let lock = self.refresh_locks().get(id).await;
        let _guard = lock.lock().await;
        let since = tokio::time::Instant::now();
        while !self.take_lease_or_wait(tenant, id, since).await? {
            // Another holder, or the connection is gone (then: not found).
            self.connection(tenant, id).await?;
        }
        let result = write().await;
        if result.is_err() {
            self.store().release_refresh_lease(tenant, id).await?;
        }
        result
    }

    /// Renews the connection's token if it is still due once this caller holds the lock and
    /// the lease; returns the connection and credentials to use.
    pub(crate) async fn renew(
        &self,
        connection: Connection,
        ctx: &RequestContext,
    ) -> Result<(Connection, Arc<Credentials>), AppError> {
        let (connection, creds, _) = self.renew_within(connection, AHEAD, ctx).await?;
        Ok((connection, creds))
    }

    /// [`App::renew`] with another margin: the token is renewed if it still expires within
    /// `margin` once this caller holds the lock and the lease (the background renewal looks
    /// further ahead than the call path). The flag says whether this caller renewed it (or
    /// found it renewed by someone else).
    pub(crate) async fn renew_within(
        &self,
        connection: Connection,
        margin: TimeDelta,
        ctx: &RequestContext,
    ) -> Result<(Connection, Arc<Credentials>, bool), AppError> {
        let (tenant, id) = (connection.tenant_id, connection.id);
        let lock = self.refresh_locks().get(id).await;
        let _guard = lock.lock().await;

        let waited_since = tokio::time::Instant::now();
        let mut current = self.connection(tenant, id).await?;
        loop {
            if !due_within(&current, Utc::now(), margin) {
                // Renewed while we waited, here or on another replica.
                let creds = self.current_credentials(&current, ctx).await?;
                return Ok((current, creds, false));
            }
            if self.take_lease_or_wait(tenant, id, waited_since).await? {
                // The row read above may predate another replica's renewal that finished
                // (and released its lease) just before ours was taken: read it again under
                // the lease, and stand down if it is no longer due.
                self.forget_connection(tenant, id).await;
                current = self.connection(tenant, id).await?;
                if due_within(&current, Utc::now(), margin) {
                    break;
                }
                self.store().release_refresh_lease(tenant, id).await?;
                continue;
            }
            current = self.connection(tenant, id).await?;
        }

        // Leased and still due: renew from the freshest credentials (the caches were dropped).
        let result = self.renew_leased(&current, ctx).await;
        if result.is_err() {
            self.store().release_refresh_lease(tenant, id).await?;
        }
        result.map(|(connection, creds)| (connection, creds, true))
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
        let spec = registry::spec_of(current)?;
        let cid = id.to_string();
        let renewed = spec
            .refresh(self.upstream(), &registry::stored(current, &creds, &cid))
            .await;
        let NewAuth {
            credentials: new_creds,
            settings,
            token_expires_at: expires_at,
            ..
        } = match renewed {
            Ok(auth) => auth,
            Err(ProviderError::Vendor(e)) => return Err(self.vendor_error(tenant, id, e).await),
            Err(e) => {
                return Err(registry::provider_error(
                    Some(current),
                    e,
                    AppError::Upstream,
                ));
            }
        };
        let sealed = self.seal_credentials(tenant, id, &new_creds)?;
        let now = Utc::now();
        let write = CredentialWrite {
            fields: &sealed.rows(),
            token_expires_at: expires_at,
            auth_kind: None,
            // An OAuth refresh also moves the refresh token's own expiry.
            settings: Some(deskgate_store::connections::settings(settings)),
            at: now,
            spend: None,
            events: &[],
        };
        let audit = AuditEvent {
            tenant_id: Some(tenant),
            at: now,
            actor: ctx.actor.to_string(),
            action: "credential.renew".into(),
            target: Some(format!("connection:{id}")),
            request_id: ctx.request_id.clone(),
            detail: serde_json::json!({ "token_expires_at": expires_at, "key_version": sealed.key_version }),
        };
        self.store()
            .save_credentials(tenant, id, &write, Some(&audit))
            .await?;
        self.forget_connection(tenant, id).await;
        tracing::info!(%tenant, connection = %id, ?expires_at, "token renewed");
        let fresh = self.connection(tenant, id).await?;
        let creds = self.current_credentials(&fresh, ctx).await?;
        Ok((fresh, creds))
    }
}
