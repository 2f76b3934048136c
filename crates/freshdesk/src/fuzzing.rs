//! Entry points for the fuzz targets in `fuzz/` only, not part of the connector's API: thin
//! wrappers that feed vendor bodies, `Link` headers and cursors to the connector's readers.

use deskgate_connector::CursorPosition;
use deskgate_core::VendorCursor;
use http::HeaderMap;
use http::header::{HeaderValue, LINK};
use serde_json::Value;

use crate::FreshdeskDomain;
use crate::changes::ChangePosition;
use crate::map;
use crate::paging::{self, TicketCursor};
use crate::tickets::typed_key;
use crate::wire::WireTicket;

/// Reads `body` as a list page of each resource and maps every record, the way the lists
/// do; takes the walk's step over a typed ticket page; and reads `link` as the page's `Link`
/// header.
pub fn read_page(link: &[u8], body: &[u8]) {
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(link) {
        headers.insert(LINK, value);
    }
    let more = paging::has_next(&headers);
    let _ = paging::next_page(&headers);
    let Ok(domain) = FreshdeskDomain::parse("fuzz") else {
        return;
    };
    if let Ok(items) = serde_json::from_slice::<Vec<Value>>(body) {
        for remote in [false, true] {
            for raw in &items {
                let _ = map::ticket(raw.clone(), &domain, remote);
                let _ = map::comment(raw.clone(), "1", remote);
                let _ = map::user(raw.clone(), remote);
                let _ = map::contact(raw.clone(), remote);
                let _ = map::account(raw.clone(), remote);
                let _ = map::team(raw.clone(), remote);
            }
        }
    }
    if let Ok(items) = serde_json::from_slice::<Vec<WireTicket>>(body)
        && let Ok(keys) = items.iter().map(typed_key).collect::<Result<Vec<_>, _>>()
    {
        let step = TicketCursor::start(None).step(&keys, more);
        assert!(step.fresh.iter().all(|i| *i < items.len()));
        for t in items {
            let _ = map::ticket_from_wire(t, &domain, None);
        }
    }
}

/// Reads `body` as an error answer.
pub fn read_error(body: &[u8]) {
    let _ = crate::errors::read(body);
}

/// Reads `text` as each cursor the connector hands out, and checks that a cursor it accepts
/// writes back to text that reads as the same position.
pub fn read_cursor(text: &str) {
    let vendor = VendorCursor(text.to_owned());
    let _ = paging::page_from(Some(&vendor));
    if let Ok(cursor) = TicketCursor::parse(text) {
        assert_eq!(TicketCursor::parse(&cursor.text()).ok(), Some(cursor));
    }
    if let Ok(position) = ChangePosition::parse(text) {
        assert_eq!(ChangePosition::parse(&position.text()).ok(), Some(position));
    }
}
