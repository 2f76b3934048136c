//! The [`Sandbox`] accessors for the webhooks it sent: the log, waiting for deliveries to
//! finish, and the retry delays.

use std::time::Duration;

use super::log::WebhookDelivery;
use super::sender::MAX_RETRIES;
use crate::sandbox::{Sandbox, SandboxError};

impl Sandbox {
    /// The recent webhook deliveries (the newest 1,000 of the sandbox), oldest first, of
    /// one vendor (`zendesk`, `freshdesk`, `intercom`) and account if named.
    pub fn webhook_deliveries(
        &self,
        vendor: Option<&str>,
        account: Option<&str>,
    ) -> Vec<WebhookDelivery> {
        self.outbound().deliveries(vendor, account)
    }

    /// Forgets the logged deliveries (those still in flight go on, unlogged).
    pub fn clear_webhook_deliveries(&self) {
        self.outbound().clear();
    }

    /// How many webhook deliveries are still being attempted or waiting to retry.
    pub fn webhooks_in_flight(&self) -> usize {
        self.outbound().in_flight()
    }

    /// Returns once every webhook delivery started so far has succeeded or given up.
    pub async fn webhooks_settled(&self) {
        self.outbound().settled().await;
    }

    /// The waits before each retry of a failed delivery; their number is the number of
    /// retries (at most 10). Every vendor uses them in place of its own, much longer,
    /// schedule.
    pub fn set_webhook_retry_delays(&self, delays: &[Duration]) -> Result<(), SandboxError> {
        if delays.len() > MAX_RETRIES {
            return Err(SandboxError::InvalidConfig(format!(
                "at most {MAX_RETRIES} retry delays"
            )));
        }
        self.outbound().set_retry_delays(delays.to_vec());
        Ok(())
    }

    /// The waits before each retry of a failed delivery.
    pub fn webhook_retry_delays(&self) -> Vec<Duration> {
        self.outbound().retry_delays()
    }
}
