//! Freshdesk's error answers → [`ConnectorError`].
//!
//! Freshdesk answers a validation failure as
//! `{"description":"Validation failed","errors":[{"field","message","code"}]}`, other
//! refusals as `{"code","message"}`, and an unknown domain or a proxy failure as an HTML or
//! plain-text page. Each shape is read into a [`VendorError`]; the status then picks the
//! error through the kit's [`classify`], with the hints a person needs for 401 and 403.

use deskgate_connector::VendorError;
use deskgate_connector::vendor_error::{Hints, classify, field_errors, text};
use deskgate_core::ConnectorError;
use deskgate_upstream::UpstreamResponse;
use serde_json::Value;

use crate::domain::VENDOR;

/// Where a person finds the key, said wherever a key is asked for or refused.
pub(crate) const KEY_LOCATION: &str =
    "Freshdesk → profile picture → Profile settings → \"Your API Key\"";

/// What a 401 means for an API key.
pub(crate) fn unauthorized_hint() -> String {
    format!(
        "freshdesk rejected the api key: it is wrong, or it was reset (a reset revokes the \
         old key everywhere); copy the current key from {KEY_LOCATION}"
    )
}

/// What a 403 means: the key works, the agent behind it may not do this.
pub(crate) fn forbidden_hint() -> String {
    "the api key works but the agent's role lacks access to this (freshdesk also answers 403 \
     when the feature is off on the plan or the agent is locked out after failed logins): \
     ask a freshdesk admin for a role with access to tickets, contacts and agents"
        .to_owned()
}

fn hints() -> Hints {
    Hints {
        unauthorized: unauthorized_hint(),
        forbidden: forbidden_hint(),
    }
}

/// Freshdesk's names for fields the unified schema names otherwise, so that a vendor's field
/// error points at the field the caller sent.
const UNIFIED_NAMES: &[(&str, &str)] = &[
    ("responder_id", "assignee_id"),
    ("group_id", "team_id"),
    ("company_id", "account_id"),
    ("source", "channel"),
    ("cc_emails", "cc_ids"),
];

fn unified(field: String) -> String {
    UNIFIED_NAMES
        .iter()
        .find(|(vendor, _)| *vendor == field)
        .map_or(field, |(_, ours)| (*ours).to_owned())
}

/// What Freshdesk said, whatever the shape; field errors carry the unified field names.
pub(crate) fn read(body: &[u8]) -> VendorError {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return VendorError::plain(body);
    };
    if let Some(items) = value.get("errors").and_then(Value::as_array) {
        let fields = field_errors(items, |item| {
            (
                text(item.get("field")).map(unified),
                text(item.get("message")),
            )
        });
        let code = items.first().and_then(|item| text(item.get("code")));
        let description = text(value.get("description")).unwrap_or_else(|| "invalid".into());
        let message = match fields.first() {
            Some(first) => format!("{description}: {}: {}", first.field, first.message),
            None => description,
        };
        return VendorError {
            code,
            message,
            fields,
        };
    }
    VendorError::flat(&value, &["message", "description"])
}

/// The error for a non-success answer.
pub(crate) fn from_response(response: &UpstreamResponse) -> ConnectorError {
    classify(VENDOR, response, read(response.body()), hints)
}

/// Whether a body is JSON at all: Freshdesk's API always answers JSON (or nothing), so an
/// HTML page means the request never reached a helpdesk's API.
pub(crate) fn is_json(body: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use deskgate_core::FieldError;

    use super::*;

    const VALIDATION: &str = include_str!("../tests/fixtures/error_validation.json");
    const PAGE_CAP: &str = include_str!("../tests/fixtures/error_page_cap.json");

    #[test]
    fn vendor_field_names_become_the_unified_ones() {
        let e = read(br#"{"description":"Validation failed","errors":[{"field":"responder_id","message":"There is no agent matching the given responder_id","code":"invalid_value"}]}"#);
        assert_eq!(e.fields[0].field, "assignee_id");
        assert_eq!(unified("subject".into()), "subject");
    }

    #[test]
    fn a_validation_failure_names_every_field() {
        let said = read(VALIDATION.as_bytes());
        assert_eq!(said.code.as_deref(), Some("invalid_field"));
        assert_eq!(
            said.fields,
            vec![
                FieldError {
                    field: "priorty".into(),
                    message: "Unexpected/invalid field in request".into()
                },
                FieldError {
                    field: "email".into(),
                    message: "It should be a valid email address".into()
                },
            ]
        );
        assert_eq!(
            said.message,
            "Validation failed: priorty: Unexpected/invalid field in request"
        );
    }

    #[test]
    fn the_300_page_refusal_reads_as_a_page_field_error() {
        let said = read(PAGE_CAP.as_bytes());
        assert_eq!(said.code.as_deref(), Some("invalid_value"));
        assert_eq!(said.fields[0].field, "page");
        assert!(said.fields[0].message.contains("300th page"));
    }

    #[test]
    fn a_code_and_message_answer_carries_its_message() {
        let said = read(br#"{"code":"access_denied","message":"You are not authorized to perform this action."}"#);
        assert_eq!(said.code.as_deref(), Some("access_denied"));
        assert_eq!(
            said.message,
            "You are not authorized to perform this action."
        );
        assert!(said.fields.is_empty());
    }

    #[test]
    fn html_and_plain_text_are_clipped_text() {
        let page = format!(
            "<html><body>There is no helpdesk here\r\n{}</body></html>",
            "x".repeat(900)
        );
        let said = read(page.as_bytes());
        assert!(
            said.message
                .starts_with("<html><body>There is no helpdesk here")
        );
        assert!(said.message.len() <= 300 && !said.message.contains('\n'));
        assert!(!is_json(page.as_bytes()));
        assert!(is_json(VALIDATION.as_bytes()));
        assert!(!is_json(b""));
    }

    #[test]
    fn the_hints_say_where_the_key_is_and_what_a_role_lacks() {
        assert!(unauthorized_hint().contains("\"Your API Key\""));
        assert!(unauthorized_hint().contains("reset"));
        assert!(forbidden_hint().contains("role"));
        for hint in [unauthorized_hint(), forbidden_hint()] {
            assert!(hint.starts_with(|c: char| c.is_lowercase()) && !hint.ends_with('.'));
        }
    }
}
