//! Applying a `{"ticket": {...}}` body to a ticket, with Zendesk's validation: enum values,
//! existing users/groups/organizations, closed tickets refusing updates, comments with
//! upload tokens, and `tags` with set semantics (plus `additional_tags`/`remove_tags`).

use chrono::DateTime;
use serde_json::{Map, Value};

use super::account::Data;
use super::errors::{FieldError, ZendeskError};
use super::records::{
    Channel, Comment, CustomFieldValue, Priority, Status, Ticket, TicketType, User,
};
use super::seed::html_paragraphs;

/// Parses a request body and returns its `ticket` object.
pub(crate) fn ticket_object(body: &[u8]) -> Result<Map<String, Value>, ZendeskError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ZendeskError::BadRequest(
            "InvalidJSON",
            format!("the request body is not valid json: {e}"),
        )
    })?;
    match value.get("ticket") {
        Some(Value::Object(map)) => Ok(map.clone()),
        _ => Err(ZendeskError::BadRequest(
            "InvalidJSON",
            "the request body has no ticket object".to_owned(),
        )),
    }
}

/// Normalizes tags as Zendesk does: lowercase, spaces split a string into several tags.
pub(crate) fn tag_list(value: &Value) -> Option<Vec<String>> {
    let raw: Vec<String> = match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<_>>()?,
        Value::Null => Vec::new(),
        _ => return None,
    };
    let mut tags: Vec<String> = Vec::new();
    for tag in raw.iter().flat_map(|s| s.split_whitespace()) {
        let tag = tag.to_lowercase();
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Some(tags)
}

fn invalid(field: &str, label: &str) -> FieldError {
    FieldError::new(field, format!("{label}: is invalid"), "InvalidValue")
}

fn id_field(value: &Value) -> Option<Option<u64>> {
    match value {
        Value::Null => Some(None),
        Value::Number(n) => n.as_u64().map(Some),
        Value::String(s) => s.parse().ok().map(Some),
        _ => None,
    }
}

/// The comment a write carries, before it gets ids.
#[derive(Debug)]
pub(crate) struct CommentInput {
    body: String,
    html_body: String,
    public: bool,
    author_id: Option<u64>,
    uploads: Vec<String>,
}

use crate::html::strip_tags;

fn comment_input(value: &Value, errors: &mut Vec<FieldError>) -> Option<CommentInput> {
    let Value::Object(map) = value else {
        errors.push(invalid("comment", "Comment"));
        return None;
    };
    let body = map
        .get("body")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty());
    let html = map
        .get("html_body")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty());
    let (body, html_body) = match (body, html) {
        (_, Some(html)) => (strip_tags(html), html.to_owned()),
        (Some(body), None) => (body.to_owned(), html_paragraphs(body)),
        (None, None) => {
            errors.push(FieldError::new(
                "comment",
                "Comment: cannot be blank",
                "BlankValue",
            ));
            return None;
        }
    };
    let public = match map.get("public") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            errors.push(invalid("comment", "Public"));
            true
        }
    };
    let author_id = map.get("author_id").and_then(id_field).flatten();
    let uploads = match map.get("uploads") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(_) => {
            errors.push(invalid("uploads", "Uploads"));
            Vec::new()
        }
    };
    Some(CommentInput {
        body,
        html_body,
        public,
        author_id,
        uploads,
    })
}

/// Applies `input` to `ticket`. Returns the comment to add, if any, already validated.
pub(crate) fn apply(
    data: &Data,
    ticket: &mut Ticket,
    input: &Map<String, Value>,
    creating: bool,
    now: i64,
) -> Result<Option<CommentInput>, ZendeskError> {
    let mut errors = Vec::new();
    if !creating && ticket.status == Status::Closed {
        return Err(ZendeskError::invalid(
            "status",
            "Status: closed prevents ticket update",
            "ClosedPreventsUpdate",
        ));
    }
    let staff = |id: u64| data.user(id).is_some_and(|u: User| u.role.is_staff());
    for (key, value) in input {
        match key.as_str() {
            "subject" | "raw_subject" => match value {
                Value::String(s) => ticket.subject = s.clone(),
                Value::Null => ticket.subject = String::new(),
                _ => errors.push(invalid("subject", "Subject")),
            },
            "status" => match value.as_str().and_then(Status::parse) {
                Some(s) => ticket.status = s,
                None => errors.push(invalid("status", "Status")),
            },
            "priority" => match value {
                Value::Null => ticket.priority = None,
                v => match v.as_str().and_then(Priority::parse) {
                    Some(p) => ticket.priority = Some(p),
                    None => errors.push(invalid("priority", "Priority")),
                },
            },
            "type" => match value {
                Value::Null => ticket.kind = None,
                v => match v.as_str().and_then(TicketType::parse) {
                    Some(t) => ticket.kind = Some(t),
                    None => errors.push(invalid("type", "Type")),
                },
            },
            "assignee_id" => match id_field(value) {
                Some(None) => ticket.assignee_id = None,
                Some(Some(id)) if staff(id) => ticket.assignee_id = Some(id),
                _ => errors.push(FieldError::new(
                    "assignee",
                    "Assignee: is not an agent",
                    "InvalidValue",
                )),
            },
            "group_id" => match id_field(value) {
                Some(None) => ticket.group_id = None,
                Some(Some(id)) if data.group(id).is_some() => ticket.group_id = Some(id),
                _ => errors.push(invalid("group", "Group")),
            },
            "organization_id" => match id_field(value) {
                Some(None) => ticket.organization_id = None,
                Some(Some(id)) if data.organization(id).is_some() => {
                    ticket.organization_id = Some(id);
                }
                _ => errors.push(invalid("organization", "Organization")),
            },
            "requester_id" => match id_field(value) {
                Some(Some(id)) if data.user(id).is_some() => ticket.requester_id = id,
                _ => errors.push(invalid("requester", "Requester")),
            },
            "submitter_id" if creating => match id_field(value) {
                Some(Some(id)) if data.user(id).is_some() => ticket.submitter_id = id,
                _ => errors.push(invalid("submitter", "Submitter")),
            },
            "external_id" => match value {
                Value::Null => ticket.external_id = None,
                Value::String(s) => ticket.external_id = Some(s.clone()),
                Value::Number(n) => ticket.external_id = Some(n.to_string()),
                _ => errors.push(invalid("external_id", "External")),
            },
            "due_at" => match value {
                Value::Null => ticket.due_at = None,
                Value::String(s) => match DateTime::parse_from_rfc3339(s) {
                    Ok(t) => ticket.due_at = Some(t.timestamp()),
                    Err(_) => errors.push(invalid("due_at", "Due date")),
                },
                _ => errors.push(invalid("due_at", "Due date")),
            },
            "tags" => match tag_list(value) {
                Some(tags) => ticket.tags = tags,
                None => errors.push(invalid("tags", "Tags")),
            },
            "additional_tags" => match tag_list(value) {
                Some(tags) => {
                    for tag in tags {
                        if !ticket.tags.contains(&tag) {
                            ticket.tags.push(tag);
                        }
                    }
                }
                None => errors.push(invalid("tags", "Tags")),
            },
            "remove_tags" => match tag_list(value) {
                Some(tags) => ticket.tags.retain(|t| !tags.contains(t)),
                None => errors.push(invalid("tags", "Tags")),
            },
            "collaborator_ids" => match value {
                Value::Array(items) => {
                    let ids: Option<Vec<u64>> =
                        items.iter().map(|i| id_field(i).flatten()).collect();
                    match ids.filter(|ids| ids.iter().all(|id| data.user(*id).is_some())) {
                        Some(ids) => ticket.collaborator_ids = ids,
                        None => errors.push(invalid("collaborators", "Collaborators")),
                    }
                }
                _ => errors.push(invalid("collaborators", "Collaborators")),
            },
            "custom_fields" | "fields" => match value {
                Value::Array(items) => {
                    for item in items {
                        match (
                            item.get("id").and_then(id_field).flatten(),
                            item.get("value"),
                        ) {
                            (Some(id), Some(v)) => {
                                match ticket.custom_fields.iter_mut().find(|f| f.id == id) {
                                    Some(field) => field.value = v.clone(),
                                    None => ticket.custom_fields.push(CustomFieldValue {
                                        id,
                                        value: v.clone(),
                                    }),
                                }
                            }
                            _ => errors.push(invalid("custom_fields", "Custom fields")),
                        }
                    }
                }
                _ => errors.push(invalid("custom_fields", "Custom fields")),
            },
            // Accepted and ignored, as Zendesk ignores unknown and read-only attributes.
            _ => {}
        }
    }
    let mut comment = input
        .get("comment")
        .and_then(|c| comment_input(c, &mut errors));
    if creating && comment.is_none() {
        match input
            .get("description")
            .and_then(Value::as_str)
            .filter(|d| !d.trim().is_empty())
        {
            Some(d) => {
                comment = Some(CommentInput {
                    body: d.to_owned(),
                    html_body: html_paragraphs(d),
                    public: true,
                    author_id: None,
                    uploads: Vec::new(),
                });
            }
            None if !errors.iter().any(|e| e.field == "comment") => errors.push(FieldError::new(
                "description",
                "Description: cannot be blank",
                "BlankValue",
            )),
            None => {}
        }
    }
    if let Some(c) = &comment {
        if c.author_id.is_some_and(|id| data.user(id).is_none()) {
            errors.push(invalid("author", "Author"));
        }
        for token in &c.uploads {
            let usable = data
                .uploads
                .get(token)
                .is_some_and(|u| !u.consumed && u.expires_at > now);
            if !usable {
                errors.push(FieldError::new(
                    "uploads",
                    format!("Uploads: token {token} is invalid or expired"),
                    "InvalidValue",
                ));
            }
        }
    }
    if ticket.status == Status::New && ticket.assignee_id.is_some() && !input.contains_key("status")
    {
        // Assigning a new ticket opens it.
        ticket.status = Status::Open;
    }
    if !errors.is_empty() {
        return Err(ZendeskError::Invalid(errors));
    }
    if let (true, Some(c)) = (creating, &comment) {
        ticket.description = c.body.clone();
        ticket.is_public = c.public;
    }
    ticket.updated_at = now;
    Ok(comment)
}

/// Turns a validated comment into a stored one, consuming its upload tokens.
pub(crate) fn store_comment(
    data: &mut Data,
    ticket_id: u64,
    input: CommentInput,
    author: u64,
    now: i64,
) -> Comment {
    let id = data.next_comment_id;
    data.next_comment_id += 2;
    let mut attachments = Vec::new();
    for token in &input.uploads {
        if let Some(upload) = data.uploads.get_mut(token) {
            upload.consumed = true;
            attachments.extend(upload.attachments.iter().cloned());
        }
    }
    let comment = Comment {
        id,
        audit_id: id + 1,
        author_id: input.author_id.unwrap_or(author),
        body: input.body,
        html_body: input.html_body,
        public: input.public,
        channel: Channel::Name("api"),
        created_at: now,
        attachments,
    };
    data.added_comments
        .entry(ticket_id)
        .or_default()
        .push(comment.clone());
    comment
}
