//! `Idempotency-Key` on POST and PATCH: the first response is kept for 24 hours and replayed
//! (with `Idempotent-Replayed: true`); the same key with a different request is a 422, and
//! a second request while the first is running is a 409.
//!
//! Every response is kept except a 429 or a 503: those mean the request was refused before
//! it did anything, so the key is released and a retry with it runs again. A 5xx after the
//! helpdesk was called is kept too: the write may have happened, and a replay is the only
//! answer that cannot duplicate it.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use deskgate_app::idempotency::Idempotency;

use crate::extract::AuthTenant;
use crate::problem::PROBLEM_JSON;
use crate::{ApiError, AppState};

pub(crate) const HEADER: &str = "idempotency-key";

/// Marks a request whose answer is kept whole for replay: a handler that would stream its
/// body reads it whole instead, so that a vendor answer breaking off is a problem answer,
/// kept as one, and never a partial body kept as a whole one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Kept;
const REPLAYED: &str = "idempotent-replayed";

pub(crate) async fn guard(state: &AppState, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::POST | Method::PATCH) || !req.headers().contains_key(HEADER)
    {
        return next.run(req).await;
    }
    match run(state.clone(), req, next).await {
        Ok(res) | Err(res) => res,
    }
}

async fn run(state: AppState, req: Request, next: Next) -> Result<Response, Response> {
    let key = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::invalid_body("Idempotency-Key", "must be printable ASCII").into_response()
        })?;
    let (mut parts, body) = req.into_parts();
    let auth = AuthTenant::from_request_parts(&mut parts, &state)
        .await
        .map_err(IntoResponse::into_response)?;
    let bytes = to_bytes(body, crate::extract::BODY_LIMIT)
        .await
        .map_err(|_| crate::extract::too_large().into_response())?;
    let mut fingerprint = Vec::with_capacity(bytes.len() + 128);
    fingerprint.extend_from_slice(parts.method.as_str().as_bytes());
    fingerprint.push(b'\n');
    fingerprint.extend_from_slice(parts.uri.path().as_bytes());
    fingerprint.push(b'?');
    fingerprint.extend_from_slice(parts.uri.query().unwrap_or("").as_bytes());
    fingerprint.push(b'\n');
    fingerprint.extend_from_slice(&bytes);

    let app = &state.app;
    match app
        .begin_idempotent(auth.tenant, &key, &fingerprint)
        .await
        .map_err(|e| ApiError::from(e).into_response())?
    {
        Idempotency::Replay { status, body } => Ok(replay(status, body)),
        Idempotency::Run => {
            parts.extensions.insert(Kept);
            let res = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            let status = res.status();
            if matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            ) {
                if let Err(e) = app.abandon_idempotent(auth.tenant, &key).await {
                    tracing::error!(error = %e, "releasing an idempotency key failed");
                }
                return Ok(res);
            }
            let (res_parts, res_body) = res.into_parts();
            let body = to_bytes(res_body, usize::MAX).await.map_err(|e| {
                ApiError::internal(format!("buffering a response: {e}")).into_response()
            })?;
            if let Err(e) = app
                .finish_idempotent(auth.tenant, &key, status.as_u16(), &body)
                .await
            {
                // The write happened; failing the answer now would invite a duplicate retry.
                tracing::error!(error = %e, "storing an idempotent response failed");
            }
            Ok(Response::from_parts(res_parts, Body::from(body)))
        }
    }
}

fn replay(status: u16, body: Vec<u8>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = (status, body).into_response();
    let content_type = if status.is_client_error() || status.is_server_error() {
        PROBLEM_JSON
    } else {
        "application/json"
    };
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res.headers_mut()
        .insert(REPLAYED, HeaderValue::from_static("true"));
    res
}
