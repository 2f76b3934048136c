//! Authentication and authorization of API requests: API-token basic auth
//! (`{email}/token:{token}`), OAuth bearer tokens with their scopes, and roles.
//!
//! Handlers take [`Staff`] (agents and admins; Zendesk answers end users with 403) or
//! [`Member`] (any authenticated user, for `/users/me` and the current-token endpoints).

use axum::extract::FromRequestParts;
use http::request::Parts;
use http::{Method, header};

use super::account::sha;
use super::context::Ctx;
use super::errors::ZendeskError;
use super::records::User;
use super::tokens::BearerIdentity;
use crate::lock::lock;

#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) user: User,
    pub(crate) bearer: Option<BearerIdentity>,
}

/// An authenticated agent or admin whose token (if OAuth) has the scope for the request.
#[derive(Debug, Clone)]
pub(crate) struct Staff(pub(crate) Caller);

/// Any authenticated user.
#[derive(Debug, Clone)]
pub(crate) struct Member(pub(crate) Caller);

fn authenticate(ctx: &Ctx, parts: &Parts) -> Result<Caller, ZendeskError> {
    let header = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .ok_or(ZendeskError::Unauthorized)?;
    let (scheme, value) = header.split_once(' ').ok_or(ZendeskError::Unauthorized)?;
    let value = value.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        let identity = lock(&ctx.account.tokens)
            .authenticate(value, ctx.now_secs())
            .ok_or(ZendeskError::InvalidToken)?;
        let user = lock(&ctx.account.data)
            .user(identity.user_id)
            .ok_or(ZendeskError::InvalidToken)?;
        return Ok(Caller {
            user,
            bearer: Some(identity),
        });
    }
    // Only API tokens are accepted; email+password basic auth is off, as Zendesk recommends.
    let (login, token) = crate::basic_auth::credentials(parts).ok_or(ZendeskError::Unauthorized)?;
    let email = login
        .strip_suffix("/token")
        .ok_or(ZendeskError::Unauthorized)?;
    if !lock(&ctx.account.settings).token_access_enabled {
        return Err(ZendeskError::Unauthorized);
    }
    if sha(&token) != ctx.account.api_token_digest {
        return Err(ZendeskError::Unauthorized);
    }
    let user = lock(&ctx.account.data)
        .user_by_email(email)
        .ok_or(ZendeskError::Unauthorized)?;
    Ok(Caller { user, bearer: None })
}

/// The resource a path belongs to for OAuth scopes (`tickets:read` …); `None` for paths
/// that only the broad `read`/`write` scopes cover.
fn scope_resource(path: &str) -> Option<&'static str> {
    let rest = path.strip_prefix("/api/v2/")?;
    let mut segments = rest.split('/');
    match (segments.next(), segments.next()) {
        (Some("tickets" | "tags" | "uploads"), _)
        | (Some("incremental"), Some("tickets"))
        | (Some("autocomplete"), Some("tags")) => Some("tickets"),
        (Some("users"), _) | (Some("incremental"), Some("users")) => Some("users"),
        (Some("organizations"), _) => Some("organizations"),
        (Some("webhooks"), _) => Some("webhooks"),
        _ => None,
    }
}

pub(crate) fn scope_allows(scope: &str, method: &Method, path: &str) -> bool {
    let write = !matches!(*method, Method::GET | Method::HEAD);
    let access = if write { "write" } else { "read" };
    let resource = scope_resource(path);
    scope
        .split(' ')
        .any(|s| s == access || resource.is_some_and(|r| s.split_once(':') == Some((r, access))))
}

fn check_scope(caller: &Caller, parts: &Parts) -> Result<(), ZendeskError> {
    match &caller.bearer {
        Some(identity) if !scope_allows(&identity.scope, &parts.method, parts.uri.path()) => {
            Err(ZendeskError::Forbidden)
        }
        _ => Ok(()),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = ZendeskError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .map_err(|_| ZendeskError::InvalidEndpoint)?;
        let caller = authenticate(&ctx, parts)?;
        if !caller.user.role.is_staff() {
            return Err(ZendeskError::Forbidden);
        }
        check_scope(&caller, parts)?;
        Ok(Self(caller))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Member {
    type Rejection = ZendeskError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .map_err(|_| ZendeskError::InvalidEndpoint)?;
        let caller = authenticate(&ctx, parts)?;
        if !parts.uri.path().starts_with("/api/v2/oauth/tokens/current") {
            check_scope(&caller, parts)?;
        }
        Ok(Self(caller))
    }
}
