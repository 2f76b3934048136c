//! Tickets and their configuration: `GET /ticket_states`, `GET /ticket_types[/{id}]`,
//! `POST /tickets`, `GET/PUT/DELETE /tickets/{id}`. Replies and tags live in
//! `ticket_parts.rs`, search in `ticket_search.rs`: there is no `GET /tickets` list in
//! Intercom, search is the way to list.

use axum::extract::Path;
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::body::{self, id, text_id};
use super::context::{Caller, Ctx, require};
use super::data::Data;
use super::errors::{Answer, IntercomError};
use super::notifications::{deleted_item, notify};
use super::records::{Author, Category, Contact, Part, Ticket, TypeCategory};
use super::render;
use super::scope::Scope;
use crate::lock::lock;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/ticket_states", get(list_states))
        .route("/ticket_types", get(list_types))
        .route("/ticket_types/{id}", get(show_type))
        .route("/tickets", post(create_ticket))
        .route(
            "/tickets/{id}",
            get(show_ticket).put(update_ticket).delete(delete_ticket),
        )
}

pub(crate) fn not_found() -> IntercomError {
    IntercomError::missing("ticket_not_found", "Ticket not found")
}

async fn list_states(ctx: Ctx) -> Answer {
    require(&ctx, Scope::ReadTickets)?;
    let data = lock(&ctx.account.data);
    let states: Vec<Value> = data
        .states
        .iter()
        .map(|s| render::state_detailed(s, &data))
        .collect();
    Ok(Json(json!({"type": "list", "data": states})))
}

async fn list_types(ctx: Ctx) -> Answer {
    require(&ctx, Scope::ReadTickets)?;
    let data = lock(&ctx.account.data);
    let types: Vec<Value> = data
        .types
        .iter()
        .map(|t| render::ticket_type(t, &data, &ctx.account.workspace_id))
        .collect();
    Ok(Json(json!({"type": "list", "data": types})))
}

async fn show_type(ctx: Ctx, Path(raw): Path<String>) -> Answer {
    require(&ctx, Scope::ReadTickets)?;
    let data = lock(&ctx.account.data);
    raw.parse()
        .ok()
        .and_then(|id| data.ticket_type(id))
        .map(|t| Json(render::ticket_type(t, &data, &ctx.account.workspace_id)))
        .ok_or_else(|| IntercomError::not_found("Resource Not Found"))
}

async fn show_ticket(ctx: Ctx, Path(raw): Path<String>) -> Answer {
    require(&ctx, Scope::ReadTickets)?;
    let data = lock(&ctx.account.data);
    raw.parse()
        .ok()
        .and_then(|id| data.ticket(id))
        .map(|t| Json(render::ticket(t, &data, &ctx.account.workspace_id)))
        .ok_or_else(not_found)
}

/// Finds the contact a `contacts[]` entry names (`id`, `external_id` or `email`); an unknown
/// email creates a user, as Intercom does.
fn resolve_contact(data: &mut Data, entry: &Value, now: i64) -> Result<String, IntercomError> {
    let not_found = || IntercomError::data_invalid("Contact not found or could not be created");
    let entry = entry.as_object().ok_or_else(not_found)?;
    if let Some(id) = entry.get("id").and_then(text_id) {
        return data
            .contact(&id)
            .map(|c| c.id.clone())
            .ok_or_else(not_found);
    }
    if let Some(external) = entry.get("external_id").and_then(text_id) {
        return data
            .contact_by(|c| c.external_id.as_deref() == Some(external.as_str()))
            .map(|c| c.id.clone())
            .ok_or_else(not_found);
    }
    let email = entry
        .get("email")
        .and_then(Value::as_str)
        .filter(|e| e.contains('@'))
        .ok_or_else(not_found)?;
    if let Some(c) = data.contact_by(|c| c.email.eq_ignore_ascii_case(email)) {
        return Ok(c.id.clone());
    }
    let serial = data.contacts.len() as u64;
    let contact = Contact {
        id: format!(
            "{:08x}{:016x}",
            now.max(0) as u32,
            crate::mix::splitmix(serial ^ 0xe3a1)
        ),
        external_id: None,
        name: email.split('@').next().unwrap_or(email).to_owned(),
        email: email.to_owned(),
        company_ids: vec![],
        created_at: now,
        updated_at: now,
    };
    let id = contact.id.clone();
    data.add_contact(contact);
    Ok(id)
}

/// Checks `ticket_attributes` against the ticket type: known names, and types that fit.
fn attributes(
    data: &Data,
    type_id: u64,
    value: Option<&Value>,
) -> Result<Map<String, Value>, IntercomError> {
    let Some(value) = value else {
        return Ok(Map::new());
    };
    let map = value
        .as_object()
        .ok_or_else(|| IntercomError::invalid("ticket_attributes must be an object"))?;
    let ty = data
        .ticket_type(type_id)
        .ok_or_else(|| IntercomError::invalid("ticket_type_id is invalid"))?;
    for (name, v) in map {
        let attribute = ty
            .attributes
            .iter()
            .find(|a| a.name == name)
            .ok_or_else(|| {
                IntercomError::invalid(format!("The ticket attribute {name} does not exist"))
            })?;
        if attribute.data_type == "string" && !(v.is_string() || v.is_null()) {
            return Err(IntercomError::invalid(format!(
                "The value for {name} must be a string"
            )));
        }
    }
    Ok(map.clone())
}

async fn create_ticket(ctx: Ctx, caller: Caller, body: Bytes) -> Answer {
    require(&ctx, Scope::WriteTickets)?;
    let body = body::object(&body)?;
    let type_id = body
        .get("ticket_type_id")
        .ok_or_else(|| IntercomError::required("ticket_type_id is a required parameter"))?;
    let type_id = id(type_id).ok_or_else(|| IntercomError::invalid("ticket_type_id is invalid"))?;
    let contacts = body
        .get("contacts")
        .and_then(Value::as_array)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| IntercomError::required("contacts is a required parameter"))?;
    if contacts.len() > 1 {
        return Err(IntercomError::invalid(
            "Only one contact can be added to a ticket when creating it",
        ));
    }
    let now = ctx.now_secs();
    let mut data = lock(&ctx.account.data);
    let ticket_type = data
        .ticket_type(type_id)
        .cloned()
        .ok_or_else(|| IntercomError::invalid("ticket_type_id is invalid"))?;
    let attributes = attributes(&data, type_id, body.get("ticket_attributes"))?;
    let missing = ticket_type
        .attributes
        .iter()
        .filter(|a| a.required_to_create)
        .any(|a| attributes.get(a.name).is_none_or(Value::is_null));
    if missing {
        return Err(IntercomError::invalid("Missing required ticket attributes"));
    }
    let company_id = match body.get("company_id").and_then(text_id) {
        Some(company) => Some(
            data.company(&company)
                .map(|c| c.id.clone())
                .ok_or_else(|| IntercomError::missing("company_not_found", "Company Not Found"))?,
        ),
        None => None,
    };
    // `assignment` (2.16): an admin and/or a team, each of which must exist.
    let (mut admin_assignee_id, mut team_assignee_id) = (0, 0);
    if let Some(assignment) = body.get("assignment") {
        let assignee_missing =
            || IntercomError::missing("assignee_not_found", "Assignee not found");
        if let Some(raw) = assignment.get("admin_assignee_id").filter(|v| !v.is_null()) {
            admin_assignee_id = id(raw)
                .filter(|a| data.admin(*a).is_some())
                .ok_or_else(assignee_missing)?;
        }
        if let Some(raw) = assignment.get("team_assignee_id").filter(|v| !v.is_null()) {
            team_assignee_id = id(raw)
                .filter(|t| data.team(*t).is_some())
                .ok_or_else(assignee_missing)?;
        }
    }
    let contact_id = resolve_contact(&mut data, &contacts[0], now)?;
    let created_at = body
        .get("created_at")
        .and_then(Value::as_i64)
        .unwrap_or(now);
    let submitted = data
        .states
        .iter()
        .find(|s| s.category == Category::Submitted)
        .map_or(0, |s| s.id);
    let id = data.next_ticket_id;
    data.next_ticket_id += 1;
    let number = data.next_ticket_number;
    data.next_ticket_number += 1;
    let mut parts = Vec::new();
    if let Some(description) = attributes
        .get("_default_description_")
        .and_then(Value::as_str)
    {
        parts.push(Part {
            id: data.next_part(),
            part_type: "comment".to_owned(),
            body: Some(format!("<p>{}</p>", crate::html::escape(description))),
            author: if ticket_type.category == TypeCategory::Customer {
                Author::User(contact_id.clone())
            } else {
                Author::Admin(caller.admin_id)
            },
            attachments: vec![],
            states: None,
            created_at,
        });
    }
    let ticket = Ticket {
        id,
        number,
        type_id,
        attributes,
        state_id: submitted,
        previous_state_id: None,
        open: true,
        admin_assignee_id,
        team_assignee_id,
        contact_ids: vec![contact_id],
        company_id,
        snoozed_until: None,
        is_shared: ticket_type.category == TypeCategory::Customer,
        tags: vec![],
        parts,
        created_at,
        updated_at: now,
    };
    let value = render::ticket(&ticket, &data, &ctx.account.workspace_id);
    data.put_ticket(ticket);
    drop(data);
    notify(&ctx, "ticket.created", &value);
    Ok(Json(value))
}

/// The topics an update of `before` into `after` is notified on.
fn update_topics(before: &Ticket, after: &Ticket) -> Vec<&'static str> {
    let mut topics = Vec::new();
    if before.state_id != after.state_id {
        topics.push("ticket.state.updated");
    }
    if before.admin_assignee_id != after.admin_assignee_id && after.admin_assignee_id != 0 {
        topics.push("ticket.admin.assigned");
    }
    if before.team_assignee_id != after.team_assignee_id && after.team_assignee_id != 0 {
        topics.push("ticket.team.assigned");
    }
    if before.attributes != after.attributes {
        topics.push("ticket.attribute.updated");
    }
    topics
}

/// `PUT /tickets/{id}`: `ticket_attributes` (merged), `ticket_state_id`, `open`,
/// `is_shared`, `snoozed_until`, `company_id`, `assignee_id` (an admin or team id, `0` to
/// unassign) with `admin_id` (the admin acting, who must exist).
async fn update_ticket(ctx: Ctx, Path(raw): Path<String>, body: Bytes) -> Answer {
    require(&ctx, Scope::WriteTickets)?;
    let body = body::object(&body)?;
    let now = ctx.now_secs();
    let mut data = lock(&ctx.account.data);
    let mut ticket = raw
        .parse()
        .ok()
        .and_then(|id| data.ticket(id))
        .cloned()
        .ok_or_else(not_found)?;
    let original = ticket.clone();
    let assignee_missing = || IntercomError::missing("assignee_not_found", "Assignee not found");
    let actor = match body.get("admin_id") {
        Some(raw) => {
            let admin = id(raw).filter(|a| data.admin(*a).is_some());
            Some(admin.ok_or_else(assignee_missing)?)
        }
        None => None,
    };
    if let Some(value) = body.get("ticket_attributes") {
        let changes = attributes(&data, ticket.type_id, Some(value))?;
        ticket.attributes.extend(changes);
    }
    if let Some(raw) = body.get("ticket_state_id") {
        let state = id(raw)
            .and_then(|s| data.state(s))
            .cloned()
            .ok_or_else(|| {
                IntercomError::new(
                    http::StatusCode::BAD_REQUEST,
                    "ticket_state_id_invalid",
                    "Ticket state id is not valid or is not associated with the ticket type",
                )
            })?;
        if state.id != ticket.state_id {
            let before = data.state(ticket.state_id).map(|s| s.category);
            ticket.previous_state_id = Some(ticket.state_id);
            ticket.state_id = state.id;
            ticket.open = state.category != Category::Resolved;
            let part = Part {
                id: data.next_part(),
                part_type: "ticket_state_updated_by_admin".to_owned(),
                body: None,
                author: Author::Admin(actor.unwrap_or(data.admins[0].id)),
                attachments: vec![],
                states: before.map(|b| (b, state.category)),
                created_at: now,
            };
            ticket.parts.push(part);
        }
    }
    if let Some(open) = body.get("open") {
        ticket.open = open
            .as_bool()
            .ok_or_else(|| IntercomError::invalid("open must be a boolean"))?;
        if !ticket.open {
            // Closing also unsnoozes.
            ticket.snoozed_until = None;
        }
    }
    if let Some(shared) = body.get("is_shared") {
        ticket.is_shared = shared
            .as_bool()
            .ok_or_else(|| IntercomError::invalid("is_shared must be a boolean"))?;
    }
    if let Some(until) = body.get("snoozed_until") {
        ticket.snoozed_until = Some(
            until
                .as_i64()
                .ok_or_else(|| IntercomError::invalid("snoozed_until must be a timestamp"))?,
        );
    }
    if let Some(raw) = body.get("assignee_id") {
        let assignee = id(raw).ok_or_else(assignee_missing)?;
        if assignee == 0 {
            ticket.admin_assignee_id = 0;
            ticket.team_assignee_id = 0;
        } else if data.admin(assignee).is_some() {
            ticket.admin_assignee_id = assignee;
        } else if data.team(assignee).is_some() {
            ticket.team_assignee_id = assignee;
        } else {
            return Err(assignee_missing());
        }
    }
    if let Some(company) = body.get("company_id").and_then(text_id) {
        ticket.company_id = Some(
            data.company(&company)
                .map(|c| c.id.clone())
                .ok_or_else(|| IntercomError::missing("company_not_found", "Company Not Found"))?,
        );
    }
    ticket.updated_at = now;
    let value = render::ticket(&ticket, &data, &ctx.account.workspace_id);
    let topics = update_topics(&original, &ticket);
    data.put_ticket(ticket);
    drop(data);
    for topic in topics {
        notify(&ctx, topic, &value);
    }
    Ok(Json(value))
}

/// Deletes for good; the id is then listed by `GET /conversations/deleted`, and the apps
/// are told `conversation.deleted` (Intercom has no ticket topic for it).
async fn delete_ticket(ctx: Ctx, Path(raw): Path<String>) -> Answer {
    require(&ctx, Scope::WriteTickets)?;
    let now = ctx.now_secs();
    let mut data = lock(&ctx.account.data);
    let ticket = raw
        .parse()
        .ok()
        .and_then(|id| data.remove_ticket(id, now))
        .ok_or_else(not_found)?;
    let deleted = data.deletion(ticket.id);
    drop(data);
    if let Some(deleted) = deleted {
        notify(&ctx, "conversation.deleted", &deleted_item(&deleted));
    }
    Ok(Json(
        json!({"id": ticket.id.to_string(), "object": "ticket", "deleted": true}),
    ))
}
