//! An endpoint's delivery attempts, newest first: what was sent when, how the receiver
//! answered and how long it took.

use deskgate_core::TenantId;
use deskgate_store::webhooks::AttemptView;

use crate::webhooks::endpoints::{endpoint_id, id_cursor};
use crate::{App, AppError};

/// Which attempts to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListAttempts {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only the attempts of this event.
    pub event_id: Option<String>,
    pub limit: u32,
}

impl App {
    /// A page of the endpoint's attempts, newest first.
    pub async fn list_webhook_attempts(
        &self,
        tenant: TenantId,
        endpoint: &str,
        query: &ListAttempts,
    ) -> Result<Vec<AttemptView>, AppError> {
        let endpoint = self.endpoint_record(tenant, endpoint_id(endpoint)?).await?;
        Ok(self
            .store()
            .list_delivery_attempts(
                tenant,
                endpoint.id,
                query.event_id.as_deref(),
                id_cursor(query.cursor.as_deref())?,
                query.limit,
            )
            .await?)
    }
}

impl App {
    /// Deletes the attempts, of every tenant, older than the configured retention; how many.
    pub async fn sweep_webhook_attempts(&self) -> Result<u64, AppError> {
        let retention = chrono::TimeDelta::from_std(self.webhook_settings().attempts_retention)
            .unwrap_or(chrono::TimeDelta::MAX);
        let before = chrono::Utc::now()
            .checked_sub_signed(retention)
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
        Ok(self.store().sweep_delivery_attempts(before).await?)
    }
}
