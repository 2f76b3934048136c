//! The Zendesk part of the control API, under `/_sandbox/zendesk/{subdomain}`.

use axum::extract::{Path, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use http::StatusCode;
use secrecy::ExposeSecret as _;
use serde::Deserialize;
use serde_json::json;

use super::ControlError;
use crate::config::ZendeskAccountConfig;
use crate::fault::FaultConfig;
use crate::sandbox::{Sandbox, SandboxError};
use crate::zendesk::consent::ConsentDecision;

pub(super) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/zendesk/{subdomain}", put(reset_account))
        .route("/zendesk/{subdomain}/credentials", get(show_credentials))
        .route("/zendesk/{subdomain}/counters", get(show_counters))
        .route("/zendesk/{subdomain}/rate_limit", put(set_rate_limit))
        .route("/zendesk/{subdomain}/token_access", put(set_token_access))
        .route("/zendesk/{subdomain}/me_role", put(set_me_role))
        .route(
            "/zendesk/{subdomain}/faults",
            put(set_faults).delete(clear_faults),
        )
        .route("/zendesk/{subdomain}/redirect_uris", post(add_redirect_uri))
        .route("/zendesk/{subdomain}/consent", post(decide_consent))
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
        "account_id": c.account_id,
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

/// `{"per_minute": n}` changes the account-wide limit, `{"incremental_export_per_minute":
/// n}` the exports' cap; either or both.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RateLimit {
    per_minute: Option<u32>,
    incremental_export_per_minute: Option<u32>,
}

async fn set_rate_limit(
    State(sandbox): State<Sandbox>,
    Path(subdomain): Path<String>,
    Json(body): Json<RateLimit>,
) -> Result<StatusCode, ControlError> {
    if let Some(per_minute) = body.per_minute {
        sandbox.set_zendesk_rate_limit(&subdomain, per_minute)?;
    }
    if let Some(per_minute) = body.incremental_export_per_minute {
        sandbox.set_zendesk_incremental_export_limit(&subdomain, per_minute)?;
    }
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

/// `{"shown": false}`: `/users/me` answers `role: null`; `{"shown": true}` the role again.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeRole {
    shown: bool,
}

async fn set_me_role(
    State(sandbox): State<Sandbox>,
    Path(subdomain): Path<String>,
    Json(body): Json<MeRole>,
) -> Result<StatusCode, ControlError> {
    sandbox.set_zendesk_me_without_role(&subdomain, !body.shown)?;
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

#[derive(Deserialize)]
struct Consent {
    authorize_url: String,
    decision: ConsentDecision,
}

async fn decide_consent(
    State(sandbox): State<Sandbox>,
    Path(subdomain): Path<String>,
    Json(body): Json<Consent>,
) -> Result<Json<serde_json::Value>, ControlError> {
    let location = sandbox.zendesk_consent(&subdomain, &body.authorize_url, body.decision)?;
    Ok(Json(json!({ "location": location })))
}
