//! Ticket create, update and delete, replies and notes, attachments and validation bodies.

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{ids, start};

fn new_ticket() -> Value {
    json!({
        "email": "new.person@example.org",
        "subject": "Printer on fire",
        "description": "<div>It is <b>on fire</b></div>",
        "status": 2,
        "priority": 3,
        "tags": ["hardware"],
    })
}

#[tokio::test]
async fn creating_a_ticket_by_json_answers_201_with_the_ticket() {
    let h = start().await;
    let response = h
        .send_json(Method::POST, "/api/v2/tickets", new_ticket())
        .await;
    assert_eq!(response.status(), 201);
    let t: Value = response.json().await.unwrap();
    assert_eq!(t["id"], 51);
    assert_eq!(t["subject"], "Printer on fire");
    assert_eq!(t["description_text"], "It is on fire");
    assert_eq!(
        (t["status"].as_u64(), t["priority"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(t["tags"], json!(["hardware"]));
    assert_eq!(t["created_at"], "2026-03-01T12:00:15Z");
    let requester: Value = h
        .get_json(&format!("/api/v2/contacts/{}", t["requester_id"]))
        .await;
    assert_eq!(requester["email"], "new.person@example.org");
    // A new ticket is in the default 30-day list, first (newest created).
    assert_eq!(ids(&h.get_json("/api/v2/tickets").await)[0], 51);
    let counters = h.server.sandbox().freshdesk_counters("acme").unwrap();
    assert_eq!(counters.ticket_create_calls, 1);
}

#[tokio::test]
async fn creating_a_ticket_by_multipart_keeps_its_attachments() {
    let h = start().await;
    let response = h
        .send_multipart(
            "/api/v2/tickets",
            &[
                ("email", "a.b@example.org"),
                ("subject", "Logs attached"),
                ("description", "See the logs"),
                ("status", "2"),
                ("priority", "1"),
                ("tags[]", "logs"),
                ("tags[]", "urgent"),
            ],
            &[
                ("log.txt", "text/plain", b"line 1\nline 2\n"),
                ("shot.png", "image/png", &[137, 80, 78, 71]),
            ],
        )
        .await;
    assert_eq!(response.status(), 201);
    let t: Value = response.json().await.unwrap();
    assert_eq!(t["tags"], json!(["logs", "urgent"]));
    let attachments = t["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 2);
    assert_eq!(attachments[0]["name"], "log.txt");
    assert_eq!(attachments[0]["content_type"], "text/plain");
    assert_eq!(attachments[0]["file_size"], 14);
    for key in ["id", "attachment_url", "created_at", "updated_at"] {
        assert!(attachments[0].get(key).is_some(), "attachment lacks {key}");
    }
    let url = attachments[0]["attachment_url"].as_str().unwrap();
    let content = h.http.get(url).send().await.unwrap();
    assert_eq!(content.status(), 200);
    assert_eq!(&content.bytes().await.unwrap()[..], b"line 1\nline 2\n");
}

#[tokio::test]
async fn an_unknown_field_answers_invalid_field() {
    let h = start().await;
    let mut body = new_ticket();
    body["priorty"] = json!(1);
    let response = h.send_json(Method::POST, "/api/v2/tickets", body).await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"description":"Validation failed","errors":[{"field":"priorty","message":"Unexpected/invalid field in request","code":"invalid_field"}]})
    );
}

#[tokio::test]
async fn a_ticket_without_a_requester_or_with_wrong_types_lists_every_error() {
    let h = start().await;
    let response = h
        .send_json(
            Method::POST,
            "/api/v2/tickets",
            json!({"subject": "x", "description": "y", "status": "open", "priority": 9}),
        )
        .await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    let errors = body["errors"].as_array().unwrap();
    let find = |field: &str| errors.iter().find(|e| e["field"] == field).unwrap().clone();
    assert_eq!(find("status")["code"], "datatype_mismatch");
    assert_eq!(
        find("status")["message"],
        "Value set is of type String.It should be a/an Integer"
    );
    assert_eq!(find("priority")["code"], "invalid_value");
    assert_eq!(find("requester_id")["code"], "missing_field");
    let missing = h
        .send_json(
            Method::POST,
            "/api/v2/tickets",
            json!({"email": "a@b.example"}),
        )
        .await;
    let body: Value = missing.json().await.unwrap();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["subject", "description", "status", "priority"]);
    assert!(
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["code"] == "missing_field")
    );
}

#[tokio::test]
async fn invalid_json_and_other_content_types_are_refused() {
    let h = start().await;
    let broken = h
        .http
        .post(h.url("/api/v2/tickets"))
        .header("authorization", h.admin())
        .header("content-type", "application/json")
        .body("{\"subject\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);
    let body: Value = broken.json().await.unwrap();
    assert_eq!(body["description"], "Validation failed");
    assert_eq!(body["errors"][0]["code"], "invalid_json");
    let text = h
        .http
        .post(h.url("/api/v2/tickets"))
        .header("authorization", h.admin())
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 415);
    assert_eq!(
        text.json::<Value>().await.unwrap()["code"],
        "invalid_content_type"
    );
}

#[tokio::test]
async fn tags_on_put_replace_the_tickets_tags() {
    let h = start().await;
    let first = h
        .send_json(
            Method::PUT,
            "/api/v2/tickets/5",
            json!({"tags": ["one", "two"]}),
        )
        .await;
    assert_eq!(first.status(), 200);
    h.clock.advance(Duration::seconds(30));
    let second: Value = h
        .send_json(Method::PUT, "/api/v2/tickets/5", json!({"tags": ["three"]}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["tags"], json!(["three"]));
    assert_eq!(second["updated_at"], "2026-03-01T12:00:45Z");
    let shown = h.get_json("/api/v2/tickets/5").await;
    assert_eq!(shown["tags"], json!(["three"]));
    assert!(
        shown["description"].is_string(),
        "a single ticket has its description"
    );
}

#[tokio::test]
async fn a_deleted_ticket_answers_404_with_an_empty_body() {
    let h = start().await;
    let deleted = h
        .send_json(Method::DELETE, "/api/v2/tickets/50", json!({}))
        .await;
    assert_eq!(deleted.status(), 204);
    let gone = h.get("/api/v2/tickets/50").await;
    assert_eq!(gone.status(), 404);
    assert!(gone.text().await.unwrap().is_empty());
    let again = h
        .send_json(Method::DELETE, "/api/v2/tickets/50", json!({}))
        .await;
    assert_eq!(again.status(), 404);
    assert_eq!(ids(&h.get_json("/api/v2/tickets").await), vec![49]);
}

#[tokio::test]
async fn a_reply_is_public_source_0_and_a_note_is_private_source_2_by_default() {
    let h = start().await;
    h.clock.advance(Duration::minutes(2));
    let reply = h
        .send_json(
            Method::POST,
            "/api/v2/tickets/2/reply",
            json!({"body": "<p>We fixed it</p>"}),
        )
        .await;
    assert_eq!(reply.status(), 201);
    let reply: Value = reply.json().await.unwrap();
    assert_eq!(
        (
            reply["source"].as_u64(),
            reply["private"].as_bool(),
            reply["incoming"].as_bool()
        ),
        (Some(0), Some(false), Some(false))
    );
    assert_eq!(reply["body_text"], "We fixed it");
    assert_eq!(reply["user_id"], h.creds.admin_agent_id);
    let note: Value = h
        .send_json(
            Method::POST,
            "/api/v2/tickets/2/notes",
            json!({"body": "internal"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (note["source"].as_u64(), note["private"].as_bool()),
        (Some(2), Some(true))
    );
    let public_note: Value = h
        .send_json(
            Method::POST,
            "/api/v2/tickets/2/notes",
            json!({"body": "fyi", "private": false}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(public_note["private"], false);
    let conversations = h.get_json("/api/v2/tickets/2/conversations").await;
    let last_three: Vec<u64> = ids(&conversations).into_iter().rev().take(3).collect();
    assert_eq!(
        last_three,
        [
            public_note["id"].as_u64().unwrap(),
            note["id"].as_u64().unwrap(),
            reply["id"].as_u64().unwrap()
        ]
    );
    assert_eq!(
        h.get_json("/api/v2/tickets/2").await["updated_at"],
        "2026-03-01T12:02:15Z"
    );
    let empty = h
        .send_json(Method::POST, "/api/v2/tickets/2/reply", json!({}))
        .await;
    assert_eq!(empty.status(), 400);
    assert_eq!(
        empty.json::<Value>().await.unwrap()["errors"][0]["field"],
        "body"
    );
}

#[tokio::test]
async fn replies_and_notes_take_multipart_attachments() {
    let h = start().await;
    let reply = h
        .send_multipart(
            "/api/v2/tickets/3/reply",
            &[("body", "see file")],
            &[("a.csv", "text/csv", b"a,b\n")],
        )
        .await;
    assert_eq!(reply.status(), 201);
    let reply: Value = reply.json().await.unwrap();
    assert_eq!(reply["attachments"][0]["name"], "a.csv");
    let note = h
        .send_multipart(
            "/api/v2/tickets/3/notes",
            &[("body", "private file"), ("private", "true")],
            &[("b.txt", "text/plain", b"b")],
        )
        .await;
    assert_eq!(note.status(), 201);
    let note: Value = note.json().await.unwrap();
    assert_eq!(
        (note["source"].as_u64(), note["private"].as_bool()),
        (Some(2), Some(true))
    );
    assert_eq!(note["attachments"][0]["file_size"], 1);
}

#[tokio::test]
async fn conversations_page_like_lists() {
    let h = start().await;
    for n in 0..4 {
        let note = h
            .send_json(
                Method::POST,
                "/api/v2/tickets/1/notes",
                json!({"body": format!("note {n}")}),
            )
            .await;
        assert_eq!(note.status(), 201);
    }
    let first = h.get("/api/v2/tickets/1/conversations?per_page=2").await;
    let next = crate::support::next_link(&first).unwrap();
    assert!(
        next.contains("/api/v2/tickets/1/conversations?per_page=2&page=2"),
        "{next}"
    );
    assert_eq!(
        first
            .json::<Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        h.get("/api/v2/tickets/999/conversations").await.status(),
        404
    );
}
