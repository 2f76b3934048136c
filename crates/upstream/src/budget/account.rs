//! One upstream account's budget: what has been learned, the pacer, and the blocks.
//!
//! Pure state transitions over tokio instants; the async orchestration (locking, sleeping,
//! the registry) lives in `budgets`.

use std::time::Duration;

use tokio::time::Instant;

use super::gcra::Gcra;
use super::headers::Observation;
use crate::config::BudgetConfig;

/// What is known about the account's limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Nothing yet: the next request goes alone, as a probe, to learn the limit.
    Unknown,
    /// A probe is in flight; others wait for its answer (or its failure).
    Probing,
    /// The probe answered. Paced if a limit was reported, unpaced otherwise.
    Learned,
}

/// What a caller should do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Send now; `probe` if this request is the one learning the limit.
    Go { probe: bool },
    /// A slot is reserved at this instant: sleep until then, then send.
    GoAt(Instant),
    /// The account is blocked until this instant: sleep, then ask again.
    Blocked(Instant),
    /// Wait for the probe in flight to answer, then ask again.
    AwaitProbe,
}

#[derive(Debug)]
pub(crate) struct AccountState {
    pub(crate) phase: Phase,
    pub(crate) limit: Option<u32>,
    pub(crate) remaining: Option<u32>,
    pacer: Option<Gcra>,
    /// Set by a 429 (here or, through the registry, on another replica).
    pub(crate) blocked_until: Option<Instant>,
    /// Set when the vendor reports no quota left before its window resets.
    pub(crate) drained_until: Option<Instant>,
    unexplained_429s: u32,
    pub(crate) last_registry_sync: Option<Instant>,
}

impl AccountState {
    pub(crate) fn new() -> Self {
        Self {
            phase: Phase::Unknown,
            limit: None,
            remaining: None,
            pacer: None,
            blocked_until: None,
            drained_until: None,
            unexplained_429s: 0,
            last_registry_sync: None,
        }
    }

    /// The instant before which nothing may be sent, if it is still ahead.
    pub(crate) fn blocked_at(&self, now: Instant) -> Option<Instant> {
        let until = self.blocked_until.max(self.drained_until)?;
        (until > now).then_some(until)
    }

    /// Decides what a request arriving at `now` does. `Err(wait)` when it would have to wait
    /// past `deadline`; nothing is reserved then.
    pub(crate) fn admit(&mut self, now: Instant, deadline: Instant) -> Result<Admission, Duration> {
        if let Some(until) = self.blocked_at(now) {
            return if until > deadline {
                Err(until - now)
            } else {
                Ok(Admission::Blocked(until))
            };
        }
        match self.phase {
            Phase::Unknown => {
                self.phase = Phase::Probing;
                Ok(Admission::Go { probe: true })
            }
            Phase::Probing => Ok(Admission::AwaitProbe),
            Phase::Learned => {
                let Some(pacer) = self.pacer.as_mut() else {
                    return Ok(Admission::Go { probe: false });
                };
                let at = pacer.earliest(now);
                if at > deadline {
                    return Err(at - now);
                }
                pacer.reserve(now);
                Ok(if at > now {
                    Admission::GoAt(at)
                } else {
                    Admission::Go { probe: false }
                })
            }
        }
    }

    /// A probe ended without an answer: let the next caller probe.
    pub(crate) fn abandon_probe(&mut self) {
        if self.phase == Phase::Probing {
            self.phase = Phase::Unknown;
        }
    }

    /// Learns from a response's rate headers.
    pub(crate) fn observe(&mut self, now: Instant, seen: &Observation, config: &BudgetConfig) {
        self.phase = Phase::Learned;
        if let Some(limit) = seen.limit.filter(|limit| *limit > 0) {
            self.limit = Some(limit);
            let per_window = f64::from(limit) * config.headroom;
            let burst = (per_window * config.burst_fraction).floor().max(1.0) as u32;
            let window = Duration::from_secs(config.window_secs);
            match self.pacer.as_mut() {
                Some(pacer) => pacer.set_rate(per_window, window, burst),
                None => self.pacer = Some(Gcra::new(per_window, window, burst)),
            }
        }
        if seen.remaining.is_some() {
            self.remaining = seen.remaining;
        }
        let reset = seen.reset_after.filter(|reset| !reset.is_zero());
        if let (Some(0), Some(reset)) = (seen.remaining, reset) {
            let reset = reset.min(Duration::from_secs(config.max_block_secs));
            self.drained_until = self.drained_until.max(Some(now + reset));
        }
    }

    /// A 429 (or a 503 with `Retry-After`): block for `explicit`, or back off exponentially
    /// when the vendor did not say. Returns the block's length.
    pub(crate) fn rate_limited(
        &mut self,
        now: Instant,
        explicit: Option<Duration>,
        config: &BudgetConfig,
    ) -> Duration {
        let wait = match explicit {
            Some(wait) => {
                self.unexplained_429s = 0;
                wait
            }
            None => {
                let doubling = 2u32.saturating_pow(self.unexplained_429s.min(20));
                self.unexplained_429s = self.unexplained_429s.saturating_add(1);
                Duration::from_millis(config.unexplained_429_base_ms)
                    .saturating_mul(doubling)
                    .min(Duration::from_millis(config.unexplained_429_cap_ms))
            }
        };
        let wait = wait.min(Duration::from_secs(config.max_block_secs));
        self.blocked_until = self.blocked_until.max(Some(now + wait));
        wait
    }

    /// A non-429 answer ends a streak of unexplained 429s.
    pub(crate) fn answered(&mut self) {
        self.unexplained_429s = 0;
    }

    /// Extends the block to one read back from the registry.
    pub(crate) fn blocked_elsewhere(&mut self, until: Instant) {
        self.blocked_until = self.blocked_until.max(Some(until));
    }

    pub(crate) fn paced_per_minute(&self, config: &BudgetConfig) -> Option<u32> {
        self.pacer.as_ref()?;
        let per_window = f64::from(self.limit?) * config.headroom;
        Some((per_window * 60.0 / config.window_secs as f64).floor() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    fn learned(limit: u32) -> AccountState {
        let mut state = AccountState::new();
        let seen = Observation {
            limit: Some(limit),
            remaining: Some(limit),
            reset_after: None,
        };
        state.observe(Instant::now(), &seen, &BudgetConfig::default());
        state
    }

    #[test]
    fn the_first_request_probes_and_others_wait_for_it() {
        let now = Instant::now();
        let mut state = AccountState::new();
        assert_eq!(
            state.admit(now, now + secs(10)),
            Ok(Admission::Go { probe: true })
        );
        assert_eq!(state.admit(now, now + secs(10)), Ok(Admission::AwaitProbe));
        state.abandon_probe();
        assert_eq!(
            state.admit(now, now + secs(10)),
            Ok(Admission::Go { probe: true })
        );
    }

    #[test]
    fn a_block_past_the_deadline_fails_at_once_with_the_remaining_wait() {
        let now = Instant::now();
        let mut state = learned(100);
        assert_eq!(
            state.rate_limited(now, Some(secs(7)), &BudgetConfig::default()),
            secs(7)
        );
        assert_eq!(state.admit(now, now + secs(5)), Err(secs(7)));
        assert_eq!(
            state.admit(now, now + secs(10)),
            Ok(Admission::Blocked(now + secs(7)))
        );
    }

    #[test]
    fn unexplained_429s_back_off_exponentially_up_to_the_cap() {
        let now = Instant::now();
        let config = BudgetConfig::default();
        let mut state = learned(100);
        let waits: Vec<u64> = (0..8)
            .map(|_| state.rate_limited(now, None, &config).as_secs())
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(state.rate_limited(now, Some(secs(3)), &config), secs(3));
        assert_eq!(state.rate_limited(now, None, &config), secs(1));
    }

    #[test]
    fn an_exhausted_quota_with_a_reset_time_pauses_until_the_reset() {
        let now = Instant::now();
        let mut state = learned(100);
        let seen = Observation {
            limit: Some(100),
            remaining: Some(0),
            reset_after: Some(secs(4)),
        };
        state.observe(now, &seen, &BudgetConfig::default());
        assert_eq!(
            state.admit(now, now + secs(10)),
            Ok(Admission::Blocked(now + secs(4)))
        );
    }

    #[test]
    fn a_learned_limit_is_paced_below_the_limit() {
        let state = learned(700);
        assert_eq!(state.paced_per_minute(&BudgetConfig::default()), Some(630));
    }

    #[test]
    fn a_probe_answer_without_headers_leaves_the_account_unpaced() {
        let now = Instant::now();
        let mut state = AccountState::new();
        let _ = state.admit(now, now + secs(1));
        state.observe(now, &Observation::default(), &BudgetConfig::default());
        for _ in 0..100 {
            assert_eq!(
                state.admit(now, now + secs(1)),
                Ok(Admission::Go { probe: false })
            );
        }
    }
}
