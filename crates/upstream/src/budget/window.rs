//! [`VendorWindow`]: the vendor's current quota window, as its answers report it.
//!
//! Zendesk and Intercom count requests in fixed windows and say, on every answer, how many
//! are left and when the window resets (Zendesk: `ratelimit-reset` in whole seconds, rounded
//! up; Intercom: `X-RateLimit-Reset`, a UNIX time). Every replica calling the account sees
//! the same window drain, whoever spent it, so this is the figure that corrects each
//! replica's estimate of its share: what is left, over the time left, split between the
//! replicas.
//!
//! Answers arrive out of order and a reset rounded up to a whole second points past the
//! window's real end, so within one window the fewest remaining and the earliest end seen
//! are kept. Past its end a window is taken as rolled over, full again, until an answer
//! says otherwise.
//!
//! What this replica spent in the window, beside what the vendor says was spent in all, tells
//! how many are really calling the account: a replica alone on an account is not held to a
//! third of it because three replicas are live.

use std::time::Duration;

use tokio::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct VendorWindow {
    /// The earliest end any answer in this window implied.
    end: Instant,
    /// The fewest units any answer in this window reported left.
    remaining: u32,
    limit: u32,
    length: Duration,
    /// What this replica's answered requests spent of the window.
    own: u32,
}

/// Answers of this replica in a window before its share of the spending is trusted.
const MIN_OWN: u32 = 5;

impl VendorWindow {
    /// Folds one answer into `current`: `limit` units per window of `length`, `remaining`
    /// of them left, the window ending `reset_after` from `now`, the answered request having
    /// cost `spent`. An answer whose reset lies beyond a whole window does not describe a
    /// fixed window, and changes nothing.
    pub(crate) fn observe(
        current: Option<Self>,
        now: Instant,
        limit: u32,
        remaining: u32,
        reset_after: Duration,
        length: Duration,
        spent: u32,
    ) -> Option<Self> {
        if length.is_zero() || limit == 0 || reset_after > length + Duration::from_secs(1) {
            return current;
        }
        let seen = Self {
            end: now + reset_after,
            remaining: remaining.min(limit),
            limit,
            length,
            own: spent,
        };
        let Some(current) = current.map(|w| w.at(now)) else {
            return Some(seen);
        };
        let half = length / 2;
        Some(if seen.end > current.end + half {
            // A later window than the one believed current.
            seen
        } else if seen.end + half < current.end {
            // A slow answer from the window before: it says nothing about this one.
            current
        } else {
            Self {
                end: current.end.min(seen.end),
                remaining: current.remaining.min(seen.remaining),
                limit,
                length,
                own: current.own.saturating_add(spent),
            }
        })
    }

    /// The window at `now`: past its end it has rolled over (as often as needed), full.
    pub(crate) fn at(self, now: Instant) -> Self {
        if now < self.end {
            return self;
        }
        let behind = now.duration_since(self.end);
        let windows = u32::try_from(behind.as_nanos() / self.length.as_nanos()).unwrap_or(0) + 1;
        Self {
            end: self.end + self.length.saturating_mul(windows),
            remaining: self.limit,
            own: 0,
            ..self
        }
    }

    /// How many replicas, of `live`, are spending this window: the vendor's count of what
    /// was spent over this replica's own, between 1 and `live`; `live` until this replica
    /// has answers enough in the window to tell.
    pub(crate) fn callers(self, live: u32) -> f64 {
        let live = f64::from(live.max(1));
        if self.own < MIN_OWN {
            return live;
        }
        let spent = f64::from(self.limit.saturating_sub(self.remaining));
        (spent / f64::from(self.own)).clamp(1.0, live)
    }

    /// Units left in the window at `now`.
    pub(crate) fn remaining(self) -> u32 {
        self.remaining
    }

    /// When the window at `now` ends.
    pub(crate) fn end(self) -> Instant {
        self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn the_fewest_remaining_and_the_earliest_end_of_one_window_are_kept() {
        let now = Instant::now();
        let w = VendorWindow::observe(None, now, 600, 500, secs(30), secs(60), 1);
        let w = VendorWindow::observe(w, now, 600, 520, secs(29), secs(60), 1).unwrap();
        assert_eq!((w.remaining(), w.end()), (500, now + secs(29)));
    }

    #[test]
    fn a_window_past_its_end_is_full_again() {
        let now = Instant::now();
        let w = VendorWindow::observe(None, now, 600, 3, secs(2), secs(60), 1).unwrap();
        let later = w.at(now + secs(5));
        assert_eq!((later.remaining(), later.end()), (600, now + secs(62)));
        let much_later = w.at(now + secs(200));
        assert_eq!(much_later.end(), now + secs(242));
    }

    #[test]
    fn a_slow_answer_from_the_window_before_is_ignored_and_a_later_window_replaces() {
        let now = Instant::now();
        let w = VendorWindow::observe(None, now, 600, 590, secs(59), secs(60), 1);
        // Sent before the roll, answered after it: 1 left, "resets in 1 s".
        let stale = VendorWindow::observe(w, now + secs(1), 600, 1, secs(1), secs(60), 1).unwrap();
        assert_eq!(stale.remaining(), 590);
        let next =
            VendorWindow::observe(w, now + secs(2), 600, 599, secs(59), secs(60), 1).unwrap();
        assert_eq!((next.remaining(), next.end()), (590, now + secs(59)));
        let after = VendorWindow::observe(w, now + secs(60), 600, 598, secs(59), secs(60), 1);
        assert_eq!(after.unwrap().end(), now + secs(119));
    }

    #[test]
    fn the_callers_are_told_by_what_the_vendor_counted_over_what_this_replica_spent() {
        let now = Instant::now();
        let mut w = VendorWindow::observe(None, now, 600, 590, secs(50), secs(60), 1);
        assert_eq!(w.unwrap().callers(3), 3.0, "too few answers to tell");
        for left in [580, 570, 560, 550] {
            w = VendorWindow::observe(w, now, 600, left, secs(50), secs(60), 1);
        }
        // 50 spent, 5 of them here: more than the 3 live replicas would explain.
        assert_eq!(w.unwrap().callers(3), 3.0);
        // Alone: everything the vendor counted was spent here.
        let mut alone = None;
        for left in [599, 598, 597, 596, 595] {
            alone = VendorWindow::observe(alone, now, 600, left, secs(50), secs(60), 1);
        }
        assert_eq!(alone.unwrap().callers(3), 1.0);
        assert_eq!(alone.unwrap().at(now + secs(50)).callers(3), 3.0);
    }

    #[test]
    fn a_reset_longer_than_the_window_is_not_a_fixed_window() {
        let now = Instant::now();
        assert_eq!(
            VendorWindow::observe(None, now, 600, 5, secs(3600), secs(60), 1),
            None
        );
    }
}
