//! Paging, hidden behind deskgate's cursor ([`VendorCursor`]):
//!
//! - cursor lists (search endpoints): the cursor is Intercom's `starting_after`, taken from
//!   `pages.next.starting_after` and sent back in the search body; no `pages.next` is the
//!   last page. `per_page` is at most 150.
//! - `GET /companies` is numbered: the cursor is the next page number.
//! - lists Intercom answers whole (admins, teams, tags, a ticket's parts) are paged here: the
//!   cursor is the offset into the list.

use deskgate_connector::filters::check_cursor;
use deskgate_core::{ConnectorError, Page, VendorCursor};

use crate::wire::{WireNumberedPages, WirePages};

/// Intercom's largest search page.
pub(crate) const MAX_PER_PAGE: u32 = 150;

/// `per_page` for a unified page of `limit` items.
pub(crate) fn per_page(limit: u32) -> u32 {
    limit.clamp(1, MAX_PER_PAGE)
}

/// The `starting_after` a caller's cursor carries, checked before it is sent.
pub(crate) fn starting_after(
    cursor: Option<&VendorCursor>,
) -> Result<Option<&str>, ConnectorError> {
    cursor.map(check_cursor).transpose()
}

/// The cursor of the next page: `pages.next.starting_after`, if it is there and plausible
/// (an implausible one ends the list rather than being handed out).
pub(crate) fn next_cursor(pages: Option<WirePages>) -> Option<VendorCursor> {
    let after = pages?.next?.starting_after?;
    let cursor = VendorCursor(after);
    check_cursor(&cursor).is_ok().then_some(cursor)
}

/// Most pages of a numbered list deskgate walks (Intercom's companies list).
const MAX_PAGE: u32 = 100_000;

/// The page a numbered cursor names (the first page without one).
pub(crate) fn page_number(cursor: Option<&VendorCursor>) -> Result<u32, ConnectorError> {
    let Some(cursor) = cursor else {
        return Ok(1);
    };
    cursor
        .0
        .parse::<u32>()
        .ok()
        .filter(|n| (2..=MAX_PAGE).contains(n) && !cursor.0.starts_with('0'))
        .ok_or_else(ConnectorError::bad_cursor)
}

/// The cursor of the page after `pages.page`, when `pages.total_pages` says there is one.
pub(crate) fn next_page(pages: Option<WireNumberedPages>) -> Option<VendorCursor> {
    let pages = pages?;
    let page = pages.page?;
    let total = pages.total_pages?;
    (page < total && page < MAX_PAGE).then(|| VendorCursor((page + 1).to_string()))
}

/// One page of a list Intercom answered whole, from the offset the cursor names.
pub(crate) fn slice<T>(
    items: Vec<T>,
    cursor: Option<&VendorCursor>,
    limit: u32,
) -> Result<Page<T>, ConnectorError> {
    let from = match cursor {
        None => 0,
        Some(c) => {
            c.0.parse::<usize>()
                .ok()
                .filter(|n| *n > 0 && !c.0.starts_with('0'))
                .ok_or_else(ConnectorError::bad_cursor)?
        }
    };
    let limit = usize::try_from(limit).unwrap_or(usize::MAX).max(1);
    let total = items.len();
    let items: Vec<T> = items.into_iter().skip(from).take(limit).collect();
    let to = from.saturating_add(items.len());
    let next = (to < total).then(|| VendorCursor(to.to_string()));
    Ok(Page { items, next })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    use super::*;
    use crate::wire::WireNext;

    fn pages(after: Option<&str>) -> Option<WirePages> {
        Some(WirePages {
            next: Some(WireNext {
                starting_after: after.map(str::to_owned),
            }),
        })
    }

    #[test]
    fn starting_after_round_trips_through_the_cursor() {
        let next = next_cursor(pages(Some("WzE3MzQ1Mzc5NzQsNjMxXQ=="))).unwrap();
        assert_eq!(
            starting_after(Some(&next)).unwrap(),
            Some("WzE3MzQ1Mzc5NzQsNjMxXQ==")
        );
        assert_eq!(starting_after(None).unwrap(), None);
    }

    #[test]
    fn no_next_is_the_last_page_and_odd_cursors_end_the_list() {
        assert_eq!(next_cursor(None), None);
        assert_eq!(next_cursor(Some(WirePages { next: None })), None);
        assert_eq!(next_cursor(pages(None)), None);
        assert_eq!(next_cursor(pages(Some(""))), None);
        assert_eq!(next_cursor(pages(Some("a b"))), None);
        assert!(starting_after(Some(&VendorCursor("a\nb".into()))).is_err());
    }

    #[test]
    fn per_page_is_at_most_150() {
        assert_eq!(per_page(100), 100);
        assert_eq!(per_page(500), 150);
        assert_eq!(per_page(0), 1);
    }

    #[test]
    fn numbered_pages_go_on_until_the_total() {
        let at = |page, total_pages| {
            next_page(Some(WireNumberedPages {
                page: Some(page),
                total_pages: Some(total_pages),
            }))
        };
        assert_eq!(at(1, 3), Some(VendorCursor("2".into())));
        assert_eq!(at(3, 3), None);
        assert_eq!(next_page(None), None);
        assert_eq!(page_number(None).unwrap(), 1);
        assert_eq!(page_number(Some(&VendorCursor("2".into()))).unwrap(), 2);
        for bad in ["0", "1", "02", "x", "-3", "99999999999"] {
            assert!(
                page_number(Some(&VendorCursor(bad.into()))).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn whole_lists_are_sliced_by_offset() {
        let first = slice((0..5).collect(), None, 2).unwrap();
        assert_eq!(first.items, vec![0, 1]);
        let second = slice((0..5).collect(), first.next.as_ref(), 2).unwrap();
        assert_eq!(second.items, vec![2, 3]);
        let last = slice((0..5).collect(), second.next.as_ref(), 2).unwrap();
        assert_eq!(last.items, vec![4]);
        assert_eq!(last.next, None);
        assert!(slice(vec![1], Some(&VendorCursor("x".into())), 2).is_err());
    }

    proptest! {
        #[test]
        fn any_plausible_starting_after_survives_the_round_trip(after in "[!-~]{1,200}") {
            let cursor = next_cursor(pages(Some(&after))).unwrap();
            prop_assert_eq!(starting_after(Some(&cursor)).unwrap(), Some(after.as_str()));
        }
    }
}
