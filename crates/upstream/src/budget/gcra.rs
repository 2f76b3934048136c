//! A GCRA (generic cell rate algorithm) pacer whose rate can change at runtime.
//!
//! State is one instant, the theoretical arrival time (TAT). A request at `now` may go at
//! `max(now, TAT - tolerance)`; reserving it moves TAT to `max(TAT, now) + interval`. A request
//! costing `n` cells (Freshdesk counts credits, not requests) needs `n - 1` more intervals of
//! room and moves TAT by `n · interval`; a cost learned only from the answer is charged to TAT
//! afterwards. Over any
//! span `t` at most `burst + t / interval` requests go, and reservations are served first come,
//! first served. Changing the rate keeps TAT, so a newly learned limit applies from the next
//! reservation on.

use std::time::Duration;

use tokio::time::Instant;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Gcra {
    tat: Option<Instant>,
    interval: Duration,
    tolerance: Duration,
    burst: u32,
}

impl Gcra {
    /// `per_window` requests per `window`, `burst` of them at once.
    pub(crate) fn new(per_window: f64, window: Duration, burst: u32) -> Self {
        let mut gcra = Self {
            tat: None,
            interval: Duration::ZERO,
            tolerance: Duration::ZERO,
            burst: 1,
        };
        gcra.set_rate(per_window, window, burst);
        gcra
    }

    pub(crate) fn set_rate(&mut self, per_window: f64, window: Duration, burst: u32) {
        let per_window = per_window.max(f64::MIN_POSITIVE);
        self.interval = window.div_f64(per_window);
        self.burst = burst.max(1);
        self.tolerance = self.interval.saturating_mul(self.burst - 1);
    }

    /// When the cells reserved so far have all gone (`now` when none are waiting).
    pub(crate) fn drained_at(&self, now: Instant) -> Instant {
        self.tat.map_or(now, |tat| tat.max(now))
    }

    /// Brings the cells reserved beyond `now` closer by `factor` (in `0..1`): when the rate
    /// grows because a replica left, the queue reserved at the old rate would otherwise hold
    /// the new rate back for as long as it reaches ahead. The slots already handed out keep
    /// their instants; new ones start from the nearer frontier.
    pub(crate) fn compress(&mut self, now: Instant, factor: f64) {
        if let Some(tat) = self.tat.filter(|tat| *tat > now) {
            self.tat = Some(now + (tat - now).mul_f64(factor.clamp(0.0, 1.0)));
        }
    }

    /// The time one cell takes at this rate.
    pub(crate) fn interval(&self) -> Duration {
        self.interval
    }

    /// When a request costing `cost` cells (credits) and arriving at `now` may go, without
    /// reserving it. A request costing more than the whole burst goes once the pacer is idle
    /// (it could never fit otherwise) and pushes everyone after it back by its full cost.
    pub(crate) fn earliest(&self, now: Instant, cost: u32) -> Instant {
        let Some(tat) = self.tat else {
            return now;
        };
        let fitting = cost.clamp(1, self.burst);
        let at = (tat + self.interval.saturating_mul(fitting - 1)).checked_sub(self.tolerance);
        at.map_or(now, |at| at.max(now))
    }

    /// Reserves `cost` cells for a request sent at `at` (from [`Gcra::earliest`] or later).
    pub(crate) fn reserve(&mut self, at: Instant, cost: u32) {
        let base = self.tat.map_or(at, |tat| tat.max(at));
        self.tat = Some(base + self.interval.saturating_mul(cost));
    }

    /// Corrects a reservation after the fact by `cells` (the vendor counted more, or fewer,
    /// than was reserved), so that the requests reserved from now on are paced as if the
    /// vendor's count had been known up front.
    pub(crate) fn charge(&mut self, now: Instant, cells: i64) {
        let shift = self
            .interval
            .saturating_mul(u32::try_from(cells.unsigned_abs()).unwrap_or(u32::MAX));
        let base = self.tat.map_or(now, |tat| tat.max(now));
        self.tat = Some(if cells >= 0 {
            base + shift
        } else {
            // A refund never moves the pacer before now: unused time is not saved up beyond
            // the burst.
            base.checked_sub(shift).map_or(now, |tat| tat.max(now))
        });
    }
}

/// The burst for pacing `per_window` cells a window under a vendor limit of `limit`: the
/// configured `fraction` of a window's cells, cut so that the burst and a window's paced
/// cells together stay within the limit. Over any span shorter than a window GCRA lets up to
/// `burst + floor(per_window)` cells through (the interval is rounded down to a nanosecond,
/// so a whole number of them can fall just inside the window), and a vendor counting that
/// window would refuse whatever passes its limit.
pub(crate) fn burst_within(limit: u32, per_window: f64, fraction: f64) -> u32 {
    let wanted = (per_window * fraction).floor().max(1.0);
    let room = f64::from(limit) - per_window.floor();
    wanted.min(room).max(1.0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reserves the earliest slot for `cost` cells and returns it.
    fn take(gcra: &mut Gcra, now: Instant, cost: u32) -> Instant {
        let at = gcra.earliest(now, cost);
        gcra.reserve(at, cost);
        at
    }

    #[test]
    fn a_burst_goes_at_once_and_the_rest_is_spaced_by_the_interval() {
        let start = Instant::now();
        let mut gcra = Gcra::new(60.0, Duration::from_secs(60), 3);
        let slots: Vec<Duration> = (0..6).map(|_| take(&mut gcra, start, 1) - start).collect();
        assert_eq!(slots, [0, 0, 0, 1, 2, 3].map(Duration::from_secs));
    }

    #[test]
    fn an_idle_pacer_refills_its_burst() {
        let start = Instant::now();
        let mut gcra = Gcra::new(60.0, Duration::from_secs(60), 2);
        let _ = take(&mut gcra, start, 1);
        let _ = take(&mut gcra, start, 1);
        let later = start + Duration::from_secs(10);
        assert_eq!(take(&mut gcra, later, 1), later);
        assert_eq!(take(&mut gcra, later, 1), later);
        assert_eq!(take(&mut gcra, later, 1), later + Duration::from_secs(1));
    }

    #[test]
    fn a_lower_rate_applies_to_the_next_reservation() {
        let start = Instant::now();
        let mut gcra = Gcra::new(60.0, Duration::from_secs(60), 1);
        assert_eq!(take(&mut gcra, start, 1), start);
        gcra.set_rate(6.0, Duration::from_secs(60), 1);
        assert_eq!(take(&mut gcra, start, 1), start + Duration::from_secs(1));
        assert_eq!(take(&mut gcra, start, 1), start + Duration::from_secs(11));
    }

    #[test]
    fn a_costly_request_uses_up_as_many_cells_as_it_costs() {
        let start = Instant::now();
        let mut gcra = Gcra::new(60.0, Duration::from_secs(60), 3);
        assert_eq!(take(&mut gcra, start, 3), start);
        assert_eq!(take(&mut gcra, start, 1), start + Duration::from_secs(1));
        // Two cells need one more second of room than one.
        assert_eq!(take(&mut gcra, start, 2), start + Duration::from_secs(3));
        // More than the burst goes when the pacer is idle and holds back what follows.
        let idle = start + Duration::from_secs(60);
        assert_eq!(take(&mut gcra, idle, 10), idle);
        assert_eq!(take(&mut gcra, idle, 1), idle + Duration::from_secs(8));
    }

    #[test]
    fn a_burst_never_lets_more_than_the_limit_into_one_window() {
        // The defaults leave bursts as configured: 10 % of 630 paced of 700.
        assert_eq!(burst_within(700, 630.0, 0.1), 63);
        // Pacing at the whole limit leaves no room for a burst.
        assert_eq!(burst_within(10, 10.0, 0.5), 1);
        assert_eq!(burst_within(10, 9.0, 1.0), 1);
        assert_eq!(burst_within(10, 8.5, 1.0), 2);
        assert_eq!(burst_within(1, 0.9, 0.1), 1);
        for (limit, per_window, fraction) in [(10, 8.5, 1.0), (100, 95.0, 0.2), (7, 6.3, 0.5)] {
            let burst = burst_within(limit, per_window, fraction);
            let start = Instant::now();
            let mut gcra = Gcra::new(per_window, Duration::from_secs(60), burst);
            let slots: Vec<Instant> = (0..200).map(|_| take(&mut gcra, start, 1)).collect();
            for (i, first) in slots.iter().enumerate() {
                let within = slots[i..]
                    .iter()
                    .take_while(|at| at.duration_since(*first) < Duration::from_secs(60))
                    .count();
                assert!(
                    within <= limit as usize,
                    "{limit} {per_window} {fraction}: {within}"
                );
            }
        }
    }

    #[test]
    fn a_charge_after_the_fact_delays_the_next_requests_and_a_refund_brings_them_forward() {
        let start = Instant::now();
        let mut gcra = Gcra::new(60.0, Duration::from_secs(60), 1);
        assert_eq!(take(&mut gcra, start, 1), start);
        gcra.charge(start, 4);
        assert_eq!(gcra.earliest(start, 1), start + Duration::from_secs(5));
        gcra.charge(start, -2);
        assert_eq!(gcra.earliest(start, 1), start + Duration::from_secs(3));
        gcra.charge(start, -100);
        assert_eq!(gcra.earliest(start, 1), start);
    }
}
