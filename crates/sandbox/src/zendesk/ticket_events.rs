//! Which `zen:event-type:ticket.*` events a ticket write produces, with the ticket's
//! `detail` object and each event's `event` object, in the shapes of Zendesk's ticket
//! event reference: ids as strings, `status`/`priority`/`type` in capitals (`OPEN`), the
//! API's `api` channel as `web_service`.
//!
//! A creation is `ticket.created` alone (its first comment is the description); an update
//! produces one event per changed property and `comment_added` for a new comment; a
//! delete is `soft_deleted`. Changes the reference has no event for (CCs, followers,
//! collaborators) produce none.

use serde_json::{Value, json};

use super::account::Data;
use super::records::{Channel, Comment, Ticket};
use crate::timestamp::timestamp;

/// What a write did to a ticket.
#[derive(Debug)]
pub(crate) struct Change<'a> {
    /// The ticket before the write (`None` for a creation).
    pub(crate) before: Option<&'a Ticket>,
    pub(crate) after: &'a Ticket,
    pub(crate) comment: Option<&'a Comment>,
    pub(crate) deleted: bool,
    /// Who made the change.
    pub(crate) actor: u64,
}

impl<'a> Change<'a> {
    pub(crate) fn created(ticket: &'a Ticket, actor: u64) -> Self {
        Self {
            before: None,
            after: ticket,
            comment: None,
            deleted: false,
            actor,
        }
    }

    pub(crate) fn updated(
        before: &'a Ticket,
        after: &'a Ticket,
        comment: Option<&'a Comment>,
        actor: u64,
    ) -> Self {
        Self {
            before: Some(before),
            after,
            comment,
            deleted: false,
            actor,
        }
    }

    /// `ticket` as it was when deleted.
    pub(crate) fn deleted(ticket: &'a Ticket, actor: u64) -> Self {
        Self {
            before: None,
            after: ticket,
            comment: None,
            deleted: true,
            actor,
        }
    }
}

/// One event about a ticket, before it gets its envelope.
#[derive(Debug, Clone)]
pub(crate) struct TicketEvent {
    /// `zen:event-type:ticket.status_changed`, ….
    pub(crate) event_type: String,
    pub(crate) ticket_id: u64,
    pub(crate) detail: Value,
    /// The event-specific part of `event` (`meta` is added when sending).
    pub(crate) event: Value,
}

fn id(value: Option<u64>) -> Value {
    value.map_or(Value::Null, |v| json!(v.to_string()))
}

fn upper(value: Option<&str>) -> Value {
    value.map_or(Value::Null, |v| json!(v.to_uppercase()))
}

fn status(ticket: &Ticket, deleted: bool) -> Value {
    if deleted {
        json!("DELETED")
    } else {
        upper(Some(ticket.status.as_str()))
    }
}

fn channel(channel: &Channel) -> String {
    match channel {
        Channel::Name("api") => "web_service".to_owned(),
        Channel::Name(name) => (*name).to_owned(),
        Channel::Id(id) => id.to_string(),
    }
}

/// The `detail` object of a ticket event.
fn detail(ticket: &Ticket, actor: u64, deleted: bool) -> Value {
    json!({
        "actor_id": actor.to_string(),
        "assignee_id": id(ticket.assignee_id),
        "brand_id": ticket.brand_id.to_string(),
        "created_at": timestamp(ticket.created_at),
        "custom_status": ticket.status.custom_status_id().to_string(),
        "description": ticket.description,
        "external_id": ticket.external_id,
        "form_id": null,
        "group_id": id(ticket.group_id),
        "id": ticket.id.to_string(),
        "is_public": ticket.is_public,
        "organization_id": id(ticket.organization_id),
        "priority": upper(ticket.priority.map(|p| p.as_str())),
        "requester_id": ticket.requester_id.to_string(),
        "status": status(ticket, deleted),
        "subject": ticket.subject,
        "submitter_id": ticket.submitter_id.to_string(),
        "tags": ticket.tags,
        "type": upper(ticket.kind.map(|k| k.as_str())),
        "updated_at": timestamp(ticket.updated_at),
        "via": {"channel": channel(&ticket.channel)},
    })
}

/// A ticket property as its `*_changed` event shows it.
type Reading = fn(&Ticket) -> Value;

/// Each property that has a `*_changed` event, with how the event shows its value.
const PROPERTIES: [(&str, Reading); 12] = [
    ("status_changed", |t| status(t, false)),
    ("custom_status_changed", |t| {
        json!(t.status.custom_status_id().to_string())
    }),
    ("priority_changed", |t| {
        upper(t.priority.map(|p| p.as_str()))
    }),
    ("type_changed", |t| upper(t.kind.map(|k| k.as_str()))),
    ("subject_changed", |t| json!(t.subject)),
    ("agent_assignment_changed", |t| id(t.assignee_id)),
    ("group_assignment_changed", |t| id(t.group_id)),
    ("organization_changed", |t| id(t.organization_id)),
    ("requester_changed", |t| json!(t.requester_id.to_string())),
    ("tags_changed", |t| json!(t.tags)),
    ("external_id_changed", |t| json!(t.external_id)),
    ("task_due_at_changed", |t| {
        t.due_at.map_or(Value::Null, timestamp)
    }),
];

/// `(name, previous, current)` of every property the write changed that has an event.
fn changed(before: &Ticket, after: &Ticket) -> Vec<(&'static str, Value, Value)> {
    PROPERTIES
        .iter()
        .filter_map(|(name, read)| {
            let (old, new) = (read(before), read(after));
            (old != new).then_some((*name, old, new))
        })
        .collect()
}

/// Custom fields whose value changed: `(field id, previous, current)`.
fn custom_fields(before: &Ticket, after: &Ticket) -> Vec<(u64, Value, Value)> {
    after
        .custom_fields
        .iter()
        .filter_map(|field| {
            let old = before
                .custom_fields
                .iter()
                .find(|f| f.id == field.id)
                .map_or(Value::Null, |f| f.value.clone());
            (old != field.value).then(|| (field.id, old, field.value.clone()))
        })
        .collect()
}

fn comment_event(data: &Data, comment: &Comment) -> Value {
    let author = data.user(comment.author_id);
    json!({
        "comment": {
            "id": comment.id.to_string(),
            "body": comment.body,
            "is_public": comment.public,
            "author": {
                "id": comment.author_id.to_string(),
                "is_staff": author.as_ref().is_some_and(|u| u.role.is_staff()),
                "name": author.map(|u| u.name),
            },
        },
    })
}

/// The events of a write, in the order Zendesk's sequence would list them.
pub(crate) fn of(data: &Data, change: &Change<'_>) -> Vec<TicketEvent> {
    let ticket = change.after;
    let make = |name: &str, event: Value| TicketEvent {
        event_type: format!("zen:event-type:ticket.{name}"),
        ticket_id: ticket.id,
        detail: detail(ticket, change.actor, change.deleted),
        event,
    };
    if change.deleted {
        return vec![make("soft_deleted", json!({}))];
    }
    let Some(before) = change.before else {
        return vec![make("created", json!({}))];
    };
    let mut events: Vec<TicketEvent> = changed(before, ticket)
        .into_iter()
        .map(|(name, previous, current)| {
            make(name, json!({"current": current, "previous": previous}))
        })
        .collect();
    events.extend(
        custom_fields(before, ticket)
            .into_iter()
            .map(|(field, previous, current)| {
                make(
                    "custom_field_changed",
                    json!({"current": current, "previous": previous, "custom_field": {"id": field.to_string()}}),
                )
            }),
    );
    if let Some(comment) = change.comment {
        events.push(make("comment_added", comment_event(data, comment)));
    }
    events
}
