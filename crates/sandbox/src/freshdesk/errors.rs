//! Freshdesk's error responses.
//!
//! Real bodies (reference §2.7): validation errors `{"description":"Validation failed",
//! "errors":[{"field","message","code"}]}` with the codes `missing_field`, `invalid_value`,
//! `datatype_mismatch`, `invalid_field`, `invalid_json`; other errors `{"code","message"}`.
//! Where the reference has no real body, the choice is the sandbox's and is listed in
//! `docs/sandbox.md`: the 404 for a missing record (empty body), the unknown-domain page,
//! the 429 body and the injected 5xx body.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub(crate) field: String,
    pub(crate) message: String,
    pub(crate) code: &'static str,
}

impl FieldError {
    pub(crate) fn new(field: &str, message: impl Into<String>, code: &'static str) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
            code,
        }
    }

    /// A field the endpoint does not take.
    pub(crate) fn unexpected(field: &str) -> Self {
        Self::new(
            field,
            "Unexpected/invalid field in request",
            "invalid_field",
        )
    }

    /// A value outside an enumeration.
    pub(crate) fn one_of(field: &str, values: &str) -> Self {
        Self::new(
            field,
            format!("It should be one of these values: '{values}'"),
            "invalid_value",
        )
    }

    /// A value of the wrong JSON type; `actual` names what was sent.
    pub(crate) fn mismatch(field: &str, actual: &str, expected: &str) -> Self {
        Self::new(
            field,
            format!("Value set is of type {actual}.It should be a/an {expected}"),
            "datatype_mismatch",
        )
    }

    /// A required field that is absent.
    pub(crate) fn missing(field: &str, expected: &str) -> Self {
        Self::new(
            field,
            format!("It should be a/an {expected}"),
            "missing_field",
        )
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum FreshdeskError {
    /// 400 `Validation failed` with per-field errors.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 401: no key, or a key no agent has.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// 403: the key's agent may not do this (here: a role without API access).
    #[error("access denied")]
    AccessDenied,
    /// 404 with an empty body: no such record (or route).
    #[error("not found")]
    NotFound,
    /// 404 HTML page: the domain names no account.
    #[error("no helpdesk")]
    NoHelpdesk,
    /// 415: a write without a JSON or multipart body.
    #[error("invalid content type")]
    InvalidContentType(String),
    #[error("rate limited")]
    RateLimited { retry_after: Option<u64> },
    #[error("server error {0}")]
    ServerError(u16),
}

impl FreshdeskError {
    pub(crate) fn invalid(error: FieldError) -> Self {
        Self::Validation(vec![error])
    }
}

impl From<Vec<FieldError>> for FreshdeskError {
    fn from(errors: Vec<FieldError>) -> Self {
        Self::Validation(errors)
    }
}

fn coded(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"code": code, "message": message})),
    )
        .into_response()
}

impl IntoResponse for FreshdeskError {
    fn into_response(self) -> Response {
        match self {
            Self::Validation(errors) => {
                let errors: Vec<_> = errors
                    .iter()
                    .map(|e| json!({"field": e.field, "message": e.message, "code": e.code}))
                    .collect();
                let body = json!({"description": "Validation failed", "errors": errors});
                (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
            }
            Self::InvalidCredentials => coded(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "You have to be logged in to perform this action.",
            ),
            Self::AccessDenied => coded(
                StatusCode::FORBIDDEN,
                "access_denied",
                "You are not authorized to perform this action.",
            ),
            Self::NotFound => StatusCode::NOT_FOUND.into_response(),
            Self::NoHelpdesk => (
                StatusCode::NOT_FOUND,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                "<!DOCTYPE html><html><head><title>Freshdesk</title></head><body>\
                 <h1>There is no helpdesk here!</h1>\
                 <p>Maybe this is a typo? Please check the URL and try again.</p>\
                 </body></html>",
            )
                .into_response(),
            Self::InvalidContentType(sent) => coded(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_content_type",
                &format!(
                    "Content-Type header is set to {sent}. It should be set to application/json"
                ),
            ),
            Self::RateLimited { retry_after } => {
                let mut response = coded(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limit_exceeded",
                    "You have exceeded the limit of requests per minute. Please try again after some time.",
                );
                if let Some(secs) = retry_after {
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                }
                response
            }
            Self::ServerError(status) => coded(
                StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                "internal_error",
                "We're sorry, but something went wrong.",
            ),
        }
    }
}
