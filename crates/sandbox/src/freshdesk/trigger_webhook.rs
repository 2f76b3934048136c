//! Running the automation rules with a "Trigger Webhook" action when a ticket is created
//! or updated (a property changed, a reply sent, a note added, the ticket deleted).
//!
//! The request is what Freshdesk sends: a `POST` with JSON content, the rule's custom
//! headers exactly, no signature (Freshdesk signs nothing). Its body is the rule's
//! template with the placeholders put in as text (unescaped, as Freshdesk does), or the
//! "simple" JSON `{"freshdesk_webhook": {...}}` of the chosen fields, every value text.
//! `triggered_event` is written as Freshdesk writes it: `{ticket_action:created}`,
//! `{status:{from:2,to:3}}`, `{priority:{from:1,to:4}}`, `{note_type:private}`; the
//! sandbox's own forms where no sample shows Freshdesk's: `{ticket_action:updated}` for
//! another property, `{reply_sent:sent}`, `{deleted:true}`.
//!
//! Each call spends a credit of the account's minute, as Freshdesk counts webhook calls
//! against the API limit; when none is left the sandbox sends anyway (Freshdesk defers the
//! call to the next hour).

use std::time::Duration;

use serde_json::json;

use super::automations::{AutomationEvent, FreshdeskAutomation};
use super::context::Ctx;
use super::records::Ticket;
use super::render::{priority_name, status_name};
use crate::lock::lock;
use crate::outbound::{Message, Outgoing};

/// How long the sandbox waits for an automation webhook's answer (Freshdesk does not say).
const TIMEOUT: Duration = Duration::from_secs(10);

/// What happened to the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    Created,
    /// An update through `PUT`: the status and priority before it.
    Updated {
        status: u64,
        priority: u64,
    },
    Reply,
    Note {
        private: bool,
    },
    Deleted,
}

impl Trigger {
    fn event(self) -> AutomationEvent {
        match self {
            Self::Created => AutomationEvent::TicketCreated,
            _ => AutomationEvent::TicketUpdated,
        }
    }

    /// `{{triggered_event}}` for `ticket` as it is after the change.
    fn describe(self, ticket: &Ticket) -> String {
        match self {
            Self::Created => "{ticket_action:created}".to_owned(),
            Self::Updated { status, .. } if status != ticket.status => {
                format!("{{status:{{from:{status},to:{}}}}}", ticket.status)
            }
            Self::Updated { priority, .. } if priority != ticket.priority => {
                format!("{{priority:{{from:{priority},to:{}}}}}", ticket.priority)
            }
            Self::Updated { .. } => "{ticket_action:updated}".to_owned(),
            Self::Reply => "{reply_sent:sent}".to_owned(),
            Self::Note { private: true } => "{note_type:private}".to_owned(),
            Self::Note { private: false } => "{note_type:public}".to_owned(),
            Self::Deleted => "{deleted:true}".to_owned(),
        }
    }
}

/// The placeholders a body template may use, with their values.
fn placeholders(domain: &str, ticket: &Ticket, triggered: &str) -> Vec<(&'static str, String)> {
    vec![
        ("ticket.id", ticket.id.to_string()),
        ("ticket.subject", ticket.subject.clone()),
        ("ticket.description", ticket.description.clone()),
        ("ticket.status", status_name(ticket.status).to_owned()),
        ("ticket.priority", priority_name(ticket.priority).to_owned()),
        (
            "ticket.ticket_type",
            ticket.kind.clone().unwrap_or_default(),
        ),
        ("ticket.tags", ticket.tags.join(",")),
        (
            "ticket.url",
            format!(
                "https://{domain}.freshdesk.com/helpdesk/tickets/{}",
                ticket.id
            ),
        ),
        ("triggered_event", triggered.to_owned()),
    ]
}

/// `template` with each `{{name}}` replaced by its value; unknown names become empty.
fn fill(template: &str, values: &[(&'static str, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = rest[start + 2..start + end].trim();
        if let Some((_, value)) = values.iter().find(|(n, _)| *n == name) {
            out.push_str(value);
        }
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

fn body(rule: &FreshdeskAutomation, values: &[(&'static str, String)]) -> String {
    if let Some(template) = &rule.body {
        return fill(template, values);
    }
    let value = |name: &str| {
        values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    json!({"freshdesk_webhook": {
        "ticket_id": value("ticket.id"),
        "ticket_subject": value("ticket.subject"),
        "ticket_status": value("ticket.status"),
        "ticket_priority": value("ticket.priority"),
        "ticket_url": value("ticket.url"),
        "triggered_event": value("triggered_event"),
    }})
    .to_string()
}

/// `Content-Type: application/json` (the rule's content type), unless the rule sets its
/// own, then the rule's headers as they are.
fn headers(rule: &FreshdeskAutomation) -> Vec<(String, String)> {
    let own_type = rule
        .headers
        .keys()
        .any(|name| name.eq_ignore_ascii_case("content-type"));
    let json = ("Content-Type".to_owned(), "application/json".to_owned());
    (!own_type)
        .then_some(json)
        .into_iter()
        .chain(rule.headers.clone())
        .collect()
}

/// Runs the rules `trigger` concerns for `ticket` (as it is after the change).
pub(crate) fn fire(ctx: &Ctx, ticket: &Ticket, trigger: Trigger) {
    let event = trigger.event();
    let rules = lock(&ctx.account.automations).running_on(event);
    if rules.is_empty() {
        return;
    }
    let domain = &ctx.account.config.domain;
    let values = placeholders(domain, ticket, &trigger.describe(ticket));
    for (id, rule) in rules {
        let now = ctx.clock.now();
        let spent = lock(&ctx.account.credits).spend_one(now);
        {
            let mut usage = lock(&ctx.account.usage);
            usage.automation_webhooks += 1;
            usage.credits_used += u64::from(spent);
        }
        let outgoing = Outgoing {
            headers: headers(&rule),
            body: body(&rule, &values),
        };
        ctx.outbound.send(Message {
            vendor: "freshdesk",
            account: domain.clone(),
            target: format!("automation:{id}"),
            event: event.as_str().to_owned(),
            url: rule.url.clone(),
            timeout: TIMEOUT,
            attempt: Box::new(move |_| outgoing.clone()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn placeholders_are_put_in_as_text_and_unknown_ones_vanish() {
        let values = vec![
            ("ticket.id", "7".to_owned()),
            ("triggered_event", "{x:y}".to_owned()),
        ];
        assert_eq!(
            fill(
                r#"{"id": {{ticket.id}}, "e": "{{ triggered_event }}", "n": "{{nope}}"}"#,
                &values
            ),
            r#"{"id": 7, "e": "{x:y}", "n": ""}"#
        );
        assert_eq!(fill("open {{ticket.id", &values), "open {{ticket.id");
    }
}
