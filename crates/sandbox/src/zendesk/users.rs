//! `/api/v2/users` (with the `role` / `role[]` filter), `/api/v2/users/{id}` and
//! `/api/v2/users/me` (the authenticated user, allowed for end users too).

use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::get;
use http::StatusCode;
use serde_json::{Value, json};

use super::auth::{Member, Staff};
use super::context::Ctx;
use super::errors::ZendeskError;
use super::listing::Listing;
use super::records::Role;
use super::render;
use super::tickets::{ok_json, parse_id};
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/api/v2/users", get(list_users))
        .route("/api/v2/users/me", get(show_me))
        .route("/api/v2/users/{id}", get(show_user))
}

async fn list_users(ctx: Ctx, _staff: Staff, q: QueryParams) -> Result<Response, ZendeskError> {
    let mut roles: Vec<Role> = Vec::new();
    for raw in q.all("role").into_iter().chain(q.all("role[]")) {
        let role = Role::parse(raw).ok_or_else(|| {
            ZendeskError::BadRequest("InvalidValue", format!("{raw} is not a valid role"))
        })?;
        roles.push(role);
    }
    let data = lock(&ctx.account.data);
    let fetch = |id: u64| data.user(id);
    let render = |u: &super::records::User| render::user(&ctx, u);
    let keep = |id: u64| data.user(id).is_some_and(|u| roles.contains(&u.role));
    let listing = Listing {
        path: "/api/v2/users",
        key: "users",
        collection: &data.users,
        fetch: &fetch,
        render: &render,
        filter: if roles.is_empty() { None } else { Some(&keep) },
    };
    Ok(ok_json(StatusCode::OK, listing.respond(&ctx, &q)?))
}

async fn show_user(
    ctx: Ctx,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, ZendeskError> {
    let id = parse_id(&id)?;
    let user = lock(&ctx.account.data)
        .user(id)
        .ok_or(ZendeskError::NotFound)?;
    Ok(ok_json(
        StatusCode::OK,
        json!({"user": render::user(&ctx, &user)}),
    ))
}

async fn show_me(ctx: Ctx, Member(caller): Member) -> Result<Response, ZendeskError> {
    let mut user = render::user(&ctx, &caller.user);
    if lock(&ctx.account.settings).me_without_role {
        user["role"] = Value::Null;
    }
    Ok(ok_json(StatusCode::OK, json!({ "user": user })))
}
