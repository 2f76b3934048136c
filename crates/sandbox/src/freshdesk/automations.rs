//! Automation rules whose action is "Trigger Webhook": Freshdesk has no webhook API, an
//! admin builds such rules in the product. The control API stands in for that admin:
//! each rule names its events (a ticket created, a ticket updated), the URL, the custom
//! headers sent as they are, and optionally the body with Freshdesk's placeholders.
//! `trigger_webhook.rs` runs them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::sandbox::SandboxError;

/// The automation events a rule can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutomationEvent {
    /// "Ticket creation" rules.
    TicketCreated,
    /// "Ticket updates" rules: a property changed, a reply was sent, a note was added, the
    /// ticket was deleted.
    TicketUpdated,
}

impl AutomationEvent {
    /// `ticket_created` or `ticket_updated`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TicketCreated => "ticket_created",
            Self::TicketUpdated => "ticket_updated",
        }
    }
}

/// One automation rule with a "Trigger Webhook" action (`POST`, JSON content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreshdeskAutomation {
    /// Where to post.
    pub url: String,
    /// What runs the rule.
    pub events: Vec<AutomationEvent>,
    /// Custom headers, sent exactly as given.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body, with placeholders (`{{ticket.id}}`, `{{ticket.status}}`,
    /// `{{triggered_event}}`, …) put in as text. Without one, the "simple" JSON of the
    /// chosen fields: `{"freshdesk_webhook": {"ticket_id", "ticket_subject",
    /// "ticket_status", "ticket_priority", "ticket_url", "triggered_event"}}`.
    #[serde(default)]
    pub body: Option<String>,
}

impl FreshdeskAutomation {
    pub(crate) fn validate(&self) -> Result<(), SandboxError> {
        let invalid = |what: String| Err(SandboxError::InvalidConfig(what));
        let url = url::Url::parse(&self.url).ok();
        if !url.is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some()) {
            return invalid(format!("url {:?} is not an http or https URL", self.url));
        }
        if self.events.is_empty() {
            return invalid("events must name ticket_created, ticket_updated or both".to_owned());
        }
        for (name, value) in &self.headers {
            if http::HeaderName::from_bytes(name.as_bytes()).is_err()
                || http::HeaderValue::from_str(value).is_err()
            {
                return invalid(format!("header {name:?} is not a valid header"));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Default)]
pub(crate) struct Automations {
    rules: BTreeMap<u64, FreshdeskAutomation>,
    next_id: u64,
}

impl Automations {
    /// Adds a rule; returns its id (from 1).
    pub(crate) fn add(&mut self, rule: FreshdeskAutomation) -> u64 {
        self.next_id += 1;
        self.rules.insert(self.next_id, rule);
        self.next_id
    }

    pub(crate) fn remove(&mut self, id: u64) -> bool {
        self.rules.remove(&id).is_some()
    }

    /// Every rule with its id, in id order.
    pub(crate) fn all(&self) -> Vec<(u64, FreshdeskAutomation)> {
        self.rules.iter().map(|(id, r)| (*id, r.clone())).collect()
    }

    /// The rules `event` runs.
    pub(crate) fn running_on(&self, event: AutomationEvent) -> Vec<(u64, FreshdeskAutomation)> {
        self.rules
            .iter()
            .filter(|(_, r)| r.events.contains(&event))
            .map(|(id, r)| (*id, r.clone()))
            .collect()
    }
}
