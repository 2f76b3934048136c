//! Logs the hidden cause of a 5xx inside the request's span; the body stays opaque. A plain
//! response map: it needs neither the request nor a boxed clone of the service beneath.

use axum::response::Response;

use crate::problem::InternalCause;

pub(crate) fn log<B>(mut res: Response<B>) -> Response<B> {
    if let Some(InternalCause(cause)) = res.extensions_mut().remove::<InternalCause>() {
        tracing::error!(status = res.status().as_u16(), cause = %cause, "request failed");
    }
    res
}
