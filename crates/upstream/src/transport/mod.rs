//! The seam between the engine and the wire: [`Transport`] sends one fully built request,
//! and reads its answer whole or hands its body over as it arrives.
//!
//! Production uses the hyper client in `http_client`; time-paused tests plug in a
//! scripted fake, because tokio's paused clock auto-advances while a runtime waits on real
//! sockets and would fire timeouts early.

pub(crate) mod http_client;

use std::fmt;
use std::pin::Pin;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures_core::Stream;
use http::{HeaderMap, Method, StatusCode};
use url::Url;

use crate::egress::destination::BlockReason;

/// Sends one request and reads its whole (capped) body.
#[async_trait]
pub trait Transport: Send + Sync + fmt::Debug + 'static {
    async fn send(&self, request: TransportRequest) -> Result<TransportResponse, TransportError>;

    /// Sends one request and hands its body over as it arrives, under the same cap and
    /// within the request's `timeout` (which covers the whole body, as for `send`). The
    /// default reads the body whole first: enough for scripted transports.
    async fn send_streamed(
        &self,
        request: TransportRequest,
    ) -> Result<StreamedTransportResponse, TransportError> {
        let TransportResponse {
            status,
            headers,
            body,
        } = self.send(request).await?;
        Ok(StreamedTransportResponse {
            status,
            headers,
            body: Box::pin(futures_util::stream::once(std::future::ready(Ok(body)))),
        })
    }
}

/// A body as it arrives: its chunks in order, ended early by an error (a reset, the cap,
/// the deadline).
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, TransportError>> + Send>>;

/// A response whose body is still being read.
pub struct StreamedTransportResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: BodyStream,
}

impl fmt::Debug for StreamedTransportResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamedTransportResponse")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// A request ready for the wire. Authentication headers are already set and marked
/// sensitive; `Debug` prints header names only, and the URL without its query.
pub struct TransportRequest {
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Time allowed for this attempt.
    pub timeout: Duration,
}

impl fmt::Debug for TransportRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportRequest")
            .field("method", &self.method)
            .field("origin", &self.url.origin().ascii_serialization())
            .field("path", &self.url.path())
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A response read to the end.
#[derive(Clone)]
pub struct TransportResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl fmt::Debug for TransportResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// Why a request got no response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    #[error("timed out")]
    Timeout,
    /// No connection was made, so the request was never sent: safe to retry any method.
    #[error("connection failed: {0}")]
    Connect(String),
    #[error("destination refused: {0}")]
    Blocked(BlockReason),
    #[error("response body exceeds {limit} bytes")]
    TooLarge { limit: usize },
    /// The request may have reached the vendor (a reset mid-flight, a truncated body).
    #[error("transport failed: {0}")]
    Other(String),
}
