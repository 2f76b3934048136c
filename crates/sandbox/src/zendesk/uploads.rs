//! Attachments: `POST /api/v2/uploads?filename=…[&token=…]` with the raw file as the body
//! returns an upload token valid for 60 minutes; putting the token in a comment's
//! `uploads` attaches the files. `DELETE /api/v2/uploads/{token}` discards an upload, and
//! `content_url` serves the bytes.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::json;

use super::account::Upload;
use super::auth::Member;
use super::context::Ctx;
use super::errors::ZendeskError;
use super::records::Attachment;
use super::render;
use super::tickets::ok_json;
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

const UPLOAD_TTL_SECS: i64 = 60 * 60;
/// Zendesk's attachment size limit.
const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/api/v2/uploads",
            post(create_upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/api/v2/uploads/{token}", delete(delete_upload))
        .route("/attachments/token/{token}", get(attachment_content))
        .route("/attachments/token/{token}/", get(attachment_content))
}

fn mint_token() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 18]>())
}

async fn create_upload(
    ctx: Ctx,
    _member: Member,
    q: QueryParams,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ZendeskError> {
    let file_name = q
        .get("filename")
        .filter(|f| !f.is_empty())
        .ok_or_else(|| {
            ZendeskError::PlainBadRequest("Required parameter missing: filename".to_owned())
        })?
        .to_owned();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/binary")
        .to_owned();
    let now = ctx.now_secs();
    let mut data = lock(&ctx.account.data);
    let attachment = Attachment {
        id: data.next_attachment_id,
        file_name,
        content_type: content_type.clone(),
        size: body.len() as u64,
        token: mint_token(),
    };
    data.next_attachment_id += 1;
    data.files
        .insert(attachment.token.clone(), (content_type, body));
    let token = match q.get("token") {
        Some(existing) => {
            let upload = data
                .uploads
                .get_mut(existing)
                .filter(|u| !u.consumed && u.expires_at > now)
                .ok_or(ZendeskError::NotFound)?;
            upload.attachments.push(attachment.clone());
            existing.to_owned()
        }
        None => {
            let token = mint_token();
            data.uploads.insert(
                token.clone(),
                Upload {
                    attachments: vec![attachment.clone()],
                    expires_at: now + UPLOAD_TTL_SECS,
                    consumed: false,
                },
            );
            token
        }
    };
    let all: Vec<_> = data
        .uploads
        .get(&token)
        .map(|u| u.attachments.clone())
        .unwrap_or_default();
    let expires_at = data.uploads.get(&token).map_or(now, |u| u.expires_at);
    drop(data);
    Ok(ok_json(
        StatusCode::CREATED,
        json!({"upload": {
            "token": token,
            "expires_at": render::timestamp(expires_at),
            "attachment": render::attachment(&ctx, &attachment),
            "attachments": all.iter().map(|a| render::attachment(&ctx, a)).collect::<Vec<_>>(),
        }}),
    ))
}

async fn delete_upload(
    ctx: Ctx,
    _member: Member,
    Path(token): Path<String>,
) -> Result<Response, ZendeskError> {
    let mut data = lock(&ctx.account.data);
    match data.uploads.get(&token) {
        Some(upload) if !upload.consumed => {
            data.uploads.remove(&token);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(ZendeskError::NotFound),
    }
}

async fn attachment_content(ctx: Ctx, Path(token): Path<String>) -> Result<Response, ZendeskError> {
    let (content_type, bytes) = lock(&ctx.account.data)
        .files
        .get(&token)
        .cloned()
        .ok_or(ZendeskError::NotFound)?;
    let content_type = HeaderValue::from_str(&content_type)
        .unwrap_or(HeaderValue::from_static("application/binary"));
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}
