//! Disabling an endpoint that will not take webhooks: one that answered 410 Gone, or one
//! whose every attempt failed for longer than `disable_after`. The tenant learns it from a
//! `webhook_endpoint.disabled` event (delivered to its other endpoints and in the log) and
//! from the endpoint's `disabled_reason`; `PATCH … {"enabled": true}` resumes it.

use chrono::Utc;
use deskgate_core::{EventType, TenantId};
use uuid::Uuid;

use crate::events::EventDraft;
use crate::webhooks::endpoints::endpoint_audit;
use crate::{App, AppError, RequestContext};

impl App {
    /// Disables the endpoint with `reason` and records the event, once: when another
    /// attempt or replica disabled it first, nothing more happens.
    pub(crate) async fn disable_failing_endpoint(
        &self,
        tenant: TenantId,
        endpoint: Uuid,
        reason: String,
    ) -> Result<(), AppError> {
        let detail = serde_json::json!({ "reason": reason });
        let audit = endpoint_audit(
            tenant,
            endpoint,
            "webhook_endpoint.disable",
            &RequestContext::webhooks(),
            Utc::now(),
            detail,
        );
        if !self
            .store()
            .disable_webhook_endpoint(tenant, endpoint, &reason, &audit)
            .await?
        {
            return Ok(());
        }
        tracing::warn!(%tenant, %endpoint, %reason, "webhook endpoint disabled");
        let event = EventDraft {
            event_type: EventType::WebhookEndpointDisabled,
            connection_id: None,
            data: serde_json::json!({ "endpoint_id": endpoint, "reason": reason }),
        };
        self.record_events(tenant, vec![event]).await?;
        Ok(())
    }
}
