//! A vendor that counts every request it accepts in a sliding window, stricter than the fixed
//! windows vendors count in, and refuses with a 429 the one that would pass its limit: a
//! 429 here is one the real vendor could have sent.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deskgate_upstream::TransportRequest;
use tokio::time::Instant;

use super::fake::{FakeVendor, Reply, response, secs};

/// Which of the vendor's limits a request counts against, by its path.
pub(crate) type Limits = Vec<(&'static str, u32, Duration)>;

#[derive(Default)]
struct Counts {
    /// Per limit: when each accepted request arrived.
    accepted: Vec<VecDeque<Duration>>,
    /// Every accepted request: when, and its path.
    log: Vec<(Duration, String)>,
    refused: usize,
}

/// The vendor, and what it saw.
pub(crate) struct Quota {
    pub(crate) fake: Arc<FakeVendor>,
    counts: Arc<Mutex<Counts>>,
}

impl Quota {
    /// `account` requests per minute over every path, reported in Zendesk's headers, and
    /// below it each `(path prefix, limit, window)` in `limits`, not reported.
    pub(crate) fn new(account: u32, limits: Limits) -> Self {
        let all: Limits = std::iter::once(("/", account, secs(60)))
            .chain(limits)
            .collect();
        let counts = Arc::new(Mutex::new(Counts {
            accepted: vec![VecDeque::new(); all.len()],
            log: Vec::new(),
            refused: 0,
        }));
        let start = Instant::now();
        let fake = FakeVendor::new({
            let counts = counts.clone();
            move |_, request: &TransportRequest| {
                let now = start.elapsed();
                let mut counts = counts.lock().unwrap();
                let path = request.url.path();
                let mut retry_after = None;
                for (i, (prefix, limit, window)) in all.iter().enumerate() {
                    if !path.starts_with(prefix) {
                        continue;
                    }
                    let seen = &mut counts.accepted[i];
                    let in_window = seen.iter().filter(|at| now - **at < *window).count();
                    if in_window >= *limit as usize {
                        let oldest = seen[seen.len() - in_window];
                        let wait = (oldest + *window - now).as_secs_f64().ceil() as u64;
                        retry_after = retry_after.max(Some(wait.max(1)));
                    }
                }
                if let Some(wait) = retry_after {
                    counts.refused += 1;
                    return Reply::Respond(response(429, &[("retry-after", wait.to_string())]));
                }
                for (i, (prefix, _, _)) in all.iter().enumerate() {
                    if path.starts_with(prefix) {
                        counts.accepted[i].push_back(now);
                    }
                }
                counts.log.push((now, path.to_owned()));
                let used = counts.accepted[0]
                    .iter()
                    .filter(|at| now - **at < secs(60))
                    .count() as u32;
                let headers = [
                    ("x-rate-limit", account.to_string()),
                    (
                        "x-rate-limit-remaining",
                        account.saturating_sub(used).to_string(),
                    ),
                ];
                Reply::After(Duration::from_millis(50), response(200, &headers))
            }
        });
        Self { fake, counts }
    }

    /// 429s sent.
    pub(crate) fn refused(&self) -> usize {
        self.counts.lock().unwrap().refused
    }

    /// When the requests to paths starting with `prefix` were accepted.
    pub(crate) fn accepted(&self, prefix: &str) -> Vec<Duration> {
        let counts = self.counts.lock().unwrap();
        counts
            .log
            .iter()
            .filter(|(_, path)| path.starts_with(prefix))
            .map(|(at, _)| *at)
            .collect()
    }
}

/// The most of `times` (sorted) that fall in any span shorter than `window`.
pub(crate) fn most_in_any_window(times: &[Duration], window: Duration) -> usize {
    (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|at| **at - times[i] < window)
                .count()
        })
        .max()
        .unwrap_or(0)
}
