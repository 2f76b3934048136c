//! Ids that go into a path or a request body. Intercom's ids are strings of letters, digits,
//! `_` and `-` (tickets and admins are digits, contacts and companies hex); anything else
//! cannot name an Intercom object and is refused before a request is built.

use deskgate_core::{ConnectorError, InputPart};

/// Longest id accepted.
const MAX_ID: usize = 64;

/// Whether `id` could be an Intercom id.
pub(crate) fn plausible(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A path id from a caller: anything implausible cannot exist.
pub(crate) fn path_id(id: &str) -> Result<&str, ConnectorError> {
    if plausible(id) {
        Ok(id)
    } else {
        Err(ConnectorError::NotFound)
    }
}

/// An id in a request body, refused naming the caller's field.
pub(crate) fn body_id<'a>(field: &str, id: &'a str) -> Result<&'a str, ConnectorError> {
    if plausible(id) {
        Ok(id)
    } else {
        Err(invalid(field, "is not an intercom id"))
    }
}

/// A refusal of a body field, before any request.
pub(crate) fn invalid(field: &str, message: &str) -> ConnectorError {
    ConnectorError::refused(InputPart::Body, field, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_ids_pass() {
        for ok in ["631", "6762f2f61bb69f9f2193bc59", "this_is_an_id702", "a-b"] {
            assert!(path_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "../me", "1/2", "1?x", "a b", "1%2f", &"9".repeat(65)] {
            assert_eq!(path_id(bad), Err(ConnectorError::NotFound), "{bad}");
        }
        let e = body_id("requester_id", "x/y").unwrap_err();
        assert!(
            matches!(e, ConnectorError::Refused { field, .. } if field.field == "requester_id")
        );
    }
}
