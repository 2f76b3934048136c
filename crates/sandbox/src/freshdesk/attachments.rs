//! Attachments: files that came as `attachments[]` parts of a multipart write are kept in
//! the account and listed on their ticket or conversation; `attachment_url` serves them
//! (`GET /attachments/{id}/{name}`, no authentication, like the vendor's signed CDN URLs).

use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::header;

use super::account::Data;
use super::body::Upload;
use super::context::Ctx;
use super::errors::FreshdeskError;
use super::records::Attachment;
use crate::lock::lock;
use crate::sandbox::Sandbox;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new().route("/attachments/{id}/{name}", get(show_attachment_content))
}

/// Keeps the uploaded files and returns their attachment records.
pub(crate) fn store(data: &mut Data, files: Vec<Upload>, now: i64) -> Vec<Attachment> {
    files
        .into_iter()
        .map(|file| {
            let id = data.next_attachment_id;
            data.next_attachment_id += 1;
            let attachment = Attachment {
                id,
                name: file.name,
                content_type: file.content_type.clone(),
                file_size: file.data.len() as u64,
                created_at: now,
            };
            data.files.insert(id, (file.content_type, file.data));
            attachment
        })
        .collect()
}

async fn show_attachment_content(
    ctx: Ctx,
    Path((id, _name)): Path<(u64, String)>,
) -> Result<Response, FreshdeskError> {
    let (content_type, bytes) = lock(&ctx.account.data)
        .files
        .get(&id)
        .cloned()
        .ok_or(FreshdeskError::NotFound)?;
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}
