//! The workspace's directory: `GET /me`, admins, teams, companies (numbered pages) and tags
//! (including `POST /tags`, which creates or renames). Contacts live in `contacts.rs`.

use axum::extract::Path;
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::{Value, json};

use super::body::{self, id};
use super::context::{Caller, Ctx, require};
use super::errors::{Answer, IntercomError};
use super::records::Tag;
use super::render;
use super::scope::Scope;
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

/// `GET /companies`' default page size (the spec: 15); the sandbox's maximum is 60.
const COMPANIES_PER_PAGE: usize = 15;
const COMPANIES_MAX_PER_PAGE: u64 = 60;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/me", get(show_me))
        .route("/admins", get(list_admins))
        .route("/admins/{id}", get(show_admin))
        .route("/teams", get(list_teams))
        .route("/teams/{id}", get(show_team))
        .route("/companies", get(list_companies))
        .route("/companies/{id}", get(show_company))
        .route("/tags", get(list_tags).post(create_tag))
        .route("/tags/{id}", get(show_tag))
}

/// The admin the token belongs to, with the workspace (`admin_with_app`). Needs no
/// permission: every app may identify itself.
async fn show_me(ctx: Ctx, caller: Caller) -> Answer {
    let data = lock(&ctx.account.data);
    let admin = data
        .admin(caller.admin_id)
        .ok_or_else(IntercomError::unauthorized)?;
    let mut value = render::admin(admin);
    // `admin_with_app` differs from `admin`: an avatar object and `email_verified`.
    value["avatar"] = json!({"type": "avatar", "image_url": null});
    value["email_verified"] = json!(true);
    value["app"] = json!({
        "type": "app",
        "id_code": ctx.account.workspace_id,
        "name": ctx.account.config.name,
        "created_at": ctx.account.created_at - 400 * 86_400,
        "secure": false,
        "identity_verification": false,
        "timezone": "Etc/UTC",
        "region": ctx.account.config.region.label(),
    });
    Ok(Json(value))
}

async fn list_admins(ctx: Ctx) -> Answer {
    require(&ctx, Scope::ReadAdmins)?;
    let data = lock(&ctx.account.data);
    let admins: Vec<Value> = data.admins.iter().map(render::admin).collect();
    Ok(Json(json!({"type": "admin.list", "admins": admins})))
}

async fn show_admin(ctx: Ctx, Path(raw): Path<String>) -> Answer {
    require(&ctx, Scope::ReadAdmins)?;
    let data = lock(&ctx.account.data);
    raw.parse()
        .ok()
        .and_then(|id| data.admin(id))
        .map(|a| Json(render::admin(a)))
        .ok_or_else(|| IntercomError::missing("admin_not_found", "Admin not found"))
}

async fn list_teams(ctx: Ctx) -> Answer {
    require(&ctx, Scope::ReadAdmins)?;
    let data = lock(&ctx.account.data);
    let teams: Vec<Value> = data.teams.iter().map(render::team).collect();
    Ok(Json(json!({"type": "team.list", "teams": teams})))
}

async fn show_team(ctx: Ctx, Path(raw): Path<String>) -> Answer {
    require(&ctx, Scope::ReadAdmins)?;
    let data = lock(&ctx.account.data);
    raw.parse()
        .ok()
        .and_then(|id| data.team(id))
        .map(|t| Json(render::team(t)))
        .ok_or_else(|| IntercomError::missing("team_not_found", "Team not found"))
}

/// Companies in numbered pages (`page` from 1, `per_page` default 15). `pages.next` is
/// null: a client moves on by `page` until `total_pages`.
async fn list_companies(ctx: Ctx, q: QueryParams) -> Answer {
    require(&ctx, Scope::ReadUsersCompanies)?;
    let number = |name: &str, default: u64| -> Result<u64, IntercomError> {
        q.get(name).map_or(Ok(default), |v| {
            v.parse::<u64>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| IntercomError::invalid(format!("{name} must be a positive integer")))
        })
    };
    let page = number("page", 1)?;
    let per_page = number("per_page", COMPANIES_PER_PAGE as u64)?.min(COMPANIES_MAX_PER_PAGE);
    let data = lock(&ctx.account.data);
    let total = data.companies.len() as u64;
    let companies: Vec<Value> = data
        .companies
        .iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .map(|c| render::company(c, &ctx.account.workspace_id))
        .collect();
    Ok(Json(json!({
        "type": "list",
        "data": companies,
        "pages": {
            "type": "pages",
            "next": null,
            "page": page,
            "per_page": per_page,
            "total_pages": total.div_ceil(per_page),
        },
        "total_count": total,
    })))
}

async fn show_company(ctx: Ctx, Path(id): Path<String>) -> Answer {
    require(&ctx, Scope::ReadUsersCompanies)?;
    let data = lock(&ctx.account.data);
    data.company(&id)
        .map(|c| Json(render::company(c, &ctx.account.workspace_id)))
        .ok_or_else(|| IntercomError::missing("company_not_found", "Company Not Found"))
}

async fn list_tags(ctx: Ctx) -> Answer {
    require(&ctx, Scope::ReadTags)?;
    let data = lock(&ctx.account.data);
    let tags: Vec<Value> = data.tags.values().map(render::tag).collect();
    Ok(Json(json!({"type": "list", "data": tags})))
}

async fn show_tag(ctx: Ctx, Path(raw): Path<String>) -> Answer {
    require(&ctx, Scope::ReadTags)?;
    let data = lock(&ctx.account.data);
    raw.parse()
        .ok()
        .and_then(|id| data.tags.get(&id))
        .map(|t| Json(render::tag(t)))
        .ok_or_else(|| IntercomError::not_found("Resource Not Found"))
}

/// `{"name"}` creates a tag, or answers the existing one of that name; `{"name", "id"}`
/// renames tag `id`.
async fn create_tag(ctx: Ctx, body: Bytes) -> Answer {
    require(&ctx, Scope::WriteTags)?;
    let body = body::object(&body)?;
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| IntercomError::invalid("invalid tag parameters"))?;
    let mut data = lock(&ctx.account.data);
    if let Some(raw) = body.get("id") {
        let tag = id(raw)
            .and_then(|id| data.tags.get_mut(&id))
            .ok_or_else(|| IntercomError::missing("tag_not_found", "Tag not found"))?;
        tag.name = name.to_owned();
        return Ok(Json(render::tag(tag)));
    }
    if let Some(existing) = data.tags.values().find(|t| t.name == name) {
        return Ok(Json(render::tag(existing)));
    }
    let id = data.next_tag();
    let tag = Tag {
        id,
        name: name.to_owned(),
    };
    let value = render::tag(&tag);
    data.tags.insert(id, tag);
    Ok(Json(value))
}
