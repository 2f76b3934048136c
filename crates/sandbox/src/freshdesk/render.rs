//! Records to Freshdesk's JSON, with the field names of the vendor's samples
//! (`ticket_1.json`, `agent_1.json`, `contact.json`, `company.json`, `group_1.json`,
//! `conversations.json`).

use serde_json::{Value, json};

use super::context::Ctx;
use super::records::{Agent, Attachment, Company, Contact, Conversation, Group, Ticket};
use crate::timestamp::timestamp;

/// The optional parts of a ticket (`include=`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Extras {
    pub(crate) description: bool,
    pub(crate) stats: bool,
}

pub(crate) fn attachment(ctx: &Ctx, a: &Attachment) -> Value {
    json!({
        "id": a.id,
        "content_type": a.content_type,
        "file_size": a.file_size,
        "name": a.name,
        "attachment_url": ctx.url(&format!("/attachments/{}/{}", a.id, a.name)),
        "created_at": timestamp(a.created_at),
        "updated_at": timestamp(a.created_at),
    })
}

pub(crate) fn priority_name(priority: u64) -> &'static str {
    match priority {
        1 => "Low",
        2 => "Medium",
        3 => "High",
        _ => "Urgent",
    }
}

/// The names of the statuses (2 to 5 are Freshdesk's, 6 and 7 the account's custom ones).
pub(crate) fn status_name(status: u64) -> &'static str {
    match status {
        2 => "Open",
        3 => "Pending",
        4 => "Resolved",
        5 => "Closed",
        6 => "Waiting on Customer",
        _ => "Waiting on Third Party",
    }
}

fn stats(t: &Ticket) -> Value {
    let at = |on: bool| {
        if on {
            timestamp(t.updated_at)
        } else {
            Value::Null
        }
    };
    json!({
        "agent_responded_at": at(t.responder_id.is_some()),
        "requester_responded_at": Value::Null,
        "first_responded_at": at(t.responder_id.is_some()),
        "status_updated_at": timestamp(t.updated_at),
        "reopened_at": Value::Null,
        "resolved_at": at(matches!(t.status, 4 | 5)),
        "closed_at": at(t.status == 5),
        "pending_since": at(t.status == 3),
    })
}

pub(crate) fn ticket(ctx: &Ctx, t: &Ticket, extras: Extras) -> Value {
    let mut value = json!({
        "cc_emails": t.cc_emails,
        "fwd_emails": [],
        "reply_cc_emails": t.cc_emails,
        "ticket_cc_emails": t.cc_emails,
        "fr_escalated": false,
        "spam": false,
        "email_config_id": Value::Null,
        "group_id": t.group_id,
        "priority": t.priority,
        "requester_id": t.requester_id,
        "responder_id": t.responder_id,
        "source": t.source,
        "company_id": t.company_id,
        "status": t.status,
        "subject": t.subject,
        "association_type": Value::Null,
        "support_email": Value::Null,
        "to_emails": Value::Null,
        "product_id": Value::Null,
        "id": t.id,
        "type": t.kind,
        "due_by": timestamp(t.due_by),
        "fr_due_by": timestamp(t.fr_due_by),
        "is_escalated": false,
        "custom_fields": t.custom_fields,
        "created_at": timestamp(t.created_at),
        "updated_at": timestamp(t.updated_at),
        "tags": t.tags,
        "attachments": t.attachments.iter().map(|a| attachment(ctx, a)).collect::<Vec<_>>(),
    });
    if extras.description {
        value["description"] = json!(t.description);
        value["description_text"] = json!(t.description_text);
    }
    if extras.stats {
        value["stats"] = stats(t);
    }
    value
}

/// A ticket as the single-record endpoints answer it: with its description and
/// `priority_name`, as in `ticket_1.json`.
pub(crate) fn full_ticket(ctx: &Ctx, t: &Ticket, stats: bool) -> Value {
    let mut value = ticket(
        ctx,
        t,
        Extras {
            description: true,
            stats,
        },
    );
    value["priority_name"] = json!(priority_name(t.priority));
    value
}

/// The short requester object of `include=requester`.
pub(crate) fn requester(c: &Contact) -> Value {
    json!({"id": c.id, "name": c.name, "email": c.email, "mobile": Value::Null, "phone": c.phone})
}

pub(crate) fn contact(c: &Contact) -> Value {
    json!({
        "active": c.active,
        "address": Value::Null,
        "company_id": c.company_id,
        "description": Value::Null,
        "email": c.email,
        "id": c.id,
        "job_title": Value::Null,
        "language": "en",
        "mobile": Value::Null,
        "name": c.name,
        "phone": c.phone,
        "time_zone": c.time_zone,
        "twitter_id": Value::Null,
        "other_emails": [],
        "custom_fields": {},
        "tags": [],
        "created_at": timestamp(c.created_at),
        "updated_at": timestamp(c.updated_at),
    })
}

pub(crate) fn agent(a: &Agent) -> Value {
    json!({
        "available": true,
        "occasional": false,
        "signature": Value::Null,
        "id": a.id,
        "ticket_scope": a.ticket_scope,
        "type": "support_agent",
        "created_at": timestamp(a.created_at),
        "updated_at": timestamp(a.updated_at),
        "available_since": Value::Null,
        "contact": {
            "active": true,
            "email": a.email,
            "job_title": Value::Null,
            "language": "en",
            "last_login_at": timestamp(a.updated_at),
            "mobile": Value::Null,
            "name": a.name,
            "phone": Value::Null,
            "time_zone": a.time_zone,
            "created_at": timestamp(a.created_at),
            "updated_at": timestamp(a.updated_at),
        },
    })
}

pub(crate) fn company(c: &Company) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "description": Value::Null,
        "domains": c.domains,
        "note": Value::Null,
        "custom_fields": {},
        "health_score": Value::Null,
        "account_tier": Value::Null,
        "renewal_date": Value::Null,
        "industry": Value::Null,
        "created_at": timestamp(c.created_at),
        "updated_at": timestamp(c.updated_at),
    })
}

pub(crate) fn group(g: &Group) -> Value {
    json!({
        "id": g.id,
        "name": g.name,
        "description": format!("{} team", g.name),
        "business_hour_id": Value::Null,
        "escalate_to": Value::Null,
        "unassigned_for": Value::Null,
        "agent_ids": g.agent_ids,
        "auto_ticket_assign": false,
        "created_at": timestamp(g.created_at),
        "updated_at": timestamp(g.updated_at),
    })
}

pub(crate) fn conversation(ctx: &Ctx, c: &Conversation) -> Value {
    json!({
        "body": c.body,
        "body_text": c.body_text,
        "id": c.id,
        "incoming": c.incoming,
        "private": c.private,
        "user_id": c.user_id,
        "support_email": Value::Null,
        "source": c.source,
        "ticket_id": c.ticket_id,
        "to_emails": c.to_emails,
        "from_email": c.from_email,
        "cc_emails": c.cc_emails,
        "bcc_emails": c.bcc_emails,
        "created_at": timestamp(c.created_at),
        "updated_at": timestamp(c.created_at),
        "attachments": c.attachments.iter().map(|a| attachment(ctx, a)).collect::<Vec<_>>(),
    })
}
