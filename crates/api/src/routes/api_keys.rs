//! `/v1/api-keys`: a tenant manages its own keys.

use crate::extract::ValidPath;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use deskgate_app::api_keys::ApiKey;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{AuthTenant, ValidJson, ValidQuery};
use crate::problem::Problem;
use crate::routes::page::{self, ListResponse};
use crate::{ApiError, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_api_keys, create_api_key))
        .routes(routes!(revoke_api_key))
}

/// An API key, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApiKeyView {
    id: String,
    name: String,
    /// The key's non-secret start, to recognize it.
    prefix: String,
    status: KeyStatus,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum KeyStatus {
    Active,
    Revoked,
    Expired,
}

impl From<ApiKey> for ApiKeyView {
    fn from(k: ApiKey) -> Self {
        let status = if k.revoked_at.is_some() {
            KeyStatus::Revoked
        } else if k.is_active(Utc::now()) {
            KeyStatus::Active
        } else {
            KeyStatus::Expired
        };
        Self {
            prefix: k.prefix(),
            id: k.id,
            name: k.name,
            status,
            created_at: k.created_at,
            expires_at: k.expires_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A new key. `key` is shown this once and cannot be read again.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CreatedApiKey {
    #[serde(flatten)]
    view: ApiKeyView,
    /// The whole key, `dg_live_<id>_<secret>`: store it now.
    key: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateApiKey {
    /// 1 to 100 printable characters, not all blank; trimmed.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    name: String,
    /// When the key stops working; absent for a key that does not expire.
    #[serde(default)]
    expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// From a previous page's `next_cursor`.
    cursor: Option<String>,
    /// 1 to 100; 50 by default.
    limit: Option<u32>,
}

/// The tenant's keys, oldest first, revoked and expired ones included.
#[utoipa::path(
    get,
    path = "/v1/api-keys",
    tag = "api keys",
    params(ListParams),
    security(("api_key" = [])),
    responses(
        (status = 200, body = ListResponse<ApiKeyView>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_api_keys(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidQuery(params): ValidQuery<ListParams>,
) -> Result<Json<ListResponse<ApiKeyView>>, ApiError> {
    let limit = page::limit(params.limit)?;
    let mut keys = state
        .app
        .list_api_keys(auth.tenant, params.cursor.as_deref(), limit + 1)
        .await?;
    let next_cursor = page::next_cursor(&mut keys, limit, |k| k.id.clone());
    Ok(Json(ListResponse {
        data: keys.into_iter().map(ApiKeyView::from).collect(),
        next_cursor,
    }))
}

/// Issues a key. The answer holds the whole key, once.
#[utoipa::path(
    post,
    path = "/v1/api-keys",
    tag = "api keys",
    request_body = CreateApiKey,
    security(("api_key" = [])),
    responses(
        (status = 201, body = CreatedApiKey),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_api_key(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidJson(body): ValidJson<CreateApiKey>,
) -> Result<(StatusCode, Json<CreatedApiKey>), ApiError> {
    let issued = state
        .app
        .create_api_key(auth.tenant, &body.name, body.expires_at, &auth.ctx)
        .await?;
    let key = issued.secret.expose_secret().to_owned();
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiKey {
            view: issued.key.into(),
            key,
        }),
    ))
}

/// Revokes a key at once. Revoking a revoked key changes nothing.
#[utoipa::path(
    delete,
    path = "/v1/api-keys/{id}",
    tag = "api keys",
    params(("id" = String, Path, description = "The key's id")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = ApiKeyView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn revoke_api_key(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
) -> Result<Json<ApiKeyView>, ApiError> {
    let key = state
        .app
        .revoke_api_key(auth.tenant, &id, &auth.ctx)
        .await?;
    Ok(Json(key.into()))
}
