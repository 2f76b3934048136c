//! Counts the requests being answered, for a shutdown that waits for them.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

pub(crate) async fn count(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let _in_flight = state.lifecycle.track();
    next.run(req).await
}
