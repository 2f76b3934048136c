//! Tags: the account-wide list with counts (`GET /api/v2/tags`), names by prefix
//! (`GET /api/v2/autocomplete/tags?name=`, at least two characters, offset pages), and
//! per-ticket tags (`GET`; `POST` sets the list, `PUT` adds, `DELETE` removes, as [ZD-OAS]
//! documents).

use std::collections::{BTreeMap, HashSet};

use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::get;
use bytes::Bytes;
use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::auth::Staff;
use super::context::Ctx;
use super::errors::ZendeskError;
use super::paging::{Out, PageRequest, PageRequestKeyed, page_list};
use super::records::Status;
use super::ticket_events::Change;
use super::ticket_write::tag_list;
use super::tickets::{ok_json, parse_id};
use super::webhook_delivery::announce;
use crate::collection::Slot;
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/api/v2/tags", get(list_tags))
        .route("/api/v2/autocomplete/tags", get(autocomplete_tags))
        .route(
            "/api/v2/tickets/{id}/tags",
            get(ticket_tags)
                .post(change_ticket_tags)
                .put(change_ticket_tags)
                .delete(change_ticket_tags),
        )
}

/// Every tag in use with the number of live tickets that carry it.
fn tag_counts(ctx: &Ctx) -> BTreeMap<String, u64> {
    let data = lock(&ctx.account.data);
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let overlay: HashSet<u64> = data.tickets.overlay().keys().copied().collect();
    for index in 0..data.seed.tickets {
        if overlay.contains(&(index + 1)) {
            continue;
        }
        for tag in data.seed.ticket_tags(index) {
            *counts.entry(tag).or_default() += 1;
        }
    }
    for slot in data.tickets.overlay().values() {
        if let Slot::Live(ticket) = slot {
            for tag in &ticket.tags {
                *counts.entry(tag.clone()).or_default() += 1;
            }
        }
    }
    counts
}

async fn list_tags(ctx: Ctx, _staff: Staff, q: QueryParams) -> Result<Response, ZendeskError> {
    let request = PageRequestKeyed::parse(&q)?;
    let mut sorted: Vec<(String, u64)> = tag_counts(&ctx).into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let items = sorted
        .into_iter()
        .map(|(name, count)| (name.clone(), json!({"name": name, "count": count})))
        .collect();
    Ok(ok_json(
        StatusCode::OK,
        page_list(&ctx, "/api/v2/tags", &q, "tags", items, request),
    ))
}

/// Names that start with `name`, in name order. The body for a missing or one-character
/// `name` is not in the reference: a 400 in the `{"error","description"}` convention.
async fn autocomplete_tags(
    ctx: Ctx,
    _staff: Staff,
    q: QueryParams,
) -> Result<Response, ZendeskError> {
    let prefix = q.get("name").unwrap_or_default().trim().to_lowercase();
    if prefix.chars().count() < 2 {
        return Err(ZendeskError::BadRequest(
            "InvalidValue",
            "name must have at least 2 characters".to_owned(),
        ));
    }
    let PageRequest::Offset { page, per_page } = PageRequest::parse(&q)? else {
        return Err(ZendeskError::BadRequest(
            "InvalidPaginationParameter",
            "tag autocomplete supports offset pagination only".to_owned(),
        ));
    };
    let names: Vec<String> = tag_counts(&ctx)
        .into_keys()
        .filter(|n| n.starts_with(&prefix))
        .collect();
    let count = names.len() as u64;
    let skip = usize::try_from((page - 1) * per_page).unwrap_or(usize::MAX);
    let take = usize::try_from(per_page).unwrap_or(100);
    let items = names
        .into_iter()
        .skip(skip)
        .take(take)
        .map(Value::String)
        .collect();
    let out = Out {
        ctx: &ctx,
        path: "/api/v2/autocomplete/tags",
        q: &q,
        key: "tags",
    };
    Ok(ok_json(
        StatusCode::OK,
        out.offset(items, page, per_page, count),
    ))
}

async fn ticket_tags(
    ctx: Ctx,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, ZendeskError> {
    let id = parse_id(&id)?;
    let ticket = lock(&ctx.account.data)
        .ticket(id)
        .ok_or(ZendeskError::NotFound)?;
    Ok(ok_json(StatusCode::OK, json!({"tags": ticket.tags})))
}

async fn change_ticket_tags(
    ctx: Ctx,
    Staff(caller): Staff,
    method: Method,
    Path(id): Path<String>,
    q: QueryParams,
    body: Bytes,
) -> Result<Response, ZendeskError> {
    let id = parse_id(&id)?;
    let tags = if body.is_empty() {
        // `DELETE` may name the tags in the query: `?tags=a,b`.
        match q.get("tags") {
            Some(list) => list
                .split(',')
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty())
                .collect(),
            None => {
                return Err(ZendeskError::PlainBadRequest(
                    "Required parameter missing: tags".to_owned(),
                ));
            }
        }
    } else {
        let value: Value = serde_json::from_slice(&body).map_err(|e| {
            ZendeskError::BadRequest(
                "InvalidJSON",
                format!("the request body is not valid json: {e}"),
            )
        })?;
        value.get("tags").and_then(tag_list).ok_or_else(|| {
            ZendeskError::PlainBadRequest("Required parameter missing: tags".to_owned())
        })?
    };
    let now = ctx.now_secs();
    let mut data = lock(&ctx.account.data);
    let mut ticket = data.ticket(id).ok_or(ZendeskError::NotFound)?;
    let original = ticket.clone();
    if ticket.status == Status::Closed {
        return Err(ZendeskError::invalid(
            "status",
            "Status: closed prevents ticket update",
            "ClosedPreventsUpdate",
        ));
    }
    let status = match method {
        Method::POST => {
            ticket.tags = tags;
            StatusCode::CREATED
        }
        Method::PUT => {
            for tag in tags {
                if !ticket.tags.contains(&tag) {
                    ticket.tags.push(tag);
                }
            }
            StatusCode::OK
        }
        _ => {
            ticket.tags.retain(|t| !tags.contains(t));
            StatusCode::OK
        }
    };
    ticket.updated_at = now;
    let body = json!({"tags": ticket.tags});
    data.tickets.put(id, ticket.clone());
    announce(
        &ctx,
        data,
        &Change::updated(&original, &ticket, None, caller.user.id),
    );
    Ok(ok_json(status, body))
}
