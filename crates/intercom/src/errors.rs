//! Intercom's error answers → [`ConnectorError`].
//!
//! Intercom answers `{"type":"error.list","request_id":…,"errors":[{"code","message",
//! "field"}]}` (`code` required, `message` and `field` optional), and some newer endpoints a
//! flat `{"type":"error","request_id":…,"message":…}`. Each is read into a
//! [`VendorError`]; the status then picks the error through the kit's [`classify`]. A 401
//! means the token no longer works (reconnect); a 403 that the app lacks a permission, named
//! from Intercom's message where it says which.

use deskgate_connector::VendorError;
use deskgate_connector::vendor_error::{Hints, classify, clip, field_errors, text};
use deskgate_core::ConnectorError;
use deskgate_upstream::UpstreamResponse;
use serde_json::Value;

use crate::region::VENDOR;

/// What a 401 means: the token was revoked (the app uninstalled, the token regenerated) or
/// never worked.
pub(crate) fn unauthorized_hint() -> String {
    "intercom rejected the access token: the app was uninstalled from the workspace or its \
     token regenerated in the developer hub; reconnect the workspace (sign in with intercom \
     again, or paste the app's current access token)"
        .to_owned()
}

/// What a 403 means: the token works but the app lacks a permission (Intercom sets
/// permissions on the app, not per request), or the plan does not include the API.
pub(crate) fn forbidden_hint(said: &VendorError) -> String {
    let detail = if said.message.is_empty() {
        "intercom did not say which".to_owned()
    } else {
        said.message.clone()
    };
    format!(
        "the app lacks a permission: {detail}; add it to the app in intercom's developer hub \
         (configure → authentication → permissions), then reconnect"
    )
}

/// What Intercom said, whatever the shape.
pub(crate) fn read(body: &[u8]) -> VendorError {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return VendorError::plain(body);
    };
    if let Some(items) = value.get("errors").and_then(Value::as_array) {
        let fields = field_errors(items, |item| {
            (
                text(item.get("field")),
                text(item.get("message")).or_else(|| text(item.get("code"))),
            )
        });
        let code = items.first().and_then(|item| text(item.get("code")));
        let message = items
            .iter()
            .filter_map(|item| text(item.get("message")).or_else(|| text(item.get("code"))))
            .collect::<Vec<_>>()
            .join("; ");
        return VendorError {
            code,
            message: clip(&message),
            fields,
        };
    }
    VendorError::flat(&value, &["message"])
}

/// The unified field a "not found" error code is about, when the missing thing is a value
/// the caller sent rather than the object addressed (Intercom answers a write naming an
/// unknown assignee with 404 `assignee_not_found`).
const NOT_FOUND_FIELDS: &[(&str, &str)] = &[("assignee_not_found", "assignee_id")];

/// A 404 whose code names a value the caller sent, as a refusal of that field.
fn field_not_found(status: u16, said: &VendorError) -> Option<ConnectorError> {
    if status != 404 {
        return None;
    }
    let code = said.code.as_deref()?;
    let (_, field) = NOT_FOUND_FIELDS.iter().find(|(c, _)| *c == code)?;
    Some(ConnectorError::Invalid {
        message: said.message.clone(),
        fields: vec![deskgate_core::FieldError {
            field: (*field).to_owned(),
            message: said.message.to_lowercase(),
        }],
    })
}

/// The error for a non-success answer. A 410 (a contact merged into another) is gone for
/// the caller: not found. A 404 about a value the caller sent (an unknown assignee) is a
/// refusal of that field, not a missing object.
pub(crate) fn from_response(response: &UpstreamResponse) -> ConnectorError {
    if response.status().as_u16() == 410 {
        return ConnectorError::NotFound;
    }
    let said = read(response.body());
    if let Some(refused) = field_not_found(response.status().as_u16(), &said) {
        return refused;
    }
    let forbidden = forbidden_hint(&said);
    classify(VENDOR, response, said, || Hints {
        unauthorized: unauthorized_hint(),
        forbidden,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use deskgate_core::FieldError;

    use super::*;

    const LIST: &str = include_str!("../tests/fixtures/error_list.json");
    const FLAT: &str = include_str!("../tests/fixtures/error_flat.json");
    const INVALID: &str = include_str!("../tests/fixtures/error_data_invalid.json");
    const FORBIDDEN: &str = include_str!("../tests/fixtures/error_forbidden.json");

    #[test]
    fn an_error_list_carries_its_code_and_messages() {
        let said = read(LIST.as_bytes());
        assert_eq!(said.code.as_deref(), Some("unauthorized"));
        assert_eq!(said.message, "Access Token Invalid");
        assert!(said.fields.is_empty(), "a null field is no field error");
    }

    #[test]
    fn errors_with_a_field_become_field_errors() {
        let said = read(INVALID.as_bytes());
        assert_eq!(said.code.as_deref(), Some("parameter_invalid"));
        assert_eq!(
            said.fields,
            vec![FieldError {
                field: "assignee_id".into(),
                message: "Assignee not found".into()
            }]
        );
        assert_eq!(
            said.message,
            "Assignee not found; Ticket state id is required"
        );
    }

    #[test]
    fn a_flat_error_carries_its_message() {
        let said = read(FLAT.as_bytes());
        assert_eq!(
            said.message,
            "Request failed due to an internal network error"
        );
        assert!(said.fields.is_empty());
    }

    #[test]
    fn non_json_bodies_are_clipped_text() {
        let said = read(b"<html>Bad gateway\r\n</html>");
        assert_eq!(said.message, "<html>Bad gateway  </html>");
    }

    #[test]
    fn an_unknown_assignee_is_a_refusal_of_that_field() {
        let body = br#"{"type":"error.list","request_id":"r","errors":[{"code":"assignee_not_found","message":"Assignee not found"}]}"#;
        match field_not_found(404, &read(body)) {
            Some(ConnectorError::Invalid { fields, .. }) => {
                assert_eq!(fields[0].field, "assignee_id");
            }
            other => panic!("{other:?}"),
        }
        // The object addressed missing stays "not found".
        let body = br#"{"type":"error.list","request_id":"r","errors":[{"code":"not_found","message":"Resource Not Found"}]}"#;
        assert_eq!(field_not_found(404, &read(body)), None);
        assert_eq!(field_not_found(400, &read(body)), None);
    }

    #[test]
    fn the_forbidden_hint_names_what_intercom_said_is_missing() {
        let hint = forbidden_hint(&read(FORBIDDEN.as_bytes()));
        assert!(hint.starts_with("the app lacks a permission: "), "{hint}");
        assert!(hint.contains("read_tickets"), "{hint}");
        let unsaid = forbidden_hint(&VendorError::default());
        assert!(unsaid.contains("intercom did not say which"));
        for hint in [unauthorized_hint(), hint] {
            assert!(hint.starts_with(|c: char| c.is_lowercase()) && !hint.ends_with('.'));
        }
    }
}
