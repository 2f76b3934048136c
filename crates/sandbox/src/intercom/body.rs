//! Request bodies: JSON objects (Intercom's API takes JSON), with the reading helpers the
//! write endpoints share. Ids arrive as strings or numbers.

use bytes::Bytes;
use serde_json::{Map, Value};

use super::errors::IntercomError;

/// The body as a JSON object; an empty body is an empty object.
pub(crate) fn object(body: &Bytes) -> Result<Map<String, Value>, IntercomError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(IntercomError::invalid(
            "The request body is not a JSON object",
        )),
    }
}

/// A numeric id sent as a number or a numeric string.
pub(crate) fn id(value: &Value) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
}

/// An id field as text (string or number).
pub(crate) fn text_id(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
