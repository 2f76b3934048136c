use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{AccountId, ContactId, TeamId, TicketId, UserId};

/// A helpdesk ticket.
///
/// The enums are deskgate's helpdesk-native categories; the `raw_*` field beside each keeps
/// the vendor's own value, so nothing is lost when a vendor has more states than we do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Ticket {
    pub id: TicketId,
    pub subject: Option<String>,
    /// Plain text.
    pub description: Option<String>,
    pub status: TicketStatus,
    pub raw_status: Option<String>,
    pub priority: Option<Priority>,
    pub raw_priority: Option<String>,
    #[serde(rename = "type")]
    pub ticket_type: Option<TicketType>,
    pub raw_type: Option<String>,
    pub channel: Channel,
    pub raw_channel: Option<String>,
    pub requester_id: Option<ContactId>,
    pub submitter_id: Option<UserId>,
    pub assignee_id: Option<UserId>,
    pub team_id: Option<TeamId>,
    pub account_id: Option<AccountId>,
    pub cc_ids: Vec<ContactId>,
    pub tags: Vec<String>,
    #[serde(serialize_with = "crate::timestamp::serialize_opt")]
    pub due_at: Option<DateTime<Utc>>,
    /// `null` when the vendor's record does not say (its own document marks the field
    /// optional); the rest of the ticket is still read, and `remote_data` shows the record.
    #[serde(serialize_with = "crate::timestamp::serialize_opt")]
    pub created_at: Option<DateTime<Utc>>,
    /// `null` when the vendor's record does not say, as `created_at`.
    #[serde(serialize_with = "crate::timestamp::serialize_opt")]
    pub updated_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::timestamp::serialize_opt")]
    pub solved_at: Option<DateTime<Utc>>,
    /// The ticket in the vendor's agent interface.
    pub url: Option<String>,
    pub custom_fields: Vec<CustomField>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_data: Option<serde_json::Value>,
}

/// Where a ticket is in its life. Vendors' extra states map to the nearest of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    New,
    Open,
    Pending,
    OnHold,
    Solved,
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketType {
    Question,
    Incident,
    Problem,
    Task,
}

/// How a ticket reached the helpdesk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Web,
    Chat,
    Phone,
    Api,
    Social,
    Other,
}

/// A vendor custom field value; `name` when the vendor sends one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CustomField {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub value: serde_json::Value,
}

/// A ticket to create.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    /// Not blank.
    #[schema(min_length = 1, pattern = r"\S")]
    pub subject: String,
    /// The first comment, plain text.
    pub description: String,
    #[serde(default)]
    pub status: Option<TicketStatus>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default, rename = "type")]
    pub ticket_type: Option<TicketType>,
    #[serde(default)]
    pub requester_id: Option<ContactId>,
    #[serde(default)]
    pub assignee_id: Option<UserId>,
    #[serde(default)]
    pub team_id: Option<TeamId>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
}

/// A partial update: absent fields are left alone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub status: Option<TicketStatus>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default, rename = "type")]
    pub ticket_type: Option<TicketType>,
    #[serde(default)]
    pub assignee_id: Option<UserId>,
    #[serde(default)]
    pub team_id: Option<TeamId>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub custom_fields: Option<Vec<CustomField>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ticket() -> Ticket {
        let at = DateTime::parse_from_rfc3339("2026-11-01T10:00:00Z")
            .unwrap()
            .to_utc();
        Ticket {
            id: "35436".into(),
            subject: Some("Help, my printer is on fire!".into()),
            description: Some("The fire is very colorful.".into()),
            status: TicketStatus::OnHold,
            raw_status: Some("hold".into()),
            priority: Some(Priority::High),
            raw_priority: Some("high".into()),
            ticket_type: Some(TicketType::Incident),
            raw_type: Some("incident".into()),
            channel: Channel::Email,
            raw_channel: Some("email".into()),
            requester_id: Some("20978392".into()),
            submitter_id: Some("76872".into()),
            assignee_id: Some("235323".into()),
            team_id: Some("98738".into()),
            account_id: Some("509974".into()),
            cc_ids: vec![],
            tags: vec!["enterprise".into()],
            due_at: None,
            created_at: Some(at),
            updated_at: Some(at),
            solved_at: None,
            url: None,
            custom_fields: vec![CustomField {
                id: "27642".into(),
                name: None,
                value: json!("745"),
            }],
            remote_data: None,
        }
    }

    #[test]
    fn ticket_serializes_with_snake_case_enums_and_raw_values_beside_them() {
        let v = serde_json::to_value(ticket()).unwrap();
        assert_eq!(v["status"], "on_hold");
        assert_eq!(v["raw_status"], "hold");
        assert_eq!(v["type"], "incident");
        assert_eq!(v["channel"], "email");
        assert_eq!(v["created_at"], "2026-11-01T10:00:00Z");
        assert_eq!(
            v["custom_fields"][0],
            json!({"id": "27642", "value": "745"})
        );
        assert!(
            v.get("remote_data").is_none(),
            "remote_data only on request"
        );
    }

    #[test]
    fn ticket_round_trips_through_json() {
        let t = ticket();
        let back: Ticket = serde_json::from_value(serde_json::to_value(&t).unwrap()).unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn new_ticket_rejects_unknown_fields_and_unknown_enum_values() {
        let err = serde_json::from_value::<NewTicket>(
            json!({"subject": "s", "description": "d", "colour": "red"}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown field `colour`"), "{err}");
        let err = serde_json::from_value::<NewTicket>(
            json!({"subject": "s", "description": "d", "status": "hold"}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown variant `hold`"), "{err}");
    }
}
