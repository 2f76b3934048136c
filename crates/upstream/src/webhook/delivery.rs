//! [`Upstream::deliver`]: one POST of a webhook to a tenant's receiver, through a client of its
//! own (guarded resolver, no redirects, no proxy, never the sandbox), and one event about it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, Method};
use tokio::time::{Instant, timeout};
use url::Url;

use super::policy::{WebhookPolicy, check_parsed};
use crate::budget::headers::retry_after;
use crate::clock::WallClock;
use crate::config::UpstreamConfig;
use crate::egress::resolver::{Exemption, GuardedResolver, Lookup};
use crate::engine::Upstream;
use crate::transport::http_client::{ClientError, HttpClient, PastCap};
use crate::transport::{Transport, TransportError, TransportRequest, TransportResponse};

/// How much of a receiver's answer is read and kept: enough for an error message in the
/// attempt log, and a receiver answering gigabytes costs no more than this.
pub(crate) const EXCERPT_BYTES: usize = 4 * 1024;

/// One webhook to send: a POST of `body` with `headers` to `url`.
///
/// `Debug` shows the URL's origin, the header names and the body's length: the path and
/// query may carry the receiver's token, and the headers a signature.
#[derive(Clone)]
pub struct Delivery {
    pub url: Url,
    /// Sent as given; `Content-Type: application/json` is added when absent.
    pub headers: HeaderMap,
    pub body: Bytes,
    /// For the whole attempt: connect, send, and read the capped answer.
    pub timeout: Duration,
}

/// How the receiver answered. A redirect (3xx) is an answer like any other: it is never
/// followed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryAnswer {
    pub status: u16,
    /// The receiver's `Retry-After`, when it sent one (seconds or an HTTP date; a date in the
    /// past is zero).
    pub retry_after: Option<Duration>,
    /// The first 4 KiB of the answer, lossily decoded, for the attempt log.
    pub excerpt: String,
}

/// Why a delivery got no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// The URL is refused by the policy, or its name resolved only to addresses it may not
    /// use. Nothing was sent.
    #[error("the url is refused: {0}")]
    Refused(String),
    #[error("the receiver did not answer in time")]
    Timeout,
    #[error("the receiver could not be reached: {0}")]
    Transport(String),
}

impl DeliveryError {
    /// A short stable name for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Refused(_) => "refused",
            Self::Timeout => "timeout",
            Self::Transport(_) => "transport",
        }
    }
}

/// The client tenants' webhooks go through, with the policy and the clock it needs.
pub(crate) struct WebhookSender {
    client: HttpClient,
    policy: WebhookPolicy,
    clock: Arc<dyn WallClock>,
}

impl WebhookSender {
    /// Its resolver is the vendors' minus the sandbox's exemption: names must resolve to
    /// public addresses, except `localhost` to loopback ones when the policy allows them.
    pub(crate) fn new(
        config: &UpstreamConfig,
        policy: WebhookPolicy,
        lookup: Arc<dyn Lookup>,
        clock: Arc<dyn WallClock>,
    ) -> Result<Self, ClientError> {
        let exemption = policy
            .allow_loopback_http
            .then(|| Exemption::loopback("localhost"));
        let resolver = GuardedResolver::new(lookup, exemption);
        let client = HttpClient::capped(config, resolver, EXCERPT_BYTES, PastCap::Cut)?;
        Ok(Self {
            client,
            policy,
            clock,
        })
    }

    async fn send(&self, delivery: Delivery) -> Result<DeliveryAnswer, DeliveryError> {
        check_parsed(&delivery.url, self.policy)
            .map_err(|refusal| DeliveryError::Refused(refusal.to_string()))?;
        let mut headers = delivery.headers;
        if !headers.contains_key(CONTENT_TYPE) {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        let request = TransportRequest {
            method: Method::POST,
            url: delivery.url,
            headers,
            body: delivery.body,
            timeout: delivery.timeout,
        };
        let TransportResponse {
            status,
            headers,
            body,
        } = timeout(delivery.timeout, self.client.send(request))
            .await
            .map_err(|_| DeliveryError::Timeout)?
            .map_err(from_transport)?;
        Ok(DeliveryAnswer {
            status: status.as_u16(),
            retry_after: retry_after(&headers, self.clock.now()),
            excerpt: excerpt(&body),
        })
    }
}

impl fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSender")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Upstream {
    /// Sends one webhook through the egress guard and reads at most 4 KiB of the answer. The
    /// URL is checked again against the engine's policy (it may have been stored under
    /// another); a name is resolved through the guarded resolver and the connection pinned
    /// to the addresses that passed; no proxy; the sandbox override does not apply. Redirects
    /// are answers (3xx), never followed. Logs one event (target
    /// `deskgate_upstream::webhook`) naming the receiver's origin only.
    pub async fn deliver(&self, delivery: Delivery) -> Result<DeliveryAnswer, DeliveryError> {
        let started = Instant::now();
        let destination = delivery.url.origin().ascii_serialization();
        let result = self.webhooks().send(delivery).await;
        emit(&destination, &result, started.elapsed());
        result
    }

    /// The policy webhook URLs are checked against.
    pub fn webhook_policy(&self) -> WebhookPolicy {
        self.webhooks().policy
    }
}

fn from_transport(error: TransportError) -> DeliveryError {
    match error {
        TransportError::Blocked(reason) => DeliveryError::Refused(reason.to_string()),
        TransportError::Timeout => DeliveryError::Timeout,
        other => DeliveryError::Transport(other.to_string()),
    }
}

/// The answer's text for the attempt log; a cut inside a character keeps the whole ones
/// before it.
fn excerpt(body: &[u8]) -> String {
    let whole = match std::str::from_utf8(body) {
        Err(error) if error.error_len().is_none() => error.valid_up_to(),
        _ => body.len(),
    };
    String::from_utf8_lossy(&body[..whole]).into_owned()
}

/// One event with the fields of a delivery; a macro because a tracing level is part of the
/// callsite and cannot be chosen at runtime.
macro_rules! delivery_event {
    ($level:expr, $destination:expr, $status:expr, $outcome:expr, $error:expr, $duration:expr) => {
        tracing::event!(
            target: "deskgate_upstream::webhook",
            $level,
            destination = $destination,
            status = $status,
            outcome = $outcome,
            error = $error,
            duration_ms = u64::try_from($duration.as_millis()).unwrap_or(u64::MAX),
            "webhook delivery"
        )
    };
}

/// The one event per delivery: the receiver's origin (never its path or query, which may
/// carry its token), the status or error, and the duration. No header is read.
fn emit(destination: &str, result: &Result<DeliveryAnswer, DeliveryError>, duration: Duration) {
    let (status, outcome, error) = match result {
        Ok(answer) if (200..300).contains(&answer.status) => {
            (Some(answer.status), "delivered", None)
        }
        Ok(answer) => (Some(answer.status), "refused_by_receiver", None),
        Err(error) => (None, error.kind(), Some(error.to_string())),
    };
    let error = error.as_deref();
    if outcome == "delivered" {
        delivery_event!(
            tracing::Level::INFO,
            destination,
            status,
            outcome,
            error,
            duration
        );
    } else {
        delivery_event!(
            tracing::Level::WARN,
            destination,
            status,
            outcome,
            error,
            duration
        );
    }
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("destination", &self.url.origin().ascii_serialization())
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_cut_inside_a_character_keeps_the_whole_ones() {
        assert_eq!(excerpt("ok é".as_bytes()), "ok é");
        let cut = &"abcé".as_bytes()[..4];
        assert_eq!(excerpt(cut), "abc");
        assert_eq!(excerpt(b"a\xffb"), "a\u{fffd}b");
    }

    #[test]
    fn debug_shows_neither_the_path_nor_the_query_nor_header_values() {
        let mut headers = HeaderMap::new();
        headers.insert("webhook-signature", HeaderValue::from_static("v1,canary"));
        let delivery = Delivery {
            url: Url::parse("https://hooks.example.com/t/secret-path?token=canary").unwrap(),
            headers,
            body: Bytes::from_static(b"{}"),
            timeout: Duration::from_secs(5),
        };
        let printed = format!("{delivery:?}");
        assert!(printed.contains("https://hooks.example.com"));
        assert!(printed.contains("webhook-signature"));
        for leak in ["canary", "secret-path", "token"] {
            assert!(!printed.contains(leak), "{leak} in {printed}");
        }
    }
}
