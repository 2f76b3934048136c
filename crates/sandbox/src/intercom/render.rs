//! The workspace's records as Intercom 2.16 writes them ([IC-OAS] schemas `admin`, `team`,
//! `contact`, `company`, `tag`, `ticket`, `ticket_type`, `ticket_state_detailed`,
//! `ticket_part`, `conversation`, `conversation_part`). Ids are strings except
//! `admin_assignee_id`/`team_assignee_id` (integers); times are UNIX seconds.
//!
//! Where the schema and the spec's recorded examples differ, the examples win, since they
//! are real answers: a ticket type's attributes come as `{"type":"list","data":[...]}`.

use serde_json::{Value, json};

use super::data::Data;
use super::records::{
    Admin, AppliedTag, Author, Company, Contact, Conversation, Part, Tag, Team, Ticket,
    TicketState, TicketType,
};
use super::seed::input_options;

/// Removes `keys` whose value is null: fields the 2.16 schemas declare optional but not
/// nullable are left out when there is nothing to say, as Intercom does.
fn absent_when_null(mut value: Value, keys: &[&str]) -> Value {
    if let Some(map) = value.as_object_mut() {
        for key in keys {
            if map.get(*key).is_some_and(Value::is_null) {
                map.remove(*key);
            }
        }
    }
    value
}

pub(crate) fn admin(a: &Admin) -> Value {
    absent_when_null(
        json!({
            "type": "admin",
            "id": a.id.to_string(),
            "name": a.name,
            "email": a.email,
            "job_title": a.job_title,
            "away_mode_enabled": false,
            "away_mode_reassign": false,
            "has_inbox_seat": true,
            "team_ids": a.team_ids,
            "avatar": null,
        }),
        &["job_title"],
    )
}

pub(crate) fn team(t: &Team) -> Value {
    json!({
        "type": "team",
        "id": t.id.to_string(),
        "name": t.name,
        "admin_ids": t.admin_ids,
    })
}

fn sublist(url: &str, data: &[Value]) -> Value {
    let total = data.len();
    json!({"type": "list", "data": data, "url": url, "total_count": total, "has_more": false})
}

pub(crate) fn contact(c: &Contact, workspace_id: &str) -> Value {
    let companies: Vec<Value> = c
        .company_ids
        .iter()
        .map(|id| json!({"type": "company", "id": id, "url": format!("/companies/{id}")}))
        .collect();
    json!({
        "type": "contact",
        "id": c.id,
        "workspace_id": workspace_id,
        "external_id": c.external_id,
        "role": "user",
        "email": c.email,
        "phone": null,
        "name": c.name,
        "avatar": null,
        "owner_id": null,
        "social_profiles": {"type": "list", "data": []},
        "has_hard_bounced": false,
        "marked_email_as_spam": false,
        "unsubscribed_from_emails": false,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "signed_up_at": c.created_at,
        "last_seen_at": null,
        "last_replied_at": null,
        "last_contacted_at": null,
        "last_email_opened_at": null,
        "last_email_clicked_at": null,
        "language_override": null,
        "browser": null,
        "browser_version": null,
        "browser_language": null,
        "os": null,
        "location": {"type": "location", "country": null, "region": null, "city": null,
                     "country_code": null, "continent_code": null},
        "custom_attributes": {},
        "tags": sublist(&format!("/contacts/{}/tags", c.id), &[]),
        "notes": sublist(&format!("/contacts/{}/notes", c.id), &[]),
        "companies": sublist(&format!("/contacts/{}/companies", c.id), &companies),
    })
}

pub(crate) fn company(c: &Company, workspace_id: &str) -> Value {
    json!({
        "type": "company",
        "id": c.id,
        "company_id": c.company_id,
        "app_id": workspace_id,
        "name": c.name,
        "remote_created_at": c.created_at,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "monthly_spend": 0,
        "session_count": 0,
        "user_count": c.user_count,
        "tags": {"type": "tag.list", "tags": []},
        "segments": {"type": "segment.list", "segments": []},
        "plan": {},
        "custom_attributes": {},
    })
}

pub(crate) fn tag(t: &Tag) -> Value {
    json!({"type": "tag", "id": t.id.to_string(), "name": t.name})
}

pub(crate) fn applied_tag(data: &Data, applied: &AppliedTag) -> Value {
    json!({
        "type": "tag",
        "id": applied.tag_id.to_string(),
        "name": data.tags.get(&applied.tag_id).map(|t| t.name.as_str()),
        "applied_at": applied.applied_at,
        "applied_by": {"type": "admin", "id": applied.applied_by.to_string()},
    })
}

pub(crate) fn state(s: &TicketState) -> Value {
    json!({
        "type": "ticket_state",
        "id": s.id.to_string(),
        "category": s.category.as_str(),
        "internal_label": s.internal_label,
        "external_label": s.external_label,
    })
}

/// A ticket state with the types that use it (`GET /ticket_states`).
pub(crate) fn state_detailed(s: &TicketState, data: &Data) -> Value {
    let types: Vec<Value> = data
        .types
        .iter()
        .map(|t| {
            json!({
                "type": "ticket_type",
                "id": t.id.to_string(),
                "name": t.name,
                "description": t.description,
                "icon": t.icon,
                "archived": false,
                "is_internal": false,
                "category": t.category.as_str(),
            })
        })
        .collect();
    let mut value = state(s);
    value["archived"] = json!(false);
    value["ticket_types"] = json!({"type": "list", "data": types});
    value
}

pub(crate) fn ticket_type(t: &TicketType, data: &Data, workspace_id: &str) -> Value {
    let attributes: Vec<Value> = t
        .attributes
        .iter()
        .map(|a| {
            json!({
                "type": "ticket_type_attribute",
                "id": a.id.to_string(),
                "workspace_id": workspace_id,
                "name": a.name,
                "description": a.description,
                "data_type": a.data_type,
                "input_options": input_options(a),
                "order": a.order,
                "required_to_create": a.required_to_create,
                "required_to_create_for_contacts": false,
                "visible_on_create": true,
                "visible_to_contacts": true,
                "default": a.default,
                "ticket_type_id": t.id,
                "archived": false,
                "created_at": t.created_at,
                "updated_at": t.created_at,
            })
        })
        .collect();
    let states: Vec<Value> = data.states.iter().map(state).collect();
    json!({
        "type": "ticket_type",
        "id": t.id.to_string(),
        "name": t.name,
        "description": t.description,
        "icon": t.icon,
        "workspace_id": workspace_id,
        "archived": false,
        "created_at": t.created_at,
        "updated_at": t.created_at,
        "is_internal": false,
        "ticket_type_attributes": {"type": "list", "data": attributes},
        "category": t.category.as_str(),
        "ticket_states": {"type": "list", "data": states},
    })
}

pub(crate) fn author(data: &Data, author: &Author) -> Value {
    match author {
        Author::Admin(id) => {
            let admin = data.admin(*id);
            json!({
                "type": "admin",
                "id": id.to_string(),
                "name": admin.map(|a| a.name.as_str()),
                "email": admin.map(|a| a.email.as_str()),
            })
        }
        Author::User(id) => {
            let contact = data.contact(id);
            json!({
                "type": "user",
                "id": id,
                "name": contact.map(|c| c.name.as_str()),
                "email": contact.map(|c| c.email.as_str()),
            })
        }
    }
}

fn attachments(part: &Part) -> Vec<Value> {
    part.attachments
        .iter()
        .map(|a| {
            // Width and height are for images, which the sandbox does not decode.
            json!({
                "type": "upload",
                "name": a.name,
                "url": a.url,
                "content_type": a.content_type,
                "filesize": a.filesize,
            })
        })
        .collect()
}

/// A ticket part (`ticket_part`, also the `ticket_reply` answer of a reply).
pub(crate) fn ticket_part(data: &Data, part: &Part) -> Value {
    let mut value = json!({
        "type": "ticket_part",
        "id": part.id.to_string(),
        "part_type": part.part_type,
        "body": part.body,
        "created_at": part.created_at,
        "updated_at": part.created_at,
        "author": author(data, &part.author),
        "attachments": attachments(part),
        "redacted": false,
    });
    if let Some((before, after)) = part.states {
        value["previous_ticket_state"] = json!(before.as_str());
        value["ticket_state"] = json!(after.as_str());
    }
    value
}

pub(crate) fn ticket(t: &Ticket, data: &Data, workspace_id: &str) -> Value {
    let contacts: Vec<Value> = t
        .contact_ids
        .iter()
        .map(|id| {
            json!({
                "type": "contact",
                "id": id,
                "external_id": data.contact(id).and_then(|c| c.external_id.clone()),
            })
        })
        .collect();
    let parts: Vec<Value> = t.parts.iter().map(|p| ticket_part(data, p)).collect();
    let ticket_state = data.state(t.state_id).map(state);
    absent_when_null(
        json!({
            "type": "ticket",
            "id": t.id.to_string(),
            "ticket_id": t.number.to_string(),
            "category": data.ticket_type(t.type_id).map(|ty| ty.category.as_str()),
            "ticket_attributes": t.attributes,
            "ticket_state": ticket_state,
            "ticket_type": data.ticket_type(t.type_id).map(|ty| ticket_type(ty, data, workspace_id)),
            "contacts": {"type": "contact.list", "contacts": contacts},
            "admin_assignee_id": t.admin_assignee_id,
            "team_assignee_id": t.team_assignee_id,
            "created_at": t.created_at,
            "updated_at": t.updated_at,
            "open": t.open,
            "snoozed_until": t.snoozed_until,
            "linked_objects": {"type": "list", "data": [], "total_count": 0, "has_more": false},
            "ticket_parts": {"type": "ticket_part.list", "total_count": parts.len(), "ticket_parts": parts},
            "is_shared": t.is_shared,
            "previous_ticket_state_id": t.previous_state_id.map(|id| id.to_string()),
        }),
        &["snoozed_until", "previous_ticket_state_id"],
    )
}

fn conversation_part(data: &Data, part: &Part) -> Value {
    json!({
        "type": "conversation_part",
        "id": part.id.to_string(),
        "part_type": part.part_type,
        "body": part.body,
        "created_at": part.created_at,
        "updated_at": part.created_at,
        "notified_at": part.created_at,
        "assigned_to": null,
        "author": author(data, &part.author),
        "attachments": attachments(part),
        "external_id": null,
        "redacted": false,
        "email_message_metadata": null,
        "state": null,
        "tags": [],
        "event_details": null,
        "app_package_code": null,
    })
}

/// A conversation; `with_parts` adds `conversation_parts` (as `GET /conversations/{id}`
/// does, and listings do not).
pub(crate) fn conversation(c: &Conversation, data: &Data, with_parts: bool) -> Value {
    let contacts: Vec<Value> = c
        .contact_ids
        .iter()
        .map(|id| {
            json!({
                "type": "contact",
                "id": id,
                "external_id": data.contact(id).and_then(|c| c.external_id.clone()),
            })
        })
        .collect();
    let mut value = json!({
        "type": "conversation",
        "id": c.id.to_string(),
        "title": c.title,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "waiting_since": null,
        "snoozed_until": c.snoozed_until,
        "source": {
            "type": "conversation",
            "id": c.source.id.to_string(),
            "delivered_as": "customer_initiated",
            "subject": "",
            "body": c.source.body,
            "author": author(data, &c.source.author),
            "attachments": attachments(&c.source),
            "url": null,
            "redacted": false,
        },
        "contacts": {"type": "contact.list", "contacts": contacts},
        "first_contact_reply": null,
        // 0 when unassigned, as on tickets.
        "admin_assignee_id": c.admin_assignee_id.unwrap_or(0),
        "team_assignee_id": c.team_assignee_id.unwrap_or(0),
        "open": c.state != "closed",
        "state": c.state,
        "read": c.read,
        "tags": {"type": "tag.list", "tags": c.tags.iter().map(|a| applied_tag(data, a)).collect::<Vec<_>>()},
        "priority": c.priority,
        "sla_applied": null,
        "statistics": null,
        "conversation_rating": null,
        "teammates": null,
        "custom_attributes": {},
        "topics": {},
        "ticket": null,
        "linked_objects": {"type": "list", "data": [], "total_count": 0, "has_more": false},
        "ai_agent": null,
        "ai_agent_participated": false,
    });
    if with_parts {
        let parts: Vec<Value> = c.parts.iter().map(|p| conversation_part(data, p)).collect();
        value["conversation_parts"] = json!({
            "type": "conversation_part.list",
            "conversation_parts": parts,
            "total_count": c.parts.len(),
        });
    }
    value
}
