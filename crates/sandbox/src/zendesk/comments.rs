//! `GET /api/v2/tickets/{id}/comments`: oldest first by default (`sort=-created_at` for
//! newest first), cursor or offset pagination. Comments are added through ticket updates;
//! Zendesk has no "create comment" endpoint.

use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::get;
use http::StatusCode;

use super::auth::Staff;
use super::context::Ctx;
use super::errors::ZendeskError;
use super::paging::{PageRequestKeyed, page_list};
use super::render;
use super::tickets::{ok_json, parse_id};
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new().route("/api/v2/tickets/{id}/comments", get(list_comments))
}

async fn list_comments(
    ctx: Ctx,
    _staff: Staff,
    Path(id): Path<String>,
    q: QueryParams,
) -> Result<Response, ZendeskError> {
    let id = parse_id(&id)?;
    let request = PageRequestKeyed::parse(&q)?;
    let comments = {
        let data = lock(&ctx.account.data);
        let ticket = data.ticket(id).ok_or(ZendeskError::NotFound)?;
        data.comments(&ticket)
    };
    let mut items: Vec<(String, serde_json::Value)> = comments
        .iter()
        .map(|c| (c.id.to_string(), render::comment(&ctx, c)))
        .collect();
    match q.get("sort").or(q.get("sort_order")) {
        Some("-created_at" | "desc") => items.reverse(),
        None | Some("created_at" | "asc") => {}
        Some(_) => {
            return Err(ZendeskError::BadRequest(
                "InvalidValue",
                "sort must be created_at or -created_at".to_owned(),
            ));
        }
    }
    let path = format!("/api/v2/tickets/{id}/comments");
    Ok(ok_json(
        StatusCode::OK,
        page_list(&ctx, &path, &q, "comments", items, request),
    ))
}
