//! Entry points for the fuzz targets in `fuzz/` only, not part of the connector's API: thin
//! wrappers that feed one vendor body to every reader of Zendesk's pages and error bodies.

use crate::ZendeskSubdomain;
use crate::decode::{map_ticket_page, map_ticket_page_via_values};
use crate::map::{self, MapContext};
use crate::paging;
use crate::wire::{WireExportPage, WirePage};

/// Reads `body` as each kind of cursor page and maps every record in it, the way the lists
/// do; reads it as an incremental-export page; and checks that the typed and the
/// `Value`-based ticket paths agree on a page both accept. Panics only on a disagreement.
pub fn read_pages(body: &[u8]) {
    let Ok(subdomain) = ZendeskSubdomain::parse("fuzz") else {
        return;
    };
    let web_root = subdomain.web_root();
    for include_remote_data in [false, true] {
        let ctx = MapContext {
            web_root: &web_root,
            include_remote_data,
        };
        for key in [
            "tickets",
            "comments",
            "users",
            "organizations",
            "groups",
            "tags",
        ] {
            let Ok(page) = WirePage::parse(body, key) else {
                continue;
            };
            let _ = paging::next_cursor(page.meta.has_more, page.meta.after_cursor);
            for raw in page.items {
                let _ = match key {
                    "tickets" => map::ticket(raw, ctx).map(drop),
                    "comments" => map::comment(raw, "1", None, ctx).map(drop),
                    "users" => map::user(raw.clone(), ctx)
                        .and_then(|_| map::contact(raw, ctx))
                        .map(drop),
                    "organizations" => map::account(raw, ctx).map(drop),
                    "groups" => map::team(raw, ctx).map(drop),
                    _ => map::tag(&raw).map(drop),
                };
            }
        }
    }
    if let Ok(export) = serde_json::from_slice::<WireExportPage>(body) {
        let ctx = MapContext {
            web_root: &web_root,
            include_remote_data: false,
        };
        for w in export.tickets {
            let _ = map::ticket_from_wire(w, None, ctx);
        }
    }
    if let (Ok(typed), Ok(values)) = (
        map_ticket_page(body, &subdomain),
        map_ticket_page_via_values(body, &subdomain),
    ) {
        assert_eq!(typed, values, "the typed and value paths disagree");
    }
}

/// Reads `body` as an error answer, in every shape Zendesk sends.
pub fn read_error(body: &[u8]) {
    let _ = crate::errors::parse_body(body);
}
