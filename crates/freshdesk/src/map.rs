//! Freshdesk JSON → deskgate's model. Every table is total: a value Freshdesk adds later
//! (a custom status, a new source) maps to the nearest category and survives as text in
//! the `raw_*` field beside it.

use deskgate_core::model::{
    Account, Attachment, AuthorKind, Channel, Comment, Contact, CustomField, Priority, Team,
    Ticket, TicketStatus, TicketType, User,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::domain::FreshdeskDomain;
use crate::wire::{
    WireAgent, WireAttachment, WireCompany, WireContact, WireConversation, WireGroup, WireId,
    WireTicket,
};

/// `status`: 2 Open, 3 Pending, 4 Resolved, 5 Closed. Any other id is a custom status an
/// admin added; Freshdesk's own resolved and closed states are fixed, so a custom status is
/// work still in progress and maps to `open` (its id stays in `raw_status`).
pub(crate) fn status(code: i64) -> TicketStatus {
    match code {
        3 => TicketStatus::Pending,
        4 => TicketStatus::Solved,
        5 => TicketStatus::Closed,
        _ => TicketStatus::Open,
    }
}

/// `priority`: 1 Low, 2 Medium, 3 High, 4 Urgent.
pub(crate) fn priority(code: i64) -> Option<Priority> {
    match code {
        1 => Some(Priority::Low),
        2 => Some(Priority::Normal),
        3 => Some(Priority::High),
        4 => Some(Priority::Urgent),
        _ => None,
    }
}

/// `source`: 1 Email, 2 Portal, 3 Phone, 7 Chat, 9 Feedback widget, 10 Outbound email.
pub(crate) fn channel(code: i64) -> Channel {
    match code {
        1 | 10 => Channel::Email,
        2 | 9 => Channel::Web,
        3 => Channel::Phone,
        7 => Channel::Chat,
        _ => Channel::Other,
    }
}

/// `type` is free text from the account's Type field; only the names that are ours map.
pub(crate) fn ticket_type(name: &str) -> Option<TicketType> {
    match name {
        "Question" => Some(TicketType::Question),
        "Incident" => Some(TicketType::Incident),
        "Problem" => Some(TicketType::Problem),
        "Task" => Some(TicketType::Task),
        _ => None,
    }
}

fn id<T: From<String>>(id: Option<WireId>) -> Option<T> {
    id.map(|id| T::from(id.0))
}

fn read<T: DeserializeOwned>(raw: &Value, what: &str) -> Result<T, String> {
    T::deserialize(raw).map_err(|e| format!("a freshdesk {what} could not be read: {e}"))
}

/// The raw record, only when the caller asked for it.
fn remote(raw: Value, include: bool) -> Option<Value> {
    include.then_some(raw)
}

/// A ticket; its `url` is on `domain`.
pub(crate) fn ticket(
    raw: Value,
    domain: &FreshdeskDomain,
    remote_data: bool,
) -> Result<Ticket, String> {
    let t: WireTicket = read(&raw, "ticket")?;
    Ok(ticket_from_wire(t, domain, remote(raw, remote_data)))
}

/// A ticket read straight into its wire type (no `Value` tree: unfiltered lists), with the
/// raw record when the caller asked for it.
pub(crate) fn ticket_from_wire(
    t: WireTicket,
    domain: &FreshdeskDomain,
    remote_data: Option<Value>,
) -> Ticket {
    let stats = t.stats.unwrap_or_default();
    let status_code = t.status.unwrap_or(2);
    let status = status(status_code);
    let solved_at = match status {
        TicketStatus::Solved | TicketStatus::Closed => stats.resolved_at.or(stats.closed_at),
        _ => None,
    };
    let mut custom_fields: Vec<CustomField> = t
        .custom_fields
        .unwrap_or_default()
        .into_iter()
        .map(|(id, value)| CustomField {
            id,
            name: None,
            value,
        })
        .collect();
    custom_fields.sort_by(|a, b| a.id.cmp(&b.id));
    Ticket {
        url: Some(domain.ticket_url(&t.id.0)),
        id: t.id.0.into(),
        subject: t.subject,
        description: t.description_text,
        status,
        raw_status: Some(status_code.to_string()),
        priority: t.priority.and_then(priority),
        raw_priority: t.priority.map(|p| p.to_string()),
        ticket_type: t.ticket_type.as_deref().and_then(ticket_type),
        raw_type: t.ticket_type,
        channel: t.source.map_or(Channel::Other, channel),
        raw_channel: t.source.map(|s| s.to_string()),
        requester_id: id(t.requester_id),
        submitter_id: None,
        assignee_id: id(t.responder_id),
        team_id: id(t.group_id),
        account_id: id(t.company_id),
        // Freshdesk names CCs by email address, not by contact id; they are in remote_data.
        cc_ids: Vec::new(),
        tags: t.tags,
        due_at: t.due_by,
        created_at: Some(t.created_at),
        updated_at: Some(t.updated_at),
        solved_at,
        custom_fields,
        remote_data,
    }
}

pub(crate) fn attachment(a: WireAttachment) -> Attachment {
    Attachment {
        file_name: a.name.unwrap_or_else(|| a.id.0.clone()),
        id: a.id.0.into(),
        content_type: a.content_type,
        size: a.file_size,
        url: a.attachment_url,
    }
}

/// A reply or note. `incoming` marks a message from outside (the requester, a contact);
/// everything else was written by an agent. A conversation that does not say whether it is
/// private is private.
pub(crate) fn comment(raw: Value, ticket_id: &str, remote_data: bool) -> Result<Comment, String> {
    let c: WireConversation = read(&raw, "conversation")?;
    Ok(Comment {
        id: c.id.0.into(),
        ticket_id: c
            .ticket_id
            .map_or_else(|| ticket_id.to_owned(), |t| t.0)
            .into(),
        author_kind: c.user_id.as_ref().map(|_| {
            if c.incoming {
                AuthorKind::Contact
            } else {
                AuthorKind::User
            }
        }),
        author_id: c.user_id.map(|u| u.0),
        body: c.body_text.unwrap_or_default(),
        html_body: c.body,
        // Only a conversation that says it is not private is public: one that does not say
        // (absent or `null`) is treated as a note, since showing a note as a reply would
        // expose it, while the reverse only hides a reply.
        public: c.private == Some(false),
        created_at: Some(c.created_at),
        attachments: c.attachments.into_iter().map(attachment).collect(),
        remote_data: remote(raw, remote_data),
    })
}

/// An agent: name, email and active state come from its `contact`; `role` is the agent
/// type (`support_agent`, `field_agent`, …).
pub(crate) fn user(raw: Value, remote_data: bool) -> Result<User, String> {
    let a: WireAgent = read(&raw, "agent")?;
    Ok(User {
        id: a.id.0.into(),
        name: a.contact.name,
        email: a.contact.email,
        role: a.agent_type,
        active: a.contact.active.unwrap_or(true),
        team_ids: a.group_ids.into_iter().map(|g| g.0.into()).collect(),
        remote_data: remote(raw, remote_data),
    })
}

pub(crate) fn contact(raw: Value, remote_data: bool) -> Result<Contact, String> {
    let c: WireContact = read(&raw, "contact")?;
    Ok(Contact {
        id: c.id.0.into(),
        name: c.name,
        email: c.email,
        phone: c.phone.or(c.mobile),
        account_id: id(c.company_id),
        remote_data: remote(raw, remote_data),
    })
}

pub(crate) fn account(raw: Value, remote_data: bool) -> Result<Account, String> {
    let c: WireCompany = read(&raw, "company")?;
    Ok(Account {
        name: c.name.unwrap_or_default(),
        id: c.id.0.into(),
        domains: c.domains,
        remote_data: remote(raw, remote_data),
    })
}

pub(crate) fn team(raw: Value, remote_data: bool) -> Result<Team, String> {
    let g: WireGroup = read(&raw, "group")?;
    Ok(Team {
        name: g.name.unwrap_or_default(),
        id: g.id.0.into(),
        remote_data: remote(raw, remote_data),
    })
}

#[cfg(test)]
#[path = "map_tests.rs"]
mod tests;
