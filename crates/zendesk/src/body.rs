//! deskgate's writes → Zendesk request bodies (`{"ticket": {...}}`, `{"tags": [...]}`).

use deskgate_core::model::{CustomField, NewComment, NewTicket, TicketPatch};
use serde_json::{Map, Value, json};

use crate::map::{priority_name, status_name, ticket_type_name};

/// Zendesk custom field ids are integers; send one as a number when it is one.
fn field_id(id: &str) -> Value {
    id.parse::<u64>().map_or_else(|_| json!(id), |n| json!(n))
}

fn custom_fields(fields: &[CustomField]) -> Value {
    Value::Array(
        fields
            .iter()
            .map(|f| json!({"id": field_id(&f.id), "value": f.value}))
            .collect(),
    )
}

/// `ids` are digits already checked by the caller; Zendesk takes them as numbers.
fn numeric(id: &str) -> Value {
    field_id(id)
}

pub(crate) fn new_ticket(t: &NewTicket) -> Value {
    let mut ticket = Map::new();
    ticket.insert("subject".into(), json!(t.subject));
    ticket.insert("comment".into(), json!({"body": t.description}));
    if let Some(s) = t.status {
        ticket.insert("status".into(), json!(status_name(s)));
    }
    if let Some(p) = t.priority {
        ticket.insert("priority".into(), json!(priority_name(p)));
    }
    if let Some(k) = t.ticket_type {
        ticket.insert("type".into(), json!(ticket_type_name(k)));
    }
    if let Some(id) = &t.requester_id {
        ticket.insert("requester_id".into(), numeric(id.as_str()));
    }
    if let Some(id) = &t.assignee_id {
        ticket.insert("assignee_id".into(), numeric(id.as_str()));
    }
    if let Some(id) = &t.team_id {
        ticket.insert("group_id".into(), numeric(id.as_str()));
    }
    if !t.tags.is_empty() {
        ticket.insert("tags".into(), json!(t.tags));
    }
    if let Some(due) = t.due_at {
        ticket.insert("due_at".into(), json!(due));
    }
    if !t.custom_fields.is_empty() {
        ticket.insert("custom_fields".into(), custom_fields(&t.custom_fields));
    }
    json!({ "ticket": ticket })
}

pub(crate) fn ticket_patch(p: &TicketPatch) -> Value {
    let mut ticket = Map::new();
    if let Some(s) = &p.subject {
        ticket.insert("subject".into(), json!(s));
    }
    if let Some(s) = p.status {
        ticket.insert("status".into(), json!(status_name(s)));
    }
    if let Some(pr) = p.priority {
        ticket.insert("priority".into(), json!(priority_name(pr)));
    }
    if let Some(k) = p.ticket_type {
        ticket.insert("type".into(), json!(ticket_type_name(k)));
    }
    if let Some(id) = &p.assignee_id {
        ticket.insert("assignee_id".into(), numeric(id.as_str()));
    }
    if let Some(id) = &p.team_id {
        ticket.insert("group_id".into(), numeric(id.as_str()));
    }
    if let Some(tags) = &p.tags {
        // `tags` replaces the whole list on Zendesk, which is what a patch of `tags` means.
        ticket.insert("tags".into(), json!(tags));
    }
    if let Some(due) = p.due_at {
        ticket.insert("due_at".into(), json!(due));
    }
    if let Some(fields) = &p.custom_fields {
        ticket.insert("custom_fields".into(), custom_fields(fields));
    }
    json!({ "ticket": ticket })
}

/// A comment goes in through a ticket update: `{"ticket": {"comment": {...}}}`.
pub(crate) fn comment(c: &NewComment, upload_token: Option<&str>) -> Value {
    let mut comment = Map::new();
    match &c.html_body {
        Some(html) => comment.insert("html_body".into(), json!(html)),
        None => comment.insert("body".into(), json!(c.body)),
    };
    comment.insert("public".into(), json!(c.public));
    if let Some(author) = &c.author_id {
        comment.insert("author_id".into(), numeric(author));
    }
    if let Some(token) = upload_token {
        comment.insert("uploads".into(), json!([token]));
    }
    json!({ "ticket": { "comment": comment } })
}

#[cfg(test)]
mod tests {
    use super::*;
    use deskgate_core::model::{Priority, TicketStatus};

    #[test]
    fn a_patch_sends_only_what_it_changes_in_zendesk_spelling() {
        let patch = TicketPatch {
            status: Some(TicketStatus::OnHold),
            priority: Some(Priority::Urgent),
            team_id: Some("360000000001".into()),
            custom_fields: Some(vec![CustomField {
                id: "27642".into(),
                name: None,
                value: json!("745"),
            }]),
            ..TicketPatch::default()
        };
        assert_eq!(
            ticket_patch(&patch),
            json!({"ticket": {"status": "hold", "priority": "urgent", "group_id": 360000000001_u64,
                "custom_fields": [{"id": 27642, "value": "745"}]}})
        );
    }

    #[test]
    fn a_private_html_comment_with_uploads_goes_through_the_ticket() {
        let c = NewComment {
            body: "ignored".into(),
            html_body: Some("<p>hi</p>".into()),
            public: false,
            author_id: Some("42".into()),
            attachments: vec![],
        };
        assert_eq!(
            comment(&c, Some("tok")),
            json!({"ticket": {"comment": {"html_body": "<p>hi</p>", "public": false,
                "author_id": 42, "uploads": ["tok"]}}})
        );
    }
}
