//! Opt-in recording of exchanges for conformance checks: with `DESKGATE_SANDBOX_RECORD`
//! naming a file, every recorded exchange is appended to it as one JSON line
//! (`vendor, method, path, query, request_content_type, request_body, status,
//! response_content_type, response_body`), so a checker (`tests/conformance/check.py`) can
//! hold each request and answer against the vendor's own API document. The path is the one
//! routed: without the account's prefix and, for Zendesk, without the optional `.json`.
//! Injected faults and rate-limit refusals are answered before the recorder and are not
//! recorded. Without the variable nothing is buffered or written. Bodies are recorded as
//! text (JSON as sent); the file is test output.

use std::io::Write as _;
use std::sync::{Mutex, OnceLock};

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::response::Response;
use serde_json::json;

/// The environment variable naming the file to append to.
pub const RECORD_ENV: &str = "DESKGATE_SANDBOX_RECORD";
/// Largest body recorded; larger ones are recorded cut and marked.
const MAX_BODY: usize = 4 * 1024 * 1024;

fn sink() -> Option<&'static Mutex<std::fs::File>> {
    static SINK: OnceLock<Option<Mutex<std::fs::File>>> = OnceLock::new();
    SINK.get_or_init(|| {
        let path = std::env::var_os(RECORD_ENV)?;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok()
            .map(Mutex::new)
    })
    .as_ref()
}

fn content_type(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Runs `handle` on `request`, recording the exchange when recording is on.
pub(crate) async fn record<F, Fut>(vendor: &str, request: Request, handle: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let Some(sink) = sink() else {
        return handle(request).await;
    };
    let (parts, body) = request.into_parts();
    let request_body = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let method = parts.method.to_string();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let request_type = content_type(&parts.headers);
    let request = Request::from_parts(parts, Body::from(request_body.clone()));
    let response = handle(request).await;
    let (parts, body) = response.into_parts();
    let response_body = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let line = json!({
        "vendor": vendor,
        "method": method,
        "path": path,
        "query": query,
        "request_content_type": request_type,
        "request_body": String::from_utf8_lossy(&request_body),
        "status": parts.status.as_u16(),
        "response_content_type": content_type(&parts.headers),
        "response_body": String::from_utf8_lossy(&response_body),
    });
    if let Ok(mut file) = sink.lock() {
        let _ = writeln!(file, "{line}");
    }
    Response::from_parts(parts, Body::from(response_body))
}
