//! [`UpstreamError`]: what went wrong with an outbound call, classified by what the caller
//! (a connector mapping into its own error type) can do about it.

use std::time::Duration;

use http::StatusCode;

use crate::egress::destination::BlockReason;
use crate::response::UpstreamResponse;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpstreamError {
    /// The account's budget is exhausted or the vendor said to wait, and waiting would pass
    /// the caller's deadline. Answer 429 with `Retry-After` (rounded up to whole seconds).
    #[error("upstream rate limit reached; retry after {} ms", retry_after.as_millis())]
    RateLimited { retry_after: Duration },
    /// The deadline or an attempt timeout passed before the vendor answered.
    #[error("upstream did not answer in time")]
    Timeout,
    /// The connection failed or broke (DNS, TCP, TLS, a truncated body).
    #[error("upstream could not be reached: {detail}")]
    Transport { detail: String },
    /// A non-success status, from [`UpstreamResponse::error_for_status`]; the response is
    /// kept whole so the connector can read the vendor's error body.
    #[error("upstream answered {status}")]
    Status {
        status: StatusCode,
        response: Box<UpstreamResponse>,
    },
    /// The egress policy refused the destination (SSRF guard). Never retried.
    #[error("destination refused by the egress policy: {reason}")]
    Blocked { reason: BlockReason },
    /// The response body was larger than the configured cap.
    #[error("upstream response is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// The vendor answered with a redirect; redirects are never followed.
    #[error("upstream answered with redirect {status}, which is not followed")]
    Redirect { status: StatusCode },
    /// The request itself was malformed (a path or header the engine refuses to send).
    #[error("invalid upstream request: {reason}")]
    InvalidRequest { reason: &'static str },
}

impl UpstreamError {
    /// How long to wait before trying again, for [`UpstreamError::RateLimited`].
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// A short stable name for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::RateLimited { .. } => "rate_limited",
            Self::Timeout => "timeout",
            Self::Transport { .. } => "transport",
            Self::Status { .. } => "status",
            Self::Blocked { .. } => "blocked",
            Self::TooLarge { .. } => "too_large",
            Self::Redirect { .. } => "redirect",
            Self::InvalidRequest { .. } => "invalid_request",
        }
    }
}
