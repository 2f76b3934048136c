//! deskgate-upstream: the one outbound HTTP engine every connector uses.
//!
//! A connector builds an [`UpstreamRequest`] (a [`VendorOrigin`] made from a tenant's
//! [`DnsLabel`] and a fixed suffix, a path, a [`BudgetKey`], a secret credential) and hands it
//! to [`Upstream::send`]. The engine then:
//!
//! 1. checks the destination (the SSRF guard: `egress`): labels and origins are validated
//!    when built, IP-literal hosts are refused, names resolve through a resolver that drops
//!    every non-public address and pins the connection to what passed, redirects are never
//!    followed, no proxy is used; a [`SandboxOverride`] set by the operator is the only way
//!    to reach a loopback address;
//! 2. waits for the account's rate budget (`budget`): the limit is learned from the vendors'
//!    headers by a first probe request, requests are paced below it with GCRA at this
//!    replica's share ([`Replicas`], one over the live replicas the application counts;
//!    where the vendor reports a fixed window, its remainder is spent evenly to its end) (in credits
//!    where the vendor counts credits: a request's declared cost is reserved, the cost the
//!    vendor reports is charged afterwards), a 429 blocks the account for exactly
//!    `Retry-After`, and the block is shared through a [`BlockRegistry`]; a request may also
//!    name an endpoint's own cap (an endpoint [`BudgetKey`]), paced from the first request
//!    when the request states the vendor's documented cap, else learned from its 429s, and
//!    blocked alone when a 429 comes while the account still had credits; background work
//!    ([`Upstream::background`]) is held to a share of the account's pace and goes only when
//!    the pacer has room at that moment, behind every tenant call; when a wait would pass the
//!    deadline it fails at once with [`UpstreamError::RateLimited`];
//! 3. sends through a [`Transport`] (a hyper client in production, a scripted fake in tests),
//!    capping the body, and retries 5xx and broken connections of idempotent requests with
//!    full-jitter backoff (`retry`), all inside the caller's deadline;
//! 4. logs one structured event per call (`event`), without secrets, paths or queries.
//!
//! [`Upstream::deliver`] sends a tenant's webhook (`webhook`) through the same guard, with a
//! client of its own: the URL is untrusted ([`check_webhook_url`]: https, public addresses,
//! loopback only under the operator's [`WebhookPolicy`]), the sandbox override never applies,
//! a redirect is an answer, the answer is read to a 4 KiB excerpt within one timeout.
//!
//! The GCRA pacer is hand-written rather than taken from `governor`: governor's quota is
//! fixed when the limiter is built, while ours is learned from headers and changes at
//! runtime; governor cannot reserve a slot only when it falls before a caller's deadline; and
//! its clock does not follow tokio's, which time-paused tests rely on.
//!
//! Layout: `config` ([`UpstreamConfig`]), `error`, `request`, `response`, `engine` (the send
//! loop), `egress/` (label, origin, address policy, resolver, destination check), `budget/`
//! (key, header parsing, GCRA, per-account state, lanes and what each spent, registry, the
//! replica count, the vendor's reported window, the async budget map), `transport/` (the trait and the hyper client), `retry`, `event`,
//! `clock`, `webhook/` (the URL policy, delivery).

mod budget;
mod clock;
mod config;
mod egress;
mod engine;
mod error;
mod event;
mod request;
mod response;
mod retry;
mod transport;
mod webhook;

pub use budget::key::{BudgetKey, BudgetKeyError};
pub use budget::registry::{BlockRegistry, MemoryBlockRegistry, RegistryError};
pub use budget::replicas::Replicas;
pub use budget::state::BudgetState;
pub use clock::{SystemWallClock, TokioWallClock, WallClock};
pub use config::{BudgetConfig, ConfigError, RetryConfig, UpstreamConfig};
pub use egress::destination::BlockReason;
pub use egress::label::{DnsLabel, LabelError};
pub use egress::origin::{OriginError, SandboxOverride, VendorOrigin};
pub use egress::resolver::{Lookup, SystemLookup};
pub use engine::{BuildError, Upstream, UpstreamBuilder};
pub use error::UpstreamError;
pub use request::UpstreamRequest;
pub use response::{StreamedResponse, UpstreamBody, UpstreamResponse};
pub use transport::http_client::ClientError;
pub use transport::{
    BodyStream, StreamedTransportResponse, Transport, TransportError, TransportRequest,
    TransportResponse,
};
pub use webhook::{
    Delivery, DeliveryAnswer, DeliveryError, WebhookPolicy, WebhookUrlError, check_webhook_url,
};
