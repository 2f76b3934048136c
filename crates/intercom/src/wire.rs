//! Intercom's JSON as API 2.16 sends it (`Intercom-Version: 2.16` is pinned on every call).
//!
//! Vendors are untrusted input: every field the 2.16 document does not mark required is
//! optional here, lists may be `null` or absent, ids may come as strings or integers
//! (`admin_assignee_id` is an integer in 2.16, a string in 2.12–2.14), and unknown fields are
//! ignored. What identifies a record (its `id`) is required: a record without one fails
//! with a message saying which.

use deskgate_connector::lenient::{IdText, null_as_default};
use serde::Deserialize;
use serde::de::{Deserializer, Error as _};
use serde_json::{Map, Value};

/// An id sent as a string or an integer. Empty strings are refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WireId(pub(crate) String);

impl<'de> Deserialize<'de> for WireId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match IdText::deserialize(d)? {
            IdText::Integer(s) => Ok(Self(s)),
            IdText::Text(s) if !s.trim().is_empty() => Ok(Self(s)),
            other => Err(D::Error::custom(format!(
                "an id must be a string or an integer, got {other}"
            ))),
        }
    }
}

impl WireId {
    /// Intercom's "nobody": `0` (or `"0"`) for an unassigned ticket.
    pub(crate) fn assigned(self) -> Option<String> {
        (self.0 != "0").then_some(self.0)
    }
}

/// An optional id that may also be `null`, empty, or of a type that is not an id (then
/// absent: an optional reference must not fail a whole record).
fn loose_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<WireId>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Some(WireId(n.to_string())),
        Some(Value::String(s)) if !s.trim().is_empty() => Some(WireId(s)),
        _ => None,
    })
}

/// An optional UNIX time in seconds; anything but an integer is absent.
fn loose_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_i64(),
        _ => None,
    })
}

/// `GET /me`: the admin the token acts as, and its workspace (`admin_with_app`).
#[derive(Debug, Deserialize)]
pub(crate) struct WireMe {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) email: Option<String>,
    #[serde(default)]
    pub(crate) app: Option<WireApp>,
}

/// The workspace (`app`): `id_code` is the workspace id used everywhere else.
#[derive(Debug, Deserialize)]
pub(crate) struct WireApp {
    #[serde(default)]
    pub(crate) id_code: Option<String>,
    #[serde(default)]
    pub(crate) name: Option<String>,
}

/// The token endpoint's answer: `{"token", "access_token", "token_type"}`.
#[derive(Deserialize)]
pub(crate) struct WireToken {
    #[serde(default)]
    pub(crate) token: Option<String>,
    #[serde(default)]
    pub(crate) access_token: Option<String>,
    #[serde(default)]
    pub(crate) token_type: Option<String>,
}

impl std::fmt::Debug for WireToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WireToken")
            .field("token_type", &self.token_type)
            .finish_non_exhaustive()
    }
}

/// `ticket_state` (an object from 2.12 on).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireTicketState {
    #[serde(default)]
    pub(crate) category: Option<String>,
    #[serde(default)]
    pub(crate) internal_label: Option<String>,
    #[serde(default)]
    pub(crate) external_label: Option<String>,
}

/// `ticket_type`, in a ticket or in `GET /ticket_types`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireTicketType {
    pub(crate) id: WireId,
    /// `Customer`, `Back-office` or `Tracker`.
    #[serde(default)]
    pub(crate) category: Option<String>,
    #[serde(default)]
    pub(crate) archived: Option<bool>,
}

/// The `ticket_type` inside a ticket. Its `id` is optional in the document: a ticket whose
/// type has none is still read, and only a status change (which needs the type's states)
/// refuses it.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireTicketTypeRef {
    #[serde(default, deserialize_with = "loose_id")]
    pub(crate) id: Option<WireId>,
    #[serde(default)]
    pub(crate) category: Option<String>,
}

/// `GET /ticket_types`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireTicketTypeList {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) data: Vec<WireTicketType>,
}

/// A reference to another record (`contact_reference`, a company or ticket type in a list).
/// Its `id` is optional in the document: a reference without one points nowhere and is
/// skipped by its reader, without failing the record that holds it.
#[derive(Debug, Deserialize)]
pub(crate) struct WireRef {
    #[serde(default, deserialize_with = "loose_id")]
    pub(crate) id: Option<WireId>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireContactRefs {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) contacts: Vec<WireRef>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireParts {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) ticket_parts: Vec<Value>,
}

/// A ticket (`ticket`). `id` is the API id; `ticket_id` is the inbox number, shown to people
/// but never used in a call.
#[derive(Debug, Deserialize)]
pub(crate) struct WireTicket {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) category: Option<String>,
    #[serde(default)]
    pub(crate) ticket_attributes: Option<Map<String, Value>>,
    #[serde(default)]
    pub(crate) ticket_state: Option<WireTicketState>,
    #[serde(default)]
    pub(crate) ticket_type: Option<WireTicketTypeRef>,
    #[serde(default)]
    pub(crate) contacts: Option<WireContactRefs>,
    #[serde(default, deserialize_with = "loose_id")]
    pub(crate) admin_assignee_id: Option<WireId>,
    #[serde(default, deserialize_with = "loose_id")]
    pub(crate) team_assignee_id: Option<WireId>,
    #[serde(default, deserialize_with = "loose_time")]
    pub(crate) created_at: Option<i64>,
    #[serde(default, deserialize_with = "loose_time")]
    pub(crate) updated_at: Option<i64>,
    #[serde(default)]
    pub(crate) open: Option<bool>,
}

/// `pages` of a cursor-paged list (`cursor_pages`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WirePages {
    #[serde(default)]
    pub(crate) next: Option<WireNext>,
}

/// `pages.next` (`starting_after_paging`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireNext {
    #[serde(default)]
    pub(crate) starting_after: Option<String>,
}

/// `POST /tickets/search` and `POST /contacts/search`: records stay raw until mapped (they
/// may be filtered first, and `remote_data` is the raw record).
#[derive(Debug, Deserialize)]
pub(crate) struct WireSearchPage {
    #[serde(default, alias = "tickets", deserialize_with = "null_as_default")]
    pub(crate) data: Vec<Value>,
    #[serde(default)]
    pub(crate) pages: Option<WirePages>,
}

/// `GET /conversations/deleted` (`deleted_conversation_list`): ids with when they were
/// deleted, in numbered pages whose `pages.next` is a link.
#[derive(Debug, Deserialize)]
pub(crate) struct WireDeletedPage {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) conversations: Vec<WireDeleted>,
    #[serde(default)]
    pub(crate) pages: Option<WireLinkPages>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireDeleted {
    pub(crate) id: WireId,
    #[serde(default, deserialize_with = "loose_time")]
    pub(crate) deleted_at: Option<i64>,
}

/// `pages` of a list paged by number with a link to the next page (`pages_link`).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireLinkPages {
    #[serde(default)]
    pub(crate) next: Option<Value>,
}

impl WireLinkPages {
    /// Whether a next page is announced: a link, not `null` or empty.
    pub(crate) fn has_next(&self) -> bool {
        self.next
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(|link| !link.is_empty())
    }
}

/// `GET /companies`: numbered pages.
#[derive(Debug, Deserialize)]
pub(crate) struct WireCompanyPage {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) data: Vec<Value>,
    #[serde(default)]
    pub(crate) pages: Option<WireNumberedPages>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireNumberedPages {
    #[serde(default)]
    pub(crate) page: Option<u32>,
    #[serde(default)]
    pub(crate) total_pages: Option<u32>,
}

/// Who wrote a ticket part (`ticket_part_author`).
#[derive(Debug, Deserialize)]
pub(crate) struct WireAuthor {
    /// `admin`, `bot`, `team` or `user`.
    #[serde(default, rename = "type")]
    pub(crate) kind: Option<String>,
    #[serde(default, deserialize_with = "loose_id")]
    pub(crate) id: Option<WireId>,
}

/// A file on a part (`part_attachment`). It has no id of its own.
#[derive(Debug, Deserialize)]
pub(crate) struct WireAttachment {
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) url: Option<String>,
    #[serde(default)]
    pub(crate) content_type: Option<String>,
    #[serde(default)]
    pub(crate) filesize: Option<u64>,
}

/// A ticket part (`ticket_part`) or a reply's answer (`ticket_reply`).
#[derive(Debug, Deserialize)]
pub(crate) struct WirePart {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) part_type: Option<String>,
    #[serde(default)]
    pub(crate) body: Option<String>,
    #[serde(default, deserialize_with = "loose_time")]
    pub(crate) created_at: Option<i64>,
    #[serde(default)]
    pub(crate) author: Option<WireAuthor>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) attachments: Vec<WireAttachment>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireRole {
    #[serde(default)]
    pub(crate) name: Option<String>,
}

/// An admin (`admin`): a teammate, deskgate's user.
#[derive(Debug, Deserialize)]
pub(crate) struct WireAdmin {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) email: Option<String>,
    #[serde(default)]
    pub(crate) job_title: Option<String>,
    #[serde(default)]
    pub(crate) role: Option<WireRole>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) team_ids: Vec<WireId>,
}

/// `GET /admins`: one list, not paged.
#[derive(Debug, Deserialize)]
pub(crate) struct WireAdminList {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) admins: Vec<Value>,
}

/// A `{"data": [references]}` list: a contact's companies, a state's ticket types.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireRefs {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) data: Vec<WireRef>,
}

/// A contact (`contact`): a user or a lead.
#[derive(Debug, Deserialize)]
pub(crate) struct WireContact {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) email: Option<String>,
    #[serde(default)]
    pub(crate) phone: Option<String>,
    #[serde(default)]
    pub(crate) companies: Option<WireRefs>,
}

/// A company (`company`): deskgate's account.
#[derive(Debug, Deserialize)]
pub(crate) struct WireCompany {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) website: Option<String>,
}

/// A team (`team`).
#[derive(Debug, Deserialize)]
pub(crate) struct WireTeam {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) name: Option<String>,
}

/// `GET /teams`: one list, not paged.
#[derive(Debug, Deserialize)]
pub(crate) struct WireTeamList {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) teams: Vec<Value>,
}

/// A tag (`tag`, `tag_basic`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireTag {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) name: Option<String>,
}

/// `GET /tags`: one list, not paged.
#[derive(Debug, Deserialize)]
pub(crate) struct WireTagList {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) data: Vec<Value>,
}

/// A ticket state with the ticket types that use it (`ticket_state_detailed`).
#[derive(Debug, Deserialize)]
pub(crate) struct WireStateDetailed {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) category: Option<String>,
    #[serde(default)]
    pub(crate) archived: Option<bool>,
    #[serde(default)]
    pub(crate) ticket_types: Option<WireRefs>,
}

/// `GET /ticket_states`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireStateList {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) data: Vec<WireStateDetailed>,
}
