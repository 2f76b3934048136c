//! Assembles the routes, the middleware and the OpenAPI document.

use std::any::Any;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use tower::ServiceBuilder;
use tower::util::MapResponseLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::middleware::request_id::RequestId;
use crate::middleware::{frame, internal_errors, metrics};
use crate::routes::docs::OpenApiJson;
use crate::routes::{
    api_keys, comments, connect_page, connect_sessions, connections, connectors, directory, docs,
    events, health, hooks, oauth_apps, passthrough, settings, syncs, tickets, webhook_endpoints,
};
use crate::{ApiError, AppState};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "deskgate",
        description = "One REST API in front of many helpdesks.",
        license(name = "Apache-2.0 OR MIT", identifier = "Apache-2.0 OR MIT")
    ),
    paths(crate::routes::passthrough::passthrough),
    modifiers(&SecurityAndProblems),
    tags(
        (name = "connections", description = "Connected helpdesk accounts"),
        (name = "tickets", description = "Normalized tickets and their comments"),
        (name = "directory", description = "Users, contacts, accounts, teams and tags"),
        (name = "passthrough", description = "The helpdesk's own API, with managed auth"),
        (name = "connectors", description = "What each provider supports"),
        (name = "api keys", description = "A tenant's own API keys"),
        (name = "connect", description = "Connect sessions: a link to the hosted page where a customer connects their helpdesk (`GET /connect/{token}`, HTML; OAuth returns to `GET /oauth/callback/{provider}`)"),
        (name = "webhooks", description = "Webhook endpoints: events POSTed as they happen, signed per the Standard Webhooks specification (`webhook-id`, `webhook-timestamp`, `webhook-signature`), retried for about three days"),
        (name = "settings", description = "A tenant's settings: the return URLs of connect sessions, its OAuth apps"),
        (name = "events", description = "Change events: the ordered log (`/v1/events`), each connection's sync and its hook for vendor webhooks; webhook endpoints deliver the same events signed per Standard Webhooks"),
        (name = "operations", description = "Health, readiness, metrics and this document"),
    )
)]
struct ApiDoc;

struct SecurityAndProblems;

impl Modify for SecurityAndProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut description = openapi.info.description.clone().unwrap_or_default();
        description.push_str(
            "\n\nErrors are `application/problem+json` (RFC 9457) with a stable `code`:\n\n\
             | code | status | meaning |\n|---|---|---|\n",
        );
        for (code, status, meaning) in crate::problem::PROBLEM_CODES {
            description.push_str(&format!("| `{code}` | {status} | {meaning} |\n"));
        }
        openapi.info.description = Some(description);
        // One handler serves every passthrough method; each operation still needs its own id.
        if let Some(item) = openapi
            .paths
            .paths
            .get_mut("/v1/connections/{id}/passthrough/{path}")
        {
            for (method, op) in crate::contract::methods_mut(item) {
                if let Some(op) = op {
                    op.operation_id = Some(format!("passthrough_{method}"));
                }
            }
        }
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("dg_live_<id>_<secret>")
                    .description(Some("A tenant API key"))
                    .build(),
            ),
        );
    }
}

fn build() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(api_keys::router())
        .merge(settings::router())
        .merge(oauth_apps::router())
        .merge(connect_sessions::router())
        .merge(connections::router())
        .merge(tickets::router())
        .merge(comments::router())
        .merge(directory::router())
        .merge(connectors::router())
        .merge(events::router())
        .merge(syncs::router())
        .merge(hooks::router())
        .merge(webhook_endpoints::router())
        .route(
            "/v1/connections/{id}/passthrough/{*path}",
            axum::routing::any(passthrough::passthrough),
        )
        .merge(docs::router())
        .split_for_parts();
    crate::contract::apply(&mut doc);
    (routes, doc)
}

/// The OpenAPI document of every route [`router`] serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    build().1
}

/// The whole HTTP API over `state`.
pub fn router(state: AppState) -> Router {
    let (routes, doc) = build();
    let json = doc
        .to_json()
        .unwrap_or_else(|e| format!(r#"{{"error":"openapi document failed to render: {e}"}}"#));
    routes
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        // The hosted page and the OAuth callback: HTML for a browser, not in the document.
        .merge(connect_page::router())
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        // Few `layer` calls, the stack in one, outermost first: each call boxes every route
        // again, and a `from_fn` layer clones every box beneath it on every request.
        .layer(
            ServiceBuilder::new()
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
                    // The fields are worked out only when the span is enabled.
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = %hooks::loggable_path(req.uri().path())
                            .unwrap_or_else(|| connect_page::loggable_path(req.uri().path())),
                        request_id = %req.extensions().get::<RequestId>().map_or("", |r| r.0.as_str()),
                    )
                }))
                .layer(MapResponseLayer::new(internal_errors::log))
                .layer(CatchPanicLayer::custom(panicked))
                .layer(DefaultBodyLimit::max(crate::extract::BODY_LIMIT))
                .layer(Extension(OpenApiJson(Arc::from(json)))),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            frame::frame,
        ))
        .with_state(state)
}

async fn no_route() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_route",
        "Not found",
        "no such route; see /docs for the API",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
        "this route does not take that method; see /docs for the API",
    )
}

/// A panic's payload may hold anything, so it is not logged; the location is, by the hook.
fn panicked(_payload: Box<dyn Any + Send + 'static>) -> Response {
    ApiError::internal("a handler panicked").into_response()
}
