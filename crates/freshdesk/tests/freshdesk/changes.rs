//! Ticket changes: the ticket walk over live tickets against the sandbox, and the whole
//! round (live tickets, then the trash) against a scripted Freshdesk, since the sandbox does
//! not serve `filter=deleted` yet.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use deskgate_connector::testing::{Answer, Script};
use deskgate_core::model::{TicketPatch, TicketStatus};
use deskgate_core::{ChangeCursor, ChangeRequest, Connector, ConnectorError};
use deskgate_freshdesk::{FreshdeskConnector, FreshdeskDomain};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::support::World;

fn request(cursor: Option<&ChangeCursor>, since: DateTime<Utc>) -> ChangeRequest {
    ChangeRequest {
        cursor: cursor.cloned(),
        since,
        limit: 100,
    }
}

#[tokio::test]
async fn the_first_page_of_a_round_is_the_tickets_changed_since_the_baseline() {
    let world = World::start().await;
    let c = world.connector("acme");
    let baseline = Utc::now();
    let requester = world.credentials("acme").contact_id;
    let created = c
        .create_ticket(
            &serde_json::from_value(json!({
                "subject": "Created after the baseline",
                "description": "Found by the sync",
                "requester_id": requester.to_string(),
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let pending = TicketPatch {
        status: Some(TicketStatus::Pending),
        ..TicketPatch::default()
    };
    let updated = c.update_ticket(&"7".into(), &pending).await.unwrap();
    let page = c.ticket_changes(&request(None, baseline)).await.unwrap();
    let mut ids: Vec<&str> = page.tickets.iter().map(|t| t.id.as_str()).collect();
    ids.sort_unstable();
    let mut expected = vec![created.id.as_str(), updated.id.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected, "only what changed since the baseline");
    assert!(page.deleted.is_empty());
    assert!(page.more, "the trash comes next in the same round");
    assert!(page.next.0.starts_with("f1.d."), "{:?}", page.next);
}

fn scripted(script: &Arc<Script>) -> FreshdeskConnector {
    FreshdeskConnector::new(
        script.upstream().unwrap(),
        FreshdeskDomain::parse("acme").unwrap(),
        SecretString::from("k3y"),
    )
}

fn ticket(id: u64, updated_at: &str) -> Value {
    json!({
        "id": id, "subject": format!("Ticket {id}"), "status": 2, "priority": 1, "source": 2,
        "type": "Question", "requester_id": 501, "responder_id": null, "group_id": null,
        "company_id": null, "tags": [], "custom_fields": {}, "due_by": null,
        "created_at": "2026-01-01T10:00:00Z", "updated_at": updated_at
    })
}

/// A page of tickets; `next` announces the page after it in a `Link` header.
fn page(tickets: Vec<Value>, next: Option<u32>) -> Answer {
    let answer = Answer::json(200, &Value::Array(tickets));
    match next {
        Some(n) => answer.header(
            "link",
            &format!(
                "<https://acme.freshdesk.com/api/v2/tickets?per_page=2&page={n}>; rel=\"next\""
            ),
        ),
        None => answer,
    }
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

#[tokio::test]
async fn a_round_reads_live_tickets_then_the_trash_and_the_next_drops_what_it_answered() {
    let script = Script::answers(vec![
        page(
            vec![
                ticket(11, "2026-01-02T10:00:00Z"),
                ticket(12, "2026-01-02T10:00:05Z"),
            ],
            Some(2),
        ),
        page(
            vec![
                ticket(13, "2026-01-02T10:00:09Z"),
                ticket(14, "2026-01-02T10:00:09Z"),
            ],
            None,
        ),
        page(
            vec![
                json!({"id": 20, "deleted": true, "updated_at": "2026-01-02T11:00:00Z",
                          "created_at": "2026-01-01T00:00:00Z"}),
            ],
            None,
        ),
        // The next round: 13 and 14 again at the watermark's second, and 15 that reached it
        // after they were read.
        page(
            vec![
                ticket(13, "2026-01-02T10:00:09Z"),
                ticket(14, "2026-01-02T10:00:09Z"),
                ticket(15, "2026-01-02T10:00:09Z"),
            ],
            None,
        ),
    ]);
    let c = scripted(&script);
    let since = at("2026-01-02T09:00:00Z");
    let ids = |p: &deskgate_core::ChangePage| -> Vec<String> {
        p.tickets.iter().map(|t| t.id.0.clone()).collect()
    };

    let first = c.ticket_changes(&request(None, since)).await.unwrap();
    assert_eq!(ids(&first), ["11", "12"]);
    assert!(first.more);
    let second = c
        .ticket_changes(&request(Some(&first.next), since))
        .await
        .unwrap();
    assert_eq!(ids(&second), ["13", "14"]);
    assert!(second.more, "the trash is next");
    let third = c
        .ticket_changes(&request(Some(&second.next), since))
        .await
        .unwrap();
    assert!(third.tickets.is_empty());
    assert_eq!(third.deleted.len(), 1);
    assert_eq!(third.deleted[0].id.as_str(), "20");
    assert_eq!(
        third.deleted[0].deleted_at,
        Some(at("2026-01-02T11:00:00Z"))
    );
    assert!(!third.more, "the round is over");
    let next_round = c
        .ticket_changes(&request(Some(&third.next), since))
        .await
        .unwrap();
    assert_eq!(ids(&next_round), ["15"]);

    let seen = script.seen();
    let params = |i: usize| {
        [
            "updated_since",
            "order_by",
            "order_type",
            "per_page",
            "page",
            "filter",
        ]
        .map(|name| seen[i].param(name))
    };
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(seen[0].path, "/api/v2/tickets");
    assert_eq!(
        params(0),
        [
            s("2026-01-02T09:00:00Z"),
            s("updated_at"),
            s("asc"),
            s("100"),
            s("1"),
            None
        ]
    );
    assert_eq!(params(1)[0], s("2026-01-02T10:00:05Z"));
    assert_eq!(
        params(2),
        [
            s("2026-01-02T09:00:00Z"),
            s("updated_at"),
            s("asc"),
            s("100"),
            s("1"),
            s("deleted")
        ]
    );
    assert_eq!(params(3)[0], s("2026-01-02T10:00:09Z"));
    assert_eq!(script.left(), 0);
}

#[tokio::test]
async fn a_corrupt_change_cursor_is_refused_before_any_request() {
    let script = Script::new(vec![]);
    let c = scripted(&script);
    for bad in ["f1.c", "t1.0.1.", "f1.c.1..1.1..0"] {
        let e = c
            .ticket_changes(&request(Some(&ChangeCursor(bad.into())), Utc::now()))
            .await
            .unwrap_err();
        assert!(
            matches!(e, ConnectorError::BadResponse { .. }),
            "{bad}: {e:?}"
        );
    }
    assert!(script.seen().is_empty());
}
