//! Cursor pagination (`page[size]` ≤ 100, `page[after]`), and the scan that emulates the
//! filters Zendesk cannot apply.
//!
//! The [`VendorCursor`] this connector hands out is Zendesk's own `after_cursor`, never a
//! URL (`links.next` is ignored): the API signs and binds it to the connection before a
//! caller sees it.

use deskgate_core::page::Limit;
use deskgate_core::{ConnectorError, VendorCursor};
use serde_json::Value;

/// Longest cursor accepted back; Zendesk's are a few dozen characters.
const MAX_CURSOR_LEN: usize = 1024;

/// Vendor pages read at most for one emulated-filter page before answering with what was
/// found (possibly nothing) and a cursor to go on from.
pub(crate) const MAX_SCAN_PAGES: usize = 10;

/// The query of one cursor page.
pub(crate) fn page_query(
    limit: Limit,
    cursor: Option<&VendorCursor>,
) -> Result<Vec<(&'static str, String)>, ConnectorError> {
    let mut query = vec![("page[size]", limit.get().min(Limit::MAX).to_string())];
    if let Some(cursor) = cursor {
        query.push(("page[after]", check_cursor(cursor)?.to_owned()));
    }
    Ok(query)
}

/// A cursor that came back from a caller: plausible or refused before any request.
pub(crate) fn check_cursor(cursor: &VendorCursor) -> Result<&str, ConnectorError> {
    let text = cursor.0.as_str();
    let plausible = !text.is_empty()
        && text.len() <= MAX_CURSOR_LEN
        && text.bytes().all(|b| b.is_ascii_graphic());
    if plausible {
        Ok(text)
    } else {
        Err(ConnectorError::Invalid {
            message: "the cursor is not one this connector handed out".into(),
            fields: vec![deskgate_core::FieldError {
                field: "cursor".into(),
                message: "is invalid".into(),
            }],
        })
    }
}

/// Where a vendor page says the next one starts.
pub(crate) fn next_cursor(
    has_more: bool,
    after_cursor: Option<String>,
) -> Result<Option<VendorCursor>, ConnectorError> {
    match (has_more, after_cursor) {
        (false, _) => Ok(None),
        (true, Some(after)) if !after.is_empty() => Ok(Some(VendorCursor(after))),
        (true, _) => Err(ConnectorError::BadResponse {
            detail: "zendesk said there are more records but gave no cursor".into(),
        }),
    }
}

/// Keeps the records an emulated filter selects.
pub(crate) type Keep<'a> = &'a (dyn Fn(&Value) -> bool + Send + Sync);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_carries_the_size_and_the_vendor_cursor_only() {
        let limit = Limit::try_from(100).unwrap();
        let cursor = VendorCursor("eyJvIjoiaWQiLCJ2IjoiYVFFQUFBQUFBQUFBIn0=".into());
        assert_eq!(
            page_query(limit, Some(&cursor)).unwrap(),
            vec![
                ("page[size]", "100".to_owned()),
                ("page[after]", cursor.0.clone())
            ]
        );
    }

    #[test]
    fn cursors_with_spaces_controls_or_no_text_are_refused() {
        for bad in ["", "a b", "a\nb", &"x".repeat(2000)] {
            assert!(
                check_cursor(&VendorCursor(bad.to_owned())).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_last_page_has_no_next_cursor_even_when_zendesk_sends_one() {
        assert_eq!(next_cursor(false, Some("abc".into())).unwrap(), None);
        assert_eq!(
            next_cursor(true, Some("abc".into())).unwrap(),
            Some(VendorCursor("abc".into()))
        );
        assert!(next_cursor(true, None).is_err());
    }
}
