//! Calls to a vendor in flight through one connection, capped per replica.
//!
//! A call takes a [`CallPermit`] before anything reaches the vendor (a token renewal
//! included) and holds it until it is dropped: when the call completes, when the request is
//! cancelled (the client went away and the future was dropped) or when it panics (the permit
//! is dropped while unwinding). The count lives in one map under a mutex held only to add or
//! take one, never across an await; an entry is removed when its last call ends, so the map
//! holds only connections with calls in flight.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use deskgate_core::ConnectionId;

/// The calls in flight per connection, and the cap.
pub struct ConnectionCalls {
    cap: u32,
    counts: Mutex<HashMap<ConnectionId, u32>>,
}

impl fmt::Debug for ConnectionCalls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionCalls")
            .field("cap", &self.cap)
            .finish_non_exhaustive()
    }
}

/// One call's slot; given back when dropped.
#[derive(Debug)]
pub struct CallPermit {
    calls: Arc<ConnectionCalls>,
    id: ConnectionId,
}

impl ConnectionCalls {
    pub fn new(cap: u32) -> Arc<Self> {
        Arc::new(Self {
            cap: cap.max(1),
            counts: Mutex::new(HashMap::new()),
        })
    }

    pub fn cap(&self) -> u32 {
        self.cap
    }

    /// A slot for one more call through `id`, or `None` when `cap` are in flight.
    pub fn try_acquire(self: &Arc<Self>, id: ConnectionId) -> Option<CallPermit> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(id).or_insert(0);
        if *count >= self.cap {
            return None;
        }
        *count += 1;
        Some(CallPermit {
            calls: self.clone(),
            id,
        })
    }

    /// The calls in flight through `id`.
    pub fn in_flight(&self, id: ConnectionId) -> u32 {
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.get(&id).copied().unwrap_or(0)
    }
}

impl crate::App {
    /// A slot for one call to the vendor through `id`: `None` when limits are off, and
    /// [`AppError::ConnectionBusy`](crate::AppError::ConnectionBusy) when the cap is reached.
    pub(crate) fn call_permit(
        &self,
        id: ConnectionId,
    ) -> Result<Option<CallPermit>, crate::AppError> {
        let Some(calls) = self.connection_calls() else {
            return Ok(None);
        };
        calls
            .try_acquire(id)
            .map(Some)
            .ok_or(crate::AppError::ConnectionBusy { limit: calls.cap() })
    }
}

impl crate::App {
    /// The calls to the vendor in flight through `id` on this replica (0 when limits are off).
    pub fn calls_in_flight(&self, id: ConnectionId) -> u32 {
        self.connection_calls()
            .map_or(0, |calls| calls.in_flight(id))
    }
}

impl Drop for CallPermit {
    fn drop(&mut self) {
        let mut counts = self
            .calls
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.id) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_refuses_one_more_and_a_dropped_permit_gives_its_slot_back() {
        let calls = ConnectionCalls::new(2);
        let (id, other) = (ConnectionId::new(), ConnectionId::new());
        let first = calls.try_acquire(id).unwrap();
        let _second = calls.try_acquire(id).unwrap();
        assert!(calls.try_acquire(id).is_none());
        assert!(calls.try_acquire(other).is_some(), "another connection");
        drop(first);
        assert_eq!(calls.in_flight(id), 1);
        assert!(calls.try_acquire(id).is_some());
    }

    #[test]
    fn a_panicking_call_gives_its_slot_back() {
        let calls = ConnectionCalls::new(1);
        let id = ConnectionId::new();
        let held = calls.clone();
        let panicked = std::thread::spawn(move || {
            let _permit = held.try_acquire(id).unwrap();
            panic!("the call panicked");
        })
        .join();
        assert!(panicked.is_err());
        assert_eq!(calls.in_flight(id), 0);
        assert!(calls.try_acquire(id).is_some());
    }

    #[tokio::test]
    async fn a_cancelled_call_gives_its_slot_back() {
        let calls = ConnectionCalls::new(1);
        let id = ConnectionId::new();
        let held = calls.clone();
        let call = tokio::spawn(async move {
            let _permit = held.try_acquire(id).unwrap();
            std::future::pending::<()>().await;
        });
        while calls.in_flight(id) == 0 {
            tokio::task::yield_now().await;
        }
        call.abort();
        assert!(call.await.unwrap_err().is_cancelled());
        assert_eq!(calls.in_flight(id), 0);
        assert!(calls.counts.lock().unwrap().is_empty(), "the entry is gone");
    }
}
