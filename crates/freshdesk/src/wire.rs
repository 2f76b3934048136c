//! Freshdesk's JSON, as API v2 sends it. Lenient where Freshdesk is: ids may come as
//! numbers or strings, lists, an agent's `contact` and a conversation's flags as `null`,
//! phone numbers as numbers, a company's `domains` as one comma-separated string on old
//! accounts, and timestamps with any UTC offset. Unknown fields are ignored; a missing `id`
//! or timestamp fails the record (the ticket walk is keyed on `updated_at`).

use chrono::{DateTime, Utc};
use deskgate_connector::lenient::{IdText, null_as_default};
use deskgate_core::timestamp;
use serde::Deserialize;
use serde::de::{Deserializer, Error as _};
use serde_json::{Map, Value};

/// A vendor id: Freshdesk sends integers; strings are accepted too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WireId(pub(crate) String);

impl<'de> Deserialize<'de> for WireId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match IdText::deserialize(d)? {
            IdText::Integer(s) => Ok(Self(s)),
            IdText::Text(s) if !s.is_empty() => Ok(Self(s)),
            other => Err(D::Error::custom(format!(
                "an id must be an integer, got {other}"
            ))),
        }
    }
}

/// Text that may come as a number (`"mobile": 1234`).
fn loose_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// `domains`: a list, or one comma-separated string on old accounts.
fn domains<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(Value::String(s)) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireTicket {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) subject: Option<String>,
    /// Plain text; the HTML is `description`.
    #[serde(default)]
    pub(crate) description_text: Option<String>,
    #[serde(default)]
    pub(crate) status: Option<i64>,
    #[serde(default)]
    pub(crate) priority: Option<i64>,
    #[serde(default)]
    pub(crate) source: Option<i64>,
    #[serde(default, rename = "type")]
    pub(crate) ticket_type: Option<String>,
    #[serde(default)]
    pub(crate) requester_id: Option<WireId>,
    #[serde(default)]
    pub(crate) responder_id: Option<WireId>,
    #[serde(default)]
    pub(crate) group_id: Option<WireId>,
    #[serde(default)]
    pub(crate) company_id: Option<WireId>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) tags: Vec<String>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub(crate) due_by: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub(crate) created_at: DateTime<Utc>,
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub(crate) updated_at: DateTime<Utc>,
    /// Only with `include=stats`.
    #[serde(default)]
    pub(crate) stats: Option<WireStats>,
    #[serde(default)]
    pub(crate) custom_fields: Option<Map<String, Value>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireStats {
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub(crate) resolved_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "timestamp::deserialize_opt")]
    pub(crate) closed_at: Option<DateTime<Utc>>,
}

/// What the ticket walk needs of each record, read before anything else.
#[derive(Debug, Deserialize)]
pub(crate) struct WireTicketKey {
    pub(crate) id: WireId,
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub(crate) updated_at: DateTime<Utc>,
}

/// A reply or a note.
#[derive(Debug, Deserialize)]
pub(crate) struct WireConversation {
    pub(crate) id: WireId,
    pub(crate) ticket_id: Option<WireId>,
    #[serde(default)]
    pub(crate) user_id: Option<WireId>,
    #[serde(default)]
    pub(crate) body: Option<String>,
    #[serde(default)]
    pub(crate) body_text: Option<String>,
    /// `None` when absent or `null`: the conversation does not say whether it is a note.
    #[serde(default)]
    pub(crate) private: Option<bool>,
    /// `true` when the message came in from outside (the requester); `null` reads as not.
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) incoming: bool,
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub(crate) created_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) attachments: Vec<WireAttachment>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireAttachment {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) content_type: Option<String>,
    #[serde(default)]
    pub(crate) file_size: Option<u64>,
    #[serde(default)]
    pub(crate) attachment_url: Option<String>,
}

/// An agent; its name and email live on its `contact`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireAgent {
    pub(crate) id: WireId,
    #[serde(default, rename = "type")]
    pub(crate) agent_type: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) group_ids: Vec<WireId>,
    /// Absent or `null` reads as a contact with nothing known.
    #[serde(default, deserialize_with = "null_as_default")]
    pub(crate) contact: WireAgentContact,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireAgentContact {
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) email: Option<String>,
    #[serde(default)]
    pub(crate) active: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireContact {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) email: Option<String>,
    #[serde(default, deserialize_with = "loose_text")]
    pub(crate) phone: Option<String>,
    #[serde(default, deserialize_with = "loose_text")]
    pub(crate) mobile: Option<String>,
    #[serde(default)]
    pub(crate) company_id: Option<WireId>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireCompany {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default, deserialize_with = "domains")]
    pub(crate) domains: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireGroup {
    pub(crate) id: WireId,
    #[serde(default)]
    pub(crate) name: Option<String>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn a_ticket_reads_with_nulls_offsets_and_stats() {
        let t: WireTicket = serde_json::from_value(fixture("ticket.json")).unwrap();
        assert_eq!(t.id, WireId("1".into()));
        assert_eq!(t.requester_id, Some(WireId("6012691534".into())));
        assert_eq!(t.group_id, None);
        assert_eq!(t.tags, vec!["foo", "bar"]);
        assert_eq!(t.created_at.to_rfc3339(), "2016-05-18T04:36:04+00:00");
        let resolved = t.stats.unwrap().resolved_at.unwrap();
        assert_eq!(resolved.to_rfc3339(), "2020-07-24T15:35:21+00:00");
    }

    #[test]
    fn every_list_fixture_reads() {
        let tickets: Vec<WireTicket> =
            serde_json::from_value(fixture("tickets_page.json")).unwrap();
        assert_eq!(tickets.len(), 3);
        let conversations: Vec<WireConversation> =
            serde_json::from_value(fixture("conversations.json")).unwrap();
        assert_eq!(
            (conversations[0].private, conversations[1].private),
            (Some(true), Some(false))
        );
        let agents: Vec<WireAgent> = serde_json::from_value(fixture("agents.json")).unwrap();
        assert_eq!(agents[0].contact.email.as_deref(), Some("rachel@acme.test"));
        let contacts: Vec<WireContact> = serde_json::from_value(fixture("contacts.json")).unwrap();
        assert_eq!(contacts[1].mobile.as_deref(), Some("5550100"));
        let companies: Vec<WireCompany> =
            serde_json::from_value(fixture("companies.json")).unwrap();
        assert_eq!(companies[0].domains, vec!["supernova.test", "nova.test"]);
        let groups: Vec<WireGroup> = serde_json::from_value(fixture("groups.json")).unwrap();
        assert_eq!(groups[1].name.as_deref(), Some("Billing"));
    }

    #[test]
    fn old_accounts_send_domains_as_one_string_and_phones_as_numbers() {
        let c: WireCompany = serde_json::from_value(
            serde_json::json!({"id": 3, "domains": "acme.test, acme.example"}),
        )
        .unwrap();
        assert_eq!(c.domains, vec!["acme.test", "acme.example"]);
        let p: WireContact =
            serde_json::from_value(serde_json::json!({"id": "9", "phone": 5678, "mobile": null}))
                .unwrap();
        assert_eq!((p.id.0.as_str(), p.phone.as_deref()), ("9", Some("5678")));
    }

    #[test]
    fn a_record_without_an_id_or_with_a_bad_timestamp_does_not_read() {
        assert!(serde_json::from_value::<WireGroup>(serde_json::json!({"name": "x"})).is_err());
        assert!(serde_json::from_value::<WireGroup>(serde_json::json!({"id": 1.5})).is_err());
        let bad = serde_json::json!({"id": 1, "created_at": "yesterday", "updated_at": "2026-01-01T00:00:00Z"});
        assert!(serde_json::from_value::<WireTicket>(bad).is_err());
    }
}
