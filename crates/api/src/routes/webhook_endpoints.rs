//! `/v1/webhook-endpoints`: where a tenant's events are delivered, signed per the Standard
//! Webhooks specification; the signing secret is shown at creation and rotation only.

use crate::extract::ValidPath;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use deskgate_app::webhooks::{
    AttemptView, EndpointPatch, EndpointWithSecret, ListAttempts, NewEndpoint, PingOutcome,
    WebhookEndpoint,
};
use deskgate_core::{ConnectionId, EventType};
use secrecy::ExposeSecret;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::extract::{AuthTenant, ValidJson, ValidQuery};
use crate::problem::Problem;
use crate::routes::page::{self, ListResponse};
use crate::{ApiError, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_webhook_endpoints, create_webhook_endpoint))
        .routes(routes!(
            get_webhook_endpoint,
            update_webhook_endpoint,
            delete_webhook_endpoint
        ))
        .routes(routes!(rotate_webhook_secret))
        .routes(routes!(test_webhook_endpoint))
        .routes(routes!(list_webhook_attempts))
        .routes(routes!(resend_webhook))
        .routes(routes!(resend_webhooks))
}

/// A webhook endpoint. Its signing secret is never shown here.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WebhookEndpointView {
    id: Uuid,
    /// Where events are POSTed.
    #[schema(example = "https://app.example.com/hooks/deskgate")]
    url: String,
    description: Option<String>,
    /// The event types delivered; `null` for every type.
    event_types: Option<Vec<EventType>>,
    /// Only this connection's events; `null` for every connection's and the tenant's own
    /// (`webhook_endpoint.disabled`).
    connection_id: Option<ConnectionId>,
    /// A disabled endpoint gets no new deliveries; its pending ones wait.
    enabled: bool,
    /// Why it is disabled: it answered 410 Gone, every attempt failed for days, or it was
    /// disabled through the API.
    disabled_reason: Option<String>,
    /// After a rotation, the previous secret signs beside the new one until then.
    previous_secret_until: Option<DateTime<Utc>>,
    /// Since when every attempt failed; `null` after a success.
    failing_since: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<WebhookEndpoint> for WebhookEndpointView {
    fn from(e: WebhookEndpoint) -> Self {
        Self {
            id: e.id,
            url: e.url,
            description: e.description,
            event_types: e.event_types,
            connection_id: e.connection_id,
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            previous_secret_until: e.previous_secret_until,
            failing_since: e.failing_since,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// An endpoint with its signing secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WebhookEndpointWithSecret {
    #[serde(flatten)]
    endpoint: WebhookEndpointView,
    /// `whsec_` and base64: the HMAC key of every `v1` signature. Store it now; it cannot
    /// be read again.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    secret: String,
}

impl From<EndpointWithSecret> for WebhookEndpointWithSecret {
    fn from(e: EndpointWithSecret) -> Self {
        Self {
            secret: e.secret.expose_secret().to_owned(),
            endpoint: e.endpoint.into(),
        }
    }
}

/// A new endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateWebhookEndpoint {
    /// An `https` URL (loopback `http` only where the operator allows it), at most 2048
    /// characters; its host must resolve to a public address.
    #[schema(example = "https://app.example.com/hooks/deskgate")]
    url: String,
    /// 1 to 200 printable characters.
    #[serde(default)]
    description: Option<String>,
    /// The event types to deliver, at least one; omit (or `null`) for every type.
    #[serde(default)]
    #[schema(min_items = 1)]
    event_types: Option<Vec<EventType>>,
    /// Only this connection's events.
    #[serde(default)]
    connection_id: Option<String>,
    /// `true` when omitted.
    #[serde(default)]
    enabled: Option<bool>,
}

/// A change: omitted fields stay as they are; `null` clears `description`,
/// `connection_id`, and makes `event_types` every type.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateWebhookEndpoint {
    #[serde(default)]
    url: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<EventType>>, nullable, min_items = 1)]
    event_types: Option<Option<Vec<EventType>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    connection_id: Option<Option<String>>,
    /// `true` resumes a disabled endpoint: its pending deliveries are sent at once.
    #[serde(default)]
    enabled: Option<bool>,
}

/// A field that is present (`Some`), whether `null` (`Some(None)`) or not; absent fields
/// are `None` by `#[serde(default)]`.
fn nullable<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct AttemptParams {
    /// From a previous page's `next_cursor`.
    cursor: Option<String>,
    /// 1 to 100; 50 by default.
    limit: Option<u32>,
    /// Only the attempts to deliver this event (`evt_…`).
    event_id: Option<String>,
}

/// One attempt to deliver an event.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AttemptResponse {
    id: Uuid,
    /// The event sent: the `webhook-id` header.
    event_id: String,
    event_type: String,
    attempted_at: DateTime<Utc>,
    /// Whether the receiver answered 2xx.
    delivered: bool,
    /// The receiver's status; `null` when it did not answer.
    status_code: Option<u16>,
    duration_ms: u32,
    /// Why it failed: the start of the receiver's answer, or why there was none.
    error: Option<String>,
}

impl From<AttemptView> for AttemptResponse {
    fn from(a: AttemptView) -> Self {
        let status_code = a.status_code.and_then(|s| u16::try_from(s).ok());
        Self {
            id: a.id,
            event_id: a.event_id,
            event_type: a.event_type,
            attempted_at: a.attempted_at,
            delivered: status_code.is_some_and(|s| (200..300).contains(&s)),
            status_code,
            duration_ms: u32::try_from(a.duration_ms).unwrap_or(0),
            error: a.error,
        }
    }
}

/// How the test webhook went.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PingResponse {
    /// The `webhook-id` it was sent with.
    id: String,
    /// Whether the receiver answered 2xx.
    delivered: bool,
    status_code: Option<u16>,
    duration_ms: u64,
    error: Option<String>,
}

impl From<PingOutcome> for PingResponse {
    fn from(p: PingOutcome) -> Self {
        Self {
            id: p.id,
            delivered: p.delivered,
            status_code: p.status,
            duration_ms: u64::try_from(p.duration.as_millis()).unwrap_or(u64::MAX),
            error: p.error,
        }
    }
}

/// A time range of events to send again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResendRange {
    /// Events that occurred at or after this (RFC 3339).
    from: DateTime<Utc>,
    /// …and before this.
    to: DateTime<Utc>,
}

/// How many deliveries were scheduled.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Resent {
    scheduled: u64,
}

/// The tenant's webhook endpoints, oldest first.
#[utoipa::path(
    get,
    path = "/v1/webhook-endpoints",
    tag = "webhooks",
    params(ListParams),
    security(("api_key" = [])),
    responses(
        (status = 200, body = ListResponse<WebhookEndpointView>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_webhook_endpoints(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidQuery(params): ValidQuery<ListParams>,
) -> Result<Json<ListResponse<WebhookEndpointView>>, ApiError> {
    let limit = page::limit(params.limit)?;
    let mut endpoints = state
        .app
        .list_webhook_endpoints(auth.tenant, params.cursor.as_deref(), limit + 1)
        .await?;
    let next_cursor = page::next_cursor(&mut endpoints, limit, |e| e.id.to_string());
    Ok(Json(ListResponse {
        data: endpoints.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// Registers an endpoint. The answer holds its signing secret, this once.
#[utoipa::path(
    post,
    path = "/v1/webhook-endpoints",
    tag = "webhooks",
    request_body = CreateWebhookEndpoint,
    security(("api_key" = [])),
    responses(
        (status = 201, body = WebhookEndpointWithSecret),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_webhook_endpoint(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidJson(body): ValidJson<CreateWebhookEndpoint>,
) -> Result<(StatusCode, Json<WebhookEndpointWithSecret>), ApiError> {
    let input = NewEndpoint {
        url: body.url,
        description: body.description,
        event_types: body.event_types,
        connection_id: body.connection_id,
        enabled: body.enabled.unwrap_or(true),
    };
    let created = state
        .app
        .create_webhook_endpoint(auth.tenant, input, &auth.ctx)
        .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One endpoint.
#[utoipa::path(
    get,
    path = "/v1/webhook-endpoints/{id}",
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = WebhookEndpointView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_webhook_endpoint(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
) -> Result<Json<WebhookEndpointView>, ApiError> {
    Ok(Json(
        state.app.webhook_endpoint(auth.tenant, &id).await?.into(),
    ))
}

/// Changes an endpoint. `"enabled": true` resumes a disabled one (its pending deliveries are
/// sent at once; events recorded while it was disabled can be sent with a resend).
#[utoipa::path(
    patch,
    path = "/v1/webhook-endpoints/{id}",
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    request_body = UpdateWebhookEndpoint,
    security(("api_key" = [])),
    responses(
        (status = 200, body = WebhookEndpointView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn update_webhook_endpoint(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
    ValidJson(body): ValidJson<UpdateWebhookEndpoint>,
) -> Result<Json<WebhookEndpointView>, ApiError> {
    let patch = EndpointPatch {
        url: body.url,
        description: body.description,
        event_types: body.event_types,
        connection_id: body.connection_id,
        enabled: body.enabled,
    };
    let endpoint = state
        .app
        .update_webhook_endpoint(auth.tenant, &id, patch, &auth.ctx)
        .await?;
    Ok(Json(endpoint.into()))
}

/// Deletes an endpoint with its secret, pending deliveries and attempts.
#[utoipa::path(
    delete,
    path = "/v1/webhook-endpoints/{id}",
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    security(("api_key" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn delete_webhook_endpoint(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_webhook_endpoint(auth.tenant, &id, &auth.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives the endpoint a new signing secret, in the answer this once. For 24 hours every
/// webhook carries a second `v1` signature made with the previous secret, so a receiver can
/// switch without losing one.
#[utoipa::path(
    post,
    path = "/v1/webhook-endpoints/{id}/rotate-secret",
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = WebhookEndpointWithSecret),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn rotate_webhook_secret(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
) -> Result<Json<WebhookEndpointWithSecret>, ApiError> {
    let rotated = state
        .app
        .rotate_webhook_secret(auth.tenant, &id, &auth.ctx)
        .await?;
    Ok(Json(rotated.into()))
}

/// Sends a signed `ping` webhook (`{"type":"ping","timestamp":…,"data":{"endpoint_id":…}}`)
/// now and answers how the receiver took it. Not retried, not in the event log; a disabled
/// endpoint can be tested too.
#[utoipa::path(
    post,
    path = "/v1/webhook-endpoints/{id}/test",
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = PingResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn test_webhook_endpoint(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
) -> Result<Json<PingResponse>, ApiError> {
    Ok(Json(
        state
            .app
            .ping_webhook_endpoint(auth.tenant, &id)
            .await?
            .into(),
    ))
}

/// The endpoint's delivery attempts, newest first.
#[utoipa::path(
    get,
    path = "/v1/webhook-endpoints/{id}/attempts",
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's id"), AttemptParams),
    security(("api_key" = [])),
    responses(
        (status = 200, body = ListResponse<AttemptResponse>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_webhook_attempts(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
    ValidQuery(params): ValidQuery<AttemptParams>,
) -> Result<Json<ListResponse<AttemptResponse>>, ApiError> {
    let limit = page::limit(params.limit)?;
    let query = ListAttempts {
        cursor: params.cursor,
        event_id: params.event_id,
        limit: limit + 1,
    };
    let mut attempts = state
        .app
        .list_webhook_attempts(auth.tenant, &id, &query)
        .await?;
    let next_cursor = page::next_cursor(&mut attempts, limit, |a| a.id.to_string());
    Ok(Json(ListResponse {
        data: attempts.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// Sends one event to the endpoint again, from its first attempt (whether it was
/// delivered, failed, pending or never sent to this endpoint).
#[utoipa::path(
    post,
    path = "/v1/webhook-endpoints/{id}/deliveries/{event_id}/resend",
    tag = "webhooks",
    params(
        ("id" = Uuid, Path, description = "The endpoint's id"),
        ("event_id" = String, Path, description = "The event's id, `evt_…`"),
    ),
    security(("api_key" = [])),
    responses(
        (status = 202, body = Resent),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn resend_webhook(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath((id, event_id)): ValidPath<(String, String)>,
) -> Result<(StatusCode, Json<Resent>), ApiError> {
    state
        .app
        .resend_webhook(auth.tenant, &id, &event_id)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(Resent { scheduled: 1 })))
}

/// Sends again every event that occurred in `[from, to)` and that the endpoint takes,
/// including those recorded before it existed or while it was disabled.
#[utoipa::path(
    post,
    path = "/v1/webhook-endpoints/{id}/resend",
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    request_body = ResendRange,
    security(("api_key" = [])),
    responses(
        (status = 202, body = Resent),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn resend_webhooks(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
    ValidJson(body): ValidJson<ResendRange>,
) -> Result<(StatusCode, Json<Resent>), ApiError> {
    let scheduled = state
        .app
        .resend_webhooks(auth.tenant, &id, body.from, body.to)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(Resent { scheduled })))
}
