use axum::extract::FromRequestParts;
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

impl FromRequestParts<AppState> for AuthTenant {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let mut values = parts.headers.get_all(AUTHORIZATION).iter();
        let presented = values
            .next()
            .filter(|_| values.next().is_none())
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(ApiError::unauthenticated)?;
        let Authenticated { tenant, key_id } = state.app.authenticate(presented.trim()).await?;
        let request_id = parts.extensions.get::<RequestId>().map(|r| r.0.clone());
        let ctx = RequestContext {
            actor: deskgate_app::Actor::ApiKey { tenant, key_id },
            request_id,
        };
        Ok(Self { tenant, ctx })
    }
}
