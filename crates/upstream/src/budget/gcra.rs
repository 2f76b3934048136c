//! A GCRA (generic cell rate algorithm) pacer whose rate can change at runtime.
//!
//! State is one instant, the theoretical arrival time (TAT). A request at `now` may go at
//! `max(now, TAT - tolerance)`; reserving it moves TAT to `max(TAT, now) + interval`. Over any
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
}

impl Gcra {
    /// `per_window` requests per `window`, `burst` of them at once.
    pub(crate) fn new(per_window: f64, window: Duration, burst: u32) -> Self {
        let mut gcra = Self {
            tat: None,
            interval: Duration::ZERO,
            tolerance: Duration::ZERO,
        };
        gcra.set_rate(per_window, window, burst);
        gcra
    }

    pub(crate) fn set_rate(&mut self, per_window: f64, window: Duration, burst: u32) {
        let per_window = per_window.max(f64::MIN_POSITIVE);
        self.interval = window.div_f64(per_window);
        self.tolerance = self.interval.saturating_mul(burst.max(1) - 1);
    }

    /// When a request arriving at `now` may go, without reserving it.
    pub(crate) fn earliest(&self, now: Instant) -> Instant {
        match self.tat {
            Some(tat) => tat
                .checked_sub(self.tolerance)
                .map_or(now, |at| at.max(now)),
            None => now,
        }
    }

    /// Reserves the next slot and returns when it may go.
    pub(crate) fn reserve(&mut self, now: Instant) -> Instant {
        let at = self.earliest(now);
        let base = self.tat.map_or(now, |tat| tat.max(now));
        self.tat = Some(base + self.interval);
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_goes_at_once_and_the_rest_is_spaced_by_the_interval() {
        let start = Instant::now();
        let mut gcra = Gcra::new(60.0, Duration::from_secs(60), 3);
        let slots: Vec<Duration> = (0..6).map(|_| gcra.reserve(start) - start).collect();
        assert_eq!(slots, [0, 0, 0, 1, 2, 3].map(Duration::from_secs));
    }

    #[test]
    fn an_idle_pacer_refills_its_burst() {
        let start = Instant::now();
        let mut gcra = Gcra::new(60.0, Duration::from_secs(60), 2);
        gcra.reserve(start);
        gcra.reserve(start);
        let later = start + Duration::from_secs(10);
        assert_eq!(gcra.reserve(later), later);
        assert_eq!(gcra.reserve(later), later);
        assert_eq!(gcra.reserve(later), later + Duration::from_secs(1));
    }

    #[test]
    fn a_lower_rate_applies_to_the_next_reservation() {
        let start = Instant::now();
        let mut gcra = Gcra::new(60.0, Duration::from_secs(60), 1);
        assert_eq!(gcra.reserve(start), start);
        gcra.set_rate(6.0, Duration::from_secs(60), 1);
        assert_eq!(gcra.reserve(start), start + Duration::from_secs(1));
        assert_eq!(gcra.reserve(start), start + Duration::from_secs(11));
    }
}
