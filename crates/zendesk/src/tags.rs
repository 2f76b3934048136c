//! Tags: the account's tags (cursor pages), one tag by name through tag autocomplete, and a
//! ticket's tags set, added to or removed from.

use deskgate_connector::filters::numeric_id;
use deskgate_connector::{Endpoint, MAX_SCAN_PAGES};
use deskgate_core::ids::TicketId;
use deskgate_core::model::{Tag, TagChange};
use deskgate_core::{ConnectorError, InputPart, Page, PageRequest};
use http::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::client::{ListSpec, Result, ZendeskConnector};
use crate::map;

const TAGS: Endpoint = Endpoint::new("/api/v2/tags");
const AUTOCOMPLETE: Endpoint = Endpoint::new("/api/v2/autocomplete/tags");
const TICKET_TAGS: Endpoint = Endpoint::new("/api/v2/tickets/{id}/tags");

/// `{"tags": ["…"], "next_page": …}` (autocomplete) or `{"tags": ["…"]}` (a ticket's).
#[derive(Deserialize)]
struct TagNames {
    tags: Vec<String>,
    #[serde(default)]
    next_page: Option<Value>,
}

impl ZendeskConnector {
    pub(crate) async fn tags(&self, req: &PageRequest) -> Result<Page<Tag>> {
        if req.updated_after.is_some() {
            return Err(ConnectorError::refused(
                InputPart::Query,
                "updated_after",
                "cannot apply: zendesk tags have no update time",
            ));
        }
        let map = |raw: Value| map::tag(&raw);
        let spec = ListSpec {
            endpoint: TAGS,
            ids: &[],
            key: "tags",
            query: vec![],
            keep: None,
            map: &map,
        };
        self.list(spec, req).await
    }

    /// Zendesk has no tag resource: the tag is looked up with `GET /api/v2/autocomplete/tags`
    /// (names starting with at least two given characters, offset pages), and found when one
    /// of the names is exactly it.
    pub(crate) async fn tag(&self, name: &str) -> Result<Tag> {
        let wanted = name.to_lowercase();
        if wanted.chars().count() < 2 || wanted.chars().any(|c| c.is_whitespace() || c == ',') {
            return Err(ConnectorError::refused(
                InputPart::Path,
                "tag",
                "must be at least two characters, without spaces or commas: zendesk looks \
                 tags up by their first two characters; list the tags to find shorter ones",
            ));
        }
        for page in 1..=MAX_SCAN_PAGES {
            let request = self
                .client
                .request(Method::GET, AUTOCOMPLETE, &[])?
                .query_pair("name", &wanted)
                .query_pair("page", &page.to_string());
            let names: TagNames = self.client.send_json(request).await?;
            if let Some(found) = names.tags.into_iter().find(|n| n.to_lowercase() == wanted) {
                return Ok(Tag { name: found });
            }
            if names.next_page.is_none_or(|n| n.is_null()) {
                break;
            }
        }
        Err(ConnectorError::NotFound)
    }

    /// `POST` sets, `PUT` adds, `DELETE` removes (`/api/v2/tickets/{id}/tags`).
    pub(crate) async fn retag(&self, id: &TicketId, change: &TagChange) -> Result<Vec<String>> {
        let (method, tags) = match change {
            TagChange::Set(tags) => (Method::POST, tags),
            TagChange::Add(tags) => (Method::PUT, tags),
            TagChange::Remove(tags) => (Method::DELETE, tags),
        };
        let request = self
            .client
            .request(method, TICKET_TAGS, &[numeric_id(id.as_str())?])?;
        // Setting, adding and removing the same tags twice ends the same: safe to retry.
        let request = self
            .client
            .json(request, &json!({ "tags": tags }))?
            .idempotent(true);
        let names: TagNames = self.client.send_json(request).await?;
        Ok(names.tags)
    }
}
