//! Logs the hidden cause of a 5xx inside the request's span; the body stays opaque.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::problem::InternalCause;

pub(crate) async fn log(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    if let Some(InternalCause(cause)) = res.extensions_mut().remove::<InternalCause>() {
        tracing::error!(status = res.status().as_u16(), cause = %cause, "request failed");
    }
    res
}
