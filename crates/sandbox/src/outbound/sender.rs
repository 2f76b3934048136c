//! Posting webhooks: each message in a task of its own, with the sandbox's retry delays.
//!
//! The vendors retry on their own schedules (Freshdesk after 5, 30 and 60 minutes); the
//! sandbox keeps their number of retries but waits only [`DEFAULT_RETRY_DELAYS`] (or what
//! a test sets), so that a test sees a recovery within seconds. Any answer other than 2xx,
//! a refused connection and a timeout count as failures. Redirects are not followed and no
//! proxy is used: receivers run on loopback addresses.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use tokio::sync::watch;

use super::log::{DeliveryState, Log, Outcome, WebhookDelivery};
use super::message::{Message, Outgoing};
use crate::lock::lock;

/// Waits between attempts: three retries, after half a second, one and two seconds.
pub(crate) const DEFAULT_RETRY_DELAYS: [Duration; 3] = [
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
];

/// The most retries a test may ask for.
pub(crate) const MAX_RETRIES: usize = 10;

const EXCERPT_BYTES: usize = 512;

/// The sandbox's webhook sender. Cheap to clone; clones share the log.
#[derive(Debug, Clone)]
pub(crate) struct Outbound {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Built on first use: building it can fail (no TLS roots), and a sandbox that sends
    /// no webhook should not fail for that.
    client: OnceLock<Result<reqwest::Client, String>>,
    log: Mutex<Log>,
    retry_delays: Mutex<Vec<Duration>>,
    in_flight: watch::Sender<usize>,
}

impl Default for Outbound {
    fn default() -> Self {
        Self {
            inner: Arc::new(Inner {
                client: OnceLock::new(),
                log: Mutex::new(Log::default()),
                retry_delays: Mutex::new(DEFAULT_RETRY_DELAYS.to_vec()),
                in_flight: watch::Sender::new(0),
            }),
        }
    }
}

/// Counts a delivery as in flight until dropped, however its task ends.
struct InFlight(watch::Sender<usize>);

impl InFlight {
    fn start(counter: &watch::Sender<usize>) -> Self {
        counter.send_modify(|n| *n += 1);
        Self(counter.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Outbound {
    /// Posts `message` in the background; returns at once.
    pub(crate) fn send(&self, message: Message) {
        let id = lock(&self.inner.log).open(&message);
        let guard = InFlight::start(&self.inner.in_flight);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let outbound = self.clone();
                runtime.spawn(async move {
                    outbound.deliver(&id, &message).await;
                    drop(guard);
                });
            }
            Err(_) => {
                // Only reachable from a write made outside any runtime, which the HTTP
                // surface never does.
                lock(&self.inner.log).finish(&id, DeliveryState::Failed);
            }
        }
    }

    async fn deliver(&self, id: &str, message: &Message) {
        let delays = lock(&self.inner.retry_delays).clone();
        let attempts = u32::try_from(delays.len()).unwrap_or(0) + 1;
        for n in 1..=attempts {
            let outgoing = (message.attempt)(n);
            let sent_at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
            let started = Instant::now();
            let outcome = self.post(message, &outgoing).await;
            let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let delivered = outcome.status.is_some_and(|s| (200..300).contains(&s));
            lock(&self.inner.log).record(id, n, &outgoing, sent_at, duration_ms, outcome);
            if delivered {
                lock(&self.inner.log).finish(id, DeliveryState::Delivered);
                return;
            }
            match delays.get(n as usize - 1) {
                Some(delay) => tokio::time::sleep(*delay).await,
                None => lock(&self.inner.log).finish(id, DeliveryState::Failed),
            }
        }
    }

    fn client(&self) -> Result<&reqwest::Client, String> {
        self.inner
            .client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .no_proxy()
                    .build()
                    .map_err(|e| format!("no http client: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    async fn post(&self, message: &Message, outgoing: &Outgoing) -> Outcome {
        let client = match self.client() {
            Ok(client) => client,
            Err(error) => {
                return Outcome {
                    error: Some(error),
                    ..Outcome::default()
                };
            }
        };
        let mut request = client
            .post(&message.url)
            .timeout(message.timeout)
            .body(outgoing.body.clone());
        for (name, value) in &outgoing.headers {
            request = request.header(name, value);
        }
        match request.send().await {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let mut excerpt = Vec::new();
                while excerpt.len() < EXCERPT_BYTES {
                    match response.chunk().await {
                        Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
                        Ok(None) | Err(_) => break,
                    }
                }
                excerpt.truncate(EXCERPT_BYTES);
                Outcome {
                    status: Some(status),
                    error: None,
                    response_excerpt: Some(String::from_utf8_lossy(&excerpt).into_owned()),
                }
            }
            Err(e) => Outcome {
                error: Some(describe(&e)),
                ..Outcome::default()
            },
        }
    }

    /// The deliveries of `vendor` and `account` (either may be left open), oldest first.
    pub(crate) fn deliveries(
        &self,
        vendor: Option<&str>,
        account: Option<&str>,
    ) -> Vec<WebhookDelivery> {
        lock(&self.inner.log).select(vendor, account)
    }

    pub(crate) fn clear(&self) {
        lock(&self.inner.log).clear();
    }

    /// How many deliveries are still being attempted.
    pub(crate) fn in_flight(&self) -> usize {
        *self.inner.in_flight.borrow()
    }

    /// Returns once no delivery is being attempted (retries included).
    pub(crate) async fn settled(&self) {
        let mut receiver = self.inner.in_flight.subscribe();
        // The sender lives as long as `self`, so waiting cannot fail.
        let _ = receiver.wait_for(|n| *n == 0).await;
    }

    pub(crate) fn set_retry_delays(&self, delays: Vec<Duration>) {
        *lock(&self.inner.retry_delays) = delays;
    }

    pub(crate) fn retry_delays(&self) -> Vec<Duration> {
        lock(&self.inner.retry_delays).clone()
    }
}

/// A transport failure in a few words: timed out, refused, or what reqwest says.
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "connection failed".to_owned()
    } else {
        error.to_string()
    }
}
