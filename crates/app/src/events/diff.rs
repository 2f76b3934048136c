//! What the sync remembers of a ticket, and how it names what changed.
//!
//! deskgate stores no ticket data: for each ticket it keeps a short hash of every normalized
//! field (enough to say which fields changed, not what they held), the ticket's `updated_at`
//! when last seen, and a mark of the newest comment seen (its time and the ids at that time,
//! so comments created in the same second are neither missed nor repeated).

use std::collections::BTreeMap;

use deskgate_core::model::{Comment, Ticket};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Fields that change without the ticket changing in a way a tenant cares about, or that
/// are not the ticket's own: never named as changed.
const IGNORED: [&str; 3] = ["id", "updated_at", "remote_data"];

/// A ticket as the sync remembers it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// A hash per normalized field.
    #[serde(rename = "f")]
    pub fields: BTreeMap<String, String>,
    /// `updated_at` when seen, in unix seconds.
    #[serde(rename = "u")]
    pub updated_at: i64,
}

impl Fingerprint {
    pub fn of(ticket: &Ticket) -> Self {
        let mut fields = BTreeMap::new();
        if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(ticket) {
            for (name, value) in map {
                if IGNORED.contains(&name.as_str()) {
                    continue;
                }
                fields.insert(name, short_hash(&value.to_string()));
            }
        }
        Self {
            fields,
            // A vendor may leave `updated_at` out; such a ticket counts as changed only when
            // one of its fields did.
            updated_at: ticket.updated_at.map_or(0, |at| at.timestamp()),
        }
    }

    /// Reads a stored fingerprint; an unreadable one reads as empty (every field then counts
    /// as changed once, which is honest and heals the row).
    pub fn parse(stored: &str) -> Self {
        serde_json::from_str(stored).unwrap_or_default()
    }

    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The fields whose value differs, by name, in order.
    pub fn changed_since(&self, before: &Fingerprint) -> Vec<String> {
        let mut names: Vec<String> = self
            .fields
            .iter()
            .filter(|(name, hash)| before.fields.get(*name) != Some(*hash))
            .map(|(name, _)| name.clone())
            .collect();
        names.extend(
            before
                .fields
                .keys()
                .filter(|name| !self.fields.contains_key(*name))
                .cloned(),
        );
        names.sort();
        names
    }
}

fn short_hash(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    hex::encode(&digest[..8])
}

/// The newest comment seen on a ticket: its creation time and every id created at that time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommentMark {
    pub at: i64,
    pub ids: Vec<String>,
}

impl CommentMark {
    /// A mark that counts every comment created after `at` as new.
    pub fn after(at: i64) -> Self {
        Self {
            at,
            ids: Vec::new(),
        }
    }

    /// `{unix}:{id},{id}`.
    pub fn parse(stored: &str) -> Option<Self> {
        let (at, ids) = stored.split_once(':')?;
        Some(Self {
            at: at.parse().ok()?,
            ids: ids
                .split(',')
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect(),
        })
    }

    pub fn to_stored(&self) -> String {
        format!("{}:{}", self.at, self.ids.join(","))
    }

    /// Whether `comment` came after this mark. A comment whose vendor left out its
    /// `created_at` has no place in the order: it is never after a mark (no event) and never
    /// moves one, so it cannot be announced twice.
    pub fn is_before(&self, comment: &Comment) -> bool {
        let Some(at) = comment.created_at.map(|at| at.timestamp()) else {
            return false;
        };
        at > self.at || (at == self.at && !self.ids.contains(&comment.id.0))
    }

    /// The mark after also having seen `comments`.
    #[must_use]
    pub fn advanced(mut self, comments: &[Comment]) -> Self {
        for comment in comments {
            let Some(at) = comment.created_at.map(|at| at.timestamp()) else {
                continue;
            };
            if at > self.at {
                self.at = at;
                self.ids.clear();
            }
            if at == self.at && !self.ids.contains(&comment.id.0) {
                self.ids.push(comment.id.0.clone());
            }
        }
        self
    }
}

/// Comments in the order events are recorded: oldest first, ties by id.
pub fn in_order(comments: &mut [Comment]) {
    comments.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| numeric_first(&a.id.0, &b.id.0))
    });
}

fn numeric_first(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ => a.cmp(b),
    }
}

/// Whether a ticket's first comment is its description, which a vendor (Zendesk) stores as
/// the first comment: made within a second of the ticket, with the description's text. Other
/// vendors keep the description apart (Freshdesk), so their first comment is a reply, even
/// one made at once.
pub fn is_description(first: &Comment, ticket: &Ticket) -> bool {
    // When either time is missing, the text alone decides.
    let made_at_once = match (first.created_at, ticket.created_at) {
        (Some(comment), Some(ticket)) => comment.timestamp() <= ticket.timestamp() + 1,
        _ => true,
    };
    made_at_once
        && ticket
            .description
            .as_deref()
            .is_some_and(|d| d.trim() == first.body.trim())
}
