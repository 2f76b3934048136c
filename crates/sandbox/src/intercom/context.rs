//! What the entry middleware hands to Intercom handlers: the workspace context
//! ([`crate::context::Ctx`] on a [`Workspace`]) and the admin whose token authenticated the
//! request, or, on the routes that take no token, which host the request came to.

use axum::extract::FromRequestParts;
use http::request::Parts;

use super::errors::IntercomError;
use super::scope::Scope;
use super::workspace::Workspace;
use crate::config::IntercomRegion;
use crate::lock::lock;
use crate::sandbox::Sandbox;

pub(crate) type Ctx = crate::context::Ctx<Workspace>;

/// The admin the request's token acts as.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller {
    pub(crate) admin_id: u64,
}

/// A request to the app host (`app.intercom.io`): the OAuth page.
#[derive(Debug, Clone)]
pub(crate) struct AppHost {
    /// `http://HOST/intercom/app` or `http://app.intercom.io`: where the page's form posts.
    pub(crate) base_url: String,
    pub(crate) sandbox: Sandbox,
}

/// A tokenless request to a regional API host (`POST /auth/eagle/token`).
#[derive(Debug, Clone)]
pub(crate) struct ApiHost {
    pub(crate) region: IntercomRegion,
    pub(crate) sandbox: Sandbox,
}

macro_rules! from_extension {
    ($t:ty) => {
        impl<S: Send + Sync> FromRequestParts<S> for $t {
            type Rejection = IntercomError;

            async fn from_request_parts(
                parts: &mut Parts,
                _state: &S,
            ) -> Result<Self, Self::Rejection> {
                parts
                    .extensions
                    .get::<$t>()
                    .cloned()
                    .ok_or_else(|| IntercomError::not_found("Resource Not Found"))
            }
        }
    };
}

from_extension!(Caller);
from_extension!(AppHost);
from_extension!(ApiHost);

/// Refuses the request with 403 if the workspace's tokens lack `scope`.
pub(crate) fn require(ctx: &Ctx, scope: Scope) -> Result<(), IntercomError> {
    if lock(&ctx.account.settings).revoked.contains(&scope) {
        lock(&ctx.account.usage).forbidden += 1;
        return Err(IntercomError::missing_scope(scope));
    }
    Ok(())
}
