//! A fixed budget per window aligned to the clock (a minute for Zendesk and Freshdesk, ten
//! seconds for Intercom), so that `Retry-After` and reset headers are the exact seconds
//! until the window rolls over. Zendesk and Intercom spend one unit a request; Freshdesk
//! spends credits (one plus one per `include` value).

use chrono::{DateTime, Utc};

#[derive(Debug)]
pub(crate) struct RateWindow {
    pub(crate) limit: u32,
    /// The window's length in milliseconds.
    period_ms: i64,
    window: i64,
    used: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateDecision {
    pub(crate) allowed: bool,
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
    /// Whole seconds until the window resets, at least 1.
    pub(crate) reset_secs: u64,
    /// When the window resets, in seconds since the epoch (rounded up).
    pub(crate) reset_at: i64,
}

impl RateWindow {
    /// A budget per clock minute.
    pub(crate) fn new(limit: u32) -> Self {
        Self::every(limit, 60)
    }

    /// A budget per window of `secs` seconds, aligned to the epoch.
    pub(crate) fn every(limit: u32, secs: u32) -> Self {
        Self {
            limit,
            period_ms: i64::from(secs.max(1)) * 1000,
            window: i64::MIN,
            used: 0,
        }
    }

    pub(crate) fn set_limit(&mut self, limit: u32) {
        self.limit = limit;
    }

    /// Counts one request at `now` and says whether it may proceed.
    pub(crate) fn hit(&mut self, now: DateTime<Utc>) -> RateDecision {
        let decision = self.check(now, 1);
        if decision.allowed {
            self.spend(1, decision)
        } else {
            decision
        }
    }

    /// Whether `cost` units fit in the window at `now`, without spending them.
    pub(crate) fn check(&mut self, now: DateTime<Utc>, cost: u32) -> RateDecision {
        let millis = now.timestamp_millis();
        let window = millis.div_euclid(self.period_ms);
        if window != self.window {
            self.window = window;
            self.used = 0;
        }
        let end_ms = (window + 1) * self.period_ms;
        let reset_ms = end_ms - millis;
        let reset_secs = u64::try_from((reset_ms + 999) / 1000).unwrap_or(1).max(1);
        RateDecision {
            allowed: self.used.saturating_add(cost) <= self.limit,
            limit: self.limit,
            remaining: self.limit.saturating_sub(self.used),
            reset_secs,
            reset_at: (end_ms + 999).div_euclid(1000),
        }
    }

    /// Spends `cost` units of the current window, after `checked` allowed them.
    pub(crate) fn spend(&mut self, cost: u32, checked: RateDecision) -> RateDecision {
        self.used = self.used.saturating_add(cost);
        RateDecision {
            remaining: self.limit.saturating_sub(self.used),
            ..checked
        }
    }
}
