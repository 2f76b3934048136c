//! [`WallClock`]: the calendar time used for blocked-until values shared across replicas.
//!
//! Pacing runs on tokio's monotonic clock. Blocks shared through the
//! [`BlockRegistry`](crate::BlockRegistry) need calendar time; tests that pause tokio's clock
//! use [`TokioWallClock`] so calendar time advances with it.

use std::fmt;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

pub trait WallClock: Send + Sync + fmt::Debug + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's calendar clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemWallClock;

impl WallClock for SystemWallClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Calendar time that advances with tokio's clock (paused or not) from a starting point.
#[derive(Clone, Copy, Debug)]
pub struct TokioWallClock {
    start_wall: DateTime<Utc>,
    start: Instant,
}

impl TokioWallClock {
    /// Starts at `start_wall` now.
    pub fn starting_at(start_wall: DateTime<Utc>) -> Self {
        Self {
            start_wall,
            start: Instant::now(),
        }
    }
}

impl WallClock for TokioWallClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed =
            chrono::Duration::from_std(self.start.elapsed()).unwrap_or(chrono::Duration::MAX);
        self.start_wall
            .checked_add_signed(elapsed)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}
