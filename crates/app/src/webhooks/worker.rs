//! The delivery workers every replica runs: claim due deliveries from the outbox (no more
//! than there are free slots, so that no claim waits), send each with at most `concurrency`
//! in flight, and record each attempt with the delivery's next step.
//!
//! A claim lasts `claim` (longer than an attempt's timeout): a replica that dies mid-attempt
//! leaves rows whose claim lapses, and another replica sends them again — at least once,
//! never lost. The `webhook-id` is the event id on every attempt, so a receiver can drop a
//! repeat.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use deskgate_store::webhooks::{AttemptRecord, ClaimedDelivery, DeliveryClaim, DeliveryOutcome};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::webhooks::WebhookSettings;
use crate::webhooks::schedule::next_wait;
use crate::webhooks::send::{Sent, Target};
use crate::webhooks::signing::webhook_body;
use crate::{App, AppError};

/// What the workers of this process share: their settings and the bell that wakes them
/// when this process records events.
#[derive(Debug)]
pub(crate) struct Deliveries {
    settings: WebhookSettings,
    wake: Notify,
}

impl Deliveries {
    pub(crate) fn new(settings: WebhookSettings) -> Self {
        Self {
            settings,
            wake: Notify::new(),
        }
    }
}

fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

impl App {
    pub fn webhook_settings(&self) -> &WebhookSettings {
        &self.deliveries().settings
    }

    /// Makes this replica's workers look for due deliveries now instead of at their next
    /// poll: after recording events, enabling an endpoint or resending.
    pub fn wake_deliveries(&self) {
        self.deliveries().wake.notify_one();
    }

    /// Claims up to `limit` due deliveries for this replica.
    async fn claim_due(&self, limit: u32) -> Result<Vec<ClaimedDelivery>, AppError> {
        Ok(self.store().claim_deliveries(&self.claim(limit)).await?)
    }

    /// Claims the endpoint's next due delivery, if it has one and none in flight.
    async fn claim_next_of(&self, endpoint: Uuid) -> Result<Option<ClaimedDelivery>, AppError> {
        Ok(self
            .store()
            .claim_next_delivery(&self.claim(1), endpoint)
            .await?)
    }

    /// A claim by this replica, from now for the configured time.
    fn claim(&self, limit: u32) -> DeliveryClaim<'_> {
        let now = Utc::now();
        DeliveryClaim {
            replica: self.replica(),
            now,
            until: now + delta(self.webhook_settings().claim),
            limit,
        }
    }

    /// Makes one attempt at a claimed delivery and records it; disables the endpoint when
    /// the receiver answered 410 or has failed for longer than `disable_after`.
    async fn attempt(&self, d: ClaimedDelivery) -> Result<(), AppError> {
        // Made now, so that the attempt log's order (by id) is the order attempts started.
        let id = Uuid::now_v7();
        let now = Utc::now();
        let target = Target {
            tenant: d.tenant_id,
            endpoint: d.endpoint_id,
            url: &d.url,
            secret: &d.secret,
            previous: d.previous_secret.as_deref().zip(d.previous_secret_until),
        };
        let body = webhook_body(&d.event_type, d.occurred_at, &d.data);
        let sent = self.send_webhook(target, &d.event_id, body, now).await;
        let outcome = self.outcome(&d, &sent);
        let attempt = AttemptRecord {
            id,
            tenant_id: d.tenant_id,
            endpoint_id: d.endpoint_id,
            event_seq: d.event_seq,
            attempted_at: now,
            status_code: sent.status.map(i32::from),
            duration_ms: i32::try_from(sent.duration.as_millis()).unwrap_or(i32::MAX),
            error: sent.error.clone(),
            replica: self.replica().to_owned(),
        };
        let Some(failing_since) = self
            .store()
            .record_delivery_attempt(&attempt, outcome)
            .await?
        else {
            // The claim lapsed (another replica sends it again), or the delivery was resent or
            // its endpoint deleted meanwhile.
            tracing::info!(tenant = %d.tenant_id, endpoint = %d.endpoint_id, event = %d.event_id, "an attempt was not recorded: its delivery is no longer this replica's");
            return Ok(());
        };
        if outcome == DeliveryOutcome::Failed {
            tracing::info!(tenant = %d.tenant_id, endpoint = %d.endpoint_id, event = %d.event_id, "a delivery failed its last attempt");
        }
        if sent.gone() {
            let reason = "the endpoint answered 410 Gone".to_owned();
            return self
                .disable_failing_endpoint(d.tenant_id, d.endpoint_id, reason)
                .await;
        }
        if let Some(since) = failing_since
            && now - since > delta(self.webhook_settings().disable_after)
        {
            let reason = format!(
                "every attempt failed since {}",
                since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            return self
                .disable_failing_endpoint(d.tenant_id, d.endpoint_id, reason)
                .await;
        }
        Ok(())
    }

    /// What becomes of a delivery after `sent`.
    fn outcome(&self, d: &ClaimedDelivery, sent: &Sent) -> DeliveryOutcome {
        if sent.delivered() {
            return DeliveryOutcome::Delivered;
        }
        let attempt = u32::try_from(d.attempts).unwrap_or(0).saturating_add(1);
        match next_wait(self.webhook_settings(), attempt, sent.retry_after) {
            Some(wait) => DeliveryOutcome::Retry {
                at: Utc::now() + delta(wait),
            },
            None => DeliveryOutcome::Failed,
        }
    }

    /// Runs the delivery workers until `stop` turns true (or its sender is dropped), then
    /// lets the attempts in flight finish and record.
    pub async fn run_deliveries(self, mut stop: watch::Receiver<bool>) {
        let settings = self.webhook_settings().clone();
        let slots = Arc::new(Semaphore::new(settings.concurrency));
        let mut running: JoinSet<()> = JoinSet::new();
        // The sender dropped counts as a stop.
        let mut stopped = false;
        loop {
            if stopped || *stop.borrow() {
                break;
            }
            while running.try_join_next().is_some() {}
            let free = slots.available_permits();
            if free == 0 {
                tokio::select! {
                    _ = running.join_next() => {}
                    changed = stop.changed() => stopped = changed.is_err(),
                }
                continue;
            }
            let limit = u32::try_from(free).unwrap_or(u32::MAX).min(settings.batch);
            let claimed = match self.claim_due(limit).await {
                Ok(claimed) => claimed,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming webhook deliveries failed");
                    Vec::new()
                }
            };
            let full = claimed.len() == limit as usize;
            for delivery in claimed {
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    break;
                };
                let app = self.clone();
                let stop = stop.clone();
                running.spawn(async move {
                    // The endpoint's deliveries one after another, in the log's order, on
                    // this slot: each next one is claimed by the endpoint's own index
                    // rather than by a scan of every endpoint's queue.
                    let mut next = Some(delivery);
                    while let Some(delivery) = next.take() {
                        if *stop.borrow() {
                            // Stopping: the claim lapses and another replica sends it.
                            break;
                        }
                        let (tenant, endpoint, event) =
                            (delivery.tenant_id, delivery.endpoint_id, delivery.event_id.clone());
                        if let Err(e) = app.attempt(delivery).await {
                            tracing::warn!(%tenant, %endpoint, %event, error = %e, "recording a webhook attempt failed; the claim lapses and it is sent again");
                            break;
                        }
                        next = match app.claim_next_of(endpoint).await {
                            Ok(next) => next,
                            Err(e) => {
                                tracing::warn!(%tenant, %endpoint, error = %e, "claiming an endpoint's next webhook failed");
                                None
                            }
                        };
                    }
                    drop(slot);
                });
            }
            if full {
                continue;
            }
            tokio::select! {
                () = self.deliveries().wake.notified() => {}
                () = tokio::time::sleep(settings.poll_interval) => {}
                changed = stop.changed() => stopped = changed.is_err(),
            }
        }
        while running.join_next().await.is_some() {}
    }
}
