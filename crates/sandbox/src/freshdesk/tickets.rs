//! Tickets: `GET /api/v2/tickets` (the 30-day default window, `updated_since`, ordering,
//! the 300-page cap, and `filter=deleted` for the trash), `POST`, and
//! `GET`/`PUT`/`DELETE /api/v2/tickets/{id}`. `DELETE` moves a ticket to the trash: it is
//! then gone from reads and the list, listed by `filter=deleted` with `deleted: true` and
//! its `updated_at` at the deletion. Every write runs the account's automation webhooks.

use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::StatusCode;
use serde_json::Value;

use super::attachments::store;
use super::auth::Caller;
use super::body::{Input, MAX_BODY_BYTES};
use super::context::Ctx;
use super::errors::{FieldError, FreshdeskError};
use super::paging::{Checked, respond};
use super::record_id::RecordId;
use super::render::{self, Extras};
use super::ticket_input::TicketChanges;
use super::ticket_order::{Order, OrderBy, Since, list, trash};
use super::trigger_webhook::{Trigger, fire};
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

/// Without `updated_since`, the list shows tickets created in this many seconds.
const DEFAULT_WINDOW_SECS: i64 = 30 * 86_400;
const MAX_PAGE: u64 = 300;
const LIST_INCLUDES: [&str; 3] = ["requester", "stats", "description"];
const SHOW_INCLUDES: [&str; 4] = ["conversations", "requester", "company", "stats"];

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/api/v2/tickets",
            get(list_tickets)
                .post(create_ticket)
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route(
            "/api/v2/tickets/{id}",
            get(show_ticket)
                .put(update_ticket)
                .delete(delete_ticket)
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
}

/// The `include` values, checked against what the endpoint offers.
pub(crate) fn includes(
    q: &QueryParams,
    offered: &[&str],
    errors: &mut Vec<FieldError>,
) -> Vec<String> {
    let values: Vec<String> = q
        .all("include")
        .iter()
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect();
    if values.iter().any(|v| !offered.contains(&v.as_str())) {
        errors.push(FieldError::one_of("include", &offered.join(", ")));
    }
    values
}

/// Every value `filter` takes in Freshdesk; only `deleted` is imitated.
const FILTERS: &str = "new_and_my_open,watching,spam,deleted";

/// Whether `filter=deleted` asks for the trash. The other predefined filters are refused
/// with a message saying the sandbox lacks them, so that no test takes their answer for
/// Freshdesk's.
fn trash_filter(q: &QueryParams, errors: &mut Vec<FieldError>) -> bool {
    match q.get("filter") {
        None => false,
        Some("deleted") => true,
        Some(other @ ("new_and_my_open" | "watching" | "spam")) => {
            errors.push(FieldError::new(
                "filter",
                format!("filter={other} is not imitated by the sandbox"),
                "invalid_value",
            ));
            false
        }
        Some(_) => {
            errors.push(FieldError::one_of("filter", FILTERS));
            false
        }
    }
}

fn order(q: &QueryParams, now: i64, errors: &mut Vec<FieldError>) -> Order {
    let since = match q.get("updated_since") {
        None => Since::Created(now - DEFAULT_WINDOW_SECS),
        Some(text) => match crate::timestamp::parse(text) {
            Some(at) => Since::Updated(at),
            None => {
                errors.push(FieldError::new(
                    "updated_since",
                    "It should be in the 'valid date time' format",
                    "invalid_value",
                ));
                Since::Created(now - DEFAULT_WINDOW_SECS)
            }
        },
    };
    let by = match q.get("order_by") {
        None => OrderBy::CreatedAt,
        Some(text) => OrderBy::parse(text).unwrap_or_else(|| {
            errors.push(FieldError::one_of("order_by", OrderBy::NAMES));
            OrderBy::CreatedAt
        }),
    };
    let descending = match q.get("order_type") {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(_) => {
            errors.push(FieldError::one_of("order_type", "asc,desc"));
            true
        }
    };
    Order {
        by,
        descending,
        since,
    }
}

async fn list_tickets(
    ctx: Ctx,
    _caller: Caller,
    q: QueryParams,
) -> Result<Response, FreshdeskError> {
    let mut checked = Checked::new(
        &q,
        &[
            "updated_since",
            "order_by",
            "order_type",
            "include",
            "filter",
        ],
    );
    let page = checked.page(&q);
    let deleted = trash_filter(&q, &mut checked.errors);
    let order = order(&q, ctx.now_secs(), &mut checked.errors);
    let include = includes(&q, &LIST_INCLUDES, &mut checked.errors);
    if page.page > MAX_PAGE {
        checked.errors.push(FieldError::new(
            "page",
            "You cannot access tickets beyond the 300th page. Please provide a smaller page number.",
            "invalid_value",
        ));
    }
    checked.finish()?;
    let extras = Extras {
        description: include.iter().any(|i| i == "description"),
        stats: include.iter().any(|i| i == "stats"),
    };
    let with_requester = include.iter().any(|i| i == "requester");
    let data = lock(&ctx.account.data);
    let window = if deleted {
        trash(&data, order, page.skip(), page.limit())
    } else {
        list(&data, order, page.skip(), page.limit())
    };
    let items = window
        .tickets
        .iter()
        .map(|t| {
            let mut value = render::ticket(&ctx, t, extras);
            if deleted {
                value["deleted"] = Value::Bool(true);
            }
            if with_requester {
                value["requester"] = data
                    .contact(t.requester_id)
                    .map_or(Value::Null, |c| render::requester(&c));
            }
            value
        })
        .collect();
    drop(data);
    Ok(respond(
        &ctx,
        "/api/v2/tickets",
        &q,
        page,
        items,
        page.has_next(window.total),
    ))
}

async fn show_ticket(
    ctx: Ctx,
    _caller: Caller,
    RecordId(id): RecordId,
    q: QueryParams,
) -> Result<Response, FreshdeskError> {
    let mut checked = Checked::new(&q, &["include"]);
    let include = includes(&q, &SHOW_INCLUDES, &mut checked.errors);
    checked.finish()?;
    let data = lock(&ctx.account.data);
    let ticket = data.ticket(id).ok_or(FreshdeskError::NotFound)?;
    let has = |name: &str| include.iter().any(|i| i == name);
    let mut value = render::full_ticket(&ctx, &ticket, has("stats"));
    if has("requester") {
        value["requester"] = data
            .contact(ticket.requester_id)
            .map_or(Value::Null, |c| render::requester(&c));
    }
    if has("company") {
        value["company"] = ticket.company_id.and_then(|c| data.company(c)).map_or(
            Value::Null,
            |c| serde_json::json!({"id": c.id, "name": c.name}),
        );
    }
    if has("conversations") {
        let conversations: Vec<Value> = data
            .conversations(id)
            .iter()
            .take(10)
            .map(|c| render::conversation(&ctx, c))
            .collect();
        value["conversations"] = Value::Array(conversations);
    }
    Ok(Json(value).into_response())
}

async fn create_ticket(
    ctx: Ctx,
    _caller: Caller,
    input: Input,
) -> Result<Response, FreshdeskError> {
    let now = ctx.now_secs();
    let mut data = lock(&ctx.account.data);
    let changes = TicketChanges::parse(&input, &data, true)?;
    let id = data.tickets.allocate_id();
    let mut ticket = super::records::Ticket {
        id,
        subject: String::new(),
        description: String::new(),
        description_text: String::new(),
        status: 2,
        priority: 1,
        source: 2,
        kind: None,
        requester_id: 0,
        responder_id: None,
        group_id: None,
        company_id: None,
        cc_emails: Vec::new(),
        tags: Vec::new(),
        due_by: now + 3 * 86_400,
        fr_due_by: now + 86_400,
        created_at: now,
        updated_at: now,
        custom_fields: serde_json::Map::new(),
        attachments: Vec::new(),
    };
    changes.apply(&mut ticket, &mut data, now);
    ticket.attachments = store(&mut data, input.files, now);
    data.tickets.put(id, ticket.clone());
    drop(data);
    fire(&ctx, &ticket, Trigger::Created);
    let body = render::full_ticket(&ctx, &ticket, false);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn update_ticket(
    ctx: Ctx,
    _caller: Caller,
    RecordId(id): RecordId,
    input: Input,
) -> Result<Response, FreshdeskError> {
    let now = ctx.now_secs();
    let mut data = lock(&ctx.account.data);
    let mut ticket = data.ticket(id).ok_or(FreshdeskError::NotFound)?;
    let before = Trigger::Updated {
        status: ticket.status,
        priority: ticket.priority,
    };
    let changes = TicketChanges::parse(&input, &data, false)?;
    changes.apply(&mut ticket, &mut data, now);
    let added = store(&mut data, input.files, now);
    ticket.attachments.extend(added);
    data.tickets.put(id, ticket.clone());
    drop(data);
    fire(&ctx, &ticket, before);
    Ok(Json(render::full_ticket(&ctx, &ticket, false)).into_response())
}

async fn delete_ticket(
    ctx: Ctx,
    _caller: Caller,
    RecordId(id): RecordId,
) -> Result<StatusCode, FreshdeskError> {
    let now = ctx.now_secs();
    let mut data = lock(&ctx.account.data);
    let mut ticket = data.ticket(id).ok_or(FreshdeskError::NotFound)?;
    // Moving a ticket to the trash updates it: `filter=deleted&updated_since=` finds it.
    ticket.updated_at = now;
    data.tickets.put(id, ticket.clone());
    let seed = data.seed.clone();
    data.tickets.delete(id, now, |i| seed.ticket(i));
    drop(data);
    fire(&ctx, &ticket, Trigger::Deleted);
    Ok(StatusCode::NO_CONTENT)
}
