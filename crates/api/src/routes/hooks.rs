//! `POST /hooks/{provider}/{token}`: vendor webhooks in. Verified by the provider (the
//! token names the connection; Zendesk and Intercom also sign), counted, answered at once;
//! an accepted one makes the connection's sync run now. The token is a secret: logs show
//! `/hooks/{provider}/{token}`.

use crate::extract::ValidPath;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use deskgate_app::events::hooks::HookOutcome;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::problem::Problem;
use crate::{ApiError, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(receive))
}

/// The path as logs may show it: a hook's token is a secret.
pub(crate) fn loggable_path(path: &str) -> Option<&'static str> {
    let rest = path.strip_prefix("/hooks/")?;
    let (provider, token) = rest.split_once('/')?;
    if token.is_empty() {
        return None;
    }
    Some(match provider {
        "zendesk" => "/hooks/zendesk/{token}",
        "freshdesk" => "/hooks/freshdesk/{token}",
        "intercom" => "/hooks/intercom/{token}",
        _ => "/hooks/{provider}/{token}",
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Accepted {
    status: &'static str,
}

/// A vendor's webhook for one connection (the URL from `POST /v1/connections/{id}/sync/hook`).
/// No API key: the token in the path and, for Zendesk and Intercom, the vendor's signature
/// are the proof. 202 when accepted (the connection's sync runs now); 401 when unsigned, badly
/// signed or stale; 404 for an unknown token.
#[utoipa::path(
    post,
    path = "/hooks/{provider}/{token}",
    tag = "events",
    params(
        ("provider" = String, Path, description = "`zendesk`, `freshdesk` or `intercom`"),
        ("token" = String, Path, description = "The hook URL's secret token"),
    ),
    request_body(content = String, description = "The vendor's notification, as it sends it", content_type = "application/json"),
    responses(
        (status = 202, body = Accepted),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn receive(
    State(state): State<AppState>,
    ValidPath((provider, token)): ValidPath<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let outcome = state
        .app
        .receive_hook(&provider, &token, &headers, &body)
        .await;
    let label = match &outcome {
        Ok(HookOutcome::Accepted) => "accepted",
        Ok(HookOutcome::Refused(refusal)) => refusal.as_str(),
        Err(_) => "unknown",
    };
    let provider_label = match provider.as_str() {
        p @ ("zendesk" | "freshdesk" | "intercom") => p,
        _ => "other",
    };
    state.metrics.count_hook(provider_label, label);
    match outcome? {
        HookOutcome::Accepted => Ok((StatusCode::ACCEPTED, Json(Accepted { status: "accepted" }))),
        HookOutcome::Refused(refusal) => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "hook_refused",
            "Webhook refused",
            format!("{refusal}; nothing was done"),
        )),
    }
}
