//! How webhooks are delivered: the retry schedule, the claims, the pace and the limits.

use std::time::Duration;

/// Delivery settings. The defaults follow the Standard Webhooks recommendation; tests use a
/// compressed schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookSettings {
    /// Whether this replica runs delivery workers at all.
    pub workers: bool,
    /// The wait before each retry: `retries[0]` after the first failed attempt, and so on;
    /// a delivery whose attempts outnumber it is `failed`. The first attempt is immediate.
    pub retries: Vec<Duration>,
    /// Each wait is this fraction longer or shorter at random (0.1: ±10 %), so that the
    /// retries of a burst spread out.
    pub jitter: f64,
    /// A receiver's `Retry-After` lengthens a wait up to this, never shortens it.
    pub retry_after_max: Duration,
    /// For one attempt: connect, send, read the capped answer.
    pub timeout: Duration,
    /// How long a claim holds; a replica that dies mid-delivery loses its claims after this.
    /// Longer than `timeout`, so a live replica records before its claim lapses.
    pub claim: Duration,
    /// Deliveries claimed at most per round.
    pub batch: u32,
    /// Attempts in flight at most on this replica.
    pub concurrency: usize,
    /// How often an idle worker looks for due deliveries. Events recorded on this replica
    /// wake it at once; other replicas' events and retries wait at most this.
    pub poll_interval: Duration,
    /// An endpoint that failed every attempt for longer than this is disabled, and a
    /// `webhook_endpoint.disabled` event says so.
    pub disable_after: Duration,
    /// How long attempts are listed before the sweep deletes them.
    pub attempts_retention: Duration,
    /// Accept `http://` loopback URLs (development and tests only); otherwise `https` only.
    pub allow_loopback_http: bool,
}

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;

impl Default for WebhookSettings {
    fn default() -> Self {
        // Immediately, then 5 s, 5 min, 30 min, 2 h, 5 h and 10 h six times: the last
        // attempt about 2.8 days after the first.
        let mut retries = vec![
            Duration::from_secs(5),
            Duration::from_secs(5 * MINUTE),
            Duration::from_secs(30 * MINUTE),
            Duration::from_secs(2 * HOUR),
            Duration::from_secs(5 * HOUR),
        ];
        retries.extend([Duration::from_secs(10 * HOUR); 6]);
        Self {
            workers: true,
            retries,
            jitter: 0.1,
            retry_after_max: Duration::from_secs(HOUR),
            timeout: Duration::from_secs(15),
            claim: Duration::from_secs(2 * MINUTE),
            batch: 100,
            concurrency: 32,
            poll_interval: Duration::from_secs(1),
            disable_after: Duration::from_secs(5 * 24 * HOUR),
            attempts_retention: Duration::from_secs(7 * 24 * HOUR),
            allow_loopback_http: false,
        }
    }
}

/// A setting that cannot work, named.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct InvalidWebhookSettings {
    pub setting: &'static str,
    pub message: String,
}

impl WebhookSettings {
    /// Refuses values that cannot work, naming the setting.
    pub fn validate(&self) -> Result<(), InvalidWebhookSettings> {
        let refuse = |setting, message: String| Err(InvalidWebhookSettings { setting, message });
        if self.retries.len() > 50 {
            return refuse("retries", "at most 50 retries".into());
        }
        if !(0.0..=0.5).contains(&self.jitter) {
            return refuse(
                "jitter",
                format!("must be between 0 and 0.5, got {}", self.jitter),
            );
        }
        if self.timeout.is_zero() || self.timeout > Duration::from_secs(60) {
            return refuse("timeout", "must be between 1 ms and 60 s".into());
        }
        if self.claim < self.timeout + Duration::from_secs(1) {
            return refuse(
                "claim",
                "must be at least a second longer than the timeout, or a live replica's \
                 claims lapse mid-attempt and the event is sent twice"
                    .into(),
            );
        }
        if self.batch == 0 || self.batch > 10_000 {
            return refuse(
                "batch",
                format!("must be between 1 and 10000, got {}", self.batch),
            );
        }
        if self.concurrency == 0 || self.concurrency > 10_000 {
            return refuse(
                "concurrency",
                format!("must be between 1 and 10000, got {}", self.concurrency),
            );
        }
        if self.poll_interval.is_zero() {
            return refuse("poll_interval", "must be more than zero".into());
        }
        if self.disable_after.is_zero() {
            return refuse("disable_after", "must be more than zero".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_spans_about_three_days() {
        let s = WebhookSettings::default();
        s.validate().unwrap();
        let total: Duration = s.retries.iter().sum();
        let days = total.as_secs_f64() / 86_400.0;
        assert!((2.5..=3.5).contains(&days), "{days} days");
        assert_eq!(s.retries[0], Duration::from_secs(5));
    }

    #[test]
    fn a_claim_shorter_than_an_attempt_is_refused() {
        let s = WebhookSettings {
            claim: Duration::from_secs(10),
            ..WebhookSettings::default()
        };
        assert_eq!(s.validate().unwrap_err().setting, "claim");
    }
}
