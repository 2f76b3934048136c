//! The Intercom part of the control API, under `/_sandbox/intercom/{name}`.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use http::StatusCode;
use secrecy::ExposeSecret as _;
use serde::Deserialize;
use serde_json::json;

use super::ControlError;
use crate::config::IntercomWorkspaceConfig;
use crate::consent_store::ConsentDecision;
use crate::fault::FaultConfig;
use crate::intercom::app_webhooks::{IntercomApp, IntercomWebhook};
use crate::sandbox::{Sandbox, SandboxError};

pub(super) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/intercom/consent", post(give_consent))
        .route("/intercom/{name}", put(reset_workspace))
        .route("/intercom/{name}/credentials", get(show_credentials))
        .route("/intercom/{name}/counters", get(show_counters))
        .route("/intercom/{name}/rate_limit", put(set_rate_limit))
        .route("/intercom/{name}/permissions", put(set_permissions))
        .route("/intercom/{name}/redirect_uris", post(add_redirect_uri))
        .route(
            "/intercom/{name}/faults",
            put(set_faults).delete(clear_faults),
        )
        .route(
            "/intercom/{name}/webhook",
            get(show_webhooks).put(set_webhook).delete(remove_webhook),
        )
        .route("/intercom/{name}/webhook/ping", post(ping_webhook))
}

/// `{"url", "topics", "app"?}`: the app's webhook, replacing its earlier one.
async fn set_webhook(
    State(sandbox): State<Sandbox>,
    Path(name): Path<String>,
    Json(webhook): Json<IntercomWebhook>,
) -> Result<Json<IntercomWebhook>, ControlError> {
    sandbox.set_intercom_webhook(&name, webhook.clone())?;
    Ok(Json(webhook))
}

async fn show_webhooks(
    State(sandbox): State<Sandbox>,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ControlError> {
    Ok(Json(json!({"webhooks": sandbox.intercom_webhooks(&name)?})))
}

/// `?app=oauth|private_app` (the OAuth app's when absent).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct App {
    #[serde(default)]
    app: IntercomApp,
}

async fn remove_webhook(
    State(sandbox): State<Sandbox>,
    Path(name): Path<String>,
    Query(which): Query<App>,
) -> Result<StatusCode, ControlError> {
    sandbox.remove_intercom_webhook(&name, which.app)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `{"app"?}` (an empty body is the OAuth app).
async fn ping_webhook(
    State(sandbox): State<Sandbox>,
    Path(name): Path<String>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ControlError> {
    let which: App = if body.is_empty() {
        App::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| SandboxError::InvalidConfig(format!("body: {e}")))?
    };
    sandbox.ping_intercom_webhook(&name, which.app)?;
    Ok(StatusCode::ACCEPTED)
}

async fn reset_workspace(
    State(sandbox): State<Sandbox>,
    Path(name): Path<String>,
    Json(mut config): Json<IntercomWorkspaceConfig>,
) -> Result<StatusCode, ControlError> {
    config.name = name;
    sandbox.reset_intercom_workspace(config)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn show_credentials(
    State(sandbox): State<Sandbox>,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ControlError> {
    let c = sandbox
        .intercom_credentials(&name)
        .ok_or(SandboxError::UnknownAccount(name))?;
    // The sandbox's own fake secrets; handing them out is this endpoint's purpose.
    Ok(Json(json!({
        "name": c.name,
        "region": c.region,
        "api_host": c.api_host,
        "workspace_id": c.workspace_id,
        "access_token": c.access_token.expose_secret(),
        "admin": {"id": c.admin_id, "email": c.admin_email},
        "oauth": {
            "client_id": c.oauth_client_id,
            "client_secret": c.oauth_client_secret.expose_secret(),
            "redirect_uris": c.redirect_uris,
        },
        "private_app": {
            "client_id": c.private_app_client_id,
            "client_secret": c.private_app_client_secret.expose_secret(),
        },
        "contact": {"id": c.contact_id, "email": c.contact_email},
        "team_id": c.team_id,
        "ticket_type_id": c.ticket_type_id,
        "tag_id": c.tag_id,
    })))
}

async fn show_counters(
    State(sandbox): State<Sandbox>,
    Path(name): Path<String>,
) -> Result<Json<crate::IntercomCounters>, ControlError> {
    Ok(Json(
        sandbox
            .intercom_counters(&name)
            .ok_or(SandboxError::UnknownAccount(name))?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Limit {
    per_10s: u32,
}

async fn set_rate_limit(
    State(sandbox): State<Sandbox>,
    Path(name): Path<String>,
    Json(body): Json<Limit>,
) -> Result<StatusCode, ControlError> {
    sandbox.set_intercom_rate_limit(&name, body.per_10s)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `{"revoked": ["read_tickets", ...]}`: the permissions every token of the workspace lacks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Permissions {
    revoked: Vec<String>,
}

async fn set_permissions(
    State(sandbox): State<Sandbox>,
    Path(name): Path<String>,
    Json(body): Json<Permissions>,
) -> Result<StatusCode, ControlError> {
    let scopes: Vec<&str> = body.revoked.iter().map(String::as_str).collect();
    sandbox.set_intercom_revoked_scopes(&name, &scopes)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedirectUri {
    uri: String,
}

async fn add_redirect_uri(
    State(sandbox): State<Sandbox>,
    Path(name): Path<String>,
    Json(body): Json<RedirectUri>,
) -> Result<StatusCode, ControlError> {
    sandbox.add_intercom_redirect_uri(&name, &body.uri)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Consent {
    authorize_url: String,
    decision: ConsentDecision,
}

/// The consent page's decision without a browser: `{"location": ...}`.
async fn give_consent(
    State(sandbox): State<Sandbox>,
    Json(body): Json<Consent>,
) -> Result<Json<serde_json::Value>, ControlError> {
    let location = sandbox.intercom_consent(&body.authorize_url, body.decision)?;
    Ok(Json(json!({"location": location})))
}

async fn set_faults(
    State(sandbox): State<Sandbox>,
    Path(name): Path<String>,
    Json(body): Json<FaultConfig>,
) -> Result<StatusCode, ControlError> {
    sandbox.set_intercom_faults(&name, body)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_faults(
    State(sandbox): State<Sandbox>,
    Path(name): Path<String>,
) -> Result<StatusCode, ControlError> {
    sandbox.set_intercom_faults(&name, FaultConfig::default())?;
    Ok(StatusCode::NO_CONTENT)
}
