//! Freshdesk paging: `page` + `per_page` (at most 100), the next page announced by a
//! `Link: <…>; rel="next"` header; and the ticket walk, which cannot use page numbers.
//!
//! `GET /tickets` has two traps. Without `updated_since` it returns only tickets created in
//! the last 30 days, and it refuses pages beyond 300. So the walk is a keyset on
//! `updated_at`: every unified page asks for page 1 of `updated_since={since}` in ascending
//! `updated_at` order and skips the tickets it already returned at exactly `since`
//! (Freshdesk's bound is inclusive). The cursor carries `since` and those ids (the kit's
//! `Watermark`), plus a page number only when a whole vendor page sits at one instant (then
//! the walk steps through that instant page by page). The walk never depends on how deep it is, so it crosses the
//! 300-page cap; a ticket updated during the walk moves to the end and is returned again
//! with its new state, and none is skipped.
//!
//! Cursors handed out are opaque text (the API signs them), never a URL. The change sync walks
//! the same way (`changes`), over live tickets and over the trash.

use chrono::{DateTime, SecondsFormat, Utc};
use deskgate_connector::filters::check_cursor;
use deskgate_connector::{
    CursorFields, CursorPosition, CursorText, FeedKey, MalformedCursor, Watermark,
};
use deskgate_core::{ConnectorError, VendorCursor};
use http::HeaderMap;
use http::header::LINK;
use url::Url;

/// Freshdesk's largest page.
pub(crate) const MAX_PER_PAGE: u32 = 100;

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
        .ok_or_else(ConnectorError::bad_cursor)
}

/// `updated_since`'s format.
pub(crate) fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Where the ticket walk stands: the kit's [`Watermark`] (whole seconds; every ticket
/// updated before it has been returned, and so have its ids at exactly that second) and the
/// page of that `updated_since` to ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TicketCursor {
    pub(crate) mark: Watermark,
    /// 1, or deeper while the walk steps through one crowded instant.
    pub(crate) page: u32,
}

/// One vendor page of the walk read: which of its tickets to return, where the walk goes on,
/// and whether the vendor has a next page.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Step {
    /// Indexes of the tickets not returned before, in the vendor's order.
    pub(crate) fresh: Vec<usize>,
    /// Where the next vendor page starts while `more`; this position itself once the list
    /// has reached its end (a change walk then resumes from [`TicketCursor::settled`]).
    pub(crate) next: TicketCursor,
    pub(crate) more: bool,
}

impl TicketCursor {
    /// The first page: from `updated_after` (rounded down to the second; the caller drops
    /// what is not strictly later), or from the epoch so that old tickets are included.
    pub(crate) fn start(updated_after: Option<DateTime<Utc>>) -> Self {
        Self::at(updated_after.unwrap_or_default())
    }

    /// Page 1 of the tickets updated at or after `since`.
    pub(crate) fn at(since: DateTime<Utc>) -> Self {
        Self {
            mark: Watermark::start(since),
            page: 1,
        }
    }

    /// The second `updated_since` names.
    pub(crate) fn since(&self) -> DateTime<Utc> {
        self.mark.at()
    }

    /// `t1.{since}.{page}.{ids}`: ids ascending, as base-36 differences, joined by `_`. Ids
    /// that would make the cursor too long are left out, oldest first: those tickets may
    /// then be returned twice, never skipped.
    pub(crate) fn encode(&self) -> VendorCursor {
        self.vendor_cursor()
    }

    pub(crate) fn decode(cursor: &VendorCursor) -> Result<Self, ConnectorError> {
        Self::from_vendor_cursor(cursor)
    }

    /// This position as fields of a change cursor (which tags and fits the whole).
    pub(crate) fn write(&self, text: CursorText) -> CursorText {
        text.mark(&self.mark).number(self.page)
    }

    /// A position written by [`TicketCursor::write`].
    pub(crate) fn read_from(fields: &mut CursorFields<'_>) -> Result<Self, MalformedCursor> {
        let mark = fields.mark()?;
        let page = page_number(fields)?;
        Ok(Self { mark, page })
    }

    /// One vendor page read: which of its tickets (`(id, updated_at)`, in the vendor's
    /// order) to return, and where to go on. `more` is whether the vendor has a next page.
    /// Whether a ticket on this position's page was not returned before.
    pub(crate) fn is_fresh(&self, (id, at): FeedKey) -> bool {
        self.mark.is_new(id, at)
    }

    pub(crate) fn step(&self, keys: &[FeedKey], more: bool) -> Step {
        let fresh = keys
            .iter()
            .enumerate()
            .filter(|(_, key)| self.is_fresh(**key))
            .map(|(i, _)| i)
            .collect();
        if !more {
            return Step {
                fresh,
                next: self.clone(),
                more,
            };
        }
        // The ids at the newest instant of this page only: a deeper page of the same
        // `updated_since` is asked for by number, which already skips the earlier pages.
        let mark = Watermark::start(self.since()).past(keys);
        let page = if mark.at() > self.since() {
            1
        } else {
            // The whole page sits at `since`: step to the next page of that instant.
            self.page.saturating_add(1)
        };
        Step {
            fresh,
            next: Self { mark, page },
            more,
        }
    }

    /// Where a later walk resumes once this one, at this position, has read its last page
    /// (`keys`): past those tickets but not past `cap` ([`Watermark::settled`]), on page 1.
    /// Tickets at this instant returned on earlier pages of a crowded instant are not all
    /// among the ids kept: they come again, never skipped.
    pub(crate) fn settled(&self, keys: &[FeedKey], cap: DateTime<Utc>) -> Self {
        Self {
            mark: self.mark.settled(keys, cap),
            page: 1,
        }
    }
}

fn page_number(fields: &mut CursorFields<'_>) -> Result<u32, MalformedCursor> {
    fields
        .number::<u32>()
        .ok()
        .filter(|p| *p >= 1)
        .ok_or(MalformedCursor("a page number is not 1 or more"))
}

impl CursorPosition for TicketCursor {
    fn text(&self) -> String {
        CursorText::new("t1")
            .instant(self.since())
            .number(self.page)
            .ids(self.mark.seen())
            .finish()
    }

    fn parse(text: &str) -> Result<Self, MalformedCursor> {
        let mut fields = CursorFields::open(text, "t1")?;
        let since = fields.instant()?;
        let page = page_number(&mut fields)?;
        let seen = fields.ids()?;
        fields.end()?;
        Ok(Self {
            mark: Watermark::new(since, seen),
            page,
        })
    }

    fn marks(&mut self) -> Vec<&mut Watermark> {
        vec![&mut self.mark]
    }
}

#[cfg(test)]
#[path = "paging_tests.rs"]
mod tests;
