//! What replies to tickets and conversations share: who replies (`type` admin with
//! `admin_id`, or user with `intercom_user_id`, `user_id` or `email` of a contact) and what
//! they attach (up to ten `attachment_urls` or ten `attachment_files`
//! `{content_type, data (base64), name}`; files take precedence over URLs).

use base64::Engine as _;
use serde_json::{Map, Value};

use super::body::{id, text_id};
use super::context::Ctx;
use super::data::Data;
use super::errors::IntercomError;
use super::records::{Attachment, Author};

/// At most ten attachments of each kind.
const MAX_ATTACHMENTS: usize = 10;

/// The admin a write names as acting (`admin_id`), who must exist.
pub(crate) fn acting_admin(data: &Data, body: &Map<String, Value>) -> Result<u64, IntercomError> {
    body.get("admin_id")
        .and_then(id)
        .filter(|a| data.admin(*a).is_some())
        .ok_or_else(|| IntercomError::missing("admin_not_found", "Admin not found"))
}

pub(crate) fn author(data: &Data, body: &Map<String, Value>) -> Result<Author, IntercomError> {
    match body.get("type").and_then(Value::as_str) {
        Some("admin") => Ok(Author::Admin(acting_admin(data, body)?)),
        Some("user") => {
            let contact = if let Some(v) = body.get("intercom_user_id").and_then(text_id) {
                data.contact(&v)
            } else if let Some(v) = body.get("user_id").and_then(text_id) {
                data.contact_by(|c| c.external_id.as_deref() == Some(v.as_str()))
            } else if let Some(v) = body.get("email").and_then(Value::as_str) {
                data.contact_by(|c| c.email.eq_ignore_ascii_case(v))
            } else {
                return Err(IntercomError::required(
                    "intercom_user_id, user_id or email is required for a user reply",
                ));
            };
            contact
                .map(|c| Author::User(c.id.clone()))
                .ok_or_else(|| IntercomError::not_found("User Not Found"))
        }
        Some(other) => Err(IntercomError::invalid(format!(
            "type must be admin or user, not {other}"
        ))),
        None => Err(IntercomError::required("type is a required parameter")),
    }
}

pub(crate) fn attachments(
    body: &Map<String, Value>,
    ctx: &Ctx,
    part_id: u64,
) -> Result<Vec<Attachment>, IntercomError> {
    let list = |name: &str| -> Result<Vec<Value>, IntercomError> {
        match body.get(name) {
            None | Some(Value::Null) => Ok(vec![]),
            Some(Value::Array(items)) if items.len() <= MAX_ATTACHMENTS => Ok(items.clone()),
            Some(Value::Array(_)) => Err(IntercomError::invalid(format!(
                "{name} can hold at most {MAX_ATTACHMENTS} items"
            ))),
            Some(_) => Err(IntercomError::invalid(format!("{name} must be an array"))),
        }
    };
    let files = list("attachment_files")?;
    let urls = list("attachment_urls")?;
    if !files.is_empty() {
        return files
            .iter()
            .enumerate()
            .map(|(i, file)| {
                let field = |k: &str| file.get(k).and_then(Value::as_str);
                let (Some(content_type), Some(data), Some(name)) =
                    (field("content_type"), field("data"), field("name"))
                else {
                    return Err(IntercomError::invalid(
                        "attachment_files need content_type, data and name",
                    ));
                };
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .map_err(|_| IntercomError::invalid("attachment data must be base64"))?;
                Ok(Attachment {
                    name: name.to_owned(),
                    url: ctx.url(&format!("/_files/{part_id}/{i}/{name}")),
                    content_type: content_type.to_owned(),
                    filesize: bytes.len() as u64,
                })
            })
            .collect();
    }
    urls.iter()
        .map(|url| {
            let url = url
                .as_str()
                .and_then(|u| url::Url::parse(u).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| IntercomError::invalid("attachment_urls must be URLs"))?;
            let name = url
                .path_segments()
                .and_then(|mut s| s.next_back().map(str::to_owned))
                .unwrap_or_default();
            Ok(Attachment {
                name,
                url: url.into(),
                content_type: "application/octet-stream".to_owned(),
                filesize: 0,
            })
        })
        .collect()
}
