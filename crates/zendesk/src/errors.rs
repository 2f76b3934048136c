//! Zendesk's error answers → [`ConnectorError`], with diagnoses a person can act on.
//!
//! Zendesk answers errors in several shapes, all of which are read here:
//! a string `error` with `description` (and `details` per field for `RecordInvalid`), an
//! object `error` (`{"title","message"}`), a JSON:API `errors[]` list, OAuth's
//! `{"error","error_description"}`, and plain text.

use std::time::Duration;

use deskgate_core::{AuthMode, ConnectorError, FieldError};
use deskgate_upstream::{UpstreamError, UpstreamResponse};
use http::StatusCode;
use serde_json::Value;

use crate::subdomain::ZendeskSubdomain;

/// What Zendesk said, whatever the shape.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct VendorError {
    /// `RecordNotFound`, `RecordInvalid`, `invalid_grant`, … when there is one.
    pub(crate) code: Option<String>,
    pub(crate) message: String,
    pub(crate) fields: Vec<FieldError>,
}

/// Longest vendor text carried into an error message.
const MAX_TEXT: usize = 300;

fn clip(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_TEXT)
        .collect();
    clean.trim().to_owned()
}

fn text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(clip)
        .filter(|s| !s.is_empty())
}

/// Reads any documented error body.
pub(crate) fn parse_body(body: &[u8]) -> VendorError {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return VendorError {
            code: None,
            message: clip(&String::from_utf8_lossy(body)),
            fields: Vec::new(),
        };
    };
    if let Some(list) = value.get("errors").and_then(Value::as_array) {
        return json_api(list);
    }
    match value.get("error") {
        Some(Value::String(code)) => {
            let message = text(value.get("description"))
                .or_else(|| text(value.get("error_description")))
                .or_else(|| text(value.get("message")))
                .unwrap_or_else(|| clip(code));
            VendorError {
                code: Some(clip(code)),
                message,
                fields: details(value.get("details")),
            }
        }
        Some(Value::Object(object)) => VendorError {
            code: text(object.get("title")),
            message: text(object.get("message"))
                .or_else(|| text(object.get("title")))
                .unwrap_or_default(),
            fields: Vec::new(),
        },
        _ => VendorError {
            code: None,
            message: text(value.get("description")).unwrap_or_default(),
            fields: details(value.get("details")),
        },
    }
}

/// `RecordInvalid` details: `{"name": [{"description": "...", "error": "DuplicateValue"}]}`.
fn details(value: Option<&Value>) -> Vec<FieldError> {
    let Some(Value::Object(map)) = value else {
        return Vec::new();
    };
    let mut fields = Vec::new();
    for (field, problems) in map {
        let problems = match problems {
            Value::Array(list) => list.clone(),
            other => vec![other.clone()],
        };
        for problem in problems {
            let message = text(problem.get("description"))
                .or_else(|| text(problem.get("error")))
                .or_else(|| problem.as_str().map(clip))
                .unwrap_or_else(|| "is invalid".to_owned());
            fields.push(FieldError {
                field: clip(field),
                message,
            });
        }
    }
    fields
}

/// `{"errors":[{"code","title","detail","source":{"pointer"|"parameter"}}]}`.
fn json_api(list: &[Value]) -> VendorError {
    let mut fields = Vec::new();
    let mut messages = Vec::new();
    let mut code = None;
    for item in list {
        code = code.or_else(|| text(item.get("code")));
        let message = text(item.get("detail"))
            .or_else(|| text(item.get("title")))
            .unwrap_or_default();
        let source = item.get("source");
        let field = text(source.and_then(|s| s.get("pointer")))
            .map(|p| p.trim_start_matches('/').replace('/', "."))
            .or_else(|| text(source.and_then(|s| s.get("parameter"))));
        match field {
            Some(field) => fields.push(FieldError {
                field,
                message: message.clone(),
            }),
            None => messages.push(message.clone()),
        }
    }
    let message = messages
        .into_iter()
        .chain(fields.iter().map(|f| f.message.clone()))
        .find(|m| !m.is_empty())
        .unwrap_or_default();
    VendorError {
        code,
        message,
        fields,
    }
}

/// The plain-text answer Zendesk gives for a subdomain with no account behind it.
fn is_unknown_account(status: StatusCode, body: &[u8]) -> bool {
    status == StatusCode::NOT_FOUND
        && String::from_utf8_lossy(body)
            .to_ascii_lowercase()
            .contains("no help desk configured at this address")
}

/// What to tell a person whose credentials were refused.
pub(crate) fn unauthorized_hint(mode: AuthMode) -> String {
    match mode {
        AuthMode::ApiToken => "zendesk did not accept the api token: turn on \"Allow API token \
            access\" in Admin Center → Apps and integrations → APIs → API configuration, and check \
            the `{email}/token:{token}` format (an agent's email address, then `/token`, then the \
            token)"
            .to_owned(),
        AuthMode::ClientCredentials => "zendesk did not accept the client-credentials token: \
            mint a new one; if that fails, check the oauth client's id and secret"
            .to_owned(),
        _ => "zendesk did not accept the oauth access token (expired or revoked): refresh it, \
            and reconnect the account if refreshing fails"
            .to_owned(),
    }
}

/// What to tell a person whose credentials work but lack access.
pub(crate) fn forbidden_hint(mode: AuthMode, vendor: &VendorError) -> String {
    let scope = match mode {
        AuthMode::OauthCode | AuthMode::ClientCredentials => {
            " or the oauth token lacks the scope (ask for `read write`)"
        }
        _ => "",
    };
    let said = if vendor.message.is_empty() {
        String::new()
    } else {
        format!(" (zendesk said: {})", vendor.message)
    };
    format!(
        "the paired zendesk user's role lacks access to this{scope}: connect with an agent or \
         admin whose role can see tickets, users and organizations{said}"
    )
}

fn unknown_account(subdomain: &ZendeskSubdomain) -> ConnectorError {
    ConnectorError::Invalid {
        message: format!(
            "there is no zendesk account at {}.zendesk.com: check the subdomain",
            subdomain.as_str()
        ),
        fields: vec![FieldError {
            field: "subdomain".to_owned(),
            message: "no zendesk account has this subdomain".to_owned(),
        }],
    }
}

fn retry_after(response: &UpstreamResponse) -> Duration {
    response
        .headers()
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(Duration::from_secs(60), Duration::from_secs)
}

/// Maps a non-success answer.
pub(crate) fn from_response(
    response: &UpstreamResponse,
    mode: AuthMode,
    subdomain: &ZendeskSubdomain,
) -> ConnectorError {
    let status = response.status();
    let body = response.body();
    if is_unknown_account(status, body) {
        return unknown_account(subdomain);
    }
    let vendor = parse_body(body);
    let message = || {
        if vendor.message.is_empty() {
            format!("zendesk answered {}", status.as_u16())
        } else {
            vendor.message.clone()
        }
    };
    match status.as_u16() {
        401 => ConnectorError::Unauthorized {
            hint: unauthorized_hint(mode),
        },
        403 => ConnectorError::Forbidden {
            hint: forbidden_hint(mode, &vendor),
        },
        404 => ConnectorError::NotFound,
        429 => ConnectorError::RateLimited {
            retry_after: retry_after(response),
        },
        400 | 406 | 413 | 415 | 422 => ConnectorError::Invalid {
            message: message(),
            fields: vendor.fields,
        },
        other => ConnectorError::Upstream { status: other },
    }
}

/// Maps a failed call of the outbound engine.
pub(crate) fn from_upstream(
    error: UpstreamError,
    mode: AuthMode,
    subdomain: &ZendeskSubdomain,
) -> ConnectorError {
    match error {
        UpstreamError::RateLimited { retry_after } => ConnectorError::RateLimited { retry_after },
        UpstreamError::Timeout => ConnectorError::Timeout,
        UpstreamError::Transport { detail } => ConnectorError::Transport { detail },
        UpstreamError::Status { response, .. } => from_response(&response, mode, subdomain),
        UpstreamError::Blocked { reason } => ConnectorError::Transport {
            detail: format!("destination refused: {reason}"),
        },
        UpstreamError::TooLarge { limit } => ConnectorError::BadResponse {
            detail: format!("the answer is larger than {limit} bytes"),
        },
        UpstreamError::Redirect { status } => ConnectorError::BadResponse {
            detail: format!(
                "zendesk answered with a redirect ({status}), which is not followed: check the \
                 subdomain"
            ),
        },
        other => ConnectorError::Transport {
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_invalid_details_become_field_errors() {
        let body = br#"{"error":"RecordInvalid","description":"Record validation errors","details":{"name":[{"description":"Name has already been taken","error":"DuplicateValue"}]}}"#;
        let e = parse_body(body);
        assert_eq!(e.code.as_deref(), Some("RecordInvalid"));
        assert_eq!(e.message, "Record validation errors");
        assert_eq!(
            e.fields,
            vec![FieldError {
                field: "name".into(),
                message: "Name has already been taken".into()
            }]
        );
    }

    #[test]
    fn string_object_list_oauth_and_plain_text_errors_are_all_read() {
        let e = parse_body(br#"{"error":"RecordNotFound","description":"Not found"}"#);
        assert_eq!(
            (e.code.as_deref(), e.message.as_str()),
            (Some("RecordNotFound"), "Not found")
        );

        let e = parse_body(br#"{"error":{"title":"Invalid attribute","message":"You failed to change the password"}}"#);
        assert_eq!(e.code.as_deref(), Some("Invalid attribute"));
        assert_eq!(e.message, "You failed to change the password");

        let e = parse_body(br#"{"errors":[{"code":"RateLimitExceeded","title":"Rate limit exceeded. Maximum 10 requests per minute."}]}"#);
        assert_eq!(e.code.as_deref(), Some("RateLimitExceeded"));
        assert_eq!(
            e.message,
            "Rate limit exceeded. Maximum 10 requests per minute."
        );

        let e = parse_body(br#"{"errors":[{"code":"InvalidValue","title":"Invalid","detail":"must be a number","source":{"pointer":"/ticket/priority"}}]}"#);
        assert_eq!(
            e.fields,
            vec![FieldError {
                field: "ticket.priority".into(),
                message: "must be a number".into()
            }]
        );

        let e = parse_body(br#"{"error":"invalid_grant","error_description":"The provided authorization grant is invalid."}"#);
        assert_eq!(e.code.as_deref(), Some("invalid_grant"));
        assert_eq!(e.message, "The provided authorization grant is invalid.");

        let e = parse_body(b"Required parameter missing: phone_number");
        assert_eq!(e.code, None);
        assert_eq!(e.message, "Required parameter missing: phone_number");

        let e = parse_body(br#"{"error":"Couldn't authenticate you"}"#);
        assert_eq!(e.message, "Couldn't authenticate you");
    }

    #[test]
    fn vendor_text_is_clipped_and_stripped_of_control_characters() {
        let long = format!("bad\r\n{}", "x".repeat(1000));
        let e = parse_body(long.as_bytes());
        assert!(e.message.len() <= MAX_TEXT);
        assert!(!e.message.contains('\n'));
    }

    #[test]
    fn the_api_token_hint_names_the_setting_and_the_format() {
        let hint = unauthorized_hint(AuthMode::ApiToken);
        assert!(hint.contains("Allow API token access"));
        assert!(hint.contains("Admin Center → Apps and integrations → APIs → API configuration"));
        assert!(hint.contains("{email}/token:{token}"));
    }
}
