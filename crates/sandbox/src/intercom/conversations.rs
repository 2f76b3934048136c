//! Reading conversations (writes are in `conversation_parts.rs`): `GET /conversations` (cursor pages, `per_page` default 20 and
//! at most 150), `GET /conversations/{id}` (with `conversation_parts`) and
//! `POST /conversations/search`. Listings and searches come in `(updated_at, id)` ascending
//! order, like ticket search.

use axum::extract::Path;
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::{Value, json};

use super::context::{Ctx, require};
use super::data::Data;
use super::errors::{Answer, IntercomError};
use super::paging::{self, DEFAULT_PER_PAGE, Page};
use super::records::Conversation;
use super::render;
use super::scope::Scope;
use super::search::{FieldValue, Kind, SearchRequest};
use super::{body, deletions};
use crate::html::strip_tags;
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/conversations", get(list_conversations))
        .route("/conversations/search", post(search_conversations))
        .route("/conversations/deleted", get(deletions::list_deleted))
        .route(
            "/conversations/{id}",
            get(show_conversation).delete(deletions::delete_conversation),
        )
}

fn list_body(page: &Page<&Conversation>, data: &Data) -> Value {
    let conversations: Vec<Value> = page
        .items
        .iter()
        .map(|c| render::conversation(c, data, false))
        .collect();
    json!({
        "type": "conversation.list",
        "conversations": conversations,
        "total_count": page.total,
        "pages": page.pages(),
    })
}

async fn list_conversations(ctx: Ctx, q: QueryParams) -> Answer {
    require(&ctx, Scope::ReadConversations)?;
    let per_page = paging::per_page(
        q.get("per_page")
            .map(|v| Value::String(v.to_owned()))
            .as_ref(),
        DEFAULT_PER_PAGE,
    )?;
    let after = q.get("starting_after").map(paging::decode).transpose()?;
    let data = lock(&ctx.account.data);
    let page = Page::collect(
        data.conversations_after(None)
            .map(|c| ((c.updated_at, c.id), c)),
        after,
        per_page,
    );
    Ok(Json(list_body(&page, &data)))
}

async fn show_conversation(ctx: Ctx, Path(raw): Path<String>) -> Answer {
    require(&ctx, Scope::ReadConversations)?;
    let data = lock(&ctx.account.data);
    raw.parse()
        .ok()
        .and_then(|id| data.conversation(id))
        .map(|c| Json(render::conversation(c, &data, true)))
        .ok_or_else(|| IntercomError::not_found("Resource Not Found"))
}

fn conversation_field(field: &str) -> Option<Kind> {
    Some(match field {
        "created_at" | "updated_at" => Kind::Date,
        "id" | "state" | "priority" | "admin_assignee_id" | "team_assignee_id" => Kind::Text,
        "open" | "read" => Kind::Boolean,
        "contact_ids" | "tag_ids" | "source.body" => Kind::List,
        _ => return None,
    })
}

fn conversation_value(c: &Conversation, field: &str) -> FieldValue {
    let id = |v: Option<u64>| FieldValue::Text(v.map_or_else(|| "0".to_owned(), |v| v.to_string()));
    match field {
        "id" => FieldValue::Text(c.id.to_string()),
        "created_at" => FieldValue::Number(c.created_at),
        "updated_at" => FieldValue::Number(c.updated_at),
        "state" => FieldValue::Text(c.state.to_owned()),
        "priority" => FieldValue::Text(c.priority.to_owned()),
        "admin_assignee_id" => id(c.admin_assignee_id),
        "team_assignee_id" => id(c.team_assignee_id),
        // Matched word by word, as the spec describes for `source.body`.
        "source.body" => FieldValue::List(
            strip_tags(c.source.body.as_deref().unwrap_or_default())
                .split(|ch: char| !ch.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect(),
        ),
        "open" => FieldValue::Boolean(c.state != "closed"),
        "read" => FieldValue::Boolean(c.read),
        "contact_ids" => FieldValue::List(c.contact_ids.clone()),
        "tag_ids" => FieldValue::List(c.tags.iter().map(|t| t.tag_id.to_string()).collect()),
        _ => FieldValue::Absent,
    }
}

async fn search_conversations(ctx: Ctx, body: Bytes) -> Answer {
    require(&ctx, Scope::ReadConversations)?;
    let body = Value::Object(body::object(&body)?);
    let search = SearchRequest::parse(&body, &conversation_field, DEFAULT_PER_PAGE)?;
    let data = lock(&ctx.account.data);
    let matches = data
        .conversations_after(None)
        .filter(|c| search.query.matches(&|f| conversation_value(c, f)))
        .map(|c| ((c.updated_at, c.id), c));
    let page = Page::collect(matches, search.starting_after, search.per_page);
    Ok(Json(list_body(&page, &data)))
}
