//! `application/problem+json` (RFC 9457) errors with stable `code`s.
//!
//! A 5xx body is opaque: its cause travels in a response extension to the middleware that
//! logs it inside the request's span, and never reaches the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use deskgate_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:deskgate:problem:<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// Stable, machine-readable: branch on this.
    pub code: &'static str,
    /// The fields at fault, with what to change.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FieldProblem {
    /// A dotted path into the body (`expires_at`, `custom_fields[0].id`) or a query parameter.
    pub field: String,
    pub message: String,
}

/// The one error type of the API.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    detail: String,
    errors: Vec<FieldProblem>,
    /// The real cause of a 5xx, for the log only.
    cause: Option<String>,
}

/// The hidden cause of a 5xx, for the logging middleware.
#[derive(Clone, Debug)]
pub(crate) struct InternalCause(pub(crate) String);

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            cause: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.errors.push(FieldProblem {
            field: field.into(),
            message: message.into(),
        });
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Authentication required",
            "send a valid API key as `Authorization: Bearer dg_live_…`",
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Not found",
            format!("no such {what}"),
        )
    }

    /// A query parameter is wrong.
    pub fn invalid_query(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "Invalid query parameter",
            format!("query parameter `{field}`: {message}"),
        )
        .with_field(field, message)
    }

    /// A body field is wrong.
    pub fn invalid_body(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            "Invalid request body",
            format!("`{field}`: {message}"),
        )
        .with_field(field, message)
    }

    pub fn internal(cause: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the gateway failed to handle this request; it has been logged",
        );
        e.cause = Some(cause.into());
        e
    }

    pub fn unavailable(cause: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Service unavailable",
            "a dependency of the gateway is not reachable",
        );
        e.cause = Some(cause.into());
        e
    }

    pub(crate) fn body(&self) -> Problem {
        Problem {
            problem_type: format!("urn:deskgate:problem:{}", self.code),
            title: self.title,
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            errors: self.errors.clone(),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unauthenticated => ApiError::unauthenticated(),
            AppError::NotFound(what) => ApiError::not_found(what),
            AppError::Invalid { field, message } => ApiError::invalid_body(&field, message),
            AppError::Conflict(detail) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
            }
            AppError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match serde_json::to_vec(&self.body()) {
            Ok(b) => b,
            Err(_) => br#"{"type":"urn:deskgate:problem:internal","title":"Internal error","status":500,"code":"internal","detail":""}"#.to_vec(),
        };
        let mut res = (self.status, body).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(cause) = self.cause {
            res.extensions_mut().insert(InternalCause(cause));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause_from_the_body() {
        let e = ApiError::internal("connection refused to db.internal:5432");
        let body = serde_json::to_string(&e.body()).unwrap();
        assert!(!body.contains("db.internal"), "{body}");
        let res = e.into_response();
        assert_eq!(res.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        assert!(res.extensions().get::<InternalCause>().is_some());
    }

    #[test]
    fn field_errors_name_the_field() {
        let v = serde_json::to_value(
            ApiError::invalid_body("expires_at", "must be in the future").body(),
        )
        .unwrap();
        assert_eq!(v["code"], "invalid_body");
        assert_eq!(v["status"], 422);
        assert_eq!(v["errors"][0]["field"], "expires_at");
        assert_eq!(v["type"], "urn:deskgate:problem:invalid_body");
    }
}
