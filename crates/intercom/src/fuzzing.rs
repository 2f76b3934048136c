//! Entry points for the fuzz targets in `fuzz/` only, not part of the connector's API: thin
//! wrappers that feed vendor bodies and cursors to the connector's readers.

use deskgate_connector::CursorPosition;
use deskgate_core::VendorCursor;
use serde_json::Value;

use crate::changes::ChangePosition;
use crate::map::{self, is_message};
use crate::paging;
use crate::wire::{
    WireAdminList, WireCompanyPage, WireDeletedPage, WireParts, WireSearchPage, WireTagList,
    WireTeamList,
};

/// Reads `body` as each kind of page Intercom answers (search, companies, admins, teams,
/// tags, deleted conversations, a ticket's parts) and maps every record, the way the lists
/// do.
pub fn read_page(body: &[u8]) {
    for remote in [false, true] {
        if let Ok(page) = serde_json::from_slice::<WireSearchPage>(body) {
            for raw in page.data {
                let _ = map::ticket(raw.clone(), remote);
                let _ = map::contact(raw, remote);
            }
            let _ = paging::next_cursor(page.pages);
        }
        if let Ok(page) = serde_json::from_slice::<WireCompanyPage>(body) {
            for raw in page.data {
                let _ = map::account(raw, remote);
            }
            let _ = paging::next_page(page.pages);
        }
        if let Ok(list) = serde_json::from_slice::<WireAdminList>(body) {
            for raw in list.admins {
                let _ = map::user(raw, remote);
            }
        }
        if let Ok(list) = serde_json::from_slice::<WireTeamList>(body) {
            for raw in list.teams {
                let _ = map::team(raw, remote);
            }
        }
        if let Ok(raw) = serde_json::from_slice::<Value>(body)
            && let Some(parts) = raw.get("ticket_parts").cloned()
            && let Ok(parts) = serde_json::from_value::<WireParts>(parts)
        {
            let messages: Vec<Value> = parts.ticket_parts.into_iter().filter(is_message).collect();
            for raw in messages {
                let _ = map::comment(raw, "1", remote);
            }
        }
    }
    if let Ok(list) = serde_json::from_slice::<WireTagList>(body) {
        for raw in list.data {
            let _ = map::wire_tag(&raw);
        }
    }
    if let Ok(page) = serde_json::from_slice::<WireDeletedPage>(body) {
        let _ = page.pages.is_some_and(|p| p.has_next());
        for deleted in page.conversations {
            let _ = deleted.deleted_at.and_then(map::instant);
        }
    }
}

/// Reads `body` as an error answer.
pub fn read_error(body: &[u8]) {
    let _ = crate::errors::read(body);
}

/// Reads `text` as each cursor the connector hands out, and checks that a change cursor it
/// accepts writes back to text that reads as the same position.
pub fn read_cursor(text: &str) {
    let vendor = VendorCursor(text.to_owned());
    let _ = paging::starting_after(Some(&vendor));
    let _ = paging::page_number(Some(&vendor));
    if let Ok(page) = paging::slice(vec![(); 3], Some(&vendor), 2) {
        assert!(page.items.len() <= 2);
    }
    if let Ok(position) = ChangePosition::parse(text) {
        assert_eq!(ChangePosition::parse(&position.text()).ok(), Some(position));
    }
}
