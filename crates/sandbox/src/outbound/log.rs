//! The recent webhook deliveries, each with its attempts, so that a test can see what a
//! vendor sent, to where, and whether the receiver took it. The log keeps the newest
//! [`Log::CAPACITY`] deliveries of the whole sandbox.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::message::{Message, Outgoing};

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Being attempted, or waiting to be attempted again.
    Pending,
    /// An attempt was answered with a 2xx status.
    Delivered,
    /// Every attempt failed; the vendor gives up.
    Failed,
}

/// One webhook the sandbox sent, with every attempt at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// `dlv_1`, `dlv_2`, … in the order the deliveries were made.
    pub id: String,
    /// `zendesk`, `freshdesk` or `intercom`.
    pub vendor: String,
    /// The account's label: a Zendesk subdomain, a Freshdesk domain, an Intercom workspace
    /// name.
    pub account: String,
    /// The subscription that sent it: a Zendesk webhook id, `automation:{id}` for a
    /// Freshdesk automation, `app:oauth` or `app:private_app` for an Intercom app.
    pub target: String,
    /// The event type (`zen:event-type:ticket.created`), Freshdesk automation event
    /// (`ticket_updated`) or Intercom topic (`ticket.created`).
    pub event: String,
    /// Where it was posted.
    pub url: String,
    pub state: DeliveryState,
    /// In order, the first is attempt 1.
    pub attempts: Vec<WebhookAttempt>,
}

/// One attempt at a delivery: what was posted and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookAttempt {
    /// From 1.
    pub attempt: u32,
    /// When the attempt was made, on the wall clock (ISO-8601, milliseconds).
    pub sent_at: String,
    /// The receiver's status code, if it answered.
    pub status: Option<u16>,
    /// Why there is no status: a refused connection, a timeout, ….
    pub error: Option<String>,
    /// How long the attempt took, in milliseconds.
    pub duration_ms: u64,
    /// The request headers, names in lowercase.
    pub headers: BTreeMap<String, String>,
    /// The request body, byte for byte (what a signature covers).
    pub body: String,
    /// The start of the receiver's answer, at most 512 bytes.
    pub response_excerpt: Option<String>,
}

impl WebhookAttempt {
    /// Whether the receiver took it (2xx).
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// What came back from one attempt.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    pub(crate) status: Option<u16>,
    pub(crate) error: Option<String>,
    pub(crate) response_excerpt: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Log {
    deliveries: VecDeque<WebhookDelivery>,
    serial: u64,
}

impl Log {
    /// How many deliveries the log keeps; older ones are dropped.
    pub(crate) const CAPACITY: usize = 1000;

    /// Starts a delivery of `message`; returns its id.
    pub(crate) fn open(&mut self, message: &Message) -> String {
        self.serial += 1;
        let id = format!("dlv_{}", self.serial);
        if self.deliveries.len() == Self::CAPACITY {
            self.deliveries.pop_front();
        }
        self.deliveries.push_back(WebhookDelivery {
            id: id.clone(),
            vendor: message.vendor.to_owned(),
            account: message.account.clone(),
            target: message.target.clone(),
            event: message.event.clone(),
            url: message.url.clone(),
            state: DeliveryState::Pending,
            attempts: Vec::new(),
        });
        id
    }

    fn find(&mut self, id: &str) -> Option<&mut WebhookDelivery> {
        self.deliveries.iter_mut().rev().find(|d| d.id == id)
    }

    /// Adds an attempt to a delivery (dropped if the log let it go meanwhile).
    pub(crate) fn record(
        &mut self,
        id: &str,
        attempt: u32,
        sent: &Outgoing,
        sent_at: String,
        duration_ms: u64,
        outcome: Outcome,
    ) {
        let Some(delivery) = self.find(id) else {
            return;
        };
        delivery.attempts.push(WebhookAttempt {
            attempt,
            sent_at,
            status: outcome.status,
            error: outcome.error,
            duration_ms,
            headers: sent
                .headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect(),
            body: sent.body.clone(),
            response_excerpt: outcome.response_excerpt,
        });
    }

    pub(crate) fn finish(&mut self, id: &str, state: DeliveryState) {
        if let Some(delivery) = self.find(id) {
            delivery.state = state;
        }
    }

    /// The deliveries of `vendor` and `account` (either may be left open), oldest first.
    pub(crate) fn select(
        &self,
        vendor: Option<&str>,
        account: Option<&str>,
    ) -> Vec<WebhookDelivery> {
        self.deliveries
            .iter()
            .filter(|d| vendor.is_none_or(|v| d.vendor == v))
            .filter(|d| account.is_none_or(|a| d.account == a))
            .cloned()
            .collect()
    }

    pub(crate) fn clear(&mut self) {
        self.deliveries.clear();
    }
}
