//! `/v1/oauth-apps/{provider}`: the tenant's own OAuth client per provider, used when its
//! customers connect by redirect. The secret is sealed on write and never shown again.

use crate::extract::ValidPath;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use deskgate_app::connect::{OAuthApp, OAuthAppInput};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{AuthTenant, ValidJson};
use crate::problem::Problem;
use crate::{ApiError, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_oauth_app, put_oauth_app, delete_oauth_app))
}

/// A tenant's OAuth app. The client secret is never shown.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OAuthAppView {
    #[schema(example = "zendesk")]
    provider: String,
    client_id: String,
    /// Whether a client secret is stored (sealed); absent for a public client.
    has_client_secret: bool,
    /// Space-separated; the provider's default (`read write` for Zendesk) when null.
    scopes: Option<String>,
    /// Register exactly this URL as a redirect URL on the OAuth client.
    #[schema(example = "https://connect.example.com/oauth/callback/zendesk")]
    redirect_uri: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<OAuthApp> for OAuthAppView {
    fn from(a: OAuthApp) -> Self {
        Self {
            provider: a.provider.as_str().to_owned(),
            client_id: a.client_id,
            has_client_secret: a.has_client_secret,
            scopes: a.scopes,
            redirect_uri: a.redirect_uri,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// The OAuth client to set.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PutOAuthApp {
    /// The OAuth client's identifier (Zendesk: its "unique identifier").
    #[schema(min_length = 1, max_length = 200)]
    client_id: String,
    /// Sealed in the vault and never returned; omit for a public client (PKCE alone).
    #[schema(value_type = Option<String>, min_length = 1, max_length = 512, write_only)]
    #[serde(default)]
    client_secret: Option<SecretString>,
    /// Space-separated scopes; the provider's default when absent.
    #[schema(min_length = 1, max_length = 500, example = "read write")]
    #[serde(default)]
    scopes: Option<String>,
}

impl std::fmt::Debug for PutOAuthApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PutOAuthApp")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// The tenant's OAuth app for a provider.
#[utoipa::path(
    get,
    path = "/v1/oauth-apps/{provider}",
    tag = "settings",
    params(("provider" = String, Path, description = "A provider with an OAuth redirect mode: `zendesk`")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = OAuthAppView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_oauth_app(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(provider): ValidPath<String>,
) -> Result<Json<OAuthAppView>, ApiError> {
    Ok(Json(
        state.app.oauth_app(auth.tenant, &provider).await?.into(),
    ))
}

/// Sets the tenant's OAuth app for a provider, replacing the one there was. Customers who
/// connect by redirect authorize this client, unless they bring their own on the page.
#[utoipa::path(
    put,
    path = "/v1/oauth-apps/{provider}",
    tag = "settings",
    params(("provider" = String, Path, description = "A provider with an OAuth redirect mode: `zendesk`")),
    request_body = PutOAuthApp,
    security(("api_key" = [])),
    responses(
        (status = 200, body = OAuthAppView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn put_oauth_app(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(provider): ValidPath<String>,
    ValidJson(body): ValidJson<PutOAuthApp>,
) -> Result<Json<OAuthAppView>, ApiError> {
    let app = state
        .app
        .put_oauth_app(
            auth.tenant,
            &provider,
            OAuthAppInput {
                client_id: body.client_id,
                client_secret: body.client_secret,
                scopes: body.scopes,
            },
            &auth.ctx,
        )
        .await?;
    Ok(Json(app.into()))
}

/// Deletes the tenant's OAuth app for a provider and destroys its sealed secret.
#[utoipa::path(
    delete,
    path = "/v1/oauth-apps/{provider}",
    tag = "settings",
    params(("provider" = String, Path, description = "A provider with an OAuth redirect mode: `zendesk`")),
    security(("api_key" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn delete_oauth_app(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(provider): ValidPath<String>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_oauth_app(auth.tenant, &provider, &auth.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
