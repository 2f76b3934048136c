//! Assembles the Intercom routes behind the entry middleware. Unknown paths answer 404
//! `not_found` in Intercom's error shape.

use axum::Router;
use axum::response::IntoResponse;

use super::errors::IntercomError;
use super::{
    contacts, conversation_parts, conversations, directory, entry, oauth, ticket_parts,
    ticket_search, tickets,
};
use crate::sandbox::Sandbox;

/// Every Intercom route, behind host and workspace resolution, faults and the rate window.
pub(crate) fn service(sandbox: Sandbox) -> Router {
    let routes = Router::new()
        .merge(directory::router())
        .merge(contacts::router())
        .merge(tickets::router())
        .merge(ticket_search::router())
        .merge(ticket_parts::router())
        .merge(conversations::router())
        .merge(conversation_parts::router())
        .merge(oauth::router())
        .fallback(|| async { IntercomError::not_found("Resource Not Found").into_response() })
        .with_state(sandbox.clone());
    Router::new()
        .fallback_service(routes)
        .layer(axum::middleware::from_fn_with_state(sandbox, entry::enter))
}
