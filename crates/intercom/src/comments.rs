//! Comments are a ticket's message parts.
//!
//! - List: `GET /tickets/{id}` answers the ticket with its parts; the parts that are messages
//!   (`comment`, `note`, `quick_reply`) are the comments, paged here by offset. State
//!   changes, assignments and attribute updates are not comments.
//! - Create: `POST /tickets/{id}/reply` as an admin: `message_type` `comment` (public) or
//!   `note` (private), `type: admin`, the admin (the caller's `author_id`, else the
//!   connection's admin from `/me`), the body (HTML when given, else the text), and
//!   attachments inline as base64 `attachment_files` (at most 10).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use deskgate_connector::{Endpoint, bad_response};
use deskgate_core::ids::TicketId;
use deskgate_core::model::{Comment, NewComment};
use deskgate_core::{ConnectorError, Page, PageRequest};
use http::Method;
use serde_json::{Value, json};

use crate::client::IntercomConnector;
use crate::ids::{body_id, invalid, path_id};
use crate::map::{self, is_message};
use crate::paging::slice;
use crate::tickets::TICKET;
use crate::wire::WireParts;

type Result<T> = std::result::Result<T, ConnectorError>;

const REPLY: Endpoint = Endpoint::new("/tickets/{ticket_id}/reply");

/// Most files one reply takes.
pub(crate) const MAX_ATTACHMENTS: usize = 10;

pub(crate) async fn list(
    c: &IntercomConnector,
    ticket: &TicketId,
    req: &PageRequest,
) -> Result<Page<Comment>> {
    let id = path_id(ticket.as_str())?;
    let raw = c.get_raw(TICKET, &[id]).await?;
    let parts: WireParts = raw
        .get("ticket_parts")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| bad_response(format!("an intercom ticket's parts could not be read: {e}")))?
        .unwrap_or_default();
    let messages: Vec<Value> = parts.ticket_parts.into_iter().filter(is_message).collect();
    let page = slice(messages, req.cursor.as_ref(), req.limit.get())?;
    let items = page
        .items
        .into_iter()
        .map(|raw| map::comment(raw, id, req.include_remote_data))
        .collect::<std::result::Result<Vec<_>, String>>()
        .map_err(bad_response)?;
    Ok(Page {
        items,
        next: page.next,
    })
}

/// `POST /tickets/{id}/reply`'s body.
pub(crate) fn reply_body(comment: &NewComment, admin_id: &str) -> Result<Value> {
    if comment.attachments.len() > MAX_ATTACHMENTS {
        return Err(invalid(
            "attachments",
            &format!("intercom takes at most {MAX_ATTACHMENTS} files per reply"),
        ));
    }
    let admin_id = match &comment.author_id {
        Some(author) => body_id("author_id", author)?,
        None => admin_id,
    };
    let text = comment
        .html_body
        .as_deref()
        .filter(|h| !h.trim().is_empty())
        .unwrap_or(&comment.body);
    if text.trim().is_empty() && comment.attachments.is_empty() {
        return Err(invalid("body", "must not be empty"));
    }
    let mut body = json!({
        "message_type": if comment.public { "comment" } else { "note" },
        "type": "admin",
        "admin_id": admin_id,
        "body": text,
    });
    if !comment.attachments.is_empty() {
        body["attachment_files"] = comment
            .attachments
            .iter()
            .map(|file| {
                json!({
                    "content_type": file.content_type,
                    "data": STANDARD.encode(&file.content),
                    "name": file.file_name,
                })
            })
            .collect();
    }
    Ok(body)
}

pub(crate) async fn create(
    c: &IntercomConnector,
    ticket: &TicketId,
    comment: &NewComment,
) -> Result<Comment> {
    let id = path_id(ticket.as_str())?;
    let body = reply_body(comment, c.admin_id()?)?;
    let raw = c.send_body(Method::POST, REPLY, &[id], &body).await?;
    map::comment(raw, id, false).map_err(bad_response)
}
