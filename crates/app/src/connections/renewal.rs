//! Renewal ahead of time: a background task on every replica renews tokens before a call
//! needs them, so that a quiet connection does not die — an OAuth access token within the
//! margin (which also rotates its refresh token, so a refresh token cannot expire unused while
//! its access token is renewed: Zendesk requires the access token to live shorter), and a
//! client-credentials token about to lapse.
//!
//! It goes through the call path's renewal (`App::renew_within`): the in-process lock and
//! the row lease, so a renewal here never races one on a call or on another replica. A refused
//! grant (`invalid_grant`, a 401) marks the connection `needs_reauth`, which takes it out of
//! the work list: it is never retried in a loop. Other failures (the vendor down) are tried
//! again on the next round.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use rand::Rng;

use crate::{App, AppError, RequestContext};

/// How the background renewal runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenewalSettings {
    /// Time between rounds; each round waits this ± a fifth, so replicas drift apart.
    pub interval: Duration,
    /// A token expiring within this is renewed. Longer than the call path's two minutes,
    /// so that calls rarely wait for a renewal.
    pub margin: Duration,
    /// Connections renewed at most per round.
    pub batch: u32,
}

impl Default for RenewalSettings {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(60),
            margin: Duration::from_secs(300),
            batch: 200,
        }
    }
}

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RenewalReport {
    /// Connections the round found due.
    pub due: usize,
    /// Renewed by this round.
    pub renewed: usize,
    /// Renewed meanwhile by a call or another replica, so left alone.
    pub already_renewed: usize,
    /// Refused by the vendor: now `needs_reauth`.
    pub needs_reauth: usize,
    /// Failed for another reason; tried again next round.
    pub failed: usize,
}

impl App {
    /// One round: renews every active connection whose token expires within `margin`, at
    /// most `batch` of them, soonest first.
    pub async fn renew_due(&self, margin: Duration, batch: u32) -> Result<RenewalReport, AppError> {
        let margin = TimeDelta::from_std(margin)
            .map_err(|e| AppError::Internal(format!("renewal margin: {e}")))?;
        let now = Utc::now();
        let due = self
            .store()
            .connections_due(now + margin, now, batch)
            .await?;
        let ctx = RequestContext::renewal();
        let mut report = RenewalReport {
            due: due.len(),
            ..RenewalReport::default()
        };
        for (tenant, id) in due {
            let before = match self.connection(tenant, id).await {
                Ok(connection) => connection,
                // Deleted since the list was read.
                Err(AppError::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            match self.renew_within(before, margin, &ctx).await {
                Ok((_, _, true)) => report.renewed += 1,
                Ok((_, _, false)) => report.already_renewed += 1,
                Err(AppError::NeedsReauth { .. }) => report.needs_reauth += 1,
                Err(e) => {
                    tracing::warn!(%tenant, connection = %id, error = %e, "renewing ahead of time failed; trying again next round");
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    /// Runs [`App::renew_due`] every `settings.interval` (with jitter) until `stop` turns
    /// true. A round under way is finished first: a renewal cut between the vendor's answer
    /// and the stored tokens would lose a rotating refresh token.
    pub async fn run_renewals(
        self,
        settings: RenewalSettings,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        loop {
            let fifth = settings.interval / 5;
            let jitter = rand::rng().random_range(Duration::ZERO..=fifth * 2);
            tokio::select! {
                () = tokio::time::sleep(settings.interval - fifth + jitter) => {}
                _ = stop.wait_for(|stop| *stop) => return,
            }
            match self.renew_due(settings.margin, settings.batch).await {
                Ok(report) if report.due > 0 => {
                    tracing::info!(
                        due = report.due,
                        renewed = report.renewed,
                        already_renewed = report.already_renewed,
                        needs_reauth = report.needs_reauth,
                        failed = report.failed,
                        "tokens renewed ahead of time"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "the renewal round failed"),
            }
        }
    }
}
