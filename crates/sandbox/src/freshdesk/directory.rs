//! The directory: agents (`/agents/me`, `/agents`, `/agents/{id}`), contacts (`/contacts`
//! with the `email`, `company_id` and `_updated_since` filters, `/contacts/{id}`),
//! companies and groups. Lists are in id order and paged like every list.

use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use axum::{Json, Router};
use serde_json::Value;

use super::account::Data;
use super::auth::Caller;
use super::context::Ctx;
use super::errors::{FieldError, FreshdeskError};
use super::paging::{Checked, Page, respond};
use super::record_id::RecordId;
use super::render;
use crate::collection::{Collection, Filter};
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/api/v2/agents/me", get(show_me))
        .route(
            "/api/v2/agents",
            listed("/api/v2/agents", |d| &d.agents, Data::agent, render::agent),
        )
        .route("/api/v2/agents/{id}", shown(Data::agent, render::agent))
        .route("/api/v2/contacts", get(list_contacts))
        .route(
            "/api/v2/contacts/{id}",
            shown(Data::contact, render::contact),
        )
        .route(
            "/api/v2/companies",
            listed(
                "/api/v2/companies",
                |d| &d.companies,
                Data::company,
                render::company,
            ),
        )
        .route(
            "/api/v2/companies/{id}",
            shown(Data::company, render::company),
        )
        .route(
            "/api/v2/groups",
            listed("/api/v2/groups", |d| &d.groups, Data::group, render::group),
        )
        .route("/api/v2/groups/{id}", shown(Data::group, render::group))
}

/// `GET` of a list without filters, in id order.
fn listed<T: Clone + 'static>(
    path: &'static str,
    collection: fn(&Data) -> &Collection<T>,
    fetch: fn(&Data, u64) -> Option<T>,
    render: fn(&T) -> Value,
) -> MethodRouter<Sandbox> {
    get(move |ctx: Ctx, _: Caller, q: QueryParams| async move {
        let mut checked = Checked::new(&q, &[]);
        let page = checked.page(&q);
        checked.finish()?;
        let data = lock(&ctx.account.data);
        let (items, has_next) =
            page_of(collection(&data), page, None, |id| fetch(&data, id), render);
        drop(data);
        Ok::<_, FreshdeskError>(respond(&ctx, path, &q, page, items, has_next))
    })
}

/// `GET` of one record, or the bare 404.
fn shown<T: 'static>(
    fetch: fn(&Data, u64) -> Option<T>,
    render: fn(&T) -> Value,
) -> MethodRouter<Sandbox> {
    get(
        move |ctx: Ctx, _: Caller, RecordId(id): RecordId| async move {
            fetch(&lock(&ctx.account.data), id)
                .map(|record| Json(render(&record)).into_response())
                .ok_or(FreshdeskError::NotFound)
        },
    )
}

/// One page of a collection in id order, and whether another follows.
fn page_of<T: Clone>(
    collection: &Collection<T>,
    page: Page,
    filter: Filter<'_>,
    fetch: impl Fn(u64) -> Option<T>,
    render: impl Fn(&T) -> Value,
) -> (Vec<Value>, bool) {
    let mut ids = collection.ids_at_offset(page.skip(), page.limit() + 1, filter);
    let has_next = ids.len() > page.limit();
    ids.truncate(page.limit());
    let items = ids
        .into_iter()
        .filter_map(fetch)
        .map(|r| render(&r))
        .collect();
    (items, has_next)
}

async fn show_me(Caller(agent): Caller) -> Response {
    Json(render::agent(&agent)).into_response()
}

async fn list_contacts(ctx: Ctx, _c: Caller, q: QueryParams) -> Result<Response, FreshdeskError> {
    let mut checked = Checked::new(&q, &["email", "company_id", "_updated_since"]);
    let page = checked.page(&q);
    let company_id = q.get("company_id").and_then(|c| match c.parse::<u64>() {
        Ok(id) => Some(id),
        Err(_) => {
            checked.errors.push(FieldError::mismatch(
                "company_id",
                "String",
                "Positive Integer",
            ));
            None
        }
    });
    let since = q.get("_updated_since").and_then(|t| {
        let parsed = crate::timestamp::parse(t);
        if parsed.is_none() {
            checked.errors.push(FieldError::new(
                "_updated_since",
                "It should be in the 'valid date time' format",
                "invalid_value",
            ));
        }
        parsed
    });
    checked.finish()?;
    let email = q.get("email").map(str::to_owned);
    let data = lock(&ctx.account.data);
    let by_email = email
        .as_deref()
        .map(|e| data.contact_by_email(e).map(|c| c.id));
    let keep = |id: u64| {
        by_email.is_none_or(|found| found == Some(id))
            && data.contact(id).is_some_and(|c| {
                company_id.is_none_or(|co| c.company_id == Some(co))
                    && since.is_none_or(|at| c.updated_at >= at)
            })
    };
    let (items, has_next) = match by_email {
        // An email names at most one contact: no need to walk the rest.
        Some(found) => {
            let items: Vec<Value> = found
                .filter(|id| keep(*id) && page.page == 1)
                .and_then(|id| data.contact(id))
                .map(|c| render::contact(&c))
                .into_iter()
                .collect();
            (items, false)
        }
        None if company_id.is_none() && since.is_none() => page_of(
            &data.contacts,
            page,
            None,
            |id| data.contact(id),
            render::contact,
        ),
        None => page_of(
            &data.contacts,
            page,
            Some(&keep),
            |id| data.contact(id),
            render::contact,
        ),
    };
    drop(data);
    Ok(respond(&ctx, "/api/v2/contacts", &q, page, items, has_next))
}
