//! `application/problem+json` (RFC 9457) errors with stable `code`s.
//!
//! A 5xx body is opaque: its cause travels in a response extension to the middleware that
//! logs it inside the request's span, and never reaches the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use deskgate_app::AppError;
use deskgate_core::{ConnectorError, InputPart};
use serde::Serialize;
use utoipa::ToSchema;

pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// Every problem `code` the API answers with: its status and when. Rendered into the
/// OpenAPI document's description; a test keeps it complete.
pub const PROBLEM_CODES: &[(&str, u16, &str)] = &[
    (
        "unauthenticated",
        401,
        "no valid API key (missing, malformed, unknown, revoked or expired)",
    ),
    (
        "hook_refused",
        401,
        "a vendor webhook was unsigned, badly signed or stale; nothing was done",
    ),
    (
        "not_found",
        404,
        "no such object for this tenant (another tenant's id included)",
    ),
    ("no_route", 404, "no such route"),
    (
        "method_not_allowed",
        405,
        "the route does not take this method",
    ),
    ("malformed_json", 400, "the body is not valid JSON"),
    ("unreadable_body", 400, "the body could not be read"),
    (
        "invalid_query",
        400,
        "a query parameter, or a list cursor, is wrong; the gateway refused it without \
         calling the helpdesk; `errors` names it",
    ),
    (
        "invalid_path",
        400,
        "a path parameter is wrong (not UTF-8 once percent-decoded, a passthrough path outside \
         the API root, …); the gateway refused it without calling the helpdesk; `errors` names it",
    ),
    (
        "invalid_body",
        422,
        "a body field is wrong, missing or unknown; the gateway refused it without calling the \
         helpdesk; `errors` names it",
    ),
    (
        "unsupported_media_type",
        415,
        "the body is not `application/json` (passthrough: not a JSON media type)",
    ),
    ("payload_too_large", 413, "the body is over 1 MiB"),
    ("conflict", 409, "a record with the same key exists"),
    (
        "connect_session_gone",
        409,
        "the connect session was used, revoked or expired meanwhile",
    ),
    (
        "idempotency_in_progress",
        409,
        "a request with this Idempotency-Key is still running",
    ),
    (
        "idempotency_key_reused",
        422,
        "this Idempotency-Key was used with a different request",
    ),
    (
        "connection_check_failed",
        422,
        "the helpdesk refused the credentials when connecting; nothing was stored",
    ),
    (
        "connection_needs_reauth",
        409,
        "the helpdesk no longer accepts the connection's credentials; give it new ones with `PUT /v1/connections/{id}/credentials`",
    ),
    (
        "webhook_endpoint_disabled",
        409,
        "the webhook endpoint is disabled; enable it with `PATCH` (`\"enabled\": true`) first",
    ),
    (
        "upstream_forbidden",
        403,
        "the helpdesk user lacks permission",
    ),
    ("upstream_not_found", 404, "the helpdesk has no such object"),
    (
        "upstream_validation",
        422,
        "the helpdesk itself answered that the input is invalid (its 4xx validation answer); \
         `errors` names the fields",
    ),
    (
        "upstream_rate_limited",
        429,
        "the helpdesk account's rate limit; retry after `Retry-After` seconds",
    ),
    (
        "rate_limited",
        429,
        "this API key's or its tenant's request rate is used up; retry after `Retry-After` seconds (`RateLimit` says which)",
    ),
    (
        "connection_busy",
        429,
        "as many calls as allowed are in flight through this connection; retry when one has finished",
    ),
    (
        "upstream_error",
        502,
        "the helpdesk failed or answered unexpectedly",
    ),
    (
        "upstream_bad_response",
        502,
        "the helpdesk's answer could not be read",
    ),
    (
        "upstream_unreachable",
        502,
        "the helpdesk could not be reached",
    ),
    (
        "upstream_timeout",
        504,
        "the helpdesk did not answer within the deadline",
    ),
    (
        "unsupported_operation",
        501,
        "this helpdesk cannot do that; see `GET /v1/connectors`",
    ),
    (
        "unavailable",
        503,
        "a dependency of the gateway (its database) is down or did not answer in time; retry later",
    ),
    (
        "shutting_down",
        503,
        "`/readyz` only: the process is shutting down and finishing its requests",
    ),
    (
        "internal",
        500,
        "the gateway failed; the cause is logged, not shown",
    ),
];

/// The problems every call through a connection can answer, for route documentation:
/// `responses((status = 200, body = T), CallProblems)`.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // documentation only: never constructed
pub(crate) enum CallProblems {
    /// No valid API key.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// No such connection for this tenant (`not_found`), or no such object at the helpdesk
    /// (`upstream_not_found`).
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The connection needs reauthorization (`connection_needs_reauth`), or on a write its
    /// Idempotency-Key is in flight (`idempotency_in_progress`).
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// The helpdesk's rate limit (`upstream_rate_limited`), this key's or tenant's
    /// (`rate_limited`), or the connection's calls in flight (`connection_busy`); see
    /// `Retry-After`.
    #[response(status = 429, content_type = "application/problem+json")]
    RateLimited(Problem),
    /// The helpdesk failed or answered something unreadable.
    #[response(status = 502, content_type = "application/problem+json")]
    BadGateway(Problem),
}

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

/// The one error type of the API. Boxed: it travels in every handler's `Result`.
#[derive(Debug)]
pub struct ApiError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    detail: String,
    errors: Vec<FieldProblem>,
    /// Seconds for a `Retry-After` header.
    retry_after: Option<u64>,
    /// The methods an `Allow` header lists, on a 405.
    allow: Option<&'static str>,
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
        Self(Box::new(Inner {
            status,
            code,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            allow: None,
            cause: None,
        }))
    }

    pub fn with_field(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.0.errors.push(FieldProblem {
            field: field.into(),
            message: message.into(),
        });
        self
    }

    /// A 405 `method_not_allowed` that lists the methods the route takes in `Allow`.
    pub fn method_not_allowed(allow: &'static str) -> Self {
        let mut e = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Method not allowed",
            format!("this route takes only {allow}"),
        );
        e.0.allow = Some(allow);
        e
    }

    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    pub fn code(&self) -> &'static str {
        self.0.code
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

    /// A path parameter is wrong.
    pub fn invalid_path(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_path",
            "Invalid path parameter",
            format!("path parameter `{field}`: {message}"),
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

    /// A 429 `rate_limited`: `which` ("API key", "tenant") is over its rate; the next request
    /// is let through after `retry_after` seconds.
    pub fn rate_limited(which: &str, per_minute: u32, burst: u32, retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Rate limit reached",
            format!(
                "this {which} may make {per_minute} requests a minute, {burst} at once; \
                 retry after {retry_after} s"
            ),
        );
        e.0.retry_after = Some(retry_after);
        e
    }

    pub fn internal(cause: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the gateway failed to handle this request; it has been logged",
        );
        e.0.cause = Some(cause.into());
        e
    }

    pub fn unavailable(cause: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Service unavailable",
            "a dependency of the gateway is not reachable",
        );
        e.0.cause = Some(cause.into());
        e
    }

    pub(crate) fn body(&self) -> Problem {
        let e = &self.0;
        Problem {
            problem_type: format!("urn:deskgate:problem:{}", e.code),
            title: e.title,
            status: e.status.as_u16(),
            detail: e.detail.clone(),
            code: e.code,
            errors: e.errors.clone(),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unauthenticated => ApiError::unauthenticated(),
            AppError::NotFound(what) => ApiError::not_found(what),
            AppError::Invalid { field, message } => ApiError::invalid_body(&field, message),
            AppError::InvalidQuery { field, message } => ApiError::invalid_query(&field, message),
            AppError::Conflict(detail) => ApiError::new(StatusCode::CONFLICT, "conflict", "Conflict", detail),
            AppError::NeedsReauth { hint } => needs_reauth(&hint),
            AppError::ConnectFailed(e) => connect_failed(e),
            AppError::Upstream(e) => upstream(e),
            AppError::IdempotencyInFlight => ApiError::new(
                StatusCode::CONFLICT,
                "idempotency_in_progress",
                "Request in progress",
                "a request with this Idempotency-Key is still running; retry when it has finished",
            ),
            AppError::IdempotencyMismatch => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "Idempotency key reused",
                "this Idempotency-Key was used with a different request; use a new key for a new request",
            )
            .with_field("Idempotency-Key", "already used with a different method, path or body"),
            AppError::Gone => ApiError::new(
                StatusCode::CONFLICT,
                "connect_session_gone",
                "Connect session gone",
                "the connect session was used, revoked or expired meanwhile",
            ),
            AppError::WebhookEndpointDisabled => ApiError::new(
                StatusCode::CONFLICT,
                "webhook_endpoint_disabled",
                "Webhook endpoint disabled",
                "the endpoint is disabled, so nothing would be sent: enable it with PATCH \
                 /v1/webhook-endpoints/{id} (\"enabled\": true) first",
            ),
            AppError::ConnectionBusy { limit } => {
                let mut e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "connection_busy",
                    "Too many calls in flight",
                    format!(
                        "{limit} calls are in flight through this connection already; \
                         retry when one has finished"
                    ),
                );
                e.0.retry_after = Some(1);
                e
            }
            AppError::Unavailable(cause) => ApiError::unavailable(cause),
            AppError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

fn needs_reauth(hint: &str) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "connection_needs_reauth",
        "Connection needs reauthorization",
        format!(
            "the helpdesk no longer accepts this connection's credentials: {hint}; \
             send new ones to PUT /v1/connections/{{id}}/credentials (the id stays)"
        ),
    )
}

/// A failed connection check: the person connecting must change something.
fn connect_failed(e: ConnectorError) -> ApiError {
    match e {
        ConnectorError::Unauthorized { .. }
        | ConnectorError::Forbidden { .. }
        | ConnectorError::NotFound => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "connection_check_failed",
            "Connection check failed",
            e.to_string(),
        ),
        ConnectorError::Invalid { message, fields } => {
            let mut err = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "connection_check_failed",
                "Connection check failed",
                format!("the helpdesk rejected the credentials: {message}"),
            );
            for f in fields {
                err = err.with_field(f.field, f.message);
            }
            err
        }
        other => upstream(other),
    }
}

/// A connector's refusal of the caller's input, made before any vendor call: the gateway's
/// own code for where the value was.
fn refused(part: InputPart, field: deskgate_core::FieldError) -> ApiError {
    let deskgate_core::FieldError { field, message } = field;
    match part {
        InputPart::Path => ApiError::invalid_path(&field, message),
        InputPart::Query => ApiError::invalid_query(&field, message),
        InputPart::Body => ApiError::invalid_body(&field, message),
    }
}

/// The vendor's answer to a call made for the tenant.
fn upstream(e: ConnectorError) -> ApiError {
    let detail = e.to_string();
    match e {
        ConnectorError::Unauthorized { hint } => needs_reauth(&hint),
        ConnectorError::Forbidden { .. } => ApiError::new(
            StatusCode::FORBIDDEN,
            "upstream_forbidden",
            "Forbidden by the helpdesk",
            detail,
        ),
        ConnectorError::NotFound => ApiError::new(
            StatusCode::NOT_FOUND,
            "upstream_not_found",
            "Not found in the helpdesk",
            detail,
        ),
        ConnectorError::Invalid { fields, .. } => {
            let mut err = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "upstream_validation",
                "Rejected by the helpdesk",
                detail,
            );
            for f in fields {
                err = err.with_field(f.field, f.message);
            }
            err
        }
        ConnectorError::Refused { part, field, .. } => refused(part, field),
        ConnectorError::RateLimited { retry_after } => {
            let mut err = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "upstream_rate_limited",
                "Helpdesk rate limit reached",
                detail,
            );
            err.0.retry_after = Some(retry_after.as_secs_f64().ceil().max(1.0) as u64);
            err
        }
        ConnectorError::Upstream { .. } => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "upstream_error",
            "Helpdesk error",
            detail,
        ),
        // What could not be read is ours to log, not the caller's to parse.
        ConnectorError::BadResponse { .. } => {
            let mut e = ApiError::new(
                StatusCode::BAD_GATEWAY,
                "upstream_bad_response",
                "Unreadable helpdesk response",
                "the helpdesk answered something the gateway cannot read; the cause is logged \
                 with this request's id",
            );
            e.0.cause = Some(detail);
            e
        }
        ConnectorError::Transport { .. } => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "upstream_unreachable",
            "Helpdesk unreachable",
            detail,
        ),
        ConnectorError::Timeout => ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "upstream_timeout",
            "Helpdesk timeout",
            detail,
        ),
        ConnectorError::Unsupported { .. } => ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "unsupported_operation",
            "Not supported by this helpdesk",
            format!("{detail}; GET /v1/connectors lists what each provider supports"),
        ),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match serde_json::to_vec(&self.body()) {
            Ok(b) => b,
            Err(_) => br#"{"type":"urn:deskgate:problem:internal","title":"Internal error","status":500,"code":"internal","detail":""}"#.to_vec(),
        };
        let e = *self.0;
        let mut res = (e.status, body).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = e.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(allow) = e.allow {
            headers.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        if e.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if e.status == StatusCode::PAYLOAD_TOO_LARGE {
            // The rest of the body was never read, so this connection cannot carry another
            // request: say so, or a client's pool reuses it and its next request fails.
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if let Some(cause) = e.cause {
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
    fn every_problem_code_the_code_answers_with_is_documented() {
        let sources = [
            include_str!("problem.rs"),
            include_str!("router.rs"),
            include_str!("extract/json.rs"),
            include_str!("extract/query.rs"),
            include_str!("middleware/idempotency.rs"),
            include_str!("routes/health.rs"),
        ];
        let mut found = 0;
        for source in sources {
            for (i, _) in source.match_indices("StatusCode::") {
                let rest = &source[i..];
                let Some(comma) = rest.find(',') else {
                    continue;
                };
                let status_name = &rest["StatusCode::".len()..comma];
                let after = rest[comma + 1..].trim_start();
                let Some(code) = after.strip_prefix('"').and_then(|a| a.split('"').next()) else {
                    continue;
                };
                if !status_name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_')
                {
                    continue;
                }
                found += 1;
                let documented = PROBLEM_CODES.iter().find(|(c, _, _)| *c == code);
                let (_, status, _) = documented
                    .unwrap_or_else(|| panic!("problem code `{code}` is not in PROBLEM_CODES"));
                let expected = match status_name {
                    "BAD_REQUEST" => 400,
                    "UNAUTHORIZED" => 401,
                    "FORBIDDEN" => 403,
                    "NOT_FOUND" => 404,
                    "METHOD_NOT_ALLOWED" => 405,
                    "CONFLICT" => 409,
                    "PAYLOAD_TOO_LARGE" => 413,
                    "UNSUPPORTED_MEDIA_TYPE" => 415,
                    "UNPROCESSABLE_ENTITY" => 422,
                    "TOO_MANY_REQUESTS" => 429,
                    "INTERNAL_SERVER_ERROR" => 500,
                    "NOT_IMPLEMENTED" => 501,
                    "BAD_GATEWAY" => 502,
                    "SERVICE_UNAVAILABLE" => 503,
                    "GATEWAY_TIMEOUT" => 504,
                    other => panic!("unexpected status {other}"),
                };
                assert_eq!(*status, expected, "{code}");
            }
        }
        assert!(
            found >= PROBLEM_CODES.len(),
            "found only {found} codes in the sources"
        );
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
