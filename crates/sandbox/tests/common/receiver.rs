//! A webhook receiver for the tests of every vendor: an HTTP server on a loopback port
//! that keeps each request it gets (headers and raw body) and answers with the statuses
//! it was given, then 200. Tests wait for requests with a deadline, never a sleep.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use tokio::sync::{Notify, oneshot};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Received {
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name} header"))
            .to_str()
            .unwrap()
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Received>>,
    statuses: Mutex<VecDeque<u16>>,
    arrived: Notify,
}

pub(crate) struct Receiver {
    pub(crate) url: String,
    shared: Arc<Shared>,
    _stop: oneshot::Sender<()>,
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let status = shared.statuses.lock().unwrap().pop_front().unwrap_or(200);
    shared
        .requests
        .lock()
        .unwrap()
        .push(Received { headers, body });
    shared.arrived.notify_waiters();
    StatusCode::from_u16(status).unwrap()
}

impl Receiver {
    /// A receiver that answers 200 to everything.
    pub(crate) async fn start() -> Self {
        Self::answering(&[]).await
    }

    /// A receiver that answers `statuses` in turn, then 200.
    pub(crate) async fn answering(statuses: &[u16]) -> Self {
        let shared = Arc::new(Shared::default());
        shared.statuses.lock().unwrap().extend(statuses);
        let app = Router::new()
            .fallback(receive)
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        Self {
            url,
            shared,
            _stop: stop,
        }
    }

    /// Every request so far.
    pub(crate) fn requests(&self) -> Vec<Received> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// The first `n` requests, waiting up to ten seconds for them to arrive.
    pub(crate) async fn wait_for(&self, n: usize) -> Vec<Received> {
        let wait = async {
            loop {
                let arrived = self.shared.arrived.notified();
                let requests = self.requests();
                if requests.len() >= n {
                    return requests[..n].to_vec();
                }
                arrived.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .unwrap_or_else(|_| panic!("{n} webhook requests did not arrive in time"))
    }
}
