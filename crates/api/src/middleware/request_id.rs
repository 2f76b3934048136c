//! Every request gets an id: the caller's `X-Request-Id` when it is short and printable,
//! otherwise a new UUID v7. The id is in the tracing span, the audit log and the response.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::Request;
use axum::http::HeaderValue;

pub(crate) const HEADER: &str = "x-request-id";

#[derive(Clone, Debug)]
pub(crate) struct RequestId(pub(crate) String);

/// Puts the request's id in its extensions and returns it as the response's header value.
pub(crate) fn assign(req: &mut Request) -> HeaderValue {
    let kept = req
        .headers()
        .get(HEADER)
        .filter(|v| v.to_str().is_ok_and(is_acceptable))
        .cloned();
    let (id, value) = match kept {
        Some(value) => (value.to_str().unwrap_or_default().to_owned(), value),
        None => {
            let id = new_id();
            // A hyphenated UUID is always a valid header value.
            let value = HeaderValue::from_str(&id).unwrap_or(HeaderValue::from_static(""));
            (id, value)
        }
    };
    req.extensions_mut().insert(RequestId(id));
    value
}

/// A UUID v7 from the thread's random generator: `Uuid::now_v7` asks the kernel for its
/// random bits, a system call on every request.
fn new_id() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    uuid::Builder::from_unix_timestamp_millis(millis, &rand::random::<[u8; 10]>())
        .into_uuid()
        .to_string()
}

fn is_acceptable(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_printable_ids_are_kept() {
        assert!(is_acceptable("req-123_abc.def:9"));
        assert!(!is_acceptable(""));
        assert!(!is_acceptable("a b"));
        assert!(!is_acceptable("line\nbreak"));
        assert!(!is_acceptable(&"x".repeat(129)));
    }

    #[test]
    fn new_ids_are_version_7_and_distinct() {
        let (a, b) = (new_id(), new_id());
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 7);
        assert_eq!(parsed.hyphenated().to_string(), a);
    }
}
