//! Zendesk's OAuth endpoints on the account host:
//! - `GET /oauth/authorizations/new` (in `authorize`): checks the client, the registered
//!   `redirect_uri`, `response_type`, scope and the PKCE method, then shows a consent page
//!   as the account's admin with Approve and Deny. Nothing is issued until the page's form
//!   is posted to `POST /oauth/authorizations` with its one-time consent token: Approve
//!   redirects (302) to the `redirect_uri` with `code` and `state`, Deny with
//!   `error=access_denied` and `state`.
//! - `POST /oauth/tokens` (JSON body, here): `authorization_code` (checks the PKCE
//!   verifier against the code's S256 challenge), `refresh_token` (rotating; presenting a
//!   rotated token revokes the grant and is counted) and `client_credentials`.
//! - `GET|DELETE /api/v2/oauth/tokens/current`: show or revoke the bearer token in use.
//!
//! OAuth error bodies follow RFC 6749 §5.2 with the descriptions of the Doorkeeper library
//! whose `invalid_token` text Zendesk is reported to send; Zendesk does not document them.

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::account::sha;
use super::auth::Member;
use super::context::Ctx;
use super::errors::ZendeskError;
use super::render;
use super::seed::{ADMIN_INDEX, USER_BASE};
use super::tickets::ok_json;
use super::tokens::{
    ACCESS_DEFAULT_SECS, ACCESS_MAX_SECS, ACCESS_MIN_SECS, CodeOutcome, Issued, Lifetimes,
    REFRESH_DEFAULT_SECS, REFRESH_MAX_SECS, REFRESH_MIN_SECS, RefreshOutcome,
};
use crate::lock::lock;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/oauth/tokens", post(create_token))
        .route(
            "/api/v2/oauth/tokens/current",
            get(show_current_token).delete(revoke_current_token),
        )
}

#[derive(Debug, Deserialize)]
struct TokenRequest {
    grant_type: Option<String>,
    code: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
    scope: Option<String>,
    expires_in: Option<i64>,
    refresh_token_expires_in: Option<i64>,
}

/// Validates requested lifetimes against Zendesk's bounds: access 300 s to 172,800 s and
/// below the refresh lifetime; refresh 604,800 s (or the access lifetime) to 7,776,000 s.
/// The reference gives the bounds but not the error for values outside them; the sandbox
/// refuses them rather than clamping, so a client cannot rely on leniency.
fn lifetimes(request: &TokenRequest) -> Result<Lifetimes, ZendeskError> {
    let refresh = request
        .refresh_token_expires_in
        .unwrap_or(REFRESH_DEFAULT_SECS);
    let access = request
        .expires_in
        .unwrap_or(ACCESS_DEFAULT_SECS.min(refresh));
    let refresh_floor = request
        .expires_in
        .map_or(REFRESH_MIN_SECS, |a| a.min(REFRESH_MIN_SECS));
    if !(refresh_floor..=REFRESH_MAX_SECS).contains(&refresh) {
        return Err(ZendeskError::invalid_request(
            "refresh_token_expires_in is out of range.",
        ));
    }
    if !(ACCESS_MIN_SECS..=ACCESS_MAX_SECS).contains(&access) || access > refresh {
        return Err(ZendeskError::invalid_request("expires_in is out of range."));
    }
    Ok(Lifetimes { access, refresh })
}

fn token_body(issued: &Issued) -> serde_json::Value {
    let mut body = json!({
        "access_token": issued.access_token,
        "token_type": "bearer",
        "scope": issued.scope,
        "expires_in": issued.expires_in,
    });
    if let (Some(refresh), Some(ttl)) = (&issued.refresh_token, issued.refresh_token_expires_in) {
        body["refresh_token"] = json!(refresh);
        body["refresh_token_expires_in"] = json!(ttl);
    }
    body
}

async fn create_token(ctx: Ctx, body: Bytes) -> Result<Response, ZendeskError> {
    // The token endpoint takes JSON only [ZD-OAS `CreateTokenForGrantType`].
    let request: TokenRequest = serde_json::from_slice(&body)
        .map_err(|_| ZendeskError::invalid_request("The request body must be a JSON object."))?;
    {
        let mut counters = lock(&ctx.account.counters);
        match request.grant_type.as_deref() {
            Some("authorization_code") => counters.token_authorization_code += 1,
            Some("refresh_token") => counters.token_refresh_token += 1,
            Some("client_credentials") => counters.token_client_credentials += 1,
            _ => counters.token_other += 1,
        }
    }
    let client_id = request.client_id.as_deref().unwrap_or_default();
    if client_id != ctx.account.client.identifier {
        return Err(ZendeskError::invalid_client());
    }
    let secret_ok = match &request.client_secret {
        Some(secret) if sha(secret) == ctx.account.client.secret_digest => true,
        Some(_) => return Err(ZendeskError::invalid_client()),
        None => false,
    };
    let now = ctx.now_secs();
    let issued = match request.grant_type.as_deref() {
        Some("authorization_code") => {
            let lifetimes = lifetimes(&request)?;
            let code = request
                .code
                .as_deref()
                .ok_or_else(ZendeskError::invalid_grant)?;
            let mut tokens = lock(&ctx.account.tokens);
            match tokens.redeem_code(
                code,
                client_id,
                request.redirect_uri.as_deref(),
                request.code_verifier.as_deref(),
                secret_ok,
                now,
            ) {
                CodeOutcome::Ok { grant, scope } => {
                    tokens.issue(grant, &scope, lifetimes, true, now)
                }
                CodeOutcome::Invalid | CodeOutcome::Replayed => {
                    return Err(ZendeskError::invalid_grant());
                }
            }
        }
        Some("refresh_token") => {
            let lifetimes = lifetimes(&request)?;
            let token = request
                .refresh_token
                .as_deref()
                .ok_or_else(ZendeskError::invalid_grant)?;
            let mut tokens = lock(&ctx.account.tokens);
            let (public_client, granted) = tokens
                .peek_refresh(token)
                .ok_or_else(ZendeskError::invalid_grant)?;
            if !secret_ok && !public_client {
                return Err(ZendeskError::invalid_client());
            }
            let scope = match request
                .scope
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                Some(narrower)
                    if narrower
                        .split(' ')
                        .all(|s| granted.split(' ').any(|g| g == s)) =>
                {
                    Some(narrower.to_owned())
                }
                Some(_) => {
                    return Err(ZendeskError::OAuth {
                        status: StatusCode::BAD_REQUEST,
                        error: "invalid_scope",
                        description: "The requested scope is invalid, unknown, or malformed.",
                    });
                }
                None => None,
            };
            match tokens.rotate(token, client_id, now) {
                RefreshOutcome::Ok {
                    grant,
                    scope: granted,
                } => tokens.issue(
                    grant,
                    scope.as_deref().unwrap_or(&granted),
                    lifetimes,
                    true,
                    now,
                ),
                RefreshOutcome::Reused => {
                    drop(tokens);
                    lock(&ctx.account.counters).refresh_token_reuse_detected += 1;
                    return Err(ZendeskError::invalid_grant());
                }
                RefreshOutcome::Invalid => return Err(ZendeskError::invalid_grant()),
            }
        }
        Some("client_credentials") => {
            if !secret_ok {
                return Err(ZendeskError::invalid_client());
            }
            let scope = request
                .scope
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or(ZendeskError::OAuth {
                    status: StatusCode::BAD_REQUEST,
                    error: "invalid_scope",
                    description: "The requested scope is invalid, unknown, or malformed.",
                })?;
            let access = request.expires_in.unwrap_or(ACCESS_DEFAULT_SECS);
            if !(ACCESS_MIN_SECS..=ACCESS_MAX_SECS).contains(&access) {
                return Err(ZendeskError::invalid_request("expires_in is out of range."));
            }
            let mut tokens = lock(&ctx.account.tokens);
            let grant = tokens.new_grant(client_id, USER_BASE + ADMIN_INDEX, scope, false);
            tokens.issue(
                grant,
                scope,
                Lifetimes {
                    access,
                    refresh: access,
                },
                false,
                now,
            )
        }
        _ => {
            return Err(ZendeskError::OAuth {
                status: StatusCode::BAD_REQUEST,
                error: "unsupported_grant_type",
                description: "The authorization grant type is not supported by the authorization server.",
            });
        }
    };
    Ok(ok_json(StatusCode::CREATED, token_body(&issued)))
}

async fn show_current_token(ctx: Ctx, Member(caller): Member) -> Result<Response, ZendeskError> {
    let identity = caller.bearer.ok_or(ZendeskError::NotFound)?;
    Ok(ok_json(
        StatusCode::OK,
        json!({"token": {
            "id": identity.token_id,
            "url": ctx.url(&format!("/api/v2/oauth/tokens/{}.json", identity.token_id)),
            "client_id": identity.client_id,
            "user_id": identity.user_id,
            "token": identity.prefix,
            "refresh_token": null,
            "scopes": identity.scope.split(' ').collect::<Vec<_>>(),
            "created_at": render::timestamp(identity.created_at),
            "expires_at": render::timestamp(identity.expires_at),
            "used_at": render::timestamp(ctx.now_secs()),
        }}),
    ))
}

async fn revoke_current_token(ctx: Ctx, Member(caller): Member) -> Result<Response, ZendeskError> {
    let identity = caller.bearer.ok_or(ZendeskError::NotFound)?;
    lock(&ctx.account.tokens).revoke_access(identity.token_id);
    Ok(StatusCode::NO_CONTENT.into_response())
}
