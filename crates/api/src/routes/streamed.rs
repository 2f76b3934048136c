//! The body of an answer whose status goes out before the vendor's answer has been read to
//! its end: a connector list, a passthrough body.

use std::fmt::Display;

use axum::body::Body;
use bytes::Bytes;
use deskgate_core::ConnectionId;
use futures_core::Stream;
use futures_util::StreamExt;

use crate::AppState;
use crate::middleware::metrics::Streamed;

/// `first`, the chunk the status goes out with, then `rest` as it comes. An error in `rest`
/// cannot change a status already sent, and must not look like a whole answer: the transfer
/// is aborted (HTTP/1.1 closes the connection without the last chunk or short of the
/// declared length, HTTP/2 resets the stream), which every HTTP client reports as an error;
/// the cause is logged at WARN with the connection, and counted.
pub(crate) fn after_head<E: Display>(
    state: &AppState,
    connection: ConnectionId,
    answer: Streamed,
    first: Bytes,
    rest: impl Stream<Item = Result<Bytes, E>> + Send + 'static,
) -> Body {
    let state = state.clone();
    let rest = rest.map(move |chunk| {
        chunk.map_err(|e| {
            tracing::warn!(
                connection = %connection,
                answer = ?answer,
                error = %e,
                "a streamed answer broke off after its status was sent; the transfer is aborted"
            );
            state.metrics.count_aborted(answer);
            std::io::Error::other("the answer broke off")
        })
    });
    Body::from_stream(futures_util::stream::once(std::future::ready(Ok(first))).chain(rest))
}
