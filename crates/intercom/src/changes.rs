//! Changes: what the sync reads to learn which tickets changed or were deleted.
//!
//! Intercom has no change feed. Changed tickets come from `POST /tickets/search` on
//! `updated_at > {watermark}` (Intercom documents `>` as greater or equal, so tickets at the
//! watermark come again and the ids already answered there are dropped). Deleted ones come
//! from `GET /conversations/deleted` (a ticket is a conversation, so its ids are ticket ids;
//! deleted conversations that were never tickets are reported too, and mean nothing to a sync
//! that never saw them).
//!
//! Each call reads one page: the search until it has no next page, then the deleted list,
//! which ends the round ([`Feed`]). Neither is read in an order a position could rely on:
//!
//! - search results may come in any order, so a walk's position moves only when the walk
//!   is over: to the newest `updated_at` it read, with the ids at that second, but never past
//!   a cap fixed when the walk began, [`SETTLE`] before then. A ticket that changes while
//!   the walk is under way, or reaches the search index late, has an `updated_at` after the
//!   cap and is found by the next walk.
//! - the deleted list is read newest first (`order=desc`): new deletions arrive on page 1,
//!   so a walk reads pages until it meets a deletion older than the watermark, then moves the
//!   watermark to the newest it read. (Intercom's example pages by `deleted_at`, not by id;
//!   read oldest first, numbered pages would shift under a list that loses old entries, and
//!   finding the present would mean reading every page.)
//!
//! The change cursor is `i1.{feed}.{changed}.{deleted}`, each watermark as
//! `{seconds}.{ids}`, followed by the walk under way, if any: for the search
//! `.{cap}.{reached}.{starting_after}`, for the deleted list `.{page}.{reached}`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use deskgate_connector::watermark::settled_before;
use deskgate_connector::{
    CursorFields, CursorPosition, CursorText, Endpoint, Feed, FeedKey, FeedPage, MalformedCursor,
    RoundPosition, Watermark, bad_response, read_round,
};
use deskgate_core::model::Ticket;
use deskgate_core::{ChangePage, ChangeRequest, ConnectorError, DeletedTicket};
use http::Method;

use crate::client::IntercomConnector;
use crate::map;
use crate::paging::{next_cursor, per_page};
use crate::search::{Op, Query};
use crate::tickets::SEARCH;
use crate::wire::{WireDeleted, WireDeletedPage};

type Result<T> = std::result::Result<T, ConnectorError>;

/// How far before a search walk began its position may move: changes made during the walk
/// and tickets indexed late are after it.
pub(crate) const SETTLE: Duration = Duration::from_secs(120);

pub(crate) const DELETED: Endpoint = Endpoint::new("/conversations/deleted");

/// Intercom's largest page of deleted conversations.
const DELETED_PER_PAGE: u32 = 60;

const TAG: &str = "i1";

/// A search walk under way: the cap fixed when it began, how far it has got, and
/// Intercom's cursor for its next page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SearchWalk {
    pub(crate) cap: DateTime<Utc>,
    pub(crate) reached: Watermark,
    pub(crate) starting_after: String,
}

/// A walk of the deleted list under way: the next page, and the newest deletion read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DeletedWalk {
    pub(crate) page: u32,
    pub(crate) reached: Watermark,
}

/// Where the sync stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChangePosition {
    pub(crate) feed: Feed,
    pub(crate) changed: Watermark,
    pub(crate) deleted: Watermark,
    pub(crate) search: Option<SearchWalk>,
    pub(crate) deletions: Option<DeletedWalk>,
}

impl RoundPosition for ChangePosition {
    /// `GET /conversations/deleted` names every deleted conversation, tickets or not.
    const DELETED_ARE_TICKETS: bool = false;

    /// A connection's first sync: both feeds from `since`.
    fn start(since: DateTime<Utc>) -> Self {
        Self {
            feed: Feed::Changed,
            changed: Watermark::start(since),
            deleted: Watermark::start(since),
            search: None,
            deletions: None,
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
    fn parse(text: &str) -> std::result::Result<Self, MalformedCursor> {
        let mut fields = CursorFields::open(text, TAG)?;
        let feed = fields.feed()?;
        let mut position = Self {
            feed,
            changed: fields.mark()?,
            deleted: fields.mark()?,
            search: None,
            deletions: None,
        };
        if fields.is_done() {
            return Ok(position);
        }
        match feed {
            Feed::Changed => {
                position.search = Some(SearchWalk {
                    cap: fields.instant()?,
                    reached: fields.mark()?,
                    starting_after: fields.tail()?.to_owned(),
                });
            }
            Feed::Deleted => {
                let page = fields.number::<u32>()?;
                if page < 2 {
                    return Err(MalformedCursor("a walk under way is past page 1"));
                }
                position.deletions = Some(DeletedWalk {
                    page,
                    reached: fields.mark()?,
                });
            }
        }
        fields.end()?;
        Ok(position)
    }

    fn text(&self) -> String {
        let mut text = CursorText::new(TAG)
            .feed(self.feed)
            .mark(&self.changed)
            .mark(&self.deleted);
        match (self.feed, &self.search, &self.deletions) {
            (Feed::Changed, Some(walk), _) => {
                text = text
                    .instant(walk.cap)
                    .mark(&walk.reached)
                    .tail(&walk.starting_after);
            }
            (Feed::Deleted, _, Some(walk)) => {
                text = text.number(walk.page).mark(&walk.reached);
            }
            _ => {}
        }
        text.finish()
    }

    fn marks(&mut self) -> Vec<&mut Watermark> {
        let mut marks = vec![&mut self.changed, &mut self.deleted];
        if let Some(walk) = &mut self.search {
            marks.push(&mut walk.reached);
        }
        if let Some(walk) = &mut self.deletions {
            marks.push(&mut walk.reached);
        }
        marks
    }
}

/// A record's place for the watermark, when its id is a number (Intercom's ticket and
/// conversation ids are); a record without one is always answered, never marked seen.
fn key(id: &str, at: DateTime<Utc>) -> Option<FeedKey> {
    id.parse::<u64>().ok().map(|id| (id, at))
}

/// Whether a record has not been answered from `mark`.
fn is_new(mark: &Watermark, id: &str, at: DateTime<Utc>) -> bool {
    match key(id, at) {
        Some((id, at)) => mark.is_new(id, at),
        None => at >= mark.at(),
    }
}

pub(crate) async fn ticket_changes(
    c: &IntercomConnector,
    req: &ChangeRequest,
) -> Result<ChangePage> {
    read_round(req, |mut position: ChangePosition| async move {
        let read = match position.feed {
            Feed::Changed => changed_page(c, &mut position, req.limit).await?,
            Feed::Deleted => deleted_page(c, &mut position).await?,
        };
        Ok((position, read))
    })
    .await
}

/// One page of the search walk; whether it has another.
async fn changed_page(
    c: &IntercomConnector,
    position: &mut ChangePosition,
    limit: u32,
) -> Result<FeedPage> {
    let walk = position.search.take();
    let cap = walk
        .as_ref()
        .map_or_else(|| settled_before(Utc::now(), SETTLE), |w| w.cap);
    let query = Query::filter("updated_at", Op::Gt, position.changed.at().timestamp());
    let page = c
        .search_page(
            SEARCH,
            &query,
            per_page(limit),
            walk.as_ref().map(|w| w.starting_after.as_str()),
        )
        .await?;
    let read: Vec<Ticket> = page
        .data
        .into_iter()
        .map(|raw| map::ticket(raw, false))
        .collect::<std::result::Result<_, _>>()
        .map_err(bad_response)?;
    let keys: Vec<FeedKey> = read
        .iter()
        .filter_map(|t| key(t.id.as_str(), t.updated_at?))
        .collect();
    let reached = walk
        .map_or_else(|| position.changed.clone(), |w| w.reached)
        .settled(&keys, cap);
    let tickets: Vec<Ticket> = read
        .into_iter()
        // A ticket the search found by `updated_at` but whose answer leaves it out has
        // changed and is answered; without a time it cannot be marked seen.
        .filter(|t| {
            t.updated_at
                .is_none_or(|at| is_new(&position.changed, t.id.as_str(), at))
        })
        .collect();
    let next = next_cursor(page.pages);
    match next {
        Some(after) => {
            position.search = Some(SearchWalk {
                cap,
                reached,
                starting_after: after.0,
            });
        }
        None => position.changed = reached,
    }
    Ok(FeedPage {
        tickets,
        deleted: Vec::new(),
        more: position.search.is_some(),
    })
}

/// One page of the deleted list, newest first; whether the walk goes on.
async fn deleted_page(c: &IntercomConnector, position: &mut ChangePosition) -> Result<FeedPage> {
    let walk = position.deletions.take().unwrap_or_else(|| DeletedWalk {
        page: 1,
        reached: position.deleted.clone(),
    });
    let request = c
        .client()
        .request(Method::GET, DELETED, &[])?
        .query_pair("order", "desc")
        .query_pair("per_page", &DELETED_PER_PAGE.to_string())
        .query_pair("page", &walk.page.to_string());
    let page: WireDeletedPage = c.client().send_json(request).await?;
    let mark = &position.deleted;
    let keys: Vec<FeedKey> = page
        .conversations
        .iter()
        .filter_map(|d| key(&d.id.0, deleted_at(d)?))
        .collect();
    // Newest first: one deletion older than the watermark means every later one is too.
    let met_old = page
        .conversations
        .iter()
        .filter_map(deleted_at)
        .any(|at| at < mark.at());
    let deleted: Vec<DeletedTicket> = page
        .conversations
        .into_iter()
        .filter(|d| deleted_at(d).is_none_or(|at| is_new(mark, &d.id.0, at)))
        .map(|d| DeletedTicket {
            deleted_at: deleted_at(&d),
            id: d.id.0.into(),
        })
        .collect();
    let reached = walk.reached.past(&keys);
    let goes_on = !met_old && page.pages.as_ref().is_some_and(|p| p.has_next());
    if goes_on {
        position.deletions = Some(DeletedWalk {
            page: walk.page.saturating_add(1),
            reached,
        });
    } else {
        position.deleted = reached;
    }
    Ok(FeedPage {
        tickets: Vec::new(),
        deleted,
        more: goes_on,
    })
}

fn deleted_at(d: &WireDeleted) -> Option<DateTime<Utc>> {
    d.deleted_at.and_then(map::instant)
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
