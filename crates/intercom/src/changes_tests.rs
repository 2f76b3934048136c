//! Ticket changes over a scripted Intercom: the search walk and its watermark, the deleted
//! conversations read newest first, and the change cursor.

#![allow(clippy::unwrap_used)]

use chrono::{TimeDelta, Utc};
use deskgate_connector::testing::{Script, assert_corrupt, at};
use deskgate_core::{ChangeCursor, ChangePage, ChangeRequest, ConnectorError};
use serde_json::{Value, json};

use super::*;
use crate::request_tests::{assert_pinned, connector};

/// 2025-01-01T00:00:00Z: the sync's baseline in these tests.
const BASE: i64 = 1_735_689_600;

/// A 2.16 ticket as search returns it.
fn ticket(id: &str, updated_at: i64) -> Value {
    json!({
        "type": "ticket", "id": id, "ticket_id": "7",
        "ticket_attributes": {"_default_title_": format!("Ticket {id}"), "_default_description_": null},
        "ticket_state": {"type": "ticket_state", "id": "8538", "category": "in_progress",
                         "internal_label": "In progress", "external_label": "In progress"},
        "admin_assignee_id": 0, "team_assignee_id": 0,
        "created_at": BASE - 86_400, "updated_at": updated_at, "open": true
    })
}

/// A search page; `next` is Intercom's `starting_after` for the page after it.
fn search(tickets: Vec<Value>, next: Option<&str>) -> Value {
    let mut pages = json!({"type": "pages", "page": 1, "per_page": 50, "total_pages": 1});
    if let Some(after) = next {
        pages["next"] = json!({"per_page": 50, "starting_after": after});
    }
    json!({"type": "ticket.list", "total_count": tickets.len(), "tickets": Value::Array(tickets), "pages": pages})
}

/// A page of `GET /conversations/deleted` (`deleted_conversation_list`).
fn deleted(items: &[(&str, i64)], next: bool) -> Value {
    let conversations: Vec<Value> = items
        .iter()
        .map(|(id, at)| json!({"type": "conversation", "id": id, "metrics_retained": false, "deleted_at": at}))
        .collect();
    let next = next.then_some(
        "https://api.eu.intercom.io/conversations/deleted?per_page=60&order=desc&page=2",
    );
    json!({
        "type": "conversations.list",
        "total_count": conversations.len(),
        "pages": {"type": "pages", "page": 1, "per_page": 60, "total_pages": 2, "next": next},
        "conversations": conversations,
    })
}

fn request(cursor: Option<&ChangeCursor>) -> ChangeRequest {
    ChangeRequest {
        cursor: cursor.cloned(),
        since: at(BASE) + TimeDelta::milliseconds(250),
        limit: 50,
    }
}

fn ids(page: &ChangePage) -> Vec<&str> {
    page.tickets.iter().map(|t| t.id.as_str()).collect()
}

fn deleted_ids(page: &ChangePage) -> Vec<(&str, Option<i64>)> {
    page.deleted
        .iter()
        .map(|d| (d.id.as_str(), d.deleted_at.map(|t| t.timestamp())))
        .collect()
}

#[tokio::test]
async fn a_round_walks_the_search_then_the_deleted_list_and_moves_both_watermarks() {
    let script = Script::new(vec![
        // The search answers in no particular order.
        (
            200,
            search(
                vec![ticket("12", BASE + 50), ticket("11", BASE + 10)],
                Some("WzE3MzU2ODk2NjAsMTJd"),
            ),
        ),
        (
            200,
            search(vec![ticket("13", BASE + 30), ticket("10", BASE)], None),
        ),
        (
            200,
            deleted(
                &[("40", BASE + 70), ("39", BASE + 20), ("38", BASE - 5)],
                true,
            ),
        ),
    ]);
    let c = connector(&script);

    let first = c.ticket_changes(&request(None)).await.unwrap();
    assert_eq!(ids(&first), ["12", "11"]);
    assert!(first.more && first.deleted.is_empty());
    // The walk is under way: the watermark stays at the baseline until it is over.
    let position = ChangePosition::from_change_cursor(&first.next).unwrap();
    assert_eq!(position.changed, Watermark::start(at(BASE)));
    assert!(position.search.is_some());

    let second = c.ticket_changes(&request(Some(&first.next))).await.unwrap();
    assert_eq!(ids(&second), ["13", "10"]);
    assert!(second.more, "the deleted list comes next in the same round");
    let position = ChangePosition::from_change_cursor(&second.next).unwrap();
    assert_eq!(position.feed, Feed::Deleted);
    assert_eq!(position.changed, Watermark::new(at(BASE + 50), vec![12]));
    assert_eq!(position.search, None);

    let third = c
        .ticket_changes(&request(Some(&second.next)))
        .await
        .unwrap();
    assert!(third.tickets.is_empty());
    assert_eq!(
        deleted_ids(&third),
        [("40", Some(BASE + 70)), ("39", Some(BASE + 20))]
    );
    assert!(!third.more, "the round is over");
    let position = ChangePosition::from_change_cursor(&third.next).unwrap();
    assert_eq!(position.feed, Feed::Changed);
    assert_eq!(position.deleted, Watermark::new(at(BASE + 70), vec![40]));

    let seen = script.seen();
    assert_pinned(&seen, "api.eu.intercom.io");
    assert_eq!(seen[0].path, "/tickets/search");
    assert_eq!(
        seen[0].json(),
        json!({"query": {"field": "updated_at", "operator": ">", "value": BASE},
               "pagination": {"per_page": 50}})
    );
    assert_eq!(
        seen[1].json()["pagination"],
        json!({"per_page": 50, "starting_after": "WzE3MzU2ODk2NjAsMTJd"})
    );
    assert_eq!(
        seen[1].json()["query"]["value"],
        BASE,
        "one walk, one query"
    );
    assert_eq!(
        (seen[2].method.as_str(), seen[2].path.as_str()),
        ("GET", "/conversations/deleted")
    );
    assert_eq!(seen[2].param("order").as_deref(), Some("desc"));
    assert_eq!(seen[2].param("per_page").as_deref(), Some("60"));
    assert_eq!(seen[2].param("page").as_deref(), Some("1"));
}

#[tokio::test]
async fn tickets_already_answered_at_the_watermark_are_dropped_and_others_there_kept() {
    let position = ChangePosition {
        changed: Watermark::new(at(BASE + 50), vec![12]),
        ..ChangePosition::start(at(BASE))
    };
    let script = Script::new(vec![(
        200,
        search(
            vec![
                ticket("12", BASE + 50),
                ticket("14", BASE + 50),
                ticket("15", BASE + 60),
            ],
            None,
        ),
    )]);
    let c = connector(&script);
    let page = c
        .ticket_changes(&request(Some(&position.change_cursor())))
        .await
        .unwrap();
    assert_eq!(ids(&page), ["14", "15"]);
    assert_eq!(script.seen()[0].json()["query"]["value"], BASE + 50);
    let next = ChangePosition::from_change_cursor(&page.next).unwrap();
    assert_eq!(next.changed, Watermark::new(at(BASE + 60), vec![15]));
}

#[tokio::test]
async fn tickets_changed_moments_ago_are_answered_but_the_watermark_stays_behind_them() {
    let now = Utc::now().timestamp();
    let script = Script::new(vec![(
        200,
        search(vec![ticket("21", BASE + 5), ticket("22", now - 3)], None),
    )]);
    let c = connector(&script);
    let page = c.ticket_changes(&request(None)).await.unwrap();
    assert_eq!(ids(&page), ["21", "22"]);
    let next = ChangePosition::from_change_cursor(&page.next).unwrap();
    // Ticket 22 may still gain a change within its second, or a ticket indexed late may
    // share it: the next round asks from ticket 21 on, and answers 22 again.
    assert_eq!(next.changed, Watermark::new(at(BASE + 5), vec![21]));
}

#[tokio::test]
async fn a_long_deleted_list_is_read_until_a_deletion_older_than_the_watermark() {
    let position = ChangePosition {
        feed: Feed::Deleted,
        deleted: Watermark::new(at(BASE + 10), vec![30]),
        ..ChangePosition::start(at(BASE))
    };
    let script = Script::new(vec![
        (
            200,
            deleted(
                &[("33", BASE + 40), ("32", BASE + 40), ("31", BASE + 20)],
                true,
            ),
        ),
        (
            200,
            deleted(
                &[
                    ("34", BASE + 10),
                    ("30", BASE + 10),
                    ("29", BASE + 9),
                    ("28", BASE + 8),
                ],
                true,
            ),
        ),
    ]);
    let c = connector(&script);
    let first = c
        .ticket_changes(&request(Some(&position.change_cursor())))
        .await
        .unwrap();
    assert_eq!(
        deleted_ids(&first),
        [
            ("33", Some(BASE + 40)),
            ("32", Some(BASE + 40)),
            ("31", Some(BASE + 20))
        ]
    );
    assert!(first.more);
    assert_eq!(
        ChangePosition::from_change_cursor(&first.next)
            .unwrap()
            .deleted,
        Watermark::new(at(BASE + 10), vec![30]),
        "the watermark waits for the walk to end"
    );
    let second = c.ticket_changes(&request(Some(&first.next))).await.unwrap();
    // 30 was answered at the watermark's second; 29 and 28 are older: the walk ends there.
    assert_eq!(deleted_ids(&second), [("34", Some(BASE + 10))]);
    assert!(!second.more);
    let next = ChangePosition::from_change_cursor(&second.next).unwrap();
    assert_eq!(next.deleted, Watermark::new(at(BASE + 40), vec![32, 33]));
    assert_eq!(next.deletions, None);
    assert_eq!(script.seen()[1].param("page").as_deref(), Some("2"));
    assert_eq!(script.left(), 0);
}

#[tokio::test]
async fn a_vendor_error_leaves_the_cursor_where_it_was() {
    let script = Script::new(vec![(
        401,
        json!({"type": "error.list", "errors": [{"code": "unauthorized", "message": "Access Token Invalid"}]}),
    )]);
    let c = connector(&script);
    let e = c.ticket_changes(&request(None)).await.unwrap_err();
    assert!(matches!(e, ConnectorError::Unauthorized { .. }), "{e:?}");
}

#[test]
fn change_cursors_read_back_with_or_without_a_walk_under_way() {
    let idle = ChangePosition {
        changed: Watermark::new(at(BASE + 50), vec![12, 13]),
        ..ChangePosition::start(at(BASE))
    };
    assert_eq!(idle.change_cursor().0, "i1.c.1735689650.c_1.1735689600.");
    let searching = ChangePosition {
        search: Some(SearchWalk {
            cap: at(BASE + 100),
            reached: Watermark::new(at(BASE + 60), vec![9]),
            starting_after: "WzE3MzU2.ODk2NjAsMTJd==".into(),
        }),
        ..idle.clone()
    };
    let deleting = ChangePosition {
        feed: Feed::Deleted,
        deletions: Some(DeletedWalk {
            page: 3,
            reached: Watermark::new(at(BASE + 70), vec![40]),
        }),
        ..idle.clone()
    };
    for position in [idle, searching, deleting] {
        assert_eq!(
            ChangePosition::from_change_cursor(&position.change_cursor()).unwrap(),
            position
        );
    }
}

#[test]
fn a_malformed_change_cursor_is_refused_as_corrupt() {
    assert_corrupt::<ChangePosition>(&[
        "",
        "i1",
        "i1.c.1.",
        "i1.x.1..1.",
        "i1.c.1..1..5",
        "i1.c.1..1..5.1.",
        "i1.d.1..1..1.1.",
        "i1.d.1..1..2.1",
        "i2.c.1..1.",
        "f1.c.1..1.1..1",
    ]);
}
