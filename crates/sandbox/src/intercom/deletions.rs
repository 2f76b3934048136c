//! Deleting conversations and listing what was deleted: `DELETE /conversations/{id}`
//! (`retain_metrics`, default true) → `{"id","object":"conversation","deleted":true}`, and
//! `GET /conversations/deleted` (operationId `listDeletedConversationIds`): `page` (from
//! 1), `per_page` (default 20, at most 60), `order` (`asc`|`desc`, default `desc`) →
//! `{type: "conversations.list", total_count, pages: {type, next, page, per_page,
//! total_pages}, conversations: [{type: "conversation", id, metrics_retained,
//! deleted_at}]}`. Deleted tickets are listed too: a ticket is a conversation.
//!
//! The spec says the ids come "in ascending or descending order"; its example lists them
//! newest deletion first (`512` deleted after `513`), so the order is by `deleted_at`,
//! ties by id. `pages.next` is the next page's absolute URL, null on the last page. A
//! `per_page` over 60, a `page` under 1 or another `order` is refused (400
//! `parameter_invalid`) rather than clamped.

use axum::Json;
use axum::extract::Path;
use serde_json::{Value, json};

use super::context::{Ctx, require};
use super::errors::{Answer, IntercomError};
use super::notifications::{deleted_item, notify};
use super::records::Deleted;
use super::scope::Scope;
use crate::lock::lock;
use crate::query::QueryParams;

const DEFAULT_PER_PAGE: usize = 20;
const MAX_PER_PAGE: usize = 60;

fn number(q: &QueryParams, name: &str, default: usize) -> Result<usize, IntercomError> {
    match q.get(name) {
        None => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| IntercomError::invalid(format!("{name} must be a positive integer"))),
    }
}

pub(crate) async fn list_deleted(ctx: Ctx, q: QueryParams) -> Answer {
    require(&ctx, Scope::ReadConversations)?;
    let page = number(&q, "page", 1)?;
    let per_page = number(&q, "per_page", DEFAULT_PER_PAGE)?;
    if per_page > MAX_PER_PAGE {
        return Err(IntercomError::invalid(format!(
            "per_page must be between 1 and {MAX_PER_PAGE}"
        )));
    }
    let order = q.get("order").unwrap_or("desc");
    if !matches!(order, "asc" | "desc") {
        return Err(IntercomError::invalid("order must be asc or desc"));
    }
    let mut deleted: Vec<Deleted> = lock(&ctx.account.data).deletions().copied().collect();
    deleted.sort_by_key(|d| (d.deleted_at, d.id));
    if order == "desc" {
        deleted.reverse();
    }
    let total = deleted.len();
    let total_pages = total.div_ceil(per_page);
    let conversations: Vec<Value> = deleted
        .iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(deleted_item)
        .collect();
    let next = (page < total_pages).then(|| {
        format!(
            "{}?per_page={per_page}&order={order}&page={}",
            ctx.url("/conversations/deleted"),
            page + 1
        )
    });
    Ok(Json(json!({
        "type": "conversations.list",
        "total_count": total,
        "pages": {
            "type": "pages",
            "next": next,
            "page": page,
            "per_page": per_page,
            "total_pages": total_pages,
        },
        "conversations": conversations,
    })))
}

pub(crate) async fn delete_conversation(
    ctx: Ctx,
    Path(raw): Path<String>,
    q: QueryParams,
) -> Answer {
    require(&ctx, Scope::WriteConversations)?;
    let retain = match q.get("retain_metrics") {
        None | Some("true") => true,
        Some("false") => false,
        Some(_) => return Err(IntercomError::invalid("retain_metrics must be a boolean")),
    };
    let now = ctx.now_secs();
    let mut data = lock(&ctx.account.data);
    let id = raw
        .parse()
        .ok()
        .filter(|id| data.remove_conversation(*id, now, retain).is_some())
        .ok_or_else(|| IntercomError::not_found("Resource Not Found"))?;
    let deleted = data.deletion(id);
    drop(data);
    if let Some(deleted) = deleted {
        notify(&ctx, "conversation.deleted", &deleted_item(&deleted));
    }
    Ok(Json(
        json!({"id": id.to_string(), "object": "conversation", "deleted": true}),
    ))
}
