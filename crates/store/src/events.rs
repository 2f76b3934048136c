//! The event log: appended in order per tenant, read from a cursor, swept after its
//! retention. Appending an event also writes, in the same transaction, one pending delivery
//! per enabled webhook endpoint of the tenant that wants it (the outbox), so an event is
//! never recorded without its deliveries nor delivered without being recorded.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use deskgate_core::{ConnectionId, EventType, TenantId};
use uuid::Uuid;

use crate::webhooks::MATCHES_EVENT;
use crate::{Scope, Store, StoreError};

/// An event to append.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    /// `evt_…`, made by the caller.
    pub id: String,
    pub connection_id: Option<ConnectionId>,
    pub event_type: EventType,
    pub occurred_at: DateTime<Utc>,
    /// The event's `data` object, as JSON text.
    pub data: String,
}

/// One event of the log.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct EventRecord {
    pub seq: i64,
    pub id: String,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    pub connection_id: Option<Uuid>,
    #[sqlx(rename = "type")]
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    pub data: String,
}

/// Which events a reader wants.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventQuery {
    /// Only events after this one (by `seq`).
    pub after: Option<i64>,
    pub connection_id: Option<ConnectionId>,
    /// Any of these types; all when empty.
    pub types: Vec<EventType>,
    pub limit: u32,
}

pub(crate) const EVENT_COLUMNS: &str = "seq, id, tenant_id, connection_id, type, occurred_at, data";

/// Takes the tenant's append lock: on PostgreSQL the upsert holds the `event_heads` row until
/// the transaction ends, so one tenant's appends get their `seq` values in commit order.
pub(crate) const LOCK_HEAD: &str = "INSERT INTO event_heads (tenant_id, appended) VALUES ($1, 0) \
     ON CONFLICT (tenant_id) DO UPDATE SET appended = event_heads.appended + 1";

pub(crate) const INSERT_EVENT: &str = "INSERT INTO events (id, tenant_id, connection_id, type, occurred_at, data) \
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq";

/// One pending delivery, due at once, per enabled endpoint of the event's tenant that takes
/// it ([`MATCHES_EVENT`]). `$1` the event's seq.
pub(crate) fn fan_out() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "INSERT INTO deliveries (tenant_id, endpoint_id, event_seq, status, attempts, \
             next_attempt_at, created_at) \
             SELECT ev.tenant_id, e.id, ev.seq, 'pending', 0, ev.occurred_at, ev.occurred_at \
             FROM events ev JOIN webhook_endpoints e ON e.tenant_id = ev.tenant_id \
             WHERE ev.seq = $1 AND e.enabled AND {MATCHES_EVENT}"
        )
    });
    &SQL
}

/// Appends `$events` (a slice of [`NewEvent`]) for `$tenant` inside the transaction `$conn`
/// (inside `scoped!`, on either backend), with their deliveries; yields the seqs in order.
macro_rules! append_events {
    ($conn:expr, $tenant:expr, $events:expr) => {{
        let tenant: deskgate_core::TenantId = $tenant;
        let mut seqs: Vec<i64> = Vec::new();
        if !$events.is_empty() {
            sqlx::query($crate::events::LOCK_HEAD)
                .bind(tenant.as_uuid())
                .execute(&mut *$conn)
                .await?;
        }
        for event in $events.iter() {
            let event: &$crate::events::NewEvent = event;
            let connection = event.connection_id.map(|c| c.as_uuid());
            let seq: i64 = sqlx::query_scalar($crate::events::INSERT_EVENT)
                .bind(&event.id)
                .bind(tenant.as_uuid())
                .bind(connection)
                .bind(event.event_type.as_str())
                .bind(event.occurred_at)
                .bind(&event.data)
                .fetch_one(&mut *$conn)
                .await?;
            sqlx::query($crate::events::fan_out())
                .bind(seq)
                .execute(&mut *$conn)
                .await?;
            seqs.push(seq);
        }
        seqs
    }};
}

impl Store {
    /// Appends events for one tenant, in order, with their deliveries; answers their seqs.
    pub async fn append_events(
        &self,
        tenant: TenantId,
        events: &[NewEvent],
    ) -> Result<Vec<i64>, StoreError> {
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            append_events!(conn, tenant, events)
        }))
    }

    /// The tenant's events in order, after `query.after`.
    pub async fn list_events(
        &self,
        tenant: TenantId,
        query: &EventQuery,
    ) -> Result<Vec<EventRecord>, StoreError> {
        let mut sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE tenant_id = $1 AND seq > $2 \
             AND ($3 IS NULL OR connection_id = $3)"
        );
        if !query.types.is_empty() {
            let first = 4;
            let list: Vec<String> = (0..query.types.len())
                .map(|i| format!("${}", first + i))
                .collect();
            sql.push_str(&format!(" AND type IN ({})", list.join(", ")));
        }
        let limit_at = 4 + query.types.len();
        sql.push_str(&format!(" ORDER BY seq LIMIT ${limit_at}"));
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            let mut q = sqlx::query_as::<_, EventRecord>(&sql)
                .bind(tenant.as_uuid())
                .bind(query.after.unwrap_or(0))
                .bind(query.connection_id.map(|c| c.as_uuid()));
            for t in &query.types {
                q = q.bind(t.as_str());
            }
            q.bind(i64::from(query.limit)).fetch_all(conn).await?
        }))
    }

    /// One of the tenant's events by its id.
    pub async fn event(
        &self,
        tenant: TenantId,
        id: &str,
    ) -> Result<Option<EventRecord>, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE tenant_id = $1 AND id = $2");
        Ok(scoped!(self, Scope::Tenant(tenant), |conn| {
            sqlx::query_as::<_, EventRecord>(&sql)
                .bind(tenant.as_uuid())
                .bind(id)
                .fetch_optional(conn)
                .await?
        }))
    }

    /// Deletes events recorded before `before` (their deliveries and attempts go with them),
    /// at most `batch`; answers how many. Operator use: the retention sweep.
    pub async fn sweep_events(&self, before: DateTime<Utc>, batch: u32) -> Result<u64, StoreError> {
        Ok(scoped!(self, Scope::Operator, |conn| {
            sqlx::query(
                "DELETE FROM events WHERE seq IN \
                 (SELECT seq FROM events WHERE occurred_at < $1 ORDER BY seq LIMIT $2)",
            )
            .bind(before)
            .bind(i64::from(batch))
            .execute(conn)
            .await?
            .rows_affected()
        }))
    }
}
