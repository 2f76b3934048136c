//! When a failed delivery is tried again.

use std::time::Duration;

use rand::Rng;

use crate::webhooks::WebhookSettings;

/// The wait after failed attempt number `attempt` (1 for the first), or `None` when the
/// schedule is spent and the delivery has failed. The step is jittered; a receiver's
/// `Retry-After` lengthens it up to `retry_after_max` but never shortens it.
pub(crate) fn next_wait(
    settings: &WebhookSettings,
    attempt: u32,
    retry_after: Option<Duration>,
) -> Option<Duration> {
    let index = usize::try_from(attempt).ok()?.checked_sub(1)?;
    let step = *settings.retries.get(index)?;
    let spread = rand::rng().random_range(-settings.jitter..=settings.jitter);
    let step = step.mul_f64((1.0 + spread).max(0.0));
    Some(match retry_after {
        Some(asked) => step.max(asked.min(settings.retry_after_max)),
        None => step,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(jitter: f64) -> WebhookSettings {
        WebhookSettings {
            retries: vec![Duration::from_secs(5), Duration::from_secs(300)],
            jitter,
            retry_after_max: Duration::from_secs(3600),
            ..WebhookSettings::default()
        }
    }

    #[test]
    fn each_failure_takes_the_next_step_until_the_schedule_is_spent() {
        let s = settings(0.0);
        assert_eq!(next_wait(&s, 1, None), Some(Duration::from_secs(5)));
        assert_eq!(next_wait(&s, 2, None), Some(Duration::from_secs(300)));
        assert_eq!(next_wait(&s, 3, None), None);
        assert_eq!(next_wait(&s, 0, None), None);
    }

    #[test]
    fn retry_after_lengthens_a_step_within_the_bound_and_never_shortens_it() {
        let s = settings(0.0);
        let secs = |n| Some(Duration::from_secs(n));
        assert_eq!(next_wait(&s, 1, secs(60)), secs(60));
        assert_eq!(next_wait(&s, 1, secs(1)), secs(5));
        assert_eq!(next_wait(&s, 1, secs(86_400)), secs(3600));
        assert_eq!(next_wait(&s, 2, secs(10)), secs(300));
    }

    #[test]
    fn jitter_stays_within_its_fraction() {
        let s = settings(0.1);
        for _ in 0..200 {
            let wait = next_wait(&s, 2, None).unwrap().as_secs_f64();
            assert!((270.0..=330.0).contains(&wait), "{wait}");
        }
    }
}
