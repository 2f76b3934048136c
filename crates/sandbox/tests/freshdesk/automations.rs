//! Automation rules with a "Trigger Webhook" action, set through the control API, and
//! the unsigned requests they send.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::control_api::control;
use crate::receiver::Receiver;
use crate::support::{Harness, start};
use deskgate_sandbox::{AutomationEvent, DeliveryState, FreshdeskAutomation};

async fn add_rule(h: &Harness, body: Value) -> reqwest::Response {
    control(
        &h.server,
        Method::POST,
        "/freshdesk/acme/automations",
        Some(&body),
    )
    .await
}

#[tokio::test]
async fn ticket_writes_post_the_simple_json_with_exactly_the_rules_headers() {
    let h = start().await;
    let receiver = Receiver::start().await;
    let added = add_rule(
        &h,
        json!({"url": receiver.url, "events": ["ticket_created", "ticket_updated"], "headers": {"X-Deskgate-Token": "s3cret"}}),
    )
    .await;
    assert_eq!(added.status(), 201);
    let rule: Value = added.json().await.unwrap();
    assert_eq!(rule["id"], 1);

    let created = h
        .send_json(
            Method::POST,
            "/api/v2/tickets",
            json!({"email": "a@example.org", "subject": "Broken", "description": "x", "status": 2, "priority": 1}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let first = &receiver.wait_for(1).await[0];
    assert_eq!(first.header("x-deskgate-token"), "s3cret");
    assert_eq!(first.header("content-type"), "application/json");
    assert!(first.headers.get("x-hub-signature").is_none());
    assert_eq!(
        first.json(),
        json!({"freshdesk_webhook": {
            "ticket_id": "51",
            "ticket_subject": "Broken",
            "ticket_status": "Open",
            "ticket_priority": "Low",
            "ticket_url": "https://acme.freshdesk.com/helpdesk/tickets/51",
            "triggered_event": "{ticket_action:created}",
        }})
    );

    let update = h
        .send_json(Method::PUT, "/api/v2/tickets/51", json!({"status": 3}))
        .await;
    assert_eq!(update.status(), 200);
    let note = h
        .send_json(
            Method::POST,
            "/api/v2/tickets/51/notes",
            json!({"body": "hm"}),
        )
        .await;
    assert_eq!(note.status(), 201);
    let reply = h
        .send_json(
            Method::POST,
            "/api/v2/tickets/51/reply",
            json!({"body": "hi"}),
        )
        .await;
    assert_eq!(reply.status(), 201);
    let deleted = h
        .send_json(Method::DELETE, "/api/v2/tickets/51", json!({}))
        .await;
    assert_eq!(deleted.status(), 204);
    let events: Vec<String> = receiver
        .wait_for(5)
        .await
        .iter()
        .map(|r| {
            r.json()["freshdesk_webhook"]["triggered_event"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut later = events[1..].to_vec();
    later.sort();
    assert_eq!(
        later,
        vec![
            "{deleted:true}",
            "{note_type:private}",
            "{reply_sent:sent}",
            "{status:{from:2,to:3}}",
        ]
    );
    h.server.sandbox().webhooks_settled().await;
    let log = h
        .server
        .sandbox()
        .webhook_deliveries(Some("freshdesk"), Some("acme"));
    assert_eq!(log.len(), 5);
    assert!(
        log.iter()
            .all(|d| d.state == DeliveryState::Delivered && d.target == "automation:1")
    );
    assert_eq!(log[0].event, "ticket_created");
    assert_eq!(log[4].event, "ticket_updated");
    let counters = h.server.sandbox().freshdesk_counters("acme").unwrap();
    assert_eq!(counters.automation_webhooks, 5);
}

#[tokio::test]
async fn a_body_template_gets_its_placeholders_and_its_own_content_type_and_rules_run_only_on_their_events()
 {
    let h = start().await;
    let sandbox = h.server.sandbox();
    sandbox
        .set_webhook_retry_delays(&[Duration::from_millis(5)])
        .unwrap();
    let receiver = Receiver::answering(&[502]).await;
    let id = sandbox
        .add_freshdesk_automation(
            "acme",
            FreshdeskAutomation {
                url: receiver.url.clone(),
                events: vec![AutomationEvent::TicketUpdated],
                headers: [(
                    "content-type".to_owned(),
                    "application/json; charset=utf-8".to_owned(),
                )]
                .into(),
                body: Some(r#"{"id": {{ticket.id}}, "status": "{{ticket.status}}", "event": "{{triggered_event}}"}"#.to_owned()),
            },
        )
        .unwrap();
    assert_eq!(id, 1);
    let created = h
        .send_json(
            Method::POST,
            "/api/v2/tickets",
            json!({"email": "a@example.org", "subject": "s", "description": "d", "status": 2, "priority": 1}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let update = h
        .send_json(Method::PUT, "/api/v2/tickets/5", json!({"priority": 4}))
        .await;
    assert_eq!(update.status(), 200);
    let requests = receiver.wait_for(2).await;
    assert_eq!(
        requests[0].body, requests[1].body,
        "a retry sends the same request"
    );
    let types: Vec<_> = requests[1].headers.get_all("content-type").iter().collect();
    assert_eq!(
        types,
        ["application/json; charset=utf-8"],
        "the rule's own type only"
    );
    let body = requests[1].json();
    assert_eq!(body["id"], 5);
    assert!(
        body["event"]
            .as_str()
            .unwrap()
            .starts_with("{priority:{from:"),
        "{body}"
    );
    sandbox.webhooks_settled().await;
    let log = sandbox.webhook_deliveries(Some("freshdesk"), None);
    assert_eq!(log.len(), 1, "the creation runs no ticket_updated rule");
    assert_eq!(log[0].attempts.len(), 2);

    let listed = sandbox.freshdesk_automations("acme").unwrap();
    assert_eq!(listed.len(), 1);
    sandbox.remove_freshdesk_automation("acme", 1).unwrap();
    assert!(sandbox.remove_freshdesk_automation("acme", 1).is_err());
}

#[tokio::test]
async fn a_rule_without_events_or_with_a_bad_url_is_refused() {
    let h = start().await;
    let no_events = add_rule(&h, json!({"url": "http://127.0.0.1:9/", "events": []})).await;
    assert_eq!(no_events.status(), 400);
    let bad_url = add_rule(&h, json!({"url": "ftp://x", "events": ["ticket_created"]})).await;
    assert_eq!(bad_url.status(), 400);
}
