//! Changes: what the sync reads to learn which tickets changed or were deleted — Zendesk's
//! cursor-based incremental ticket export, `GET /api/v2/incremental/tickets/cursor`.
//!
//! The first call starts at `start_time` (the sync's baseline), every later one at the
//! export's own `after_cursor`. The export answers each ticket changed since, in the order it
//! changed (a ticket changed again comes again later), deleted ones with status `deleted`;
//! `end_of_stream` says the page reached the present. It is capped at 10 requests a minute
//! per account, which its own budget (`zendesk:{subdomain}/incremental_export`) paces from
//! the first request, beside the account's.
//!
//! The change cursor is `z1.s.{unix seconds}` until the export has handed out a cursor, then
//! `z1.c.{after_cursor}`. A page without tickets keeps the cursor it was asked with.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use deskgate_connector::{
    CursorFields, CursorPosition, CursorText, Endpoint, MalformedCursor, Watermark, bad_response,
};
use deskgate_core::{ChangePage, ChangeRequest, DeletedTicket};
use http::Method;

use crate::client::{Result, ZendeskConnector};
use crate::map;
use crate::wire::{WireExportPage, WireTicket};

pub(crate) const EXPORT: Endpoint = Endpoint::new("/api/v2/incremental/tickets/cursor");

/// The export's documented cap, per account.
pub(crate) const EXPORT_LIMIT: (u32, Duration) = (10, Duration::from_secs(60));

/// Zendesk's bounds on `per_page` for exports.
const MAX_PER_PAGE: u32 = 1000;

/// How far before now a `start_time` must be: Zendesk refuses one less than a minute in the
/// past, and our clock may run ahead of Zendesk's. Starting earlier only answers tickets
/// again.
const START_MARGIN: TimeDelta = TimeDelta::minutes(2);

const TAG: &str = "z1";

/// Where the export stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ExportPosition {
    /// No cursor yet: from this second on.
    Start(DateTime<Utc>),
    /// The export's `after_cursor`.
    After(String),
}

impl CursorPosition for ExportPosition {
    fn text(&self) -> String {
        let text = CursorText::new(TAG);
        match self {
            Self::Start(at) => text.word("s").instant(*at),
            Self::After(after) => text.word("c").tail(after),
        }
        .finish()
    }

    fn parse(text: &str) -> std::result::Result<Self, MalformedCursor> {
        let mut fields = CursorFields::open(text, TAG)?;
        let position = match fields.word()? {
            "s" => Self::Start(fields.instant()?),
            "c" => Self::After(fields.tail()?.to_owned()),
            _ => return Err(MalformedCursor("an unknown kind of position")),
        };
        fields.end()?;
        Ok(position)
    }

    /// No ids to shed: the vendor's cursor is kept whole.
    fn marks(&mut self) -> Vec<&mut Watermark> {
        Vec::new()
    }
}

impl ExportPosition {
    /// The query that asks for the page at this position.
    fn query(&self, now: DateTime<Utc>) -> (&'static str, String) {
        match self {
            Self::Start(at) => (
                "start_time",
                (*at).min(now - START_MARGIN).timestamp().to_string(),
            ),
            Self::After(after) => ("cursor", after.clone()),
        }
    }
}

/// Whether an `after_cursor` can be kept and sent back: printable text of a sane length.
fn plausible(after: &str) -> bool {
    !after.is_empty() && after.len() <= 1024 && after.bytes().all(|b| b.is_ascii_graphic())
}

impl ZendeskConnector {
    pub(crate) async fn changes(&self, req: &ChangeRequest) -> Result<ChangePage> {
        let position = match &req.cursor {
            Some(cursor) => ExportPosition::from_change_cursor(cursor)?,
            None => ExportPosition::Start(req.since),
        };
        let (name, value) = position.query(Utc::now());
        let (requests, window) = EXPORT_LIMIT;
        let request = self
            .client
            .request(Method::GET, EXPORT, &[])?
            .endpoint_budget(self.subdomain.export_budget_key())
            .endpoint_limit(requests, window)
            .query_pair(name, &value)
            .query_pair("per_page", &req.limit.clamp(1, MAX_PER_PAGE).to_string());
        let page: WireExportPage = self.client.send_json(request).await?;
        let next = match page.after_cursor {
            _ if page.tickets.is_empty() => position,
            Some(after) if plausible(&after) => ExportPosition::After(after),
            _ => {
                return Err(bad_response(
                    "zendesk's export sent tickets but no cursor to go on from",
                ));
            }
        };
        let ctx = self.ctx(false);
        let mut tickets = Vec::new();
        let mut deleted = Vec::new();
        for ticket in page.tickets {
            if ticket.status.as_deref() == Some("deleted") {
                deleted.push(deleted_ticket(ticket));
            } else {
                tickets.push(map::ticket_from_wire(ticket, None, ctx).map_err(bad_response)?);
            }
        }
        Ok(ChangePage {
            tickets,
            deleted,
            deleted_are_tickets: true,
            next: next.change_cursor(),
            more: !page.end_of_stream,
        })
    }
}

/// A ticket the export reports deleted: it was deleted when it was last updated.
fn deleted_ticket(ticket: WireTicket) -> DeletedTicket {
    DeletedTicket {
        id: ticket.id.0.into(),
        deleted_at: ticket.updated_at,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use deskgate_connector::testing::{assert_corrupt, at};

    use super::*;

    #[test]
    fn positions_read_back_and_the_vendor_cursor_keeps_its_text() {
        for position in [
            ExportPosition::Start(at(1_767_225_600)),
            ExportPosition::After("MTU3NjYxMzUzOS4wfHw0Njd8".into()),
            ExportPosition::After("a.b=c".into()),
        ] {
            assert_eq!(
                ExportPosition::from_change_cursor(&position.change_cursor()).unwrap(),
                position
            );
        }
        assert_eq!(
            ExportPosition::Start(at(1_767_225_600)).change_cursor().0,
            "z1.s.1767225600"
        );
        assert_eq!(
            ExportPosition::After("MTU3NjYx".into()).change_cursor().0,
            "z1.c.MTU3NjYx"
        );
    }

    #[test]
    fn a_malformed_cursor_is_refused_as_corrupt() {
        assert_corrupt::<ExportPosition>(&[
            "",
            "z1",
            "z1.s",
            "z1.s.x",
            "z1.c",
            "z1.c.",
            "z1.x.1",
            "z2.s.1",
            "f1.c.1..1.1..1",
            "z1.s.1.2",
        ]);
    }

    #[test]
    fn start_time_is_kept_at_least_two_minutes_in_the_past() {
        let now = at(10_000);
        assert_eq!(
            ExportPosition::Start(at(5_000)).query(now),
            ("start_time", "5000".to_owned())
        );
        assert_eq!(
            ExportPosition::Start(at(9_990)).query(now),
            ("start_time", "9880".to_owned())
        );
        assert_eq!(
            ExportPosition::After("abc".into()).query(now),
            ("cursor", "abc".to_owned())
        );
    }
}
