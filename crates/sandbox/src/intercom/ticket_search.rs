//! `POST /tickets/search`. Results come in `(updated_at, id)` ascending order (the spec
//! does not say; this is the order a client polling on `updated_at` needs), with keyset
//! cursors (`paging`). The query language is in `search.rs`.

use axum::routing::post;
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::{Value, json};

use super::body;
use super::context::{Ctx, require};
use super::data::Data;
use super::errors::Answer;
use super::paging::{DEFAULT_PER_PAGE, Page};
use super::records::Ticket;
use super::render;
use super::scope::Scope;
use super::search::{FieldValue, Kind, SearchRequest};
use crate::lock::lock;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new().route("/tickets/search", post(search_tickets))
}

/// The searchable ticket fields and their types (the spec's table).
fn ticket_field(field: &str) -> Option<Kind> {
    Some(match field {
        "created_at" | "updated_at" | "snoozed_until" => Kind::Date,
        "id" | "title" | "description" | "category" | "ticket_type_id" | "admin_assignee_id"
        | "team_assignee_id" | "state" => Kind::Text,
        "contact_ids" | "teammate_ids" => Kind::List,
        "open" => Kind::Boolean,
        f if f.starts_with("ticket_attribute.") => Kind::Text,
        _ => return None,
    })
}

fn ticket_value(t: &Ticket, data: &Data, field: &str) -> FieldValue {
    let text = |s: &str| FieldValue::Text(s.to_owned());
    match field {
        "id" => FieldValue::Text(t.id.to_string()),
        "created_at" => FieldValue::Number(t.created_at),
        "updated_at" => FieldValue::Number(t.updated_at),
        "snoozed_until" => t
            .snoozed_until
            .map_or(FieldValue::Absent, FieldValue::Number),
        "title" => text(t.attribute_text("_default_title_")),
        "description" => text(t.attribute_text("_default_description_")),
        "category" => data
            .ticket_type(t.type_id)
            .map_or(FieldValue::Absent, |ty| text(ty.category.search_term())),
        "ticket_type_id" => FieldValue::Text(t.type_id.to_string()),
        "admin_assignee_id" => FieldValue::Text(t.admin_assignee_id.to_string()),
        "team_assignee_id" => FieldValue::Text(t.team_assignee_id.to_string()),
        "state" => data
            .state(t.state_id)
            .map_or(FieldValue::Absent, |s| text(s.category.as_str())),
        "open" => FieldValue::Boolean(t.open),
        "contact_ids" => FieldValue::List(t.contact_ids.clone()),
        "teammate_ids" => FieldValue::List(
            (t.admin_assignee_id != 0)
                .then(|| t.admin_assignee_id.to_string())
                .into_iter()
                .collect(),
        ),
        other => {
            // `ticket_attribute.{id}`: the attribute of the ticket's type with that id.
            let name = other.strip_prefix("ticket_attribute.").and_then(|raw| {
                let attribute_id: u64 = raw.parse().ok()?;
                let ty = data.ticket_type(t.type_id)?;
                ty.attributes
                    .iter()
                    .find(|a| a.id == attribute_id)
                    .map(|a| a.name)
            });
            match name.and_then(|n| t.attributes.get(n)) {
                Some(Value::String(s)) => text(s),
                Some(Value::Bool(b)) => FieldValue::Boolean(*b),
                Some(Value::Number(n)) => FieldValue::Text(n.to_string()),
                _ => FieldValue::Absent,
            }
        }
    }
}

async fn search_tickets(ctx: Ctx, body: Bytes) -> Answer {
    require(&ctx, Scope::ReadTickets)?;
    let body = Value::Object(body::object(&body)?);
    let search = SearchRequest::parse(&body, &ticket_field, DEFAULT_PER_PAGE)?;
    let data = lock(&ctx.account.data);
    let matches = data
        .tickets_after(None)
        .filter(|t| search.query.matches(&|f| ticket_value(t, &data, f)))
        .map(|t| ((t.updated_at, t.id), t));
    let page = Page::collect(matches, search.starting_after, search.per_page);
    let tickets: Vec<Value> = page
        .items
        .iter()
        .map(|t| render::ticket(t, &data, &ctx.account.workspace_id))
        .collect();
    Ok(Json(json!({
        "type": "ticket.list",
        "tickets": tickets,
        "total_count": page.total,
        "pages": page.pages(),
    })))
}
