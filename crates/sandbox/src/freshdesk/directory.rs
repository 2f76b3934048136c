//! The directory: agents (`/agents/me`, `/agents`, `/agents/{id}`), contacts (`/contacts`
//! with the `email`, `company_id` and `_updated_since` filters, `/contacts/{id}`),
//! companies and groups. Lists are in id order and paged like every list.

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use super::account::Data;
use super::auth::Caller;
use super::context::Ctx;
use super::errors::{FieldError, FreshdeskError};
use super::paging::{Page, check_params, respond};
use super::render;
use super::tickets::parse_id;
use crate::collection::{Collection, Filter};
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/api/v2/agents/me", get(show_me))
        .route("/api/v2/agents", get(list_agents))
        .route("/api/v2/agents/{id}", get(show_agent))
        .route("/api/v2/contacts", get(list_contacts))
        .route("/api/v2/contacts/{id}", get(show_contact))
        .route("/api/v2/companies", get(list_companies))
        .route("/api/v2/companies/{id}", get(show_company))
        .route("/api/v2/groups", get(list_groups))
        .route("/api/v2/groups/{id}", get(show_group))
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

/// A list endpoint without filters.
fn plain_list(
    ctx: &Ctx,
    q: &QueryParams,
    path: &str,
    pick: impl Fn(&Data, Page) -> (Vec<Value>, bool),
) -> Result<Response, FreshdeskError> {
    let mut errors = Vec::new();
    check_params(q, &[], &mut errors);
    let page = Page::parse(q, &mut errors);
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let (items, has_next) = pick(&lock(&ctx.account.data), page);
    Ok(respond(ctx, path, q, page, items, has_next))
}

fn one(value: Option<Value>) -> Result<Response, FreshdeskError> {
    value
        .map(|v| Json(v).into_response())
        .ok_or(FreshdeskError::NotFound)
}

async fn show_me(Caller(agent): Caller) -> Response {
    Json(render::agent(&agent)).into_response()
}

async fn list_agents(ctx: Ctx, _c: Caller, q: QueryParams) -> Result<Response, FreshdeskError> {
    plain_list(&ctx, &q, "/api/v2/agents", |data, page| {
        page_of(&data.agents, page, None, |id| data.agent(id), render::agent)
    })
}

async fn show_agent(
    ctx: Ctx,
    _c: Caller,
    Path(id): Path<String>,
) -> Result<Response, FreshdeskError> {
    let id = parse_id(&id)?;
    one(lock(&ctx.account.data).agent(id).map(|a| render::agent(&a)))
}

async fn list_companies(ctx: Ctx, _c: Caller, q: QueryParams) -> Result<Response, FreshdeskError> {
    plain_list(&ctx, &q, "/api/v2/companies", |data, page| {
        page_of(
            &data.companies,
            page,
            None,
            |id| data.company(id),
            render::company,
        )
    })
}

async fn show_company(
    ctx: Ctx,
    _c: Caller,
    Path(id): Path<String>,
) -> Result<Response, FreshdeskError> {
    let id = parse_id(&id)?;
    one(lock(&ctx.account.data)
        .company(id)
        .map(|c| render::company(&c)))
}

async fn list_groups(ctx: Ctx, _c: Caller, q: QueryParams) -> Result<Response, FreshdeskError> {
    plain_list(&ctx, &q, "/api/v2/groups", |data, page| {
        page_of(&data.groups, page, None, |id| data.group(id), render::group)
    })
}

async fn show_group(
    ctx: Ctx,
    _c: Caller,
    Path(id): Path<String>,
) -> Result<Response, FreshdeskError> {
    let id = parse_id(&id)?;
    one(lock(&ctx.account.data).group(id).map(|g| render::group(&g)))
}

async fn list_contacts(ctx: Ctx, _c: Caller, q: QueryParams) -> Result<Response, FreshdeskError> {
    let mut errors = Vec::new();
    check_params(&q, &["email", "company_id", "_updated_since"], &mut errors);
    let page = Page::parse(&q, &mut errors);
    let company_id = q.get("company_id").and_then(|c| match c.parse::<u64>() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push(FieldError::mismatch(
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
            errors.push(FieldError::new(
                "_updated_since",
                "It should be in the 'valid date time' format",
                "invalid_value",
            ));
        }
        parsed
    });
    if !errors.is_empty() {
        return Err(errors.into());
    }
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

async fn show_contact(
    ctx: Ctx,
    _c: Caller,
    Path(id): Path<String>,
) -> Result<Response, FreshdeskError> {
    let id = parse_id(&id)?;
    one(lock(&ctx.account.data)
        .contact(id)
        .map(|c| render::contact(&c)))
}
