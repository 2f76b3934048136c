//! Zendesk JSON → deskgate's model. Every enum mapping is total: a value Zendesk adds later
//! maps to the nearest category and survives in the `raw_*` field beside it.

use chrono::{DateTime, Utc};
use deskgate_core::model::{
    Account, Attachment, Channel, Comment, Contact, CustomField, Priority, Tag, Team, Ticket,
    TicketStatus, TicketType, User,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::wire::{
    WireAttachment, WireChannel, WireComment, WireGroup, WireOrganization, WireTag, WireTicket,
    WireUser,
};

/// What mapping needs besides the record: where the agent interface lives, and whether the
/// caller asked for the raw record.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MapContext<'a> {
    /// `https://{subdomain}.zendesk.com`.
    pub(crate) web_root: &'a str,
    pub(crate) include_remote_data: bool,
}

/// `status` (the category when custom statuses are on) → [`TicketStatus`]. `deleted` only
/// appears in incremental exports. Anything else is treated as open work.
pub(crate) fn status(raw: &str) -> TicketStatus {
    match raw {
        "new" => TicketStatus::New,
        "open" => TicketStatus::Open,
        "pending" => TicketStatus::Pending,
        "hold" => TicketStatus::OnHold,
        "solved" => TicketStatus::Solved,
        "closed" | "deleted" => TicketStatus::Closed,
        _ => TicketStatus::Open,
    }
}

/// The reverse of [`status`], for writes.
pub(crate) fn status_name(status: TicketStatus) -> &'static str {
    match status {
        TicketStatus::New => "new",
        TicketStatus::Open => "open",
        TicketStatus::Pending => "pending",
        TicketStatus::OnHold => "hold",
        TicketStatus::Solved => "solved",
        TicketStatus::Closed => "closed",
    }
}

pub(crate) fn priority(raw: &str) -> Option<Priority> {
    match raw {
        "low" => Some(Priority::Low),
        "normal" => Some(Priority::Normal),
        "high" => Some(Priority::High),
        "urgent" => Some(Priority::Urgent),
        _ => None,
    }
}

pub(crate) fn priority_name(priority: Priority) -> &'static str {
    match priority {
        Priority::Low => "low",
        Priority::Normal => "normal",
        Priority::High => "high",
        Priority::Urgent => "urgent",
    }
}

pub(crate) fn ticket_type(raw: &str) -> Option<TicketType> {
    match raw {
        "question" => Some(TicketType::Question),
        "incident" => Some(TicketType::Incident),
        "problem" => Some(TicketType::Problem),
        "task" => Some(TicketType::Task),
        _ => None,
    }
}

pub(crate) fn ticket_type_name(kind: TicketType) -> &'static str {
    match kind {
        TicketType::Question => "question",
        TicketType::Incident => "incident",
        TicketType::Problem => "problem",
        TicketType::Task => "task",
    }
}

/// `via.channel` names, as Zendesk's via object reference lists them.
pub(crate) fn channel_by_name(name: &str) -> Channel {
    match name {
        "email" | "mail" => Channel::Email,
        "web" | "web_form" | "mobile" | "help_center" | "web_widget" | "feedback_tab"
        | "get_satisfaction" | "forum" | "topic" => Channel::Web,
        "chat"
        | "chat_transcript"
        | "native_messaging"
        | "messaging"
        | "web_messaging"
        | "sunshine_conversations_api" => Channel::Chat,
        "voice"
        | "phone"
        | "voicemail"
        | "phone_call_inbound"
        | "phone_call_outbound"
        | "api_voicemail"
        | "api_phone_call_inbound"
        | "api_phone_call_outbound"
        | "sms" => Channel::Phone,
        "api" | "mobile_sdk" | "any_channel" | "sunshine_conversations_twitter_dm" => Channel::Api,
        "twitter"
        | "twitter_dm"
        | "twitter_favorite"
        | "twitter_like"
        | "facebook"
        | "facebook_post"
        | "facebook_message"
        | "facebook_messenger"
        | "messenger"
        | "instagram_dm"
        | "whatsapp"
        | "line"
        | "wechat"
        | "telegram"
        | "viber"
        | "google_rcs"
        | "google_business_messages"
        | "apple_business_chat"
        | "kakaotalk" => Channel::Social,
        _ => Channel::Other,
    }
}

/// Numeric via ids (Zendesk's via types reference), for `via.channel` sent as an integer.
pub(crate) fn channel_by_id(id: i64) -> Channel {
    match id {
        4 => Channel::Email,
        0 | 16 | 17 | 50 => Channel::Web,
        29 => Channel::Chat,
        33 | 34 | 35 | 36 | 44 | 45 | 46 | 57 => Channel::Phone,
        5 | 48 | 55 => Channel::Api,
        23 | 26 | 30 | 38 | 41 => Channel::Social,
        _ => Channel::Other,
    }
}

fn channel(via: Option<&WireChannel>) -> (Channel, Option<String>) {
    match via {
        Some(WireChannel::Name(name)) => (channel_by_name(name), Some(name.clone())),
        Some(WireChannel::Id(id)) => (channel_by_id(*id), Some(id.to_string())),
        Some(WireChannel::Other(value)) if !value.is_null() => {
            (Channel::Other, Some(value.to_string()))
        }
        _ => (Channel::Other, None),
    }
}

fn parse<T: DeserializeOwned>(raw: &Value, what: &str) -> Result<T, String> {
    T::deserialize(raw).map_err(|e| format!("a zendesk {what} could not be read: {e}"))
}

fn remote(raw: Value, ctx: MapContext<'_>) -> Option<Value> {
    ctx.include_remote_data.then_some(raw)
}

fn id<T: From<String>>(id: Option<crate::wire::WireId>) -> Option<T> {
    id.map(|i| T::from(i.0))
}

pub(crate) fn ticket(raw: Value, ctx: MapContext<'_>) -> Result<Ticket, String> {
    let w: WireTicket = parse(&raw, "ticket")?;
    ticket_from_wire(w, remote(raw, ctx), ctx)
}

/// A ticket already read into its wire type; `remote_data` is the raw record, when the
/// caller asked for it.
pub(crate) fn ticket_from_wire(
    w: WireTicket,
    remote_data: Option<Value>,
    ctx: MapContext<'_>,
) -> Result<Ticket, String> {
    let raw_status = w.status.as_deref().map(|s| match &w.custom_status_id {
        Some(custom) => [s, ":", &custom.0].concat(),
        None => s.to_owned(),
    });
    let (channel, raw_channel) = channel(w.via.as_ref().and_then(|v| v.channel.as_ref()));
    let cc = if w.email_cc_ids.is_empty() {
        w.collaborator_ids
    } else {
        w.email_cc_ids
    };
    Ok(Ticket {
        url: Some([ctx.web_root, "/agent/tickets/", &w.id.0].concat()),
        id: w.id.0.into(),
        subject: w.subject.or(w.raw_subject),
        description: w.description,
        status: w.status.as_deref().map_or(TicketStatus::Open, status),
        raw_status,
        priority: w.priority.as_deref().and_then(priority),
        raw_priority: w.priority,
        ticket_type: w.ticket_type.as_deref().and_then(ticket_type),
        raw_type: w.ticket_type,
        channel,
        raw_channel,
        requester_id: id(w.requester_id),
        submitter_id: id(w.submitter_id),
        assignee_id: id(w.assignee_id),
        team_id: id(w.group_id),
        account_id: id(w.organization_id),
        cc_ids: cc.into_iter().map(|i| i.0.into()).collect(),
        tags: w.tags,
        due_at: w.due_at,
        // Both are optional in `TicketObject`: a ticket that leaves one out is still read,
        // with `null` there.
        created_at: w.created_at,
        updated_at: w.updated_at,
        // Zendesk keeps the solve time in ticket metrics, not on the ticket.
        solved_at: None,
        custom_fields: w
            .custom_fields
            .into_iter()
            .map(|f| CustomField {
                id: f.id.0,
                name: None,
                value: f.value,
            })
            .collect(),
        remote_data,
    })
}

pub(crate) fn attachment(w: WireAttachment) -> Attachment {
    Attachment {
        id: w.id.0.into(),
        file_name: w.file_name.unwrap_or_default(),
        content_type: w.content_type,
        size: w.size,
        url: w.content_url,
    }
}

/// A comment from a comment list, or a `Comment` event of a write's audit (which carries
/// no `created_at` of its own: `fallback_created_at` is the audit's).
pub(crate) fn comment(
    raw: Value,
    ticket_id: &str,
    fallback_created_at: Option<DateTime<Utc>>,
    ctx: MapContext<'_>,
) -> Result<Comment, String> {
    let w: WireComment = parse(&raw, "comment")?;
    // Optional in `TicketCommentObject`: a comment without it (and outside an audit) has
    // `null` there rather than failing its list.
    let created_at = w.created_at.or(fallback_created_at);
    Ok(Comment {
        id: w.id.0.into(),
        ticket_id: ticket_id.into(),
        author_id: w.author_id.map(|a| a.0),
        // A comment does not say whether its author is an agent or an end user.
        author_kind: None,
        body: w.plain_body.or(w.body).unwrap_or_default(),
        html_body: w.html_body,
        public: w.public.unwrap_or(true),
        created_at,
        attachments: w.attachments.into_iter().map(attachment).collect(),
        remote_data: remote(raw, ctx),
    })
}

fn user_id(w: &WireUser) -> Result<String, String> {
    w.id.as_ref()
        .map(|i| i.0.clone())
        .ok_or_else(|| "a zendesk user has no id".to_owned())
}

/// Whether a Zendesk role is staff (`agent`, `admin`) rather than an end user.
pub(crate) fn is_staff(role: Option<&str>) -> bool {
    matches!(role, Some("agent" | "admin"))
}

/// Whether a Zendesk role proves the user is an end user (`end-user`). An absent or `null`
/// role proves nothing either way: `role` is optional in Zendesk's `UserObject` (only `name`
/// is required, and the vendor's own user example leaves `role` out).
pub(crate) fn is_end_user(role: Option<&str>) -> bool {
    role == Some("end-user")
}

pub(crate) fn user(raw: Value, ctx: MapContext<'_>) -> Result<User, String> {
    let w: WireUser = parse(&raw, "user")?;
    Ok(User {
        id: user_id(&w)?.into(),
        name: w.name,
        email: w.email,
        role: w.role,
        active: w.active.unwrap_or(true) && !w.suspended.unwrap_or(false),
        // Group memberships need another call; the default group is on the user.
        team_ids: id(w.default_group_id).into_iter().collect(),
        remote_data: remote(raw, ctx),
    })
}

pub(crate) fn contact(raw: Value, ctx: MapContext<'_>) -> Result<Contact, String> {
    let w: WireUser = parse(&raw, "user")?;
    Ok(Contact {
        id: user_id(&w)?.into(),
        name: w.name,
        email: w.email,
        phone: w.phone,
        account_id: id(w.organization_id),
        remote_data: remote(raw, ctx),
    })
}

pub(crate) fn account(raw: Value, ctx: MapContext<'_>) -> Result<Account, String> {
    let w: WireOrganization = parse(&raw, "organization")?;
    Ok(Account {
        id: w.id.0.into(),
        name: w.name.unwrap_or_default(),
        domains: w.domain_names,
        remote_data: remote(raw, ctx),
    })
}

pub(crate) fn team(raw: Value, ctx: MapContext<'_>) -> Result<Team, String> {
    let w: WireGroup = parse(&raw, "group")?;
    Ok(Team {
        id: w.id.0.into(),
        name: w.name.unwrap_or_default(),
        remote_data: remote(raw, ctx),
    })
}

pub(crate) fn tag(raw: &Value) -> Result<Tag, String> {
    let w: WireTag = parse(raw, "tag")?;
    Ok(Tag { name: w.name })
}

#[cfg(test)]
#[path = "map_tests.rs"]
mod tests;
