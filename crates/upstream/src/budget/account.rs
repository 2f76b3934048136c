//! One upstream account's budget: what has been learned, the pacer, and the blocks.
//!
//! The same state serves an endpoint's own cap (an endpoint key, e.g.
//! `freshdesk:acme/tickets_list`): it starts learned and unpaced, never reads rate headers
//! (they describe the account), and learns its limit only from its 429s, by counting the
//! requests that went through since the previous 429 within the last window.
//!
//! Pure state transitions over tokio instants; the async orchestration (locking, sleeping,
//! the registry) lives in `budgets`.

use std::collections::VecDeque;
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

/// Most requests remembered per endpoint for learning its cap; far above any vendor's
/// per-endpoint limit per window.
const MAX_COUNTED: usize = 10_000;

/// What a caller should do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Send at `at` (now, or a slot reserved later: sleep until then); `probe` if this request
    /// is the one learning the limit; `reserved` is what was taken from the account's pacer
    /// (the request's cost, or 0 when the account is not paced yet).
    Go {
        at: Instant,
        probe: bool,
        reserved: u32,
    },
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
    /// Endpoints only: when the requests that went through since the last 429 answered.
    went_through: VecDeque<Instant>,
    /// The window the learned limit counts over: the vendor's, when its requests name one
    /// (Intercom: 10 s), else the configured default.
    window: Option<Duration>,
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
            went_through: VecDeque::new(),
            window: None,
        }
    }

    /// An endpoint's cap: nothing to probe (no header tells it), unpaced until a 429.
    pub(crate) fn endpoint() -> Self {
        Self {
            phase: Phase::Learned,
            ..Self::new()
        }
    }

    /// The instant before which nothing may be sent, if it is still ahead.
    pub(crate) fn blocked_at(&self, now: Instant) -> Option<Instant> {
        let until = self.blocked_until.max(self.drained_until)?;
        (until > now).then_some(until)
    }

    /// Decides what a request costing `cost` and arriving at `now` does, on this account and,
    /// when the request names one, on an endpoint's cap too: it goes once neither is blocked
    /// and both pacers have room. `Err(wait)` when it would have to wait past `deadline`;
    /// nothing is reserved then.
    pub(crate) fn admit(
        &mut self,
        endpoint: Option<&mut AccountState>,
        now: Instant,
        deadline: Instant,
        cost: u32,
    ) -> Result<Admission, Duration> {
        let endpoint_blocked = endpoint.as_deref().and_then(|e| e.blocked_at(now));
        if let Some(until) = self.blocked_at(now).max(endpoint_blocked) {
            return if until > deadline {
                Err(until - now)
            } else {
                Ok(Admission::Blocked(until))
            };
        }
        let probe = match self.phase {
            Phase::Unknown => true,
            Phase::Probing => return Ok(Admission::AwaitProbe),
            Phase::Learned => false,
        };
        let account_pacer = self.pacer.as_mut().filter(|_| !probe);
        let account_at = account_pacer
            .as_deref()
            .map_or(now, |p| p.earliest(now, cost));
        let endpoint_pacer = endpoint.and_then(|e| e.pacer.as_mut());
        // An endpoint's cap counts requests, whatever they cost in credits.
        let endpoint_at = endpoint_pacer
            .as_deref()
            .map_or(now, |p| p.earliest(now, 1));
        let at = account_at.max(endpoint_at);
        // Only a pacer's slot is held to the deadline: an unpaced request (a probe, an account
        // without rate headers) goes whenever it gets here, as it always has.
        let paced = account_pacer.is_some() || endpoint_pacer.is_some();
        if paced && at > deadline {
            return Err(at - now);
        }
        if let Some(pacer) = endpoint_pacer {
            pacer.reserve(at, 1);
        }
        let reserved = match account_pacer {
            Some(pacer) => {
                pacer.reserve(at, cost);
                cost
            }
            None => 0,
        };
        if probe {
            self.phase = Phase::Probing;
        }
        Ok(Admission::Go {
            at,
            probe,
            reserved,
        })
    }

    /// A probe ended without an answer: let the next caller probe.
    pub(crate) fn abandon_probe(&mut self) {
        if self.phase == Phase::Probing {
            self.phase = Phase::Unknown;
        }
    }

    /// Learns from a response's rate headers. `window` is what the limit counts over: the
    /// vendor's own window when the request named one, else the configured default.
    pub(crate) fn observe(
        &mut self,
        now: Instant,
        seen: &Observation,
        window: Option<Duration>,
        config: &BudgetConfig,
    ) {
        self.phase = Phase::Learned;
        if let Some(limit) = seen.limit.filter(|limit| *limit > 0) {
            self.learn_limit(limit, window, config);
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

    /// Paces at `headroom` of `limit` per window (`window`, else the configured one), with a
    /// burst of `burst_fraction` of it.
    fn learn_limit(&mut self, limit: u32, window: Option<Duration>, config: &BudgetConfig) {
        self.limit = Some(limit);
        let per_window = f64::from(limit) * config.headroom;
        let burst = (per_window * config.burst_fraction).floor().max(1.0) as u32;
        let window = window
            .filter(|w| !w.is_zero())
            .unwrap_or(Duration::from_secs(config.window_secs));
        self.window = Some(window);
        match self.pacer.as_mut() {
            Some(pacer) => pacer.set_rate(per_window, window, burst),
            None => self.pacer = Some(Gcra::new(per_window, window, burst)),
        }
    }

    /// The vendor counted `used` for a request that reserved `reserved`: charge the pacer the
    /// difference, so the requests reserved from now on are paced by what was really spent.
    pub(crate) fn charge(&mut self, now: Instant, used: u32, reserved: u32) {
        if let Some(pacer) = self.pacer.as_mut() {
            pacer.charge(now, i64::from(used) - i64::from(reserved));
        }
    }

    /// Endpoints: a request answered without a 429; counted towards the cap learned at the
    /// next 429.
    pub(crate) fn went_through(&mut self, now: Instant, config: &BudgetConfig) {
        self.forget_before(now, config);
        if self.went_through.len() >= MAX_COUNTED {
            self.went_through.pop_front();
        }
        self.went_through.push_back(now);
    }

    fn forget_before(&mut self, now: Instant, config: &BudgetConfig) {
        let window = Duration::from_secs(config.window_secs);
        while self
            .went_through
            .front()
            .is_some_and(|at| now.duration_since(*at) >= window)
        {
            self.went_through.pop_front();
        }
    }

    /// Endpoints: the vendor refused a request for the endpoint's own cap. The requests that
    /// went through in the last window (and since the previous 429) are taken as the cap and
    /// paced below from now on; the endpoint is blocked like an account. Returns the block.
    pub(crate) fn endpoint_capped(
        &mut self,
        now: Instant,
        explicit: Option<Duration>,
        config: &BudgetConfig,
    ) -> Duration {
        self.forget_before(now, config);
        if let Ok(cap) = u32::try_from(self.went_through.len())
            && cap > 0
        {
            self.learn_limit(cap, None, config);
        }
        self.went_through.clear();
        self.rate_limited(now, explicit, config)
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
        let window = self
            .window
            .unwrap_or(Duration::from_secs(config.window_secs));
        Some((per_window * 60.0 / window.as_secs_f64()).floor() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    fn go(at: Instant, probe: bool, reserved: u32) -> Admission {
        Admission::Go {
            at,
            probe,
            reserved,
        }
    }

    fn learned(limit: u32) -> AccountState {
        let mut state = AccountState::new();
        let seen = Observation {
            limit: Some(limit),
            remaining: Some(limit),
            reset_after: None,
            used: None,
        };
        state.observe(Instant::now(), &seen, None, &BudgetConfig::default());
        state
    }

    #[test]
    fn the_first_request_probes_and_others_wait_for_it() {
        let now = Instant::now();
        let mut state = AccountState::new();
        assert_eq!(
            state.admit(None, now, now + secs(10), 1),
            Ok(go(now, true, 0))
        );
        assert_eq!(
            state.admit(None, now, now + secs(10), 1),
            Ok(Admission::AwaitProbe)
        );
        state.abandon_probe();
        assert_eq!(
            state.admit(None, now, now + secs(10), 1),
            Ok(go(now, true, 0))
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
        assert_eq!(state.admit(None, now, now + secs(5), 1), Err(secs(7)));
        assert_eq!(
            state.admit(None, now, now + secs(10), 1),
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
            used: None,
        };
        state.observe(now, &seen, None, &BudgetConfig::default());
        assert_eq!(
            state.admit(None, now, now + secs(10), 1),
            Ok(Admission::Blocked(now + secs(4)))
        );
    }

    #[test]
    fn a_learned_limit_is_paced_below_the_limit() {
        let state = learned(700);
        assert_eq!(state.paced_per_minute(&BudgetConfig::default()), Some(630));
    }

    #[test]
    fn a_limit_per_vendor_window_is_paced_over_that_window() {
        // Intercom: 100 requests per 10-second window, paced at 90 per 10 s with a burst of 9.
        let now = Instant::now();
        let mut state = AccountState::new();
        let seen = Observation {
            limit: Some(100),
            remaining: Some(100),
            reset_after: Some(secs(10)),
            used: None,
        };
        state.observe(now, &seen, Some(secs(10)), &BudgetConfig::default());
        assert_eq!(state.paced_per_minute(&BudgetConfig::default()), Some(540));
        let deadline = now + secs(60);
        for _ in 0..9 {
            assert_eq!(state.admit(None, now, deadline, 1), Ok(go(now, false, 1)));
        }
        let interval = secs(10).div_f64(90.0);
        assert_eq!(
            state.admit(None, now, deadline, 1),
            Ok(go(now + interval, false, 1)),
            "after the burst, one request per 1/90 of the vendor's window"
        );
    }

    #[test]
    fn a_probe_answer_without_headers_leaves_the_account_unpaced() {
        let now = Instant::now();
        let mut state = AccountState::new();
        let _ = state.admit(None, now, now + secs(1), 1);
        state.observe(now, &Observation::default(), None, &BudgetConfig::default());
        for _ in 0..100 {
            assert_eq!(
                state.admit(None, now, now + secs(1), 1),
                Ok(go(now, false, 0))
            );
        }
    }

    #[test]
    fn credits_are_reserved_up_front_and_the_vendors_count_is_charged_after() {
        let now = Instant::now();
        let config = BudgetConfig::default();
        // 100 credits a minute, paced at 90 with a burst of 9.
        let mut state = learned(100);
        let deadline = now + secs(60);
        assert_eq!(state.admit(None, now, deadline, 5), Ok(go(now, false, 5)));
        // The vendor counted 9 for it: the burst is spent.
        state.charge(now, 9, 5);
        let interval = Duration::from_secs(60).div_f64(90.0);
        assert_eq!(
            state.admit(None, now, deadline, 1),
            Ok(go(now + interval, false, 1))
        );
        assert_eq!(state.paced_per_minute(&config), Some(90));
    }

    #[test]
    fn an_endpoint_blocks_and_paces_only_the_requests_that_name_it() {
        let now = Instant::now();
        let config = BudgetConfig::default();
        let mut account = learned(1000);
        let mut endpoint = AccountState::endpoint();
        let deadline = now + secs(60);
        for _ in 0..20 {
            assert!(matches!(
                account.admit(Some(&mut endpoint), now, deadline, 1),
                Ok(Admission::Go { at, .. }) if at == now
            ));
            endpoint.went_through(now, &config);
        }
        assert_eq!(
            endpoint.endpoint_capped(now, Some(secs(30)), &config),
            secs(30)
        );
        assert_eq!(endpoint.limit, Some(20));
        assert_eq!(endpoint.paced_per_minute(&config), Some(18));
        assert_eq!(
            account.admit(Some(&mut endpoint), now, deadline, 1),
            Ok(Admission::Blocked(now + secs(30)))
        );
        assert_eq!(
            account.admit(Some(&mut endpoint), now, now + secs(10), 1),
            Err(secs(30))
        );
        assert!(matches!(
            account.admit(None, now, deadline, 1),
            Ok(Admission::Go { at, .. }) if at == now
        ));
        // After the block, the endpoint goes at 18 a minute with a burst of 1.
        let later = now + secs(30);
        let slots: Vec<Instant> = (0..3)
            .map(
                |_| match account.admit(Some(&mut endpoint), later, later + secs(60), 1) {
                    Ok(Admission::Go { at, .. }) => at,
                    other => panic!("{other:?}"),
                },
            )
            .collect();
        let interval = Duration::from_secs(60).div_f64(18.0);
        assert_eq!(slots, [later, later + interval, later + interval * 2]);
    }
}
