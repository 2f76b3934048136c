//! Comments are Freshdesk conversations: replies (public) and notes (private). A ticket's
//! description is not a conversation in Freshdesk, so it is not among the comments.

use deskgate_connector::Endpoint;
use deskgate_connector::filters::{later_than, numeric_id};
use deskgate_core::ids::TicketId;
use deskgate_core::model::{Comment, NewComment};
use deskgate_core::{ConnectorError, Page, PageRequest};
use http::Method;
use serde_json::Value;

use crate::body::{self, CommentBody};
use crate::client::{FreshdeskConnector, Listing};
use crate::map;

type Result<T> = std::result::Result<T, ConnectorError>;

const CONVERSATIONS: Endpoint = Endpoint::new("/api/v2/tickets/{id}/conversations");
const REPLY: Endpoint = Endpoint::new("/api/v2/tickets/{id}/reply");
const NOTES: Endpoint = Endpoint::new("/api/v2/tickets/{id}/notes");

pub(crate) async fn list(
    fd: &FreshdeskConnector,
    ticket: &TicketId,
    req: &PageRequest,
) -> Result<Page<Comment>> {
    let id = numeric_id(ticket.as_str())?;
    let newer = later_than(req.updated_after, "updated_at");
    let listing = Listing {
        endpoint: CONVERSATIONS,
        ids: &[id],
        query: Vec::new(),
        cap: None,
        keep: req
            .updated_after
            .is_some()
            .then_some(&newer as &(dyn Fn(&Value) -> bool + Send + Sync)),
        map: &|raw| map::comment(raw, id, req.include_remote_data),
    };
    fd.list(listing, req.cursor.as_ref(), req.limit.get()).await
}

/// A public comment is a reply, a private one a note; files go as a multipart form.
pub(crate) async fn create(
    fd: &FreshdeskConnector,
    ticket: &TicketId,
    comment: &NewComment,
) -> Result<Comment> {
    let id = numeric_id(ticket.as_str())?;
    let endpoint = if comment.public { REPLY } else { NOTES };
    let request = fd.request(Method::POST, endpoint, &[id], None, 0)?;
    let request = match body::comment(comment)? {
        CommentBody::Json(json) => fd.client().json(request, &json)?,
        CommentBody::Form(content_type, bytes) => request.body(content_type, bytes),
    };
    fd.one(request, &|raw| map::comment(raw, id, false)).await
}
