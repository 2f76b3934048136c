//! `/api/v2/groups` and `/api/v2/groups/{id}`.

use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::get;
use http::StatusCode;
use serde_json::json;

use super::auth::Staff;
use super::context::Ctx;
use super::errors::ZendeskError;
use super::listing::Listing;
use super::records::Group;
use super::render;
use super::tickets::{ok_json, parse_id};
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/api/v2/groups", get(list_groups))
        .route("/api/v2/groups/{id}", get(show_group))
}

async fn list_groups(ctx: Ctx, _staff: Staff, q: QueryParams) -> Result<Response, ZendeskError> {
    let data = lock(&ctx.account.data);
    let fetch = |id: u64| data.group(id);
    let render = |o: &Group| render::group(&ctx, o);
    let listing = Listing {
        path: "/api/v2/groups",
        key: "groups",
        collection: &data.groups,
        fetch: &fetch,
        render: &render,
        filter: None,
    };
    Ok(ok_json(StatusCode::OK, listing.respond(&ctx, &q)?))
}

async fn show_group(
    ctx: Ctx,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, ZendeskError> {
    let id = parse_id(&id)?;
    let group = lock(&ctx.account.data)
        .group(id)
        .ok_or(ZendeskError::NotFound)?;
    Ok(ok_json(
        StatusCode::OK,
        json!({"group": render::group(&ctx, &group)}),
    ))
}
