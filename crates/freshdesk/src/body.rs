//! deskgate's model → Freshdesk request bodies: ticket create and update (status, priority
//! and type back to Freshdesk's numbers and names), replies and notes, as JSON or, with
//! attachments, as `multipart/form-data` with repeated `attachments[]` parts.

use bytes::Bytes;
use deskgate_connector::filters::numeric_field;
use deskgate_core::model::{
    CustomField, NewComment, NewTicket, Priority, TicketPatch, TicketStatus, TicketType,
};
use deskgate_core::{ConnectorError, InputPart};
use http::HeaderValue;
use serde_json::{Map, Value, json};

use crate::domain::VENDOR;
use crate::multipart::Multipart;

type Result<T> = std::result::Result<T, ConnectorError>;

/// A refusal of a body field, before any request.
fn refuse(field: &str, message: &str) -> ConnectorError {
    ConnectorError::refused(InputPart::Body, field, message)
}

/// Freshdesk has no `new` (a ticket is open from the start) and no `on_hold` (its
/// "waiting" states are per-account custom statuses, reachable through passthrough).
pub(crate) fn status_code(status: TicketStatus) -> Result<i64> {
    match status {
        TicketStatus::New | TicketStatus::Open => Ok(2),
        TicketStatus::Pending => Ok(3),
        TicketStatus::Solved => Ok(4),
        TicketStatus::Closed => Ok(5),
        TicketStatus::OnHold => Err(refuse(
            "status",
            "has no freshdesk equivalent: use pending, or set a custom status through passthrough",
        )),
    }
}

pub(crate) fn priority_code(priority: Priority) -> i64 {
    match priority {
        Priority::Low => 1,
        Priority::Normal => 2,
        Priority::High => 3,
        Priority::Urgent => 4,
    }
}

/// The Type field's value; Freshdesk refuses a name the account does not have.
pub(crate) fn type_name(ticket_type: TicketType) -> &'static str {
    match ticket_type {
        TicketType::Question => "Question",
        TicketType::Incident => "Incident",
        TicketType::Problem => "Problem",
        TicketType::Task => "Task",
    }
}

/// Plain text as the HTML Freshdesk stores: escaped, with line breaks kept.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

fn id_value(field: &str, id: &str) -> Result<Value> {
    let digits = numeric_field(VENDOR, field, id)?;
    digits
        .parse::<u64>()
        .map(Value::from)
        .map_err(|_| refuse(field, "must be a freshdesk id (digits only)"))
}

fn custom_fields(fields: &[CustomField]) -> Value {
    Value::Object(
        fields
            .iter()
            .map(|f| (f.id.clone(), f.value.clone()))
            .collect::<Map<String, Value>>(),
    )
}

/// The fields a create and an update share, when given.
#[derive(Clone, Copy, Default)]
struct Common<'a> {
    status: Option<TicketStatus>,
    priority: Option<Priority>,
    ticket_type: Option<TicketType>,
    assignee_id: Option<&'a str>,
    team_id: Option<&'a str>,
    tags: Option<&'a [String]>,
    due_at: Option<chrono::DateTime<chrono::Utc>>,
    custom_fields: Option<&'a [CustomField]>,
}

fn put_common(body: &mut Map<String, Value>, c: Common<'_>) -> Result<()> {
    if let Some(status) = c.status {
        body.insert("status".into(), status_code(status)?.into());
    }
    if let Some(priority) = c.priority {
        body.insert("priority".into(), priority_code(priority).into());
    }
    if let Some(t) = c.ticket_type {
        body.insert("type".into(), type_name(t).into());
    }
    if let Some(id) = c.assignee_id {
        body.insert("responder_id".into(), id_value("assignee_id", id)?);
    }
    if let Some(id) = c.team_id {
        body.insert("group_id".into(), id_value("team_id", id)?);
    }
    if let Some(tags) = c.tags {
        body.insert("tags".into(), json!(tags));
    }
    if let Some(due) = c.due_at {
        body.insert(
            "due_by".into(),
            due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                .into(),
        );
    }
    if let Some(fields) = c.custom_fields.filter(|f| !f.is_empty()) {
        body.insert("custom_fields".into(), custom_fields(fields));
    }
    Ok(())
}

/// `POST /api/v2/tickets`. Freshdesk needs a requester; deskgate's `NewTicket` names one by
/// contact id, so `requester_id` is required here.
pub(crate) fn new_ticket(t: &NewTicket) -> Result<Value> {
    let Some(requester) = t.requester_id.as_ref() else {
        return Err(refuse(
            "requester_id",
            "is required: freshdesk tickets need a requester (a contact id)",
        ));
    };
    let mut body = Map::new();
    body.insert("subject".into(), t.subject.clone().into());
    body.insert("description".into(), html(&t.description).into());
    body.insert(
        "requester_id".into(),
        id_value("requester_id", requester.as_str())?,
    );
    // Freshdesk's own defaults, said explicitly: open, low.
    body.insert("status".into(), 2.into());
    body.insert("priority".into(), 1.into());
    put_common(
        &mut body,
        Common {
            status: t.status,
            priority: t.priority,
            ticket_type: t.ticket_type,
            assignee_id: t.assignee_id.as_ref().map(|id| id.as_str()),
            team_id: t.team_id.as_ref().map(|id| id.as_str()),
            tags: (!t.tags.is_empty()).then_some(t.tags.as_slice()),
            due_at: t.due_at,
            custom_fields: Some(&t.custom_fields),
        },
    )?;
    Ok(Value::Object(body))
}

/// `PUT /api/v2/tickets/{id}`: only the fields given. An empty object means nothing to do.
pub(crate) fn ticket_patch(p: &TicketPatch) -> Result<Map<String, Value>> {
    let mut body = Map::new();
    if let Some(subject) = &p.subject {
        body.insert("subject".into(), subject.clone().into());
    }
    put_common(
        &mut body,
        Common {
            status: p.status,
            priority: p.priority,
            ticket_type: p.ticket_type,
            assignee_id: p.assignee_id.as_ref().map(|id| id.as_str()),
            team_id: p.team_id.as_ref().map(|id| id.as_str()),
            tags: p.tags.as_deref(),
            due_at: p.due_at,
            custom_fields: p.custom_fields.as_deref(),
        },
    )?;
    Ok(body)
}

/// A reply or note body: JSON, or a form when files are attached.
#[derive(Debug)]
pub(crate) enum CommentBody {
    Json(Value),
    Form(HeaderValue, Bytes),
}

/// `POST /tickets/{id}/reply` (public) or `/notes` (private, `private: true`).
pub(crate) fn comment(c: &NewComment) -> Result<CommentBody> {
    let html_body = c.html_body.clone().unwrap_or_else(|| html(&c.body));
    let author = c
        .author_id
        .as_deref()
        .map(|id| numeric_field(VENDOR, "author_id", id))
        .transpose()?;
    if c.attachments.is_empty() {
        let mut body = Map::new();
        body.insert("body".into(), html_body.into());
        if !c.public {
            body.insert("private".into(), true.into());
        }
        if let Some(author) = author {
            body.insert("user_id".into(), id_value("author_id", author)?);
        }
        return Ok(CommentBody::Json(Value::Object(body)));
    }
    let mut form = Multipart::new();
    form.text("body", &html_body);
    if !c.public {
        form.text("private", "true");
    }
    if let Some(author) = author {
        form.text("user_id", author);
    }
    for file in &c.attachments {
        if HeaderValue::from_str(&file.content_type).is_err()
            || file.content_type.contains(['\r', '\n'])
        {
            return Err(refuse(
                "attachments",
                "have a content type that is not a mime type",
            ));
        }
        form.file(
            "attachments[]",
            &file.file_name,
            &file.content_type,
            &file.content,
        );
    }
    let (content_type, bytes) = form.finish();
    Ok(CommentBody::Form(content_type, bytes))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use deskgate_core::model::NewAttachment;

    use super::*;
    use crate::map;

    fn new_ticket_json(extra: &Value) -> NewTicket {
        let mut base =
            json!({"subject": "s", "description": "a < b\nand c", "requester_id": "501"});
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        serde_json::from_value(base).unwrap()
    }

    #[test]
    fn every_status_priority_and_type_written_reads_back_the_same() {
        for s in [
            TicketStatus::Open,
            TicketStatus::Pending,
            TicketStatus::Solved,
            TicketStatus::Closed,
        ] {
            assert_eq!(map::status(status_code(s).unwrap()), s);
        }
        assert_eq!(status_code(TicketStatus::New).unwrap(), 2);
        let priorities = [Priority::Low, Priority::Normal, Priority::High];
        for p in priorities.into_iter().chain([Priority::Urgent]) {
            assert_eq!(map::priority(priority_code(p)), Some(p));
        }
        let types = [
            TicketType::Question,
            TicketType::Incident,
            TicketType::Problem,
        ];
        for t in types.into_iter().chain([TicketType::Task]) {
            assert_eq!(map::ticket_type(type_name(t)), Some(t));
        }
    }

    #[test]
    fn on_hold_is_refused_naming_the_status_field() {
        let e = status_code(TicketStatus::OnHold).unwrap_err();
        assert!(matches!(&e, ConnectorError::Refused { field, .. } if field.field == "status"));
    }

    #[test]
    fn a_new_ticket_carries_its_requester_and_escaped_description() {
        let t = new_ticket_json(
            &json!({"status": "pending", "priority": "urgent", "type": "problem",
            "assignee_id": "44", "team_id": "9", "tags": ["vip"], "due_at": "2026-02-01T00:00:00Z",
            "custom_fields": [{"id": "cf_floor", "value": 2}]}),
        );
        assert_eq!(
            new_ticket(&t).unwrap(),
            json!({"subject": "s", "description": "a &lt; b<br>and c", "requester_id": 501,
                "status": 3, "priority": 4, "type": "Problem", "responder_id": 44, "group_id": 9,
                "tags": ["vip"], "due_by": "2026-02-01T00:00:00Z", "custom_fields": {"cf_floor": 2}})
        );
        let minimal = new_ticket(&new_ticket_json(&json!({}))).unwrap();
        assert_eq!(minimal["status"], 2);
        assert_eq!(minimal["priority"], 1);
        assert!(minimal.get("tags").is_none() && minimal.get("custom_fields").is_none());
    }

    #[test]
    fn a_new_ticket_without_a_requester_or_with_a_bad_id_is_refused() {
        let mut t = new_ticket_json(&json!({}));
        t.requester_id = None;
        let e = new_ticket(&t).unwrap_err();
        assert!(
            matches!(&e, ConnectorError::Refused { field, .. } if field.field == "requester_id")
        );
        let t = new_ticket_json(&json!({"assignee_id": "me"}));
        let e = new_ticket(&t).unwrap_err();
        assert!(
            matches!(&e, ConnectorError::Refused { field, .. } if field.field == "assignee_id")
        );
    }

    #[test]
    fn a_patch_sends_only_what_it_changes() {
        let p: TicketPatch =
            serde_json::from_value(json!({"status": "solved", "tags": []})).unwrap();
        assert_eq!(
            Value::Object(ticket_patch(&p).unwrap()),
            json!({"status": 4, "tags": []})
        );
        assert!(ticket_patch(&TicketPatch::default()).unwrap().is_empty());
    }

    #[test]
    fn a_note_is_private_and_a_reply_is_not() {
        let note: NewComment =
            serde_json::from_value(json!({"body": "x & y", "public": false, "author_id": "44"}))
                .unwrap();
        let CommentBody::Json(body) = comment(&note).unwrap() else {
            panic!()
        };
        assert_eq!(
            body,
            json!({"body": "x &amp; y", "private": true, "user_id": 44})
        );
        let reply: NewComment =
            serde_json::from_value(json!({"body": "x", "html_body": "<b>x</b>"})).unwrap();
        let CommentBody::Json(body) = comment(&reply).unwrap() else {
            panic!()
        };
        assert_eq!(body, json!({"body": "<b>x</b>"}));
    }

    #[test]
    fn attachments_make_a_form_with_repeated_parts() {
        let mut note: NewComment =
            serde_json::from_value(json!({"body": "see files", "public": false})).unwrap();
        for name in ["a.txt", "b.png"] {
            note.attachments.push(NewAttachment {
                file_name: name.into(),
                content_type: "text/plain".into(),
                content: Bytes::from_static(b"hi"),
            });
        }
        let CommentBody::Form(content_type, bytes) = comment(&note).unwrap() else {
            panic!()
        };
        assert!(
            content_type
                .to_str()
                .unwrap()
                .starts_with("multipart/form-data; boundary=")
        );
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        assert_eq!(text.matches("name=\"attachments[]\"").count(), 2);
        assert!(text.contains("name=\"private\"\r\n\r\ntrue\r\n"));
        assert!(text.contains("filename=\"b.png\""));
        note.attachments[0].content_type = "text/plain\r\nX: y".into();
        assert!(comment(&note).is_err());
    }
}
