//! The Webhooks API and the ticket events it sends: signed, to a local receiver, retried.

use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::receiver::{Received, Receiver};
use crate::support::{Harness, start};
use deskgate_sandbox::DeliveryState;

fn webhook(endpoint: &str, subscriptions: &[&str]) -> Value {
    json!({"webhook": {
        "name": "deskgate",
        "endpoint": endpoint,
        "http_method": "POST",
        "request_format": "json",
        "status": "active",
        "subscriptions": subscriptions,
        "custom_headers": {"X-Connection": "conn-1"},
    }})
}

/// Creates a webhook; returns its id and signing secret.
async fn create(h: &Harness, endpoint: &str, subscriptions: &[&str]) -> (String, String) {
    let created = h
        .post_json("/api/v2/webhooks", webhook(endpoint, subscriptions))
        .await;
    assert_eq!(created.status(), 201);
    let body: Value = created.json().await.unwrap();
    let id = body["webhook"]["id"].as_str().unwrap().to_owned();
    let secret = h
        .get_json(&format!("/api/v2/webhooks/{id}/signing_secret"))
        .await;
    assert_eq!(secret["signing_secret"]["algorithm"], "SHA256");
    (
        id,
        secret["signing_secret"]["secret"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

/// Checks the signature headers the way Zendesk's documentation tells a receiver to.
fn assert_signed(request: &Received, secret: &str, webhook_id: &str) {
    assert_eq!(request.header("x-zendesk-webhook-id"), webhook_id);
    assert_eq!(request.header("content-type"), "application/json");
    assert_eq!(request.header("x-connection"), "conn-1");
    let timestamp = request.header("x-zendesk-webhook-signature-timestamp");
    assert!(
        chrono::DateTime::parse_from_rfc3339(timestamp).is_ok() && timestamp.ends_with('Z'),
        "{timestamp}"
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(&request.body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(request.header("x-zendesk-webhook-signature"), expected);
}

#[tokio::test]
async fn a_webhook_is_created_shown_and_deleted_with_its_secret_apart() {
    let h = start().await;
    let created = h
        .post_json(
            "/api/v2/webhooks",
            webhook(
                "http://127.0.0.1:9/hook",
                &["zen:event-type:ticket.created"],
            ),
        )
        .await;
    assert_eq!(created.status(), 201);
    let body: Value = created.json().await.unwrap();
    let id = body["webhook"]["id"].as_str().unwrap();
    assert_eq!(id.len(), 26, "a ULID: {id}");
    assert_eq!(body["webhook"]["status"], "active");
    assert_eq!(body["webhook"]["http_method"], "POST");
    assert_eq!(
        body["webhook"]["subscriptions"],
        json!(["zen:event-type:ticket.created"])
    );
    assert_eq!(
        body["webhook"]["created_by"],
        h.creds.admin_user_id.to_string()
    );
    assert!(body["webhook"].get("signing_secret").is_none());
    let shown = h.get_json(&format!("/api/v2/webhooks/{id}")).await;
    assert_eq!(shown["webhook"], body["webhook"]);
    let listed = h.get_json("/api/v2/webhooks").await;
    assert_eq!(listed["webhooks"][0]["id"], id);
    assert_eq!(
        h.delete(&format!("/api/v2/webhooks/{id}")).await.status(),
        204
    );
    let gone = h.get(&format!("/api/v2/webhooks/{id}")).await;
    assert_eq!(gone.status(), 404);
    let body: Value = gone.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "WebhookNotFound");
}

#[tokio::test]
async fn event_subscriptions_need_post_and_json_and_agents_may_not_manage_webhooks() {
    let h = start().await;
    let mut get = webhook(
        "http://127.0.0.1:9/hook",
        &["zen:event-type:ticket.created"],
    );
    get["webhook"]["http_method"] = json!("GET");
    let refused = h.post_json("/api/v2/webhooks", get).await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/webhook/subscriptions"
    );
    let mixed = webhook(
        "http://127.0.0.1:9/hook",
        &["conditional_ticket_events", "zen:event-type:ticket.created"],
    );
    assert_eq!(h.post_json("/api/v2/webhooks", mixed).await.status(), 400);
    let by_agent = h
        .http
        .post(h.url("/api/v2/webhooks"))
        .header("authorization", h.basic_for(&h.creds.agent_email))
        .json(&webhook(
            "http://127.0.0.1:9/hook",
            &["zen:event-type:ticket.created"],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(by_agent.status(), 403);
}

#[tokio::test]
async fn ticket_changes_reach_the_subscribed_webhook_signed_in_zendesks_event_shape() {
    let h = start().await;
    let receiver = Receiver::start().await;
    let (id, secret) = create(
        &h,
        &receiver.url,
        &[
            "zen:event-type:ticket.created",
            "zen:event-type:ticket.status_changed",
            "zen:event-type:ticket.comment_added",
            "zen:event-type:ticket.soft_deleted",
        ],
    )
    .await;

    let created = h
        .post_json(
            "/api/v2/tickets",
            json!({"ticket": {"subject": "Printer on fire", "comment": {"body": "Help"}, "priority": "high"}}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let ticket: Value = created.json().await.unwrap();
    let ticket_id = ticket["ticket"]["id"].as_u64().unwrap();
    let first = &receiver.wait_for(1).await[0];
    assert_signed(first, &secret, &id);
    let event = first.json();
    assert_eq!(event["type"], "zen:event-type:ticket.created");
    assert_eq!(event["account_id"], h.creds.account_id);
    assert_eq!(event["zendesk_event_version"], "2022-11-06");
    assert_eq!(event["subject"], format!("zen:ticket:{ticket_id}"));
    assert_eq!(event["time"], "2026-03-01T12:00:15Z");
    assert!(uuid::Uuid::parse_str(event["id"].as_str().unwrap()).is_ok());
    assert_eq!(event["detail"]["id"], ticket_id.to_string());
    assert_eq!(event["detail"]["status"], "NEW");
    assert_eq!(event["detail"]["priority"], "HIGH");
    assert_eq!(event["detail"]["subject"], "Printer on fire");
    assert_eq!(event["detail"]["via"]["channel"], "web_service");

    // One update: a status change and a comment, two events of one sequence. The
    // priority change is not subscribed to.
    let update = h
        .put_json(
            &format!("/api/v2/tickets/{ticket_id}"),
            json!({"ticket": {"status": "open", "priority": "low", "comment": {"body": "On it", "public": false}}}),
        )
        .await;
    assert_eq!(update.status(), 200);
    let requests = receiver.wait_for(3).await;
    let mut events: Vec<Value> = requests[1..].iter().map(Received::json).collect();
    events.sort_by_key(|e| e["event"]["meta"]["sequence"]["position"].as_u64());
    for request in &requests[1..] {
        assert_signed(request, &secret, &id);
    }
    assert_eq!(events[0]["type"], "zen:event-type:ticket.status_changed");
    assert_eq!(events[0]["event"]["previous"], "NEW");
    assert_eq!(events[0]["event"]["current"], "OPEN");
    assert_eq!(events[1]["type"], "zen:event-type:ticket.comment_added");
    assert_eq!(events[1]["event"]["comment"]["body"], "On it");
    assert_eq!(events[1]["event"]["comment"]["is_public"], false);
    assert_eq!(events[1]["event"]["comment"]["author"]["is_staff"], true);
    assert_eq!(
        events[0]["event"]["meta"]["sequence"]["id"],
        events[1]["event"]["meta"]["sequence"]["id"]
    );
    assert_eq!(
        events[0]["event"]["meta"]["sequence"]["total"], 4,
        "status, custom status, priority, comment"
    );

    assert_eq!(
        h.delete(&format!("/api/v2/tickets/{ticket_id}"))
            .await
            .status(),
        204
    );
    let deleted = receiver.wait_for(4).await[3].json();
    assert_eq!(deleted["type"], "zen:event-type:ticket.soft_deleted");
    assert_eq!(deleted["detail"]["status"], "DELETED");

    h.server.sandbox().webhooks_settled().await;
    let log = h
        .server
        .sandbox()
        .webhook_deliveries(Some("zendesk"), Some("acme"));
    assert_eq!(log.len(), 4, "nothing else was sent");
    assert!(
        log.iter()
            .all(|d| d.state == DeliveryState::Delivered && d.target == id)
    );
}

#[tokio::test]
async fn the_catch_all_subscription_gets_every_ticket_event_and_inactive_webhooks_none() {
    let h = start().await;
    let receiver = Receiver::start().await;
    create(&h, &receiver.url, &["zen:event-type:ticket.*"]).await;
    let mut inactive = webhook(&receiver.url, &["zen:event-type:ticket.*"]);
    inactive["webhook"]["status"] = json!("inactive");
    assert_eq!(
        h.post_json("/api/v2/webhooks", inactive).await.status(),
        201
    );
    let update = h
        .put_json(
            "/api/v2/tickets/2",
            json!({"ticket": {"tags": ["vip"], "subject": "New subject"}}),
        )
        .await;
    assert_eq!(update.status(), 200);
    let types: Vec<String> = receiver
        .wait_for(2)
        .await
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        types.contains(&"zen:event-type:ticket.subject_changed".to_owned()),
        "{types:?}"
    );
    assert!(
        types.contains(&"zen:event-type:ticket.tags_changed".to_owned()),
        "{types:?}"
    );
    h.server.sandbox().webhooks_settled().await;
    assert_eq!(receiver.requests().len(), 2);
}

#[tokio::test]
async fn a_failing_receiver_is_retried_three_times_and_each_attempt_is_logged() {
    let h = start().await;
    let sandbox = h.server.sandbox();
    sandbox
        .set_webhook_retry_delays(&[Duration::from_millis(10); 3])
        .unwrap();
    let receiver = Receiver::answering(&[500, 503]).await;
    let (_, secret) = create(&h, &receiver.url, &["zen:event-type:ticket.tags_changed"]).await;
    let tagged = h
        .put_json("/api/v2/tickets/7/tags", json!({"tags": ["later"]}))
        .await;
    assert_eq!(tagged.status(), 200);
    let requests = receiver.wait_for(3).await;
    for request in &requests {
        assert_signed(request, &secret, request.header("x-zendesk-webhook-id"));
    }
    sandbox.webhooks_settled().await;
    let log = sandbox.webhook_deliveries(Some("zendesk"), None);
    assert_eq!(log.len(), 1);
    let statuses: Vec<Option<u16>> = log[0].attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, vec![Some(500), Some(503), Some(200)]);
    assert_eq!(log[0].state, DeliveryState::Delivered);
    assert_eq!(log[0].event, "zen:event-type:ticket.tags_changed");

    // A receiver that never answers well: four attempts (three retries), then failed.
    let down = Receiver::answering(&[500; 10]).await;
    create(&h, &down.url, &["zen:event-type:ticket.priority_changed"]).await;
    let update = h
        .put_json(
            "/api/v2/tickets/8",
            json!({"ticket": {"priority": "urgent"}}),
        )
        .await;
    assert_eq!(update.status(), 200);
    sandbox.webhooks_settled().await;
    let failed = sandbox
        .webhook_deliveries(Some("zendesk"), None)
        .into_iter()
        .find(|d| d.event == "zen:event-type:ticket.priority_changed")
        .unwrap();
    assert_eq!(failed.attempts.len(), 4);
    assert_eq!(failed.state, DeliveryState::Failed);
}
