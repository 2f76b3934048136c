//! The sandbox-wide part of the control API about the webhooks the vendors send:
//! `GET /_sandbox/webhook_deliveries?vendor=&account=` (what was sent, every attempt and
//! its outcome, oldest first), `DELETE /_sandbox/webhook_deliveries`, and the retry delays
//! every vendor uses in place of its own schedule (`GET`/`PUT
//! /_sandbox/webhook_retry_delays` `{"delays_ms": [500, 1000, 2000]}`).

use std::time::Duration;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::ControlError;
use crate::sandbox::Sandbox;

pub(super) fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/webhook_deliveries",
            get(list_deliveries).delete(clear_deliveries),
        )
        .route(
            "/webhook_retry_delays",
            get(show_retry_delays).put(set_retry_delays),
        )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Filter {
    vendor: Option<String>,
    account: Option<String>,
}

async fn list_deliveries(
    State(sandbox): State<Sandbox>,
    Query(filter): Query<Filter>,
) -> Json<Value> {
    let deliveries =
        sandbox.webhook_deliveries(filter.vendor.as_deref(), filter.account.as_deref());
    Json(json!({
        "in_flight": sandbox.webhooks_in_flight(),
        "deliveries": deliveries,
    }))
}

async fn clear_deliveries(State(sandbox): State<Sandbox>) -> StatusCode {
    sandbox.clear_webhook_deliveries();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetryDelays {
    delays_ms: Vec<u64>,
}

async fn show_retry_delays(State(sandbox): State<Sandbox>) -> Json<Value> {
    let delays: Vec<u128> = sandbox
        .webhook_retry_delays()
        .iter()
        .map(Duration::as_millis)
        .collect();
    Json(json!({ "delays_ms": delays }))
}

async fn set_retry_delays(
    State(sandbox): State<Sandbox>,
    Json(body): Json<RetryDelays>,
) -> Result<StatusCode, ControlError> {
    let delays: Vec<Duration> = body
        .delays_ms
        .into_iter()
        .map(Duration::from_millis)
        .collect();
    sandbox.set_webhook_retry_delays(&delays)?;
    Ok(StatusCode::NO_CONTENT)
}
