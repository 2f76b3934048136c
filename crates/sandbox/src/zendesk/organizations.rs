//! `/api/v2/organizations` and `/api/v2/organizations/{id}`.

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
use super::records::Organization;
use super::render;
use super::tickets::{ok_json, parse_id};
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/api/v2/organizations", get(list_organizations))
        .route("/api/v2/organizations/{id}", get(show_organization))
}

async fn list_organizations(
    ctx: Ctx,
    _staff: Staff,
    q: QueryParams,
) -> Result<Response, ZendeskError> {
    let data = lock(&ctx.account.data);
    let fetch = |id: u64| data.organization(id);
    let render = |o: &Organization| render::organization(&ctx, o);
    let listing = Listing {
        path: "/api/v2/organizations",
        key: "organizations",
        collection: &data.organizations,
        fetch: &fetch,
        render: &render,
        filter: None,
    };
    Ok(ok_json(StatusCode::OK, listing.respond(&ctx, &q)?))
}

async fn show_organization(
    ctx: Ctx,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, ZendeskError> {
    let id = parse_id(&id)?;
    let organization = lock(&ctx.account.data)
        .organization(id)
        .ok_or(ZendeskError::NotFound)?;
    Ok(ok_json(
        StatusCode::OK,
        json!({"organization": render::organization(&ctx, &organization)}),
    ))
}
