//! `/v1/connections`: connect a helpdesk account, list, read, delete, and check health.

use crate::extract::ValidPath;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use deskgate_app::connections::{
    BudgetHealth, ConnectRequest, Connection, ConnectionHealth, ConnectionStatus, ListConnections,
};
use deskgate_core::{AuthMode, ConnectionId, Provider};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{AuthTenant, ValidJson, ValidQuery};
use crate::problem::Problem;
use crate::routes::connect_schema::{CreateConnection, ReplaceCredentials};
use crate::routes::page::{self, ListResponse};
use crate::{ApiError, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_connections, create_connection))
        .routes(routes!(get_connection, delete_connection))
        .routes(routes!(connection_health))
        .routes(routes!(replace_credentials))
}

/// Parses a connection id from a path; one that cannot exist is simply not found.
pub(crate) fn connection_id(raw: &str) -> Result<ConnectionId, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("connection"))
}

/// A connected helpdesk account. Credentials are never shown.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ConnectionView {
    id: ConnectionId,
    provider: Provider,
    /// The vendor account: a Zendesk subdomain, a Freshdesk domain.
    account_label: String,
    auth_kind: AuthMode,
    /// `active`, or `needs_reauth` when the vendor stopped accepting the credentials.
    status: ConnectionStatus,
    status_detail: Option<String>,
    /// Your own id for the customer who owns the account.
    external_ref: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// When the current access token expires; deskgate renews it before then.
    token_expires_at: Option<DateTime<Utc>>,
    /// The day the credentials stop working whatever deskgate does (Zendesk API tokens:
    /// 2027-04-30); reconnect with OAuth before then.
    deprecated_after: Option<NaiveDate>,
}

impl From<Connection> for ConnectionView {
    fn from(c: Connection) -> Self {
        let deprecated_after = c.deprecation().map(|d| d.after);
        Self {
            id: c.id,
            provider: c.provider,
            account_label: c.account_label,
            auth_kind: c.auth_kind,
            status: c.status,
            status_detail: c.status_detail,
            external_ref: c.external_ref,
            created_at: c.created_at,
            updated_at: c.updated_at,
            token_expires_at: c.token_expires_at,
            deprecated_after,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    provider: Option<Provider>,
    status: Option<ConnectionStatus>,
    external_ref: Option<String>,
    /// From a previous page's `next_cursor`.
    cursor: Option<String>,
    /// 1 to 100; 50 by default.
    limit: Option<u32>,
}

/// The tenant's connections, oldest first.
#[utoipa::path(
    get,
    path = "/v1/connections",
    tag = "connections",
    params(ListParams),
    security(("api_key" = [])),
    responses(
        (status = 200, body = ListResponse<ConnectionView>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_connections(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidQuery(params): ValidQuery<ListParams>,
) -> Result<Json<ListResponse<ConnectionView>>, ApiError> {
    let limit = page::limit(params.limit)?;
    let after = params
        .cursor
        .as_deref()
        .map(|c| c.parse::<ConnectionId>())
        .transpose()
        .map_err(|_| {
            ApiError::invalid_query(
                "cursor",
                "pass `next_cursor` from the previous page unchanged",
            )
        })?;
    let query = ListConnections {
        provider: params.provider,
        status: params.status,
        external_ref: params.external_ref,
        after,
        limit: limit + 1,
    };
    let mut rows = state.app.list_connections(auth.tenant, &query).await?;
    let next_cursor = page::next_cursor(&mut rows, limit, |c| c.id.to_string());
    Ok(Json(ListResponse {
        data: rows.into_iter().map(ConnectionView::from).collect(),
        next_cursor,
    }))
}

/// Connects a helpdesk account. The credentials are checked with the helpdesk first: a
/// failed check stores nothing and answers 422 with a diagnosis.
#[utoipa::path(
    post,
    path = "/v1/connections",
    tag = "connections",
    request_body = CreateConnection,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for 24 hours")),
    security(("api_key" = [])),
    responses(
        (status = 201, body = ConnectionView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input, or the helpdesk refused the credentials (`connection_check_failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
        (status = 502, body = Problem, content_type = "application/problem+json"),
        (status = 504, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_connection(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidJson(body): ValidJson<Map<String, Value>>,
) -> Result<(StatusCode, Json<ConnectionView>), ApiError> {
    let request = ConnectRequest::from_body(body)?;
    let connection = state.app.connect(auth.tenant, request, &auth.ctx).await?;
    Ok((StatusCode::CREATED, Json(connection.into())))
}

/// One connection.
#[utoipa::path(
    get,
    path = "/v1/connections/{id}",
    tag = "connections",
    params(("id" = String, Path, description = "The connection's id")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = ConnectionView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_connection(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
) -> Result<Json<ConnectionView>, ApiError> {
    let connection = state
        .app
        .connection(auth.tenant, connection_id(&id)?)
        .await?;
    Ok(Json(connection.into()))
}

/// Disconnects: revokes the token at the helpdesk where it allows, then deletes the
/// connection and destroys its credentials.
#[utoipa::path(
    delete,
    path = "/v1/connections/{id}",
    tag = "connections",
    params(("id" = String, Path, description = "The connection's id")),
    security(("api_key" = [])),
    responses(
        (status = 204, description = "Deleted; its credentials are destroyed"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn delete_connection(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .disconnect(auth.tenant, connection_id(&id)?, &auth.ctx)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives the connection new credentials and keeps its id: to recover from `needs_reauth`,
/// or to move a Zendesk connection from an API token to an OAuth client before API tokens
/// stop working. The credentials are checked with the helpdesk first: a failed check changes
/// nothing and answers 422 with a diagnosis. On success the connection is `active` again.
#[utoipa::path(
    put,
    path = "/v1/connections/{id}/credentials",
    tag = "connections",
    request_body = ReplaceCredentials,
    params(("id" = String, Path, description = "The connection's id")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = ConnectionView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input, or the helpdesk refused the credentials (`connection_check_failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
        (status = 502, body = Problem, content_type = "application/problem+json"),
        (status = 504, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn replace_credentials(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
    ValidJson(body): ValidJson<Map<String, Value>>,
) -> Result<Json<ConnectionView>, ApiError> {
    let connection = state
        .app
        .reauthorize(auth.tenant, connection_id(&id)?, body, &auth.ctx)
        .await?;
    Ok(Json(connection.into()))
}

/// A connection's health, checked with the helpdesk now.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HealthView {
    connection: ConnectionView,
    /// Whether the helpdesk accepted the credentials just now.
    ok: bool,
    /// Who the credentials belong to, when the check passed.
    identity: Option<IdentityView>,
    /// What is wrong, with what to do about it, when the check failed.
    problem: Option<String>,
    migration_hint: Option<&'static str>,
    /// The connection's token: when it expires (`null`: it does not) and whether deskgate
    /// renews it ahead of time.
    token: TokenView,
    /// The upstream account's rate budget, shared by every connection to that account.
    rate_budget: Option<BudgetView>,
    /// Caps on single endpoints below the account's budget (Freshdesk's tickets list, …):
    /// `limit` is the cap learned from the helpdesk's refusals, once there was one.
    endpoint_budgets: Vec<BudgetView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TokenView {
    expires_at: Option<DateTime<Utc>>,
    renews: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct IdentityView {
    account_label: String,
    user_id: Option<String>,
    user_email: Option<String>,
    role: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BudgetView {
    /// `zendesk:acme`; an endpoint's cap: `freshdesk:acme/tickets_list`.
    key: String,
    /// Requests per minute the helpdesk allows, as its headers last said.
    limit: Option<u32>,
    remaining: Option<u32>,
    /// No request goes to the helpdesk before this time.
    blocked_until: Option<DateTime<Utc>>,
    /// What the tenant's calls spent on this key since this replica began tracking it (its
    /// idle keys are forgotten after an hour and start again from 0), in the limit's unit
    /// (requests; credits for a Freshdesk account).
    foreground_spent: u64,
    /// The same for the change sync, which keeps to its share of the budget behind tenant
    /// calls.
    background_spent: u64,
    /// The pace this replica keeps, per minute in the limit's unit, at its share of the
    /// limit; where the helpdesk reports a fixed window, the replicas together spend what is
    /// left of it evenly to its end instead, never slower than this.
    paced_per_minute: Option<u32>,
    /// The live replicas the account's budget is split between (1: this one alone).
    replicas: u32,
}

impl From<BudgetHealth> for BudgetView {
    fn from(b: BudgetHealth) -> Self {
        Self {
            key: b.key,
            limit: b.limit,
            remaining: b.remaining,
            blocked_until: b.blocked_until,
            foreground_spent: b.foreground_spent,
            background_spent: b.background_spent,
            paced_per_minute: b.paced_per_minute,
            replicas: b.replicas,
        }
    }
}

impl From<ConnectionHealth> for HealthView {
    fn from(h: ConnectionHealth) -> Self {
        let token = TokenView {
            expires_at: h.connection.token_expires_at,
            renews: h.token_renews,
        };
        let mut connection = ConnectionView::from(h.connection);
        connection.deprecated_after = h.deprecated_after.or(connection.deprecated_after);
        Self {
            token,
            connection,
            ok: h.problem.is_none(),
            identity: h.identity.map(|i| IdentityView {
                account_label: i.account_label,
                user_id: i.user_id,
                user_email: i.user_email,
                role: i.role,
            }),
            problem: h.problem.map(|p| p.to_string()),
            migration_hint: h.migration_hint,
            rate_budget: h.budget.map(BudgetView::from),
            endpoint_budgets: h
                .endpoint_budgets
                .into_iter()
                .map(BudgetView::from)
                .collect(),
        }
    }
}

/// Checks the connection with its helpdesk and reports auth status, token expiry, the
/// API-token deadline and the rate budget.
#[utoipa::path(
    get,
    path = "/v1/connections/{id}/health",
    tag = "connections",
    params(("id" = String, Path, description = "The connection's id")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = HealthView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The connection's calls in flight (`connection_busy`); see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn connection_health(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
) -> Result<Json<HealthView>, ApiError> {
    let health = state
        .app
        .connection_health(auth.tenant, connection_id(&id)?, &auth.ctx)
        .await?;
    Ok(Json(health.into()))
}
