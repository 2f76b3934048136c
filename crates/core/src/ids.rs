//! Identifiers. Our own ids are UUID v7 (time-ordered); a vendor's ids are kept as strings
//! because vendors mix integers and strings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

/// A UUID in the one form deskgate writes: lower-case and hyphenated. Upper-case, braced,
/// `urn:uuid:` and unhyphenated forms name the same UUID, so accepting them would give one
/// object many addresses; they are refused instead.
pub fn canonical_uuid(raw: &str) -> Option<Uuid> {
    Uuid::try_parse(raw)
        .ok()
        // Of the forms `try_parse` reads, only the hyphenated one is this long.
        .filter(|_| {
            raw.len() == uuid::fmt::Hyphenated::LENGTH
                && !raw.bytes().any(|b| b.is_ascii_uppercase())
        })
}

/// A UUID written as 32 lower-case hex digits, without hyphens: the form inside deskgate's
/// prefixed ids (`evt_…`) and API key ids. Like [`canonical_uuid`], this is the one form
/// deskgate writes, and any other spelling of the same UUID is refused.
pub fn canonical_simple_uuid(raw: &str) -> Option<Uuid> {
    let lower_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    if raw.len() != uuid::fmt::Simple::LENGTH || !raw.bytes().all(lower_hex) {
        return None;
    }
    Uuid::try_parse(raw).ok()
}

/// A string that is not a canonical id ([`canonical_uuid`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an id: expected a lower-case hyphenated UUID")]
pub struct InvalidId;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(Uuid);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                if d.is_human_readable() {
                    let raw = String::deserialize(d)?;
                    raw.parse().map_err(serde::de::Error::custom)
                } else {
                    Uuid::deserialize(d).map(Self)
                }
            }
        }

        impl $name {
            /// A new time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                canonical_uuid(s).map(Self).ok_or(InvalidId)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    };
}

uuid_id!(
    /// A tenant: a company that uses deskgate on behalf of its own customers.
    TenantId
);
uuid_id!(
    /// One connected helpdesk account of one tenant's customer.
    ConnectionId
);

macro_rules! remote_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String)]
        pub struct $name(pub String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<u64> for $name {
            fn from(id: u64) -> Self {
                Self(id.to_string())
            }
        }
    };
}

remote_id!(
    /// A vendor's ticket id.
    TicketId
);
remote_id!(
    /// A vendor's comment (conversation, note, part) id.
    CommentId
);
remote_id!(
    /// A vendor's agent id.
    UserId
);
remote_id!(
    /// A vendor's end-user (requester) id.
    ContactId
);
remote_id!(
    /// A vendor's organization or company id.
    AccountId
);
remote_id!(
    /// A vendor's group or team id.
    TeamId
);
remote_id!(
    /// A vendor's attachment id.
    AttachmentId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_ids_serialize_as_plain_strings() {
        let id = ConnectionId::new();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<ConnectionId>(&json).unwrap(), id);
    }

    #[test]
    fn only_the_canonical_form_of_an_id_parses() {
        let id = ConnectionId::new();
        let canonical = id.to_string();
        assert_eq!(canonical.parse::<ConnectionId>(), Ok(id));
        let uuid = id.as_uuid();
        for other in [
            canonical.to_uppercase(),
            uuid.braced().to_string(),
            uuid.urn().to_string(),
            uuid.simple().to_string(),
            format!(" {canonical}"),
        ] {
            assert_eq!(other.parse::<ConnectionId>(), Err(InvalidId), "{other}");
            let json = format!("\"{other}\"");
            assert!(
                serde_json::from_str::<ConnectionId>(&json).is_err(),
                "{other}"
            );
        }
    }

    #[test]
    fn only_the_canonical_simple_form_parses() {
        let uuid = Uuid::now_v7();
        let simple = uuid.simple().to_string();
        assert_eq!(canonical_simple_uuid(&simple), Some(uuid));
        for other in [
            simple.to_uppercase(),
            uuid.hyphenated().to_string(),
            uuid.braced().to_string(),
            uuid.urn().to_string(),
            format!("{simple} "),
            format!("+{}", &simple[1..]),
            String::new(),
        ] {
            assert_eq!(canonical_simple_uuid(&other), None, "{other}");
        }
    }

    #[test]
    fn new_ids_are_time_ordered_v7() {
        let a = TenantId::new();
        let b = TenantId::new();
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert!(a <= b);
    }

    #[test]
    fn remote_ids_accept_numbers_and_strings() {
        assert_eq!(TicketId::from(35436_u64).as_str(), "35436");
        assert_eq!(
            serde_json::to_string(&TicketId::from("abc")).unwrap(),
            "\"abc\""
        );
    }
}
