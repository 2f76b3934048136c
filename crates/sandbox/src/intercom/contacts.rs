//! Contacts: `GET /contacts` (creation order, cursor pages of `per_page`, default 50, at
//! most 150), `GET /contacts/{id}` and `POST /contacts/search`.
//!
//! Contact search matches dates by calendar day (UTC: the sandbox's workspaces are on UTC)
//! and sorts by `sort {field, order}` on `created_at`, `updated_at` or `signed_up_at`
//! (default `created_at` ascending), with keyset cursors like every other search.

use axum::extract::Path;
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::{Value, json};

use super::body;
use super::context::{Ctx, require};
use super::errors::{Answer, IntercomError};
use super::paging::{Page, decode};
use super::records::Contact;
use super::render;
use super::scope::Scope;
use super::search::{FieldValue, Kind, SearchRequest};
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

/// `GET /contacts`' and contact search's default page size (the reference: 50).
const CONTACTS_PER_PAGE: usize = 50;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/contacts", get(list_contacts))
        .route("/contacts/search", post(search_contacts))
        .route("/contacts/{id}", get(show_contact))
}

/// Contacts in creation order, in cursor pages of `per_page` (default 50, at most 150).
async fn list_contacts(ctx: Ctx, q: QueryParams) -> Answer {
    require(&ctx, Scope::ReadUsersCompanies)?;
    let per_page = super::paging::per_page(
        q.get("per_page")
            .map(|v| Value::String(v.to_owned()))
            .as_ref(),
        CONTACTS_PER_PAGE,
    )?;
    let after = q.get("starting_after").map(decode).transpose()?;
    let data = lock(&ctx.account.data);
    let page = Page::collect(
        data.contacts
            .iter()
            .enumerate()
            .map(|(i, c)| ((c.created_at, i as u64), c)),
        after,
        per_page,
    );
    let contacts: Vec<Value> = page
        .items
        .iter()
        .map(|c| render::contact(c, &ctx.account.workspace_id))
        .collect();
    Ok(Json(json!({
        "type": "list",
        "data": contacts,
        "total_count": page.total,
        "pages": page.pages(),
    })))
}

/// The searchable contact fields the sandbox's contacts have values for.
fn contact_field(field: &str) -> Option<Kind> {
    Some(match field {
        "id" | "role" | "name" | "email" | "email_domain" | "external_id" | "phone" => Kind::Text,
        "created_at" | "updated_at" | "signed_up_at" => Kind::Day,
        "unsubscribed_from_emails" | "marked_email_as_spam" | "has_hard_bounced" => Kind::Boolean,
        _ => return None,
    })
}

fn contact_value(c: &Contact, field: &str) -> FieldValue {
    let text = |s: &str| FieldValue::Text(s.to_owned());
    match field {
        "id" => text(&c.id),
        "role" => text("user"),
        "name" => text(&c.name),
        "email" => text(&c.email),
        "email_domain" => c
            .email
            .split_once('@')
            .map_or(FieldValue::Absent, |(_, d)| text(d)),
        "external_id" => c.external_id.as_deref().map_or(FieldValue::Absent, text),
        "created_at" | "signed_up_at" => FieldValue::Number(c.created_at),
        "updated_at" => FieldValue::Number(c.updated_at),
        "unsubscribed_from_emails" | "marked_email_as_spam" | "has_hard_bounced" => {
            FieldValue::Boolean(false)
        }
        _ => FieldValue::Absent,
    }
}

async fn search_contacts(ctx: Ctx, body: Bytes) -> Answer {
    require(&ctx, Scope::ReadUsersCompanies)?;
    let body = Value::Object(body::object(&body)?);
    let search = SearchRequest::parse(&body, &contact_field, CONTACTS_PER_PAGE)?;
    let (field, ascending) = search
        .sort
        .clone()
        .unwrap_or_else(|| ("created_at".to_owned(), true));
    if !matches!(field.as_str(), "created_at" | "updated_at" | "signed_up_at") {
        return Err(IntercomError::invalid(format!("Cannot sort by {field}")));
    }
    let data = lock(&ctx.account.data);
    // Keys ascend in the requested order, so one keyset walk serves both directions.
    let mut matches: Vec<_> = data
        .contacts
        .iter()
        .enumerate()
        .filter(|(_, c)| search.query.matches(&|f| contact_value(c, f)))
        .map(|(i, c)| {
            let v = if field == "updated_at" {
                c.updated_at
            } else {
                c.created_at
            };
            let key = if ascending {
                (v, i as u64)
            } else {
                (-v, u64::MAX - i as u64)
            };
            (key, c)
        })
        .collect();
    matches.sort_by_key(|(key, _)| *key);
    let page = Page::collect(matches.into_iter(), search.starting_after, search.per_page);
    let contacts: Vec<Value> = page
        .items
        .iter()
        .map(|c| render::contact(c, &ctx.account.workspace_id))
        .collect();
    Ok(Json(json!({
        "type": "list",
        "data": contacts,
        "total_count": page.total,
        "pages": page.pages(),
    })))
}

async fn show_contact(ctx: Ctx, Path(id): Path<String>) -> Answer {
    require(&ctx, Scope::ReadUsersCompanies)?;
    let data = lock(&ctx.account.data);
    data.contact(&id)
        .map(|c| Json(render::contact(c, &ctx.account.workspace_id)))
        .ok_or_else(|| IntercomError::not_found("User Not Found"))
}
