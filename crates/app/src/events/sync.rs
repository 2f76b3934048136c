//! One connection's sync, and the round every replica runs.
//!
//! A run takes the connection's lease (one replica at a time), asks the connector for change
//! pages from the stored cursor, compares each ticket with what it last saw, lists the
//! comments of tickets that changed, and stores each page — its events with their deliveries,
//! what it saw, and the cursor after it — in one transaction, only while it still holds the
//! lease. A replica that dies mid-run loses nothing and produces nothing twice: the next
//! holder starts from the last stored page.
//!
//! The first run records a baseline: it walks the feed from a little before now (the
//! lookback; or, with backfill, from the beginning) and remembers what it sees without events
//! (with backfill, every ticket becomes `ticket.created` with `"backfill": true`).
//! `baseline_at` is set when that walk reaches the present. A ticket first seen afterwards
//! that was created after `baseline_at - lookback` cannot have been in the walk, so it is
//! `ticket.created`; an older one is `ticket.updated` with `changed_fields: null` (what it was
//! before is not known).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use deskgate_core::model::{Comment, Ticket};
use deskgate_core::{
    ChangeCursor, ChangeRequest, ConnectionId, ConnectionStatus, Connector, ConnectorError,
    EventType, PageRequest, TenantId,
};
use deskgate_store::StoreError;
use deskgate_store::syncs::{SyncItemRecord, SyncPage, SyncRecord};
use serde_json::{Map, Value, json};

use super::diff::{self, CommentMark, Fingerprint};
use super::log::{EventDraft, rows};
use crate::{App, AppError, RequestContext};

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Change pages stored.
    pub pages: u32,
    /// Events recorded.
    pub events: usize,
    /// Whether the feed reached the present (otherwise the next run goes on at once).
    pub caught_up: bool,
}

/// Why a run stopped early.
enum Stop {
    /// Another replica holds the lease now; it goes on from the stored cursor.
    LeaseLost,
    /// The sync's share of the rate budget is spent for now: not a failure.
    Yielded,
    /// The connection is gone or cannot be used (deleted, needs reauthorization).
    Unusable,
    Failed(AppError),
}

impl From<AppError> for Stop {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound(_) | AppError::NeedsReauth { .. } => Stop::Unusable,
            AppError::Upstream(ConnectorError::RateLimited { .. }) => Stop::Yielded,
            other => Stop::Failed(other),
        }
    }
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Gone => Stop::LeaseLost,
            other => Stop::Failed(other.into()),
        }
    }
}

fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

/// One page being turned into events.
struct PageWork<'a> {
    connection: ConnectionId,
    /// Recording a baseline: remember, do not report (unless backfilling).
    baseline: bool,
    backfill: bool,
    /// Tickets and comments created after this were not in the baseline walk.
    new_after: Option<DateTime<Utc>>,
    known: HashMap<String, SyncItemRecord>,
    events: Vec<EventDraft>,
    items: Vec<SyncItemRecord>,
    /// Whether an unknown id in the page's deletes is surely a ticket's.
    deleted_are_tickets: bool,
    connector: &'a Arc<dyn Connector>,
    max_comment_pages: u32,
}

impl App {
    /// Runs [`App::sync_round`] every `tick` until the task is dropped.
    pub async fn run_syncs(self) {
        let tick = self.event_settings().tick;
        loop {
            tokio::time::sleep(tick).await;
            if let Err(e) = self.sync_round().await {
                tracing::warn!(error = %e, "the sync round failed");
            }
        }
    }

    /// Runs every due sync this replica can take, a few at once; how many ran.
    pub async fn sync_round(&self) -> Result<usize, AppError> {
        let settings = self.event_settings();
        let due = self.store().syncs_due(Utc::now(), settings.batch).await?;
        let ran = due.len();
        let permits = Arc::new(tokio::sync::Semaphore::new(settings.concurrency.max(1)));
        let mut runs = tokio::task::JoinSet::new();
        for (tenant, id) in due {
            let app = self.clone();
            let permits = Arc::clone(&permits);
            runs.spawn(async move {
                let _permit = permits.acquire_owned().await;
                if let Err(e) = app.sync_connection(tenant, id).await {
                    tracing::warn!(%tenant, connection = %id, error = %e, "a sync failed");
                }
            });
        }
        while runs.join_next().await.is_some() {}
        Ok(ran)
    }

    /// Runs one connection's sync now, if no replica is running it; `None` when one is.
    pub async fn sync_connection(
        &self,
        tenant: TenantId,
        id: ConnectionId,
    ) -> Result<Option<SyncReport>, AppError> {
        let lease = delta(self.event_settings().lease);
        let now = Utc::now();
        let Some(record) = self
            .store()
            .take_sync_lease(tenant, id, self.replica(), now, now + lease)
            .await?
        else {
            return Ok(None);
        };
        let started = now;
        let mut report = SyncReport::default();
        let outcome = self.sync_pages(tenant, id, &record, &mut report).await;
        let interval = delta(self.sync_interval(tenant, &record).await?);
        let now = Utc::now();
        let (next, error) = match outcome {
            Ok(()) if report.caught_up => (now + interval, None),
            // More is waiting: go on at the next round.
            Ok(()) => (now, None),
            Err(Stop::LeaseLost) => return Ok(Some(report)),
            Err(Stop::Yielded | Stop::Unusable) => (now + interval, None),
            Err(Stop::Failed(e)) => {
                let failures = record.failures.saturating_add(1);
                // Failing connections back off: the interval doubled per failure, up to an hour.
                let backoff = interval
                    .checked_mul(1 << failures.clamp(0, 6))
                    .unwrap_or(interval)
                    .min(TimeDelta::hours(1))
                    .max(interval);
                let detail = e.to_string();
                if failures.count_ones() == 1 {
                    // The first failure, then the 2nd, 4th, 8th…: enough to alert, not a flood.
                    let draft = EventDraft {
                        event_type: EventType::SyncFailed,
                        connection_id: Some(id),
                        data: json!({
                            "connection_id": id.to_string(),
                            "error": {"code": error_code(&e), "detail": detail},
                            "failures": failures,
                        }),
                    };
                    if let Err(e) = self.record_events(tenant, vec![draft]).await {
                        tracing::warn!(%tenant, connection = %id, error = %e, "recording sync.failed failed");
                    }
                }
                (now + backoff, Some(detail))
            }
        };
        self.store()
            .finish_sync(
                tenant,
                id,
                self.replica(),
                started,
                now,
                next,
                error.as_deref(),
            )
            .await?;
        Ok(Some(report))
    }

    async fn sync_pages(
        &self,
        tenant: TenantId,
        id: ConnectionId,
        record: &SyncRecord,
        report: &mut SyncReport,
    ) -> Result<(), Stop> {
        let settings = self.event_settings().clone();
        let connection = self.connection(tenant, id).await?;
        if connection.status != ConnectionStatus::Active {
            return Err(Stop::Unusable);
        }
        let ctx = RequestContext::sync();
        let (_, connector) = self.sync_connector(connection, &ctx).await?;
        let started = Utc::now();
        let baseline = record.baseline_at.is_none();
        let lookback = delta(settings.baseline_lookback);
        let since = if record.backfill && baseline {
            DateTime::UNIX_EPOCH
        } else {
            record.baseline_at.unwrap_or(started) - lookback
        };
        let mut cursor = record.cursor.clone().map(ChangeCursor);
        for _ in 0..settings.max_pages.max(1) {
            let request = ChangeRequest {
                cursor: cursor.clone(),
                since,
                limit: settings.page_limit,
            };
            let page = match connector.ticket_changes(&request).await {
                Ok(page) => page,
                Err(e) => return Err(self.vendor_error(tenant, id, e).await.into()),
            };
            let mut ids: Vec<String> = page.tickets.iter().map(|t| t.id.0.clone()).collect();
            ids.extend(page.deleted.iter().map(|d| d.id.0.clone()));
            let known = self
                .store()
                .sync_items(tenant, id, &ids)
                .await?
                .into_iter()
                .map(|item| (item.remote_id.clone(), item))
                .collect();
            let mut work = PageWork {
                connection: id,
                baseline,
                backfill: record.backfill,
                new_after: record.baseline_at.map(|b| b - lookback),
                known,
                events: Vec::new(),
                items: Vec::new(),
                deleted_are_tickets: page.deleted_are_tickets,
                connector: &connector,
                max_comment_pages: settings.max_comment_pages,
            };
            for ticket in page.tickets {
                if let Err(e) = work.ticket(ticket).await {
                    return Err(self.vendor_error(tenant, id, e).await.into());
                }
            }
            for deleted in page.deleted {
                work.deleted(&deleted.id.0, deleted.deleted_at);
            }
            let now = Utc::now();
            let finished_baseline = baseline && !page.more;
            let events = rows(work.events, now);
            let recorded = events.len();
            report.events += recorded;
            self.store()
                .commit_sync_page(
                    tenant,
                    id,
                    self.replica(),
                    now,
                    &SyncPage {
                        cursor: page.next.0.clone(),
                        baseline_at: finished_baseline.then_some(now),
                        lease_until: now + delta(settings.lease),
                        items: work.items,
                        events,
                    },
                )
                .await?;
            if recorded > 0 {
                // This replica's webhook workers send the new deliveries now, not at their
                // next poll.
                self.wake_deliveries();
            }
            report.pages += 1;
            cursor = Some(page.next);
            if !page.more {
                report.caught_up = true;
                return Ok(());
            }
            if baseline && finished_baseline {
                return Ok(());
            }
        }
        Ok(())
    }
}

impl PageWork<'_> {
    async fn ticket(&mut self, ticket: Ticket) -> Result<(), ConnectorError> {
        let id = ticket.id.0.clone();
        let fingerprint = Fingerprint::of(&ticket);
        // A ticket back from the trash is as good as unknown.
        let previous = self.known.get(&id).filter(|i| !is_tombstone(i)).cloned();
        let mut mark = None;
        match (&previous, self.baseline) {
            (_, true) => {
                if self.backfill && previous.is_none() {
                    let mut extra = Map::new();
                    extra.insert("backfill".into(), Value::Bool(true));
                    self.events.push(EventDraft::about(
                        EventType::TicketCreated,
                        self.connection,
                        "ticket",
                        &ticket,
                        extra,
                    ));
                }
            }
            (Some(item), false) => {
                let before = Fingerprint::parse(&item.fingerprint);
                let changed = fingerprint.changed_since(&before);
                if !changed.is_empty() {
                    let mut extra = Map::new();
                    extra.insert("changed_fields".into(), json!(changed));
                    self.events.push(EventDraft::about(
                        EventType::TicketUpdated,
                        self.connection,
                        "ticket",
                        &ticket,
                        extra,
                    ));
                }
                let seen = item
                    .comments_mark
                    .as_deref()
                    .and_then(CommentMark::parse)
                    .unwrap_or_else(|| CommentMark::after(before.updated_at));
                if fingerprint.updated_at > before.updated_at || !changed.is_empty() {
                    mark = Some(self.comments(&ticket, seen, |_, _| true).await?);
                } else {
                    mark = Some(seen);
                }
            }
            (None, false) => {
                let created_here = self
                    .new_after
                    .is_some_and(|after| ticket.created_at.is_some_and(|at| at >= after));
                let mut extra = Map::new();
                let event_type = if created_here {
                    EventType::TicketCreated
                } else {
                    extra.insert("changed_fields".into(), Value::Null);
                    EventType::TicketUpdated
                };
                self.events.push(EventDraft::about(
                    event_type,
                    self.connection,
                    "ticket",
                    &ticket,
                    extra,
                ));
                mark = Some(if created_here {
                    // A description stored as the first comment is part of the creation.
                    self.comments(&ticket, CommentMark::after(i64::MIN), |i, c| {
                        !(i == 0 && diff::is_description(c, &ticket))
                    })
                    .await?
                } else {
                    let since = self.new_after.map_or(i64::MIN, |b| b.timestamp());
                    self.comments(&ticket, CommentMark::after(since), |_, _| true)
                        .await?
                });
            }
        }
        let item = SyncItemRecord {
            remote_id: id.clone(),
            fingerprint: fingerprint.to_stored(),
            comments_mark: mark
                .map(|m| m.to_stored())
                .or_else(|| previous.and_then(|p| p.comments_mark)),
        };
        self.remember(item);
        Ok(())
    }

    fn remember(&mut self, item: SyncItemRecord) {
        self.known.insert(item.remote_id.clone(), item.clone());
        self.items.retain(|i| i.remote_id != item.remote_id);
        self.items.push(item);
    }

    /// Lists the ticket's comments, records those after `seen` that `report` accepts (given
    /// each one's place, oldest first), and answers the mark after all of them.
    async fn comments(
        &mut self,
        ticket: &Ticket,
        seen: CommentMark,
        report: impl Fn(usize, &Comment) -> bool,
    ) -> Result<CommentMark, ConnectorError> {
        let mut all = Vec::new();
        let mut request = PageRequest::default();
        for _ in 0..self.max_comment_pages.max(1) {
            let page = match self.connector.list_comments(&ticket.id, &request).await {
                Ok(page) => page,
                // A vendor without comment listing still reports its tickets.
                Err(ConnectorError::Unsupported { .. } | ConnectorError::NotFound) => break,
                Err(e) => return Err(e),
            };
            all.extend(page.items);
            match page.next {
                Some(next) => request.cursor = Some(next),
                None => break,
            }
        }
        diff::in_order(&mut all);
        let new = all
            .iter()
            .enumerate()
            .filter(|(i, c)| seen.is_before(c) && report(*i, c))
            .map(|(_, c)| c);
        for comment in new {
            let mut extra = Map::new();
            extra.insert("ticket_id".into(), json!(ticket.id.0));
            self.events.push(EventDraft::about(
                EventType::CommentCreated,
                self.connection,
                "comment",
                comment,
                extra,
            ));
        }
        Ok(seen.advanced(&all))
    }

    fn deleted(&mut self, id: &str, deleted_at: Option<DateTime<Utc>>) {
        let previous = self.known.get(id);
        // Feeds answer a delete again for a while (they re-read their last second): once is
        // enough.
        if previous.is_some_and(is_tombstone) {
            return;
        }
        let seen = previous.is_some();
        let report = if self.baseline {
            self.backfill && seen
        } else {
            // A ticket created and deleted between two runs, or an old one never seen, is
            // reported too, unless the feed's deletes may name other objects.
            seen || self.deleted_are_tickets
        };
        if report {
            self.events.push(EventDraft {
                event_type: EventType::TicketDeleted,
                connection_id: Some(self.connection),
                data: json!({
                    "connection_id": self.connection.to_string(),
                    "ticket_id": id,
                    "deleted_at": deleted_at,
                }),
            });
        }
        self.remember(SyncItemRecord {
            remote_id: id.to_owned(),
            fingerprint: TOMBSTONE.to_owned(),
            comments_mark: None,
        });
    }
}

/// What the sync remembers of a deleted ticket, so that a delete is reported once.
const TOMBSTONE: &str = "deleted";

fn is_tombstone(item: &SyncItemRecord) -> bool {
    item.fingerprint == TOMBSTONE
}

/// A stable code for `sync.failed`.
fn error_code(e: &AppError) -> &'static str {
    match e {
        AppError::Upstream(ConnectorError::Timeout) => "upstream_timeout",
        AppError::Upstream(ConnectorError::Transport { .. }) => "upstream_unreachable",
        AppError::Upstream(ConnectorError::Forbidden { .. }) => "upstream_forbidden",
        AppError::Upstream(ConnectorError::BadResponse { .. }) => "upstream_bad_response",
        AppError::Upstream(ConnectorError::Unsupported { .. }) => "unsupported",
        AppError::Upstream(_) => "upstream_error",
        _ => "internal_error",
    }
}
