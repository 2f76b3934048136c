//! Authentication of API requests: `Authorization: Basic base64("{api_key}:X")`, any
//! password. A key no agent has answers 401; the key of an agent whose role has no API
//! access answers 403 on every call.

use axum::extract::FromRequestParts;
use http::request::Parts;

use super::context::Ctx;
use super::errors::FreshdeskError;
use super::records::Agent;
use crate::lock::lock;

/// The agent whose API key authenticated the request.
#[derive(Debug, Clone)]
pub(crate) struct Caller(pub(crate) Agent);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = FreshdeskError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .map_err(|_| FreshdeskError::NotFound)?;
        let (key, _password) =
            crate::basic_auth::credentials(parts).ok_or(FreshdeskError::InvalidCredentials)?;
        let agent_id = ctx
            .account
            .agent_for_key(&key)
            .ok_or(FreshdeskError::InvalidCredentials)?;
        let agent = lock(&ctx.account.data)
            .agent(agent_id)
            .ok_or(FreshdeskError::InvalidCredentials)?;
        if !agent.api_access {
            return Err(FreshdeskError::AccessDenied);
        }
        Ok(Self(agent))
    }
}
