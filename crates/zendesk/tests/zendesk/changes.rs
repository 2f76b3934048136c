//! Ticket changes: the incremental cursor export against the sandbox (tickets created,
//! updated and deleted come back from the stored cursor, and nothing else), and against a
//! scripted Zendesk for what the sandbox does not serve yet and for the exact requests.

use std::collections::HashSet;

use chrono::{DateTime, TimeDelta, Utc};
use deskgate_connector::testing::{Answer, Script};
use deskgate_core::model::{TicketPatch, TicketStatus};
use deskgate_core::{ChangeCursor, ChangePage, ChangeRequest, Connector, ConnectorError};
use deskgate_upstream::BudgetKey;
use deskgate_zendesk::ZendeskConnector;
use serde_json::{Value, json};

use crate::support::{World, new_ticket, scripted};

fn request(cursor: Option<&ChangeCursor>, since: DateTime<Utc>, limit: u32) -> ChangeRequest {
    ChangeRequest {
        cursor: cursor.cloned(),
        since,
        limit,
    }
}

/// Every page from `cursor` until the export reaches the present; the pages and where the
/// next round starts.
async fn drain(
    c: &ZendeskConnector,
    mut cursor: Option<ChangeCursor>,
    since: DateTime<Utc>,
    limit: u32,
) -> (Vec<ChangePage>, ChangeCursor) {
    let mut pages = Vec::new();
    loop {
        let page = c
            .ticket_changes(&request(cursor.as_ref(), since, limit))
            .await
            .unwrap();
        cursor = Some(page.next.clone());
        let more = page.more;
        pages.push(page);
        assert!(pages.len() < 100, "the export does not end");
        if !more {
            return (pages, cursor.unwrap_or_else(|| unreachable!()));
        }
    }
}

#[tokio::test]
async fn the_export_answers_every_ticket_then_exactly_what_changed_since_the_stored_cursor() {
    let world = World::start().await;
    let c = world.connector("acme", world.api_token("acme"));
    let epoch = DateTime::<Utc>::UNIX_EPOCH;
    let (pages, cursor) = drain(&c, None, epoch, 20).await;
    let all: HashSet<String> = pages
        .iter()
        .flat_map(|p| p.tickets.iter().map(|t| t.id.0.clone()))
        .collect();
    assert_eq!(all.len(), 50, "every seeded ticket, from the epoch on");
    assert!(
        pages
            .iter()
            .all(|p| p.tickets.len() <= 20 && p.deleted.is_empty())
    );
    assert!(cursor.0.starts_with("z1.c."), "{cursor:?}");

    let created = c
        .create_ticket(&new_ticket("Created after the baseline"))
        .await
        .unwrap();
    let updated = c
        .update_ticket(
            &"7".into(),
            &TicketPatch {
                subject: Some("Changed after the baseline".into()),
                ..TicketPatch::default()
            },
        )
        .await
        .unwrap();
    c.delete_ticket(&"9".into()).await.unwrap();

    let (pages, next) = drain(&c, Some(cursor), epoch, 20).await;
    let tickets: Vec<_> = pages.iter().flat_map(|p| p.tickets.iter()).collect();
    let ids: HashSet<&str> = tickets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, HashSet::from([created.id.as_str(), "7"]));
    let seven = tickets.iter().find(|t| t.id.as_str() == "7").unwrap();
    assert_eq!(seven.subject, updated.subject);
    let deleted: Vec<_> = pages.iter().flat_map(|p| p.deleted.iter()).collect();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].id.as_str(), "9");
    assert!(deleted[0].deleted_at.is_some());

    // Nothing changed since: an empty page, and the cursor stays where it was.
    let quiet = c
        .ticket_changes(&request(Some(&next), epoch, 20))
        .await
        .unwrap();
    assert!(quiet.tickets.is_empty() && quiet.deleted.is_empty() && !quiet.more);
    assert_eq!(quiet.next, next);
}

#[tokio::test]
async fn a_first_sync_from_now_starts_two_minutes_back_and_keeps_its_start_while_nothing_changes() {
    let world = World::start().await;
    let c = world.connector("acme", world.api_token("acme"));
    let now = Utc::now();
    let page = c.ticket_changes(&request(None, now, 100)).await.unwrap();
    // The sandbox, like Zendesk, refuses a start_time less than a minute old: the connector
    // asked from earlier, and found nothing changed then.
    assert!(page.tickets.is_empty() && !page.more, "{page:?}");
    assert_eq!(page.next.0, format!("z1.s.{}", now.timestamp()));
}

fn export(tickets: Vec<Value>, after: Option<&str>, end_of_stream: bool) -> Value {
    json!({
        "tickets": Value::Array(tickets),
        "after_cursor": after,
        "after_url": after.map(|a| format!("https://acme.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor={a}")),
        "before_cursor": null,
        "before_url": null,
        "end_of_stream": end_of_stream,
    })
}

/// A ticket as the export sends it (the vendor's example, trimmed).
fn ticket(id: u64, status: &str, updated_at: &str) -> Value {
    json!({
        "id": id, "subject": "Help, my printer is on fire!", "raw_subject": "{{dc.printer_on_fire}}",
        "description": "The fire is very colorful.", "status": status, "priority": "high",
        "type": "incident", "via": {"channel": "web"}, "requester_id": 20978392,
        "assignee_id": 235323, "group_id": 98738, "organization_id": 509974,
        "collaborator_ids": [35334, 234], "tags": ["enterprise"], "custom_fields": [{"id": 27642, "value": "745"}],
        "generated_timestamp": 1304553600, "created_at": "2009-07-20T22:55:29Z", "updated_at": updated_at
    })
}

#[tokio::test]
async fn deleted_tickets_come_apart_and_the_requests_carry_start_time_then_the_cursor() {
    let script = Script::new(vec![
        (
            200,
            export(
                vec![
                    ticket(35436, "open", "2011-05-05T10:38:52Z"),
                    ticket(35437, "deleted", "2011-05-05T10:40:00Z"),
                ],
                Some("MTU3NjYxMzUzOS4wfHw0Njd8"),
                false,
            ),
        ),
        (200, export(vec![], Some("MTU3NjYxMzU0MC4wfHw0Njh8"), true)),
    ]);
    let (c, _) = scripted(&script);
    let since = DateTime::parse_from_rfc3339("2011-05-05T10:00:00Z")
        .unwrap()
        .to_utc();
    let first = c.ticket_changes(&request(None, since, 5000)).await.unwrap();
    assert_eq!(first.tickets.len(), 1);
    assert_eq!(first.tickets[0].id.as_str(), "35436");
    assert_eq!(first.tickets[0].status, TicketStatus::Open);
    assert_eq!(first.deleted.len(), 1);
    assert_eq!(first.deleted[0].id.as_str(), "35437");
    assert_eq!(
        first.deleted[0].deleted_at.map(|t| t.to_rfc3339()),
        Some("2011-05-05T10:40:00+00:00".into())
    );
    assert!(first.more);
    assert_eq!(first.next.0, "z1.c.MTU3NjYxMzUzOS4wfHw0Njd8");

    let second = c
        .ticket_changes(&request(Some(&first.next), since, 0))
        .await
        .unwrap();
    assert!(!second.more);
    assert_eq!(second.next, first.next, "an empty page keeps the cursor");

    let seen = script.seen();
    assert_eq!(seen[0].path, "/api/v2/incremental/tickets/cursor");
    assert_eq!(seen[0].param("start_time").as_deref(), Some("1304589600"));
    assert_eq!(seen[0].param("cursor"), None);
    assert_eq!(seen[0].param("per_page").as_deref(), Some("1000"));
    assert_eq!(
        seen[1].param("cursor").as_deref(),
        Some("MTU3NjYxMzUzOS4wfHw0Njd8")
    );
    assert_eq!(seen[1].param("start_time"), None);
    assert_eq!(seen[1].param("per_page").as_deref(), Some("1"));
}

#[tokio::test]
async fn the_export_spends_its_own_budget_beside_the_accounts() {
    let script = Script::new(vec![(200, export(vec![], None, true))]);
    let (c, upstream) = scripted(&script);
    c.ticket_changes(&request(None, Utc::now() - TimeDelta::hours(1), 100))
        .await
        .unwrap();
    let account = BudgetKey::new("zendesk", "acme").unwrap();
    let export = account.endpoint("incremental_export").unwrap();
    assert!(
        upstream.budget_states().iter().any(|(k, _)| *k == export),
        "{:?}",
        upstream.budget_states()
    );
}

#[tokio::test]
async fn tickets_without_a_cursor_to_go_on_from_fail_the_page_rather_than_be_lost() {
    let script = Script::answers(vec![Answer::json(
        200,
        &export(vec![ticket(1, "open", "2026-01-01T00:00:00Z")], None, true),
    )]);
    let (c, _) = scripted(&script);
    let e = c
        .ticket_changes(&request(None, Utc::now(), 100))
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::BadResponse { .. }), "{e:?}");
    let corrupt = ChangeCursor("z1.c".into());
    let e = c
        .ticket_changes(&request(Some(&corrupt), Utc::now(), 100))
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::BadResponse { .. }), "{e:?}");
    assert_eq!(
        script.seen().len(),
        1,
        "a corrupt cursor is refused before any request"
    );
}
