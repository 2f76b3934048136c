//! `/api/v2/tickets`: list (cursor or offset), show, create, update (with comments),
//! delete. Every write hands its ticket events to the subscribed webhooks.

use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use http::{StatusCode, header};
use serde_json::{Value, json};

use super::account::Data;
use super::auth::Staff;
use super::context::Ctx;
use super::errors::ZendeskError;
use super::paging::{Out, PageRequest};
use super::records::{Channel, Comment, Satisfaction, Status, Ticket};
use super::render;
use super::seed::BRAND_ID;
use super::ticket_events::Change;
use super::ticket_write::{apply, store_comment, ticket_object};
use super::webhook_delivery::announce;
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/api/v2/tickets", get(list_tickets).post(create_ticket))
        .route(
            "/api/v2/tickets/{id}",
            get(show_ticket).put(update_ticket).delete(delete_ticket),
        )
}

pub(crate) fn parse_id(raw: &str) -> Result<u64, ZendeskError> {
    raw.parse().map_err(|_| ZendeskError::NotFound)
}

pub(crate) fn ok_json(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

struct TicketFilter {
    external_id: Option<String>,
    start_time: Option<i64>,
}

impl TicketFilter {
    fn parse(q: &QueryParams) -> Result<Self, ZendeskError> {
        let start_time = q
            .get("start_time")
            .map(|s| {
                s.parse::<i64>().map_err(|_| {
                    ZendeskError::BadRequest(
                        "InvalidValue",
                        "start_time must be a unix timestamp".to_owned(),
                    )
                })
            })
            .transpose()?;
        Ok(Self {
            external_id: q.get("external_id").map(str::to_owned),
            start_time,
        })
    }

    fn is_empty(&self) -> bool {
        self.external_id.is_none() && self.start_time.is_none()
    }

    fn keeps(&self, data: &Data, id: u64) -> bool {
        data.ticket(id).is_some_and(|t| {
            self.external_id
                .as_ref()
                .is_none_or(|e| t.external_id.as_ref() == Some(e))
                && self
                    .start_time
                    .is_none_or(|s| t.updated_at > s || t.created_at > s)
        })
    }
}

async fn list_tickets(ctx: Ctx, _staff: Staff, q: QueryParams) -> Result<Response, ZendeskError> {
    let request = PageRequest::parse(&q)?;
    let filter = TicketFilter::parse(&q)?;
    let data = lock(&ctx.account.data);
    let keep = |id: u64| filter.keeps(&data, id);
    let keep: Option<&dyn Fn(u64) -> bool> = if filter.is_empty() { None } else { Some(&keep) };
    let render_ids = |ids: &[u64]| -> Vec<Value> {
        ids.iter()
            .filter_map(|id| data.ticket(*id))
            .map(|t| render::ticket(&ctx, &t))
            .collect()
    };
    let body = match request {
        PageRequest::Cursor {
            size,
            after,
            before,
        } => {
            let (ids, has_more) = match before {
                Some(b) => data.tickets.ids_before(Some(b), size, keep),
                None => data.tickets.ids_after(after, size, keep),
            };
            let first_last = ids
                .first()
                .zip(ids.last())
                .map(|(f, l)| (f.to_string(), l.to_string()));
            Out {
                ctx: &ctx,
                path: "/api/v2/tickets",
                q: &q,
                key: "tickets",
            }
            .cursor(render_ids(&ids), first_last, has_more, size)
        }
        PageRequest::Offset { page, per_page } => {
            let skip = (page - 1) * per_page;
            let limit = usize::try_from(per_page).unwrap_or(100);
            let ids = data.tickets.ids_at_offset(skip, limit, keep);
            let count = if keep.is_none() {
                data.tickets.len()
            } else {
                data.tickets.ids_after(None, usize::MAX, keep).0.len() as u64
            };
            Out {
                ctx: &ctx,
                path: "/api/v2/tickets",
                q: &q,
                key: "tickets",
            }
            .offset(render_ids(&ids), page, per_page, count)
        }
    };
    Ok(ok_json(StatusCode::OK, body))
}

async fn show_ticket(
    ctx: Ctx,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, ZendeskError> {
    let id = parse_id(&id)?;
    let ticket = lock(&ctx.account.data)
        .ticket(id)
        .ok_or(ZendeskError::NotFound)?;
    Ok(ok_json(
        StatusCode::OK,
        json!({"ticket": render::ticket(&ctx, &ticket)}),
    ))
}

fn audit(
    ctx: &Ctx,
    ticket: &Ticket,
    before: Option<&Value>,
    after: &Value,
    comment: Option<&Comment>,
    author: u64,
    now: i64,
) -> Value {
    let audit_id = comment.map_or(now.unsigned_abs(), |c| c.audit_id);
    let mut events = Vec::new();
    if let Some(c) = comment {
        let mut event = render::comment(ctx, c);
        if let Value::Object(map) = &mut event {
            map.remove("via");
            map.remove("created_at");
            map.remove("metadata");
        }
        events.push(event);
    }
    for field in [
        "subject",
        "status",
        "priority",
        "type",
        "assignee_id",
        "group_id",
        "organization_id",
        "requester_id",
        "tags",
        "due_at",
    ] {
        let new = after.get(field).cloned().unwrap_or(Value::Null);
        match before {
            None => events.push(json!({"id": audit_id + events.len() as u64, "type": "Create", "field_name": field, "value": new})),
            Some(old) => {
                let old = old.get(field).cloned().unwrap_or(Value::Null);
                if old != new {
                    events.push(json!({"id": audit_id + events.len() as u64, "type": "Change", "field_name": field, "value": new, "previous_value": old}));
                }
            }
        }
    }
    json!({
        "id": audit_id,
        "ticket_id": ticket.id,
        "created_at": render::timestamp(now),
        "author_id": author,
        "metadata": {"system": {}, "custom": {}},
        "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": null}},
        "events": events,
    })
}

async fn create_ticket(
    ctx: Ctx,
    Staff(caller): Staff,
    body: Bytes,
) -> Result<Response, ZendeskError> {
    let input = ticket_object(&body)?;
    let now = ctx.now_secs();
    let mut data = lock(&ctx.account.data);
    let mut ticket = Ticket {
        id: 0,
        external_id: None,
        channel: Channel::Name("api"),
        created_at: now,
        updated_at: now,
        kind: None,
        subject: String::new(),
        description: String::new(),
        priority: None,
        status: Status::New,
        recipient: None,
        requester_id: caller.user.id,
        submitter_id: caller.user.id,
        assignee_id: None,
        organization_id: None,
        group_id: None,
        collaborator_ids: Vec::new(),
        follower_ids: Vec::new(),
        problem_id: None,
        due_at: None,
        tags: Vec::new(),
        custom_fields: Vec::new(),
        satisfaction: Satisfaction::Unoffered,
        is_public: true,
        brand_id: BRAND_ID,
    };
    let comment = apply(&data, &mut ticket, &input, true, now)?;
    if !input.contains_key("organization_id") {
        ticket.organization_id = data
            .user(ticket.requester_id)
            .and_then(|u| u.organization_id);
    }
    if ticket.subject.is_empty() {
        // Zendesk derives a missing subject from the description.
        ticket.subject = ticket.description.chars().take(80).collect();
    }
    ticket.id = data.tickets.allocate_id();
    let stored = comment.map(|c| store_comment(&mut data, ticket.id, c, ticket.submitter_id, now));
    if let Some(c) = &stored {
        ticket.description = c.body.clone();
    }
    data.tickets.put(ticket.id, ticket.clone());
    announce(&ctx, data, &Change::created(&ticket, caller.user.id));
    let rendered = render::ticket(&ctx, &ticket);
    let audit = audit(
        &ctx,
        &ticket,
        None,
        &rendered,
        stored.as_ref(),
        caller.user.id,
        now,
    );
    let location = ctx.url(&format!("/api/v2/tickets/{}.json", ticket.id));
    let mut response = ok_json(
        StatusCode::CREATED,
        json!({"ticket": rendered, "audit": audit}),
    );
    if let Ok(value) = location.parse() {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

async fn update_ticket(
    ctx: Ctx,
    Staff(caller): Staff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ZendeskError> {
    let id = parse_id(&id)?;
    let input = ticket_object(&body)?;
    let now = ctx.now_secs();
    let mut data = lock(&ctx.account.data);
    let mut ticket = data.ticket(id).ok_or(ZendeskError::NotFound)?;
    let original = ticket.clone();
    let before = render::ticket(&ctx, &ticket);
    let comment = apply(&data, &mut ticket, &input, false, now)?;
    let stored = comment.map(|c| store_comment(&mut data, ticket.id, c, caller.user.id, now));
    data.tickets.put(ticket.id, ticket.clone());
    let change = Change::updated(&original, &ticket, stored.as_ref(), caller.user.id);
    announce(&ctx, data, &change);
    let rendered = render::ticket(&ctx, &ticket);
    let audit = audit(
        &ctx,
        &ticket,
        Some(&before),
        &rendered,
        stored.as_ref(),
        caller.user.id,
        now,
    );
    Ok(ok_json(
        StatusCode::OK,
        json!({"ticket": rendered, "audit": audit}),
    ))
}

async fn delete_ticket(
    ctx: Ctx,
    Staff(caller): Staff,
    Path(id): Path<String>,
) -> Result<Response, ZendeskError> {
    let id = parse_id(&id)?;
    let now = ctx.now_secs();
    let mut data = lock(&ctx.account.data);
    let mut ticket = data.ticket(id).ok_or(ZendeskError::NotFound)?;
    let seed = data.seed.clone();
    data.tickets.delete(id, now, |i| seed.ticket(i));
    // The export reports a deleted ticket as updated when it was deleted; so do events.
    ticket.updated_at = now;
    announce(&ctx, data, &Change::deleted(&ticket, caller.user.id));
    Ok(StatusCode::NO_CONTENT.into_response())
}
