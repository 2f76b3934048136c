//! App webhooks set through the control API, and the notifications Intercom sends to
//! them: signed with the app's client secret (`X-Hub-Signature: sha1=…`).

use std::time::Duration;

use hmac::{Hmac, Mac};
use reqwest::Method;
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};
use sha1::Sha1;

use crate::control_api::control;
use crate::receiver::{Received, Receiver};
use crate::support::{Harness, start};
use deskgate_sandbox::{DeliveryState, IntercomApp, IntercomWebhook};

/// Checks the signature the way Intercom's documentation tells a receiver to.
fn assert_signed(request: &Received, secret: &str) {
    assert_eq!(
        request.header("user-agent"),
        "intercom-parrot-service-client/1.0"
    );
    assert_eq!(request.header("content-type"), "application/json");
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(&request.body);
    let expected = format!("sha1={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(request.header("x-hub-signature"), expected);
}

async fn set_webhook(h: &Harness, body: Value) -> reqwest::Response {
    control(
        &h.server,
        Method::PUT,
        "/intercom/acme/webhook",
        Some(&body),
    )
    .await
}

#[tokio::test]
async fn ticket_changes_notify_the_oauth_apps_webhook_signed_with_its_client_secret() {
    let h = start().await;
    let receiver = Receiver::start().await;
    let set = set_webhook(
        &h,
        json!({"url": receiver.url, "topics": ["ticket.created", "ticket.state.updated", "ticket.note.created", "ticket.admin.replied", "conversation.deleted"]}),
    )
    .await;
    assert_eq!(set.status(), 200);
    let secret = h.creds.oauth_client_secret.expose_secret().to_owned();

    let created = h
        .post_json(
            "/tickets",
            &json!({"ticket_type_id": h.creds.ticket_type_id, "contacts": [{"id": h.creds.contact_id}], "ticket_attributes": {"_default_title_": "Broken"}}),
        )
        .await;
    let ticket_id = created["id"].as_str().unwrap().to_owned();
    let first = &receiver.wait_for(1).await[0];
    assert_signed(first, &secret);
    let notification = first.json();
    assert_eq!(notification["type"], "notification_event");
    assert_eq!(notification["topic"], "ticket.created");
    assert_eq!(notification["app_id"], h.creds.workspace_id.as_str());
    assert_eq!(notification["data"]["type"], "notification_event_data");
    assert_eq!(notification["data"]["item"]["type"], "ticket");
    assert_eq!(notification["data"]["item"]["id"], ticket_id.as_str());
    assert!(notification["id"].as_str().unwrap().starts_with("notif_"));
    assert_eq!(notification["delivery_attempts"], 1);
    assert_eq!(
        notification["created_at"],
        crate::support::start_time().timestamp()
    );

    let note = json!({"message_type": "note", "type": "admin", "admin_id": h.creds.admin_id, "body": "Looking"});
    h.post_json(&format!("/tickets/{ticket_id}/reply"), &note)
        .await;
    let states = h.get_json("/ticket_states").await;
    let resolved = states["data"][3]["id"].as_str().unwrap().to_owned();
    h.put_json(
        &format!("/tickets/{ticket_id}"),
        &json!({"ticket_state_id": resolved, "admin_id": h.creds.admin_id}),
    )
    .await;
    let deleted = h
        .send(Method::DELETE, &format!("/tickets/{ticket_id}"), &json!({}))
        .await;
    assert_eq!(deleted.status(), 200);
    let requests = receiver.wait_for(4).await;
    let mut topics: Vec<String> = requests[1..]
        .iter()
        .map(|r| {
            assert_signed(r, &secret);
            r.json()["topic"].as_str().unwrap().to_owned()
        })
        .collect();
    topics.sort();
    assert_eq!(
        topics,
        vec![
            "conversation.deleted",
            "ticket.note.created",
            "ticket.state.updated"
        ]
    );
    let gone = requests[1..]
        .iter()
        .map(Received::json)
        .find(|n| n["topic"] == "conversation.deleted")
        .unwrap();
    assert_eq!(gone["data"]["item"]["id"], ticket_id.as_str());
    assert_eq!(gone["data"]["item"]["metrics_retained"], true);

    h.server.sandbox().webhooks_settled().await;
    let log = h
        .server
        .sandbox()
        .webhook_deliveries(Some("intercom"), Some("acme"));
    assert_eq!(log.len(), 4);
    assert!(
        log.iter()
            .all(|d| d.target == "app:oauth" && d.state == DeliveryState::Delivered)
    );
}

#[tokio::test]
async fn the_private_app_signs_with_its_own_secret_and_pings_on_request() {
    let h = start().await;
    let receiver = Receiver::start().await;
    let sandbox = h.server.sandbox();
    sandbox
        .set_intercom_webhook(
            "acme",
            IntercomWebhook {
                url: receiver.url.clone(),
                topics: vec!["ticket.admin.replied".to_owned()],
                app: IntercomApp::PrivateApp,
            },
        )
        .unwrap();
    let ping = control(
        &h.server,
        Method::POST,
        "/intercom/acme/webhook/ping",
        Some(&json!({"app": "private_app"})),
    )
    .await;
    assert_eq!(ping.status(), 202);
    let secret = h.creds.private_app_client_secret.expose_secret().to_owned();
    assert_ne!(secret, h.creds.oauth_client_secret.expose_secret());
    let first = &receiver.wait_for(1).await[0];
    assert_signed(first, &secret);
    assert_eq!(first.json()["topic"], "ping");
    assert_eq!(first.json()["data"]["item"]["type"], "ping");

    let credentials: Value = control(&h.server, Method::GET, "/intercom/acme/credentials", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(credentials["private_app"]["client_secret"], secret.as_str());
    assert_eq!(
        sandbox.intercom_webhooks("acme").unwrap()[0].app,
        IntercomApp::PrivateApp
    );
}

#[tokio::test]
async fn retries_count_their_attempts_and_a_revoked_permission_silences_the_topic() {
    let h = start().await;
    let sandbox = h.server.sandbox();
    sandbox
        .set_webhook_retry_delays(&[Duration::from_millis(5); 2])
        .unwrap();
    let receiver = Receiver::answering(&[500]).await;
    let set = set_webhook(
        &h,
        json!({"url": receiver.url, "topics": ["ticket.admin.replied"], "app": "oauth"}),
    )
    .await;
    assert_eq!(set.status(), 200);
    let reply = json!({"message_type": "comment", "type": "admin", "admin_id": h.creds.admin_id, "body": "Done"});
    h.post_json("/tickets/700005/reply", &reply).await;
    let requests = receiver.wait_for(2).await;
    let secret = h.creds.oauth_client_secret.expose_secret().to_owned();
    let (first, second) = (requests[0].json(), requests[1].json());
    assert_signed(&requests[1], &secret);
    assert_eq!(
        (
            first["delivery_attempts"].as_u64(),
            second["delivery_attempts"].as_u64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(first["id"], second["id"], "the same notification");

    sandbox
        .set_intercom_revoked_scopes("acme", &["read_tickets"])
        .unwrap();
    h.post_json("/tickets/700006/reply", &reply).await;
    sandbox.webhooks_settled().await;
    assert_eq!(sandbox.webhook_deliveries(Some("intercom"), None).len(), 1);

    let unknown = set_webhook(
        &h,
        json!({"url": receiver.url, "topics": ["ticket.exploded"]}),
    )
    .await;
    assert_eq!(unknown.status(), 400);
}
