//! The per-request context the entry middleware hands to handlers: which account, the base
//! URL the client used (for `url` fields and pagination links), and the clock.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use http::request::Parts;

use super::account::Account;
use super::errors::ZendeskError;
use crate::clock::Clock;

#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub(crate) account: Arc<Account>,
    /// `http://127.0.0.1:PORT/zendesk/acme` or `http://acme.zendesk.localhost:PORT`.
    pub(crate) base_url: String,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Ctx {
    pub(crate) fn now_secs(&self) -> i64 {
        self.clock.now().timestamp()
    }

    /// An absolute API URL for `path` (which starts with `/api/v2/`).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = ZendeskError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or(ZendeskError::InvalidEndpoint)
    }
}
