//! [`Lane`]: whose work a request is, and [`Spent`]: what each lane cost an account.
//!
//! Tenant calls (the foreground) take the account's pace first come, first served, and may
//! reserve a slot ahead. Background work (a connection's change sync) is held to a share of
//! that pace by a second pacer, and goes only when both pacers have room at that moment: it
//! never holds a future slot a tenant call would then queue behind, so under tenant load at
//! the limit it simply does not go.

/// Below this share, background work never goes on a paced account (and a pacer this slow
/// would overflow its interval).
pub(crate) const MIN_SHARE: f64 = 0.001;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Lane {
    Foreground,
    /// At most `share` (in `0..=1`) of the account's pace, only when it has room now.
    Background {
        share: f64,
    },
}

impl Lane {
    /// Background work at `share` of each account's pace; a share outside `0..=1` is taken as
    /// the nearest bound, and NaN as 0.
    pub(crate) fn background(share: f64) -> Self {
        let share = if share.is_nan() {
            0.0
        } else {
            share.clamp(0.0, 1.0)
        };
        Self::Background { share }
    }

    pub(crate) fn is_background(self) -> bool {
        matches!(self, Self::Background { .. })
    }
}

/// What the requests answered on one key cost, per lane, since the key was first tracked, in
/// the key's unit (credits for a Freshdesk account, requests otherwise).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Spent {
    pub(crate) foreground: u64,
    pub(crate) background: u64,
}

impl Spent {
    pub(crate) fn add(&mut self, lane: Lane, units: u32) {
        let counter = match lane {
            Lane::Foreground => &mut self.foreground,
            Lane::Background { .. } => &mut self.background,
        };
        *counter = counter.saturating_add(u64::from(units));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_outside_the_range_are_taken_as_the_nearest_bound() {
        assert_eq!(Lane::background(0.2), Lane::Background { share: 0.2 });
        assert_eq!(Lane::background(1.5), Lane::Background { share: 1.0 });
        assert_eq!(Lane::background(-1.0), Lane::Background { share: 0.0 });
        assert_eq!(Lane::background(f64::NAN), Lane::Background { share: 0.0 });
        assert!(!Lane::Foreground.is_background());
    }

    #[test]
    fn spending_is_counted_per_lane() {
        let mut spent = Spent::default();
        spent.add(Lane::Foreground, 3);
        spent.add(Lane::background(0.2), 1);
        spent.add(Lane::background(0.2), 2);
        assert_eq!(
            spent,
            Spent {
                foreground: 3,
                background: 3
            }
        );
    }
}
