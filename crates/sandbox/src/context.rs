//! The per-request context a vendor's entry middleware hands to its handlers: which
//! account, the base URL the client used (for links and URL fields), the clock, and the
//! sender of the webhooks a write triggers.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request};
use axum::middleware::Next;
use axum::response::Response;
use http::StatusCode;
use http::request::Parts;

use crate::clock::Clock;
use crate::outbound::Outbound;

#[derive(Debug)]
pub(crate) struct Ctx<A> {
    pub(crate) account: Arc<A>,
    /// `http://127.0.0.1:PORT/{vendor}/{account}` or `http://{account}.{vendor}.localhost:PORT`.
    pub(crate) base_url: String,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) outbound: Outbound,
}

impl<A> Clone for Ctx<A> {
    fn clone(&self) -> Self {
        Self {
            account: Arc::clone(&self.account),
            base_url: self.base_url.clone(),
            clock: Arc::clone(&self.clock),
            outbound: self.outbound.clone(),
        }
    }
}

impl<A> Ctx<A> {
    pub(crate) fn now_secs(&self) -> i64 {
        self.clock.now().timestamp()
    }

    /// An absolute API URL for `path` (which starts with `/`).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl<A, S> FromRequestParts<S> for Ctx<A>
where
    A: Send + Sync + 'static,
    S: Send + Sync,
{
    /// Only reachable if a route were served without its vendor's entry middleware.
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx<A>>()
            .cloned()
            .ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// Hands `ctx` to the handlers of a vendor's entry middleware and runs them.
pub(crate) async fn run_with<A: Send + Sync + 'static>(
    mut request: Request,
    next: Next,
    ctx: Ctx<A>,
) -> Response {
    request.extensions_mut().insert(ctx);
    next.run(request).await
}
