//! Sending again: one event, or every event of a time range, to one endpoint. The delivery
//! starts over from its first attempt (its attempts so far stay listed); an event the
//! endpoint never had a delivery for (recorded before it existed, or while it was disabled)
//! gets one. Only events the endpoint takes (its types and connection filter) are sent.

use chrono::{DateTime, Utc};
use deskgate_core::TenantId;
use deskgate_store::webhooks::Resend;

use crate::webhooks::endpoints::endpoint_id;
use crate::{App, AppError};

impl App {
    /// Sends the tenant's event `event_id` to the endpoint again.
    pub async fn resend_webhook(
        &self,
        tenant: TenantId,
        endpoint: &str,
        event_id: &str,
    ) -> Result<(), AppError> {
        let endpoint = self.enabled_endpoint(tenant, endpoint).await?;
        match self
            .store()
            .resend_delivery(tenant, endpoint, event_id, Utc::now())
            .await?
        {
            Resend::Scheduled => {
                self.wake_deliveries();
                Ok(())
            }
            Resend::NoSuchEvent => Err(AppError::NotFound("event")),
            // The request is well formed; the endpoint's own filters refuse it.
            Resend::NotMatching => Err(AppError::Conflict(
                "this endpoint does not take this event (its `event_types` or `connection_id` \
                 filter leaves it out): change the endpoint's filters first"
                    .to_owned(),
            )),
        }
    }

    /// Sends again every event of the tenant that occurred in `[from, to)` and that the
    /// endpoint takes; how many.
    pub async fn resend_webhooks(
        &self,
        tenant: TenantId,
        endpoint: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64, AppError> {
        if from >= to {
            return Err(AppError::invalid("to", "must be after `from`"));
        }
        let endpoint = self.enabled_endpoint(tenant, endpoint).await?;
        let scheduled = self
            .store()
            .resend_deliveries(tenant, endpoint, from, to, Utc::now())
            .await?;
        if scheduled > 0 {
            self.wake_deliveries();
        }
        Ok(scheduled)
    }

    /// The endpoint's id, when it is enabled: a resend to a disabled endpoint would wait
    /// unseen until it is enabled again.
    async fn enabled_endpoint(
        &self,
        tenant: TenantId,
        endpoint: &str,
    ) -> Result<uuid::Uuid, AppError> {
        let record = self.endpoint_record(tenant, endpoint_id(endpoint)?).await?;
        if !record.enabled {
            return Err(AppError::WebhookEndpointDisabled);
        }
        Ok(record.id)
    }
}
