//! Zendesk's OAuth endpoints on the account host:
//! - `GET /oauth/authorizations/new`: auto-approves as the account's admin and redirects
//!   (302) to the registered `redirect_uri` with `code` and `state`; honours PKCE S256.
//! - `POST /oauth/tokens` (JSON body): `authorization_code`, `refresh_token` (rotating) and
//!   `client_credentials`.
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
    ACCESS_DEFAULT_SECS, ACCESS_MAX_SECS, ACCESS_MIN_SECS, CodeOutcome, Issued, Lifetimes, NewCode,
    REFRESH_DEFAULT_SECS, REFRESH_MAX_SECS, REFRESH_MIN_SECS, RefreshOutcome,
};
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/oauth/authorizations/new", get(authorize))
        .route("/oauth/tokens", post(create_token))
        .route(
            "/api/v2/oauth/tokens/current",
            get(show_current_token).delete(revoke_current_token),
        )
}

/// Whether `uri` matches a registered redirect URI: exactly, or, for loopback hosts, on
/// everything but the port (RFC 8252 §7.3), since a local callback's port varies per run.
fn redirect_allowed(registered: &[String], uri: &str) -> bool {
    let Ok(candidate) = url::Url::parse(uri) else {
        return false;
    };
    registered.iter().any(|r| {
        if r == uri {
            return true;
        }
        let Ok(reg) = url::Url::parse(r) else {
            return false;
        };
        let loopback = matches!(reg.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        loopback
            && reg.scheme() == candidate.scheme()
            && reg.host_str() == candidate.host_str()
            && reg.path() == candidate.path()
            && reg.query() == candidate.query()
    })
}

fn redirect_with(uri: &str, pairs: &[(&str, &str)]) -> Response {
    match url::Url::parse(uri) {
        Ok(mut url) => {
            {
                let mut query = url.query_pairs_mut();
                for (k, v) in pairs {
                    query.append_pair(k, v);
                }
            }
            // 302 Found, the status of Zendesk's authorization redirect.
            match http::HeaderValue::from_str(url.as_str()) {
                Ok(location) => {
                    (StatusCode::FOUND, [(http::header::LOCATION, location)]).into_response()
                }
                Err(_) => ZendeskError::invalid_request("The redirect uri included is not valid.")
                    .into_response(),
            }
        }
        Err(_) => {
            ZendeskError::invalid_request("The redirect uri included is not valid.").into_response()
        }
    }
}

async fn authorize(ctx: Ctx, q: QueryParams) -> Response {
    let client_id = q.get("client_id").unwrap_or_default();
    let redirect_uri = q.get("redirect_uri").unwrap_or_default();
    if client_id != ctx.account.client.identifier {
        return ZendeskError::invalid_client().into_response();
    }
    let registered = lock(&ctx.account.settings).redirect_uris.clone();
    if !redirect_allowed(&registered, redirect_uri) {
        // Never redirect to an unregistered URI: answer on the spot.
        return ZendeskError::invalid_request("The redirect uri included is not valid.")
            .into_response();
    }
    let mut errors: Vec<(&str, &str)> = Vec::new();
    if let Some(state) = q.get("state") {
        errors.push(("state", state));
    }
    if q.get("response_type") != Some("code") {
        errors.insert(0, ("error", "unsupported_response_type"));
        return redirect_with(redirect_uri, &errors);
    }
    let scope = q.get("scope").unwrap_or("").trim();
    if scope.is_empty() {
        errors.insert(0, ("error", "invalid_scope"));
        return redirect_with(redirect_uri, &errors);
    }
    let challenge = q.get("code_challenge").map(str::to_owned);
    if challenge.is_some() && q.get("code_challenge_method") != Some("S256") {
        errors.insert(0, ("error", "invalid_request"));
        return redirect_with(redirect_uri, &errors);
    }
    let code = lock(&ctx.account.tokens).issue_code(
        NewCode {
            client_id,
            redirect_uri,
            scope,
            code_challenge: challenge,
            user_id: USER_BASE + ADMIN_INDEX,
        },
        ctx.now_secs(),
    );
    let mut pairs = vec![("code", code.as_str())];
    if let Some(state) = q.get("state") {
        pairs.push(("state", state));
    }
    redirect_with(redirect_uri, &pairs)
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
