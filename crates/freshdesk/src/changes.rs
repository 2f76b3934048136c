//! Changes: what the sync reads to learn which tickets changed or were deleted.
//!
//! Freshdesk has no change feed. Changed tickets are the ticket walk of `tickets` (`GET
//! /tickets?updated_since=…&order_by=updated_at&order_type=asc`, the keyset on `updated_at`
//! that crosses the 300-page cap); deleted ones are the same walk over the trash
//! (`filter=deleted`), whose `updated_at` is when the ticket was deleted. Both spend the
//! tickets-list cap of the account.
//!
//! The change cursor holds both walks' positions and which one the next call reads:
//! `f1.{feed}.{changed since}.{changed ids}.{changed page}.{deleted since}.{deleted ids}.{deleted page}`
//! (`feed` is `c` or `d`; ids as in the list cursor). Each call reads one vendor page: the
//! changed walk until it reaches its end, then the deleted walk, which ends the round. A walk
//! that reached its end resumes next round from the newest `updated_at` it returned, with
//! the ids returned at that second, but never from a second less than [`SETTLE`] old: a
//! ticket changed again within the same second after it was read is then not mistaken for
//! one already returned.

use std::time::Duration;

use chrono::{DateTime, Utc};
use deskgate_connector::watermark::settled_before;
use deskgate_connector::{
    CursorFields, CursorPosition, CursorText, Feed, FeedKey, FeedPage, MalformedCursor,
    RoundPosition, Watermark, read_round,
};
use deskgate_core::{ChangePage, ChangeRequest, ConnectorError, DeletedTicket};

use crate::client::FreshdeskConnector;
use crate::map;
use crate::paging::{MAX_PER_PAGE, Step, TicketCursor};
use crate::tickets::{Shelf, typed_key, walk_page, wire_key};
use crate::wire::WireTicketKey;

type Result<T> = std::result::Result<T, ConnectorError>;

/// How old a second must be before a walk resumes past it.
pub(crate) const SETTLE: Duration = Duration::from_secs(60);

const TAG: &str = "f1";

/// Where the sync stands in both walks, and which one it reads next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChangePosition {
    pub(crate) feed: Feed,
    pub(crate) changed: TicketCursor,
    pub(crate) deleted: TicketCursor,
}

impl RoundPosition for ChangePosition {
    /// The trash holds tickets only.
    const DELETED_ARE_TICKETS: bool = true;

    /// A connection's first sync: both walks from `since`.
    fn start(since: DateTime<Utc>) -> Self {
        Self {
            feed: Feed::Changed,
            changed: TicketCursor::at(since),
            deleted: TicketCursor::at(since),
        }
    }

    fn feed(&self) -> Feed {
        self.feed
    }

    fn set_feed(&mut self, feed: Feed) {
        self.feed = feed;
    }
}

impl CursorPosition for ChangePosition {
    fn text(&self) -> String {
        let text = CursorText::new(TAG).feed(self.feed);
        self.deleted.write(self.changed.write(text)).finish()
    }

    fn parse(text: &str) -> std::result::Result<Self, MalformedCursor> {
        let mut fields = CursorFields::open(text, TAG)?;
        let feed = fields.feed()?;
        let changed = TicketCursor::read_from(&mut fields)?;
        let deleted = TicketCursor::read_from(&mut fields)?;
        fields.end()?;
        Ok(Self {
            feed,
            changed,
            deleted,
        })
    }

    fn marks(&mut self) -> Vec<&mut Watermark> {
        vec![&mut self.changed.mark, &mut self.deleted.mark]
    }
}

/// Where a walk goes after a page: on while the vendor has more, else where the next round
/// resumes.
fn advance(at: &TicketCursor, step: Step, keys: &[FeedKey], cap: DateTime<Utc>) -> TicketCursor {
    if step.more {
        step.next
    } else {
        at.settled(keys, cap)
    }
}

pub(crate) async fn ticket_changes(
    fd: &FreshdeskConnector,
    req: &ChangeRequest,
) -> Result<ChangePage> {
    let per_page = req.limit.clamp(1, MAX_PER_PAGE).to_string();
    read_round(req, |position| read_page(fd, position, &per_page)).await
}

/// One page of the walk `position` is at, and the position after it.
async fn read_page(
    fd: &FreshdeskConnector,
    mut position: ChangePosition,
    per_page: &str,
) -> Result<(ChangePosition, FeedPage)> {
    let cap = settled_before(Utc::now(), SETTLE);
    let mut read = FeedPage::default();
    match position.feed {
        Feed::Changed => {
            let at = &position.changed;
            let page = walk_page(fd, Shelf::Live, at, per_page, typed_key).await?;
            read.tickets = page
                .items
                .into_iter()
                .map(|t| map::ticket_from_wire(t, fd.domain(), None))
                .collect();
            read.more = page.step.more;
            position.changed = advance(at, page.step, &page.keys, cap);
        }
        Feed::Deleted => {
            let at = &position.deleted;
            let page = walk_page(fd, Shelf::Deleted, at, per_page, wire_key).await?;
            read.deleted = page.items.into_iter().map(deleted_ticket).collect();
            read.more = page.step.more;
            position.deleted = advance(at, page.step, &page.keys, cap);
        }
    }
    Ok((position, read))
}

/// A ticket in the trash: Freshdesk keeps no deletion time, so its `updated_at`, which the
/// deletion set.
fn deleted_ticket(key: WireTicketKey) -> DeletedTicket {
    DeletedTicket {
        id: key.id.0.into(),
        deleted_at: Some(key.updated_at),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use deskgate_connector::testing::{assert_corrupt, at};

    use super::*;

    #[test]
    fn a_change_cursor_holds_both_walks_and_reads_back() {
        let position = ChangePosition {
            feed: Feed::Deleted,
            changed: TicketCursor {
                mark: Watermark::new(at(1_767_225_600), vec![5, 6]),
                page: 2,
            },
            deleted: TicketCursor::at(at(1_767_000_000)),
        };
        let cursor = position.change_cursor();
        assert_eq!(cursor.0, "f1.d.1767225600.5_1.2.1767000000..1");
        assert_eq!(
            ChangePosition::from_change_cursor(&cursor).unwrap(),
            position
        );
        let first = ChangePosition::start(at(1_767_225_600) + chrono::TimeDelta::milliseconds(5));
        assert_eq!(first.change_cursor().0, "f1.c.1767225600..1.1767225600..1");
    }

    #[test]
    fn a_malformed_change_cursor_is_refused_as_corrupt() {
        assert_corrupt::<ChangePosition>(&[
            "",
            "f1",
            "f1.x.1..1.1..1",
            "f1.c.1..0.1..1",
            "f1.c.1..1.1..1.",
            "f1.c.1..1.1..",
            "t1.1.1.",
            "f1.c.1.zz!.1.1..1",
            "f2.c.1..1.1..1",
        ]);
    }

    #[test]
    fn a_long_cursor_sheds_ids_rather_than_grow() {
        let many: Vec<u64> = (0..200).map(|i| i * 1_000_000_000_000).collect();
        let position = ChangePosition {
            feed: Feed::Changed,
            changed: TicketCursor {
                mark: Watermark::new(at(5), many.clone()),
                page: 1,
            },
            deleted: TicketCursor {
                mark: Watermark::new(at(6), many),
                page: 1,
            },
        };
        let cursor = position.change_cursor();
        assert!(cursor.0.len() <= deskgate_connector::cursor_text::MAX_CURSOR_CHARS);
        let back = ChangePosition::from_change_cursor(&cursor).unwrap();
        assert!(back.changed.mark.seen().len() < 200 && back.deleted.mark.seen().len() < 200);
        assert_eq!(back.changed.since(), at(5));
    }

    #[test]
    fn a_walk_at_its_end_resumes_from_a_settled_second() {
        let walk = TicketCursor::at(at(100));
        let keys = [(1, at(150)), (2, at(190)), (3, at(195))];
        let end = walk.step(&keys, false);
        let resumed = advance(&walk, end, &keys, at(190));
        assert_eq!(
            resumed,
            TicketCursor {
                mark: Watermark::new(at(190), vec![2]),
                page: 1
            }
        );
        let more = walk.step(&keys, true);
        let next = more.next.clone();
        assert_eq!(advance(&walk, more, &keys, at(190)), next);
    }
}
