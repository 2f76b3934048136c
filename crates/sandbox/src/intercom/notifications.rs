//! Sending an app's webhook notifications as Intercom does: `POST` of
//! `{"type":"notification_event","app_id","data":{"type":"notification_event_data","item"},
//! "links":{},"id":"notif_…","topic","delivery_status","delivery_attempts","delivered_at",
//! "first_sent_at","created_at","self"}` with `User-Agent:
//! intercom-parrot-service-client/1.0` and `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the
//! raw body>`, keyed with the app's client secret.
//!
//! `app_id` is the workspace id. `created_at` is when the change happened (the sandbox
//! clock); `first_sent_at` when the first attempt was made (the wall clock);
//! `delivery_attempts` counts the attempts, so every retry has its own body and signature.
//! A topic whose permission the workspace's tokens lack (`read_tickets` for `ticket.*`,
//! `read_conversations` for `conversation.*`) is not sent, as Intercom sends topics only
//! to apps with the matching permission.

use std::time::Duration;

use chrono::Utc;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha1::Sha1;

use super::app_webhooks::IntercomWebhook;
use super::context::Ctx;
use super::records::Deleted;
use super::scope::Scope;
use crate::lock::lock;
use crate::outbound::{Message, Outgoing};

/// How long the sandbox waits for an answer (Intercom asks for one within seconds).
const TIMEOUT: Duration = Duration::from_secs(10);
const USER_AGENT: &str = "intercom-parrot-service-client/1.0";

/// `sha1=` and the hex HMAC-SHA1 of `body` keyed with `secret`.
pub(crate) fn signature(secret: &str, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret.as_bytes()) else {
        // HMAC takes keys of any length; this cannot happen.
        return String::new();
    };
    mac.update(body.as_bytes());
    format!("sha1={}", hex::encode(mac.finalize().into_bytes()))
}

/// A deleted conversation (or ticket) as `GET /conversations/deleted` lists it, which is
/// also the item of a `conversation.deleted` notification.
pub(crate) fn deleted_item(deleted: &Deleted) -> Value {
    json!({
        "type": "conversation",
        "id": deleted.id.to_string(),
        "metrics_retained": deleted.metrics_retained,
        "deleted_at": deleted.deleted_at,
    })
}

/// The permission an app needs to be sent `topic`.
fn permission(topic: &str) -> Option<Scope> {
    match topic.split('.').next() {
        Some("ticket") => Some(Scope::ReadTickets),
        Some("conversation") => Some(Scope::ReadConversations),
        Some("contact" | "company") => Some(Scope::ReadUsersCompanies),
        _ => None,
    }
}

/// Sends a notification on `topic` about `item` to every app webhook subscribed to it.
pub(crate) fn notify(ctx: &Ctx, topic: &str, item: &Value) {
    let workspace = &ctx.account;
    if permission(topic).is_some_and(|p| lock(&workspace.settings).revoked.contains(&p)) {
        return;
    }
    let receivers: Vec<IntercomWebhook> = lock(&workspace.webhooks)
        .all()
        .into_iter()
        .filter(|w| w.receives(topic))
        .collect();
    let id = format!("notif_{}", uuid::Uuid::new_v4());
    for webhook in receivers {
        send(ctx, webhook, topic, item, &id);
    }
}

/// What Intercom's "send test request" sends: a `ping` to one app's webhook.
pub(crate) fn ping(ctx: &Ctx, webhook: IntercomWebhook) {
    let item = json!({"type": "ping", "message": "something something interzen"});
    let id = format!("notif_{}", uuid::Uuid::new_v4());
    send(ctx, webhook, "ping", &item, &id);
}

fn send(ctx: &Ctx, webhook: IntercomWebhook, topic: &str, item: &Value, id: &str) {
    let workspace = &ctx.account;
    let secret = workspace.client_secret(webhook.app);
    let app_id = workspace.workspace_id.clone();
    let (topic_text, item, id) = (topic.to_owned(), item.clone(), id.to_owned());
    let created_at = ctx.now_secs();
    let first_sent_at = Utc::now().timestamp();
    ctx.outbound.send(Message {
        vendor: "intercom",
        account: workspace.config.name.clone(),
        target: format!("app:{}", webhook.app.as_str()),
        event: topic.to_owned(),
        url: webhook.url,
        timeout: TIMEOUT,
        attempt: Box::new(move |attempt| {
            let body = json!({
                "type": "notification_event",
                "app_id": app_id,
                "data": {"type": "notification_event_data", "item": item},
                "links": {},
                "id": id,
                "topic": topic_text,
                "delivery_status": null,
                "delivery_attempts": attempt,
                "delivered_at": 0,
                "first_sent_at": first_sent_at,
                "created_at": created_at,
                "self": null,
            })
            .to_string();
            Outgoing {
                headers: vec![
                    ("Content-Type".to_owned(), "application/json".to_owned()),
                    ("User-Agent".to_owned(), USER_AGENT.to_owned()),
                    ("X-Hub-Signature".to_owned(), signature(&secret, &body)),
                ],
                body,
            }
        }),
    });
}
