//! `/v1/connectors`: what each provider supports, from the connectors themselves.

use axum::Json;
use deskgate_app::connections::registry;
use deskgate_core::Capabilities;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::problem::Problem;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_connectors))
}

/// The capability matrix: each provider's auth modes, resources, operations and filters,
/// with each filter marked `native` (the helpdesk filters) or `emulated` (deskgate filters
/// the pages the helpdesk returns).
#[utoipa::path(
    get,
    path = "/v1/connectors",
    tag = "connectors",
    responses((status = 200, body = [Capabilities]), (status = 500, body = Problem, content_type = "application/problem+json"))
)]
async fn list_connectors() -> Json<Vec<Capabilities>> {
    Json(registry::specs().map(|s| s.capabilities()).collect())
}
