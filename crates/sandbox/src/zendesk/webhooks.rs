//! The Webhooks API subset: `POST /api/v2/webhooks`, `GET /api/v2/webhooks`,
//! `GET`/`DELETE /api/v2/webhooks/{id}` and `GET /api/v2/webhooks/{id}/signing_secret`.
//! Admins only, as in Zendesk; OAuth tokens need `webhooks:read`/`webhooks:write` (or the
//! broad `read`/`write`). Which events reach a webhook, and how, is `ticket_events.rs`
//! and `webhook_delivery.rs`.

use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use http::StatusCode;
use serde_json::{Value, json};

use super::auth::{Caller, Staff};
use super::context::Ctx;
use super::errors::ZendeskError;
use super::records::Role;
use super::tickets::ok_json;
use super::webhook_input::parse;
use super::webhook_store::Webhook;
use crate::lock::lock;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/api/v2/webhooks", get(list_webhooks).post(create_webhook))
        .route(
            "/api/v2/webhooks/{id}",
            get(show_webhook).delete(delete_webhook),
        )
        .route(
            "/api/v2/webhooks/{id}/signing_secret",
            get(show_signing_secret),
        )
}

/// Webhooks are an admin's business; agents get the usual 403.
fn admin(caller: &Caller) -> Result<(), ZendeskError> {
    if caller.user.role == Role::Admin {
        Ok(())
    } else {
        Err(ZendeskError::Forbidden)
    }
}

/// 404 in the Webhooks API's error shape (not recorded; the `Errors` schema).
fn not_found(id: &str) -> ZendeskError {
    ZendeskError::Api {
        status: StatusCode::NOT_FOUND,
        code: "WebhookNotFound",
        title: "Webhook not found".to_owned(),
        detail: Some(format!("no webhook with id {id}")),
        pointer: None,
    }
}

async fn create_webhook(
    ctx: Ctx,
    Staff(caller): Staff,
    body: Bytes,
) -> Result<Response, ZendeskError> {
    admin(&caller)?;
    let webhook = parse(&body, ctx.clock.now().timestamp_millis(), caller.user.id)?;
    let value = webhook.render();
    lock(&ctx.account.webhooks).insert(webhook);
    Ok(ok_json(StatusCode::CREATED, json!({ "webhook": value })))
}

async fn list_webhooks(ctx: Ctx, Staff(caller): Staff) -> Result<Response, ZendeskError> {
    admin(&caller)?;
    let webhooks: Vec<Value> = lock(&ctx.account.webhooks)
        .all()
        .map(Webhook::render)
        .collect();
    Ok(ok_json(
        StatusCode::OK,
        json!({
            "webhooks": webhooks,
            "meta": {"has_more": false, "after_cursor": null, "before_cursor": null},
            "links": {"next": null, "prev": null},
        }),
    ))
}

/// What `read` makes of the webhook `id`, or its 404.
fn with_webhook<T>(
    ctx: &Ctx,
    id: &str,
    read: impl FnOnce(&Webhook) -> T,
) -> Result<T, ZendeskError> {
    lock(&ctx.account.webhooks)
        .get(id)
        .map(read)
        .ok_or_else(|| not_found(id))
}

async fn show_webhook(
    ctx: Ctx,
    Staff(caller): Staff,
    Path(id): Path<String>,
) -> Result<Response, ZendeskError> {
    admin(&caller)?;
    let value = with_webhook(&ctx, &id, Webhook::render)?;
    Ok(ok_json(StatusCode::OK, json!({ "webhook": value })))
}

async fn delete_webhook(
    ctx: Ctx,
    Staff(caller): Staff,
    Path(id): Path<String>,
) -> Result<Response, ZendeskError> {
    admin(&caller)?;
    lock(&ctx.account.webhooks)
        .remove(&id)
        .ok_or_else(|| not_found(&id))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn show_signing_secret(
    ctx: Ctx,
    Staff(caller): Staff,
    Path(id): Path<String>,
) -> Result<Response, ZendeskError> {
    admin(&caller)?;
    let secret = with_webhook(&ctx, &id, |w| w.secret.clone())?;
    Ok(ok_json(
        StatusCode::OK,
        json!({"signing_secret": {"algorithm": "SHA256", "secret": secret}}),
    ))
}
