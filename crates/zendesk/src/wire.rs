//! Zendesk's JSON, as far as deskgate reads it (`TicketObject`, `TicketCommentObject`,
//! `UserObject`, `OrganizationObject`, `GroupObject`, uploads, cursor pages, the incremental
//! ticket export, OAuth tokens).
//!
//! Lenient where Zendesk is: enum-like fields (`status`, `priority`, `type`, `role`,
//! `via.channel`) are kept as raw values and only interpreted in `map`, so a value Zendesk
//! adds tomorrow cannot fail a list; ids are accepted as numbers or strings; a ticket's
//! `tags` may be a list or one string; every field deskgate does not need may be missing.

use std::fmt;

use chrono::{DateTime, Utc};
use deskgate_connector::lenient::{IdText, null_as_default};
use deskgate_core::timestamp;
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A Zendesk id: a 64-bit integer on the wire (`format: bigid`), sometimes a string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WireId(pub(crate) String);

impl<'de> Deserialize<'de> for WireId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Any number or string: an id is never fractional in practice, but one that is stays
        // readable, as serde_json writes it, rather than failing the page.
        IdText::deserialize(d).map(|id| WireId(id.into_string()))
    }
}

/// `via.channel`: a name (`"web"`) or a numeric via id (`4`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum WireChannel {
    Name(String),
    Id(i64),
    Other(Value),
}

impl<'de> Deserialize<'de> for WireChannel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Read once into a `Value` and matched, rather than an untagged enum's buffered copy
        // tried against each variant in turn.
        Ok(match Value::deserialize(d)? {
            Value::String(name) => WireChannel::Name(name),
            Value::Number(n) => match n.as_i64() {
                Some(id) => WireChannel::Id(id),
                None => WireChannel::Other(Value::Number(n)),
            },
            other => WireChannel::Other(other),
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct WireVia {
    #[serde(default)]
    pub(crate) channel: Option<WireChannel>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct WireCustomField {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) value: Value,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct WireTicket {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) subject: Option<String>,
    #[serde(default)]
    pub(crate) raw_subject: Option<String>,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) custom_status_id: Option<WireId>,
    #[serde(default)]
    pub(crate) priority: Option<String>,
    #[serde(default, rename = "type")]
    pub(crate) ticket_type: Option<String>,
    #[serde(default)]
    pub(crate) via: Option<WireVia>,
    #[serde(default)]
    pub(crate) requester_id: Option<WireId>,
    #[serde(default)]
    pub(crate) submitter_id: Option<WireId>,
    #[serde(default)]
    pub(crate) assignee_id: Option<WireId>,
    #[serde(default)]
    pub(crate) organization_id: Option<WireId>,
    #[serde(default)]
    pub(crate) group_id: Option<WireId>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) collaborator_ids: Vec<WireId>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) email_cc_ids: Vec<WireId>,
    /// A list, or one tag as a string (`TicketObject.tags` is `oneOf` both).
    #[serde(default, deserialize_with = "tag_list")]
    pub(crate) tags: Vec<String>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub(crate) due_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub(crate) created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub(crate) updated_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) custom_fields: Vec<WireCustomField>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct WireAttachment {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) file_name: Option<String>,
    #[serde(default)]
    pub(crate) content_url: Option<String>,
    #[serde(default)]
    pub(crate) content_type: Option<String>,
    #[serde(default)]
    pub(crate) size: Option<u64>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct WireComment {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) author_id: Option<WireId>,
    #[serde(default)]
    pub(crate) body: Option<String>,
    #[serde(default)]
    pub(crate) html_body: Option<String>,
    #[serde(default)]
    pub(crate) plain_body: Option<String>,
    /// Zendesk omits `public` on some comment events; a comment is public unless it says not.
    #[serde(default)]
    pub(crate) public: Option<bool>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub(crate) created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) attachments: Vec<WireAttachment>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct WireUser {
    /// `null` for the anonymous user `/users/me` describes when no credentials were accepted.
    #[serde(default)]
    pub(crate) id: Option<WireId>,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) email: Option<String>,
    #[serde(default)]
    pub(crate) phone: Option<String>,
    #[serde(default)]
    pub(crate) role: Option<String>,
    #[serde(default)]
    pub(crate) active: Option<bool>,
    #[serde(default)]
    pub(crate) suspended: Option<bool>,
    #[serde(default)]
    pub(crate) organization_id: Option<WireId>,
    #[serde(default)]
    pub(crate) default_group_id: Option<WireId>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct WireOrganization {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) domain_names: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct WireGroup {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) name: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct WireTag {
    pub(crate) name: String,
}

/// `meta` of a cursor page. `links.next` is ignored on purpose: deskgate keeps the cursor,
/// never a URL.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct WireMeta {
    #[serde(default)]
    pub(crate) has_more: bool,
    #[serde(default)]
    pub(crate) after_cursor: Option<String>,
}

/// A cursor page: the records under their resource key, and `meta`.
#[derive(Debug)]
pub(crate) struct WirePage {
    pub(crate) items: Vec<Value>,
    pub(crate) meta: WireMeta,
}

impl WirePage {
    /// Reads `{"<key>": [...], "meta": {...}}`.
    pub(crate) fn parse(body: &[u8], key: &str) -> Result<Self, String> {
        let mut value: Value =
            serde_json::from_slice(body).map_err(|e| format!("a {key} page is not json: {e}"))?;
        let items = match value.get_mut(key).map(Value::take) {
            Some(Value::Array(items)) => items,
            Some(Value::Null) | None => return Err(format!("a {key} page has no `{key}` list")),
            Some(_) => return Err(format!("`{key}` is not a list")),
        };
        let meta = match value.get_mut("meta").map(Value::take) {
            Some(meta) => serde_json::from_value(meta).map_err(|e| format!("page meta: {e}"))?,
            None => return Err(format!("a {key} page has no `meta`: not a cursor page")),
        };
        Ok(Self { items, meta })
    }
}

/// A cursor page of tickets read straight into their wire type, without a `Value` tree in
/// between: for plain lists, where no filter or caller needs the raw records.
#[derive(Debug, Deserialize)]
pub(crate) struct WireTicketPage {
    pub(crate) tickets: Vec<WireTicket>,
    pub(crate) meta: WireMeta,
}

/// A page of the cursor-based incremental ticket export. Tickets deleted since come with
/// status `deleted`. `after_cursor` continues the export; `end_of_stream` says the page reached
/// the present.
#[derive(Debug, Deserialize)]
pub(crate) struct WireExportPage {
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) tickets: Vec<WireTicket>,
    #[serde(default)]
    pub(crate) after_cursor: Option<String>,
    #[serde(default)]
    pub(crate) end_of_stream: bool,
}

/// Response of `POST /api/v2/uploads`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireUploadResponse {
    pub(crate) upload: WireUpload,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireUpload {
    pub(crate) token: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) attachments: Vec<WireAttachment>,
}

/// Response of `PUT /api/v2/tickets/{id}` and `POST /api/v2/tickets`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireTicketWrite {
    pub(crate) ticket: Value,
    #[serde(default)]
    pub(crate) audit: Option<WireAudit>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireAudit {
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub(crate) created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub(crate) events: Vec<Value>,
}

/// The answer of `POST /oauth/tokens` (201). Its `Debug` hides both tokens.
#[derive(Deserialize)]
pub(crate) struct WireToken {
    pub(crate) access_token: String,
    #[serde(default)]
    pub(crate) scope: Option<String>,
    #[serde(default)]
    pub(crate) expires_in: Option<i64>,
    #[serde(default)]
    pub(crate) refresh_token: Option<String>,
    #[serde(default)]
    pub(crate) refresh_token_expires_in: Option<i64>,
}

impl fmt::Debug for WireToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireToken")
            .field("scope", &self.scope)
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("refresh_token_expires_in", &self.refresh_token_expires_in)
            .finish_non_exhaustive()
    }
}

/// `tags`: a list of tag strings, or one string (Zendesk's `TicketObject` declares both; a
/// string holds tags separated by spaces, as Zendesk reads one on writes). `null` or absent
/// is no tags.
fn tag_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    // A visitor rather than an untagged enum, which would buffer every tag and copy it again.
    struct Tags;
    impl<'de> Visitor<'de> for Tags {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of tags, or one string of tags")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Vec<String>, E> {
            Ok(text.split_whitespace().map(str::to_owned).collect())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut tags = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
            while let Some(tag) = seq.next_element::<String>()? {
                tags.push(tag);
            }
            Ok(tags)
        }
    }
    d.deserialize_any(Tags)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize)]
    struct Tagged {
        #[serde(default, deserialize_with = "tag_list")]
        tags: Vec<String>,
    }

    #[test]
    fn ids_read_from_numbers_and_strings_and_nothing_else() {
        let read = |v: Value| serde_json::from_value::<WireId>(v).map(|i| i.0);
        assert_eq!(read(json!(35436)).unwrap(), "35436");
        assert_eq!(read(json!(-1)).unwrap(), "-1");
        assert_eq!(read(json!(u64::MAX)).unwrap(), u64::MAX.to_string());
        assert_eq!(read(json!("8201")).unwrap(), "8201");
        assert_eq!(read(json!(1.5)).unwrap(), "1.5");
        for bad in [json!(true), json!(null), json!([1]), json!({"id": 1})] {
            let e = read(bad.clone()).unwrap_err().to_string();
            assert!(e.contains("expected an id"), "{bad}: {e}");
        }
        // The same from bytes, as a page is read.
        let id: WireId = serde_json::from_slice(b"9007199254740993").unwrap();
        assert_eq!(id.0, "9007199254740993");
    }

    #[test]
    fn a_channel_is_a_name_a_numeric_via_id_or_kept_as_it_came() {
        let read = |v: Value| serde_json::from_value::<WireChannel>(v).unwrap();
        assert_eq!(read(json!("web")), WireChannel::Name("web".into()));
        assert_eq!(read(json!(4)), WireChannel::Id(4));
        assert_eq!(read(json!(-2)), WireChannel::Id(-2));
        assert_eq!(read(json!(u64::MAX)), WireChannel::Other(json!(u64::MAX)));
        assert_eq!(read(json!(4.5)), WireChannel::Other(json!(4.5)));
        assert_eq!(read(json!({"a": 1})), WireChannel::Other(json!({"a": 1})));
    }

    #[test]
    fn tags_read_from_a_list_one_string_null_or_nothing() {
        let read = |body: &str| serde_json::from_str::<Tagged>(body).map(|t| t.tags);
        assert_eq!(
            read(r#"{"tags": ["vip", "billing"]}"#).unwrap(),
            ["vip", "billing"]
        );
        assert_eq!(
            read(r#"{"tags": " vip  billing "}"#).unwrap(),
            ["vip", "billing"]
        );
        assert!(read(r#"{"tags": null}"#).unwrap().is_empty());
        assert!(read("{}").unwrap().is_empty());
        assert!(read(r#"{"tags": [1]}"#).is_err());
        assert!(read(r#"{"tags": 7}"#).is_err());
        // Read through a `Value` too, as filtered lists read a ticket.
        let via_value: Tagged = serde_json::from_value(json!({"tags": ["a", "b"]})).unwrap();
        assert_eq!(via_value.tags, ["a", "b"]);
    }
}
