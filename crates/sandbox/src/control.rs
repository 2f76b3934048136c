//! The control API under `/_sandbox` (not part of any vendor's surface), for tests,
//! benchmarks and the demo. It is unauthenticated: the sandbox is a local tool.
//!
//! - `GET    /_sandbox/accounts`
//! - `PUT    /_sandbox/zendesk/{subdomain}` (body: account config) creates or reseeds
//! - `GET    /_sandbox/zendesk/{subdomain}/credentials`
//! - `GET    /_sandbox/zendesk/{subdomain}/counters`
//! - `PUT    /_sandbox/zendesk/{subdomain}/rate_limit` `{"per_minute": 10}`
//! - `PUT    /_sandbox/zendesk/{subdomain}/token_access` `{"enabled": false}`
//! - `PUT    /_sandbox/zendesk/{subdomain}/faults` (body: fault config); `DELETE` clears
//! - `POST   /_sandbox/zendesk/{subdomain}/redirect_uris` `{"uri": "http://…"}`

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use http::StatusCode;
use secrecy::ExposeSecret as _;
use serde::Deserialize;
use serde_json::json;

use crate::config::ZendeskAccountConfig;
use crate::fault::FaultConfig;
use crate::sandbox::{Sandbox, SandboxError};

pub(crate) fn router(sandbox: Sandbox) -> Router {
    Router::new()
        .route("/accounts", get(list_accounts))
        .route("/zendesk/{subdomain}", put(reset_account))
        .route("/zendesk/{subdomain}/credentials", get(show_credentials))
        .route("/zendesk/{subdomain}/counters", get(show_counters))
        .route("/zendesk/{subdomain}/rate_limit", put(set_rate_limit))
        .route("/zendesk/{subdomain}/token_access", put(set_token_access))
        .route(
            "/zendesk/{subdomain}/faults",
            put(set_faults).delete(clear_faults),
        )
        .route("/zendesk/{subdomain}/redirect_uris", post(add_redirect_uri))
        .with_state(sandbox)
}

struct ControlError(SandboxError);

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let status = match self.0 {
            SandboxError::UnknownAccount(_) => StatusCode::NOT_FOUND,
            SandboxError::InvalidConfig(_) => StatusCode::BAD_REQUEST,
        };
        (status, Json(json!({"error": self.0.to_string()}))).into_response()
    }
}

impl From<SandboxError> for ControlError {
    fn from(e: SandboxError) -> Self {
        Self(e)
    }
}

async fn list_accounts(State(sandbox): State<Sandbox>) -> Json<serde_json::Value> {
    let accounts: Vec<_> = sandbox
        .zendesk_subdomains()
        .into_iter()
        .filter_map(|s| sandbox.zendesk_config(&s))
        .map(|c| json!({"subdomain": c.subdomain, "tickets": c.tickets, "seed": c.seed, "rate_limit_per_minute": c.rate_limit_per_minute, "path": format!("/zendesk/{}", c.subdomain)}))
        .collect();
    Json(json!({"zendesk": accounts}))
}

async fn reset_account(
    State(sandbox): State<Sandbox>,
    Path(subdomain): Path<String>,
    Json(mut config): Json<ZendeskAccountConfig>,
) -> Result<StatusCode, ControlError> {
    config.subdomain = subdomain;
    sandbox.reset_zendesk_account(config)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn show_credentials(
    State(sandbox): State<Sandbox>,
    Path(subdomain): Path<String>,
) -> Result<Json<serde_json::Value>, ControlError> {
    let c = sandbox
        .zendesk_credentials(&subdomain)
        .ok_or(SandboxError::UnknownAccount(subdomain))?;
    // The sandbox's own fake credentials; handing them out is this endpoint's purpose.
    Ok(Json(json!({
        "subdomain": c.subdomain,
        "admin": {"email": c.admin_email, "id": c.admin_user_id},
        "agent": {"email": c.agent_email, "id": c.agent_user_id},
        "end_user": {"email": c.end_user_email, "id": c.end_user_id},
        "api_token": c.api_token.expose_secret(),
        "oauth_client": {"id": c.oauth_client_id, "secret": c.oauth_client_secret.expose_secret(), "redirect_uris": c.oauth_redirect_uris},
    })))
}

async fn show_counters(
    State(sandbox): State<Sandbox>,
    Path(subdomain): Path<String>,
) -> Result<Json<crate::ZendeskCounters>, ControlError> {
    Ok(Json(
        sandbox
            .zendesk_counters(&subdomain)
            .ok_or(SandboxError::UnknownAccount(subdomain))?,
    ))
}

#[derive(Deserialize)]
struct RateLimit {
    per_minute: u32,
}

async fn set_rate_limit(
    State(sandbox): State<Sandbox>,
    Path(subdomain): Path<String>,
    Json(body): Json<RateLimit>,
) -> Result<StatusCode, ControlError> {
    sandbox.set_zendesk_rate_limit(&subdomain, body.per_minute)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct TokenAccess {
    enabled: bool,
}

async fn set_token_access(
    State(sandbox): State<Sandbox>,
    Path(subdomain): Path<String>,
    Json(body): Json<TokenAccess>,
) -> Result<StatusCode, ControlError> {
    sandbox.set_zendesk_token_access(&subdomain, body.enabled)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_faults(
    State(sandbox): State<Sandbox>,
    Path(subdomain): Path<String>,
    Json(body): Json<FaultConfig>,
) -> Result<StatusCode, ControlError> {
    sandbox.set_zendesk_faults(&subdomain, body)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_faults(
    State(sandbox): State<Sandbox>,
    Path(subdomain): Path<String>,
) -> Result<StatusCode, ControlError> {
    sandbox.set_zendesk_faults(&subdomain, FaultConfig::default())?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct RedirectUri {
    uri: String,
}

async fn add_redirect_uri(
    State(sandbox): State<Sandbox>,
    Path(subdomain): Path<String>,
    Json(body): Json<RedirectUri>,
) -> Result<StatusCode, ControlError> {
    sandbox.add_zendesk_redirect_uri(&subdomain, &body.uri)?;
    Ok(StatusCode::NO_CONTENT)
}
