//! A whole page of tickets as Zendesk sends it, read and mapped the way `list_tickets`
//! reads one. Public so that the cost of reading and mapping can be measured apart from the
//! network (`benches/mapping.rs`).

use deskgate_core::ConnectorError;
use deskgate_core::model::Ticket;

use crate::ZendeskSubdomain;
use crate::map::{self, MapContext};
use crate::wire::WirePage;

/// Reads a `GET /api/v2/tickets` cursor page and maps every ticket in it.
pub fn map_ticket_page(
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
