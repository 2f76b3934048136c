//! A tenant's webhook endpoints and the outbox that delivers events to them.
//!
//! - Endpoints (tenant scope): create, read, list, change, delete, rotate the sealed signing
//!   secret (the previous one kept until `previous_secret_until`), disable with a reason.
//! - Deliveries (the outbox, one row per endpoint and event): workers of every replica claim
//!   due rows across tenants (operator scope) — on PostgreSQL with `FOR UPDATE SKIP LOCKED`,
//!   on SQLite in one conditional `UPDATE`, SQLite having one writer at a time — and record
//!   each attempt with its outcome in one transaction, only while their claim stands. A claim
//!   whose `claim_until` passed (its replica died) is taken again.
//! - Attempts, listed per endpoint; resending one event or a time range of events.
//!
//! An endpoint's `event_types` column is `*` or `,a,b,`; [`MATCHES_EVENT`] is the one
//! predicate that says whether an endpoint `e` takes an event `ev`.

use chrono::{DateTime, Utc};
use deskgate_core::{EventType, TenantId};
use uuid::Uuid;

use crate::audit::AuditEvent;
use crate::{Backend, Scope, Store, StoreError};

/// The deliveries a claim took (`$1` replica, `$2` claim_until), with what sending them takes.
const CLAIMED: &str = "SELECT d.tenant_id, d.endpoint_id, d.event_seq, d.attempts, \
     ev.id AS event_id, ev.type AS event_type, ev.occurred_at, ev.data, e.url, \
     e.secret, e.previous_secret, e.previous_secret_until \
     FROM deliveries d JOIN events ev ON ev.seq = d.event_seq \
     JOIN webhook_endpoints e ON e.id = d.endpoint_id \
     WHERE d.claimed_by = $1 AND d.claim_until = $2 AND d.status = 'pending'";

/// Whether the endpoint aliased `e` takes the event aliased `ev`: its types (`*` or a
/// `,a,b,` list) and its connection filter (`NULL` takes every connection's events).
pub const MATCHES_EVENT: &str = "(e.event_types = '*' OR e.event_types LIKE '%,' || ev.type || ',%') \
     AND (e.connection_id IS NULL OR e.connection_id = ev.connection_id)";

/// The stored form of an endpoint's event types: `*` for every type, else `,a,b,`.
pub fn encode_event_types(types: Option<&[EventType]>) -> String {
    match types {
        None => "*".to_owned(),
        Some(types) => {
            let mut out = String::from(",");
            for t in types {
                out.push_str(t.as_str());
                out.push(',');
            }
            out
        }
    }
}

/// The event types of a stored `event_types` value: `None` for every type. A name this
/// build does not know (written by a newer one) is skipped.
pub fn decode_event_types(stored: &str) -> Option<Vec<EventType>> {
    if stored == "*" {
        return None;
    }
    Some(
        stored
            .split(',')
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect(),
    )
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookEndpointRecord {
    pub id: Uuid,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    pub url: String,
    pub description: Option<String>,
    /// `*` or `,a,b,` ([`encode_event_types`]).
    pub event_types: String,
    pub connection_id: Option<Uuid>,
    pub enabled: bool,
    /// Why deskgate (or the tenant) disabled it.
    pub disabled_reason: Option<String>,
    /// Sealed for (`webhook_secret`, tenant, endpoint id, `secret`).
    pub secret: Vec<u8>,
    pub secret_key_version: i32,
    /// The secret before the last rotation, sealed for the same owner; it signs beside the
    /// current one until `previous_secret_until`.
    pub previous_secret: Option<Vec<u8>>,
    pub previous_secret_key_version: Option<i32>,
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// Since when every attempt failed; `None` after a success.
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An endpoint row's columns, as a literal for `concat!`.
macro_rules! endpoint_columns {
    () => {
        "id, tenant_id, url, description, event_types, connection_id, enabled, \
         disabled_reason, secret, secret_key_version, previous_secret, \
         previous_secret_key_version, previous_secret_until, failing_since, created_at, updated_at"
    };
}

const COLUMNS: &str = endpoint_columns!();

/// Reads endpoint `$id` of `$tenant` inside the transaction `$conn`.
macro_rules! fetch_endpoint {
    ($conn:expr, $tenant:expr, $id:expr) => {
        sqlx::query_as::<_, WebhookEndpointRecord>(concat!(
            "SELECT ",
            endpoint_columns!(),
            " FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2"
        ))
        .bind($tenant.as_uuid())
        .bind($id)
        .fetch_optional(&mut *$conn)
        .await?
    };
}

/// A change to an endpoint: `None` leaves a field alone; `Some(None)` clears a nullable one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointChange {
    pub url: Option<String>,
    pub description: Option<Option<String>>,
    /// The stored form ([`encode_event_types`]).
    pub event_types: Option<String>,
    pub connection_id: Option<Option<Uuid>>,
    /// Enabling a disabled endpoint clears the reason and the failure streak and makes its
    /// pending deliveries due at once; disabling stores `disabled_reason`.
    pub enabled: Option<bool>,
    pub disabled_reason: Option<String>,
    pub at: DateTime<Utc>,
}

/// A new signing secret; the current one becomes the previous one until `previous_until`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRotation {
    pub sealed: Vec<u8>,
    pub key_version: i32,
    pub previous_until: DateTime<Utc>,
    pub at: DateTime<Utc>,
}

/// A claim on due deliveries for one replica.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryClaim<'a> {
    pub replica: &'a str,
    pub now: DateTime<Utc>,
    /// The claim lapses then: another replica may take the row if no outcome was recorded.
    pub until: DateTime<Utc>,
    pub limit: u32,
}

/// A claimed delivery with what sending it takes: the event and the endpoint's URL and
/// sealed secrets.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedDelivery {
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    pub endpoint_id: Uuid,
    pub event_seq: i64,
    /// Attempts made before this one.
    pub attempts: i32,
    pub event_id: String,
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    /// The event's data, JSON text exactly as stored.
    pub data: String,
    pub url: String,
    pub secret: Vec<u8>,
    pub previous_secret: Option<Vec<u8>>,
    pub previous_secret_until: Option<DateTime<Utc>>,
}

/// One attempt to deliver, as it is recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptRecord {
    pub id: Uuid,
    pub tenant_id: TenantId,
    pub endpoint_id: Uuid,
    pub event_seq: i64,
    pub attempted_at: DateTime<Utc>,
    /// The receiver's status; `None` when it did not answer.
    pub status_code: Option<i32>,
    pub duration_ms: i32,
    pub error: Option<String>,
    pub replica: String,
}

/// What becomes of a delivery after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The receiver answered 2xx.
    Delivered,
    /// It failed; the next attempt is due then.
    Retry { at: DateTime<Utc> },
    /// It failed and the schedule is spent.
    Failed,
}

impl DeliveryOutcome {
    fn status(self) -> &'static str {
        match self {
            DeliveryOutcome::Delivered => "delivered",
            DeliveryOutcome::Retry { .. } => "pending",
            DeliveryOutcome::Failed => "failed",
        }
    }
}

/// One attempt as the tenant sees it, with the event it carried.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AttemptView {
    pub id: Uuid,
    pub event_id: String,
    pub event_type: String,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub duration_ms: i32,
    pub error: Option<String>,
}

/// What became of a request to resend one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resend {
    /// The delivery is pending again (or was created), due at once.
    Scheduled,
    /// The tenant has no such event (or it is past retention).
    NoSuchEvent,
    /// The event exists but the endpoint does not take it (its types or connection filter).
    NotMatching,
}

/// Creates the delivery of each event `ev` selected by `$where` (after `WHERE`, binds from
/// `$4`) for endpoint `$2` of tenant `$1`, due at `$3`, or makes its existing delivery
/// pending again from its first attempt. Both backends take `INSERT … SELECT … WHERE …
/// ON CONFLICT` when the `SELECT` has a `WHERE`.
fn resend_sql(selection: &str) -> String {
    format!(
        "INSERT INTO deliveries (tenant_id, endpoint_id, event_seq, status, attempts, \
         next_attempt_at, created_at) \
         SELECT ev.tenant_id, e.id, ev.seq, 'pending', 0, $3, $3 \
         FROM events ev JOIN webhook_endpoints e ON e.tenant_id = ev.tenant_id AND e.id = $2 \
         WHERE ev.tenant_id = $1 AND {selection} AND {MATCHES_EVENT} \
         ON CONFLICT (endpoint_id, event_seq) DO UPDATE SET status = 'pending', attempts = 0, \
         next_attempt_at = excluded.next_attempt_at, claimed_by = NULL, claim_until = NULL, \
         delivered_at = NULL"
    )
}

impl Store {
    /// Stores a new endpoint with its sealed secret and its audit record.
    pub async fn create_webhook_endpoint(
        &self,
        e: &WebhookEndpointRecord,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        scoped!(self, Scope::Tenant(e.tenant_id), |conn| {
            sqlx::query(
                "INSERT INTO webhook_endpoints (id, tenant_id, url, description, event_types, \
                 connection_id, enabled, disabled_reason, secret, secret_key_version, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(e.id)
            .bind(e.tenant_id.as_uuid())
            .bind(&e.url)
            .bind(&e.description)
            .bind(&e.event_types)
            .bind(e.connection_id)
            .bind(e.enabled)
            .bind(&e.disabled_reason)
            .bind(&e.secret)
            .bind(e.secret_key_version)
            .bind(e.created_at)
            .bind(e.updated_at)
            .execute(&mut *conn)
            .await?;
            insert_audit!(conn, audit, &audit.detail);
        });
        Ok(())
    }

    pub async fn webhook_endpoint(
        &self,
        tenant: TenantId,
        id: Uuid,
    ) -> Result<Option<WebhookEndpointRecord>, StoreError> {
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            fetch_endpoint!(conn, tenant, id)
        }))
    }

    /// A page of the tenant's endpoints in creation order, after the id `after`.
    pub async fn list_webhook_endpoints(
        &self,
        tenant: TenantId,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<WebhookEndpointRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 AND id > $2 \
             ORDER BY id LIMIT $3"
        );
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, WebhookEndpointRecord>(&sql)
                .bind(tenant.as_uuid())
                .bind(after.unwrap_or_else(Uuid::nil))
                .bind(i64::from(limit))
                .fetch_all(conn)
                .await?
        }))
    }

    /// Applies `change` with its audit record; the endpoint as it is then, or `None` when the
    /// tenant has no such endpoint. Enabling a disabled endpoint makes its pending deliveries
    /// due at once, in the same transaction.
    pub async fn update_webhook_endpoint(
        &self,
        tenant: TenantId,
        id: Uuid,
        change: &EndpointChange,
        audit: &AuditEvent,
    ) -> Result<Option<WebhookEndpointRecord>, StoreError> {
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            let was_enabled: Option<bool> = sqlx::query_scalar(
                "SELECT enabled FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.as_uuid())
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
            match was_enabled {
                None => None,
                Some(was_enabled) => {
                    sqlx::query(
                        "UPDATE webhook_endpoints SET url = COALESCE($3, url), \
                         description = CASE WHEN $4 THEN $5 ELSE description END, \
                         event_types = COALESCE($6, event_types), \
                         connection_id = CASE WHEN $7 THEN $8 ELSE connection_id END, \
                         enabled = COALESCE($9, enabled), \
                         disabled_reason = CASE WHEN $9 IS NULL THEN disabled_reason \
                             WHEN $9 THEN NULL ELSE $10 END, \
                         failing_since = CASE WHEN $9 AND NOT enabled THEN NULL ELSE failing_since END, \
                         updated_at = $11 WHERE tenant_id = $1 AND id = $2",
                    )
                    .bind(tenant.as_uuid())
                    .bind(id)
                    .bind(&change.url)
                    .bind(change.description.is_some())
                    .bind(change.description.clone().flatten())
                    .bind(&change.event_types)
                    .bind(change.connection_id.is_some())
                    .bind(change.connection_id.flatten())
                    .bind(change.enabled)
                    .bind(&change.disabled_reason)
                    .bind(change.at)
                    .execute(&mut *conn)
                    .await?;
                    if !was_enabled && change.enabled == Some(true) {
                        sqlx::query(
                            "UPDATE deliveries SET next_attempt_at = $3 WHERE tenant_id = $1 \
                             AND endpoint_id = $2 AND status = 'pending' AND next_attempt_at > $3",
                        )
                        .bind(tenant.as_uuid())
                        .bind(id)
                        .bind(change.at)
                        .execute(&mut *conn)
                        .await?;
                    }
                    insert_audit!(conn, audit, &audit.detail);
                    fetch_endpoint!(conn, tenant, id)
                }
            }
        }))
    }

    /// Deletes an endpoint with its deliveries and attempts (by cascade) and its sealed
    /// secrets, with its audit record; false when the tenant had no such endpoint.
    pub async fn delete_webhook_endpoint(
        &self,
        tenant: TenantId,
        id: Uuid,
        audit: &AuditEvent,
    ) -> Result<bool, StoreError> {
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            let delete =
                sqlx::query("DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2")
                    .bind(tenant.as_uuid())
                    .bind(id);
            execute_audited!(conn, delete, audit)
        }))
    }

    /// Makes `rotation`'s secret the current one and the current one the previous one (a
    /// previous one before it is dropped), with its audit record; the endpoint then, or
    /// `None` when the tenant has no such endpoint.
    pub async fn rotate_webhook_secret(
        &self,
        tenant: TenantId,
        id: Uuid,
        rotation: &SecretRotation,
        audit: &AuditEvent,
    ) -> Result<Option<WebhookEndpointRecord>, StoreError> {
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            let rotate = sqlx::query(
                "UPDATE webhook_endpoints SET previous_secret = secret, \
                 previous_secret_key_version = secret_key_version, previous_secret_until = $3, \
                 secret = $4, secret_key_version = $5, updated_at = $6 \
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.as_uuid())
            .bind(id)
            .bind(rotation.previous_until)
            .bind(&rotation.sealed)
            .bind(rotation.key_version)
            .bind(rotation.at);
            if execute_audited!(conn, rotate, audit) {
                fetch_endpoint!(conn, tenant, id)
            } else {
                None
            }
        }))
    }

    /// Disables an enabled endpoint with `reason`, with its audit record; whether this call
    /// disabled it (false when it was disabled already or is gone), so that exactly one
    /// caller reports it.
    pub async fn disable_webhook_endpoint(
        &self,
        tenant: TenantId,
        id: Uuid,
        reason: &str,
        audit: &AuditEvent,
    ) -> Result<bool, StoreError> {
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            let disable = sqlx::query(
                "UPDATE webhook_endpoints SET enabled = $3, disabled_reason = $4, updated_at = $5 \
                 WHERE tenant_id = $1 AND id = $2 AND enabled = $6",
            )
            .bind(tenant.as_uuid())
            .bind(id)
            .bind(false)
            .bind(reason)
            .bind(audit.at)
            .bind(true);
            execute_audited!(conn, disable, audit)
        }))
    }

    /// Claims up to `claim.limit` due deliveries of enabled endpoints, of every tenant,
    /// soonest first, for `claim.replica` until `claim.until`. Rows another replica holds
    /// under a running claim are skipped; a lapsed claim is taken over. Operator scope.
    ///
    /// An endpoint has one delivery in flight at a time, its earliest due event first, so a
    /// receiver gets its events in the log's order while nothing fails; a delivery waiting
    /// for a retry does not hold up the ones after it.
    pub async fn claim_deliveries(
        &self,
        claim: &DeliveryClaim<'_>,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let lock = match self.backend() {
            Backend::Postgres => "FOR UPDATE OF d SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let update = format!(
            "UPDATE deliveries SET claimed_by = $1, claim_until = $3 \
             WHERE (endpoint_id, event_seq) IN (SELECT d.endpoint_id, d.event_seq \
             FROM deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
             WHERE d.status = 'pending' AND d.next_attempt_at <= $2 \
             AND (d.claim_until IS NULL OR d.claim_until <= $2) AND e.enabled = $5 \
             AND NOT EXISTS (SELECT 1 FROM deliveries o WHERE o.endpoint_id = d.endpoint_id \
                 AND o.status = 'pending' AND (o.claim_until > $2 \
                 OR (o.event_seq < d.event_seq AND o.next_attempt_at <= $2))) \
             ORDER BY d.next_attempt_at, d.event_seq LIMIT $4 {lock})"
        );
        Ok(scoped!(self, Scope::Operator, |conn| {
            let claimed = sqlx::query(&update)
                .bind(claim.replica)
                .bind(claim.now)
                .bind(claim.until)
                .bind(i64::from(claim.limit))
                .bind(true)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if claimed == 0 {
                Vec::new()
            } else {
                sqlx::query_as::<_, ClaimedDelivery>(&format!(
                    "{CLAIMED} ORDER BY d.next_attempt_at, d.event_seq"
                ))
                .bind(claim.replica)
                .bind(claim.until)
                .fetch_all(&mut *conn)
                .await?
            }
        }))
    }

    /// Claims the next due delivery of one endpoint, its earliest event, for `claim.replica`,
    /// unless another of its deliveries is in flight or the endpoint is disabled: what a
    /// worker that just finished one of the endpoint's deliveries sends next, without a scan
    /// of every endpoint's queue. Operator scope. On PostgreSQL a row another replica claimed
    /// meanwhile is seen claimed once its lock is released (the `claim_until` condition is
    /// checked again on the row's new version), so it is never claimed twice.
    pub async fn claim_next_delivery(
        &self,
        claim: &DeliveryClaim<'_>,
        endpoint: Uuid,
    ) -> Result<Option<ClaimedDelivery>, StoreError> {
        let lock = match self.backend() {
            Backend::Postgres => "FOR UPDATE",
            Backend::Sqlite => "",
        };
        let update = format!(
            "UPDATE deliveries SET claimed_by = $1, claim_until = $3 \
             WHERE endpoint_id = $4 AND event_seq = (SELECT d.event_seq FROM deliveries d \
                 WHERE d.endpoint_id = $4 AND d.status = 'pending' AND d.next_attempt_at <= $2 \
                 ORDER BY d.event_seq LIMIT 1 {lock}) \
             AND status = 'pending' AND (claim_until IS NULL OR claim_until <= $2) \
             AND NOT EXISTS (SELECT 1 FROM deliveries o WHERE o.endpoint_id = $4 \
                 AND o.status = 'pending' AND o.claim_until > $2) \
             AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = $4 AND e.enabled = $5)"
        );
        Ok(scoped!(self, Scope::Operator, |conn| {
            let claimed = sqlx::query(&update)
                .bind(claim.replica)
                .bind(claim.now)
                .bind(claim.until)
                .bind(endpoint)
                .bind(true)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if claimed == 0 {
                None
            } else {
                sqlx::query_as::<_, ClaimedDelivery>(&format!("{CLAIMED} AND d.endpoint_id = $3"))
                    .bind(claim.replica)
                    .bind(claim.until)
                    .bind(endpoint)
                    .fetch_optional(&mut *conn)
                    .await?
            }
        }))
    }

    /// Records one attempt and the delivery's outcome, and the endpoint's failure streak
    /// (cleared by a success, started by the first failure), in one transaction — only if
    /// `attempt.replica` still holds the claim. The endpoint's `failing_since` then, or
    /// `None` when the claim was lost (the attempt is not recorded: another replica retries).
    pub async fn record_delivery_attempt(
        &self,
        attempt: &AttemptRecord,
        outcome: DeliveryOutcome,
    ) -> Result<Option<Option<DateTime<Utc>>>, StoreError> {
        let next = match outcome {
            DeliveryOutcome::Retry { at } => Some(at),
            DeliveryOutcome::Delivered | DeliveryOutcome::Failed => None,
        };
        let delivered_at = (outcome == DeliveryOutcome::Delivered).then_some(attempt.attempted_at);
        let tenant = attempt.tenant_id;
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            let updated = sqlx::query(
                "UPDATE deliveries SET attempts = attempts + 1, status = $5, \
                 next_attempt_at = $6, claimed_by = NULL, claim_until = NULL, last_status = $7, \
                 last_error = $8, delivered_at = $9 \
                 WHERE tenant_id = $1 AND endpoint_id = $2 AND event_seq = $3 \
                 AND claimed_by = $4 AND status = 'pending'",
            )
            .bind(tenant.as_uuid())
            .bind(attempt.endpoint_id)
            .bind(attempt.event_seq)
            .bind(&attempt.replica)
            .bind(outcome.status())
            .bind(next)
            .bind(attempt.status_code)
            .bind(&attempt.error)
            .bind(delivered_at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if updated == 0 {
                None
            } else {
                sqlx::query(
                    "INSERT INTO delivery_attempts (id, tenant_id, endpoint_id, event_seq, \
                     attempted_at, status_code, duration_ms, error, replica) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(attempt.id)
                .bind(tenant.as_uuid())
                .bind(attempt.endpoint_id)
                .bind(attempt.event_seq)
                .bind(attempt.attempted_at)
                .bind(attempt.status_code)
                .bind(attempt.duration_ms)
                .bind(&attempt.error)
                .bind(&attempt.replica)
                .execute(&mut *conn)
                .await?;
                let failing_since: Option<Option<DateTime<Utc>>> = sqlx::query_scalar(
                    "UPDATE webhook_endpoints SET failing_since = CASE WHEN $3 THEN NULL \
                     ELSE COALESCE(failing_since, $4) END WHERE tenant_id = $1 AND id = $2 \
                     RETURNING failing_since",
                )
                .bind(tenant.as_uuid())
                .bind(attempt.endpoint_id)
                .bind(outcome == DeliveryOutcome::Delivered)
                .bind(attempt.attempted_at)
                .fetch_optional(&mut *conn)
                .await?;
                Some(failing_since.flatten())
            }
        }))
    }

    /// A page of an endpoint's attempts, newest first, before the attempt id `before`;
    /// only those of one event when `event_id` is given.
    pub async fn list_delivery_attempts(
        &self,
        tenant: TenantId,
        endpoint: Uuid,
        event_id: Option<&str>,
        before: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<AttemptView>, StoreError> {
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, AttemptView>(
                "SELECT a.id, ev.id AS event_id, ev.type AS event_type, a.attempted_at, \
                 a.status_code, a.duration_ms, a.error \
                 FROM delivery_attempts a JOIN events ev ON ev.seq = a.event_seq \
                 WHERE a.tenant_id = $1 AND a.endpoint_id = $2 AND a.id < $3 \
                 AND ($4 IS NULL OR ev.id = $4) ORDER BY a.id DESC LIMIT $5",
            )
            .bind(tenant.as_uuid())
            .bind(endpoint)
            .bind(before.unwrap_or_else(Uuid::max))
            .bind(event_id)
            .bind(i64::from(limit))
            .fetch_all(conn)
            .await?
        }))
    }

    /// Delivers the tenant's event `event_id` to the endpoint again from its first attempt,
    /// due at `at`, whether its delivery was delivered, failed, pending or never made.
    pub async fn resend_delivery(
        &self,
        tenant: TenantId,
        endpoint: Uuid,
        event_id: &str,
        at: DateTime<Utc>,
    ) -> Result<Resend, StoreError> {
        let sql = resend_sql("ev.id = $4");
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            let scheduled = sqlx::query(&sql)
                .bind(tenant.as_uuid())
                .bind(endpoint)
                .bind(at)
                .bind(event_id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if scheduled > 0 {
                Resend::Scheduled
            } else {
                let exists: Option<i64> =
                    sqlx::query_scalar("SELECT seq FROM events WHERE tenant_id = $1 AND id = $2")
                        .bind(tenant.as_uuid())
                        .bind(event_id)
                        .fetch_optional(&mut *conn)
                        .await?;
                if exists.is_some() {
                    Resend::NotMatching
                } else {
                    Resend::NoSuchEvent
                }
            }
        }))
    }

    /// Delivers again, from their first attempt and due at `at`, every event of the tenant
    /// that occurred in `[from, to)` and that the endpoint takes, creating the deliveries it
    /// never had (events from before it existed, or while it was disabled); how many.
    pub async fn resend_deliveries(
        &self,
        tenant: TenantId,
        endpoint: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let sql = resend_sql("ev.occurred_at >= $4 AND ev.occurred_at < $5");
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query(&sql)
                .bind(tenant.as_uuid())
                .bind(endpoint)
                .bind(at)
                .bind(from)
                .bind(to)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        }))
    }

    /// Deletes the attempts of every tenant made before `before`; how many. Deliveries and
    /// their attempts also go with their event when the event log is swept.
    pub async fn sweep_delivery_attempts(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(scoped!(self, Scope::Operator, |conn| {
            sqlx::query("DELETE FROM delivery_attempts WHERE attempted_at < $1")
                .bind(before)
                .execute(conn)
                .await?
                .rows_affected()
        }))
    }

    /// Endpoints of every tenant with a secret sealed under another version than `active`,
    /// after the id `after`. Operator use only: the walk of a re-wrap.
    pub async fn stale_webhook_secrets(
        &self,
        active_version: i32,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<WebhookEndpointRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM webhook_endpoints WHERE id > $1 AND (secret_key_version <> $2 \
             OR (previous_secret IS NOT NULL AND previous_secret_key_version <> $2)) \
             ORDER BY id LIMIT $3"
        );
        Ok(scoped!(self, Scope::Operator, |conn| {
            sqlx::query_as::<_, WebhookEndpointRecord>(&sql)
                .bind(after.unwrap_or_else(Uuid::nil))
                .bind(active_version)
                .bind(i64::from(limit))
                .fetch_all(conn)
                .await?
        }))
    }

    /// Replaces an endpoint's sealed secrets with `rewrapped` (the same secrets under the
    /// active key) if they are still exactly `read` (no rotation meanwhile); whether it did.
    pub async fn swap_webhook_secrets(
        &self,
        read: &WebhookEndpointRecord,
        rewrapped: &WebhookEndpointRecord,
    ) -> Result<bool, StoreError> {
        Ok(scoped!(self, Scope::Tenant(read.tenant_id), |conn| {
            sqlx::query(
                "UPDATE webhook_endpoints SET secret = $3, secret_key_version = $4, \
                 previous_secret = $5, previous_secret_key_version = $6 \
                 WHERE tenant_id = $1 AND id = $2 AND secret = $7 \
                 AND (previous_secret = $8 OR (previous_secret IS NULL AND $8 IS NULL))",
            )
            .bind(read.tenant_id.as_uuid())
            .bind(read.id)
            .bind(&rewrapped.secret)
            .bind(rewrapped.secret_key_version)
            .bind(&rewrapped.previous_secret)
            .bind(rewrapped.previous_secret_key_version)
            .bind(&read.secret)
            .bind(&read.previous_secret)
            .execute(conn)
            .await?
            .rows_affected()
                == 1
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_round_trip_through_their_stored_form() {
        assert_eq!(encode_event_types(None), "*");
        assert_eq!(decode_event_types("*"), None);
        let some = [EventType::TicketCreated, EventType::WebhookEndpointDisabled];
        let stored = encode_event_types(Some(&some));
        assert_eq!(stored, ",ticket.created,webhook_endpoint.disabled,");
        assert_eq!(decode_event_types(&stored), Some(some.to_vec()));
        assert_eq!(
            decode_event_types(",ticket.created,ticket.exploded,"),
            Some(vec![EventType::TicketCreated])
        );
    }
}
