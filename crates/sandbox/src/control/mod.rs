//! The control API under `/_sandbox` (not part of any vendor's surface), for tests,
//! benchmarks and the demo. It is unauthenticated: the sandbox is a local tool.
//!
//! - `GET    /_sandbox/accounts` (every vendor)
//! - `PUT    /_sandbox/zendesk/{subdomain}` (body: account config) creates or reseeds
//! - `GET    /_sandbox/zendesk/{subdomain}/credentials`
//! - `GET    /_sandbox/zendesk/{subdomain}/counters`
//! - `PUT    /_sandbox/zendesk/{subdomain}/rate_limit` `{"per_minute": 10}` and/or
//!   `{"incremental_export_per_minute": 100}`
//! - `PUT    /_sandbox/zendesk/{subdomain}/token_access` `{"enabled": false}`
//! - `PUT    /_sandbox/zendesk/{subdomain}/faults` (body: fault config); `DELETE` clears
//! - `POST   /_sandbox/zendesk/{subdomain}/redirect_uris` `{"uri": "http://…"}`
//! - `POST   /_sandbox/zendesk/{subdomain}/consent`
//!   `{"authorize_url": "…", "decision": "approve"|"deny"}` → `{"location": "…"}`
//! - `PUT    /_sandbox/freshdesk/{domain}` (body: account config) creates or reseeds
//! - `GET    /_sandbox/freshdesk/{domain}/credentials`
//! - `GET    /_sandbox/freshdesk/{domain}/counters`
//! - `PUT    /_sandbox/freshdesk/{domain}/rate_limit` `{"per_minute": 10}`, or every limit
//!   `{"per_minute": 200, "tickets_list": 20, ...}`
//! - `PUT    /_sandbox/freshdesk/{domain}/faults` (body: fault config); `DELETE` clears
//! - `PUT    /_sandbox/intercom/{name}` (body: workspace config) creates or reseeds
//! - `GET    /_sandbox/intercom/{name}/credentials`
//! - `GET    /_sandbox/intercom/{name}/counters`
//! - `PUT    /_sandbox/intercom/{name}/rate_limit` `{"per_10s": 10}`
//! - `PUT    /_sandbox/intercom/{name}/permissions` `{"revoked": ["read_tickets"]}`
//! - `POST   /_sandbox/intercom/{name}/redirect_uris` `{"uri": "http://…"}`
//! - `PUT    /_sandbox/intercom/{name}/faults` (body: fault config); `DELETE` clears
//! - `POST   /_sandbox/intercom/consent`
//!   `{"authorize_url": "…", "decision": "approve"|"deny"}` → `{"location": "…"}`
//! - `PUT    /_sandbox/intercom/{name}/webhook` `{"url", "topics": [...], "app"?}` sets an
//!   app's webhook; `GET` shows both apps'; `DELETE ?app=` removes one
//! - `POST   /_sandbox/intercom/{name}/webhook/ping` `{"app"?}` sends a `ping`
//! - `POST   /_sandbox/freshdesk/{domain}/automations`
//!   `{"url", "events": [...], "headers": {...}, "body"?}` → 201 the rule; `GET` lists;
//!   `DELETE /_sandbox/freshdesk/{domain}/automations/{id}`
//! - `GET    /_sandbox/webhook_deliveries?vendor=&account=` → `{"in_flight", "deliveries"}`;
//!   `DELETE` forgets them
//! - `PUT    /_sandbox/webhook_retry_delays` `{"delays_ms": [500, 1000, 2000]}`; `GET`

mod freshdesk;
mod intercom;
mod webhooks;
mod zendesk;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::StatusCode;
use serde_json::json;

use crate::sandbox::{Sandbox, SandboxError};

pub(crate) fn router(sandbox: Sandbox) -> Router {
    Router::new()
        .route("/accounts", get(list_accounts))
        .merge(zendesk::router())
        .merge(freshdesk::router())
        .merge(intercom::router())
        .merge(webhooks::router())
        .with_state(sandbox)
}

struct ControlError(SandboxError);

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let status = match self.0 {
            SandboxError::UnknownAccount(_) | SandboxError::NotFound(_) => StatusCode::NOT_FOUND,
            SandboxError::InvalidConfig(_) | SandboxError::AuthorizeRefused(_) => {
                StatusCode::BAD_REQUEST
            }
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
    let zendesk: Vec<_> = sandbox
        .zendesk_subdomains()
        .into_iter()
        .filter_map(|s| sandbox.zendesk_config(&s))
        .map(|c| json!({"subdomain": c.subdomain, "tickets": c.tickets, "seed": c.seed, "rate_limit_per_minute": c.rate_limit_per_minute, "incremental_export_per_minute": c.incremental_export_per_minute, "path": format!("/zendesk/{}", c.subdomain)}))
        .collect();
    let freshdesk: Vec<_> = sandbox
        .freshdesk_domains()
        .into_iter()
        .filter_map(|d| sandbox.freshdesk_config(&d))
        .map(|c| json!({"domain": c.domain, "tickets": c.tickets, "seed": c.seed, "rate_limits": c.rate_limits, "path": format!("/freshdesk/{}", c.domain)}))
        .collect();
    let intercom: Vec<_> = sandbox
        .intercom_workspaces()
        .into_iter()
        .filter_map(|n| sandbox.intercom_config(&n))
        .map(|c| json!({"name": c.name, "region": c.region, "tickets": c.tickets, "conversations": c.conversations, "seed": c.seed, "rate_limit_per_10s": c.rate_limit_per_10s, "path": format!("/intercom/{}", c.region.as_str()), "api_host": c.region.api_host()}))
        .collect();
    Json(json!({"zendesk": zendesk, "freshdesk": freshdesk, "intercom": intercom}))
}
