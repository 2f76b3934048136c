//! Vendor error answers → [`ConnectorError`]: what every connector does the same way.
//!
//! A connector reads its vendor's error body into a [`VendorError`] (its shapes differ) and
//! gives the hints a person needs for 401 and 403; [`classify`] then picks the error by
//! status, [`field_errors`] turns a vendor's per-field validation list into field errors, and
//! [`from_upstream`] maps the outbound engine's own failures.

use std::time::Duration;

use deskgate_core::{ConnectorError, FieldError};
use deskgate_upstream::{UpstreamError, UpstreamResponse};
use http::HeaderMap;
use serde_json::Value;

/// What a vendor said, whatever the shape.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VendorError {
    /// The vendor's error code (`RecordInvalid`, `invalid_value`, `invalid_grant`) if any.
    pub code: Option<String>,
    pub message: String,
    pub fields: Vec<FieldError>,
}

/// Longest vendor text carried into an error message.
pub const MAX_TEXT: usize = 300;

/// Vendor text made safe to carry: control characters become spaces, at most
/// [`MAX_TEXT`] characters, trimmed.
pub fn clip(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_TEXT)
        .collect();
    clean.trim().to_owned()
}

/// A non-empty string value, clipped.
pub fn text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(clip)
        .filter(|s| !s.is_empty())
}

impl VendorError {
    /// A body that is not JSON: its text, clipped.
    /// An error object without a list of errors: its `code` and the first of `message_keys`
    /// that holds a text, or the whole object (clipped) when none does.
    pub fn flat(value: &Value, message_keys: &[&str]) -> Self {
        let message = message_keys.iter().find_map(|k| text(value.get(*k)));
        match message {
            Some(message) => Self {
                code: text(value.get("code")),
                message,
                fields: Vec::new(),
            },
            None => Self {
                code: None,
                message: clip(&value.to_string()),
                fields: Vec::new(),
            },
        }
    }

    pub fn plain(body: &[u8]) -> Self {
        Self {
            code: None,
            message: clip(&String::from_utf8_lossy(body)),
            fields: Vec::new(),
        }
    }
}

/// A vendor's list of per-field problems (`[{"field": "email", "message": "…"}]`, or
/// JSON:API's `source.pointer`) as field errors. `read` picks the field name and message of
/// one item; items without a field name are skipped.
pub fn field_errors(
    items: &[Value],
    read: impl Fn(&Value) -> (Option<String>, Option<String>),
) -> Vec<FieldError> {
    items
        .iter()
        .filter_map(|item| {
            let (field, message) = read(item);
            let field = field?;
            Some(FieldError {
                field: clip(field.trim_start_matches('/')).replace('/', "."),
                message: message.unwrap_or_else(|| "is invalid".to_owned()),
            })
        })
        .collect()
}

/// `Retry-After` in delta seconds; a minute when absent or unreadable.
pub fn retry_after(headers: &HeaderMap) -> Duration {
    headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(Duration::from_secs(60), Duration::from_secs)
}

/// What to tell a person about refused credentials, per connector.
#[derive(Clone, Debug)]
pub struct Hints {
    /// For a 401: the credentials no longer work.
    pub unauthorized: String,
    /// For a 403: they work but lack access.
    pub forbidden: String,
}

/// The error for a non-success answer, by status: 401 and 403 with the connector's hints,
/// 404, 429 with `Retry-After`, the input statuses as `Invalid` with the vendor's field
/// errors, and anything else as an upstream failure.
pub fn classify(
    vendor: &str,
    response: &UpstreamResponse,
    said: VendorError,
    hints: impl FnOnce() -> Hints,
) -> ConnectorError {
    let status = response.status().as_u16();
    match status {
        401 => ConnectorError::Unauthorized {
            hint: hints().unauthorized,
        },
        403 => ConnectorError::Forbidden {
            hint: hints().forbidden,
        },
        404 => ConnectorError::NotFound,
        429 => ConnectorError::RateLimited {
            retry_after: retry_after(response.headers()),
        },
        400 | 406 | 413 | 415 | 422 => ConnectorError::Invalid {
            message: if said.message.is_empty() {
                format!("{vendor} answered {status}")
            } else {
                said.message
            },
            fields: said.fields,
        },
        other => ConnectorError::Upstream { status: other },
    }
}

/// Maps a failed call of the outbound engine; `refused` maps a vendor's non-success answer.
pub fn from_upstream(
    vendor: &str,
    error: UpstreamError,
    refused: impl FnOnce(&UpstreamResponse) -> ConnectorError,
) -> ConnectorError {
    match error {
        UpstreamError::RateLimited { retry_after } => ConnectorError::RateLimited { retry_after },
        UpstreamError::Timeout => ConnectorError::Timeout,
        UpstreamError::Transport { detail } => ConnectorError::Transport { detail },
        UpstreamError::Status { response, .. } => refused(&response),
        UpstreamError::Blocked { reason } => ConnectorError::Transport {
            detail: format!("destination refused: {reason}"),
        },
        UpstreamError::TooLarge { limit } => ConnectorError::BadResponse {
            detail: format!("the answer is larger than {limit} bytes"),
        },
        UpstreamError::Redirect { status } => ConnectorError::BadResponse {
            detail: format!(
                "{vendor} answered with a redirect ({status}), which is not followed: check the \
                 account name"
            ),
        },
        other => ConnectorError::Transport {
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn vendor_text_is_clipped_and_stripped_of_control_characters() {
        let long = format!("bad\r\n{}", "x".repeat(1000));
        let e = VendorError::plain(long.as_bytes());
        assert!(e.message.len() <= MAX_TEXT);
        assert!(!e.message.contains('\n'));
    }

    #[test]
    fn per_field_lists_become_field_errors_with_dotted_paths() {
        let items = [
            json!({"field": "priorty", "message": "Unexpected/invalid field in request"}),
            json!({"source": {"pointer": "/ticket/priority"}, "detail": "must be a number"}),
            json!({"message": "no field"}),
        ];
        let fields = field_errors(&items, |item| {
            (
                text(item.get("field")).or_else(|| text(item.pointer("/source/pointer"))),
                text(item.get("message")).or_else(|| text(item.get("detail"))),
            )
        });
        assert_eq!(
            fields,
            vec![
                FieldError {
                    field: "priorty".into(),
                    message: "Unexpected/invalid field in request".into()
                },
                FieldError {
                    field: "ticket.priority".into(),
                    message: "must be a number".into()
                },
            ]
        );
    }
}
