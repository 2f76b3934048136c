//! Timestamps as both vendors write them: ISO-8601 UTC with whole seconds
//! (`2015-12-30T01:45:29Z`), and the parsing of such values in query parameters.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

/// Seconds since the epoch as a JSON timestamp string (null if out of range).
pub(crate) fn timestamp(secs: i64) -> Value {
    DateTime::from_timestamp(secs, 0).map_or(Value::Null, |t| {
        Value::String(t.to_rfc3339_opts(SecondsFormat::Secs, true))
    })
}

/// An ISO-8601 date-time (`2026-01-01T00:00:00Z`, an offset, or a bare date) as seconds.
pub(crate) fn parse(text: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp());
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| DateTime::<Utc>::from_naive_utc_and_offset(t, Utc).timestamp())
}
