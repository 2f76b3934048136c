//! The event log as the tenant reads it, and recording events.
//!
//! An event id is `evt_` and a UUID v7, so it also says when the event was recorded: a
//! reader's `after` that names an event past the retention is told so (the events after it
//! may be gone), while an id that was never the tenant's is a plain bad cursor.

use chrono::{DateTime, TimeDelta, Utc};
use deskgate_core::{ConnectionId, EventType, TenantId};
use deskgate_store::events::{EventQuery, EventRecord, NewEvent};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::connections::Connection;
use crate::{App, AppError};

/// An object inside an event larger than this is replaced by its id.
pub const MAX_OBJECT_BYTES: usize = 20 * 1024;

/// An event to record.
#[derive(Clone, Debug, PartialEq)]
pub struct EventDraft {
    pub event_type: EventType,
    pub connection_id: Option<ConnectionId>,
    /// The `data` object.
    pub data: Value,
}

impl EventDraft {
    /// An event about a connection's object: `data` gets `connection_id`, and `object` under
    /// `key` — or only `{id}` and `"truncated": true` when it would exceed 20 kB.
    pub fn about(
        event_type: EventType,
        connection: ConnectionId,
        key: &str,
        object: &impl Serialize,
        mut extra: serde_json::Map<String, Value>,
    ) -> Self {
        let value = serde_json::to_value(object).unwrap_or(Value::Null);
        let size = serde_json::to_vec(&value).map_or(usize::MAX, |v| v.len());
        if size > MAX_OBJECT_BYTES {
            let id = value.get("id").cloned().unwrap_or(Value::Null);
            extra.insert(key.to_owned(), json!({ "id": id }));
            extra.insert("truncated".to_owned(), Value::Bool(true));
        } else {
            extra.insert(key.to_owned(), value);
        }
        extra.insert("connection_id".to_owned(), json!(connection.to_string()));
        Self {
            event_type,
            connection_id: Some(connection),
            data: Value::Object(extra),
        }
    }
}

/// One event as the API shows it (and, without `id` and `connection_id`, as a webhook body).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EventView {
    /// `evt_…`: stable, the same in the log and on every webhook delivery (`webhook-id`).
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    /// When deskgate recorded it (RFC 3339).
    pub timestamp: DateTime<Utc>,
    pub connection_id: Option<String>,
    /// The event's object: a ticket, a comment, a connection, or ids.
    #[schema(value_type = Object)]
    pub data: Value,
}

impl EventView {
    pub fn from_record(record: &EventRecord) -> Self {
        Self {
            id: record.id.clone(),
            event_type: record.event_type.clone(),
            timestamp: record.occurred_at,
            connection_id: record.connection_id.map(|c| c.to_string()),
            data: serde_json::from_str(&record.data).unwrap_or(Value::Null),
        }
    }
}

/// A page of the log.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EventList {
    pub data: Vec<EventView>,
    /// Pass as `after` to read on: the last event of this page, or the `after` that was
    /// asked for when nothing new has happened.
    pub next_after: Option<String>,
    /// Whether more events are waiting now.
    pub has_more: bool,
}

/// What a reader asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListEvents {
    pub after: Option<String>,
    pub connection_id: Option<ConnectionId>,
    pub types: Vec<EventType>,
    pub limit: u32,
}

/// A new event id.
pub fn new_event_id() -> String {
    format!("evt_{}", Uuid::now_v7().simple())
}

/// When an `evt_` id was made, if it is one.
fn recorded_at(id: &str) -> Option<DateTime<Utc>> {
    let uuid = deskgate_core::ids::canonical_simple_uuid(id.strip_prefix("evt_")?)?;
    let (secs, nanos) = uuid.get_timestamp()?.to_unix();
    DateTime::from_timestamp(i64::try_from(secs).ok()?, nanos)
}

/// Turns drafts into rows, stamped now.
pub(crate) fn rows(drafts: Vec<EventDraft>, now: DateTime<Utc>) -> Vec<NewEvent> {
    drafts
        .into_iter()
        .map(|draft| NewEvent {
            id: new_event_id(),
            connection_id: draft.connection_id,
            event_type: draft.event_type,
            occurred_at: now,
            data: draft.data.to_string(),
        })
        .collect()
}

impl App {
    /// Records events for a tenant, in order, each with a delivery to every webhook endpoint
    /// that wants it, in one transaction.
    pub async fn record_events(
        &self,
        tenant: TenantId,
        drafts: Vec<EventDraft>,
    ) -> Result<Vec<String>, AppError> {
        let events = rows(drafts, Utc::now());
        self.store().append_events(tenant, &events).await?;
        // This replica's webhook workers send the new deliveries now, not at their next poll.
        self.wake_deliveries();
        Ok(events.into_iter().map(|e| e.id).collect())
    }

    /// A connection's lifecycle event (created, needs_reauth, reauthorized, deleted), to be
    /// stored in the transaction of the change it reports.
    pub(crate) fn connection_event(
        event_type: EventType,
        connection: &Connection,
    ) -> Vec<NewEvent> {
        let draft = EventDraft::about(
            event_type,
            connection.id,
            "connection",
            &json!({
                "id": connection.id.to_string(),
                "provider": connection.provider.as_str(),
                "account_label": connection.account_label,
                "status": connection.status.as_str(),
                "external_ref": connection.external_ref,
            }),
            serde_json::Map::new(),
        );
        rows(vec![draft], Utc::now())
    }

    /// The tenant's events in order after `query.after`.
    pub async fn list_events(
        &self,
        tenant: TenantId,
        query: &ListEvents,
    ) -> Result<EventList, AppError> {
        let after = match &query.after {
            None => None,
            Some(id) => Some(self.event_position(tenant, id).await?),
        };
        let limit = query.limit.clamp(1, 100);
        let mut records = self
            .store()
            .list_events(
                tenant,
                &EventQuery {
                    after,
                    connection_id: query.connection_id,
                    types: query.types.clone(),
                    limit: limit + 1,
                },
            )
            .await?;
        let has_more = records.len() > limit as usize;
        records.truncate(limit as usize);
        let next_after = records
            .last()
            .map(|r| r.id.clone())
            .or_else(|| query.after.clone());
        Ok(EventList {
            data: records.iter().map(EventView::from_record).collect(),
            next_after,
            has_more,
        })
    }

    /// Where an `after` id stands in the tenant's log.
    async fn event_position(&self, tenant: TenantId, id: &str) -> Result<i64, AppError> {
        if let Some(record) = self.store().event(tenant, id).await? {
            return Ok(record.seq);
        }
        let retention =
            TimeDelta::from_std(self.event_settings().retention).unwrap_or(TimeDelta::MAX);
        match recorded_at(id) {
            Some(at) if at < Utc::now() - retention => Err(AppError::invalid_query(
                "after",
                "this event is older than the log keeps (its retention); read from the start \
                 without `after`, and reconcile anything older by listing",
            )),
            _ => Err(AppError::invalid_query(
                "after",
                "is not an event id of this tenant's log; pass the `id` or `next_after` of an \
                 event you read",
            )),
        }
    }

    /// Deletes events older than the retention; how many.
    pub async fn sweep_events(&self) -> Result<u64, AppError> {
        let retention = TimeDelta::from_std(self.event_settings().retention)
            .map_err(|e| AppError::Internal(format!("event retention: {e}")))?;
        let before = Utc::now() - retention;
        let mut total = 0;
        loop {
            let swept = self.store().sweep_events(before, 1_000).await?;
            total += swept;
            if swept < 1_000 {
                return Ok(total);
            }
        }
    }
}
