//! Assembles the Zendesk routes behind the entry middleware.

use axum::Router;
use axum::response::IntoResponse;

use super::errors::ZendeskError;
use super::{
    authorize, comments, entry, groups, incremental, oauth, organizations, tags, tickets, uploads,
    users, webhooks,
};
use crate::sandbox::Sandbox;

/// Every Zendesk route, behind account resolution, faults and rate limiting. Unknown paths
/// answer `InvalidEndpoint` as Zendesk does.
pub(crate) fn service(sandbox: Sandbox) -> Router {
    let routes = Router::new()
        .merge(tickets::router())
        .merge(comments::router())
        .merge(tags::router())
        .merge(users::router())
        .merge(organizations::router())
        .merge(groups::router())
        .merge(uploads::router())
        .merge(incremental::router())
        .merge(webhooks::router())
        .merge(authorize::router())
        .merge(oauth::router())
        .fallback(|| async { ZendeskError::InvalidEndpoint.into_response() })
        .with_state(sandbox.clone());
    Router::new()
        .fallback_service(routes)
        .layer(axum::middleware::from_fn_with_state(sandbox, entry::enter))
}
