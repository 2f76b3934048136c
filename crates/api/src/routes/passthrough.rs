//! `/v1/connections/{id}/passthrough/{path}`: any request to the helpdesk's own API, with
//! deskgate's managed auth and rate budget, and no normalization.

use crate::extract::ValidPath;
use axum::Extension;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use deskgate_app::AppError;
use deskgate_core::PassthroughRequest;
use futures_util::{FutureExt, StreamExt};

use crate::extract::{AuthTenant, RawBody, is_json, unsupported_media_type};
use crate::middleware::idempotency::Kept;
use crate::middleware::metrics::Streamed;
use crate::problem::{CallProblems, Problem};
use crate::routes::connections::connection_id;
use crate::routes::streamed;
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
    let bytes = path.as_bytes();
    // `%2e`, `%2f` or `%5c` in either case, at `i`: one pass, no lowered copy.
    let encoded_at = |i: usize| match bytes.get(i + 1..i + 3) {
        Some(&[a, b]) => matches!(
            (a, b.to_ascii_lowercase()),
            (b'2', b'e' | b'f') | (b'5', b'c')
        ),
        _ => false,
    };
    let bad = path.starts_with('/')
        || path.contains("//")
        || path.split('/').any(|s| s == "." || s == "..")
        || bytes
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'\\' || (b == b'%' && encoded_at(i)))
        || path.chars().any(char::is_control);
    if bad {
        return Err(ApiError::invalid_path(
            "path",
            "must be a plain path under the helpdesk's API root, e.g. api/v2/tickets/1",
        ));
    }
    Ok(())
}

/// The query goes out byte for byte as it came, so it must be one that nothing on the way
/// rewrites and that a vendor reads as text: visible ASCII without `'` (the URL parser
/// on the way out would encode it, and any other byte must be percent-encoded already),
/// every `%` starting a two-digit escape, and once decoded UTF-8 without control characters.
pub(crate) fn check_query(query: &str) -> Result<(), ApiError> {
    let refuse = |message: &str| Err(ApiError::invalid_query("query", message));
    let bytes = query.as_bytes();
    if let Some(b) = bytes
        .iter()
        .find(|&&b| !b.is_ascii_graphic() || matches!(b, b'\'' | b'"' | b'<' | b'>' | b'#'))
    {
        let shown = if b.is_ascii_graphic() {
            format!("`{}`", char::from(*b))
        } else {
            format!("byte 0x{b:02x}")
        };
        return refuse(&format!(
            "{shown} must be percent-encoded: the query is forwarded exactly as sent"
        ));
    }
    let escapes_whole = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if !escapes_whole {
        return refuse("has a `%` that does not start a two-digit percent-escape");
    }
    let Ok(text) = percent_encoding::percent_decode(bytes).decode_utf8() else {
        return refuse("is not UTF-8 once percent-decoded");
    };
    if text.chars().any(char::is_control) {
        return refuse("holds a control character once percent-decoded");
    }
    Ok(())
}

/// A body goes out byte for byte as it came, so it must be JSON by its media type (the only
/// bodies the helpdesks' JSON APIs take; uploads have their own routes), and a GET carries
/// none (RFC 9110 gives it no meaning, and proxies on the way may drop it).
pub(crate) fn check_body(
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), ApiError> {
    if body.is_empty() {
        return Ok(());
    }
    if *method == Method::GET {
        return Err(ApiError::invalid_body("body", "a GET carries no body"));
    }
    if !is_json(headers) {
        return Err(unsupported_media_type());
    }
    Ok(())
}

/// Forwards the request to the helpdesk's API (`path` is relative to its root, e.g.
/// `api/v2/tickets/1` for Zendesk) and returns its status, body and safe headers. The query
/// and the body are sent byte for byte: a query must be percent-encoded visible ASCII
/// (no `'`) that is UTF-8 text once decoded, and a body must be JSON by its `Content-Type`
/// (`application/json` or `application/*+json`, at most `charset=utf-8`); a GET has none.
///
/// The answer's body is passed on as it arrives, with the helpdesk's `Content-Length` when it
/// sent one. Should it break off after its status went out, the transfer is aborted (the
/// connection closes short of its length or last chunk; HTTP/2 resets the stream), never
/// ended as if whole: retry the request. With an `Idempotency-Key` the body is read whole
/// first, so a break is a `502` kept for the key.
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
        (status = 400, description = "A path outside the API root (`invalid_path`) or a query that is not forwarded as is (`invalid_query`); nothing was sent", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "A body that is not JSON (`unsupported_media_type`); nothing was sent", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A body on a GET (`invalid_body`); nothing was sent", body = Problem, content_type = "application/problem+json"),
        (status = 504, body = Problem, content_type = "application/problem+json"),
    )
)]
#[expect(
    clippy::too_many_arguments,
    reason = "an axum handler takes one argument per extractor"
)]
pub(crate) async fn passthrough(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath((id, path)): ValidPath<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    kept: Option<Extension<Kept>>,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    check_method(&method)?;
    let id = connection_id(&id)?;
    check_path(&path)?;
    if let Some(query) = uri.query() {
        check_query(query)?;
    }
    check_body(&method, &headers, &body)?;
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
        .passthrough(auth.tenant, id, &auth.ctx, request)
        .await?;
    let status = StatusCode::from_u16(answer.status).map_err(|_| {
        ApiError::internal(format!(
            "the helpdesk answered an invalid status {}",
            answer.status
        ))
    })?;
    let declared = answer.body.declared_len();
    let mut vendor_body = answer.body;
    let body = if kept.is_some() {
        Body::from(vendor_body.into_bytes().await.map_err(AppError::Upstream)?)
    } else {
        // The status goes out with the first chunk: an answer that breaks off before any of
        // its body arrived is still a problem answer.
        match vendor_body.next().await {
            // The whole body in its first chunk, as a small answer comes: sent as it is,
            // and the vendor's body (with the connection's call slot) let go at once.
            Some(Ok(first)) if declared == u64::try_from(first.len()).ok() => {
                if let Some(Some(Err(e))) = vendor_body.next().now_or_never() {
                    return Err(AppError::Upstream(e).into());
                }
                Body::from(first)
            }
            Some(Ok(first)) => {
                streamed::after_head(&state, id, Streamed::Passthrough, first, vendor_body)
            }
            Some(Err(e)) => return Err(AppError::Upstream(e).into()),
            None => Body::empty(),
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    for (name, value) in &answer.headers {
        if matches!(
            *name,
            header::CONTENT_TYPE | header::RETRY_AFTER | header::ETAG | header::LAST_MODIFIED
        ) {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    // The vendor's length, when it declared one, is this answer's too: the body is the
    // same bytes, and a transfer that ends short of it is an error to every client.
    if let Some(len) = declared.filter(|_| !matches!(status.as_u16(), 204 | 304)) {
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
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
            "api/v2/%2E%2E/x",
            "api%2Fv2",
            "api%5cv2",
            "api%5Cv2",
        ] {
            let e = check_path(bad).unwrap_err();
            assert_eq!(
                (e.status().as_u16(), e.code()),
                (400, "invalid_path"),
                "{bad}"
            );
        }
        assert!(check_path("api/v2/tickets/1.json").is_ok());
        assert!(check_path("api/v2/tickets/").is_ok());
        assert!(check_path("api/v2/search%20x/%2").is_ok());
    }

    #[test]
    fn the_path_check_refuses_exactly_what_the_plain_reading_of_its_rules_does() {
        // The rules as first written (a lowered copy, a search for each); every string of
        // up to four characters from an alphabet that can spell each of them.
        fn plain(path: &str) -> bool {
            let lowered = path.to_ascii_lowercase();
            path.starts_with('/')
                || path.contains("//")
                || path.split('/').any(|s| s == "." || s == "..")
                || ["%2e", "%2f", "%5c"].iter().any(|e| lowered.contains(e))
                || path.contains('\\')
                || path.chars().any(char::is_control)
        }
        let alphabet = [
            'a', '/', '.', '%', '2', '5', 'e', 'E', 'f', 'c', 'C', '\\', '\u{7f}',
        ];
        let mut paths = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = paths
                .iter()
                .filter(|p| p.chars().count() == paths.last().map_or(0, |l| l.chars().count()))
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            paths.extend(longer);
        }
        assert!(paths.len() > 30_000);
        for path in &paths {
            assert_eq!(check_path(path).is_err(), plain(path), "{path:?}");
        }
    }

    #[test]
    fn a_query_is_forwarded_only_when_nothing_would_rewrite_it() {
        for good in [
            "page[size]=2",
            "query=status%3Aopen%20type%3Aticket&sort_by=updated_at",
            "q=caf%C3%A9+cr%C3%A8me",
            "a=1&b=&c",
            "",
        ] {
            assert!(check_query(good).is_ok(), "{good}");
        }
        for bad in [
            "q=%FF", "q=%C3", "q=%zz", "q=%4", "q=%", "q=a%0Ab", "q=%00", "q=%7F", "q=it's",
            "q=café", "q=a b",
        ] {
            let e = check_query(bad).unwrap_err();
            assert_eq!(
                (e.status().as_u16(), e.code()),
                (400, "invalid_query"),
                "{bad}"
            );
            assert_eq!(e.body().errors[0].field, "query");
        }
    }

    #[test]
    fn a_body_must_be_json_and_a_get_carries_none() {
        let json = {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
            h
        };
        let form = {
            let mut h = HeaderMap::new();
            h.insert(
                header::CONTENT_TYPE,
                "application/x-www-form-urlencoded".parse().unwrap(),
            );
            h
        };
        assert!(check_body(&Method::POST, &json, b"{}").is_ok());
        assert!(check_body(&Method::DELETE, &json, br#"{"tags":["a"]}"#).is_ok());
        assert!(check_body(&Method::POST, &form, b"").is_ok());
        assert!(check_body(&Method::GET, &HeaderMap::new(), b"").is_ok());
        let e = check_body(&Method::POST, &form, b"a=1").unwrap_err();
        assert_eq!(e.code(), "unsupported_media_type");
        let e = check_body(&Method::PUT, &HeaderMap::new(), b"{}").unwrap_err();
        assert_eq!(e.code(), "unsupported_media_type");
        let e = check_body(&Method::GET, &json, b"{}").unwrap_err();
        assert_eq!(e.code(), "invalid_body");
    }
}
