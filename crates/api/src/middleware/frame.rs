//! The outermost middleware: counts the request as in flight, for a shutdown that waits for
//! it, and gives it an id (`request_id`). One layer does both because every `from_fn` layer
//! costs a clone of the boxed service beneath it on every request.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;
use crate::middleware::request_id;

pub(crate) async fn frame(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let _in_flight = state.lifecycle.track();
    let id = request_id::assign(&mut req);
    let mut res = next.run(req).await;
    res.headers_mut().insert(request_id::HEADER, id);
    res
}
