//! Intercom's records → deskgate's model.
//!
//! - Status: `ticket_state.category` `submitted/in_progress/waiting_on_customer/resolved` →
//!   `new/open/pending/solved`; a ticket that is no longer `open` is `closed`, whatever its
//!   category (Intercom closes resolved tickets; a closed ticket in another state is still
//!   closed in the inbox). An unknown or missing category is `open`, never an error. The
//!   workspace's own label for the state (`internal_label`) is kept as `raw_status`.
//! - Times are UNIX seconds, turned into UTC instants; a ticket or part without a readable
//!   `created_at` or `updated_at` (the 2.16 document requires neither) has `null` there.
//! - Title and description are the `_default_title_` and `_default_description_` ticket
//!   attributes; every other attribute is a custom field keyed by its name.
//! - `id` is the API id; the inbox number (`ticket_id`) is never used as an id.
//! - `0` assignees mean nobody.
//! - Ticket category `Tracker` is a `problem`, `Back-office` a `task`, `Customer` has no
//!   type of ours; the category is kept as `raw_type`.
//! - Intercom 2.16 tickets carry no tags, priority, channel or due date: those are empty.

use chrono::{DateTime, Utc};
use deskgate_core::model::{
    Account, Attachment, AuthorKind, Channel, Comment, Contact, CustomField, Team, Ticket,
    TicketStatus, TicketType, User,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::html::to_text;
use crate::wire::{
    WireAdmin, WireCompany, WireContact, WirePart, WireTag, WireTeam, WireTicket, WireTicketState,
};

/// The ticket attributes that are the title and the description.
pub(crate) const TITLE: &str = "_default_title_";
pub(crate) const DESCRIPTION: &str = "_default_description_";

/// The part types that are messages on a ticket (the others record state changes,
/// assignments and attribute updates).
pub(crate) const MESSAGE_PARTS: [&str; 3] = ["comment", "note", "quick_reply"];

fn read<T: DeserializeOwned>(raw: &Value, what: &str) -> Result<T, String> {
    T::deserialize(raw).map_err(|e| format!("an intercom {what} could not be read: {e}"))
}

/// The raw record, only when the caller asked for it.
fn remote(raw: Value, include: bool) -> Option<Value> {
    include.then_some(raw)
}

/// A UNIX time in seconds as an instant; `None` outside chrono's range.
pub(crate) fn instant(seconds: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
}

/// The status of a ticket state category and `open` flag.
pub(crate) fn status(category: Option<&str>, open: Option<bool>) -> TicketStatus {
    if open == Some(false) {
        return TicketStatus::Closed;
    }
    match category {
        Some("submitted") => TicketStatus::New,
        Some("in_progress") => TicketStatus::Open,
        Some("waiting_on_customer") => TicketStatus::Pending,
        Some("resolved") => TicketStatus::Solved,
        _ => TicketStatus::Open,
    }
}

/// The workspace's label for a state, else its category.
fn raw_status(state: &WireTicketState) -> Option<String> {
    state
        .internal_label
        .clone()
        .or_else(|| state.external_label.clone())
        .or_else(|| state.category.clone())
        .filter(|s| !s.is_empty())
}

/// The ticket type of ours for an Intercom ticket category.
pub(crate) fn ticket_type(category: &str) -> Option<TicketType> {
    match category {
        "Tracker" => Some(TicketType::Problem),
        "Back-office" => Some(TicketType::Task),
        _ => None,
    }
}

/// The status of a raw ticket record, for emulated status filters.
pub(crate) fn raw_ticket_status(raw: &Value) -> TicketStatus {
    status(
        raw.pointer("/ticket_state/category")
            .and_then(Value::as_str),
        raw.get("open").and_then(Value::as_bool),
    )
}

fn text_attribute(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
}

pub(crate) fn ticket(raw: Value, remote_data: bool) -> Result<Ticket, String> {
    let t: WireTicket = read(&raw, "ticket")?;
    ticket_from_wire(t, remote(raw, remote_data))
}

pub(crate) fn ticket_from_wire(
    t: WireTicket,
    remote_data: Option<Value>,
) -> Result<Ticket, String> {
    // Both are optional in the 2.16 `ticket` schema: a ticket that leaves one out (or sends
    // what is not a UNIX time) is still read, with `null` there.
    let created_at = t.created_at.and_then(instant);
    let updated_at = t.updated_at.and_then(instant);
    let state = t.ticket_state.unwrap_or_default();
    let attributes = t.ticket_attributes.unwrap_or_default();
    let mut custom_fields: Vec<CustomField> = attributes
        .iter()
        .filter(|(name, _)| *name != TITLE && *name != DESCRIPTION)
        .map(|(name, value)| CustomField {
            id: name.clone(),
            name: None,
            value: value.clone(),
        })
        .collect();
    custom_fields.sort_by(|a, b| a.id.cmp(&b.id));
    let mut contacts = t
        .contacts
        .unwrap_or_default()
        .contacts
        .into_iter()
        .filter_map(|c| c.id)
        .map(|id| id.0.into());
    let requester_id = contacts.next();
    let category = t
        .category
        .or_else(|| t.ticket_type.as_ref().and_then(|ty| ty.category.clone()));
    Ok(Ticket {
        id: t.id.0.into(),
        subject: text_attribute(attributes.get(TITLE)),
        description: text_attribute(attributes.get(DESCRIPTION)),
        status: status(state.category.as_deref(), t.open),
        raw_status: raw_status(&state),
        priority: None,
        raw_priority: None,
        ticket_type: category.as_deref().and_then(ticket_type),
        raw_type: category,
        channel: Channel::Other,
        raw_channel: None,
        requester_id,
        submitter_id: None,
        assignee_id: t
            .admin_assignee_id
            .and_then(|id| id.assigned())
            .map(Into::into),
        team_id: t
            .team_assignee_id
            .and_then(|id| id.assigned())
            .map(Into::into),
        account_id: None,
        cc_ids: contacts.collect(),
        tags: Vec::new(),
        due_at: None,
        created_at,
        updated_at,
        solved_at: None,
        url: None,
        custom_fields,
        remote_data,
    })
}

/// Whether a raw ticket part is a message (a reply or a note), not a state change.
pub(crate) fn is_message(raw: &Value) -> bool {
    raw.get("part_type")
        .and_then(Value::as_str)
        .is_some_and(|kind| MESSAGE_PARTS.contains(&kind))
}

/// A ticket part (or a reply's answer) as a comment on `ticket_id`. Notes are private;
/// admins, bots and teams are users, `user` authors are contacts.
pub(crate) fn comment(raw: Value, ticket_id: &str, remote_data: bool) -> Result<Comment, String> {
    let p: WirePart = read(&raw, "ticket part")?;
    // Optional in `ticket_part`, as on a ticket.
    let created_at = p.created_at.and_then(instant);
    let (author_id, author_kind) = match p.author {
        Some(author) => {
            let kind = match author.kind.as_deref() {
                Some("user" | "lead" | "contact") => Some(AuthorKind::Contact),
                Some(_) => Some(AuthorKind::User),
                None => None,
            };
            (author.id.map(|id| id.0), kind)
        }
        None => (None, None),
    };
    let part_id = p.id.0;
    let attachments = p
        .attachments
        .into_iter()
        .enumerate()
        .map(|(n, a)| Attachment {
            // Intercom's attachments have no id: the part's id and the file's position.
            id: format!("{part_id}-{n}").into(),
            file_name: a.name.unwrap_or_else(|| format!("attachment-{n}")),
            content_type: a.content_type,
            size: a.filesize,
            url: a.url,
        })
        .collect();
    let html = p.body.filter(|b| !b.is_empty());
    Ok(Comment {
        id: part_id.into(),
        ticket_id: ticket_id.to_owned().into(),
        author_id,
        author_kind,
        body: html.as_deref().map(to_text).unwrap_or_default(),
        html_body: html,
        public: p.part_type.as_deref() != Some("note"),
        created_at,
        attachments,
        remote_data: remote(raw, remote_data),
    })
}

/// An admin (teammate). Listed admins are current teammates, so all are active; the role is
/// the admin's role name, else the job title.
pub(crate) fn user(raw: Value, remote_data: bool) -> Result<User, String> {
    let a: WireAdmin = read(&raw, "admin")?;
    Ok(User {
        id: a.id.0.into(),
        name: a.name,
        email: a.email,
        role: a
            .role
            .and_then(|r| r.name)
            .or(a.job_title)
            .filter(|r| !r.is_empty()),
        active: true,
        team_ids: a.team_ids.into_iter().map(|t| t.0.into()).collect(),
        remote_data: remote(raw, remote_data),
    })
}

/// A contact (user or lead); its account is its first company.
pub(crate) fn contact(raw: Value, remote_data: bool) -> Result<Contact, String> {
    let c: WireContact = read(&raw, "contact")?;
    Ok(Contact {
        id: c.id.0.into(),
        name: c.name.filter(|s| !s.is_empty()),
        email: c.email.filter(|s| !s.is_empty()),
        phone: c.phone.filter(|s| !s.is_empty()),
        account_id: c
            .companies
            .unwrap_or_default()
            .data
            .into_iter()
            .find_map(|r| r.id)
            .map(|id| id.0.into()),
        remote_data: remote(raw, remote_data),
    })
}

/// The host of a company's website, its one domain.
pub(crate) fn website_domain(website: &str) -> Option<String> {
    let website = website.trim();
    if website.is_empty() {
        return None;
    }
    let url = url::Url::parse(website)
        .or_else(|_| url::Url::parse(&format!("https://{website}")))
        .ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.trim_start_matches("www.").to_owned();
    (!host.is_empty()).then_some(host)
}

/// A company. Intercom has no domain list: the website's host is the one domain.
pub(crate) fn account(raw: Value, remote_data: bool) -> Result<Account, String> {
    let c: WireCompany = read(&raw, "company")?;
    Ok(Account {
        name: c.name.unwrap_or_default(),
        id: c.id.0.into(),
        domains: c
            .website
            .as_deref()
            .and_then(website_domain)
            .into_iter()
            .collect(),
        remote_data: remote(raw, remote_data),
    })
}

pub(crate) fn team(raw: Value, remote_data: bool) -> Result<Team, String> {
    let t: WireTeam = read(&raw, "team")?;
    Ok(Team {
        name: t.name.unwrap_or_default(),
        id: t.id.0.into(),
        remote_data: remote(raw, remote_data),
    })
}

/// A tag with a name, read from a raw record; nameless tags are skipped by callers.
pub(crate) fn wire_tag(raw: &Value) -> Result<WireTag, String> {
    read(raw, "tag")
}

#[cfg(test)]
#[path = "map_tests.rs"]
pub(crate) mod map_tests;
