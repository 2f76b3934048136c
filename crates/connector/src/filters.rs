//! Predicates for emulated filters over a vendor's raw JSON records, and the checks of ids
//! and cursors that come back from callers.

use chrono::{DateTime, Utc};
use deskgate_core::{ConnectorError, InputPart, VendorCursor};
use serde_json::Value;

/// An RFC 3339 timestamp field of a record.
pub fn timestamp(raw: &Value, field: &str) -> Option<DateTime<Utc>> {
    raw.get(field)
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.to_utc())
}

/// Keeps records whose `field` is later than `after` (all records when `after` is `None`).
pub fn later_than(
    after: Option<DateTime<Utc>>,
    field: &'static str,
) -> impl Fn(&Value) -> bool + Send + Sync {
    move |raw| after.is_none_or(|after| timestamp(raw, field).is_some_and(|t| t > after))
}

/// Whether the record's id-valued `field` (a number or a string) is `wanted`.
pub fn id_matches(raw: &Value, field: &str, wanted: Option<&str>) -> bool {
    wanted.is_none_or(|wanted| match raw.get(field) {
        Some(Value::Number(n)) => n.to_string() == wanted,
        Some(Value::String(s)) => s == wanted,
        _ => false,
    })
}

/// Whether the record's `field` is the email `wanted`, ignoring case.
pub fn email_matches(raw: &Value, field: &str, wanted: Option<&str>) -> bool {
    wanted.is_none_or(|wanted| {
        raw.get(field)
            .and_then(Value::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case(wanted))
    })
}

/// A path id from a caller for a vendor whose ids are integers: anything else cannot exist.
pub fn numeric_id(id: &str) -> Result<&str, ConnectorError> {
    if is_numeric(id) {
        Ok(id)
    } else {
        Err(ConnectorError::NotFound)
    }
}

/// An id in a request body: anything but an integer is refused naming the field.
pub fn numeric_field<'a>(
    vendor: &str,
    field: &str,
    id: &'a str,
) -> Result<&'a str, ConnectorError> {
    if is_numeric(id) {
        Ok(id)
    } else {
        Err(ConnectorError::refused(
            InputPart::Body,
            field,
            format!("must be a {vendor} id (digits only)"),
        ))
    }
}

fn is_numeric(id: &str) -> bool {
    !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit())
}

/// Longest vendor cursor accepted back.
const MAX_CURSOR_LEN: usize = 1024;

/// A cursor that came back from a caller: plausible, or refused before any request.
pub fn check_cursor(cursor: &VendorCursor) -> Result<&str, ConnectorError> {
    let text = cursor.0.as_str();
    let plausible = !text.is_empty()
        && text.len() <= MAX_CURSOR_LEN
        && text.bytes().all(|b| b.is_ascii_graphic());
    if plausible {
        Ok(text)
    } else {
        Err(ConnectorError::bad_cursor())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    #[test]
    fn ids_match_as_numbers_or_strings_and_emails_ignore_case() {
        let raw = json!({"group_id": 42, "owner": "7", "email": "A@B.test"});
        assert!(id_matches(&raw, "group_id", Some("42")));
        assert!(id_matches(&raw, "owner", Some("7")));
        assert!(!id_matches(&raw, "missing", Some("1")));
        assert!(id_matches(&raw, "missing", None));
        assert!(email_matches(&raw, "email", Some("a@b.TEST")));
    }

    #[test]
    fn later_than_compares_the_instant() {
        let raw = json!({"updated_at": "2026-01-02T00:00:00Z"});
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        assert!(later_than(Some(at("2026-01-01T00:00:00Z")), "updated_at")(
            &raw
        ));
        assert!(!later_than(Some(at("2026-01-02T00:00:00Z")), "updated_at")(
            &raw
        ));
        assert!(later_than(None, "updated_at")(&json!({})));
    }

    #[test]
    fn only_digits_are_ids_and_only_printable_text_is_a_cursor() {
        assert_eq!(numeric_id("123").unwrap(), "123");
        for bad in ["", "1a", "../1", &"9".repeat(21)] {
            assert_eq!(numeric_id(bad), Err(ConnectorError::NotFound));
        }
        let e = numeric_field("zendesk", "author_id", "x").unwrap_err();
        assert!(
            matches!(e, ConnectorError::Refused { part: InputPart::Body, field, .. } if field.field == "author_id")
        );
        for bad in ["", "a b", "a\nb", &"x".repeat(2000)] {
            assert!(
                check_cursor(&VendorCursor(bad.to_owned())).is_err(),
                "{bad:?}"
            );
        }
    }
}
