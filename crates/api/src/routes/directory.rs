//! The helpdesk's directory: `/v1/connections/{id}/{users|contacts|accounts|teams|tags}`.
//! Read-only lists and single objects.

use crate::extract::ValidPath;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, Utc};
use deskgate_core::ids::{AccountId, ContactId, TeamId, UserId};
use deskgate_core::model::{Account, Contact, Tag, Team, User};
use deskgate_core::page::{ContactFilter, NoFilter, ReadOptions, UserFilter};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{AuthTenant, ValidQuery};
use crate::problem::{CallProblems, Problem};
use crate::routes::page::{self, ListResponse, Window};
use crate::{ApiError, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(get_user))
        .routes(routes!(list_contacts))
        .routes(routes!(get_contact))
        .routes(routes!(list_accounts))
        .routes(routes!(get_account))
        .routes(routes!(list_teams))
        .routes(routes!(get_team))
        .routes(routes!(list_tags))
        .routes(routes!(get_tag))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct UserParams {
    cursor: Option<String>,
    limit: Option<u32>,
    updated_after: Option<DateTime<Utc>>,
    email: Option<String>,
    include_remote_data: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ContactParams {
    cursor: Option<String>,
    limit: Option<u32>,
    updated_after: Option<DateTime<Utc>>,
    email: Option<String>,
    account_id: Option<String>,
    include_remote_data: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct PlainParams {
    cursor: Option<String>,
    limit: Option<u32>,
    updated_after: Option<DateTime<Utc>>,
    include_remote_data: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct GetParams {
    include_remote_data: Option<bool>,
}

fn read(q: &GetParams) -> ReadOptions {
    ReadOptions {
        include_remote_data: q.include_remote_data.unwrap_or(false),
    }
}

/// Agents and admins.
#[utoipa::path(get, path = "/v1/connections/{id}/users", tag = "directory",
    params(("id" = String, Path, description = "The connection's id"), UserParams), security(("api_key" = [])),
    responses((status = 200, body = ListResponse<User>),
        CallProblems,
        (status = 400, body = Problem, content_type = "application/problem+json")))]
async fn list_users(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
    ValidQuery(q): ValidQuery<UserParams>,
) -> Result<Response, ApiError> {
    let filter = UserFilter { email: q.email };
    let window = Window {
        list: "users",
        cursor: q.cursor.as_deref(),
        limit: q.limit,
        updated_after: q.updated_after,
        include_remote_data: q.include_remote_data,
    };
    page::list(&state, &auth, &id, window, filter, |c, r| async move {
        c.list_users(&r).await
    })
    .await
}

/// One agent or admin.
#[utoipa::path(get, path = "/v1/connections/{id}/users/{user_id}", tag = "directory",
    params(("id" = String, Path, description = "The connection's id"), ("user_id" = String, Path), GetParams), security(("api_key" = [])),
    responses((status = 200, body = User),
        CallProblems))]
async fn get_user(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath((id, user_id)): ValidPath<(String, String)>,
    ValidQuery(q): ValidQuery<GetParams>,
) -> Result<Json<User>, ApiError> {
    let (user_id, opts) = (UserId(user_id), read(&q));
    page::one(&state, &auth, &id, |c| async move {
        c.get_user(&user_id, opts).await
    })
    .await
}

/// End users: the people who ask for help.
#[utoipa::path(get, path = "/v1/connections/{id}/contacts", tag = "directory",
    params(("id" = String, Path, description = "The connection's id"), ContactParams), security(("api_key" = [])),
    responses((status = 200, body = ListResponse<Contact>),
        CallProblems,
        (status = 400, body = Problem, content_type = "application/problem+json")))]
async fn list_contacts(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
    ValidQuery(q): ValidQuery<ContactParams>,
) -> Result<Response, ApiError> {
    let filter = ContactFilter {
        email: q.email,
        account_id: q.account_id.map(AccountId),
    };
    let window = Window {
        list: "contacts",
        cursor: q.cursor.as_deref(),
        limit: q.limit,
        updated_after: q.updated_after,
        include_remote_data: q.include_remote_data,
    };
    page::list(&state, &auth, &id, window, filter, |c, r| async move {
        c.list_contacts(&r).await
    })
    .await
}

/// One end user.
#[utoipa::path(get, path = "/v1/connections/{id}/contacts/{contact_id}", tag = "directory",
    params(("id" = String, Path, description = "The connection's id"), ("contact_id" = String, Path), GetParams), security(("api_key" = [])),
    responses((status = 200, body = Contact),
        CallProblems))]
async fn get_contact(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath((id, contact_id)): ValidPath<(String, String)>,
    ValidQuery(q): ValidQuery<GetParams>,
) -> Result<Json<Contact>, ApiError> {
    let (contact_id, opts) = (ContactId(contact_id), read(&q));
    page::one(&state, &auth, &id, |c| async move {
        c.get_contact(&contact_id, opts).await
    })
    .await
}

/// Organizations and companies.
#[utoipa::path(get, path = "/v1/connections/{id}/accounts", tag = "directory",
    params(("id" = String, Path, description = "The connection's id"), PlainParams), security(("api_key" = [])),
    responses((status = 200, body = ListResponse<Account>),
        CallProblems,
        (status = 400, body = Problem, content_type = "application/problem+json")))]
async fn list_accounts(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
    ValidQuery(q): ValidQuery<PlainParams>,
) -> Result<Response, ApiError> {
    let window = Window {
        list: "accounts",
        cursor: q.cursor.as_deref(),
        limit: q.limit,
        updated_after: q.updated_after,
        include_remote_data: q.include_remote_data,
    };
    page::list(&state, &auth, &id, window, NoFilter, |c, r| async move {
        c.list_accounts(&r).await
    })
    .await
}

/// One organization.
#[utoipa::path(get, path = "/v1/connections/{id}/accounts/{account_id}", tag = "directory",
    params(("id" = String, Path, description = "The connection's id"), ("account_id" = String, Path), GetParams), security(("api_key" = [])),
    responses((status = 200, body = Account),
        CallProblems))]
async fn get_account(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath((id, account_id)): ValidPath<(String, String)>,
    ValidQuery(q): ValidQuery<GetParams>,
) -> Result<Json<Account>, ApiError> {
    let (account_id, opts) = (AccountId(account_id), read(&q));
    page::one(&state, &auth, &id, |c| async move {
        c.get_account(&account_id, opts).await
    })
    .await
}

/// Groups of agents.
#[utoipa::path(get, path = "/v1/connections/{id}/teams", tag = "directory",
    params(("id" = String, Path, description = "The connection's id"), PlainParams), security(("api_key" = [])),
    responses((status = 200, body = ListResponse<Team>),
        CallProblems,
        (status = 400, body = Problem, content_type = "application/problem+json")))]
async fn list_teams(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
    ValidQuery(q): ValidQuery<PlainParams>,
) -> Result<Response, ApiError> {
    let window = Window {
        list: "teams",
        cursor: q.cursor.as_deref(),
        limit: q.limit,
        updated_after: q.updated_after,
        include_remote_data: q.include_remote_data,
    };
    page::list(&state, &auth, &id, window, NoFilter, |c, r| async move {
        c.list_teams(&r).await
    })
    .await
}

/// One group.
#[utoipa::path(get, path = "/v1/connections/{id}/teams/{team_id}", tag = "directory",
    params(("id" = String, Path, description = "The connection's id"), ("team_id" = String, Path), GetParams), security(("api_key" = [])),
    responses((status = 200, body = Team), CallProblems))]
async fn get_team(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath((id, team_id)): ValidPath<(String, String)>,
    ValidQuery(q): ValidQuery<GetParams>,
) -> Result<Json<Team>, ApiError> {
    let (team_id, opts) = (TeamId(team_id), read(&q));
    page::one(&state, &auth, &id, |c| async move {
        c.get_team(&team_id, opts).await
    })
    .await
}

/// Tags in use.
#[utoipa::path(get, path = "/v1/connections/{id}/tags", tag = "directory",
    params(("id" = String, Path, description = "The connection's id"), PlainParams), security(("api_key" = [])),
    responses((status = 200, body = ListResponse<Tag>),
        CallProblems,
        (status = 400, body = Problem, content_type = "application/problem+json")))]
async fn list_tags(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath(id): ValidPath<String>,
    ValidQuery(q): ValidQuery<PlainParams>,
) -> Result<Response, ApiError> {
    let window = Window {
        list: "tags",
        cursor: q.cursor.as_deref(),
        limit: q.limit,
        updated_after: q.updated_after,
        include_remote_data: q.include_remote_data,
    };
    page::list(&state, &auth, &id, window, NoFilter, |c, r| async move {
        c.list_tags(&r).await
    })
    .await
}

/// One tag, by its name.
#[utoipa::path(get, path = "/v1/connections/{id}/tags/{tag}", tag = "directory",
    params(("id" = String, Path, description = "The connection's id"), ("tag" = String, Path, description = "The tag's name")), security(("api_key" = [])),
    responses((status = 200, body = Tag),
        CallProblems,
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn get_tag(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath((id, tag)): ValidPath<(String, String)>,
) -> Result<Json<Tag>, ApiError> {
    page::one(&state, &auth, &id, |c| async move { c.get_tag(&tag).await }).await
}
