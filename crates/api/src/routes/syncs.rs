//! Change detection settings: the tenant's default (`/v1/settings/sync`) and each
//! connection's sync (`/v1/connections/{id}/sync`), its hook URL for vendor webhooks, and a
//! run on demand.

use crate::extract::ValidPath;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use deskgate_app::events::settings::IssuedHook;
use deskgate_app::events::{SyncConfigChange, SyncDefaults, SyncView};
use secrecy::SecretString;
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{AuthTenant, ValidJson, Whole};
use crate::problem::Problem;
use crate::routes::connections::connection_id;
use crate::{ApiError, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_sync_defaults, put_sync_defaults))
        .routes(routes!(get_sync, patch_sync))
        .routes(routes!(issue_hook))
        .routes(routes!(run_sync))
}

/// The tenant's default for its connections' syncs.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SyncDefaultsBody {
    /// Whether connections sync unless they say otherwise.
    enabled: bool,
    /// Seconds between two syncs of a connection (5 to 86400).
    #[schema(value_type = u32, minimum = 5, maximum = 86400, example = 60)]
    interval_secs: Whole<u32>,
}

/// A field that may be absent (unchanged), `null` (back to the default) or a value.
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// What to change of a connection's sync; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SyncPatch {
    /// `true`/`false` for this connection; `null` to follow the tenant's default.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<bool>)]
    enabled: Option<Option<bool>>,
    /// Seconds between syncs (5 to 86400); `null` to follow the tenant's default.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<u32>, minimum = 5, maximum = 86400)]
    interval_secs: Option<Option<Whole<u32>>>,
    /// Before the first sync only: report the tickets that already exist as
    /// `ticket.created` with `"backfill": true` instead of recording them silently.
    backfill: Option<bool>,
    /// The vendor's secret that signs its webhooks for this connection (Zendesk: the
    /// webhook's signing secret; Intercom: the app's client secret when the tenant has no
    /// OAuth app for Intercom). Write-only; `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, format = Password, min_length = 1, max_length = 512, pattern = r"^[^\x00-\x1F\x7F-\x9F]+$")]
    hook_secret: Option<Option<String>>,
}

/// The tenant's default for its connections' syncs.
#[utoipa::path(
    get,
    path = "/v1/settings/sync",
    tag = "events",
    security(("api_key" = [])),
    responses(
        (status = 200, body = SyncDefaults),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_sync_defaults(
    State(state): State<AppState>,
    auth: AuthTenant,
) -> Result<Json<SyncDefaults>, ApiError> {
    Ok(Json(state.app.sync_defaults(auth.tenant).await?))
}

/// Sets the tenant's default: whether its connections sync, and how often.
#[utoipa::path(
    put,
    path = "/v1/settings/sync",
    tag = "events",
    request_body = SyncDefaultsBody,
    security(("api_key" = [])),
    responses(
        (status = 200, body = SyncDefaults),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn put_sync_defaults(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidJson(body): ValidJson<SyncDefaultsBody>,
) -> Result<Json<SyncDefaults>, ApiError> {
    Ok(Json(
        state
            .app
            .put_sync_defaults(auth.tenant, body.enabled, body.interval_secs.0)
            .await?,
    ))
}

/// A connection's sync: whether it runs, how often, its state, and its hook.
#[utoipa::path(
    get,
    path = "/v1/connections/{id}/sync",
    tag = "events",
    params(("id" = String, Path, description = "The connection's id")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = SyncView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_sync(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
) -> Result<Json<SyncView>, ApiError> {
    let id = connection_id(&id)?;
    Ok(Json(state.app.sync_view(auth.tenant, id).await?))
}

/// Changes a connection's sync settings; a change makes it run at the next round.
#[utoipa::path(
    patch,
    path = "/v1/connections/{id}/sync",
    tag = "events",
    params(("id" = String, Path, description = "The connection's id")),
    request_body = SyncPatch,
    security(("api_key" = [])),
    responses(
        (status = 200, body = SyncView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn patch_sync(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
    ValidJson(body): ValidJson<SyncPatch>,
) -> Result<Json<SyncView>, ApiError> {
    let id = connection_id(&id)?;
    let change = SyncConfigChange {
        enabled: body.enabled,
        interval_secs: body.interval_secs.map(|v| v.map(|w| w.0)),
        backfill: body.backfill,
        hook_secret: body.hook_secret.map(|s| s.map(SecretString::from)),
    };
    Ok(Json(state.app.change_sync(auth.tenant, id, change).await?))
}

/// Makes the connection's hook URL for vendor webhooks (replacing an earlier one, which
/// stops working). The URL holds a secret and is shown only now: give it to the vendor as the
/// webhook's endpoint (Zendesk: a webhook; Freshdesk: an automation rule's "Trigger
/// webhook"; Intercom: the app's webhook URL).
#[utoipa::path(
    post,
    path = "/v1/connections/{id}/sync/hook",
    tag = "events",
    params(("id" = String, Path, description = "The connection's id")),
    security(("api_key" = [])),
    responses(
        (status = 201, body = IssuedHook),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn issue_hook(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
) -> Result<(StatusCode, Json<IssuedHook>), ApiError> {
    let id = connection_id(&id)?;
    Ok((
        StatusCode::CREATED,
        Json(state.app.issue_hook(auth.tenant, id).await?),
    ))
}

/// Runs the connection's sync now, on this replica, and answers its state afterwards; if
/// another replica is running it, answers the state at once.
#[utoipa::path(
    post,
    path = "/v1/connections/{id}/sync/run",
    tag = "events",
    params(("id" = String, Path, description = "The connection's id")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = SyncView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn run_sync(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
) -> Result<Json<SyncView>, ApiError> {
    let id = connection_id(&id)?;
    state.app.connection(auth.tenant, id).await?;
    state.app.sync_connection(auth.tenant, id).await?;
    Ok(Json(state.app.sync_view(auth.tenant, id).await?))
}
