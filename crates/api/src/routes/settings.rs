//! `/v1/settings/return-urls`: the URLs a tenant's customers come back to after a connect
//! session, registered once and compared exactly.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{AuthTenant, ValidJson};
use crate::problem::Problem;
use crate::{ApiError, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_return_urls, put_return_urls))
}

/// The tenant's registered return URLs. Each is an absolute `https` URL (`http` only on a
/// loopback host), without user info or fragment, written in canonical form; a connect
/// session's `return_url` must equal one of them character for character.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReturnUrls {
    #[schema(max_items = 20, example = json!(["https://app.example.com/helpdesk/connected"]))]
    return_urls: Vec<String>,
}

/// The tenant's return URLs.
#[utoipa::path(
    get,
    path = "/v1/settings/return-urls",
    tag = "settings",
    security(("api_key" = [])),
    responses(
        (status = 200, body = ReturnUrls),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_return_urls(
    State(state): State<AppState>,
    auth: AuthTenant,
) -> Result<Json<ReturnUrls>, ApiError> {
    let return_urls = state.app.return_urls(auth.tenant).await?;
    Ok(Json(ReturnUrls { return_urls }))
}

/// Replaces the tenant's return URLs (an empty list removes them all). Every URL is checked
/// first; a refusal names its index (`return_urls[1]`) and changes nothing.
#[utoipa::path(
    put,
    path = "/v1/settings/return-urls",
    tag = "settings",
    request_body = ReturnUrls,
    security(("api_key" = [])),
    responses(
        (status = 200, body = ReturnUrls),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn put_return_urls(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidJson(body): ValidJson<ReturnUrls>,
) -> Result<Json<ReturnUrls>, ApiError> {
    let return_urls = state
        .app
        .set_return_urls(auth.tenant, body.return_urls, &auth.ctx)
        .await?;
    Ok(Json(ReturnUrls { return_urls }))
}
