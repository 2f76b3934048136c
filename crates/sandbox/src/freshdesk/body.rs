//! Request bodies of the write endpoints: JSON, or `multipart/form-data` with fields and
//! repeated `attachments[]` file parts (ticket create, reply, note). Multipart values are
//! text, so fields that are numbers or booleans in JSON are read as such.

use axum::extract::{FromRequest, Request};
use bytes::Bytes;
use http::header;
use serde_json::{Map, Value};

use super::errors::{FieldError, FreshdeskError};

/// Freshdesk's limit on a request's attachments, in total.
pub(crate) const MAX_BODY_BYTES: usize = 20 * 1024 * 1024;
const NUMBER_FIELDS: [&str; 10] = [
    "status",
    "priority",
    "source",
    "requester_id",
    "responder_id",
    "group_id",
    "company_id",
    "product_id",
    "email_config_id",
    "user_id",
];
const BOOLEAN_FIELDS: [&str; 2] = ["private", "incoming"];

#[derive(Debug, Clone)]
pub(crate) struct Upload {
    pub(crate) name: String,
    pub(crate) content_type: String,
    pub(crate) data: Bytes,
}

/// A write's fields, and its files when it came as multipart.
#[derive(Debug, Clone, Default)]
pub(crate) struct Input {
    pub(crate) fields: Map<String, Value>,
    pub(crate) files: Vec<Upload>,
}

fn invalid_json() -> FreshdeskError {
    FreshdeskError::invalid(FieldError::new(
        "",
        "Request body has invalid json format",
        "invalid_json",
    ))
}

fn from_json(body: &Bytes) -> Result<Input, FreshdeskError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Input::default());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(fields)) => Ok(Input {
            fields,
            files: Vec::new(),
        }),
        _ => Err(invalid_json()),
    }
}

fn typed(name: &str, text: String) -> Value {
    if let Some(n) = NUMBER_FIELDS
        .contains(&name)
        .then(|| text.parse::<u64>().ok())
        .flatten()
    {
        return Value::from(n);
    }
    if BOOLEAN_FIELDS.contains(&name) && (text == "true" || text == "false") {
        return Value::Bool(text == "true");
    }
    Value::String(text)
}

fn from_multipart(body: &Bytes, boundary: &str) -> Result<Input, FreshdeskError> {
    let parts = crate::multipart::parse(body, boundary).ok_or_else(invalid_json)?;
    let mut input = Input::default();
    for part in parts {
        if part.name == "attachments[]" {
            input.files.push(Upload {
                name: part.filename.unwrap_or_else(|| "attachment".to_owned()),
                content_type: part
                    .content_type
                    .unwrap_or_else(|| "application/octet-stream".to_owned()),
                data: part.data,
            });
            continue;
        }
        let text = String::from_utf8_lossy(&part.data).into_owned();
        if let Some(list) = part.name.strip_suffix("[]") {
            let entry = input
                .fields
                .entry(list.to_owned())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = entry {
                items.push(Value::String(text));
            }
        } else if let Some(key) = part
            .name
            .strip_prefix("custom_fields[")
            .and_then(|k| k.strip_suffix(']'))
        {
            let entry = input
                .fields
                .entry("custom_fields".to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(map) = entry {
                map.insert(key.to_owned(), Value::String(text));
            }
        } else {
            let value = typed(&part.name, text);
            input.fields.insert(part.name, value);
        }
    }
    Ok(input)
}

impl<S: Send + Sync> FromRequest<S> for Input {
    type Rejection = FreshdeskError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|_| invalid_json())?;
        let mime = content_type.split(';').next().unwrap_or("").trim();
        if mime.eq_ignore_ascii_case("application/json") {
            return from_json(&body);
        }
        if let Some(boundary) = crate::multipart::boundary(&content_type) {
            return from_multipart(&body, &boundary);
        }
        Err(FreshdeskError::InvalidContentType(content_type))
    }
}
