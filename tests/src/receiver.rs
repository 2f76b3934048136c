//! A webhook receiver on a loopback port, for tests of what deskgate delivers.
//!
//! It records every request (method, path, headers, body, and what it answered) and answers
//! `204` unless told otherwise. Scripted answers are used first, in order; then the default:
//!
//! ```no_run
//! # async fn f() {
//! use std::time::Duration;
//! let receiver = deskgate_tests::Receiver::start().await;
//! receiver.fail_next(3, 503);                   // the next three requests get 503
//! receiver.fail_next_after(1, 429, 30);         // then one 429 with `Retry-After: 30`
//! receiver.sleep_next(1, Duration::from_secs(5)); // then one slow answer (204 after 5 s)
//! receiver.answer_always(410);                  // afterwards, 410 Gone to everything
//! let first_two = receiver.wait_for(2).await;   // waits (up to 30 s) for two requests
//! let delivered = receiver.delivered();         // the requests it answered 2xx
//! # }
//! ```
//!
//! Register `receiver.url()` as an endpoint on an app spawned with `allow_loopback_http`
//! (see [`crate::fast_webhooks`]).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tokio::sync::Notify;

/// How long [`Receiver::wait_for`] waits before failing the test.
pub(crate) const WAIT: Duration = Duration::from_secs(30);

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The status it answered (for a slow answer, the one it answers after its delay,
    /// whether or not the sender waited).
    pub status: u16,
}

impl Received {
    /// A header as text; panics when it is missing.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header in {:?}", self.headers))
            .to_str()
            .unwrap()
    }

    /// The `webhook-id`: the event id.
    pub fn webhook_id(&self) -> &str {
        self.header("webhook-id")
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// The body as text.
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }

    /// Whether it was answered 2xx.
    pub fn delivered(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A scripted answer.
#[derive(Clone, Copy, Debug)]
struct Answer {
    status: u16,
    retry_after: Option<u64>,
    delay: Duration,
}

#[derive(Debug)]
struct Inner {
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<Answer>>,
    default: Mutex<Answer>,
    arrived: Notify,
}

/// A loopback HTTP server that records requests and answers as scripted. Stops when
/// dropped.
#[derive(Debug)]
pub struct Receiver {
    base: String,
    inner: Arc<Inner>,
    server: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Starts a receiver on `127.0.0.1` at a free port, answering 204.
    pub async fn start() -> Self {
        let inner = Arc::new(Inner {
            received: Mutex::new(Vec::new()),
            script: Mutex::new(VecDeque::new()),
            default: Mutex::new(Answer {
                status: 204,
                retry_after: None,
                delay: Duration::ZERO,
            }),
            arrived: Notify::new(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = axum::Router::new()
            .fallback(receive)
            .with_state(inner.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self {
            base,
            inner,
            server,
        }
    }

    /// The URL to register: `http://127.0.0.1:{port}/webhooks`.
    pub fn url(&self) -> String {
        format!("{}/webhooks", self.base)
    }

    /// The next `n` requests are answered `status` (after those already scripted).
    pub fn fail_next(&self, n: usize, status: u16) {
        self.script(n, status, None, Duration::ZERO);
    }

    /// The next `n` requests are answered `status` with `Retry-After: {secs}`.
    pub fn fail_next_after(&self, n: usize, status: u16, secs: u64) {
        self.script(n, status, Some(secs), Duration::ZERO);
    }

    /// The next `n` requests are answered 204 after `delay`.
    pub fn sleep_next(&self, n: usize, delay: Duration) {
        self.script(n, 204, None, delay);
    }

    /// Every request after the scripted ones is answered `status` (204 at start; 410 to say
    /// "gone").
    pub fn answer_always(&self, status: u16) {
        *self.inner.default.lock().unwrap() = Answer {
            status,
            retry_after: None,
            delay: Duration::ZERO,
        };
    }

    fn script(&self, n: usize, status: u16, retry_after: Option<u64>, delay: Duration) {
        let mut script = self.inner.script.lock().unwrap();
        for _ in 0..n {
            script.push_back(Answer {
                status,
                retry_after,
                delay,
            });
        }
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Received> {
        self.inner.received.lock().unwrap().clone()
    }

    /// The requests answered 2xx, in arrival order.
    pub fn delivered(&self) -> Vec<Received> {
        self.requests()
            .into_iter()
            .filter(Received::delivered)
            .collect()
    }

    /// Waits until at least `n` requests have arrived and answers them all; fails the test
    /// after 30 s.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        self.wait_until(&format!("{n} requests"), |r| r.len() >= n)
            .await
    }

    /// Waits until `done` holds for the requests so far and answers them all; fails the
    /// test, naming `what`, after 30 s.
    pub async fn wait_until(
        &self,
        what: &str,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let arrived = self.inner.arrived.notified();
            let requests = self.requests();
            if done(&requests) {
                return requests;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                panic!(
                    "the receiver did not get {what} within {WAIT:?}; it got {}: {:#?}",
                    requests.len(),
                    requests
                        .iter()
                        .map(|r| (r.status, r.text().to_owned()))
                        .collect::<Vec<_>>()
                );
            }
        }
    }
}

async fn receive(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let answer = inner
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| *inner.default.lock().unwrap());
    // Recorded on arrival: a sender that gives up on a slow answer still sent it.
    inner.received.lock().unwrap().push(Received {
        method,
        path: uri.path().to_owned(),
        headers,
        body,
        status: answer.status,
    });
    inner.arrived.notify_waiters();
    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    let status = StatusCode::from_u16(answer.status).unwrap();
    let mut res = (status, format!("answered {}", answer.status)).into_response();
    if let Some(secs) = answer.retry_after {
        res.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs));
    }
    res
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}
