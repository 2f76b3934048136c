//! A vendor that counts requests in fixed windows aligned to its start, as Zendesk's and
//! Intercom's limits do, and reports on every answer what is left and when the window resets
//! (Zendesk's headers, the reset rounded up to whole seconds). Over the limit it answers 429
//! with `Retry-After` until the reset. One instance can stand behind several engines: the
//! replicas of one deployment calling one account.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::fake::{FakeVendor, Reply, response};

#[derive(Default)]
struct Counts {
    /// Accepted requests per window, by the window's index from the start.
    accepted: Vec<u32>,
    refused: usize,
}

pub(crate) struct FixedWindow {
    pub(crate) fake: Arc<FakeVendor>,
    counts: Arc<Mutex<Counts>>,
}

impl FixedWindow {
    /// `limit` requests per `window`, each answered after `latency`.
    pub(crate) fn new(limit: u32, window: Duration, latency: Duration) -> Self {
        let counts = Arc::new(Mutex::new(Counts::default()));
        let start = Instant::now();
        let fake = FakeVendor::new({
            let counts = counts.clone();
            move |_, _| {
                let now = start.elapsed();
                let index = (now.as_nanos() / window.as_nanos()) as usize;
                let end = window * (index as u32 + 1);
                let reset = (end - now).as_secs_f64().ceil().max(1.0) as u64;
                let mut counts = counts.lock().unwrap();
                if counts.accepted.len() <= index {
                    counts.accepted.resize(index + 1, 0);
                }
                let used = counts.accepted[index];
                let mut headers = vec![
                    ("x-rate-limit", limit.to_string()),
                    ("ratelimit-reset", reset.to_string()),
                ];
                if used >= limit {
                    counts.refused += 1;
                    headers.push(("x-rate-limit-remaining", "0".to_owned()));
                    headers.push(("retry-after", reset.to_string()));
                    return Reply::Respond(response(429, &headers));
                }
                counts.accepted[index] = used + 1;
                headers.push(("x-rate-limit-remaining", (limit - used - 1).to_string()));
                Reply::After(latency, response(200, &headers))
            }
        });
        Self { fake, counts }
    }

    /// Requests accepted in each window so far.
    pub(crate) fn accepted(&self) -> Vec<u32> {
        self.counts.lock().unwrap().accepted.clone()
    }

    /// 429s sent.
    pub(crate) fn refused(&self) -> usize {
        self.counts.lock().unwrap().refused
    }
}
