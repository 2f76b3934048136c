//! [`UpstreamConfig`]: timeouts, body cap, deadline, retry and budget settings.

use std::time::Duration;

use serde::Deserialize;

/// Settings of the outbound engine. Every field has a default; unknown fields are refused.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UpstreamConfig {
    /// Time allowed to open a TCP + TLS connection.
    pub connect_timeout_ms: u64,
    /// Time allowed for one attempt (send and read the whole body), further capped by the
    /// request's deadline.
    pub attempt_timeout_ms: u64,
    /// Total time a call may take, waits and retries included, unless the request sets one.
    pub default_deadline_ms: u64,
    /// Largest response body read; a larger one aborts the read.
    pub max_body_bytes: usize,
    pub pool_idle_timeout_ms: u64,
    pub pool_max_idle_per_host: usize,
    pub user_agent: String,
    pub retry: RetryConfig,
    pub budget: BudgetConfig,
}

impl Default for UpstreamConfig {
    fn default() -> Self {
        Self {
            connect_timeout_ms: 5_000,
            attempt_timeout_ms: 30_000,
            default_deadline_ms: 10_000,
            max_body_bytes: 16 * 1024 * 1024,
            pool_idle_timeout_ms: 90_000,
            pool_max_idle_per_host: 32,
            user_agent: concat!("deskgate/", env!("CARGO_PKG_VERSION")).to_owned(),
            retry: RetryConfig::default(),
            budget: BudgetConfig::default(),
        }
    }
}

/// Full-jitter exponential backoff for 5xx and transport errors of idempotent requests.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryConfig {
    /// Attempts per call, the first one included (429 answers count too).
    pub max_attempts: u32,
    /// `base` in `sleep = random(0, min(cap, base * 2^n))`.
    pub base_delay_ms: u64,
    /// `cap` in the same formula.
    pub max_delay_ms: u64,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay_ms: 200,
            max_delay_ms: 5_000,
        }
    }
}

/// How each upstream account's budget paces requests.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BudgetConfig {
    /// Pace at this fraction of the learned limit (0 < headroom <= 1).
    pub headroom: f64,
    /// Allowed burst, as a fraction of the requests allowed per window (at least 1 request).
    pub burst_fraction: f64,
    /// The window the vendors' limit headers count over, unless a request names its
    /// vendor's own (`UpstreamRequest::rate_window`; Intercom counts per 10 seconds).
    pub window_secs: u64,
    /// Longest block a `Retry-After` (or reset time) may impose; longer values are cut.
    pub max_block_secs: u64,
    /// Block after a 429 that says nothing about when to retry: `base * 2^n`, n = the number
    /// of such 429s in a row on the account.
    pub unexplained_429_base_ms: u64,
    pub unexplained_429_cap_ms: u64,
    /// Of a vendor's fixed window (one its answers report the reset of), the fraction left
    /// unspent: what answers in flight on other replicas may still take.
    pub window_reserve: f64,
    /// How often an account's shared blocked-until is read back from the block registry.
    pub registry_refresh_ms: u64,
    /// Accounts tracked at once; the least recently used are forgotten beyond this.
    pub max_accounts: u64,
    /// An account unused for this long is forgotten.
    pub idle_account_ttl_secs: u64,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        Self {
            headroom: 0.9,
            burst_fraction: 0.1,
            window_secs: 60,
            max_block_secs: 3_600,
            unexplained_429_base_ms: 1_000,
            unexplained_429_cap_ms: 60_000,
            window_reserve: 0.01,
            registry_refresh_ms: 1_000,
            max_accounts: 100_000,
            idle_account_ttl_secs: 3_600,
        }
    }
}

/// A configuration value that cannot work.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid upstream configuration: {0}")]
pub struct ConfigError(pub(crate) &'static str);

impl UpstreamConfig {
    /// Checks that the values can work together.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let budget = &self.budget;
        if !(budget.headroom > 0.0 && budget.headroom <= 1.0) {
            return Err(ConfigError("budget.headroom must be in (0, 1]"));
        }
        if !(budget.burst_fraction >= 0.0 && budget.burst_fraction <= 1.0) {
            return Err(ConfigError("budget.burst_fraction must be in [0, 1]"));
        }
        if !(budget.window_reserve >= 0.0 && budget.window_reserve <= 0.5) {
            return Err(ConfigError("budget.window_reserve must be in [0, 0.5]"));
        }
        if budget.window_secs == 0 {
            return Err(ConfigError("budget.window_secs must be positive"));
        }
        if self.retry.max_attempts == 0 {
            return Err(ConfigError("retry.max_attempts must be at least 1"));
        }
        if self.default_deadline_ms == 0
            || self.attempt_timeout_ms == 0
            || self.connect_timeout_ms == 0
        {
            return Err(ConfigError(
                "timeouts and the default deadline must be positive",
            ));
        }
        if self.max_body_bytes == 0 {
            return Err(ConfigError("max_body_bytes must be positive"));
        }
        if self.user_agent_header().is_none() {
            return Err(ConfigError(
                "user_agent must be printable ASCII (it is sent as a header)",
            ));
        }
        Ok(())
    }

    /// `user_agent` as the header it is sent as; `None` when it cannot be one.
    pub(crate) fn user_agent_header(&self) -> Option<http::HeaderValue> {
        let agent = &self.user_agent;
        let printable =
            !agent.is_empty() && agent.bytes().all(|b| b == b' ' || b.is_ascii_graphic());
        printable
            .then(|| http::HeaderValue::from_str(agent).ok())
            .flatten()
    }

    pub(crate) fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }

    pub(crate) fn attempt_timeout(&self) -> Duration {
        Duration::from_millis(self.attempt_timeout_ms)
    }

    pub(crate) fn default_deadline(&self) -> Duration {
        Duration::from_millis(self.default_deadline_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_document_gives_the_defaults() {
        let config: UpstreamConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(config, UpstreamConfig::default());
        assert_eq!(config.default_deadline(), Duration::from_secs(10));
        assert!(config.validate().is_ok());
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<UpstreamConfig>(r#"{"timeout": 5}"#).is_err());
        assert!(serde_json::from_str::<UpstreamConfig>(r#"{"retry": {"attempts": 5}}"#).is_err());
    }

    #[test]
    fn impossible_values_fail_validation() {
        let mut config = UpstreamConfig::default();
        config.budget.headroom = 1.5;
        assert!(config.validate().is_err());
        let mut config = UpstreamConfig::default();
        config.retry.max_attempts = 0;
        assert!(config.validate().is_err());
        for agent in ["", "deskgate\r\nx-injected: 1", "deskgate/é"] {
            let config = UpstreamConfig {
                user_agent: agent.to_owned(),
                ..UpstreamConfig::default()
            };
            let err = config.validate().unwrap_err();
            assert!(err.to_string().contains("user_agent"), "{agent:?}: {err}");
        }
    }
}
