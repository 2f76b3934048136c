//! Tags.
//!
//! - List and get: `GET /tags` answers every tag of the workspace at once; paged by offset
//!   here, and a tag is found by its exact name.
//! - Ticket tags: Intercom tags a ticket by tag id (`POST /tickets/{id}/tags` with `{id,
//!   admin_id}`, `DELETE /tickets/{id}/tags/{tag_id}` with `{admin_id}`), so names are
//!   resolved through `GET /tags`. A name with no tag is created with `POST /tags` only when
//!   the caller adds it; removing a tag that does not exist changes nothing.
//! - A 2.16 ticket does not list its tags, so replacing a ticket's tags (`set`) cannot be
//!   done, and the answer to a change is the tags it applied (`add`) or none (`remove`), not
//!   the ticket's whole set.

use deskgate_connector::{Endpoint, bad_response};
use deskgate_core::ids::TicketId;
use deskgate_core::model::{Tag, TagChange};
use deskgate_core::{ConnectorError, Page, PageRequest};
use http::Method;
use serde_json::{Value, json};

use crate::client::IntercomConnector;
use crate::ids::{invalid, path_id, plausible};
use crate::map;
use crate::paging::slice;
use crate::wire::{WireTag, WireTagList};

type Result<T> = std::result::Result<T, ConnectorError>;

const TAGS: Endpoint = Endpoint::new("/tags");
const TICKET_TAGS: Endpoint = Endpoint::new("/tickets/{ticket_id}/tags");
const TICKET_TAG: Endpoint = Endpoint::new("/tickets/{ticket_id}/tags/{tag_id}");

/// Longest tag name sent.
const MAX_NAME: usize = 255;

async fn all(c: &IntercomConnector) -> Result<Vec<Value>> {
    let list: WireTagList = serde_json::from_value(c.get_raw(TAGS, &[]).await?)
        .map_err(|e| bad_response(format!("intercom's tag list could not be read: {e}")))?;
    Ok(list.data)
}

/// The workspace's tags with a name and a usable id.
fn named(raw: &[Value]) -> Vec<WireTag> {
    raw.iter()
        .filter_map(|r| map::wire_tag(r).ok())
        .filter(|t| t.name.as_deref().is_some_and(|n| !n.is_empty()) && plausible(&t.id.0))
        .collect()
}

pub(crate) async fn list(c: &IntercomConnector, req: &PageRequest) -> Result<Page<Tag>> {
    let tags = named(&all(c).await?)
        .into_iter()
        .map(|t| Tag {
            name: t.name.unwrap_or_default(),
        })
        .collect();
    slice(tags, req.cursor.as_ref(), req.limit.get())
}

pub(crate) async fn get(c: &IntercomConnector, name: &str) -> Result<Tag> {
    named(&all(c).await?)
        .into_iter()
        .find(|t| t.name.as_deref() == Some(name))
        .map(|t| Tag {
            name: t.name.unwrap_or_default(),
        })
        .ok_or(ConnectorError::NotFound)
}

/// The names of a change, checked.
fn names(names: &[String]) -> Result<Vec<&str>> {
    let mut out: Vec<&str> = Vec::with_capacity(names.len());
    for name in names {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control)
        {
            return Err(invalid(
                "tags",
                &format!("must be 1 to {MAX_NAME} characters without control characters"),
            ));
        }
        if !out.contains(&name) {
            out.push(name);
        }
    }
    Ok(out)
}

/// The id of the tag named `name`, if the workspace has one.
pub(crate) fn id_of(tags: &[WireTag], name: &str) -> Option<String> {
    tags.iter()
        .find(|t| t.name.as_deref() == Some(name))
        .map(|t| t.id.0.clone())
}

pub(crate) async fn change(
    c: &IntercomConnector,
    id: &TicketId,
    change: &TagChange,
) -> Result<Vec<String>> {
    let ticket = path_id(id.as_str())?;
    let admin = c.admin_id()?.to_owned();
    match change {
        TagChange::Set(_) => Err(invalid(
            "set",
            "is not possible on intercom: a ticket does not list its tags; add or remove them",
        )),
        TagChange::Add(wanted) => {
            let wanted = names(wanted)?;
            let existing = named(&all(c).await?);
            let mut applied = Vec::with_capacity(wanted.len());
            for name in wanted {
                let tag_id = match id_of(&existing, name) {
                    Some(tag_id) => tag_id,
                    None => create(c, name).await?,
                };
                let body = json!({"id": tag_id, "admin_id": admin});
                c.send_body(Method::POST, TICKET_TAGS, &[ticket], &body)
                    .await?;
                applied.push(name.to_owned());
            }
            Ok(applied)
        }
        TagChange::Remove(unwanted) => {
            let unwanted = names(unwanted)?;
            let existing = named(&all(c).await?);
            for name in unwanted {
                let Some(tag_id) = id_of(&existing, name) else {
                    continue;
                };
                let body = json!({"admin_id": admin});
                match c
                    .send_body(Method::DELETE, TICKET_TAG, &[ticket, &tag_id], &body)
                    .await
                {
                    // The tag was not on the ticket: nothing to remove.
                    Ok(_) | Err(ConnectorError::NotFound) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(Vec::new())
        }
    }
}

/// `POST /tags` with `{name}`: the new tag's id.
async fn create(c: &IntercomConnector, name: &str) -> Result<String> {
    let raw = c
        .send_body(Method::POST, TAGS, &[], &json!({"name": name}))
        .await?;
    let tag = map::wire_tag(&raw).map_err(bad_response)?;
    if plausible(&tag.id.0) {
        Ok(tag.id.0)
    } else {
        Err(bad_response("intercom answered a tag without a usable id"))
    }
}
