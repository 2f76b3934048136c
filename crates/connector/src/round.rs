//! A change round over two feeds, for vendors without one change feed: the changed tickets,
//! then the deleted ones ([`Feed`]). Each call of `ticket_changes` reads one page of one feed
//! ([`read_round`]), so a sync's round of calls spends one request per page, and the cursor
//! says which feed the next call reads.

use std::future::Future;

use chrono::{DateTime, Utc};
use deskgate_core::model::Ticket;
use deskgate_core::{ChangePage, ChangeRequest, ConnectorError, DeletedTicket};

use crate::cursor_text::CursorPosition;

/// Which of a connector's two change feeds a change walk reads next: the changed tickets,
/// then the deleted ones. Each call of `ticket_changes` reads one page of one feed, so a
/// sync's round of calls spends one request per page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feed {
    Changed,
    Deleted,
}

impl Feed {
    /// After one page of this feed (`feed_has_more`: the feed said another page is waiting):
    /// the feed the next call reads, and whether the sync should call again at once. A round
    /// ends after the deleted feed reached its end; the next round starts with the changed.
    pub fn after_page(self, feed_has_more: bool) -> (Feed, bool) {
        match (self, feed_has_more) {
            (feed, true) => (feed, true),
            (Feed::Changed, false) => (Feed::Deleted, true),
            (Feed::Deleted, false) => (Feed::Changed, false),
        }
    }

    /// Its one-letter name in a cursor.
    pub const fn letter(self) -> &'static str {
        match self {
            Feed::Changed => "c",
            Feed::Deleted => "d",
        }
    }

    pub fn from_letter(letter: &str) -> Option<Self> {
        match letter {
            "c" => Some(Feed::Changed),
            "d" => Some(Feed::Deleted),
            _ => None,
        }
    }
}

/// A connector's position in both feeds, written as its change cursor.
pub trait RoundPosition: CursorPosition {
    /// A connection's first sync: both feeds from `since`.
    fn start(since: DateTime<Utc>) -> Self;

    /// The feed the next call reads.
    fn feed(&self) -> Feed;

    fn set_feed(&mut self, feed: Feed);

    /// Whether the deleted feed names tickets only ([`ChangePage::deleted_are_tickets`]).
    const DELETED_ARE_TICKETS: bool;
}

/// What one page of one feed gave.
#[derive(Debug, Default)]
pub struct FeedPage {
    pub tickets: Vec<Ticket>,
    pub deleted: Vec<DeletedTicket>,
    /// Whether the feed has another page now.
    pub more: bool,
}

/// One call of `ticket_changes`: the position the request names (its cursor, or the start
/// from `since`), one page of its feed read by `read` (which moves the position within
/// that feed), and where the next call starts.
pub async fn read_round<P, F, Fut>(
    req: &ChangeRequest,
    read: F,
) -> Result<ChangePage, ConnectorError>
where
    P: RoundPosition,
    F: FnOnce(P) -> Fut,
    Fut: Future<Output = Result<(P, FeedPage), ConnectorError>>,
{
    let position = match &req.cursor {
        Some(cursor) => P::from_change_cursor(cursor)?,
        None => P::start(req.since),
    };
    let feed = position.feed();
    let (mut position, page) = read(position).await?;
    let (next_feed, more) = feed.after_page(page.more);
    position.set_feed(next_feed);
    Ok(ChangePage {
        tickets: page.tickets,
        deleted: page.deleted,
        deleted_are_tickets: P::DELETED_ARE_TICKETS,
        next: position.change_cursor(),
        more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_reads_the_changed_feed_then_the_deleted_one() {
        assert_eq!(Feed::Changed.after_page(true), (Feed::Changed, true));
        assert_eq!(Feed::Changed.after_page(false), (Feed::Deleted, true));
        assert_eq!(Feed::Deleted.after_page(true), (Feed::Deleted, true));
        assert_eq!(Feed::Deleted.after_page(false), (Feed::Changed, false));
        for feed in [Feed::Changed, Feed::Deleted] {
            assert_eq!(Feed::from_letter(feed.letter()), Some(feed));
        }
        assert_eq!(Feed::from_letter("x"), None);
    }
}
