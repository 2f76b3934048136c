//! Freshdesk paging: `page` + `per_page` (at most 100), the next page announced by a
//! `Link: <…>; rel="next"` header; and the ticket walk, which cannot use page numbers.
//!
//! `GET /tickets` has two traps. Without `updated_since` it returns only tickets created in
//! the last 30 days, and it refuses pages beyond 300. So the walk is a keyset on
//! `updated_at`: every unified page asks for page 1 of `updated_since={since}` in ascending
//! `updated_at` order and skips the tickets it already returned at exactly `since`
//! (Freshdesk's bound is inclusive). The cursor carries `since` and those ids, plus a page
//! number only when a whole vendor page sits at one instant (then the walk steps through
//! that instant page by page). The walk never depends on how deep it is, so it crosses the
//! 300-page cap; a ticket updated during the walk moves to the end and is returned again
//! with its new state, and none is skipped.
//!
//! Cursors handed out are opaque text (the API signs them), never a URL.

use chrono::{DateTime, SecondsFormat, Utc};
use deskgate_connector::filters::check_cursor;
use deskgate_core::{ConnectorError, FieldError, VendorCursor};
use http::HeaderMap;
use http::header::LINK;
use url::Url;

/// Freshdesk's largest page.
pub(crate) const MAX_PER_PAGE: u32 = 100;

/// Longest cursor text handed out; the kit takes back at most 1,024 characters.
const MAX_CURSOR_CHARS: usize = 900;

fn bad_cursor() -> ConnectorError {
    ConnectorError::Invalid {
        message: "the cursor is not one this connector handed out".into(),
        fields: vec![FieldError {
            field: "cursor".into(),
            message: "is invalid".into(),
        }],
    }
}

/// The `rel="next"` target of a `Link` header, if there is one.
fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|link| {
            let (target, params) = link.split_once(';')?;
            let is_next = params.split(';').any(|p| {
                let p = p.trim().to_ascii_lowercase();
                p == "rel=\"next\"" || p == "rel=next"
            });
            let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
            is_next.then(|| target.to_owned())
        })
}

/// Whether the vendor announced a next page.
pub(crate) fn has_next(headers: &HeaderMap) -> bool {
    next_link(headers).is_some()
}

/// The page number of the `rel="next"` link, `None` on the last page.
pub(crate) fn next_page(headers: &HeaderMap) -> Result<Option<u32>, ConnectorError> {
    let Some(target) = next_link(headers) else {
        return Ok(None);
    };
    let base = Url::parse("https://freshdesk.invalid/").map_err(|e| bad_link(&e.to_string()))?;
    let url = base.join(&target).map_err(|e| bad_link(&e.to_string()))?;
    url.query_pairs()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse::<u32>().ok())
        .filter(|p| *p >= 1)
        .map(Some)
        .ok_or_else(|| bad_link("no page number"))
}

fn bad_link(why: &str) -> ConnectorError {
    ConnectorError::BadResponse {
        detail: format!("freshdesk's link header could not be read: {why}"),
    }
}

/// A numbered page's cursor: `p{n}`.
pub(crate) fn page_cursor(page: u32) -> VendorCursor {
    VendorCursor(format!("p{page}"))
}

/// The page a numbered list starts from.
pub(crate) fn page_from(cursor: Option<&VendorCursor>) -> Result<u32, ConnectorError> {
    let Some(cursor) = cursor else { return Ok(1) };
    check_cursor(cursor)?
        .strip_prefix('p')
        .and_then(|n| n.parse::<u32>().ok())
        .filter(|n| *n >= 1)
        .ok_or_else(bad_cursor)
}

/// `updated_since`'s format.
pub(crate) fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Where the ticket walk stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TicketCursor {
    /// Whole seconds; every ticket updated before it has been returned.
    pub(crate) since: DateTime<Utc>,
    /// 1, or deeper while the walk steps through one crowded instant.
    pub(crate) page: u32,
    /// Tickets updated at exactly `since` that were already returned, ascending.
    pub(crate) seen: Vec<u64>,
}

impl TicketCursor {
    /// The first page: from `updated_after` (rounded down to the second; the caller drops
    /// what is not strictly later), or from the epoch so that old tickets are included.
    pub(crate) fn start(updated_after: Option<DateTime<Utc>>) -> Self {
        let secs = updated_after.map_or(0, |t| t.timestamp());
        Self {
            since: DateTime::from_timestamp(secs, 0).unwrap_or_default(),
            page: 1,
            seen: Vec::new(),
        }
    }

    /// `t1.{since}.{page}.{ids}`: ids ascending, as base-36 differences, joined by `_`. Ids
    /// that would make the cursor too long are left out, oldest first: those tickets may
    /// then be returned twice, never skipped.
    pub(crate) fn encode(&self) -> VendorCursor {
        let mut ids: &[u64] = &self.seen;
        loop {
            let text = format!(
                "t1.{}.{}.{}",
                self.since.timestamp(),
                self.page,
                deltas(ids)
            );
            if text.len() <= MAX_CURSOR_CHARS || ids.is_empty() {
                return VendorCursor(text);
            }
            ids = &ids[ids.len().div_ceil(8)..];
        }
    }

    pub(crate) fn decode(cursor: &VendorCursor) -> Result<Self, ConnectorError> {
        let text = check_cursor(cursor)?;
        let mut parts = text.split('.');
        let (Some("t1"), Some(since), Some(page), Some(ids), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(bad_cursor());
        };
        let since = since
            .parse::<i64>()
            .ok()
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .ok_or_else(bad_cursor)?;
        let page = page
            .parse::<u32>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(bad_cursor)?;
        let mut seen = Vec::new();
        let mut last = 0_u64;
        for delta in ids.split('_').filter(|d| !d.is_empty()) {
            let delta = u64::from_str_radix(delta, 36).map_err(|_| bad_cursor())?;
            last = last.checked_add(delta).ok_or_else(bad_cursor)?;
            seen.push(last);
        }
        Ok(Self { since, page, seen })
    }

    /// One vendor page read: which of its tickets (`(id, updated_at)`, in the vendor's
    /// order) to return, and where to go on. `more` is whether the vendor has a next page.
    pub(crate) fn step(
        &self,
        keys: &[(u64, DateTime<Utc>)],
        more: bool,
    ) -> (Vec<usize>, Option<Self>) {
        let fresh = keys
            .iter()
            .enumerate()
            .filter(|(_, (id, at))| {
                *at > self.since || (*at == self.since && self.seen.binary_search(id).is_err())
            })
            .map(|(i, _)| i)
            .collect();
        let Some(last) = keys.iter().map(|(_, at)| *at).max().filter(|_| more) else {
            return (fresh, None);
        };
        let at_instant = |instant: DateTime<Utc>| {
            let mut ids: Vec<u64> = keys
                .iter()
                .filter(|(_, at)| *at == instant)
                .map(|(id, _)| *id)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let next = if last <= self.since {
            // The whole page sits at `since`: step to the next page of that instant.
            Self {
                since: self.since,
                page: self.page.saturating_add(1),
                seen: at_instant(self.since),
            }
        } else {
            Self {
                since: last,
                page: 1,
                seen: at_instant(last),
            }
        };
        (fresh, Some(next))
    }
}

fn deltas(ids: &[u64]) -> String {
    let mut out = String::new();
    let mut last = 0_u64;
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push('_');
        }
        out.push_str(&base36(id.saturating_sub(last)));
        last = *id;
    }
    out
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
#[path = "paging_tests.rs"]
mod tests;
