//! A scripted vendor behind the `Transport` seam, for tests on tokio's paused clock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use deskgate_upstream::{
    BudgetKey, DnsLabel, StreamedTransportResponse, TokioWallClock, Transport, TransportError,
    TransportRequest, TransportResponse, Upstream, UpstreamConfig, UpstreamError, UpstreamRequest,
    VendorOrigin,
};
use http::{HeaderMap, Method, StatusCode};
use tokio::time::Instant;

/// What the fake vendor does with one call.
pub(crate) enum Reply {
    Respond(TransportResponse),
    After(Duration, TransportResponse),
    Fail(TransportError),
    Hang,
    /// The head, then the body (if any) as one chunk, then the connection breaks; read
    /// whole, a transport error.
    BreaksOff(TransportResponse),
}

/// One call the fake vendor received.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    /// Time since the fake was created.
    pub(crate) at: Duration,
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) headers: HeaderMap,
}

type Script = dyn Fn(usize, &TransportRequest) -> Reply + Send + Sync;

pub(crate) struct FakeVendor {
    start: Instant,
    script: Box<Script>,
    calls: Mutex<Vec<Call>>,
}

impl std::fmt::Debug for FakeVendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FakeVendor")
    }
}

impl FakeVendor {
    /// `script(n, request)` answers the n-th call (from 0).
    pub(crate) fn new(
        script: impl Fn(usize, &TransportRequest) -> Reply + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Self {
            start: Instant::now(),
            script: Box::new(script),
            calls: Mutex::new(Vec::new()),
        })
    }

    pub(crate) fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    pub(crate) fn call_times(&self) -> Vec<Duration> {
        self.calls().into_iter().map(|call| call.at).collect()
    }

    pub(crate) fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
}

impl FakeVendor {
    /// Records the call and asks the script for its reply.
    fn reply(&self, request: &TransportRequest) -> Reply {
        let n = {
            let mut calls = self.calls.lock().unwrap();
            calls.push(Call {
                at: self.start.elapsed(),
                method: request.method.clone(),
                url: request.url.to_string(),
                headers: request.headers.clone(),
            });
            calls.len() - 1
        };
        (self.script)(n, request)
    }
}

fn broken() -> TransportError {
    TransportError::Other("the connection broke off".into())
}

/// A reply read whole.
async fn whole(reply: Reply) -> Result<TransportResponse, TransportError> {
    match reply {
        Reply::Respond(response) => Ok(response),
        Reply::After(delay, response) => {
            tokio::time::sleep(delay).await;
            Ok(response)
        }
        Reply::Fail(error) => Err(error),
        Reply::Hang => std::future::pending().await,
        Reply::BreaksOff(_) => Err(broken()),
    }
}

#[async_trait]
impl Transport for FakeVendor {
    async fn send(&self, request: TransportRequest) -> Result<TransportResponse, TransportError> {
        whole(self.reply(&request)).await
    }

    async fn send_streamed(
        &self,
        request: TransportRequest,
    ) -> Result<StreamedTransportResponse, TransportError> {
        let (response, breaks) = match self.reply(&request) {
            Reply::BreaksOff(response) => (response, true),
            reply => (whole(reply).await?, false),
        };
        let first = (!response.body.is_empty()).then_some(Ok(response.body));
        let end = breaks.then(|| Err(broken()));
        // An `unfold`, as the real transport's body is: it panics if polled past its end.
        let chunks = first.into_iter().chain(end);
        let body = futures_util::stream::unfold(chunks, |mut chunks| async move {
            chunks.next().map(|chunk| (chunk, chunks))
        });
        Ok(StreamedTransportResponse {
            status: response.status,
            headers: response.headers,
            body: Box::pin(body),
        })
    }
}

pub(crate) fn response(status: u16, headers: &[(&'static str, String)]) -> TransportResponse {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(*name, value.parse().unwrap());
    }
    TransportResponse {
        status: StatusCode::from_u16(status).unwrap(),
        headers: map,
        body: Bytes::from_static(b"{}"),
    }
}

pub(crate) fn ok() -> Reply {
    Reply::Respond(response(200, &[]))
}

/// The calendar time the test clocks start at.
pub(crate) fn epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

pub(crate) fn engine_with(fake: Arc<FakeVendor>, config: UpstreamConfig) -> Upstream {
    Upstream::builder(config)
        .transport(fake)
        .wall_clock(Arc::new(TokioWallClock::starting_at(epoch())))
        .build()
        .unwrap()
}

pub(crate) fn engine(fake: Arc<FakeVendor>) -> Upstream {
    engine_with(fake, UpstreamConfig::default())
}

pub(crate) fn key() -> BudgetKey {
    BudgetKey::new("zendesk", "acme").unwrap()
}

pub(crate) fn origin() -> VendorOrigin {
    VendorOrigin::tenant(&DnsLabel::parse("acme").unwrap(), "zendesk.com").unwrap()
}

pub(crate) fn get(path: &str) -> deskgate_upstream::UpstreamRequest {
    deskgate_upstream::UpstreamRequest::new(Method::GET, &origin(), path, key())
        .unwrap()
        .path_template("/api/v2/tickets")
}

/// A ticket create: not idempotent.
pub(crate) fn post() -> UpstreamRequest {
    UpstreamRequest::new(Method::POST, &origin(), "/api/v2/tickets", key())
        .unwrap()
        .json_body("{}")
}

pub(crate) fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Whether `actual` is `expected` up to tokio's timer resolution (a sleep ends on the next
/// millisecond).
pub(crate) fn near(actual: Duration, expected: Duration) -> bool {
    actual.abs_diff(expected) <= Duration::from_millis(2)
}

/// Whether two lists of instants are the same up to tokio's timer resolution.
pub(crate) fn all_near(actual: &[Duration], expected: &[Duration]) -> bool {
    actual.len() == expected.len() && actual.iter().zip(expected).all(|(a, e)| near(*a, *e))
}

/// Sends `request()` one after another until `until`, as a sync walks a vendor's changes;
/// one refused for its deadline waits what it was told and asks again.
pub(crate) async fn walk(upstream: Upstream, request: fn() -> UpstreamRequest, until: Instant) {
    while Instant::now() < until {
        match upstream.send(request()).await {
            Ok(answer) => assert_eq!(answer.status(), 200),
            Err(UpstreamError::RateLimited { retry_after }) => {
                tokio::time::sleep(retry_after).await;
            }
            Err(other) => panic!("{other:?}"),
        }
    }
}

/// Awaits spawned tasks in order (they already run concurrently).
pub(crate) async fn join_all<T>(handles: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}
