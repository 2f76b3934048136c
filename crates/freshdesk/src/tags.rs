//! Tags. Freshdesk has no tag resource, only each ticket's `tags`, so there is nothing to
//! list or read by name: those answer `Unsupported` (a 501 problem from the API) rather than
//! a scan of every ticket. A ticket's tags are changed with `PUT /tickets/{id}`.

use deskgate_connector::filters::numeric_id;
use deskgate_core::ids::TicketId;
use deskgate_core::model::{Tag, TagChange};
use deskgate_core::{ConnectorError, Page};
use serde_json::{Map, json};

use crate::client::FreshdeskConnector;
use crate::tickets;

type Result<T> = std::result::Result<T, ConnectorError>;

pub(crate) fn list() -> Result<Page<Tag>> {
    Err(ConnectorError::Unsupported {
        operation: "list tags",
    })
}

pub(crate) fn get() -> Result<Tag> {
    Err(ConnectorError::Unsupported {
        operation: "get tag",
    })
}

/// The tags after a change: `set` replaces; `add` appends those not there yet; `remove`
/// drops every one named. `None` when nothing changes.
pub(crate) fn apply(current: &[String], change: &TagChange) -> Option<Vec<String>> {
    let next = match change {
        TagChange::Set(tags) => {
            let mut next: Vec<String> = Vec::new();
            for tag in tags {
                if !next.contains(tag) {
                    next.push(tag.clone());
                }
            }
            return Some(next);
        }
        TagChange::Add(tags) => {
            let mut next = current.to_vec();
            for tag in tags {
                if !next.contains(tag) {
                    next.push(tag.clone());
                }
            }
            next
        }
        TagChange::Remove(tags) => current
            .iter()
            .filter(|t| !tags.contains(t))
            .cloned()
            .collect(),
    };
    (next != current).then_some(next)
}

/// Sets, adds or removes; answers the ticket's tags afterwards. Adding and removing read
/// the ticket first, so a concurrent change to its tags between the read and the write is
/// overwritten (Freshdesk has no conditional update).
pub(crate) async fn change(
    fd: &FreshdeskConnector,
    id: &TicketId,
    change: &TagChange,
) -> Result<Vec<String>> {
    let id = numeric_id(id.as_str())?;
    let current = match change {
        TagChange::Set(_) => Vec::new(),
        TagChange::Add(_) | TagChange::Remove(_) => tickets::read_plain(fd, id).await?.tags,
    };
    let Some(next) = apply(&current, change) else {
        return Ok(current);
    };
    let mut body = Map::new();
    body.insert("tags".into(), json!(next));
    Ok(tickets::put(fd, id, body).await?.tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn set_replaces_add_appends_new_ones_remove_drops_named_ones() {
        let current = tags(&["a", "b"]);
        assert_eq!(
            apply(&current, &TagChange::Set(tags(&["c", "c"]))),
            Some(tags(&["c"]))
        );
        assert_eq!(
            apply(&current, &TagChange::Add(tags(&["b", "d"]))),
            Some(tags(&["a", "b", "d"]))
        );
        assert_eq!(
            apply(&current, &TagChange::Remove(tags(&["a", "x"]))),
            Some(tags(&["b"]))
        );
    }

    #[test]
    fn a_change_that_changes_nothing_sends_nothing() {
        let current = tags(&["a", "b"]);
        assert_eq!(apply(&current, &TagChange::Add(tags(&["a"]))), None);
        assert_eq!(apply(&current, &TagChange::Remove(tags(&["z"]))), None);
    }

    #[test]
    fn listing_and_reading_tags_are_unsupported() {
        assert_eq!(
            list(),
            Err(ConnectorError::Unsupported {
                operation: "list tags"
            })
        );
        assert_eq!(
            get(),
            Err(ConnectorError::Unsupported {
                operation: "get tag"
            })
        );
    }
}
