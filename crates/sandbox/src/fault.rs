//! Fault injection, configurable per account at runtime: server errors (a rate or the next
//! N requests), slow responses, 429s that carry no `Retry-After`, and answers cut short.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::mix::splitmix;

/// What to inject into an account's responses. The default injects nothing.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FaultConfig {
    /// Fraction of requests (0.0 to 1.0) answered with `error_status`, chosen by a
    /// deterministic sequence so that runs repeat.
    pub error_rate: f64,
    /// The next N requests are answered with `error_status`.
    pub fail_next: u32,
    /// The status used for injected errors (500 to 599); 503 when unset.
    pub error_status: Option<u16>,
    /// Delay added before every response, in milliseconds.
    pub delay_ms: u64,
    /// The next N requests are answered 429 without a `Retry-After` header.
    pub rate_limit_next_without_retry_after: u32,
    /// The next N answers keep their status and headers but lose the second half of their
    /// body, so that they no longer parse: a vendor answer cut short.
    pub truncate_next: u32,
    /// The next N answers keep their status and headers, send the first half of their body,
    /// pause 200 ms and break the connection: a transfer that fails midway, after its first
    /// records went out.
    pub break_next: u32,
    /// The next N answers keep their status and headers, pause 200 ms and break the
    /// connection before any of their body: a transfer that fails before its first byte.
    pub reset_next: u32,
    /// Inject only into requests whose method writes (POST, PUT, PATCH, DELETE): the reads a
    /// client makes before a write (Intercom's ticket-type lookup before a create) pass.
    pub writes_only: bool,
}

impl FaultConfig {
    /// Refuses an `error_rate` outside 0 to 1.
    pub(crate) fn validate(&self) -> Result<(), crate::sandbox::SandboxError> {
        if (0.0..=1.0).contains(&self.error_rate) {
            Ok(())
        } else {
            Err(crate::sandbox::SandboxError::InvalidConfig(
                "error_rate must be between 0 and 1".to_owned(),
            ))
        }
    }

    pub(crate) fn delay(&self) -> Option<Duration> {
        (self.delay_ms > 0).then(|| Duration::from_millis(self.delay_ms))
    }
}

/// What the fault state decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Injected {
    None,
    ServerError(u16),
    RateLimitedWithoutRetryAfter,
    /// Answer as usual, then cut the body in half.
    Cut(Cut),
}

/// How an answer is cut in half.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cut {
    /// The body ends there: it no longer parses.
    Truncated,
    /// The connection breaks there, after a pause.
    Broken,
    /// The connection breaks after the head, after a pause: no half goes out.
    Reset,
}

/// Per-account fault state: the configuration plus the counters it consumes.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    pub(crate) config: FaultConfig,
    sequence: u64,
}

impl FaultState {
    pub(crate) fn set(&mut self, config: FaultConfig) {
        self.config = config;
    }

    /// Decides the fault for the next request and consumes "next N" budgets; `write` says
    /// whether its method writes.
    pub(crate) fn next(&mut self, write: bool) -> Injected {
        if self.config.writes_only && !write {
            return Injected::None;
        }
        self.sequence = self.sequence.wrapping_add(1);
        let status = self
            .config
            .error_status
            .filter(|s| (500..=599).contains(s))
            .unwrap_or(503);
        if self.config.rate_limit_next_without_retry_after > 0 {
            self.config.rate_limit_next_without_retry_after -= 1;
            return Injected::RateLimitedWithoutRetryAfter;
        }
        if self.config.fail_next > 0 {
            self.config.fail_next -= 1;
            return Injected::ServerError(status);
        }
        if self.config.truncate_next > 0 {
            self.config.truncate_next -= 1;
            return Injected::Cut(Cut::Truncated);
        }
        if self.config.break_next > 0 {
            self.config.break_next -= 1;
            return Injected::Cut(Cut::Broken);
        }
        if self.config.reset_next > 0 {
            self.config.reset_next -= 1;
            return Injected::Cut(Cut::Reset);
        }
        if self.config.error_rate > 0.0 {
            // A fixed pseudo-random sequence keeps runs repeatable.
            let draw = splitmix(self.sequence) as f64 / u64::MAX as f64;
            if draw < self.config.error_rate {
                return Injected::ServerError(status);
            }
        }
        Injected::None
    }
}
