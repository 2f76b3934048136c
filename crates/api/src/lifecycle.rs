//! Where the serving process is in its life: whether it is draining before a shutdown (so
//! that `/readyz` tells the load balancer to send new requests elsewhere), and how many
//! requests it is answering (so that a shutdown can say how many it cut).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Shared by the router and the code that serves it. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Lifecycle {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    draining: AtomicBool,
    in_flight: AtomicUsize,
}

impl Lifecycle {
    /// From now on `/readyz` answers 503: the process is about to stop. Requests are still
    /// served.
    pub fn start_draining(&self) {
        self.inner.draining.store(true, Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.inner.draining.load(Ordering::SeqCst)
    }

    /// Requests whose handler has not answered yet.
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::SeqCst)
    }

    /// Counts one request until the guard is dropped.
    pub(crate) fn track(&self) -> InFlight {
        self.inner.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(self.inner.clone())
    }
}

/// One request being answered; dropping it (the answer given, or the request cancelled)
/// takes it off the count.
pub(crate) struct InFlight(Arc<Inner>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_until_answered_and_draining_sticks() {
        let lifecycle = Lifecycle::default();
        let shared = lifecycle.clone();
        assert!(!lifecycle.is_draining());
        let a = lifecycle.track();
        let b = shared.track();
        assert_eq!(lifecycle.in_flight(), 2);
        drop(a);
        assert_eq!(lifecycle.in_flight(), 1);
        shared.start_draining();
        assert!(lifecycle.is_draining());
        drop(b);
        assert_eq!(lifecycle.in_flight(), 0);
    }
}
