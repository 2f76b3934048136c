//! Writing to a conversation: `POST /conversations/{id}/reply` (an admin's comment, note
//! or quick reply, or a user's comment, with attachments as on tickets; a user's reply
//! reopens the conversation) and `POST /conversations/{id}/parts` (`message_type` `close`,
//! `open`, `snoozed` with `snoozed_until`, or `assignment` with `assignee_id`, by the admin
//! `admin_id`). Both answer the whole conversation with its parts, bump `updated_at` and
//! notify the apps (`conversation.user.replied`, `conversation.admin.replied`,
//! `conversation.admin.noted`, `conversation.admin.closed`, `.opened`, `.snoozed`,
//! `.assigned`).

use axum::extract::Path;
use axum::routing::post;
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::Value;

use super::body::{self, id};
use super::context::{Ctx, require};
use super::errors::{Answer, IntercomError};
use super::notifications::notify;
use super::records::{Author, Conversation, Part};
use super::scope::Scope;
use super::{render, reply};
use crate::lock::lock;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/conversations/{id}/reply", post(reply_to_conversation))
        .route("/conversations/{id}/parts", post(manage_conversation))
}

fn not_found() -> IntercomError {
    IntercomError::not_found("Resource Not Found")
}

/// A body as Intercom stores it: HTML kept, plain text wrapped in a paragraph.
fn html(text: &str) -> String {
    if text.trim_start().starts_with('<') {
        text.to_owned()
    } else {
        format!("<p>{}</p>", crate::html::escape(text))
    }
}

async fn reply_to_conversation(ctx: Ctx, Path(raw): Path<String>, body: Bytes) -> Answer {
    require(&ctx, Scope::WriteConversations)?;
    let body = body::object(&body)?;
    let now = ctx.now_secs();
    let mut data = lock(&ctx.account.data);
    let mut conversation: Conversation = raw
        .parse()
        .ok()
        .and_then(|id| data.conversation(id))
        .cloned()
        .ok_or_else(not_found)?;
    let message_type = body
        .get("message_type")
        .and_then(Value::as_str)
        .ok_or_else(|| IntercomError::required("message_type is a required parameter"))?;
    let author = reply::author(&data, &body)?;
    let allowed = match author {
        Author::Admin(_) => matches!(message_type, "comment" | "note" | "quick_reply"),
        Author::User(_) => message_type == "comment",
    };
    if !allowed {
        return Err(IntercomError::invalid(format!(
            "message_type {message_type} is not allowed for this reply"
        )));
    }
    let topic = match (&author, message_type) {
        (Author::User(_), _) => "conversation.user.replied",
        (Author::Admin(_), "note") => "conversation.admin.noted",
        (Author::Admin(_), _) => "conversation.admin.replied",
    };
    let text = body.get("body").and_then(Value::as_str).unwrap_or_default();
    let part_id = data.next_part();
    let attachments = reply::attachments(&body, &ctx, part_id)?;
    if text.trim().is_empty() && attachments.is_empty() && message_type != "quick_reply" {
        return Err(IntercomError::required("body is a required parameter"));
    }
    if let Author::User(_) = author {
        conversation.state = "open";
        conversation.snoozed_until = None;
        conversation.read = false;
    }
    conversation.parts.push(Part {
        id: part_id,
        part_type: message_type.to_owned(),
        body: (!text.is_empty()).then(|| html(text)),
        author,
        attachments,
        states: None,
        created_at: now,
    });
    conversation.updated_at = now;
    let value = render::conversation(&conversation, &data, true);
    data.put_conversation(conversation);
    drop(data);
    notify(&ctx, topic, &value);
    Ok(Json(value))
}

async fn manage_conversation(ctx: Ctx, Path(raw): Path<String>, body: Bytes) -> Answer {
    require(&ctx, Scope::WriteConversations)?;
    let body = body::object(&body)?;
    let now = ctx.now_secs();
    let mut data = lock(&ctx.account.data);
    let mut conversation: Conversation = raw
        .parse()
        .ok()
        .and_then(|id| data.conversation(id))
        .cloned()
        .ok_or_else(not_found)?;
    let admin = reply::acting_admin(&data, &body)?;
    let message_type = body
        .get("message_type")
        .and_then(Value::as_str)
        .ok_or_else(|| IntercomError::required("message_type is a required parameter"))?;
    match message_type {
        "close" => {
            conversation.state = "closed";
            conversation.snoozed_until = None;
        }
        "open" => {
            conversation.state = "open";
            conversation.snoozed_until = None;
        }
        "snoozed" => {
            let until = body
                .get("snoozed_until")
                .and_then(Value::as_i64)
                .ok_or_else(|| IntercomError::required("snoozed_until is a required parameter"))?;
            conversation.state = "snoozed";
            conversation.snoozed_until = Some(until);
        }
        "assignment" => {
            let assignee = body
                .get("assignee_id")
                .and_then(id)
                .ok_or_else(|| IntercomError::required("assignee_id is a required parameter"))?;
            if assignee == 0 {
                conversation.admin_assignee_id = None;
            } else if data.admin(assignee).is_some() {
                conversation.admin_assignee_id = Some(assignee);
            } else if data.team(assignee).is_some() {
                conversation.team_assignee_id = Some(assignee);
            } else {
                return Err(IntercomError::missing(
                    "assignee_not_found",
                    "Assignee not found",
                ));
            }
        }
        other => {
            return Err(IntercomError::invalid(format!(
                "message_type must be close, open, snoozed or assignment, not {other}"
            )));
        }
    }
    let text = body.get("body").and_then(Value::as_str).unwrap_or_default();
    let part = Part {
        id: data.next_part(),
        part_type: message_type.to_owned(),
        body: (!text.is_empty()).then(|| html(text)),
        author: Author::Admin(admin),
        attachments: vec![],
        states: None,
        created_at: now,
    };
    conversation.parts.push(part);
    conversation.updated_at = now;
    let value = render::conversation(&conversation, &data, true);
    data.put_conversation(conversation);
    drop(data);
    let topic = match message_type {
        "close" => "conversation.admin.closed",
        "open" => "conversation.admin.opened",
        "snoozed" => "conversation.admin.snoozed",
        _ => "conversation.admin.assigned",
    };
    notify(&ctx, topic, &value);
    Ok(Json(value))
}
