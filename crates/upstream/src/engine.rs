//! [`Upstream`]: the engine connectors call, and its builder.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use http::header::HOST;
use http::{HeaderMap, HeaderValue, StatusCode};
use tokio::time::{Instant, sleep};

use crate::budget::budgets::{Budgets, Demand};
use crate::budget::key::BudgetKey;
use crate::budget::lane::Lane;
use crate::budget::registry::{BlockRegistry, MemoryBlockRegistry};
use crate::budget::replicas::Replicas;
use crate::budget::state::BudgetState;
use crate::clock::{SystemWallClock, WallClock};
use crate::config::{ConfigError, UpstreamConfig};
use crate::egress::destination;
use crate::egress::origin::SandboxOverride;
use crate::egress::resolver::{Exemption, GuardedResolver, Lookup, SystemLookup};
use crate::error::UpstreamError;
use crate::event::{self, CallRecord};
use crate::request::UpstreamRequest;
use crate::response::{StreamedResponse, UpstreamBody, UpstreamResponse, vendor_request_id};
use crate::retry::full_jitter;
use crate::transport::http_client::{ClientError, HttpClient};
use crate::transport::{
    BodyStream, StreamedTransportResponse, Transport, TransportError, TransportRequest,
    TransportResponse,
};
use crate::webhook::{WebhookPolicy, WebhookSender};

/// The outbound engine: one pooled HTTP client for vendors (and one for tenants' webhooks),
/// the budgets of every upstream account, the block registry. Cheap to clone; build one per
/// process and share it.
#[derive(Clone)]
pub struct Upstream {
    inner: Arc<Inner>,
    /// Whose work this handle's requests are: tenant calls, or background work
    /// ([`Upstream::background`]) on the same pool and budgets.
    lane: Lane,
}

struct Inner {
    config: UpstreamConfig,
    transport: Arc<dyn Transport>,
    budgets: Budgets,
    sandbox: Option<SandboxOverride>,
    /// Tenants' webhooks go through their own client, which the sandbox never applies to.
    webhooks: WebhookSender,
}

/// Why the engine could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("could not build the http client: {0}")]
    Client(#[source] ClientError),
}

/// Builds an [`Upstream`]. Only `config` is required.
#[must_use]
pub struct UpstreamBuilder {
    config: UpstreamConfig,
    registry: Option<Arc<dyn BlockRegistry>>,
    lookup: Option<Arc<dyn Lookup>>,
    transport: Option<Arc<dyn Transport>>,
    sandbox: Option<SandboxOverride>,
    clock: Option<Arc<dyn WallClock>>,
    webhook_policy: WebhookPolicy,
    replicas: Replicas,
}

impl UpstreamBuilder {
    /// The count of live replicas each account's pace is split between (default: alone).
    /// The application keeps it current; [`Upstream::replicas`] hands the same counter back.
    pub fn replicas(mut self, replicas: Replicas) -> Self {
        self.replicas = replicas;
        self
    }

    /// Where blocks are shared between replicas (default: in memory, this process only).
    pub fn block_registry(mut self, registry: Arc<dyn BlockRegistry>) -> Self {
        self.registry = Some(registry);
        self
    }

    /// The DNS lookup behind the guarded resolver (default: the system resolver). Whatever it
    /// answers still passes the address policy.
    pub fn lookup(mut self, lookup: Arc<dyn Lookup>) -> Self {
        self.lookup = Some(lookup);
        self
    }

    /// Replaces the vendors' HTTP client (tests with a scripted transport). The address policy
    /// then applies only to IP-literal hosts; the guarded resolver is the HTTP client's.
    /// Webhooks keep their own client, on the `lookup`.
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Sends everything to a local sandbox. Operator configuration only.
    pub fn sandbox(mut self, sandbox: SandboxOverride) -> Self {
        self.sandbox = Some(sandbox);
        self
    }

    /// The calendar clock for shared blocks and `Retry-After` dates (default: the system
    /// clock).
    pub fn wall_clock(mut self, clock: Arc<dyn WallClock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// What tenants' webhook URLs may be (default: https to public addresses only). Operator
    /// configuration only: loopback http is for development.
    pub fn webhook_policy(mut self, policy: WebhookPolicy) -> Self {
        self.webhook_policy = policy;
        self
    }

    pub fn build(self) -> Result<Upstream, BuildError> {
        self.config.validate()?;
        let lookup = self.lookup.unwrap_or_else(|| Arc::new(SystemLookup));
        let transport: Arc<dyn Transport> = match self.transport {
            Some(transport) => transport,
            None => {
                let sandbox = self
                    .sandbox
                    .as_ref()
                    .and_then(|s| s.domain())
                    .map(Exemption::any_address);
                let resolver = GuardedResolver::new(Arc::clone(&lookup), sandbox);
                Arc::new(HttpClient::new(&self.config, resolver).map_err(BuildError::Client)?)
            }
        };
        let registry = self
            .registry
            .unwrap_or_else(|| Arc::new(MemoryBlockRegistry::new()));
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemWallClock));
        let webhooks = WebhookSender::new(&self.config, self.webhook_policy, lookup, clock.clone())
            .map_err(BuildError::Client)?;
        let budgets = Budgets::new(self.config.budget.clone(), registry, clock, self.replicas);
        Ok(Upstream {
            inner: Arc::new(Inner {
                config: self.config,
                transport,
                budgets,
                sandbox: self.sandbox,
                webhooks,
            }),
            lane: Lane::Foreground,
        })
    }
}

/// How one attempt ended, before deciding whether to try again.
enum Attempt<R> {
    Answered(R),
    Failed {
        error: UpstreamError,
        retryable: bool,
    },
}

impl Upstream {
    pub fn builder(config: UpstreamConfig) -> UpstreamBuilder {
        UpstreamBuilder {
            config,
            registry: None,
            lookup: None,
            transport: None,
            sandbox: None,
            clock: None,
            webhook_policy: WebhookPolicy::default(),
            replicas: Replicas::alone(),
        }
    }

    /// An engine with the system resolver and an in-memory block registry.
    pub fn new(config: UpstreamConfig) -> Result<Self, BuildError> {
        Self::builder(config).build()
    }

    /// Sends `request` within its deadline: waits for the account's budget, retries what may
    /// be retried, and logs one event. Any status other than a redirect or an exhausted 429
    /// comes back as `Ok`, for the connector to map.
    pub async fn send(&self, request: UpstreamRequest) -> Result<UpstreamResponse, UpstreamError> {
        let started = Instant::now();
        let mut record = CallRecord::default();
        let transport = &self.inner.transport;
        let limit = self.inner.config.max_body_bytes;
        let result = self
            .run(&request, started, &mut record, |wire| transport.send(wire))
            .await
            .and_then(|response| {
                let TransportResponse {
                    status,
                    headers,
                    body,
                } = response;
                if body.len() > limit {
                    return Err(UpstreamError::TooLarge { limit });
                }
                Ok(UpstreamResponse {
                    status,
                    headers,
                    body,
                    attempts: record.attempts,
                })
            });
        let outcome = result.as_ref().map(UpstreamResponse::status);
        event::emit(&request, &record, outcome, started.elapsed(), self.lane);
        result
    }

    /// [`send`](Self::send), but the answer comes back as soon as its head and the first
    /// chunk of its body have: the rest is read as the caller polls it, within the same
    /// deadline and under the same cap, and a reset, the cap or the deadline ends it with an
    /// error. Retries happen only before that: on the status, and on a body that breaks
    /// before its first chunk (as `send` would retry it; nothing has been handed over yet).
    /// The call's event is logged then, so its duration is the time to the first chunk.
    pub async fn send_streamed(
        &self,
        request: UpstreamRequest,
    ) -> Result<StreamedResponse, UpstreamError> {
        let started = Instant::now();
        let mut record = CallRecord::default();
        let transport = &self.inner.transport;
        let limit = self.inner.config.max_body_bytes;
        let result = self
            .run(&request, started, &mut record, |wire| async move {
                let mut response = transport.send_streamed(wire).await?;
                // Within the attempt: a body that breaks before its first chunk fails it.
                let first = response.body.next().await.transpose()?;
                Ok::<_, TransportError>((first, response))
            })
            .await
            .map(|(first, response)| StreamedResponse {
                status: response.status,
                headers: response.headers,
                body: capped(first, response.body, limit),
                attempts: record.attempts,
            });
        let outcome = result.as_ref().map(StreamedResponse::status);
        event::emit(&request, &record, outcome, started.elapsed(), self.lane);
        result
    }

    /// An engine sharing this one's pool, budgets and registry whose requests are background
    /// work (a connection's change sync). On each account they together use at most `share`
    /// (`0..=1`; outside it, the nearest bound) of the pace kept below the learned limit, and
    /// they yield to tenant calls: one goes only when the account's pacer has room at that
    /// moment, and never takes a slot ahead that a tenant call would then wait behind; it
    /// waits and asks again within its deadline, else fails with
    /// [`UpstreamError::RateLimited`]. So it never makes a tenant call wait behind it, and
    /// never causes a 429. Before an account's limit is learned it waits for the probe like
    /// any request; on an account whose answers carry no rate headers it is not paced.
    /// What it spent is counted apart ([`BudgetState::background_spent`]).
    ///
    /// One share per process: handles with different shares on one account pace it at the
    /// share of whichever asked last.
    #[must_use]
    pub fn background(&self, share: f64) -> Upstream {
        Upstream {
            inner: Arc::clone(&self.inner),
            lane: Lane::background(share),
        }
    }

    /// The count of live replicas every account's pace is split between: set it as replicas
    /// come and go.
    pub fn replicas(&self) -> &Replicas {
        self.inner.budgets.replicas()
    }

    /// What the engine knows about one account or endpoint key, for health endpoints.
    pub async fn budget_state(&self, key: &BudgetKey) -> Option<BudgetState> {
        self.inner.budgets.state(key).await
    }

    /// Every account and endpoint key currently tracked.
    pub fn budget_states(&self) -> Vec<(BudgetKey, BudgetState)> {
        self.inner.budgets.states()
    }

    /// The call up to an answer to keep: budget, destination check, attempts and retries.
    async fn run<R, S, Fut>(
        &self,
        request: &UpstreamRequest,
        started: Instant,
        record: &mut CallRecord,
        send: S,
    ) -> Result<R, UpstreamError>
    where
        R: Head,
        S: Fn(TransportRequest) -> Fut,
        Fut: Future<Output = Result<R, TransportError>>,
    {
        let inner = &*self.inner;
        let deadline = started
            + request
                .deadline
                .unwrap_or_else(|| inner.config.default_deadline());
        let endpoint_budget = request.endpoint_budget.as_ref();
        if endpoint_budget.is_some_and(|key| {
            key.endpoint_name().is_none() || key.account_key() != request.budget_key
        }) {
            return Err(UpstreamError::InvalidRequest {
                reason: "endpoint budget is not an endpoint of the request's budget key",
            });
        }
        match request.endpoint_limit {
            // A stated cap with nothing to pace would let the requests meet the vendor's 429s.
            Some(_) if endpoint_budget.is_none() => {
                return Err(UpstreamError::InvalidRequest {
                    reason: "an endpoint limit needs an endpoint budget",
                });
            }
            Some((_, window)) if window.is_zero() => {
                return Err(UpstreamError::InvalidRequest {
                    reason: "an endpoint limit needs a window longer than zero",
                });
            }
            _ => {}
        }
        let demand = Demand {
            key: &request.budget_key,
            endpoint: endpoint_budget,
            endpoint_limit: request.endpoint_limit,
            cost: request.cost,
            lane: self.lane,
        };
        let url = request.url_on(inner.sandbox.as_ref());
        destination::check(&url, inner.sandbox.as_ref())
            .map_err(|reason| UpstreamError::Blocked { reason })?;
        let mut headers = request.wire_headers()?;
        if inner.sandbox.is_some() {
            // The sandbox tells accounts apart the way the vendor does: by the Host header.
            let host = HeaderValue::from_str(request.origin.host()).map_err(|_| {
                UpstreamError::InvalidRequest {
                    reason: "vendor host is not a header value",
                }
            })?;
            headers.insert(HOST, host);
        }
        let idempotent = request.is_idempotent();
        let max_attempts = inner.config.retry.max_attempts;
        // A budget slot is only worth taking if the call can still be made after it: one
        // taken at the last moment would spend the account's quota on a request that times
        // out. A tenth of the deadline (1 s of the default 10 s) is kept for the request.
        let admit_by = deadline - (deadline - started) / 10;
        let mut backoffs = 0;
        loop {
            let (permit, waited) = inner.budgets.acquire(&demand, admit_by).await?;
            let permit = permit.rate_window(request.rate_window);
            record.waited += waited;
            let now = Instant::now();
            if now >= deadline {
                return Err(UpstreamError::Timeout);
            }
            record.attempts += 1;
            let wire = TransportRequest {
                method: request.method.clone(),
                url: url.clone(),
                headers: headers.clone(),
                body: request.body.clone(),
                timeout: inner.config.attempt_timeout().min(deadline - now),
            };
            let attempt = match tokio::time::timeout_at(deadline, send(wire)).await {
                Err(_) => Attempt::Failed {
                    error: UpstreamError::Timeout,
                    retryable: idempotent,
                },
                Ok(Err(error)) => {
                    // A failed connect never sent the request, so any method may retry it.
                    let retryable = matches!(error, TransportError::Connect(_))
                        || (idempotent
                            && matches!(error, TransportError::Timeout | TransportError::Other(_)));
                    Attempt::Failed {
                        error: from_transport(error),
                        retryable,
                    }
                }
                Ok(Ok(response)) => Attempt::Answered(response),
            };
            let last = record.attempts >= max_attempts;
            let response = match attempt {
                Attempt::Failed { error, retryable } => {
                    drop(permit);
                    if !retryable
                        || last
                        || !backoff(&inner.config, &mut backoffs, deadline, record).await
                    {
                        return Err(error);
                    }
                    continue;
                }
                Attempt::Answered(response) => response,
            };
            let status = response.status();
            let block = inner
                .budgets
                .record(&demand, permit, status, response.headers())
                .await;
            record.status = Some(status);
            record.vendor_request_id = vendor_request_id(response.headers()).map(str::to_owned);
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                return Err(UpstreamError::Redirect { status });
            }
            if status == StatusCode::TOO_MANY_REQUESTS {
                if last {
                    return Err(UpstreamError::RateLimited {
                        retry_after: block.unwrap_or_default(),
                    });
                }
                // The account is now blocked; the next acquire waits it out or, when that
                // passes the deadline, fails at once with the remaining wait.
                continue;
            }
            if status.is_server_error() && idempotent && !last {
                // A 503 with Retry-After blocked the account: wait exactly that, no backoff.
                if block.is_some() || backoff(&inner.config, &mut backoffs, deadline, record).await
                {
                    continue;
                }
            }
            return Ok(response);
        }
    }
}

/// What the retry loop reads of an answer, whole or streamed: its head.
trait Head {
    fn status(&self) -> StatusCode;
    fn headers(&self) -> &HeaderMap;
}

impl Head for TransportResponse {
    fn status(&self) -> StatusCode {
        self.status
    }

    fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

impl Head for (Option<Bytes>, StreamedTransportResponse) {
    fn status(&self) -> StatusCode {
        self.1.status
    }

    fn headers(&self) -> &HeaderMap {
        &self.1.headers
    }
}

/// The body as the engine hands it on, from its `first` chunk already read: the transport's
/// errors as the engine's, and the cap checked here too, whatever the transport did.
fn capped(first: Option<Bytes>, body: BodyStream, limit: usize) -> UpstreamBody {
    let mut read = 0usize;
    let mut ended = false;
    // No first chunk means the body has ended: it is not polled again.
    let rest = first.is_some().then_some(body);
    let body =
        futures_util::stream::iter(first.map(Ok)).chain(futures_util::stream::iter(rest).flatten());
    Box::pin(body.filter_map(move |chunk| {
        let item = if ended {
            None
        } else {
            match chunk {
                Ok(chunk) if read + chunk.len() > limit => {
                    ended = true;
                    Some(Err(UpstreamError::TooLarge { limit }))
                }
                Ok(chunk) => {
                    read += chunk.len();
                    Some(Ok(chunk))
                }
                Err(error) => {
                    ended = true;
                    Some(Err(from_transport(error)))
                }
            }
        };
        std::future::ready(item)
    }))
}

/// Sleeps before a retry when the sleep ends before the deadline; `false` when it would not.
async fn backoff(
    config: &UpstreamConfig,
    backoffs: &mut u32,
    deadline: Instant,
    record: &mut CallRecord,
) -> bool {
    let pause = full_jitter(*backoffs, &config.retry);
    *backoffs += 1;
    if Instant::now() + pause >= deadline {
        return false;
    }
    sleep(pause).await;
    record.waited += pause;
    true
}

fn from_transport(error: TransportError) -> UpstreamError {
    match error {
        TransportError::Timeout => UpstreamError::Timeout,
        TransportError::Blocked(reason) => UpstreamError::Blocked { reason },
        TransportError::TooLarge { limit } => UpstreamError::TooLarge { limit },
        TransportError::Connect(detail) | TransportError::Other(detail) => {
            UpstreamError::Transport { detail }
        }
    }
}

impl fmt::Debug for Upstream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upstream")
            .field("transport", &self.inner.transport)
            .field("sandbox", &self.inner.sandbox)
            .field("lane", &self.lane)
            .field("webhooks", &self.inner.webhooks)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for UpstreamBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpstreamBuilder")
            .field("sandbox", &self.sandbox)
            .field("webhook_policy", &self.webhook_policy)
            .finish_non_exhaustive()
    }
}

impl Upstream {
    /// The sender of tenants' webhooks (`webhook`).
    pub(crate) fn webhooks(&self) -> &WebhookSender {
        &self.inner.webhooks
    }

    /// A vendor page for a person's browser (an OAuth authorize page): the URL itself, or,
    /// with a sandbox, the same page on the sandbox as `{base}/{vendor}/{account}{path}`
    /// (from `https://{account}.{vendor}.{tld}{path}`), since a browser cannot send the Host
    /// header the sandbox tells accounts apart by.
    pub fn browser_url(&self, url: &url::Url) -> url::Url {
        let Some(sandbox) = self.inner.sandbox.as_ref() else {
            return url.clone();
        };
        let mut labels = url.host_str().unwrap_or_default().split('.');
        let (Some(account), Some(vendor)) = (labels.next(), labels.next()) else {
            return url.clone();
        };
        let mut out = sandbox.url_for(&format!("/{vendor}/{account}{}", url.path()));
        out.set_query(url.query());
        out
    }

    /// The configured default deadline, for callers that budget their own work around it.
    pub fn default_deadline(&self) -> Duration {
        self.inner.config.default_deadline()
    }
}
