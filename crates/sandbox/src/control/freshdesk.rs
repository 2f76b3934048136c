//! The Freshdesk part of the control API, under `/_sandbox/freshdesk/{domain}`, with the
//! automation rules that trigger webhooks (Freshdesk's admin pages, which have no API).

use axum::extract::{Path, State};
use axum::routing::{delete, get, put};
use axum::{Json, Router};
use http::StatusCode;
use secrecy::ExposeSecret as _;
use serde::Deserialize;
use serde_json::json;

use super::ControlError;
use crate::config::{FreshdeskAccountConfig, FreshdeskRateLimits};
use crate::fault::FaultConfig;
use crate::freshdesk::automations::FreshdeskAutomation;
use crate::sandbox::{Sandbox, SandboxError};

pub(super) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/freshdesk/{domain}", put(reset_account))
        .route("/freshdesk/{domain}/credentials", get(show_credentials))
        .route("/freshdesk/{domain}/counters", get(show_counters))
        .route("/freshdesk/{domain}/rate_limit", put(set_rate_limit))
        .route(
            "/freshdesk/{domain}/faults",
            put(set_faults).delete(clear_faults),
        )
        .route(
            "/freshdesk/{domain}/automations",
            get(list_automations).post(add_automation),
        )
        .route(
            "/freshdesk/{domain}/automations/{id}",
            delete(remove_automation),
        )
}

fn automation(id: u64, rule: &FreshdeskAutomation) -> serde_json::Value {
    json!({"id": id, "url": rule.url, "events": rule.events, "headers": rule.headers, "body": rule.body})
}

async fn add_automation(
    State(sandbox): State<Sandbox>,
    Path(domain): Path<String>,
    Json(rule): Json<FreshdeskAutomation>,
) -> Result<(StatusCode, Json<serde_json::Value>), ControlError> {
    let id = sandbox.add_freshdesk_automation(&domain, rule.clone())?;
    Ok((StatusCode::CREATED, Json(automation(id, &rule))))
}

async fn list_automations(
    State(sandbox): State<Sandbox>,
    Path(domain): Path<String>,
) -> Result<Json<serde_json::Value>, ControlError> {
    let rules: Vec<_> = sandbox
        .freshdesk_automations(&domain)?
        .into_iter()
        .map(|(id, rule)| automation(id, &rule))
        .collect();
    Ok(Json(json!({ "automations": rules })))
}

async fn remove_automation(
    State(sandbox): State<Sandbox>,
    Path((domain, id)): Path<(String, u64)>,
) -> Result<StatusCode, ControlError> {
    sandbox.remove_freshdesk_automation(&domain, id)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn reset_account(
    State(sandbox): State<Sandbox>,
    Path(domain): Path<String>,
    Json(mut config): Json<FreshdeskAccountConfig>,
) -> Result<StatusCode, ControlError> {
    config.domain = domain;
    sandbox.reset_freshdesk_account(config)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn show_credentials(
    State(sandbox): State<Sandbox>,
    Path(domain): Path<String>,
) -> Result<Json<serde_json::Value>, ControlError> {
    let c = sandbox
        .freshdesk_credentials(&domain)
        .ok_or(SandboxError::UnknownAccount(domain))?;
    // The sandbox's own fake keys; handing them out is this endpoint's purpose.
    Ok(Json(json!({
        "domain": c.domain,
        "admin": {"id": c.admin_agent_id, "email": c.admin_email, "api_key": c.admin_api_key.expose_secret()},
        "restricted_agent": {"id": c.restricted_agent_id, "email": c.restricted_email, "api_key": c.restricted_api_key.expose_secret()},
        "contact": {"id": c.contact_id, "email": c.contact_email},
        "group_id": c.group_id,
        "company_id": c.company_id,
    })))
}

async fn show_counters(
    State(sandbox): State<Sandbox>,
    Path(domain): Path<String>,
) -> Result<Json<crate::FreshdeskCounters>, ControlError> {
    Ok(Json(
        sandbox
            .freshdesk_counters(&domain)
            .ok_or(SandboxError::UnknownAccount(domain))?,
    ))
}

/// `{"per_minute": n}` alone changes the total; any cap named changes that cap too.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Limits {
    per_minute: Option<u32>,
    tickets_list: Option<u32>,
    contacts_list: Option<u32>,
    ticket_create: Option<u32>,
    ticket_update: Option<u32>,
}

async fn set_rate_limit(
    State(sandbox): State<Sandbox>,
    Path(domain): Path<String>,
    Json(body): Json<Limits>,
) -> Result<StatusCode, ControlError> {
    let current = sandbox
        .freshdesk_config(&domain)
        .ok_or_else(|| SandboxError::UnknownAccount(domain.clone()))?
        .rate_limits;
    let limits = FreshdeskRateLimits {
        per_minute: body.per_minute.unwrap_or(current.per_minute),
        tickets_list: body.tickets_list.unwrap_or(current.tickets_list),
        contacts_list: body.contacts_list.unwrap_or(current.contacts_list),
        ticket_create: body.ticket_create.unwrap_or(current.ticket_create),
        ticket_update: body.ticket_update.unwrap_or(current.ticket_update),
    };
    sandbox.set_freshdesk_rate_limits(&domain, limits)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_faults(
    State(sandbox): State<Sandbox>,
    Path(domain): Path<String>,
    Json(body): Json<FaultConfig>,
) -> Result<StatusCode, ControlError> {
    sandbox.set_freshdesk_faults(&domain, body)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_faults(
    State(sandbox): State<Sandbox>,
    Path(domain): Path<String>,
) -> Result<StatusCode, ControlError> {
    sandbox.set_freshdesk_faults(&domain, FaultConfig::default())?;
    Ok(StatusCode::NO_CONTENT)
}
