//! `/v1/connect/sessions`: links a tenant sends its customers to connect a helpdesk on the
//! hosted page, without writing any auth code.

use crate::extract::ValidPath;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use deskgate_app::connect::{
    ConnectSession, EndUser, ListSessions, NewConnectSession, SessionStatus,
};
use deskgate_core::ConnectionId;
use serde::{Deserialize, Serialize};
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
        .routes(routes!(create_session, list_sessions))
        .routes(routes!(get_session))
        .routes(routes!(revoke_session))
}

/// The tenant's customer a session is for.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EndUserBody {
    /// Your own id for the customer; becomes the connection's `external_ref` and comes back
    /// on the return URL as `end_user`.
    #[schema(min_length = 1, max_length = 200, example = "customer-42")]
    external_ref: String,
    #[schema(format = Email, max_length = 254)]
    #[serde(default)]
    email: Option<String>,
    /// Shown on the page.
    #[schema(min_length = 1, max_length = 200)]
    #[serde(default)]
    display_name: Option<String>,
}

/// What a session is for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateSession {
    end_user: EndUserBody,
    /// The providers the page offers, in this order; every provider when absent.
    #[schema(min_items = 1, example = json!(["zendesk", "freshdesk"]))]
    #[serde(default)]
    allowed_providers: Option<Vec<String>>,
    /// One of the tenant's registered return URLs (`PUT /v1/settings/return-urls`), exactly.
    #[schema(example = "https://app.example.com/helpdesk/connected")]
    return_url: String,
    /// Re-authorize this connection in place (it keeps its id) instead of creating one.
    #[serde(default)]
    connection_id: Option<ConnectionId>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum SessionState {
    Pending,
    Connected,
    Failed,
    Expired,
    Revoked,
}

impl From<SessionStatus> for SessionState {
    fn from(s: SessionStatus) -> Self {
        match s {
            SessionStatus::Pending => SessionState::Pending,
            SessionStatus::Connected => SessionState::Connected,
            SessionStatus::Failed => SessionState::Failed,
            SessionStatus::Expired => SessionState::Expired,
            SessionStatus::Revoked => SessionState::Revoked,
        }
    }
}

/// A connect session. Its link is shown only when it is created.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionView {
    id: Uuid,
    /// `pending`; `connected` (with `connection_id`); `failed` (the last attempt failed with
    /// `last_error`; the link still works until it expires); `expired`; `revoked`.
    status: SessionState,
    end_user: EndUserBody,
    allowed_providers: Vec<String>,
    return_url: String,
    /// The connection this session re-authorizes in place.
    reauthorizes: Option<ConnectionId>,
    /// The connection the session produced.
    connection_id: Option<ConnectionId>,
    /// `access_denied`, `connection_check_failed`, `authorization_failed`, …
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    completed_at: Option<DateTime<Utc>>,
}

impl From<ConnectSession> for SessionView {
    fn from(s: ConnectSession) -> Self {
        Self {
            id: s.id,
            status: s.status.into(),
            end_user: EndUserBody {
                external_ref: s.end_user.external_ref,
                email: s.end_user.email,
                display_name: s.end_user.display_name,
            },
            allowed_providers: s
                .allowed_providers
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            return_url: s.return_url,
            reauthorizes: s.reauthorizes,
            connection_id: s.connection_id,
            last_error: s.last_error,
            created_at: s.created_at,
            expires_at: s.expires_at,
            completed_at: s.completed_at,
        }
    }
}

/// A new session and its link.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CreatedSessionView {
    /// Send the customer here (a redirect, a popup with `/connect.js`, or an email). Works
    /// for 30 minutes, once: it is spent when it produces a connection.
    #[schema(example = "https://connect.example.com/connect/3q2-…")]
    connect_url: String,
    expires_at: DateTime<Utc>,
    session: SessionView,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// `pending`, `connected`, `failed`, `expired` or `revoked`.
    status: Option<String>,
    /// From a previous page's `next_cursor`.
    cursor: Option<String>,
    /// 1 to 100; 50 by default.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

fn session_id(raw: &str) -> Result<Uuid, ApiError> {
    deskgate_core::ids::canonical_uuid(raw).ok_or_else(|| ApiError::not_found("connect session"))
}

/// Opens a connect session for one of your customers and answers its link.
#[utoipa::path(
    post,
    path = "/v1/connect/sessions",
    tag = "connect",
    request_body = CreateSession,
    security(("api_key" = [])),
    responses(
        (status = 201, body = CreatedSessionView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_session(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidJson(body): ValidJson<CreateSession>,
) -> Result<(StatusCode, Json<CreatedSessionView>), ApiError> {
    let created = state
        .app
        .create_connect_session(
            auth.tenant,
            NewConnectSession {
                end_user: EndUser {
                    external_ref: body.end_user.external_ref,
                    email: body.end_user.email,
                    display_name: body.end_user.display_name,
                },
                allowed_providers: body.allowed_providers,
                return_url: body.return_url,
                connection_id: body.connection_id,
            },
            &auth.ctx,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedSessionView {
            connect_url: created.connect_url,
            expires_at: created.session.expires_at,
            session: created.session.into(),
        }),
    ))
}

/// Your connect sessions, newest first, with their outcome.
#[utoipa::path(
    get,
    path = "/v1/connect/sessions",
    tag = "connect",
    params(ListParams),
    security(("api_key" = [])),
    responses(
        (status = 200, body = ListResponse<SessionView>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_sessions(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidQuery(params): ValidQuery<ListParams>,
) -> Result<Json<ListResponse<SessionView>>, ApiError> {
    let limit = page::limit(params.limit)?;
    let before = match params.cursor.as_deref() {
        None => None,
        Some(raw) => Some(deskgate_core::ids::canonical_uuid(raw).ok_or_else(|| {
            ApiError::invalid_query(
                "cursor",
                "not a cursor this list issued: pass `next_cursor` unchanged",
            )
        })?),
    };
    let mut sessions = state
        .app
        .list_connect_sessions(
            auth.tenant,
            &ListSessions {
                status: params.status,
                before,
                limit: limit + 1,
            },
        )
        .await?;
    let next_cursor = page::next_cursor(&mut sessions, limit, |s| s.id.to_string());
    Ok(Json(ListResponse {
        data: sessions.into_iter().map(SessionView::from).collect(),
        next_cursor,
    }))
}

/// One connect session and its outcome.
#[utoipa::path(
    get,
    path = "/v1/connect/sessions/{id}",
    tag = "connect",
    params(("id" = String, Path, description = "The session's id")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = SessionView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_session(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
) -> Result<Json<SessionView>, ApiError> {
    let session = state
        .app
        .connect_session(auth.tenant, session_id(&id)?)
        .await?;
    Ok(Json(session.into()))
}

/// Revokes a session: its link stops working at once. A session that produced a connection
/// cannot be revoked (delete the connection instead); revoking twice changes nothing.
#[utoipa::path(
    post,
    path = "/v1/connect/sessions/{id}/revoke",
    tag = "connect",
    params(("id" = String, Path, description = "The session's id")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = SessionView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn revoke_session(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
) -> Result<Json<SessionView>, ApiError> {
    let session = state
        .app
        .revoke_connect_session(auth.tenant, session_id(&id)?, &auth.ctx)
        .await?;
    Ok(Json(session.into()))
}
