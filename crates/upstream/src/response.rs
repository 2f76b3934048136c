//! [`UpstreamResponse`]: a vendor's answer, read whole; [`StreamedResponse`]: one whose
//! body is read as it arrives.

use std::fmt;
use std::pin::Pin;

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::StreamExt;
use http::{HeaderMap, HeaderName, StatusCode};

use crate::error::UpstreamError;

/// Any answer that is not a redirect and not an exhausted 429: success, 4xx, and 5xx after
/// retries. Connectors map the status themselves; [`error_for_status`](Self::error_for_status)
/// is there for callers that only want success.
///
/// `Debug` shows the status and body length only: bodies can hold tokens (OAuth answers).
#[derive(Clone)]
pub struct UpstreamResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) attempts: u32,
}

impl UpstreamResponse {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub fn body(&self) -> &Bytes {
        &self.body
    }

    pub fn into_body(self) -> Bytes {
        self.body
    }

    /// How many attempts the engine made to get this answer.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The vendor's request id (`X-Zendesk-Request-Id`, `X-Request-Id`, …), for support
    /// tickets with the vendor.
    pub fn vendor_request_id(&self) -> Option<&str> {
        vendor_request_id(&self.headers)
    }

    /// `Ok(self)` for a 2xx, else [`UpstreamError::Status`] carrying the response.
    pub fn error_for_status(self) -> Result<Self, UpstreamError> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(UpstreamError::Status {
                status: self.status,
                response: Box::new(self),
            })
        }
    }
}

/// Response headers vendors put their request id in, most specific first; built once, not
/// parsed from text on every lookup.
static REQUEST_ID_HEADERS: [HeaderName; 4] = [
    HeaderName::from_static("x-zendesk-request-id"),
    HeaderName::from_static("x-intercom-request-id"),
    HeaderName::from_static("x-request-id"),
    HeaderName::from_static("request-id"),
];

pub(crate) fn vendor_request_id(headers: &HeaderMap) -> Option<&str> {
    REQUEST_ID_HEADERS.iter().find_map(|name| {
        let value = headers.get(name)?.to_str().ok()?;
        let plausible =
            !value.is_empty() && value.len() <= 128 && value.bytes().all(|b| b.is_ascii_graphic());
        plausible.then_some(value)
    })
}

impl fmt::Debug for UpstreamResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpstreamResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .field("attempts", &self.attempts)
            .field("vendor_request_id", &self.vendor_request_id())
            .finish_non_exhaustive()
    }
}

/// A body as it arrives from the vendor: its chunks in order; an error (a reset, the cap,
/// the deadline) ends it early, and no chunk follows an error.
pub type UpstreamBody = Pin<Box<dyn Stream<Item = Result<Bytes, UpstreamError>> + Send>>;

/// An answer whose head has arrived and whose body is read as the caller polls it
/// ([`Upstream::send_streamed`](crate::Upstream::send_streamed)).
pub struct StreamedResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: UpstreamBody,
    pub(crate) attempts: u32,
}

impl StreamedResponse {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// How many attempts the engine made to get this answer.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    pub fn vendor_request_id(&self) -> Option<&str> {
        vendor_request_id(&self.headers)
    }

    /// The head and the body apart.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, UpstreamBody) {
        (self.status, self.headers, self.body)
    }

    /// Reads the rest of the body: for an answer wanted whole after all (an error's).
    pub async fn collect(self) -> Result<UpstreamResponse, UpstreamError> {
        let Self {
            status,
            headers,
            mut body,
            attempts,
        } = self;
        let mut whole = BytesMut::new();
        while let Some(chunk) = body.next().await {
            whole.extend_from_slice(&chunk?);
        }
        Ok(UpstreamResponse {
            status,
            headers,
            body: whole.freeze(),
            attempts,
        })
    }
}

impl fmt::Debug for StreamedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamedResponse")
            .field("status", &self.status)
            .field("attempts", &self.attempts)
            .field("vendor_request_id", &self.vendor_request_id())
            .finish_non_exhaustive()
    }
}
