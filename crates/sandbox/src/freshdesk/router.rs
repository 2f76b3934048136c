//! Assembles the Freshdesk routes behind the entry middleware. Unknown paths answer 404
//! with an empty body, like a missing record.

use axum::Router;
use axum::response::IntoResponse;

use super::errors::FreshdeskError;
use super::{attachments, conversations, directory, entry, tickets};
use crate::sandbox::Sandbox;

/// Every Freshdesk route, behind account resolution, faults and credit limits.
pub(crate) fn service(sandbox: Sandbox) -> Router {
    let routes = Router::new()
        .merge(tickets::router())
        .merge(conversations::router())
        .merge(directory::router())
        .merge(attachments::router())
        .fallback(|| async { FreshdeskError::NotFound.into_response() })
        .with_state(sandbox.clone());
    Router::new()
        .fallback_service(routes)
        .layer(axum::middleware::from_fn_with_state(sandbox, entry::enter))
}
