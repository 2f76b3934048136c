//! What every vendor's entry does first: count the request and apply the account's
//! injected faults (delay, 5xx, bare 429, a body cut short), counting what it injected.

use std::sync::Mutex;

use axum::body::Body;
use axum::response::Response;

use futures_util::StreamExt;

use crate::fault::{Cut, FaultState, Injected};
use crate::lock::lock;

/// The counts every imitated account keeps, whatever the vendor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Traffic {
    /// Every request that reached the account.
    pub(crate) requests: u64,
    /// 429 responses sent, from a limit or injected.
    pub(crate) rate_limited: u64,
    /// Injected server errors sent.
    pub(crate) injected_errors: u64,
}

/// Counts a request, waits out the injected delay and says which fault (if any) answers it.
pub(crate) async fn admit(
    traffic: &Mutex<Traffic>,
    faults: &Mutex<FaultState>,
    method: &http::Method,
) -> Injected {
    lock(traffic).requests += 1;
    let write = matches!(
        *method,
        http::Method::POST | http::Method::PUT | http::Method::PATCH | http::Method::DELETE
    );
    let (injected, delay) = {
        let mut faults = lock(faults);
        (faults.next(write), faults.config.delay())
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    match injected {
        Injected::None => {}
        Injected::ServerError(_) | Injected::Cut(_) => lock(traffic).injected_errors += 1,
        Injected::RateLimitedWithoutRetryAfter => lock(traffic).rate_limited += 1,
    }
    injected
}

/// `response` with the second half of its body cut off ([`Injected::Cut`]): ended there, or
/// broken off there after a pause.
pub(crate) async fn cut_short(response: Response, cut: Cut) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    parts.headers.remove(http::header::CONTENT_LENGTH);
    let half = match cut {
        Cut::Reset => axum::body::Bytes::new(),
        Cut::Truncated | Cut::Broken => bytes.slice(..bytes.len() / 2),
    };
    match cut {
        Cut::Truncated => Response::from_parts(parts, Body::from(half)),
        Cut::Broken | Cut::Reset => {
            // The first half goes out at once; the error then aborts the chunked body.
            let broken = async {
                tokio::time::sleep(BROKEN_AFTER).await;
                Err(std::io::Error::other("the sandbox broke the transfer"))
            };
            let first = (!half.is_empty()).then_some(Ok(half));
            let body = futures_util::stream::iter(first).chain(futures_util::stream::once(broken));
            Response::from_parts(parts, Body::from_stream(body))
        }
    }
}

/// How long a broken answer waits after its first half.
const BROKEN_AFTER: std::time::Duration = std::time::Duration::from_millis(200);

/// Counts a 429 sent because a limit was reached.
pub(crate) fn count_rate_limited(traffic: &Mutex<Traffic>) {
    lock(traffic).rate_limited += 1;
}
