//! The types of change events deskgate records and delivers.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What happened. Each event in the log and each webhook carries one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum EventType {
    #[serde(rename = "ticket.created")]
    TicketCreated,
    #[serde(rename = "ticket.updated")]
    TicketUpdated,
    #[serde(rename = "ticket.deleted")]
    TicketDeleted,
    #[serde(rename = "comment.created")]
    CommentCreated,
    #[serde(rename = "connection.created")]
    ConnectionCreated,
    #[serde(rename = "connection.needs_reauth")]
    ConnectionNeedsReauth,
    #[serde(rename = "connection.reauthorized")]
    ConnectionReauthorized,
    #[serde(rename = "connection.deleted")]
    ConnectionDeleted,
    #[serde(rename = "sync.failed")]
    SyncFailed,
    /// A webhook endpoint was disabled by deskgate (it answered 410, or failed for too long).
    #[serde(rename = "webhook_endpoint.disabled")]
    WebhookEndpointDisabled,
}

impl EventType {
    pub const ALL: [EventType; 10] = [
        EventType::TicketCreated,
        EventType::TicketUpdated,
        EventType::TicketDeleted,
        EventType::CommentCreated,
        EventType::ConnectionCreated,
        EventType::ConnectionNeedsReauth,
        EventType::ConnectionReauthorized,
        EventType::ConnectionDeleted,
        EventType::SyncFailed,
        EventType::WebhookEndpointDisabled,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::TicketCreated => "ticket.created",
            EventType::TicketUpdated => "ticket.updated",
            EventType::TicketDeleted => "ticket.deleted",
            EventType::CommentCreated => "comment.created",
            EventType::ConnectionCreated => "connection.created",
            EventType::ConnectionNeedsReauth => "connection.needs_reauth",
            EventType::ConnectionReauthorized => "connection.reauthorized",
            EventType::ConnectionDeleted => "connection.deleted",
            EventType::SyncFailed => "sync.failed",
            EventType::WebhookEndpointDisabled => "webhook_endpoint.disabled",
        }
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An event type name that is not one of [`EventType::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown event type `{0}`")]
pub struct UnknownEventType(pub String);

impl std::str::FromStr for EventType {
    type Err = UnknownEventType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownEventType(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde_and_from_str() {
        for t in EventType::ALL {
            let json = serde_json::to_value(t).unwrap();
            assert_eq!(json, serde_json::json!(t.as_str()));
            assert_eq!(t.as_str().parse::<EventType>().unwrap(), t);
        }
        assert!("ticket.exploded".parse::<EventType>().is_err());
    }
}
