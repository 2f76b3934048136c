//! Freshdesk's answers: a `Link` header (the input's first line) and a body (the rest), as
//! raw bytes and as JSON in the shape of its list pages and error bodies, through every
//! reader and mapper of the connector. No input may panic, and the ticket walk's step may
//! only pick tickets that are on the page.
#![no_main]

use arbitrary::Unstructured;
use deskgate_fuzz::{Shape, shaped};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const FRESHDESK: Shape = Shape {
    keys: &[
        "id",
        "subject",
        "description",
        "description_text",
        "status",
        "priority",
        "source",
        "type",
        "requester_id",
        "responder_id",
        "group_id",
        "company_id",
        "tags",
        "cc_emails",
        "due_by",
        "created_at",
        "updated_at",
        "stats",
        "resolved_at",
        "closed_at",
        "custom_fields",
        "attachments",
        "attachment_url",
        "content_type",
        "file_size",
        "name",
        "body",
        "body_text",
        "incoming",
        "private",
        "user_id",
        "ticket_id",
        "contact",
        "email",
        "phone",
        "mobile",
        "active",
        "agent_type",
        "group_ids",
        "domains",
        "description",
        "errors",
        "field",
        "message",
        "code",
    ],
    strings: &[
        "Question",
        "Incident",
        "Problem",
        "Feature Request",
        "invalid_value",
        "missing_field",
        "datatype_mismatch",
        "Validation failed",
        "acme.com",
    ],
};

fuzz_target!(|data: &[u8]| {
    let (link, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&[][..], data),
    };
    deskgate_freshdesk::fuzzing::read_page(link, body);
    deskgate_freshdesk::fuzzing::read_error(body);
    // Freshdesk's lists are bare arrays of records.
    let mut u = Unstructured::new(body);
    let n = u.int_in_range(0..=4_u8).unwrap_or(0);
    let records: Vec<Value> = (0..n)
        .map(|_| {
            let len = u.int_in_range(0..=256_usize).unwrap_or(0);
            let bytes = u.bytes(len.min(u.len())).unwrap_or_default();
            serde_json::from_slice(&shaped(bytes, &FRESHDESK)).unwrap_or(Value::Null)
        })
        .collect();
    let list = serde_json::to_vec(&records).unwrap_or_default();
    deskgate_freshdesk::fuzzing::read_page(link, &list);
    let error = shaped(body, &FRESHDESK);
    deskgate_freshdesk::fuzzing::read_error(&error);
});
