//! Locking that survives a panicked holder: the sandbox's state stays usable for the
//! remaining requests of a test even if one handler panicked.

use std::sync::{Mutex, MutexGuard, PoisonError};

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
