//! Replying to and managing conversations.

use chrono::Duration;
use deskgate_sandbox::Clock as _;
use serde_json::{Value, json};

use crate::support::{assert_error, start};

async fn first_conversation(h: &crate::support::Harness) -> Value {
    let list = h.get_json("/conversations?per_page=1").await;
    let id = list["conversations"][0]["id"].as_str().unwrap().to_owned();
    h.get_json(&format!("/conversations/{id}")).await
}

fn last_part(c: &Value) -> &Value {
    c["conversation_parts"]["conversation_parts"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
}

#[tokio::test]
async fn replies_add_parts_and_a_users_reply_reopens() {
    let h = start().await;
    let c = first_conversation(&h).await;
    let id = c["id"].as_str().unwrap();
    let parts = c["conversation_parts"]["total_count"].as_u64().unwrap();
    h.clock.advance(Duration::seconds(9));
    let now = h.clock.now().timestamp();
    let path = format!("/conversations/{id}/reply");
    let noted = h
        .post_json(
            &path,
            &json!({"message_type": "note", "type": "admin", "admin_id": h.creds.admin_id, "body": "Checked"}),
        )
        .await;
    assert_eq!(noted["type"], "conversation");
    assert_eq!(noted["updated_at"], now);
    assert_eq!(noted["conversation_parts"]["total_count"], parts + 1);
    let part = last_part(&noted);
    assert_eq!(part["part_type"], "note");
    assert_eq!(part["body"], "<p>Checked</p>");
    assert_eq!(part["author"]["type"], "admin");

    let closed = h
        .post_json(
            &format!("/conversations/{id}/parts"),
            &json!({"message_type": "close", "type": "admin", "admin_id": h.creds.admin_id, "body": "Goodbye :)"}),
        )
        .await;
    assert_eq!(closed["state"], "closed");
    assert_eq!(closed["open"], false);
    assert_eq!(last_part(&closed)["part_type"], "close");

    let contact = c["contacts"]["contacts"][0]["id"].as_str().unwrap();
    let reopened = h
        .post_json(
            &path,
            &json!({"message_type": "comment", "type": "user", "intercom_user_id": contact, "body": "Still broken"}),
        )
        .await;
    assert_eq!(reopened["state"], "open");
    assert_eq!(last_part(&reopened)["author"]["type"], "user");

    let bad = h
        .send(
            reqwest::Method::POST,
            &path,
            &json!({"message_type": "note", "type": "user", "intercom_user_id": contact, "body": "x"}),
        )
        .await;
    assert_error(bad, 400, "parameter_invalid").await;
    let missing = h
        .send(
            reqwest::Method::POST,
            "/conversations/1/reply",
            &json!({"message_type": "comment", "type": "admin", "admin_id": h.creds.admin_id, "body": "x"}),
        )
        .await;
    assert_error(missing, 404, "not_found").await;
}

#[tokio::test]
async fn snooze_open_and_assign() {
    let h = start().await;
    let c = first_conversation(&h).await;
    let path = format!("/conversations/{}/parts", c["id"].as_str().unwrap());
    let until = h.clock.now().timestamp() + 3_600;
    let snoozed = h
        .post_json(&path, &json!({"message_type": "snoozed", "admin_id": h.creds.admin_id, "snoozed_until": until}))
        .await;
    assert_eq!(snoozed["state"], "snoozed");
    assert_eq!(snoozed["snoozed_until"], until);
    let opened = h
        .post_json(
            &path,
            &json!({"message_type": "open", "admin_id": h.creds.admin_id}),
        )
        .await;
    assert_eq!(opened["state"], "open");
    assert!(opened["snoozed_until"].is_null());
    let assigned = h
        .post_json(
            &path,
            &json!({"message_type": "assignment", "type": "admin", "admin_id": h.creds.admin_id, "assignee_id": h.creds.team_id}),
        )
        .await;
    assert_eq!(
        assigned["team_assignee_id"],
        h.creds.team_id.parse::<u64>().unwrap()
    );
    for (body, status, code) in [
        (
            json!({"message_type": "close", "admin_id": 1}),
            404,
            "admin_not_found",
        ),
        (
            json!({"message_type": "snoozed", "admin_id": h.creds.admin_id}),
            400,
            "parameter_not_found",
        ),
        (
            json!({"message_type": "assignment", "admin_id": h.creds.admin_id, "assignee_id": 1}),
            404,
            "assignee_not_found",
        ),
        (
            json!({"message_type": "explode", "admin_id": h.creds.admin_id}),
            400,
            "parameter_invalid",
        ),
    ] {
        let response = h.send(reqwest::Method::POST, &path, &body).await;
        assert_error(response, status, code).await;
    }
    h.server
        .sandbox()
        .set_intercom_revoked_scopes("acme", &["write_conversations"])
        .unwrap();
    let refused = h
        .send(
            reqwest::Method::POST,
            &path,
            &json!({"message_type": "open", "admin_id": h.creds.admin_id}),
        )
        .await;
    assert_error(refused, 403, "forbidden").await;
}
