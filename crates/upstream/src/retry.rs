//! Full-jitter exponential backoff (`sleep = random(0, min(cap, base * 2^n))`, as in AWS's
//! "Exponential Backoff and Jitter"), for 5xx answers and broken connections only.
//!
//! Hand-written rather than taken from `backon`: its jitter adds a random amount on top of the
//! delay instead of drawing the whole delay, and the engine's loop interleaves budget waits,
//! explicit `Retry-After` waits and the deadline, which a generic retry wrapper cannot see.

use std::time::Duration;

use rand::Rng as _;

use crate::config::RetryConfig;

/// The sleep before retry number `retry` (0 for the first retry).
pub(crate) fn full_jitter(retry: u32, config: &RetryConfig) -> Duration {
    let ceiling = config
        .base_delay_ms
        .saturating_mul(1u64 << retry.min(32))
        .min(config.max_delay_ms);
    Duration::from_millis(rand::rng().random_range(0..=ceiling))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeps_stay_under_the_doubling_ceiling_and_the_cap() {
        let config = RetryConfig {
            max_attempts: 10,
            base_delay_ms: 100,
            max_delay_ms: 1_000,
        };
        for retry in 0..40 {
            let ceiling = (100u64 << retry.min(32)).min(1_000);
            for _ in 0..50 {
                assert!(full_jitter(retry, &config) <= Duration::from_millis(ceiling));
            }
        }
    }

    #[test]
    fn sleeps_are_spread_over_the_whole_range() {
        let config = RetryConfig {
            max_attempts: 10,
            base_delay_ms: 1_000,
            max_delay_ms: 1_000,
        };
        let draws: Vec<Duration> = (0..400).map(|_| full_jitter(5, &config)).collect();
        assert!(draws.iter().any(|d| *d < Duration::from_millis(200)));
        assert!(draws.iter().any(|d| *d > Duration::from_millis(800)));
    }
}
