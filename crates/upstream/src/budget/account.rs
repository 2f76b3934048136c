//! One upstream account's budget: what has been learned, the pacer, and the blocks.
//!
//! The same state serves an endpoint's own cap (an endpoint key, e.g.
//! `freshdesk:acme/tickets_list`): it starts learned and unpaced, never reads rate headers
//! (they describe the account), and learns its limit from its 429s, by counting the
//! requests that went through since the previous 429 within the last window, unless its
//! requests state the vendor's documented cap, which paces it from the first request.
//!
//! Background work (`Lane::Background`) passes a second pacer on the account, at its share of
//! the account's pace, and is admitted only when every pacer it needs has room now.
//!
//! Pure state transitions over tokio instants; the async orchestration (locking, sleeping,
//! the registry) lives in `budgets`.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use super::gcra::{Gcra, burst_within};
use super::headers::Observation;
use super::lane::{Lane, MIN_SHARE, Spent};
use super::window::VendorWindow;
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

/// The pace learned for the whole account: `per_window` cells per `window`, `burst` at once.
/// Each replica paces at its share of it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Pace {
    per_window: f64,
    window: Duration,
    burst: u32,
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
    /// Background work: some pacer has no room now, and nothing was reserved. Sleep until
    /// this instant, the earliest it could have room, then ask again (a tenant call reserving
    /// in between comes first).
    Later(Instant),
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
    /// Endpoints: the vendor's documented cap as the requests state it (requests, window).
    stated: Option<(u32, Duration)>,
    /// Background work's own pacer, at its share of `pacer`'s rate.
    background: Option<Gcra>,
    pub(crate) spent: Spent,
    /// The whole account's pace, of which `pacer` keeps this replica's share.
    pace: Option<Pace>,
    /// The vendor's fixed window, when its answers report one.
    vendor_window: Option<VendorWindow>,
    /// Units of the window kept unspent: what in-flight answers not yet seen may still take.
    reserve: u32,
    /// Units this replica admitted whose answers have not arrived yet.
    pub(crate) in_flight: u32,
    /// The replicas the pace was last split between.
    pub(crate) replicas: u32,
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
            stated: None,
            background: None,
            spent: Spent::default(),
            pace: None,
            vendor_window: None,
            reserve: 0,
            in_flight: 0,
            replicas: 1,
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
    /// nothing is reserved then. Background work takes no slot ahead (see
    /// [`AccountState::admit_background`]). The account's pace is split between `replicas`
    /// (see [`AccountState::share`]).
    pub(crate) fn admit(
        &mut self,
        endpoint: Option<&mut AccountState>,
        now: Instant,
        deadline: Instant,
        cost: u32,
        lane: Lane,
        replicas: u32,
    ) -> Result<Admission, Duration> {
        let admission = self.decide(endpoint, now, deadline, cost, lane, replicas)?;
        if matches!(admission, Admission::Go { .. }) {
            self.in_flight = self.in_flight.saturating_add(cost);
        }
        Ok(admission)
    }

    /// A request admitted with `cost` was answered, or will never be sent.
    pub(crate) fn settle(&mut self, cost: u32) {
        self.in_flight = self.in_flight.saturating_sub(cost);
    }

    fn decide(
        &mut self,
        endpoint: Option<&mut AccountState>,
        now: Instant,
        deadline: Instant,
        cost: u32,
        lane: Lane,
        replicas: u32,
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
        if !probe && let Err(end) = self.share(now, replicas, cost) {
            // Nothing left of the vendor's window for this request: the next one is full.
            return if end > deadline {
                Err(end - now)
            } else {
                Ok(Admission::Blocked(end))
            };
        }
        if let (Lane::Background { share }, false) = (lane, probe) {
            return self.admit_background(endpoint, now, deadline, cost, share);
        }
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

    /// Background work at `share` of the account's pace: it goes only when the account's
    /// pacer, its share pacer and the endpoint's pacer (if any) all have room now, and then
    /// takes that room at once. Otherwise nothing is reserved and it is told when to ask
    /// again, so a tenant call never queues behind a slot background work holds.
    fn admit_background(
        &mut self,
        endpoint: Option<&mut AccountState>,
        now: Instant,
        deadline: Instant,
        cost: u32,
        share: f64,
    ) -> Result<Admission, Duration> {
        let mut at = now;
        if let Some(pacer) = self.pacer.as_ref() {
            if share < MIN_SHARE {
                // No share of a paced account: this never goes, however long it waits.
                return Err(self.window.unwrap_or(pacer.interval()));
            }
            let lane = self
                .background
                .get_or_insert_with(|| Gcra::new(share, pacer.interval(), 1));
            // `share` cells per interval of the account's pacer, re-read on every admission
            // so that a newly learned limit applies at once. A burst of one: background
            // work has no use for one, and a tenant call may.
            lane.set_rate(share, pacer.interval(), 1);
            at = pacer.earliest(now, cost).max(lane.earliest(now, cost));
        }
        let endpoint_pacer = endpoint.and_then(|e| e.pacer.as_mut());
        if let Some(pacer) = endpoint_pacer.as_deref() {
            at = at.max(pacer.earliest(now, 1));
        }
        if at > now {
            return if at > deadline {
                Err(at - now)
            } else {
                Ok(Admission::Later(at))
            };
        }
        if let Some(pacer) = endpoint_pacer {
            pacer.reserve(now, 1);
        }
        let reserved = match (self.pacer.as_mut(), self.background.as_mut()) {
            (Some(pacer), Some(lane)) => {
                pacer.reserve(now, cost);
                lane.reserve(now, cost);
                cost
            }
            _ => 0,
        };
        Ok(Admission::Go {
            at: now,
            probe: false,
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
        if let (Some(limit), Some(remaining), Some(reset)) = (self.limit, seen.remaining, reset) {
            let length = self
                .window
                .unwrap_or(Duration::from_secs(config.window_secs));
            let spent = seen.used.unwrap_or(1);
            self.vendor_window = VendorWindow::observe(
                self.vendor_window,
                now,
                limit,
                remaining,
                reset,
                length,
                spent,
            );
        }
        if let (Some(0), Some(reset)) = (seen.remaining, reset) {
            let reset = reset.min(Duration::from_secs(config.max_block_secs));
            self.drained_until = self.drained_until.max(Some(now + reset));
        }
    }

    /// Paces at `headroom` of `limit` per window (`window`, else the configured one), with a
    /// burst of `burst_fraction` of it, no larger than the limit leaves room for.
    fn learn_limit(&mut self, limit: u32, window: Option<Duration>, config: &BudgetConfig) {
        self.limit = Some(limit);
        let per_window = f64::from(limit) * config.headroom;
        let burst = burst_within(limit, per_window, config.burst_fraction);
        let window = window
            .filter(|w| !w.is_zero())
            .unwrap_or(Duration::from_secs(config.window_secs));
        self.window = Some(window);
        self.pace = Some(Pace {
            per_window,
            window,
            burst,
        });
        self.reserve = (f64::from(limit) * config.window_reserve).ceil() as u32;
        match self.pacer.as_mut() {
            Some(pacer) => pacer.set_rate(per_window, window, burst),
            None => self.pacer = Some(Gcra::new(per_window, window, burst)),
        }
    }

    /// Sets the account's pacer to this replica's share at `now`, before a request costing
    /// `cost` is admitted: `1 / replicas` of the learned pace (and of its burst); and, when
    /// the vendor reports a fixed window, faster if its share of what is left of the window
    /// over the time left is more, so that together the replicas spend the window evenly to
    /// its end, whoever spent what so far. The share is between the replicas really calling
    /// (see [`VendorWindow::callers`]). What is left counts this replica's requests still in
    /// flight once per caller (the others are taken to have as many) and keeps `reserve`
    /// unspent. `Err` with the window's end when nothing is left for this request.
    fn share(&mut self, now: Instant, replicas: u32, cost: u32) -> Result<(), Instant> {
        let replicas = replicas.max(1);
        let before = std::mem::replace(&mut self.replicas, replicas);
        let (Some(pace), Some(pacer)) = (self.pace, self.pacer.as_mut()) else {
            return Ok(());
        };
        if replicas < before {
            // A replica left: its share is this one's part from now, not from the end of the
            // queue reserved at the old share. (Old and new slots overlap for a moment, within
            // the headroom below the limit, and a reported window's remaining still holds.)
            pacer.compress(now, f64::from(replicas) / f64::from(before));
        }
        let burst = (pace.burst / replicas).max(1);
        let mut per_window = pace.per_window / f64::from(replicas);
        if let Some(window) = self.vendor_window.map(|w| w.at(now)) {
            self.vendor_window = Some(window);
            let callers = window.callers(replicas);
            let committed = callers * f64::from(self.in_flight);
            let room = f64::from(window.remaining()) - f64::from(self.reserve) - committed;
            if room < f64::from(cost.max(1)) {
                return Err(window.end());
            }
            // The requests already reserved go first: what is left is spread over the time
            // after them.
            let left = window
                .end()
                .saturating_duration_since(pacer.drained_at(now))
                .max(Duration::from_millis(1));
            // Never slower than the share of the learned pace: a slow slot reserved now
            // would hold this replica back into the next window.
            let even = room / callers * (pace.window.as_secs_f64() / left.as_secs_f64());
            per_window = per_window.max(even);
        }
        pacer.set_rate(per_window, pace.window, burst);
        Ok(())
    }

    /// Endpoints: the vendor's documented cap, as a request states it (Zendesk's incremental
    /// exports: 10 a minute), paced at `headroom` of it from the first request: requests sent
    /// one interval apart can still arrive closer together, and a vendor counting arrivals
    /// would refuse the one over. Every request states it again: unchanged, the pacer is left
    /// as it is; changed, it is re-paced (a cap learned from earlier 429s included).
    pub(crate) fn state_cap(&mut self, requests: u32, window: Duration, config: &BudgetConfig) {
        if self.stated == Some((requests, window)) {
            return;
        }
        self.stated = Some((requests, window));
        self.learn_limit(requests, Some(window), config);
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

    /// Endpoints: the vendor refused a request for the endpoint's own cap. The endpoint is
    /// blocked like an account. Unless its requests state the cap, the requests that went
    /// through in the last window (and since the previous 429) are taken as the cap and paced
    /// below from now on. A stated cap stays: paced below it, this replica alone never meets
    /// its 429, so one means someone else spent the quota, and a count since the previous 429
    /// (short after a start) is no better a guide than the vendor's number. Returns the block.
    pub(crate) fn endpoint_capped(
        &mut self,
        now: Instant,
        explicit: Option<Duration>,
        config: &BudgetConfig,
    ) -> Duration {
        self.forget_before(now, config);
        if let Ok(cap) = u32::try_from(self.went_through.len())
            && cap > 0
            && self.stated.is_none()
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
        let per_window = f64::from(self.limit?) * config.headroom / f64::from(self.replicas.max(1));
        let window = self
            .window
            .unwrap_or(Duration::from_secs(config.window_secs));
        Some((per_window * 60.0 / window.as_secs_f64()).floor() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FG: Lane = Lane::Foreground;

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
            state.admit(None, now, now + secs(10), 1, FG, 1),
            Ok(go(now, true, 0))
        );
        assert_eq!(
            state.admit(None, now, now + secs(10), 1, FG, 1),
            Ok(Admission::AwaitProbe)
        );
        state.abandon_probe();
        assert_eq!(
            state.admit(None, now, now + secs(10), 1, FG, 1),
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
        assert_eq!(
            state.admit(None, now, now + secs(5), 1, FG, 1),
            Err(secs(7))
        );
        assert_eq!(
            state.admit(None, now, now + secs(10), 1, FG, 1),
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
            state.admit(None, now, now + secs(10), 1, FG, 1),
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
        // Intercom: 100 requests per 10-second window; without a reset, paced at 90 per 10 s
        // with a burst of 9.
        let now = Instant::now();
        let mut state = AccountState::new();
        let seen = Observation {
            limit: Some(100),
            remaining: Some(100),
            reset_after: None,
            used: None,
        };
        state.observe(now, &seen, Some(secs(10)), &BudgetConfig::default());
        assert_eq!(state.paced_per_minute(&BudgetConfig::default()), Some(540));
        let deadline = now + secs(60);
        for _ in 0..9 {
            assert_eq!(
                state.admit(None, now, deadline, 1, FG, 1),
                Ok(go(now, false, 1))
            );
        }
        let interval = secs(10).div_f64(90.0);
        assert_eq!(
            state.admit(None, now, deadline, 1, FG, 1),
            Ok(go(now + interval, false, 1)),
            "after the burst, one request per 1/90 of the vendor's window"
        );
    }

    /// An account of 600 a minute whose answer at `now` said `remaining` left and the window
    /// resetting in `reset` seconds.
    fn windowed(now: Instant, remaining: u32, reset: u64) -> AccountState {
        let mut state = AccountState::new();
        let seen = Observation {
            limit: Some(600),
            remaining: Some(remaining),
            reset_after: Some(secs(reset)),
            used: None,
        };
        state.observe(now, &seen, None, &BudgetConfig::default());
        state
    }

    /// The instants `n` requests admitted at `now` go at.
    fn slots(state: &mut AccountState, now: Instant, n: usize, replicas: u32) -> Vec<Instant> {
        (0..n)
            .map(
                |_| match state.admit(None, now, now + secs(60), 1, FG, replicas) {
                    Ok(Admission::Go { at, .. }) => at,
                    other => panic!("{other:?}"),
                },
            )
            .collect()
    }

    #[test]
    fn without_a_reported_window_each_replica_paces_at_its_share() {
        let now = Instant::now();
        let mut state = learned(600);
        // 540 a minute paced, a burst of 54: a third each, one every third of a second.
        let at = slots(&mut state, now, 20, 3);
        assert!(at[..18].iter().all(|at| *at == now), "{at:?}");
        assert_eq!(at[18] - now, secs(60).div_f64(180.0));
        assert_eq!(state.paced_per_minute(&BudgetConfig::default()), Some(180));
        assert_eq!(state.replicas, 3);
    }

    /// The time between two of this replica's requests once its burst is spent.
    fn interval(state: &AccountState) -> Duration {
        state.pacer.as_ref().map(Gcra::interval).unwrap()
    }

    #[test]
    fn when_a_replica_leaves_the_queue_reserved_at_the_old_share_is_brought_closer() {
        let now = Instant::now();
        let mut state = learned(600);
        // Three replicas: one every 1/3 s after a burst of 18; 30 queued reach 10 s ahead.
        let near = |a: Duration, b: Duration| a.abs_diff(b) < Duration::from_micros(10);
        let queued = slots(&mut state, now, 48, 3);
        assert!(near(queued[47] - now, secs(10)), "{:?}", queued[47] - now);
        // Two are left: the queue's frontier comes to 2/3 of the way (and the burst grows to
        // 27); at the old frontier the next slot would have been after the 10 s.
        let next = slots(&mut state, now, 1, 2)[0];
        let frontier = (secs(60) / 180) * 48;
        let expected = frontier.mul_f64(2.0 / 3.0) - (secs(60) / 270) * 26;
        assert!(near(next - now, expected), "{:?} {expected:?}", next - now);
        assert!(next - now < secs(10).mul_f64(2.0 / 3.0));
    }

    #[test]
    fn a_reported_window_is_spent_evenly_to_its_end_between_the_replicas() {
        let now = Instant::now();
        // 306 left for 30 s: 300 after the 1 % kept back, 100 for each of three replicas,
        // one every 0.3 s: faster than a third of the learned pace (one every 1/3 s).
        let mut state = windowed(now, 306, 30);
        assert_eq!(state.share(now, 3, 1), Ok(()));
        assert_eq!(interval(&state), Duration::from_millis(300));
        // 15 s later, nothing more spent: 100 each over 15 s.
        let later = now + secs(15);
        assert_eq!(state.share(later, 3, 1), Ok(()));
        assert_eq!(interval(&state), Duration::from_millis(150));
        // Slots already reserved go first: what is left is spread over the time after them.
        state.pacer.as_mut().unwrap().reserve(later, 25);
        assert_eq!(state.share(later, 3, 1), Ok(()));
        assert_eq!(
            interval(&state),
            secs(15).saturating_sub(Duration::from_millis(150) * 25) / 100
        );
        // A window with less left than a third of the learned pace needs: that pace.
        let mut state = windowed(now, 60, 30);
        assert_eq!(state.share(now, 3, 1), Ok(()));
        assert_eq!(interval(&state), secs(60) / 180);
    }

    #[test]
    fn a_spent_window_holds_requests_until_it_rolls_over() {
        let now = Instant::now();
        // 9 left: 6 kept back, and one in flight here counts three times for three replicas.
        let mut state = windowed(now, 9, 4);
        assert!(matches!(
            state.admit(None, now, now + secs(60), 1, FG, 3),
            Ok(Admission::Go { .. })
        ));
        assert_eq!(
            state.admit(None, now, now + secs(60), 1, FG, 3),
            Ok(Admission::Blocked(now + secs(4)))
        );
        assert_eq!(
            state.admit(None, now, now + secs(2), 1, FG, 3),
            Err(secs(4))
        );
        // Answered: one in flight less. After the reset the window is full again.
        state.settle(1);
        let later = now + secs(4);
        assert!(matches!(
            state.admit(None, later, later + secs(60), 1, FG, 3),
            Ok(Admission::Go { at, .. }) if at == later
        ));
    }

    #[test]
    fn a_probe_answer_without_headers_leaves_the_account_unpaced() {
        let now = Instant::now();
        let mut state = AccountState::new();
        let _ = state.admit(None, now, now + secs(1), 1, FG, 1);
        state.observe(now, &Observation::default(), None, &BudgetConfig::default());
        for _ in 0..100 {
            assert_eq!(
                state.admit(None, now, now + secs(1), 1, FG, 1),
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
        assert_eq!(
            state.admit(None, now, deadline, 5, FG, 1),
            Ok(go(now, false, 5))
        );
        // The vendor counted 9 for it: the burst is spent.
        state.charge(now, 9, 5);
        let interval = Duration::from_secs(60).div_f64(90.0);
        assert_eq!(
            state.admit(None, now, deadline, 1, FG, 1),
            Ok(go(now + interval, false, 1))
        );
        assert_eq!(state.paced_per_minute(&config), Some(90));
    }

    #[test]
    fn background_work_takes_room_only_now_and_only_its_share() {
        let now = Instant::now();
        let deadline = now + secs(60);
        let background = Lane::background(0.2);
        // 100 a minute, paced at 90 (one per 2/3 s) with a burst of 9.
        let mut state = learned(100);
        let interval = secs(60).div_f64(90.0);
        // Tenant calls take the burst, then reserve a slot ahead.
        for _ in 0..9 {
            assert_eq!(
                state.admit(None, now, deadline, 1, FG, 1),
                Ok(go(now, false, 1))
            );
        }
        assert_eq!(
            state.admit(None, now, deadline, 1, FG, 1),
            Ok(go(now + interval, false, 1))
        );
        // Background work finds no room now and reserves nothing: the next tenant call gets
        // the very next slot.
        assert_eq!(
            state.admit(None, now, deadline, 1, background, 1),
            Ok(Admission::Later(now + interval * 2))
        );
        assert_eq!(
            state.admit(None, now, deadline, 1, FG, 1),
            Ok(go(now + interval * 2, false, 1))
        );
        // With room now, it goes now; then its share pacer, at a fifth of the account's pace
        // with no burst, holds the next one back.
        let later = now + interval * 3;
        assert_eq!(
            state.admit(None, later, deadline, 1, background, 1),
            Ok(go(later, false, 1))
        );
        assert_eq!(
            state.admit(None, later, deadline, 1, background, 1),
            Ok(Admission::Later(later + interval * 5))
        );
        // A wait past the deadline fails at once.
        assert_eq!(
            state.admit(None, later, later + interval, 1, background, 1),
            Err(interval * 5)
        );
    }

    #[test]
    fn background_work_probes_and_waits_for_the_probe_like_any_request() {
        let now = Instant::now();
        let deadline = now + secs(60);
        let background = Lane::background(0.2);
        let mut state = AccountState::new();
        assert_eq!(
            state.admit(None, now, deadline, 1, background, 1),
            Ok(go(now, true, 0))
        );
        assert_eq!(
            state.admit(None, now, deadline, 1, background, 1),
            Ok(Admission::AwaitProbe)
        );
        // An account without rate headers is not paced, in either lane.
        state.observe(now, &Observation::default(), None, &BudgetConfig::default());
        for _ in 0..10 {
            assert_eq!(
                state.admit(None, now, deadline, 1, background, 1),
                Ok(go(now, false, 0))
            );
        }
    }

    #[test]
    fn no_share_means_no_background_work_on_a_paced_account() {
        let now = Instant::now();
        let mut state = learned(100);
        assert_eq!(
            state.admit(None, now, now + secs(60), 1, Lane::background(0.0), 1),
            Err(secs(60))
        );
    }

    #[test]
    fn a_stated_cap_paces_an_endpoint_from_its_first_request() {
        let now = Instant::now();
        let config = BudgetConfig::default();
        let mut account = learned(1000);
        let mut endpoint = AccountState::endpoint();
        endpoint.state_cap(10, secs(60), &config);
        assert_eq!(endpoint.limit, Some(10));
        assert_eq!(endpoint.paced_per_minute(&config), Some(9));
        let deadline = now + secs(600);
        let slots: Vec<Instant> = (0..3)
            .map(
                |_| match account.admit(Some(&mut endpoint), now, deadline, 1, FG, 1) {
                    Ok(Admission::Go { at, .. }) => at,
                    other => panic!("{other:?}"),
                },
            )
            .collect();
        let interval = secs(60).div_f64(9.0);
        assert_eq!(slots, [now, now + interval, now + interval * 2]);
        // Stated again, unchanged: the pacer keeps its reservations.
        endpoint.state_cap(10, secs(60), &config);
        assert!(matches!(
            account.admit(Some(&mut endpoint), now, deadline, 1, FG, 1),
            Ok(Admission::Go { at, .. }) if at == now + interval * 3
        ));
    }

    #[test]
    fn a_429_under_a_stated_cap_blocks_the_endpoint_and_keeps_the_cap() {
        let now = Instant::now();
        let config = BudgetConfig::default();
        let mut endpoint = AccountState::endpoint();
        endpoint.state_cap(10, secs(60), &config);
        for _ in 0..4 {
            endpoint.went_through(now, &config);
        }
        assert_eq!(
            endpoint.endpoint_capped(now, Some(secs(5)), &config),
            secs(5)
        );
        assert_eq!(endpoint.blocked_at(now), Some(now + secs(5)));
        assert_eq!(endpoint.limit, Some(10));
        assert_eq!(endpoint.paced_per_minute(&config), Some(9));
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
                account.admit(Some(&mut endpoint), now, deadline, 1, FG, 1),
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
            account.admit(Some(&mut endpoint), now, deadline, 1, FG, 1),
            Ok(Admission::Blocked(now + secs(30)))
        );
        assert_eq!(
            account.admit(Some(&mut endpoint), now, now + secs(10), 1, FG, 1),
            Err(secs(30))
        );
        assert!(matches!(
            account.admit(None, now, deadline, 1, FG, 1),
            Ok(Admission::Go { at, .. }) if at == now
        ));
        // After the block, the endpoint goes at 18 a minute with a burst of 1.
        let later = now + secs(30);
        let slots: Vec<Instant> = (0..3)
            .map(
                |_| match account.admit(Some(&mut endpoint), later, later + secs(60), 1, FG, 1) {
                    Ok(Admission::Go { at, .. }) => at,
                    other => panic!("{other:?}"),
                },
            )
            .collect();
        let interval = Duration::from_secs(60).div_f64(18.0);
        assert_eq!(slots, [later, later + interval, later + interval * 2]);
    }
}
