//! What a poller of Intercom reads: search on `updated_at`, and
//! `GET /conversations/deleted` for what is gone.

use chrono::Duration;
use deskgate_sandbox::Clock as _;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Harness, assert_error, start};

fn ids(list: &Value, key: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn delete(h: &Harness, path: &str) -> Value {
    let response = h.send(Method::DELETE, path, &json!({})).await;
    assert_eq!(response.status(), 200, "DELETE {path}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn deleted_tickets_and_conversations_are_listed_newest_first_in_pages() {
    let h = start().await;
    let conversation = h.get_json("/conversations?per_page=1").await["conversations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let start = h.clock.now().timestamp();
    h.clock.advance(Duration::seconds(10));
    assert_eq!(delete(&h, "/tickets/700003").await["deleted"], true);
    h.clock.advance(Duration::seconds(10));
    delete(&h, "/tickets/700001").await;
    h.clock.advance(Duration::seconds(10));
    let gone = delete(
        &h,
        &format!("/conversations/{conversation}?retain_metrics=false"),
    )
    .await;
    assert_eq!(
        gone,
        json!({"id": conversation, "object": "conversation", "deleted": true})
    );

    let list = h.get_json("/conversations/deleted").await;
    assert_eq!(list["type"], "conversations.list");
    assert_eq!(list["total_count"], 3);
    assert_eq!(
        ids(&list, "conversations"),
        vec![
            conversation.clone(),
            "700001".to_owned(),
            "700003".to_owned()
        ]
    );
    assert_eq!(
        list["conversations"][0],
        json!({"type": "conversation", "id": conversation, "metrics_retained": false, "deleted_at": start + 30})
    );
    assert_eq!(list["conversations"][2]["metrics_retained"], true);
    assert_eq!(list["conversations"][2]["deleted_at"], start + 10);
    assert_eq!(
        list["pages"],
        json!({"type": "pages", "next": null, "page": 1, "per_page": 20, "total_pages": 1})
    );

    let first = h
        .get_json("/conversations/deleted?per_page=2&order=asc")
        .await;
    assert_eq!(ids(&first, "conversations"), vec!["700003", "700001"]);
    let next = first["pages"]["next"].as_str().unwrap();
    assert_eq!(
        next,
        h.url("/conversations/deleted?per_page=2&order=asc&page=2")
    );
    let second = h
        .get_json(next.strip_prefix(h.base().as_str()).unwrap())
        .await;
    assert_eq!(ids(&second, "conversations"), vec![conversation.clone()]);
    assert_eq!(second["pages"]["next"], Value::Null);
    assert_eq!(second["pages"]["total_pages"], 2);

    assert_error(h.get("/tickets/700001").await, 404, "ticket_not_found").await;
    assert_error(
        h.get("/conversations/deleted?per_page=61").await,
        400,
        "parameter_invalid",
    )
    .await;
    assert_error(
        h.get("/conversations/deleted?order=sideways").await,
        400,
        "parameter_invalid",
    )
    .await;
}

#[tokio::test]
async fn search_on_updated_at_finds_tickets_moved_by_replies_notes_and_state_changes() {
    let h = start().await;
    let states = h.get_json("/ticket_states").await;
    let in_progress = states["data"][1]["id"].as_str().unwrap().to_owned();
    let since = h.clock.now().timestamp() + 1;
    h.clock.advance(Duration::seconds(5));
    let reply = json!({"message_type": "comment", "type": "admin", "admin_id": h.creds.admin_id, "body": "On it"});
    h.post_json("/tickets/700020/reply", &reply).await;
    h.clock.advance(Duration::seconds(5));
    let note = json!({"message_type": "note", "type": "admin", "admin_id": h.creds.admin_id, "body": "Hm"});
    h.post_json("/tickets/700004/reply", &note).await;
    h.clock.advance(Duration::seconds(5));
    h.put_json(
        "/tickets/700011",
        &json!({"ticket_state_id": in_progress, "admin_id": h.creds.admin_id}),
    )
    .await;
    let query = json!({"query": {"operator": "AND", "value": [
        {"field": "updated_at", "operator": ">", "value": since},
        {"field": "updated_at", "operator": "<", "value": since + 60},
    ]}});
    let found = h.post_json("/tickets/search", &query).await;
    assert_eq!(
        ids(&found, "tickets"),
        vec!["700020", "700004", "700011"],
        "in updated_at order"
    );
    let stamps: Vec<i64> = found["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["updated_at"].as_i64().unwrap())
        .collect();
    assert_eq!(stamps, vec![since + 4, since + 9, since + 14]);
}
