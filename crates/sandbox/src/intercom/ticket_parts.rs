//! Writing to a ticket's thread and tags: `POST /tickets/{id}/reply`,
//! `POST /tickets/{id}/tags`, `DELETE /tickets/{id}/tags/{tag_id}`. Every write bumps the
//! ticket's `updated_at`; a reply notifies `ticket.admin.replied`, `ticket.note.created` or
//! `ticket.contact.replied` with the ticket (Intercom has no topic for tags).
//!
//! A reply takes `message_type` (`comment`, `note`, `quick_reply`), its author and
//! attachments (`reply.rs`) and `body`. Users may not reply to back-office tickets, and may
//! only comment.

use axum::extract::Path;
use axum::routing::{delete, post};
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::Value;

use super::body::{self, id};
use super::context::{Ctx, require};
use super::errors::{Answer, IntercomError};
use super::notifications::notify;
use super::records::{AppliedTag, Author, Part, TypeCategory};
use super::scope::Scope;
use super::tickets::not_found;
use super::{render, reply};
use crate::lock::lock;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/tickets/{id}/reply", post(reply_to_ticket))
        .route("/tickets/{id}/tags", post(tag_ticket))
        .route("/tickets/{id}/tags/{tag_id}", delete(untag_ticket))
}

async fn reply_to_ticket(ctx: Ctx, Path(raw): Path<String>, body: Bytes) -> Answer {
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
    let message_type = body
        .get("message_type")
        .and_then(Value::as_str)
        .ok_or_else(|| IntercomError::required("message_type is a required parameter"))?;
    if !matches!(message_type, "comment" | "note" | "quick_reply") {
        return Err(IntercomError::invalid(
            "message_type must be comment, note or quick_reply",
        ));
    }
    let author = reply::author(&data, &body)?;
    if let Author::User(_) = author {
        let back_office = data
            .ticket_type(ticket.type_id)
            .is_some_and(|t| t.category != TypeCategory::Customer);
        if back_office {
            return Err(IntercomError::new(
                http::StatusCode::BAD_REQUEST,
                "parameter_mismatch",
                "User replies are not allowed on Backoffice tickets",
            ));
        }
        if message_type != "comment" {
            return Err(IntercomError::invalid(
                "Users can only reply with a comment",
            ));
        }
    }
    let text = body.get("body").and_then(Value::as_str).unwrap_or_default();
    let part_id = data.next_part();
    let attachments = reply::attachments(&body, &ctx, part_id)?;
    if text.trim().is_empty() && attachments.is_empty() && message_type != "quick_reply" {
        return Err(IntercomError::required("body is a required parameter"));
    }
    let part = Part {
        id: part_id,
        part_type: message_type.to_owned(),
        body: (!text.is_empty()).then(|| text.to_owned()),
        author,
        attachments,
        states: None,
        created_at: now,
    };
    let topic = match (&part.author, message_type) {
        (Author::User(_), _) => "ticket.contact.replied",
        (Author::Admin(_), "note") => "ticket.note.created",
        (Author::Admin(_), _) => "ticket.admin.replied",
    };
    let value = render::ticket_part(&data, &part);
    ticket.parts.push(part);
    ticket.updated_at = now;
    let item = render::ticket(&ticket, &data, &ctx.account.workspace_id);
    data.put_ticket(ticket);
    drop(data);
    notify(&ctx, topic, &item);
    Ok(Json(value))
}

/// `{"id": tag_id, "admin_id"}`: applies a tag (again, if already applied).
async fn tag_ticket(ctx: Ctx, Path(raw): Path<String>, body: Bytes) -> Answer {
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
    let tag_id = body
        .get("id")
        .and_then(id)
        .filter(|t| data.tags.contains_key(t))
        .ok_or_else(|| IntercomError::missing("tag_not_found", "Tag not found"))?;
    let admin_id = reply::acting_admin(&data, &body)?;
    let applied = AppliedTag {
        tag_id,
        applied_at: now,
        applied_by: admin_id,
    };
    ticket.tags.retain(|t| t.tag_id != tag_id);
    ticket.tags.push(applied.clone());
    ticket.updated_at = now;
    let value = render::applied_tag(&data, &applied);
    data.put_ticket(ticket);
    Ok(Json(value))
}

/// `{"admin_id"}`: removes a tag the ticket has.
async fn untag_ticket(
    ctx: Ctx,
    Path((raw, raw_tag)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
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
    let admin_id = reply::acting_admin(&data, &body)?;
    let tag_id: u64 = raw_tag
        .parse()
        .ok()
        .filter(|t| ticket.tags.iter().any(|a| a.tag_id == *t))
        .ok_or_else(|| IntercomError::missing("tag_not_found", "Tag not found"))?;
    ticket.tags.retain(|t| t.tag_id != tag_id);
    ticket.updated_at = now;
    let value = render::applied_tag(
        &data,
        &AppliedTag {
            tag_id,
            applied_at: now,
            applied_by: admin_id,
        },
    );
    data.put_ticket(ticket);
    Ok(Json(value))
}
