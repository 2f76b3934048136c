//! Comments: list a ticket's comments; add one (files are uploaded first, then the comment
//! goes in through a ticket update carrying the upload token: Zendesk has no comment
//! endpoint).

use chrono::DateTime;
use deskgate_connector::filters::{numeric_field, numeric_id};
use deskgate_connector::{Endpoint, bad_response};
use deskgate_core::ids::TicketId;
use deskgate_core::model::{Attachment, Comment, NewAttachment, NewComment};
use deskgate_core::{ConnectorError, InputPart, Page, PageRequest};
use http::{HeaderValue, Method};
use serde_json::Value;

use crate::body;
use crate::client::{Keep, ListSpec, Result, ZendeskConnector};
use crate::map;
use crate::tickets::TICKET;
use crate::wire::{WirePage, WireTicketWrite, WireUploadResponse};

const COMMENTS: Endpoint = Endpoint::new("/api/v2/tickets/{id}/comments");
const UPLOADS: Endpoint = Endpoint::new("/api/v2/uploads");

impl ZendeskConnector {
    pub(crate) async fn comments(
        &self,
        ticket: &TicketId,
        req: &PageRequest,
    ) -> Result<Page<Comment>> {
        let ticket_id = numeric_id(ticket.as_str())?;
        let after = req.updated_after;
        // Comments do not change once written: `updated_after` selects by `created_at`.
        let keep = move |raw: &Value| {
            after.is_none_or(|after| {
                raw.get("created_at")
                    .and_then(Value::as_str)
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                    .is_some_and(|c| c.to_utc() > after)
            })
        };
        let ctx = self.ctx(req.include_remote_data);
        let map = move |raw| map::comment(raw, ticket_id, None, ctx);
        let spec = ListSpec {
            endpoint: COMMENTS,
            ids: &[ticket_id],
            key: "comments",
            query: vec![("sort", "created_at".to_owned())],
            keep: after.is_some().then_some(&keep as Keep<'_>),
            map: &map,
        };
        self.list(spec, req).await
    }

    pub(crate) async fn add_comment(
        &self,
        ticket: &TicketId,
        comment: &NewComment,
    ) -> Result<Comment> {
        let ticket_id = numeric_id(ticket.as_str())?;
        if let Some(author) = &comment.author_id {
            numeric_field("zendesk", "author_id", author)?;
        }
        let token = if comment.attachments.is_empty() {
            None
        } else {
            Some(self.upload(&comment.attachments).await?.0)
        };
        let request = self.client.request(Method::PUT, TICKET, &[ticket_id])?;
        let written = self
            .write_ticket(request, &body::comment(comment, token.as_deref()))
            .await?;
        self.written_comment(ticket_id, written).await
    }

    /// Uploads files (`POST /api/v2/uploads`, one call per file, chained on one token) and
    /// returns the upload token (valid 60 minutes, usable on one comment) and the
    /// attachments it holds.
    pub async fn upload(&self, files: &[NewAttachment]) -> Result<(String, Vec<Attachment>)> {
        let mut token: Option<String> = None;
        let mut attachments = Vec::new();
        for file in files {
            let content_type = HeaderValue::from_str(&file.content_type).map_err(|_| {
                ConnectorError::refused(
                    InputPart::Body,
                    "attachments.content_type",
                    "is not a valid mime type",
                )
            })?;
            let mut request = self
                .client
                .request(Method::POST, UPLOADS, &[])?
                .query_pair("filename", &file.file_name)
                .body(content_type, file.content.clone());
            if let Some(token) = &token {
                request = request.query_pair("token", token);
            }
            let upload: WireUploadResponse = self.client.send_json(request).await?;
            attachments = upload
                .upload
                .attachments
                .into_iter()
                .map(map::attachment)
                .collect();
            token = Some(upload.upload.token);
        }
        token.map(|t| (t, attachments)).ok_or_else(|| {
            ConnectorError::refused(InputPart::Body, "attachments", "has no file to upload")
        })
    }

    /// The comment a write added, from the `Comment` event of its audit; when the audit is
    /// missing, the ticket's newest comment.
    async fn written_comment(&self, ticket: &str, written: WireTicketWrite) -> Result<Comment> {
        if let Some(audit) = written.audit {
            let event = audit
                .events
                .into_iter()
                .find(|e| e.get("type").and_then(Value::as_str) == Some("Comment"));
            if let Some(event) = event {
                return map::comment(event, ticket, audit.created_at, self.ctx(false))
                    .map_err(bad_response);
            }
        }
        let request = self
            .client
            .request(Method::GET, COMMENTS, &[ticket])?
            .query_pair("sort", "-created_at")
            .query_pair("page[size]", "1");
        let response = self.client.send(request).await?;
        let page = WirePage::parse(response.body(), "comments").map_err(bad_response)?;
        let newest = page
            .items
            .into_iter()
            .next()
            .ok_or_else(|| bad_response("the comment was not found after writing it"))?;
        map::comment(newest, ticket, None, self.ctx(false)).map_err(bad_response)
    }
}
