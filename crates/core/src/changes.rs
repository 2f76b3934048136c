//! Change detection: what a connector reports when asked "what changed since here".
//!
//! A connection's sync keeps a [`ChangeCursor`] (the connector's own position in the
//! vendor's change feed, opaque to everyone else) and asks [`Connector::ticket_changes`] for
//! the next [`ChangePage`]. The cursor is stored only together with the events a page produced,
//! so a sync that dies mid-page starts that page again.
//!
//! [`Connector::ticket_changes`]: crate::Connector::ticket_changes

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::TicketId;
use crate::model::Ticket;

/// A connector's position in its vendor's change feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChangeCursor(pub String);

/// One request for changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRequest {
    /// Where the previous page ended; `None` on a connection's first sync.
    pub cursor: Option<ChangeCursor>,
    /// Where a feed without a cursor starts: changes at or after this instant.
    pub since: DateTime<Utc>,
    /// Most tickets wanted in this page; a connector may answer fewer (or, for a feed whose
    /// pages have a fixed size, somewhat more).
    pub limit: u32,
}

/// A ticket the vendor reports deleted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeletedTicket {
    pub id: TicketId,
    /// When the vendor deleted it, if it says.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// One page of a connection's changes.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangePage {
    /// Tickets created or changed since the cursor, in the feed's order. The same ticket may
    /// come again on a later page when it changed again; the sync compares it with what it saw.
    pub tickets: Vec<Ticket>,
    /// Tickets deleted since the cursor.
    pub deleted: Vec<DeletedTicket>,
    /// Whether every id in `deleted` is a ticket's. Intercom's deleted list names every
    /// deleted conversation, tickets or not: the sync then reports only the deletes of
    /// tickets it has seen.
    pub deleted_are_tickets: bool,
    /// Where the next page starts.
    pub next: ChangeCursor,
    /// Whether more changes are waiting now: ask again at once. `false` once the feed has
    /// reached the present.
    pub more: bool,
}
