use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use deskgate_app::RequestContext;
use deskgate_app::api_keys::Authenticated;
use deskgate_core::TenantId;

use crate::middleware::request_id::RequestId;
use crate::{ApiError, AppState};

/// A request that carried a valid API key: the tenant comes only from here.
///
/// Every failure (no header, more than one, not `Bearer`, malformed, unknown, revoked,
/// expired) is the same 401, so a caller learns nothing about which keys exist. Two
/// `Authorization` headers are refused rather than one picked: a proxy on the way may pick
/// the other.
#[derive(Clone, Debug)]
pub struct AuthTenant {
    pub tenant: TenantId,
    pub ctx: RequestContext,
}

/// Set by the rate-limit middleware when the key it checked was refused, so that the key is
/// not checked twice.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KeyRefused;

/// The key a request presents: `Authorization: Bearer <key>`, in exactly one header.
pub(crate) fn presented_key(headers: &HeaderMap) -> Option<&str> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    values
        .next()
        .filter(|_| values.next().is_none())
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

impl FromRequestParts<AppState> for AuthTenant {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Matched routes pass the rate-limit middleware (`middleware/limits.rs`), which has
        // checked the key already.
        let Authenticated { tenant, key_id } = match parts.extensions.remove::<Authenticated>() {
            Some(checked) => checked,
            None if parts.extensions.get::<KeyRefused>().is_some() => {
                return Err(ApiError::unauthenticated());
            }
            None => {
                let presented =
                    presented_key(&parts.headers).ok_or_else(ApiError::unauthenticated)?;
                state.app.authenticate(presented).await?
            }
        };
        let request_id = parts.extensions.get::<RequestId>().map(|r| r.0.clone());
        let ctx = RequestContext {
            actor: deskgate_app::Actor::ApiKey { tenant, key_id },
            request_id,
        };
        Ok(Self { tenant, ctx })
    }
}
