//! Prometheus metrics for every request, by route template (never the raw path, which holds
//! ids) and status.

use std::fmt;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::AppState;
use crate::middleware::limits;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: Route,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: Route,
}

/// A route's template as a label: the router's own shared copy, so that labelling a request
/// allocates nothing.
#[derive(Clone, Debug)]
struct Route(Option<MatchedPath>);

impl Route {
    fn as_str(&self) -> &str {
        self.0.as_ref().map_or("unmatched", MatchedPath::as_str)
    }
}

impl PartialEq for Route {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Route {}

impl std::hash::Hash for Route {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl EncodeLabelValue for Route {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> Result<(), fmt::Error> {
        fmt::Write::write_str(encoder, self.as_str())
    }
}

/// The method as a label; any other than the standard ones is `other`, so that invented
/// methods cannot grow the label set.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AbortLabels {
    answer: Streamed,
}

/// An answer written while the vendor's is still read: a connector list, or a passthrough
/// body.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub(crate) enum Streamed {
    List,
    Passthrough,
}

impl EncodeLabelValue for Streamed {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> Result<(), fmt::Error> {
        let label = match self {
            Self::List => "list",
            Self::Passthrough => "passthrough",
        };
        fmt::Write::write_str(encoder, label)
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HookLabels {
    provider: String,
    outcome: String,
}

pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    hooks: Family<HookLabels, Counter>,
    aborted: Family<AbortLabels, Counter>,
    in_flight: Gauge,
    replicas: Gauge,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    pub(crate) fn new() -> Self {
        let mut registry = Registry::with_prefix("deskgate");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            latency.clone(),
        );
        let hooks = Family::<HookLabels, Counter>::default();
        registry.register(
            "vendor_hooks",
            "Vendor webhooks received, by provider and outcome (accepted, or why refused)",
            hooks.clone(),
        );
        let aborted = Family::<AbortLabels, Counter>::default();
        registry.register(
            "streamed_answers_aborted",
            "Answers whose status was sent before the vendor's answer broke off, so the transfer was aborted (HTTP/1.1 closes the connection, HTTP/2 resets the stream); the request counts as its status",
            aborted.clone(),
        );
        for answer in [Streamed::List, Streamed::Passthrough] {
            // Shown at 0 from the start, so that a rate over it reads from the first scrape.
            drop(aborted.get_or_create(&AbortLabels { answer }));
        }
        let in_flight = Gauge::default();
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being answered (this one included)",
            in_flight.clone(),
        );
        let replicas = Gauge::default();
        registry.register(
            "replicas_live",
            "Live replicas as this one last counted them; each paces helpdesk accounts at its share",
            replicas.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            hooks,
            aborted,
            in_flight,
            replicas,
        }
    }

    /// Counts one aborted transfer.
    pub(crate) fn count_aborted(&self, answer: Streamed) {
        self.aborted.get_or_create(&AbortLabels { answer }).inc();
    }

    /// Sets the count of live replicas reported.
    pub(crate) fn set_replicas(&self, live: u32) {
        self.replicas.set(i64::from(live));
    }

    /// Counts one vendor webhook.
    pub(crate) fn count_hook(&self, provider: &str, outcome: &str) {
        self.hooks
            .get_or_create(&HookLabels {
                provider: provider.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// Sets the requests in flight, read from the [`Lifecycle`](crate::Lifecycle) when the
    /// metrics are asked for.
    pub(crate) fn set_in_flight(&self, n: usize) {
        self.in_flight.set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    pub(crate) fn encode(&self) -> Result<String, fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Counts and times the request by route template and status, around the rate limits and
/// the idempotency guard: all three run on matched routes only, and one layer costs one
/// clone of the boxed route per request where three cost three.
pub(crate) async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(req.method());
    let route = Route(req.extensions().get::<MatchedPath>().cloned());
    let res = limits::admit(&state, req, next).await;
    let m = &state.metrics;
    m.requests
        .get_or_create(&RequestLabels {
            method,
            route: route.clone(),
            status: res.status().as_u16(),
        })
        .inc();
    m.latency
        .get_or_create(&RouteLabels { method, route })
        .observe(started.elapsed().as_secs_f64());
    res
}
