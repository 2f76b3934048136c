//! [`Replicas`]: how many replicas share every upstream account's allowance.
//!
//! Each replica paces an account at `1 / replicas` of what it may spend. The engine does not
//! count replicas itself: the application does (heartbeat rows in its store) and sets the
//! figure here; until it does, the engine paces as if it were alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// A shared counter of live replicas, at least 1. Cheap to clone; clones see one value.
#[derive(Clone, Debug)]
pub struct Replicas(Arc<AtomicU32>);

impl Replicas {
    /// One replica: this process alone.
    pub fn alone() -> Self {
        Self(Arc::new(AtomicU32::new(1)))
    }

    /// Sets the count of live replicas, this one included; 0 is taken as 1.
    pub fn set(&self, live: u32) {
        self.0.store(live.max(1), Ordering::Relaxed);
    }

    /// The count of live replicas, at least 1.
    pub fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed).max(1)
    }
}

impl Default for Replicas {
    fn default() -> Self {
        Self::alone()
    }
}
