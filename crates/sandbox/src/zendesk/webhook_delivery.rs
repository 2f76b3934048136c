//! Sending ticket events to the webhooks subscribed to them, as Zendesk does: a JSON body
//! `{type, account_id, id, time, zendesk_event_version, subject, detail, event}`, posted
//! to the webhook's endpoint with its custom headers and
//! `X-Zendesk-Webhook-Id`, `X-Zendesk-Webhook-Signature-Timestamp` and
//! `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(secret, timestamp + body)).
//!
//! The events of one write share a `meta.sequence` id, with their position in it. Each
//! attempt is stamped (and so signed) when it is made, on the wall clock: the receiver
//! checks freshness against its own clock, whatever the sandbox's clock says. The
//! event's `time` is the sandbox clock's, when the change happened.

use std::time::Duration;

use base64::Engine as _;
use chrono::{SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use std::sync::MutexGuard;

use super::account::Data;
use super::context::Ctx;
use super::ticket_events::{self, Change, TicketEvent};
use super::webhook_store::Webhook;
use crate::lock::lock;
use crate::outbound::{Message, Outgoing};

/// How long Zendesk waits for a webhook's answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The version ticket events carry.
const EVENT_VERSION: &str = "2022-11-06";

/// base64(HMAC-SHA256(`secret`, `timestamp` + `body`)).
pub(crate) fn signature(secret: &str, timestamp: &str, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        // HMAC takes keys of any length; this cannot happen.
        return String::new();
    };
    mac.update(timestamp.as_bytes());
    mac.update(body.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Works out the events of `change` from `data`, lets go of the data (so that no request
/// holds two of the account's locks), and sends them.
pub(crate) fn announce(ctx: &Ctx, data: MutexGuard<'_, Data>, change: &Change<'_>) {
    let events = ticket_events::of(&data, change);
    drop(data);
    notify(ctx, events);
}

/// Posts each event to the account's webhooks subscribed to its type, in the background.
fn notify(ctx: &Ctx, events: Vec<TicketEvent>) {
    let total = events.len();
    let sequence = uuid::Uuid::new_v4().to_string();
    let time = ctx.clock.now().to_rfc3339_opts(SecondsFormat::Secs, true);
    for (position, event) in events.into_iter().enumerate() {
        let receivers = lock(&ctx.account.webhooks).receiving(&event.event_type);
        if receivers.is_empty() {
            continue;
        }
        let mut details = event.event;
        details["meta"] =
            json!({"sequence": {"id": sequence, "position": position + 1, "total": total}});
        let body = json!({
            "type": event.event_type,
            "account_id": ctx.account.account_id,
            "id": uuid::Uuid::new_v4().to_string(),
            "time": time,
            "zendesk_event_version": EVENT_VERSION,
            "subject": format!("zen:ticket:{}", event.ticket_id),
            "detail": event.detail,
            "event": details,
        })
        .to_string();
        for webhook in receivers {
            ctx.outbound
                .send(message(ctx, webhook, &event.event_type, body.clone()));
        }
    }
}

fn message(ctx: &Ctx, webhook: Webhook, event_type: &str, body: String) -> Message {
    let Webhook {
        id,
        endpoint,
        secret,
        custom_headers,
        ..
    } = webhook;
    let webhook_id = id.clone();
    Message {
        vendor: "zendesk",
        account: ctx.account.config.subdomain.clone(),
        target: id,
        event: event_type.to_owned(),
        url: endpoint,
        timeout: TIMEOUT,
        attempt: Box::new(move |_| {
            let stamp = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
            let mut headers = vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("User-Agent".to_owned(), "Zendesk Webhook".to_owned()),
                ("X-Zendesk-Webhook-Id".to_owned(), webhook_id.clone()),
                (
                    "X-Zendesk-Webhook-Signature".to_owned(),
                    signature(&secret, &stamp, &body),
                ),
                ("X-Zendesk-Webhook-Signature-Timestamp".to_owned(), stamp),
            ];
            headers.extend(custom_headers.clone());
            Outgoing {
                headers,
                body: body.clone(),
            }
        }),
    }
}
