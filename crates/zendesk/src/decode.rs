//! A whole page of tickets as Zendesk sends it, read and mapped the way `list_tickets`
//! reads one. Public so that the cost of reading and mapping can be measured apart from the
//! network (`benches/mapping.rs`).

use deskgate_core::ConnectorError;
use deskgate_core::model::Ticket;

use deskgate_connector::{ArrayReader, PageReader, from_json};

use crate::ZendeskSubdomain;
use crate::map::{self, MapContext};
use crate::tickets::TicketPage;
use crate::wire::{WirePage, WireTicketPage};

/// Reads a `GET /api/v2/tickets` cursor page straight into wire types and maps every
/// ticket in it, as an unfiltered list does.
pub fn map_ticket_page(
    body: &[u8],
    subdomain: &ZendeskSubdomain,
) -> Result<Vec<Ticket>, ConnectorError> {
    let bad = |detail| ConnectorError::BadResponse { detail };
    let page: WireTicketPage = from_json(body).map_err(|e| bad(format!("a tickets page: {e}")))?;
    let web_root = subdomain.web_root();
    let ctx = MapContext {
        web_root: &web_root,
        include_remote_data: false,
    };
    page.tickets
        .into_iter()
        .map(|w| map::ticket_from_wire(w, None, ctx))
        .collect::<Result<Vec<_>, String>>()
        .map_err(bad)
}

/// The same page read as a streamed list reads it: pushed into the kit's [`ArrayReader`] in
/// pieces of `piece` bytes, each ticket parsed from the buffered bytes and mapped as soon as
/// it is whole, the cursor read from what is left.
pub fn map_ticket_page_streamed(
    body: &[u8],
    piece: usize,
    subdomain: &ZendeskSubdomain,
) -> Result<Vec<Ticket>, ConnectorError> {
    let bad = |detail| ConnectorError::BadResponse { detail };
    let mut page = TicketPage::new(subdomain.web_root());
    let mut reader = ArrayReader::new(page.key());
    let mut items = Vec::new();
    let mut take = |reader: &mut ArrayReader, page: &mut TicketPage| {
        while let Some(record) = reader.next_record().map_err(bad)? {
            items.extend(page.record(record)?);
        }
        Ok::<_, ConnectorError>(())
    };
    for chunk in body.chunks(piece.max(1)) {
        reader.push(chunk);
        take(&mut reader, &mut page)?;
    }
    reader.end();
    take(&mut reader, &mut page)?;
    let rest = reader.into_rest().map_err(bad)?;
    let (left, _) = page.end(&rest, &http::HeaderMap::new())?;
    for record in left {
        items.extend(page.record(record)?);
    }
    Ok(items)
}

/// The same page read the general way, through a `serde_json::Value` per record (what
/// filtered lists and `include_remote_data` need): the cost the typed path avoids.
pub fn map_ticket_page_via_values(
    body: &[u8],
    subdomain: &ZendeskSubdomain,
) -> Result<Vec<Ticket>, ConnectorError> {
    let bad = |detail| ConnectorError::BadResponse { detail };
    let page = WirePage::parse(body, "tickets").map_err(bad)?;
    let web_root = subdomain.web_root();
    let ctx = MapContext {
        web_root: &web_root,
        include_remote_data: false,
    };
    page.items
        .into_iter()
        .map(|raw| map::ticket(raw, ctx))
        .collect::<Result<Vec<_>, String>>()
        .map_err(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typed_path_maps_a_page_exactly_as_the_value_path_does() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../tests/fixtures/ticket.json")).unwrap();
        let ticket = fixture["ticket"].clone();
        let mut other = ticket.clone();
        other["id"] = 36.into();
        other["priority"] = serde_json::Value::Null;
        other["via"] = serde_json::json!({"channel": 4});
        let page = serde_json::json!({
            "tickets": [ticket, other],
            "meta": {"has_more": false, "after_cursor": null},
        });
        let body = serde_json::to_vec(&page).unwrap();
        let subdomain = ZendeskSubdomain::parse("acme").unwrap();
        let typed = map_ticket_page(&body, &subdomain).unwrap();
        assert_eq!(typed.len(), 2);
        assert_eq!(
            typed,
            map_ticket_page_via_values(&body, &subdomain).unwrap()
        );
        for piece in [1, 7, 100, body.len()] {
            assert_eq!(
                typed,
                map_ticket_page_streamed(&body, piece, &subdomain).unwrap()
            );
        }
    }
}
