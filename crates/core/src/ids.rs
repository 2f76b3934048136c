//! Identifiers. Our own ids are UUID v7 (time-ordered); a vendor's ids are kept as strings
//! because vendors mix integers and strings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(Uuid);

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
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
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
