//! Cursor pagination (`page[size]` ≤ 100, `page[after]`); the scan behind emulated filters
//! is the shared one (`deskgate_connector::scan`).
//!
//! The [`VendorCursor`] this connector hands out is Zendesk's own `after_cursor`, never a
//! URL (`links.next` is ignored): the API signs and binds it to the connection before a
//! caller sees it.

use deskgate_connector::filters::check_cursor;
use deskgate_core::page::Limit;
use deskgate_core::{ConnectorError, VendorCursor};

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
    fn a_last_page_has_no_next_cursor_even_when_zendesk_sends_one() {
        assert_eq!(next_cursor(false, Some("abc".into())).unwrap(), None);
        assert_eq!(
            next_cursor(true, Some("abc".into())).unwrap(),
            Some(VendorCursor("abc".into()))
        );
        assert!(next_cursor(true, None).is_err());
    }
}
