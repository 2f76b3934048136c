//! Each connection's change sync: the tenant's default, the connection's own settings, the
//! lease that lets one replica at a time run it, its cursor in the vendor's change feed
//! (advanced only together with the events it produced), what it last saw of each ticket,
//! and the token and sealed secret of the vendor's webhooks that make it run sooner.

use chrono::{DateTime, Utc};
use deskgate_core::{ConnectionId, TenantId};
use uuid::Uuid;

use crate::events::NewEvent;
use crate::{Scope, Store, StoreError};

/// The tenant's default for its connections' syncs.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SyncDefaultsRecord {
    pub enabled: bool,
    pub interval_secs: i32,
    pub updated_at: DateTime<Utc>,
}

/// One connection's sync.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SyncRecord {
    #[sqlx(try_from = "Uuid")]
    pub connection_id: ConnectionId,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    /// `None`: the tenant's default.
    pub enabled: Option<bool>,
    /// `None`: the tenant's default.
    pub interval_secs: Option<i32>,
    pub backfill: bool,
    /// The connector's position in the change feed; `None` before the baseline.
    pub cursor: Option<String>,
    pub baseline_at: Option<DateTime<Utc>>,
    pub next_run_at: DateTime<Utc>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub failures: i32,
    pub has_hook_token: bool,
    /// Sealed for (`hook_secret`, tenant, connection, `hook_secret`).
    pub hook_secret: Option<Vec<u8>>,
    pub hook_secret_key_version: Option<i32>,
    pub hooks_accepted: i64,
    pub hooks_refused: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SYNC_COLUMNS: &str = "connection_id, tenant_id, enabled, interval_secs, backfill, cursor, \
    baseline_at, next_run_at, lease_owner, lease_until, last_run_at, last_success_at, \
    last_error, failures, (hook_token_hash IS NOT NULL) AS has_hook_token, hook_secret, \
    hook_secret_key_version, hooks_accepted, hooks_refused, created_at, updated_at";

/// What a connection's own settings change; `None` leaves a value as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncChange {
    /// `Some(None)`: back to the tenant's default.
    pub enabled: Option<Option<bool>>,
    pub interval_secs: Option<Option<i32>>,
    pub backfill: Option<bool>,
}

/// What the sync last saw of one ticket.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SyncItemRecord {
    pub remote_id: String,
    /// A hash per normalized field, as JSON.
    pub fingerprint: String,
    /// The newest comment seen, as the app encodes it.
    pub comments_mark: Option<String>,
}

/// One page of a sync, stored at once: the cursor after it, what it saw, and its events.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncPage {
    pub cursor: String,
    /// Set by the first page of a connection's first sync.
    pub baseline_at: Option<DateTime<Utc>>,
    /// The lease is extended to this.
    pub lease_until: DateTime<Utc>,
    pub items: Vec<SyncItemRecord>,
    pub events: Vec<NewEvent>,
}

/// A vendor webhook's connection, found by the digest of its path token.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct HookTarget {
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    #[sqlx(try_from = "Uuid")]
    pub connection_id: ConnectionId,
    pub hook_secret: Option<Vec<u8>>,
    pub hook_secret_key_version: Option<i32>,
}

/// Creates the connection's sync row if it has none, due at `$now`, inside the transaction
/// `$conn` (inside `scoped!`).
macro_rules! ensure_row {
    ($conn:expr, $tenant:expr, $connection:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO syncs (connection_id, tenant_id, next_run_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $3, $3) ON CONFLICT (connection_id) DO NOTHING",
        )
        .bind($connection.as_uuid())
        .bind($tenant.as_uuid())
        .bind($now)
        .execute(&mut *$conn)
        .await?
    };
}

impl Store {
    /// The tenant's default for its connections' syncs, if it set one.
    pub async fn sync_defaults(
        &self,
        tenant: TenantId,
    ) -> Result<Option<SyncDefaultsRecord>, StoreError> {
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, SyncDefaultsRecord>(
                "SELECT enabled, interval_secs, updated_at FROM sync_settings WHERE tenant_id = $1",
            )
            .bind(tenant.as_uuid())
            .fetch_optional(conn)
            .await?
        }))
    }

    /// Sets the tenant's default.
    pub async fn put_sync_defaults(
        &self,
        tenant: TenantId,
        enabled: bool,
        interval_secs: i32,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query(
                "INSERT INTO sync_settings (tenant_id, enabled, interval_secs, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id) DO UPDATE SET \
                 enabled = excluded.enabled, interval_secs = excluded.interval_secs, \
                 updated_at = excluded.updated_at",
            )
            .bind(tenant.as_uuid())
            .bind(enabled)
            .bind(interval_secs)
            .bind(now)
            .execute(conn)
            .await?;
        });
        Ok(())
    }

    /// One connection's sync row, if it has one.
    pub async fn sync_of(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
    ) -> Result<Option<SyncRecord>, StoreError> {
        let sql =
            format!("SELECT {SYNC_COLUMNS} FROM syncs WHERE tenant_id = $1 AND connection_id = $2");
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, SyncRecord>(&sql)
                .bind(tenant.as_uuid())
                .bind(connection.as_uuid())
                .fetch_optional(conn)
                .await?
        }))
    }

    /// Changes a connection's own settings (creating its row), and makes it due now so a
    /// change takes effect at once — also when a run is going on, which read the settings
    /// before the change: it is asked for (as by a vendor webhook), so that [`finish_sync`]
    /// makes the next run due at once instead of scheduling it by the old interval.
    /// `MissingReference` when the connection is not the tenant's.
    ///
    /// [`finish_sync`]: Store::finish_sync
    pub async fn change_sync(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        change: &SyncChange,
        now: DateTime<Utc>,
    ) -> Result<SyncRecord, StoreError> {
        let sql = format!(
            "UPDATE syncs SET \
             enabled = CASE WHEN $3 THEN $4 ELSE enabled END, \
             interval_secs = CASE WHEN $5 THEN $6 ELSE interval_secs END, \
             backfill = COALESCE($7, backfill), next_run_at = $8, requested_at = $8, \
             updated_at = $8 \
             WHERE tenant_id = $1 AND connection_id = $2 RETURNING {SYNC_COLUMNS}"
        );
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            let owned = sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM connections WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.as_uuid())
            .bind(connection.as_uuid())
            .fetch_one(&mut *conn)
            .await?;
            if owned == 0 {
                return Err(StoreError::MissingReference);
            }
            ensure_row!(conn, tenant, connection, now);
            sqlx::query_as::<_, SyncRecord>(&sql)
                .bind(tenant.as_uuid())
                .bind(connection.as_uuid())
                .bind(change.enabled.is_some())
                .bind(change.enabled.flatten())
                .bind(change.interval_secs.is_some())
                .bind(change.interval_secs.flatten())
                .bind(change.backfill)
                .bind(now)
                .fetch_one(&mut *conn)
                .await?
        }))
    }

    /// Connections whose sync is due at `now` and free, across tenants, soonest first: a
    /// connection syncs when it is active and enabled (its own setting, else its tenant's
    /// default, else not). Operator use: the sync round.
    pub async fn syncs_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(TenantId, ConnectionId)>, StoreError> {
        let rows: Vec<(Uuid, Uuid)> = scoped!(self, Scope::Operator, |conn| {
            sqlx::query_as(
                "SELECT c.tenant_id, c.id FROM connections c \
                 LEFT JOIN syncs s ON s.connection_id = c.id \
                 LEFT JOIN sync_settings t ON t.tenant_id = c.tenant_id \
                 WHERE c.status = 'active' AND COALESCE(s.enabled, t.enabled, FALSE) \
                 AND (s.next_run_at IS NULL OR s.next_run_at <= $1) \
                 AND (s.lease_until IS NULL OR s.lease_until <= $1) \
                 ORDER BY s.next_run_at IS NOT NULL, s.next_run_at LIMIT $2",
            )
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(conn)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(t, c)| (TenantId::from_uuid(t), ConnectionId::from_uuid(c)))
            .collect())
    }

    /// Takes the connection's sync lease for `owner` until `until`, unless another holder's
    /// is still running at `now`; answers the sync row when taken.
    pub async fn take_sync_lease(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<SyncRecord>, StoreError> {
        let sql = format!(
            "UPDATE syncs SET lease_owner = $3, lease_until = $5 \
             WHERE tenant_id = $1 AND connection_id = $2 \
             AND (lease_until IS NULL OR lease_until <= $4) RETURNING {SYNC_COLUMNS}"
        );
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            ensure_row!(conn, tenant, connection, now);
            sqlx::query_as::<_, SyncRecord>(&sql)
                .bind(tenant.as_uuid())
                .bind(connection.as_uuid())
                .bind(owner)
                .bind(now)
                .bind(until)
                .fetch_optional(&mut *conn)
                .await?
        }))
    }

    /// What the sync last saw of these tickets.
    pub async fn sync_items(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        ids: &[String],
    ) -> Result<Vec<SyncItemRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT remote_id, fingerprint, comments_mark FROM sync_items \
             WHERE tenant_id = $1 AND connection_id = $2 AND remote_id IN ({})",
            list.join(", ")
        );
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            let mut q = sqlx::query_as::<_, SyncItemRecord>(&sql)
                .bind(tenant.as_uuid())
                .bind(connection.as_uuid());
            for id in ids {
                q = q.bind(id);
            }
            q.fetch_all(conn).await?
        }))
    }

    /// Stores one page of a sync in one transaction — the cursor after it, what it saw, its
    /// events and their deliveries — if `owner` still holds the lease at `now`; `Gone` when it
    /// does not (another replica took over: nothing is written, and that replica reads the
    /// page again from the stored cursor). Answers the events' seqs.
    pub async fn commit_sync_page(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        owner: &str,
        now: DateTime<Utc>,
        page: &SyncPage,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            let held = sqlx::query(
                "UPDATE syncs SET cursor = $4, baseline_at = COALESCE(baseline_at, $5), \
                 lease_until = $6, updated_at = $7 \
                 WHERE tenant_id = $1 AND connection_id = $2 AND lease_owner = $3 \
                 AND lease_until > $7",
            )
            .bind(tenant.as_uuid())
            .bind(connection.as_uuid())
            .bind(owner)
            .bind(&page.cursor)
            .bind(page.baseline_at)
            .bind(page.lease_until)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if held == 0 {
                return Err(StoreError::Gone);
            }
            for item in &page.items {
                sqlx::query(
                    "INSERT INTO sync_items (connection_id, tenant_id, remote_id, fingerprint, \
                     comments_mark, seen_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (connection_id, remote_id) DO UPDATE SET \
                     fingerprint = excluded.fingerprint, comments_mark = excluded.comments_mark, \
                     seen_at = excluded.seen_at",
                )
                .bind(connection.as_uuid())
                .bind(tenant.as_uuid())
                .bind(&item.remote_id)
                .bind(&item.fingerprint)
                .bind(&item.comments_mark)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
            append_events!(conn, tenant, page.events)
        }))
    }

    /// Ends a run that started at `started`: records its outcome, schedules the next one at
    /// `next_run_at` (or now, when a vendor webhook or a settings change asked for a run
    /// meanwhile) and releases the lease, if `owner` still holds it; whether it did.
    #[allow(clippy::too_many_arguments)]
    pub async fn finish_sync(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        owner: &str,
        started: DateTime<Utc>,
        now: DateTime<Utc>,
        next_run_at: DateTime<Utc>,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query(
                "UPDATE syncs SET lease_owner = NULL, lease_until = NULL, last_run_at = $4, \
                 last_success_at = CASE WHEN $5 IS NULL THEN $4 ELSE last_success_at END, \
                 last_error = $5, \
                 failures = CASE WHEN $5 IS NULL THEN 0 ELSE failures + 1 END, \
                 next_run_at = CASE WHEN requested_at >= $7 THEN $4 ELSE $6 END, \
                 updated_at = $4 \
                 WHERE tenant_id = $1 AND connection_id = $2 AND lease_owner = $3",
            )
            .bind(tenant.as_uuid())
            .bind(connection.as_uuid())
            .bind(owner)
            .bind(now)
            .bind(error)
            .bind(next_run_at)
            .bind(started)
            .execute(conn)
            .await?
            .rows_affected()
                > 0
        }))
    }

    /// Makes the connection's sync due at `now` (a vendor webhook arrived); if it is running,
    /// another run follows it at once.
    pub async fn request_sync(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(tenant), |conn| {
            ensure_row!(conn, tenant, connection, now);
            sqlx::query(
                "UPDATE syncs SET requested_at = $3, \
                 next_run_at = CASE WHEN next_run_at > $3 THEN $3 ELSE next_run_at END \
                 WHERE tenant_id = $1 AND connection_id = $2",
            )
            .bind(tenant.as_uuid())
            .bind(connection.as_uuid())
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// Sets the digest of the connection's hook token (replacing any earlier one) and,
    /// when given, its sealed vendor signing secret (`Some(None)` removes it).
    pub async fn set_hook(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        token_hash: Option<&[u8]>,
        secret: Option<Option<(&[u8], i32)>>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(tenant), |conn| {
            ensure_row!(conn, tenant, connection, now);
            let (sealed, version) = match secret.flatten() {
                Some((sealed, version)) => (Some(sealed), Some(version)),
                None => (None, None),
            };
            sqlx::query(
                "UPDATE syncs SET hook_token_hash = COALESCE($3, hook_token_hash), \
                 hook_secret = CASE WHEN $4 THEN $5 ELSE hook_secret END, \
                 hook_secret_key_version = CASE WHEN $4 THEN $6 ELSE hook_secret_key_version END, \
                 updated_at = $7 WHERE tenant_id = $1 AND connection_id = $2",
            )
            .bind(tenant.as_uuid())
            .bind(connection.as_uuid())
            .bind(token_hash)
            .bind(secret.is_some())
            .bind(sealed)
            .bind(version)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        });
        Ok(())
    }

    /// The connection a vendor webhook's path token names, before the tenant is known.
    pub async fn hook_target(&self, token_hash: &[u8]) -> Result<Option<HookTarget>, StoreError> {
        Ok(scoped!(self, Scope::Authenticate, |conn| {
            sqlx::query_as::<_, HookTarget>(
                "SELECT tenant_id, connection_id, hook_secret, hook_secret_key_version \
                 FROM syncs WHERE hook_token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(conn)
            .await?
        }))
    }

    /// Counts one vendor webhook, accepted or refused.
    pub async fn count_hook(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        accepted: bool,
    ) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query(
                "UPDATE syncs SET hooks_accepted = hooks_accepted + CASE WHEN $3 THEN 1 ELSE 0 END, \
                 hooks_refused = hooks_refused + CASE WHEN $3 THEN 0 ELSE 1 END \
                 WHERE tenant_id = $1 AND connection_id = $2",
            )
            .bind(tenant.as_uuid())
            .bind(connection.as_uuid())
            .bind(accepted)
            .execute(conn)
            .await?;
        });
        Ok(())
    }

    /// Connections whose hook secret is sealed with another version than `active`, across
    /// tenants: `(tenant, connection, sealed)`. Operator use only: the walk of a re-wrap.
    pub async fn stale_hook_secrets(
        &self,
        active_version: i32,
        limit: u32,
    ) -> Result<Vec<(TenantId, ConnectionId, Vec<u8>)>, StoreError> {
        let rows: Vec<(Uuid, Uuid, Vec<u8>)> = scoped!(self, Scope::Operator, |conn| {
            sqlx::query_as(
                "SELECT tenant_id, connection_id, hook_secret FROM syncs \
                 WHERE hook_secret IS NOT NULL AND hook_secret_key_version <> $1 \
                 ORDER BY connection_id LIMIT $2",
            )
            .bind(active_version)
            .bind(i64::from(limit))
            .fetch_all(conn)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(t, c, s)| (TenantId::from_uuid(t), ConnectionId::from_uuid(c), s))
            .collect())
    }

    /// Replaces a connection's sealed hook secret if it is still `expected`; whether it did.
    pub async fn swap_hook_secret(
        &self,
        tenant: TenantId,
        connection: ConnectionId,
        expected: &[u8],
        sealed: &[u8],
        key_version: i32,
    ) -> Result<bool, StoreError> {
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query(
                "UPDATE syncs SET hook_secret = $1, hook_secret_key_version = $2 \
                 WHERE tenant_id = $3 AND connection_id = $4 AND hook_secret = $5",
            )
            .bind(sealed)
            .bind(key_version)
            .bind(tenant.as_uuid())
            .bind(connection.as_uuid())
            .bind(expected)
            .execute(conn)
            .await?
            .rows_affected()
                == 1
        }))
    }
}
