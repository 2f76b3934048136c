//! `/v1/connections/{id}/tickets`: normalized tickets of a connected helpdesk.

use crate::extract::ValidPath;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use deskgate_core::ids::{AccountId, ContactId, TeamId, TicketId, UserId};
use deskgate_core::model::{NewTicket, TagChange, Ticket, TicketPatch, TicketStatus};
use deskgate_core::page::{ReadOptions, TicketFilter};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{AuthTenant, ValidJson, ValidQuery};
use crate::problem::{CallProblems, Problem};
use crate::routes::connections::connection_id;
use crate::routes::page::{self, ListResponse, Window};
use crate::{ApiError, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tickets, create_ticket))
        .routes(routes!(get_ticket, update_ticket, delete_ticket))
        .routes(routes!(change_ticket_tags))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// From a previous page's `next_cursor`, unchanged; only valid with the same filters.
    cursor: Option<String>,
    /// 1 to 100; 50 by default. Pages of emulated filters may hold fewer.
    limit: Option<u32>,
    /// Only tickets updated after this time (RFC 3339, e.g. `2026-01-01T00:00:00Z`).
    updated_after: Option<DateTime<Utc>>,
    status: Option<TicketStatus>,
    assignee_id: Option<String>,
    team_id: Option<String>,
    account_id: Option<String>,
    requester_id: Option<String>,
    /// Adds the helpdesk's raw object as `remote_data`.
    include_remote_data: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct GetParams {
    /// Adds the helpdesk's raw object as `remote_data`.
    include_remote_data: Option<bool>,
}

/// A page of tickets. Filters a helpdesk cannot apply itself are applied by deskgate and
/// marked `emulated` in `GET /v1/connectors`.
///
/// The page is written as the helpdesk's answer is read, so its first tickets arrive before
/// the helpdesk has sent its last. If the helpdesk's answer breaks off after the first
/// tickets went out, the transfer is aborted (the connection closes without the body's end,
/// or an HTTP/2 stream is reset): an HTTP client reports it as an error, never as a shorter
/// page. Retry the same request.
#[utoipa::path(
    get,
    path = "/v1/connections/{id}/tickets",
    tag = "tickets",
    params(("id" = String, Path, description = "The connection's id"), ListParams),
    security(("api_key" = [])),
    responses(
        (status = 200, body = ListResponse<Ticket>),
        (status = 400, description = "A bad parameter or a cursor this list did not issue", body = Problem, content_type = "application/problem+json"),
        CallProblems,
        (status = 504, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_tickets(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
    ValidQuery(q): ValidQuery<ListParams>,
) -> Result<Response, ApiError> {
    let filter = TicketFilter {
        status: q.status,
        assignee_id: q.assignee_id.map(UserId),
        team_id: q.team_id.map(TeamId),
        account_id: q.account_id.map(AccountId),
        requester_id: q.requester_id.map(ContactId),
    };
    let window = Window {
        list: "tickets",
        cursor: q.cursor.as_deref(),
        limit: q.limit,
        updated_after: q.updated_after,
        include_remote_data: q.include_remote_data,
    };
    page::list_streamed(&state, &auth, &id, window, filter, |c, r| async move {
        c.stream_tickets(&r).await
    })
    .await
}

/// One ticket.
#[utoipa::path(
    get,
    path = "/v1/connections/{id}/tickets/{ticket_id}",
    tag = "tickets",
    params(("id" = String, Path, description = "The connection's id"), ("ticket_id" = String, Path, description = "The helpdesk's ticket id"), GetParams),
    security(("api_key" = [])),
    responses(
        (status = 200, body = Ticket),
        CallProblems,
    )
)]
async fn get_ticket(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath((id, ticket_id)): ValidPath<(String, String)>,
    ValidQuery(q): ValidQuery<GetParams>,
) -> Result<Json<Ticket>, ApiError> {
    let ticket_id = TicketId(ticket_id);
    let opts = ReadOptions {
        include_remote_data: q.include_remote_data.unwrap_or(false),
    };
    page::one(&state, &auth, &id, |c| async move {
        c.get_ticket(&ticket_id, opts).await
    })
    .await
}

/// Creates a ticket. Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(
    post,
    path = "/v1/connections/{id}/tickets",
    tag = "tickets",
    request_body = NewTicket,
    params(("id" = String, Path, description = "The connection's id"), ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for 24 hours")),
    security(("api_key" = [])),
    responses(
        (status = 201, body = Ticket),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        CallProblems,
        (status = 422, description = "Invalid input, rejected by the helpdesk, or an Idempotency-Key reused with another body", body = Problem, content_type = "application/problem+json"),
        (status = 504, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_ticket(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
    ValidJson(body): ValidJson<NewTicket>,
) -> Result<(StatusCode, Json<Ticket>), ApiError> {
    let id = connection_id(&id)?;
    if body.subject.trim().is_empty() {
        return Err(ApiError::invalid_body("subject", "must not be empty"));
    }
    let ticket = state
        .app
        .call(auth.tenant, id, &auth.ctx, |c| async move {
            c.create_ticket(&body).await
        })
        .await?;
    Ok((StatusCode::CREATED, Json(ticket)))
}

/// Changes a ticket; absent fields are left alone.
#[utoipa::path(
    patch,
    path = "/v1/connections/{id}/tickets/{ticket_id}",
    tag = "tickets",
    request_body = TicketPatch,
    params(("id" = String, Path, description = "The connection's id"), ("ticket_id" = String, Path, description = "The helpdesk's ticket id"), ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for 24 hours")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = Ticket),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        CallProblems,
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn update_ticket(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath((id, ticket_id)): ValidPath<(String, String)>,
    ValidJson(patch): ValidJson<TicketPatch>,
) -> Result<Json<Ticket>, ApiError> {
    let ticket_id = TicketId(ticket_id);
    page::one(&state, &auth, &id, |c| async move {
        c.update_ticket(&ticket_id, &patch).await
    })
    .await
}

/// Deletes a ticket, where the helpdesk allows it.
#[utoipa::path(
    delete,
    path = "/v1/connections/{id}/tickets/{ticket_id}",
    tag = "tickets",
    params(("id" = String, Path, description = "The connection's id"), ("ticket_id" = String, Path, description = "The helpdesk's ticket id")),
    security(("api_key" = [])),
    responses(
        (status = 204, description = "Deleted"),
        CallProblems,
        (status = 501, description = "The helpdesk cannot delete tickets", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn delete_ticket(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath((id, ticket_id)): ValidPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = connection_id(&id)?;
    let ticket_id = TicketId(ticket_id);
    state
        .app
        .call(auth.tenant, id, &auth.ctx, |c| async move {
            c.delete_ticket(&ticket_id).await
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A ticket's tags after a change.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct TicketTags {
    tags: Vec<String>,
}

/// Sets (`{"set": [...]}`: replaces the list), adds (`{"add": [...]}`) or removes
/// (`{"remove": [...]}`) a ticket's tags, and answers its tags afterwards.
#[utoipa::path(
    post,
    path = "/v1/connections/{id}/tickets/{ticket_id}/tags",
    tag = "tickets",
    request_body = TagChange,
    params(("id" = String, Path, description = "The connection's id"), ("ticket_id" = String, Path, description = "The helpdesk's ticket id"), ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for 24 hours")),
    security(("api_key" = [])),
    responses(
        (status = 200, body = TicketTags),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        CallProblems,
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn change_ticket_tags(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath((id, ticket_id)): ValidPath<(String, String)>,
    ValidJson(change): ValidJson<TagChange>,
) -> Result<Json<TicketTags>, ApiError> {
    let id = connection_id(&id)?;
    let ticket_id = TicketId(ticket_id);
    let tags = state
        .app
        .call(auth.tenant, id, &auth.ctx, |c| async move {
            c.change_ticket_tags(&ticket_id, &change).await
        })
        .await?;
    Ok(Json(TicketTags { tags }))
}
