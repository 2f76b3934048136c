//! `/v1/connections/{id}/passthrough/{path}`: any request to the helpdesk's own API, with
//! deskgate's managed auth and rate budget, and no normalization.

use crate::extract::ValidPath;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use deskgate_core::PassthroughRequest;

use crate::extract::{AuthTenant, RawBody};
use crate::problem::{CallProblems, Problem};
use crate::routes::connections::connection_id;
use crate::{ApiError, AppState};

/// Request headers passed on to the helpdesk; every other one (authorization, cookies,
/// hop-by-hop, forwarding) stays here.
const FORWARDED_REQUEST: [HeaderName; 5] = [
    header::ACCEPT,
    header::ACCEPT_LANGUAGE,
    header::CONTENT_TYPE,
    header::IF_MATCH,
    header::IF_NONE_MATCH,
];

/// The methods passthrough sends, as the OpenAPI document lists them. Any other (`HEAD`,
/// `OPTIONS`, `TRACE`, `CONNECT`, WebDAV's, invented ones) would go out with the connection's
/// credentials to something no one documented, so it is a 405 before any vendor call.
const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

/// The `Allow` header of a refused method: [`METHODS`], in order.
const ALLOW: &str = "GET, POST, PUT, PATCH, DELETE";

pub(crate) fn check_method(method: &Method) -> Result<(), ApiError> {
    if METHODS.contains(method) {
        Ok(())
    } else {
        Err(ApiError::method_not_allowed(ALLOW))
    }
}

/// Refuses a path that could climb out of the API root: dot segments, empty segments (a
/// leading or doubled slash), encoded slashes or dots, backslashes, control characters.
pub(crate) fn check_path(path: &str) -> Result<(), ApiError> {
    let lowered = path.to_ascii_lowercase();
    let bad = path.starts_with('/')
        || path.contains("//")
        || path.split('/').any(|s| s == "." || s == "..")
        || lowered.contains("%2e")
        || lowered.contains("%2f")
        || lowered.contains("%5c")
        || path.contains('\\')
        || path.chars().any(char::is_control);
    if bad {
        return Err(ApiError::invalid_body(
            "path",
            "must be a plain path under the helpdesk's API root, e.g. api/v2/tickets/1",
        ));
    }
    Ok(())
}

/// Forwards the request to the helpdesk's API (`path` is relative to its root, e.g.
/// `api/v2/tickets/1` for Zendesk) and returns its status, body and safe headers.
#[utoipa::path(
    method(get, post, put, patch, delete),
    path = "/v1/connections/{id}/passthrough/{path}",
    tag = "passthrough",
    params(("id" = String, Path, description = "The connection's id"), ("path" = String, Path, description = "The path under the helpdesk's API root; may contain slashes")),
    request_body(content = Object, description = "Sent to the helpdesk as is", content_type = "application/json"),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The helpdesk's answer, whatever its status, as is"),
        (status = "default", description = "The helpdesk's answer with its own status (a 201, a 404, a 422 …), body and safe headers as is: only `application/problem+json` answers are the gateway's"),
        CallProblems,
        (status = 405, description = "Another method (`method_not_allowed`, with `Allow`); nothing was sent", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A path outside the API root", body = Problem, content_type = "application/problem+json"),
        (status = 504, body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn passthrough(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath((id, path)): ValidPath<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    check_method(&method)?;
    let id = connection_id(&id)?;
    check_path(&path)?;
    let mut forwarded = HeaderMap::new();
    for name in FORWARDED_REQUEST {
        if let Some(v) = headers.get(&name) {
            forwarded.insert(name, v.clone());
        }
    }
    let request = PassthroughRequest {
        method,
        path,
        query: uri.query().map(str::to_owned),
        headers: forwarded,
        body,
    };
    let answer = state
        .app
        .call(auth.tenant, id, &auth.ctx, |c| async move {
            c.passthrough(request).await
        })
        .await?;
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = axum::http::StatusCode::from_u16(answer.status).map_err(|_| {
        ApiError::internal(format!(
            "the helpdesk answered an invalid status {}",
            answer.status
        ))
    })?;
    for (name, value) in &answer.headers {
        if matches!(
            *name,
            header::CONTENT_TYPE | header::RETRY_AFTER | header::ETAG | header::LAST_MODIFIED
        ) {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(response.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_documented_methods_go_out() {
        for good in METHODS {
            assert!(check_method(&good).is_ok(), "{good}");
        }
        for bad in ["HEAD", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "BREW"] {
            let method = Method::from_bytes(bad.as_bytes()).unwrap();
            let e = check_method(&method).unwrap_err();
            assert_eq!(e.code(), "method_not_allowed", "{bad}");
        }
        assert_eq!(
            ALLOW,
            METHODS.map(|m| m.to_string()).join(", "),
            "the Allow header lists the methods"
        );
    }

    #[test]
    fn paths_that_climb_out_are_refused() {
        for bad in [
            "api/v2/../../oauth/tokens",
            "api/v2/%2e%2e/x",
            "api/v2%2fx",
            "./api",
            "api\\v2",
            "api/v2/\u{0}",
            "/evil.example/x",
            "api//v2/tickets",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        assert!(check_path("api/v2/tickets/1.json").is_ok());
        assert!(check_path("api/v2/tickets/").is_ok());
    }
}
