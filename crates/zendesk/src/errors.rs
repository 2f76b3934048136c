//! Zendesk's error answers → [`ConnectorError`], with diagnoses a person can act on.
//!
//! Zendesk answers errors in several shapes, all of which are read here:
//! a string `error` with `description` (and `details` per field for `RecordInvalid`), an
//! object `error` (`{"title","message"}`), a JSON:API `errors[]` list, OAuth's
//! `{"error","error_description"}`, and plain text.

use deskgate_connector::vendor_error::{self, Hints, VendorError, clip, field_errors, text};
use deskgate_core::{AuthMode, ConnectorError, FieldError};
use deskgate_upstream::{UpstreamError, UpstreamResponse};
use http::StatusCode;
use serde_json::Value;

use crate::subdomain::ZendeskSubdomain;

/// Reads any documented error body.
pub(crate) fn parse_body(body: &[u8]) -> VendorError {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return VendorError::plain(body);
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
    let message_of = |item: &Value| text(item.get("detail")).or_else(|| text(item.get("title")));
    let fields = field_errors(list, |item| {
        let source = item.get("source");
        (
            text(source.and_then(|s| s.get("pointer")))
                .or_else(|| text(source.and_then(|s| s.get("parameter")))),
            message_of(item),
        )
    });
    let message = list
        .iter()
        .filter_map(message_of)
        .next()
        .unwrap_or_default();
    VendorError {
        code: list.iter().find_map(|item| text(item.get("code"))),
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

/// The error for a subdomain with no account behind it, whichever endpoint answered.
pub(crate) fn unknown_account_of(
    response: &UpstreamResponse,
    subdomain: &ZendeskSubdomain,
) -> Option<ConnectorError> {
    is_unknown_account(response.status(), response.body()).then(|| unknown_account(subdomain))
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

/// Maps a non-success answer.
pub(crate) fn from_response(
    response: &UpstreamResponse,
    mode: AuthMode,
    subdomain: &ZendeskSubdomain,
) -> ConnectorError {
    if let Some(e) = unknown_account_of(response, subdomain) {
        return e;
    }
    let vendor = parse_body(response.body());
    let forbidden = forbidden_hint(mode, &vendor);
    vendor_error::classify("zendesk", response, vendor, || Hints {
        unauthorized: unauthorized_hint(mode),
        forbidden,
    })
}

/// Maps a failed call of the outbound engine.
pub(crate) fn from_upstream(
    error: UpstreamError,
    mode: AuthMode,
    subdomain: &ZendeskSubdomain,
) -> ConnectorError {
    vendor_error::from_upstream("zendesk", error, |r| from_response(r, mode, subdomain))
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
    fn the_api_token_hint_names_the_setting_and_the_format() {
        let hint = unauthorized_hint(AuthMode::ApiToken);
        assert!(hint.contains("Allow API token access"));
        assert!(hint.contains("Admin Center → Apps and integrations → APIs → API configuration"));
        assert!(hint.contains("{email}/token:{token}"));
    }
}
