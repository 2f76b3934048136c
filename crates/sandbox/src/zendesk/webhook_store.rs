//! The account's webhooks (Webhooks API) and how Zendesk renders one. A webhook posts to
//! its endpoint when an event it subscribes to happens, signed with its own secret.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::render::timestamp;

/// The subscription that connects a webhook to triggers and automations instead of events.
pub(crate) const CONDITIONAL_TICKET_EVENTS: &str = "conditional_ticket_events";

/// The sandbox's catch-all subscription: every ticket event type it emits. Zendesk has no
/// such value (it wants each type listed); the sandbox accepts it so that a test need not.
pub(crate) const EVERY_TICKET_EVENT: &str = "zen:event-type:ticket.*";

pub(crate) const EVENT_TYPE_PREFIX: &str = "zen:event-type:";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Activity {
    Active,
    Inactive,
}

impl Activity {
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "active" => Some(Self::Active),
            "inactive" => Some(Self::Inactive),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Webhook {
    /// A ULID, as Zendesk's webhook ids are (`01GK8E6BKWMJZD2T8Y5AXJQMG5`).
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) endpoint: String,
    pub(crate) http_method: String,
    pub(crate) request_format: String,
    pub(crate) status: Activity,
    pub(crate) subscriptions: Vec<String>,
    pub(crate) custom_headers: BTreeMap<String, String>,
    /// The signing secret (`algorithm` is always SHA256).
    pub(crate) secret: String,
    pub(crate) created_at: i64,
    pub(crate) created_by: u64,
}

impl Webhook {
    /// Whether an event of `event_type` goes to this webhook.
    pub(crate) fn receives(&self, event_type: &str) -> bool {
        self.status == Activity::Active
            && self.subscriptions.iter().any(|s| {
                s == event_type
                    || (s == EVERY_TICKET_EVENT && event_type.starts_with("zen:event-type:ticket."))
            })
    }

    /// The webhook as the Webhooks API answers it; the secret is not part of it.
    pub(crate) fn render(&self) -> Value {
        let mut value = json!({
            "id": self.id,
            "name": self.name,
            "status": self.status.as_str(),
            "subscriptions": self.subscriptions,
            "created_at": timestamp(self.created_at),
            "created_by": self.created_by.to_string(),
            "updated_at": timestamp(self.created_at),
            "updated_by": self.created_by.to_string(),
            "endpoint": self.endpoint,
            "http_method": self.http_method,
            "request_format": self.request_format,
        });
        if let Some(description) = &self.description {
            value["description"] = json!(description);
        }
        if !self.custom_headers.is_empty() {
            value["custom_headers"] = json!(self.custom_headers);
        }
        value
    }
}

#[derive(Debug, Default)]
pub(crate) struct Webhooks {
    by_id: BTreeMap<String, Webhook>,
}

impl Webhooks {
    pub(crate) fn insert(&mut self, webhook: Webhook) {
        self.by_id.insert(webhook.id.clone(), webhook);
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Webhook> {
        self.by_id.get(id)
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Webhook> {
        self.by_id.remove(id)
    }

    /// Every webhook, in id order (which is creation order, ids being ULIDs).
    pub(crate) fn all(&self) -> impl Iterator<Item = &Webhook> {
        self.by_id.values()
    }

    /// The webhooks an event of `event_type` goes to.
    pub(crate) fn receiving(&self, event_type: &str) -> Vec<Webhook> {
        self.by_id
            .values()
            .filter(|w| w.receives(event_type))
            .cloned()
            .collect()
    }
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A ULID for `millis` since the epoch: 10 characters of time, 16 of randomness.
pub(crate) fn ulid(millis: i64) -> String {
    let time = u128::from(u64::try_from(millis).unwrap_or(0) & 0xFFFF_FFFF_FFFF);
    let random = rand::random::<u128>() & ((1u128 << 80) - 1);
    let value = (time << 80) | random;
    (0..26)
        .rev()
        .map(|i| char::from(CROCKFORD[((value >> (i * 5)) & 31) as usize]))
        .collect()
}
