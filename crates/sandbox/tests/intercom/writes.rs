//! Creating, updating, deleting, replying to and tagging tickets. Every write bumps
//! `updated_at` to the sandbox clock's now.

use base64::Engine as _;
use chrono::Duration;
use deskgate_sandbox::Clock as _;
use serde_json::json;

use crate::support::{assert_error, start};

#[tokio::test]
async fn create_a_ticket_for_a_contact() {
    let h = start().await;
    h.clock.advance(Duration::seconds(30));
    let now = h.clock.now().timestamp();
    let created = h
        .post_json(
            "/tickets",
            &json!({
                "ticket_type_id": h.creds.ticket_type_id,
                "contacts": [{"id": h.creds.contact_id}],
                "ticket_attributes": {"_default_title_": "Printer on fire", "_default_description_": "Smoke everywhere"},
            }),
        )
        .await;
    assert_eq!(created["type"], "ticket");
    assert_eq!(
        created["ticket_id"], "51",
        "numbered after the 50 seeded tickets"
    );
    assert_eq!(
        created["ticket_attributes"]["_default_title_"],
        "Printer on fire"
    );
    assert_eq!(created["ticket_state"]["category"], "submitted");
    assert_eq!(created["open"], true);
    assert_eq!(created["admin_assignee_id"], 0);
    assert_eq!(created["created_at"], now);
    assert_eq!(created["updated_at"], now);
    assert_eq!(
        created["contacts"]["contacts"][0]["id"],
        h.creds.contact_id.as_str()
    );
    let id = created["id"].as_str().unwrap();
    assert_eq!(h.get_json(&format!("/tickets/{id}")).await["id"], id);

    // By email, an unknown address becomes a new user.
    let by_email = h
        .post_json(
            "/tickets",
            &json!({"ticket_type_id": h.creds.ticket_type_id.parse::<u64>().unwrap(),
                    "contacts": [{"email": "new.person@example.org"}],
                    "ticket_attributes": {"_default_title_": "Hello"}}),
        )
        .await;
    let contact = by_email["contacts"]["contacts"][0]["id"].as_str().unwrap();
    assert_eq!(
        h.get_json(&format!("/contacts/{contact}")).await["email"],
        "new.person@example.org"
    );
}

#[tokio::test]
async fn create_refuses_invalid_input_with_intercoms_codes() {
    let h = start().await;
    let h = &h;
    let post = |body: serde_json::Value| async move {
        h.send(reqwest::Method::POST, "/tickets", &body).await
    };
    let contacts = json!([{"id": h.creds.contact_id}]);
    assert_error(
        post(json!({"contacts": contacts})).await,
        400,
        "parameter_not_found",
    )
    .await;
    assert_error(
        post(json!({"ticket_type_id": "1", "contacts": contacts})).await,
        400,
        "parameter_invalid",
    )
    .await;
    assert_error(
        post(
            json!({"ticket_type_id": h.creds.ticket_type_id, "contacts": [{"id": "nope"}],
                "ticket_attributes": {"_default_title_": "t"}}),
        )
        .await,
        400,
        "data_invalid",
    )
    .await;
    assert_error(
        post(json!({"ticket_type_id": h.creds.ticket_type_id})).await,
        400,
        "parameter_not_found",
    )
    .await;
    let untitled =
        post(json!({"ticket_type_id": h.creds.ticket_type_id, "contacts": contacts})).await;
    let body = assert_error(untitled, 400, "parameter_invalid").await;
    assert_eq!(
        body["errors"][0]["message"],
        "Missing required ticket attributes"
    );
    assert_error(
        post(
            json!({"ticket_type_id": h.creds.ticket_type_id, "contacts": contacts,
                    "ticket_attributes": {"colour": "red"}}),
        )
        .await,
        400,
        "parameter_invalid",
    )
    .await;
    // An assignment to nobody the workspace knows (2.16 `assignment`).
    assert_error(
        post(
            json!({"ticket_type_id": h.creds.ticket_type_id, "contacts": contacts,
                    "ticket_attributes": {"_default_title_": "t"},
                    "assignment": {"admin_assignee_id": "12345"}}),
        )
        .await,
        404,
        "assignee_not_found",
    )
    .await;
    let assigned = h
        .post_json(
            "/tickets",
            &json!({"ticket_type_id": h.creds.ticket_type_id, "contacts": contacts,
                    "ticket_attributes": {"_default_title_": "t"},
                    "assignment": {"admin_assignee_id": h.creds.admin_id, "team_assignee_id": h.creds.team_id}}),
        )
        .await;
    assert_eq!(assigned["admin_assignee_id"].to_string(), h.creds.admin_id);
    assert_eq!(assigned["team_assignee_id"].to_string(), h.creds.team_id);
    let not_json = h
        .request(reqwest::Method::POST, "/tickets")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_error(not_json, 400, "parameter_invalid").await;
}

#[tokio::test]
async fn update_state_assignee_and_attributes() {
    let h = start().await;
    let states = h.get_json("/ticket_states").await;
    let resolved = states["data"][3]["id"].as_str().unwrap().to_owned();
    let before = h.get_json("/tickets/700010").await;
    h.clock.advance(Duration::seconds(5));
    let now = h.clock.now().timestamp();
    let updated = h
        .put_json(
            "/tickets/700010",
            &json!({
                "ticket_state_id": resolved,
                "admin_id": h.creds.admin_id,
                "assignee_id": h.creds.admin_id,
                "ticket_attributes": {"_default_title_": "Renamed"},
            }),
        )
        .await;
    assert_eq!(updated["ticket_state"]["id"], resolved.as_str());
    assert_eq!(updated["open"], false);
    assert_eq!(
        updated["admin_assignee_id"],
        h.creds.admin_id.parse::<u64>().unwrap()
    );
    assert_eq!(updated["ticket_attributes"]["_default_title_"], "Renamed");
    assert_eq!(
        updated["ticket_attributes"]["_default_description_"],
        before["ticket_attributes"]["_default_description_"],
        "attributes merge"
    );
    assert_eq!(updated["updated_at"], now);
    let parts = updated["ticket_parts"]["ticket_parts"].as_array().unwrap();
    assert_eq!(
        parts.last().unwrap()["part_type"],
        "ticket_state_updated_by_admin"
    );
    assert_eq!(parts.last().unwrap()["ticket_state"], "resolved");

    let reopened = h
        .put_json(
            "/tickets/700010",
            &json!({"open": true, "assignee_id": "0"}),
        )
        .await;
    assert_eq!(reopened["open"], true);
    assert_eq!(reopened["admin_assignee_id"], 0);
    let team = h
        .put_json("/tickets/700010", &json!({"assignee_id": h.creds.team_id}))
        .await;
    assert_eq!(
        team["team_assignee_id"],
        h.creds.team_id.parse::<u64>().unwrap()
    );

    let bad_state = h
        .send(
            reqwest::Method::PUT,
            "/tickets/700010",
            &json!({"ticket_state_id": "1"}),
        )
        .await;
    assert_error(bad_state, 400, "ticket_state_id_invalid").await;
    let bad_admin = h
        .send(
            reqwest::Method::PUT,
            "/tickets/700010",
            &json!({"admin_id": 1, "open": false}),
        )
        .await;
    assert_error(bad_admin, 404, "assignee_not_found").await;
    let missing = h
        .send(reqwest::Method::PUT, "/tickets/1", &json!({"open": false}))
        .await;
    assert_error(missing, 404, "ticket_not_found").await;
}

#[tokio::test]
async fn delete_answers_the_specs_shape() {
    let h = start().await;
    let response = h
        .send(reqwest::Method::DELETE, "/tickets/700001", &json!({}))
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"id": "700001", "object": "ticket", "deleted": true})
    );
    assert_error(h.get("/tickets/700001").await, 404, "ticket_not_found").await;
    let again = h
        .send(reqwest::Method::DELETE, "/tickets/700001", &json!({}))
        .await;
    assert_error(again, 404, "ticket_not_found").await;
}

#[tokio::test]
async fn replies_with_attachments_notes_and_user_comments() {
    let h = start().await;
    h.clock.advance(Duration::seconds(7));
    let now = h.clock.now().timestamp();
    let data = base64::engine::general_purpose::STANDARD.encode(b"hello file");
    let reply = h
        .post_json(
            "/tickets/700002/reply",
            &json!({
                "message_type": "comment",
                "type": "admin",
                "admin_id": h.creds.admin_id,
                "body": "<p>Fixed it</p>",
                "attachment_files": [{"content_type": "text/plain", "data": data, "name": "log.txt"}],
                "attachment_urls": ["https://example.com/ignored.png"],
            }),
        )
        .await;
    assert_eq!(reply["type"], "ticket_part");
    assert_eq!(reply["part_type"], "comment");
    assert_eq!(reply["body"], "<p>Fixed it</p>");
    assert_eq!(reply["author"]["type"], "admin");
    assert_eq!(reply["author"]["id"], h.creds.admin_id.as_str());
    assert_eq!(reply["created_at"], now);
    let attachments = reply["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1, "files take precedence over URLs");
    assert_eq!(attachments[0]["type"], "upload");
    assert_eq!(attachments[0]["name"], "log.txt");
    assert_eq!(attachments[0]["filesize"], 10);

    let note = h
        .post_json(
            "/tickets/700002/reply",
            &json!({"message_type": "note", "type": "admin", "admin_id": h.creds.admin_id,
                    "body": "internal", "attachment_urls": ["https://example.com/a.png"]}),
        )
        .await;
    assert_eq!(note["part_type"], "note");
    assert_eq!(note["attachments"][0]["url"], "https://example.com/a.png");

    let ticket = h.get_json("/tickets/700002").await;
    assert_eq!(ticket["updated_at"], now);
    let parts = ticket["ticket_parts"]["ticket_parts"].as_array().unwrap();
    assert_eq!(parts[parts.len() - 2]["id"], reply["id"]);

    let contact = ticket["contacts"]["contacts"][0]["id"].as_str().unwrap();
    let category = ticket["category"].as_str().unwrap();
    let user = h
        .send(
            reqwest::Method::POST,
            "/tickets/700002/reply",
            &json!({"message_type": "comment", "type": "user", "intercom_user_id": contact, "body": "thanks"}),
        )
        .await;
    if category == "Customer" {
        assert_eq!(user.status(), 200);
        let part: serde_json::Value = user.json().await.unwrap();
        assert_eq!(part["author"]["type"], "user");
    } else {
        assert_error(user, 400, "parameter_mismatch").await;
    }

    let eleven: Vec<_> = (0..11)
        .map(|i| json!({"content_type": "text/plain", "data": data, "name": format!("{i}.txt")}))
        .collect();
    for (body, status, code) in [
        (
            json!({"message_type": "comment", "type": "admin", "admin_id": h.creds.admin_id, "body": "x", "attachment_files": eleven}),
            400,
            "parameter_invalid",
        ),
        (
            json!({"message_type": "shout", "type": "admin", "admin_id": h.creds.admin_id, "body": "x"}),
            400,
            "parameter_invalid",
        ),
        (
            json!({"message_type": "comment", "type": "admin", "admin_id": 1, "body": "x"}),
            404,
            "admin_not_found",
        ),
        (
            json!({"message_type": "comment", "type": "admin", "admin_id": h.creds.admin_id}),
            400,
            "parameter_not_found",
        ),
        (
            json!({"message_type": "comment", "type": "admin", "admin_id": h.creds.admin_id, "body": "x",
                "attachment_files": [{"content_type": "text/plain", "data": "%%%", "name": "x"}]}),
            400,
            "parameter_invalid",
        ),
    ] {
        let response = h
            .send(reqwest::Method::POST, "/tickets/700002/reply", &body)
            .await;
        assert_error(response, status, code).await;
    }
    let missing = h
        .send(reqwest::Method::POST, "/tickets/1/reply", &json!({"message_type": "note", "type": "admin", "admin_id": h.creds.admin_id, "body": "x"}))
        .await;
    assert_error(missing, 404, "ticket_not_found").await;
}

#[tokio::test]
async fn tag_and_untag_a_ticket() {
    let h = start().await;
    h.clock.advance(Duration::seconds(3));
    let now = h.clock.now().timestamp();
    let tag = h
        .post_json(
            "/tickets/700004/tags",
            &json!({"id": h.creds.tag_id, "admin_id": h.creds.admin_id}),
        )
        .await;
    assert_eq!(tag["type"], "tag");
    assert_eq!(tag["id"], h.creds.tag_id.as_str());
    assert_eq!(tag["applied_at"], now);
    assert_eq!(tag["applied_by"]["type"], "admin");
    assert_eq!(h.get_json("/tickets/700004").await["updated_at"], now);
    let removed = h
        .send(
            reqwest::Method::DELETE,
            &format!("/tickets/700004/tags/{}", h.creds.tag_id),
            &json!({"admin_id": h.creds.admin_id}),
        )
        .await;
    assert_eq!(removed.status(), 200);
    let again = h
        .send(
            reqwest::Method::DELETE,
            &format!("/tickets/700004/tags/{}", h.creds.tag_id),
            &json!({"admin_id": h.creds.admin_id}),
        )
        .await;
    assert_error(again, 404, "tag_not_found").await;
    let unknown = h
        .send(
            reqwest::Method::POST,
            "/tickets/700004/tags",
            &json!({"id": "1", "admin_id": h.creds.admin_id}),
        )
        .await;
    assert_error(unknown, 404, "tag_not_found").await;
    let no_ticket = h
        .send(
            reqwest::Method::POST,
            "/tickets/1/tags",
            &json!({"id": h.creds.tag_id, "admin_id": h.creds.admin_id}),
        )
        .await;
    assert_error(no_ticket, 404, "ticket_not_found").await;
}
