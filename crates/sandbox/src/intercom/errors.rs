//! Intercom's error responses: `{"type":"error.list","request_id":"<uuid>","errors":
//! [{"code","message"}]}` ([IC-OAS] `components.schemas.error`). The codes and messages are
//! the spec's examples where it has one; the others are the sandbox's guesses, listed in
//! `docs/sandbox.md` (the search-query errors, the unknown-version 400, the token endpoint's
//! errors, the 429 message, the injected 5xx).

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::json;

use super::scope::Scope;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub(crate) struct IntercomError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl IntercomError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 401 for a missing or unknown token (or one used on another region's host).
    pub(crate) fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Access Token Invalid",
        )
    }

    /// 403 for a token whose app lacks a permission (the spec's "Missing required scope").
    pub(crate) fn missing_scope(scope: Scope) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "You do not have the required scope ({}) to access this resource",
                scope.as_str()
            ),
        )
    }

    /// 404 with the spec's generic `not_found` body (unknown route or record).
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 404 with a resource-specific code (`ticket_not_found`, `tag_not_found`, ...).
    pub(crate) fn missing(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 400 `parameter_invalid`.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "parameter_invalid", message)
    }

    /// 400 `parameter_not_found`: a required parameter is absent.
    pub(crate) fn required(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "parameter_not_found", message)
    }

    /// 400 `data_invalid`.
    pub(crate) fn data_invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "data_invalid", message)
    }

    /// 400 for an `Intercom-Version` outside the spec's enum.
    pub(crate) fn unknown_version(version: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "intercom_version_invalid",
            format!("The requested version could not be found: {version}"),
        )
    }

    pub(crate) fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            "You have exceeded the rate limit. Please try again later.",
        )
    }

    pub(crate) fn server_error(status: u16) -> Self {
        Self::new(
            StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
            "server_error",
            "Server Error",
        )
    }
}

/// A request id in the UUID form Intercom uses.
pub(crate) fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl IntoResponse for IntercomError {
    fn into_response(self) -> Response {
        let body = json!({
            "type": "error.list",
            "request_id": request_id(),
            "errors": [{"code": self.code, "message": self.message}],
        });
        (self.status, axum::Json(body)).into_response()
    }
}

pub(crate) type Answer<T = axum::Json<serde_json::Value>> = Result<T, IntercomError>;
