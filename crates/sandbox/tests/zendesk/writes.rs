//! Creating, updating and deleting tickets, comments with uploads, tags.

use chrono::Duration;
use serde_json::{Value, json};

use crate::support::start;

#[tokio::test]
async fn created_ticket_can_be_read_updated_and_deleted() {
    let h = start().await;
    let response = h
        .http
        .post(h.url("/api/v2/tickets.json"))
        .header("authorization", h.admin())
        .json(&json!({"ticket": {"subject": "Printer on fire", "comment": {"body": "It smokes."}, "priority": "urgent", "requester_id": h.creds.end_user_id, "tags": ["fire", "Printer"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let ticket = &body["ticket"];
    assert_eq!(ticket["id"], 51);
    assert_eq!(location, h.url("/api/v2/tickets/51.json"));
    assert_eq!(
        (ticket["status"].clone(), ticket["description"].clone()),
        (json!("new"), json!("It smokes."))
    );
    assert_eq!(ticket["tags"], json!(["fire", "printer"]));
    assert!(ticket["organization_id"].is_u64());
    assert_eq!(body["audit"]["events"][0]["type"], "Comment");

    h.clock.advance(Duration::seconds(90));
    let updated: Value = h
        .put_json(
            "/api/v2/tickets/51",
            json!({"ticket": {"assignee_id": h.creds.agent_user_id}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        updated["ticket"]["status"], "open",
        "assigning a new ticket opens it"
    );
    assert_ne!(updated["ticket"]["updated_at"], ticket["updated_at"]);
    assert_eq!(updated["ticket"]["created_at"], ticket["created_at"]);

    let delete = h
        .http
        .delete(h.url("/api/v2/tickets/51"))
        .header("authorization", h.admin())
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 204);
    assert_eq!(h.get("/api/v2/tickets/51").await.status(), 404);
    assert_eq!(h.get_json("/api/v2/tickets").await["count"], 50);
}

#[tokio::test]
async fn ticket_without_a_comment_is_invalid() {
    let h = start().await;
    let response = h
        .http
        .post(h.url("/api/v2/tickets"))
        .header("authorization", h.admin())
        .json(&json!({"ticket": {"subject": "x"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["details"]["description"][0]["error"], "BlankValue");
}

#[tokio::test]
async fn closed_tickets_refuse_updates() {
    let h = start().await;
    let ticket = h.get_json("/api/v2/tickets/6").await;
    assert_eq!(ticket["ticket"]["status"], "closed");
    let response = h
        .put_json("/api/v2/tickets/6", json!({"ticket": {"priority": "low"}}))
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["details"]["status"][0]["error"],
        "ClosedPreventsUpdate"
    );
}

#[tokio::test]
async fn every_write_moves_updated_at() {
    let h = start().await;
    let before = h.get_json("/api/v2/tickets/2").await["ticket"]["updated_at"].clone();
    h.clock.advance(Duration::seconds(5));
    let response = h
        .http
        .put(h.url("/api/v2/tickets/2/tags"))
        .header("authorization", h.admin())
        .json(&json!({"tags": ["x"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let after = h.get_json("/api/v2/tickets/2").await["ticket"]["updated_at"].clone();
    assert_ne!(before, after);
    assert_eq!(after, "2026-03-01T12:00:20Z");
}

#[tokio::test]
async fn ticket_tags_set_add_and_remove() {
    let h = start().await;
    let send = |method: reqwest::Method, body: Value| {
        h.http
            .request(method, h.url("/api/v2/tickets/3/tags.json"))
            .header("authorization", h.admin())
            .json(&body)
            .send()
    };
    let set = send(reqwest::Method::POST, json!({"tags": ["alpha", "beta"]}))
        .await
        .unwrap();
    assert_eq!(set.status(), 201);
    assert_eq!(
        set.json::<Value>().await.unwrap(),
        json!({"tags": ["alpha", "beta"]})
    );
    let add: Value = send(reqwest::Method::PUT, json!({"tags": ["gamma"]}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(add, json!({"tags": ["alpha", "beta", "gamma"]}));
    let remove: Value = send(reqwest::Method::DELETE, json!({"tags": ["beta"]}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(remove, json!({"tags": ["alpha", "gamma"]}));
    assert_eq!(
        h.get_json("/api/v2/tickets/3/tags").await,
        json!({"tags": ["alpha", "gamma"]})
    );
    let all = h.get_json("/api/v2/tags").await;
    assert!(
        all["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "gamma" && t["count"] == 1)
    );
}

#[tokio::test]
async fn uploads_attach_to_the_comment_that_names_their_token() {
    let h = start().await;
    let upload = h
        .http
        .post(h.url("/api/v2/uploads.json?filename=crash.log"))
        .header("authorization", h.admin())
        .header("content-type", "text/plain")
        .body("boom\n")
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 201);
    let upload: Value = upload.json().await.unwrap();
    let token = upload["upload"]["token"].as_str().unwrap().to_owned();
    assert_eq!(upload["upload"]["attachment"]["file_name"], "crash.log");
    assert_eq!(upload["upload"]["attachments"].as_array().unwrap().len(), 1);

    let update = h
        .put_json(
            "/api/v2/tickets/2",
            json!({"ticket": {"comment": {"body": "log attached", "uploads": [token]}}}),
        )
        .await;
    assert_eq!(update.status(), 200);
    let comments = h.get_json("/api/v2/tickets/2/comments").await;
    let last = comments["comments"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["body"], "log attached");
    let attachment = &last["attachments"][0];
    assert_eq!(
        (
            attachment["file_name"].clone(),
            attachment["content_type"].clone(),
            attachment["size"].clone()
        ),
        (json!("crash.log"), json!("text/plain"), json!(5))
    );
    let content = h
        .http
        .get(attachment["content_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(content.text().await.unwrap(), "boom\n");

    let reuse = h
        .put_json(
            "/api/v2/tickets/2",
            json!({"ticket": {"comment": {"body": "again", "uploads": [token]}}}),
        )
        .await;
    assert_eq!(reuse.status(), 422, "an upload token attaches once");
    let missing = h
        .http
        .post(h.url("/api/v2/uploads"))
        .header("authorization", h.admin())
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
}
