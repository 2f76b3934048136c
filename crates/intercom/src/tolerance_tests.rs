//! What Intercom may leave out. The 2.16 document requires no field of a `ticket`, a
//! `ticket_part`, a `ticket_type` or a `contact_reference`; an answer missing one is
//! incomplete, not dangerous: the list is still answered, with `null` where the field was.
//! A record without its own `id` still fails the page, saying so.

#![allow(clippy::unwrap_used)]

use deskgate_connector::testing::Script;
use deskgate_core::ids::TicketId;
use deskgate_core::{ConnectorError, PageRequest};
use serde_json::{Value, json};

use crate::request_tests::connector;

/// A last page of ticket search hits.
fn search(tickets: &[Value]) -> Value {
    json!({"type": "ticket.list", "tickets": tickets, "pages": {"type": "pages"}})
}

/// A ticket as the 2.16 example has it, trimmed.
fn ticket(id: &str) -> Value {
    json!({
        "type": "ticket", "id": id, "ticket_id": "38",
        "ticket_attributes": {"_default_title_": "Printer on fire"},
        "ticket_state": {"type": "ticket_state", "id": "8538", "category": "in_progress"},
        "ticket_type": {"type": "ticket_type", "id": "1234", "category": "Customer"},
        "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": "6762f2f6"}]},
        "admin_assignee_id": 0, "team_assignee_id": 0,
        "created_at": 1734537974, "updated_at": 1734537976, "open": true
    })
}

#[tokio::test]
async fn a_ticket_without_times_lists_with_nulls() {
    let mut bare = ticket("632");
    bare["created_at"] = json!(null);
    bare.as_object_mut().unwrap().remove("updated_at");
    let script = Script::new(vec![(200, search(&[ticket("631"), bare]))]);
    let page = connector(&script)
        .list_tickets(&PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.items[0].created_at.is_some());
    let t = &page.items[1];
    assert_eq!((t.created_at, t.updated_at), (None, None));
    assert_eq!(t.subject.as_deref(), Some("Printer on fire"));
}

#[tokio::test]
async fn a_ticket_type_or_a_contact_without_an_id_does_not_fail_the_list() {
    // `ticket_type` and `contact_reference` are references here, not the record: their ids
    // are optional in the document and the ticket is read without them.
    let mut odd = ticket("632");
    odd["ticket_type"] = json!({"type": "ticket_type", "category": "Tracker"});
    odd["contacts"] = json!({"type": "contact.list", "contacts": [
        {"type": "contact", "external_id": "ext-1"},
        {"type": "contact", "id": "6762f2f7"},
    ]});
    let mut empty = ticket("633");
    empty["ticket_type"] = json!(null);
    empty["contacts"] = json!({"type": "contact.list", "contacts": null});
    let script = Script::new(vec![(200, search(&[ticket("631"), odd, empty]))]);
    let page = connector(&script)
        .list_tickets(&PageRequest::default())
        .await
        .unwrap();
    let odd = &page.items[1];
    assert_eq!(odd.raw_type.as_deref(), Some("Tracker"));
    assert_eq!(odd.requester_id.as_ref().unwrap().as_str(), "6762f2f7");
    assert!(odd.cc_ids.is_empty());
    let empty = &page.items[2];
    assert_eq!(
        (empty.raw_type.as_deref(), empty.requester_id.as_ref()),
        (None, None)
    );
}

#[tokio::test]
async fn a_ticket_without_an_id_fails_its_page_clearly() {
    let mut nameless = ticket("632");
    nameless.as_object_mut().unwrap().remove("id");
    let script = Script::new(vec![(200, search(&[ticket("631"), nameless]))]);
    match connector(&script)
        .list_tickets(&PageRequest::default())
        .await
    {
        Err(ConnectorError::BadResponse { detail }) => assert!(detail.contains("id"), "{detail}"),
        other => panic!("expected bad_response, got {other:?}"),
    }
}

#[tokio::test]
async fn a_ticket_part_without_created_at_lists_with_a_null_time() {
    // `ticket_part.created_at` is optional in the document.
    let mut with_parts = ticket("631");
    with_parts["ticket_parts"] = json!({"type": "ticket_part.list", "ticket_parts": [
        {"type": "ticket_part", "id": "1", "part_type": "comment", "body": "<p>Hi</p>",
         "created_at": 1734537980, "author": {"type": "user", "id": "6762f2f6"}},
        {"type": "ticket_part", "id": "2", "part_type": "note", "body": "<p>Later</p>",
         "created_at": null, "author": {"type": "admin", "id": "991267461"}},
    ]});
    let script = Script::new(vec![(200, with_parts)]);
    let page = connector(&script)
        .list_comments(&TicketId::from("631"), &PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.items[0].created_at.is_some());
    assert_eq!(page.items[1].created_at, None);
    assert_eq!(page.items[1].body, "Later");
}
