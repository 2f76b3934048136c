//! Writing to a ticket's thread and tags: `POST /tickets/{id}/reply`,
//! `POST /tickets/{id}/tags`, `DELETE /tickets/{id}/tags/{tag_id}`. Every write bumps the
//! ticket's `updated_at`.
//!
//! A reply takes `message_type` (`comment`, `note`, `quick_reply`), `type` (`admin` with
//! `admin_id`, or `user` with `intercom_user_id`, `user_id` or `email` of a contact),
//! `body`, and up to ten `attachment_urls` or ten `attachment_files`
//! (`{content_type, data (base64), name}`; files take precedence over URLs). Users may not
//! reply to back-office tickets, and may only comment.

use axum::extract::Path;
use axum::routing::{delete, post};
use axum::{Json, Router};
use base64::Engine as _;
use bytes::Bytes;
use serde_json::{Map, Value};

use super::body::{self, id, text_id};
use super::context::{Ctx, require};
use super::data::Data;
use super::errors::{Answer, IntercomError};
use super::records::{AppliedTag, Attachment, Author, Part, TypeCategory};
use super::render;
use super::scope::Scope;
use super::tickets::not_found;
use crate::lock::lock;
use crate::sandbox::Sandbox;

/// At most ten attachments of each kind.
const MAX_ATTACHMENTS: usize = 10;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/tickets/{id}/reply", post(reply_to_ticket))
        .route("/tickets/{id}/tags", post(tag_ticket))
        .route("/tickets/{id}/tags/{tag_id}", delete(untag_ticket))
}

fn author(data: &Data, body: &Map<String, Value>) -> Result<Author, IntercomError> {
    match body.get("type").and_then(Value::as_str) {
        Some("admin") => {
            let admin = body
                .get("admin_id")
                .and_then(id)
                .filter(|a| data.admin(*a).is_some())
                .ok_or_else(|| IntercomError::missing("admin_not_found", "Admin not found"))?;
            Ok(Author::Admin(admin))
        }
        Some("user") => {
            let contact = if let Some(v) = body.get("intercom_user_id").and_then(text_id) {
                data.contact(&v)
            } else if let Some(v) = body.get("user_id").and_then(text_id) {
                data.contact_by(|c| c.external_id.as_deref() == Some(v.as_str()))
            } else if let Some(v) = body.get("email").and_then(Value::as_str) {
                data.contact_by(|c| c.email.eq_ignore_ascii_case(v))
            } else {
                return Err(IntercomError::required(
                    "intercom_user_id, user_id or email is required for a user reply",
                ));
            };
            contact
                .map(|c| Author::User(c.id.clone()))
                .ok_or_else(|| IntercomError::not_found("User Not Found"))
        }
        Some(other) => Err(IntercomError::invalid(format!(
            "type must be admin or user, not {other}"
        ))),
        None => Err(IntercomError::required("type is a required parameter")),
    }
}

fn attachments(
    body: &Map<String, Value>,
    ctx: &Ctx,
    part_id: u64,
) -> Result<Vec<Attachment>, IntercomError> {
    let list = |name: &str| -> Result<Vec<Value>, IntercomError> {
        match body.get(name) {
            None | Some(Value::Null) => Ok(vec![]),
            Some(Value::Array(items)) if items.len() <= MAX_ATTACHMENTS => Ok(items.clone()),
            Some(Value::Array(_)) => Err(IntercomError::invalid(format!(
                "{name} can hold at most {MAX_ATTACHMENTS} items"
            ))),
            Some(_) => Err(IntercomError::invalid(format!("{name} must be an array"))),
        }
    };
    let files = list("attachment_files")?;
    let urls = list("attachment_urls")?;
    if !files.is_empty() {
        return files
            .iter()
            .enumerate()
            .map(|(i, file)| {
                let field = |k: &str| file.get(k).and_then(Value::as_str);
                let (Some(content_type), Some(data), Some(name)) =
                    (field("content_type"), field("data"), field("name"))
                else {
                    return Err(IntercomError::invalid(
                        "attachment_files need content_type, data and name",
                    ));
                };
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .map_err(|_| IntercomError::invalid("attachment data must be base64"))?;
                Ok(Attachment {
                    name: name.to_owned(),
                    url: ctx.url(&format!("/_files/{part_id}/{i}/{name}")),
                    content_type: content_type.to_owned(),
                    filesize: bytes.len() as u64,
                })
            })
            .collect();
    }
    urls.iter()
        .map(|url| {
            let url = url
                .as_str()
                .and_then(|u| url::Url::parse(u).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| IntercomError::invalid("attachment_urls must be URLs"))?;
            let name = url
                .path_segments()
                .and_then(|mut s| s.next_back().map(str::to_owned))
                .unwrap_or_default();
            Ok(Attachment {
                name,
                url: url.into(),
                content_type: "application/octet-stream".to_owned(),
                filesize: 0,
            })
        })
        .collect()
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
    let author = author(&data, &body)?;
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
    let attachments = attachments(&body, &ctx, part_id)?;
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
    let value = render::ticket_part(&data, &part);
    ticket.parts.push(part);
    ticket.updated_at = now;
    data.put_ticket(ticket);
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
    let admin_id = body
        .get("admin_id")
        .and_then(id)
        .filter(|a| data.admin(*a).is_some())
        .ok_or_else(|| IntercomError::missing("admin_not_found", "Admin not found"))?;
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
    let admin_id = body
        .get("admin_id")
        .and_then(id)
        .filter(|a| data.admin(*a).is_some())
        .ok_or_else(|| IntercomError::missing("admin_not_found", "Admin not found"))?;
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
