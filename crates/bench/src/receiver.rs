//! A webhook receiver for the events benchmark: answers every POST at once with 204,
//! verifying nothing, and counts what came: requests, and distinct deliveries (the path, which
//! names the endpoint, and the `webhook-id`, which names the event), so that repeats show.
//! `GET /count` answers the counts so far.
//!
//! `bench/run events` runs it as its own process (so that the gateway's CPU time is the
//! gateway's alone); `change-latency` runs one inside itself and watches what arrives.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::get;
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Where to listen, `127.0.0.1:PORT`.
    #[arg(long)]
    listen: SocketAddr,
}

/// What a receiver counted.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    requests: AtomicU64,
    body_bytes: AtomicU64,
    /// When the last request came, Unix milliseconds.
    last_at_ms: AtomicU64,
    /// Path and `webhook-id` of every request that had one.
    deliveries: Mutex<HashSet<String>>,
}

impl Counts {
    fn json(&self) -> Value {
        let distinct = self.deliveries.lock().map_or(0, |seen| seen.len());
        json!({
            "requests": self.requests.load(Ordering::Relaxed),
            "distinct_deliveries": distinct,
            "body_bytes": self.body_bytes.load(Ordering::Relaxed),
            "last_at_ms": self.last_at_ms.load(Ordering::Relaxed),
        })
    }
}

/// One request as it arrived, for a driver waiting for a particular delivery.
#[derive(Debug)]
pub(crate) struct Arrival {
    pub(crate) at: Instant,
    pub(crate) body: Bytes,
}

#[derive(Clone)]
struct Receiver {
    counts: Arc<Counts>,
    arrivals: Option<UnboundedSender<Arrival>>,
}

/// The receiver's routes; `arrivals` gets every request received, when given.
pub(crate) fn router(counts: Arc<Counts>, arrivals: Option<UnboundedSender<Arrival>>) -> Router {
    Router::new()
        .route("/count", get(count))
        .fallback(receive)
        .with_state(Receiver { counts, arrivals })
}

async fn receive(
    State(r): State<Receiver>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let at = Instant::now();
    if let Some(id) = headers.get("webhook-id").and_then(|v| v.to_str().ok())
        && let Ok(mut seen) = r.counts.deliveries.lock()
    {
        seen.insert(format!("{} {id}", uri.path()));
    }
    r.counts.requests.fetch_add(1, Ordering::Relaxed);
    r.counts
        .body_bytes
        .fetch_add(body.len() as u64, Ordering::Relaxed);
    let now_ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0);
    r.counts.last_at_ms.fetch_max(now_ms, Ordering::Relaxed);
    if let Some(arrivals) = &r.arrivals {
        // The driver may have stopped listening; the count is what matters then.
        let _ = arrivals.send(Arrival { at, body });
    }
    StatusCode::NO_CONTENT
}

async fn count(State(r): State<Receiver>) -> axum::Json<Value> {
    axum::Json(r.counts.json())
}

/// Serves until SIGTERM, then answers the counts.
pub(crate) async fn run(args: Args) -> anyhow::Result<Value> {
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let counts = Arc::new(Counts::default());
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    axum::serve(listener, router(Arc::clone(&counts), None))
        .with_graceful_shutdown(async move {
            term.recv().await;
        })
        .await?;
    Ok(counts.json())
}
