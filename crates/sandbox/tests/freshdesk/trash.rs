//! The change feed a poller reads: `updated_since` with `order_by=updated_at`, and the
//! trash (`filter=deleted`), which is where `DELETE` moves a ticket.

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{ids, next_link, start, start_with, unlimited};

/// Ascending by `updated_at`, as a poller walks: what changed since 2026-03-01 12:00:00.
const CHANGED: &str =
    "/api/v2/tickets?updated_since=2026-03-01T12:00:00Z&order_by=updated_at&order_type=asc";

#[tokio::test]
async fn replies_notes_and_updates_move_a_ticket_to_the_end_of_the_ascending_walk() {
    let h = start_with(unlimited("acme", 100)).await;
    let before = ids(&h.get_json(CHANGED).await);
    assert!(before.is_empty(), "nothing changed yet: {before:?}");
    h.clock.advance(Duration::seconds(5));
    let reply = h
        .send_json(
            Method::POST,
            "/api/v2/tickets/10/reply",
            json!({"body": "Hello"}),
        )
        .await;
    assert_eq!(reply.status(), 201);
    h.clock.advance(Duration::seconds(5));
    let note = h
        .send_json(
            Method::POST,
            "/api/v2/tickets/3/notes",
            json!({"body": "Internal"}),
        )
        .await;
    assert_eq!(note.status(), 201);
    h.clock.advance(Duration::seconds(5));
    let update = h
        .send_json(Method::PUT, "/api/v2/tickets/10", json!({"priority": 4}))
        .await;
    assert_eq!(update.status(), 200);
    let changed = h.get_json(CHANGED).await;
    assert_eq!(ids(&changed), vec![3, 10]);
    let stamps: Vec<&str> = changed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["updated_at"].as_str().unwrap())
        .collect();
    assert_eq!(stamps, vec!["2026-03-01T12:00:25Z", "2026-03-01T12:00:30Z"]);
}

#[tokio::test]
async fn a_deleted_ticket_leaves_the_list_and_reads_for_the_trash_filter() {
    let h = start_with(unlimited("acme", 100)).await;
    h.clock.advance(Duration::seconds(10));
    for id in [40, 7] {
        let deleted = h
            .send_json(Method::DELETE, &format!("/api/v2/tickets/{id}"), json!({}))
            .await;
        assert_eq!(deleted.status(), 204);
        h.clock.advance(Duration::seconds(10));
    }
    assert_eq!(h.get("/api/v2/tickets/7").await.status(), 404);
    let again = h
        .send_json(Method::DELETE, "/api/v2/tickets/7", json!({}))
        .await;
    assert_eq!(again.status(), 404, "already in the trash");
    let live = ids(&h
        .get_json("/api/v2/tickets?updated_since=2000-01-01T00:00:00Z&per_page=100")
        .await);
    assert!(!live.contains(&7) && !live.contains(&40) && live.len() == 98);

    let path = format!("{CHANGED}&filter=deleted&per_page=1");
    let first = h.get(&path).await;
    assert_eq!(first.status(), 200);
    let next = next_link(&first).unwrap();
    let first: Value = first.json().await.unwrap();
    assert_eq!(ids(&first), vec![40]);
    assert_eq!(first[0]["deleted"], true);
    assert_eq!(first[0]["updated_at"], "2026-03-01T12:00:25Z");
    assert!(
        next.contains("filter=deleted") && next.contains("page=2"),
        "{next}"
    );
    let second = h
        .http
        .get(&next)
        .header("authorization", h.admin())
        .send()
        .await
        .unwrap();
    assert!(next_link(&second).is_none(), "the last page");
    let second: Value = second.json().await.unwrap();
    assert_eq!(ids(&second), vec![7]);

    // Newest first by default; `updated_since` bounds the trash like the list.
    let newest = h
        .get_json("/api/v2/tickets?filter=deleted&updated_since=2026-03-01T12:00:30Z")
        .await;
    assert_eq!(ids(&newest), vec![7]);
    // Without `updated_since` the default window is about creation, as for the list:
    // these tickets are older than 30 days.
    let recent = h.get_json("/api/v2/tickets?filter=deleted").await;
    assert_eq!(ids(&recent), Vec::<u64>::new());
}

#[tokio::test]
async fn filters_the_sandbox_lacks_are_refused_and_unknown_ones_are_invalid() {
    let h = start().await;
    let spam = h.get("/api/v2/tickets?filter=spam").await;
    assert_eq!(spam.status(), 400);
    let body: Value = spam.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "filter");
    assert_eq!(
        body["errors"][0]["message"],
        "filter=spam is not imitated by the sandbox"
    );
    let bogus = h.get("/api/v2/tickets?filter=bogus").await;
    assert_eq!(bogus.status(), 400);
    let body: Value = bogus.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "invalid_value");
}
