//! The scan behind emulated filters: when a vendor cannot filter, deskgate reads its pages
//! and keeps what matches, within a stated bound, so one unified page never costs an
//! unbounded number of vendor calls.

use std::future::Future;

use deskgate_core::{ConnectorError, Page, VendorCursor};

/// Vendor pages read at most for one emulated-filter page before answering with what was
/// found (possibly nothing) and a cursor to go on from.
pub const MAX_SCAN_PAGES: usize = 10;

/// One vendor page, before filtering and mapping.
#[derive(Debug)]
pub struct RawPage<R> {
    pub items: Vec<R>,
    pub next: Option<VendorCursor>,
}

/// Reads pages from `start` with `fetch` until one page of results is ready: the first
/// vendor page without a filter (`keep` is `None`), or, with one, the first vendor page with
/// a match, at most [`MAX_SCAN_PAGES`] pages (then an empty page and where to go on).
pub async fn scan<R, T, F, Fut>(
    start: Option<VendorCursor>,
    mut fetch: F,
    keep: Option<&(dyn Fn(&R) -> bool + Send + Sync)>,
    map: impl Fn(R) -> Result<T, String>,
) -> Result<Page<T>, ConnectorError>
where
    F: FnMut(Option<VendorCursor>) -> Fut,
    Fut: Future<Output = Result<RawPage<R>, ConnectorError>>,
{
    let mut cursor = start;
    for _ in 0..MAX_SCAN_PAGES {
        let page = fetch(cursor).await?;
        let kept: Vec<R> = match keep {
            Some(keep) => page.items.into_iter().filter(|raw| keep(raw)).collect(),
            None => page.items,
        };
        let items = kept
            .into_iter()
            .map(&map)
            .collect::<Result<Vec<T>, String>>()
            .map_err(|detail| ConnectorError::BadResponse { detail })?;
        if keep.is_none() || !items.is_empty() || page.next.is_none() {
            return Ok(Page {
                items,
                next: page.next,
            });
        }
        cursor = page.next;
    }
    Ok(Page {
        items: Vec::new(),
        next: cursor,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    /// Pages of ten numbers from 0 to 199.
    async fn pages(cursor: Option<VendorCursor>) -> Result<RawPage<u32>, ConnectorError> {
        let from: u32 = cursor.map_or(0, |c| c.0.parse().unwrap());
        let next = (from + 10 < 200).then(|| VendorCursor((from + 10).to_string()));
        Ok(RawPage {
            items: (from..from + 10).collect(),
            next,
        })
    }

    #[test]
    fn without_a_filter_one_vendor_page_is_one_page() {
        let page = block_on(scan(None, pages, None, Ok::<u32, String>)).unwrap();
        assert_eq!(page.items, (0..10).collect::<Vec<_>>());
        assert_eq!(page.next, Some(VendorCursor("10".into())));
    }

    #[test]
    fn a_filter_reads_on_until_a_match_within_the_bound() {
        let keep = |n: &u32| *n == 55;
        let page = block_on(scan(None, pages, Some(&keep), Ok::<u32, String>)).unwrap();
        assert_eq!(page.items, vec![55]);
        let none = |n: &u32| *n == 150;
        let page = block_on(scan(None, pages, Some(&none), Ok::<u32, String>)).unwrap();
        assert!(page.items.is_empty());
        assert_eq!(
            page.next,
            Some(VendorCursor("100".into())),
            "stops after the bound"
        );
    }

    #[test]
    fn a_record_that_does_not_map_fails_the_page() {
        let e = block_on(scan(None, pages, None, |_| Err::<u32, _>("bad".into()))).unwrap_err();
        assert!(matches!(e, ConnectorError::BadResponse { .. }));
    }
}
