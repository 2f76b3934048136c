//! `POST /v1/webhook-endpoints/{id}/test`: a `ping` sent at once, through the same signing
//! and egress as every delivery, and its outcome answered. It is not an event: it is not in
//! the log, not retried, and not counted in the endpoint's failure streak. A disabled
//! endpoint can be pinged, to check it before enabling it again.

use std::time::Duration;

use chrono::Utc;
use deskgate_core::TenantId;

use crate::events::log::new_event_id;
use crate::webhooks::endpoints::endpoint_id;
use crate::webhooks::send::Target;
use crate::webhooks::signing::webhook_body;
use crate::{App, AppError};

/// The type of the test webhook.
pub const PING: &str = "ping";

/// How a ping went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PingOutcome {
    /// The `webhook-id` it was sent with.
    pub id: String,
    /// Whether the receiver answered 2xx.
    pub delivered: bool,
    pub status: Option<u16>,
    pub duration: Duration,
    pub error: Option<String>,
}

impl App {
    /// Sends a signed `{"type":"ping",…,"data":{"endpoint_id":…}}` to the endpoint now.
    pub async fn ping_webhook_endpoint(
        &self,
        tenant: TenantId,
        id: &str,
    ) -> Result<PingOutcome, AppError> {
        let endpoint = self.endpoint_record(tenant, endpoint_id(id)?).await?;
        let now = Utc::now();
        let data = serde_json::json!({ "endpoint_id": endpoint.id }).to_string();
        let body = webhook_body(PING, now, &data);
        let id = new_event_id();
        let target = Target {
            tenant,
            endpoint: endpoint.id,
            url: &endpoint.url,
            secret: &endpoint.secret,
            previous: endpoint
                .previous_secret
                .as_deref()
                .zip(endpoint.previous_secret_until),
        };
        let sent = self.send_webhook(target, &id, body, now).await;
        Ok(PingOutcome {
            id,
            delivered: sent.delivered(),
            status: sent.status,
            duration: sent.duration,
            error: sent.error,
        })
    }
}
