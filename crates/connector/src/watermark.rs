//! [`Watermark`]: a position in a feed read by a timestamp of whole seconds ("changed at or
//! after `at`"), for vendors whose lists and searches have no cursor of their own that
//! survives between syncs (Freshdesk's `updated_since`, Intercom's `updated_at` search and
//! deleted-conversation list).
//!
//! Vendors' bounds are inclusive and their timestamps whole seconds, so a position is the
//! instant plus the ids already answered at exactly that instant: asking again from the
//! instant returns those records again, and they are dropped, while a record that reached
//! the instant later is not. Ids are a dedupe aid only: a record whose id is not a number, or
//! an id shed to keep a cursor short, is answered again, never skipped.

use chrono::{DateTime, TimeDelta, Utc};

/// A record's place in a feed: its numeric id and the instant it changed (or was deleted).
pub type FeedKey = (u64, DateTime<Utc>);

/// Everything changed before `at` has been answered, and so have the `seen` ids at `at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watermark {
    at: DateTime<Utc>,
    /// Ascending, no repeats.
    seen: Vec<u64>,
}

/// The whole second `at` falls in: vendors' bounds and our cursors hold whole seconds.
pub fn whole_second(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at)
}

impl Watermark {
    /// Nothing answered yet: from `since` (rounded down to its second) on.
    pub fn start(since: DateTime<Utc>) -> Self {
        Self {
            at: whole_second(since),
            seen: Vec::new(),
        }
    }

    /// `at` (rounded down to its second) with the `seen` ids already answered there.
    pub fn new(at: DateTime<Utc>, mut seen: Vec<u64>) -> Self {
        seen.sort_unstable();
        seen.dedup();
        Self {
            at: whole_second(at),
            seen,
        }
    }

    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    pub fn seen(&self) -> &[u64] {
        &self.seen
    }

    /// Whether a record changed at `at` has not been answered from here: later than the
    /// instant, or at it and not among the ids seen there.
    pub fn is_new(&self, id: u64, at: DateTime<Utc>) -> bool {
        let at = whole_second(at);
        at > self.at || (at == self.at && self.seen.binary_search(&id).is_err())
    }

    /// The position once `keys` have been answered, in whatever order they came: the newest
    /// instant among them (with the ids at it), or this one with the ids at its own instant
    /// added. Keys older than the position change nothing.
    pub fn past(&self, keys: &[FeedKey]) -> Self {
        let newest = keys
            .iter()
            .map(|(_, at)| whole_second(*at))
            .filter(|at| *at >= self.at)
            .max();
        let Some(newest) = newest else {
            return self.clone();
        };
        let at_newest = keys
            .iter()
            .filter(|(_, at)| whole_second(*at) == newest)
            .map(|(id, _)| *id);
        let seen = if newest == self.at {
            self.seen.iter().copied().chain(at_newest).collect()
        } else {
            at_newest.collect()
        };
        Self::new(newest, seen)
    }

    /// The position to resume from once a walk has reached the end of its feed, having
    /// answered `keys` on its last page: [`Watermark::past`] them, but never beyond `cap`.
    ///
    /// An instant that is still now (or recent enough for the vendor's index to lack some
    /// records of it) can gain records after they were read: a ticket changed again in the
    /// same second, or one that shows up late in a search. Stopping at `cap` (a little before
    /// now) answers the newer records again next time instead of marking them seen. When the
    /// walk itself is already past `cap`, it resumes from `cap` with no ids: everything before
    /// `cap` has been answered, and what is at or after it comes again.
    pub fn settled(&self, keys: &[FeedKey], cap: DateTime<Utc>) -> Self {
        let cap = whole_second(cap);
        if self.at > cap {
            return Self::start(cap);
        }
        let settled: Vec<FeedKey> = keys
            .iter()
            .copied()
            .filter(|(_, at)| whole_second(*at) <= cap)
            .collect();
        self.past(&settled)
    }

    /// Forgets the oldest eighth of the seen ids (at least one) to keep a cursor short:
    /// those records may be answered again. `false` when there was none to forget.
    pub fn shed(&mut self) -> bool {
        if self.seen.is_empty() {
            return false;
        }
        self.seen.drain(..self.seen.len().div_ceil(8));
        true
    }
}

/// A cap a little before `now`: how far a walk's resumed position may go.
pub fn settled_before(now: DateTime<Utc>, settle: std::time::Duration) -> DateTime<Utc> {
    now - TimeDelta::from_std(settle).unwrap_or(TimeDelta::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    use super::*;
    use crate::testing::at;

    #[test]
    fn records_at_the_instant_are_new_unless_seen_and_later_ones_always() {
        let mark = Watermark::new(at(10), vec![3, 1, 1]);
        assert_eq!(mark.seen(), [1, 3]);
        assert!(!mark.is_new(1, at(10)));
        assert!(mark.is_new(2, at(10)));
        assert!(mark.is_new(1, at(11)));
        assert!(!mark.is_new(2, at(9)));
        // A fraction of a second is the same instant.
        let fraction = at(10) + TimeDelta::milliseconds(700);
        assert!(!mark.is_new(3, fraction));
    }

    #[test]
    fn past_moves_to_the_newest_instant_whatever_the_order() {
        let mark = Watermark::new(at(10), vec![1]);
        let moved = mark.past(&[(7, at(12)), (5, at(11)), (6, at(12)), (2, at(9))]);
        assert_eq!(moved, Watermark::new(at(12), vec![6, 7]));
        let same = mark.past(&[(4, at(10)), (2, at(8))]);
        assert_eq!(same, Watermark::new(at(10), vec![1, 4]));
        assert_eq!(mark.past(&[]), mark);
    }

    #[test]
    fn a_settled_position_stops_before_the_cap() {
        let mark = Watermark::start(at(10));
        let keys = [(1, at(11)), (2, at(20)), (3, at(15))];
        assert_eq!(mark.settled(&keys, at(15)), Watermark::new(at(15), vec![3]));
        assert_eq!(
            mark.settled(&keys, at(100)),
            Watermark::new(at(20), vec![2])
        );
        // A walk already past the cap resumes at it, with nothing marked seen.
        let ahead = Watermark::new(at(30), vec![9]);
        assert_eq!(ahead.settled(&keys, at(25)), Watermark::start(at(25)));
        assert_eq!(
            settled_before(at(100), std::time::Duration::from_secs(60)),
            at(40)
        );
    }

    #[test]
    fn shedding_forgets_the_smallest_ids_first() {
        let mut mark = Watermark::new(at(0), (1..=16).collect());
        assert!(mark.shed());
        assert_eq!(mark.seen(), (3..=16).collect::<Vec<_>>());
        let mut empty = Watermark::start(at(0));
        assert!(!empty.shed());
    }

    proptest! {
        /// Whatever the order keys are answered in, page by page, nothing at or after the
        /// final position is both answered and treated as new again, and nothing newer than
        /// the position is marked seen.
        #[test]
        fn past_never_marks_an_unanswered_record(
            pages in proptest::collection::vec(
                proptest::collection::vec((0_u64..50, 0_i64..20), 0..10), 0..6),
        ) {
            let mut mark = Watermark::start(at(0));
            let mut answered = std::collections::HashSet::new();
            for page in &pages {
                let keys: Vec<FeedKey> = page.iter().map(|(id, s)| (*id, at(*s))).collect();
                answered.extend(keys.iter().copied());
                mark = mark.past(&keys);
            }
            for id in mark.seen() {
                prop_assert!(answered.contains(&(*id, mark.at())));
            }
        }
    }
}
