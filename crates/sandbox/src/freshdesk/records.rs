//! The records a Freshdesk account holds, in the sandbox's own types. Rendering to the
//! vendor's JSON lives in `render.rs`. Status, priority and source stay numbers: Freshdesk
//! sends them as numbers and an account may define custom statuses.

use serde_json::{Map, Value};

/// Ticket statuses: 2 Open, 3 Pending, 4 Resolved, 5 Closed, and the account's two custom
/// statuses (6 "Waiting on Customer", 7 "Waiting on Third Party").
pub(crate) const STATUSES: [u64; 6] = [2, 3, 4, 5, 6, 7];
/// 1 Low, 2 Medium, 3 High, 4 Urgent.
pub(crate) const PRIORITIES: [u64; 4] = [1, 2, 3, 4];
/// 1 Email, 2 Portal, 3 Phone, 7 Chat, 9 Feedback Widget, 10 Outbound Email.
pub(crate) const SOURCES: [u64; 6] = [1, 2, 3, 7, 9, 10];
/// The account's Type field choices.
pub(crate) const TYPES: [&str; 4] = ["Question", "Incident", "Problem", "Feature Request"];
/// Conversation `source` of a reply and of a note.
pub(crate) const REPLY_SOURCE: u64 = 0;
pub(crate) const NOTE_SOURCE: u64 = 2;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ticket {
    pub(crate) id: u64,
    pub(crate) subject: String,
    /// HTML.
    pub(crate) description: String,
    pub(crate) description_text: String,
    pub(crate) status: u64,
    pub(crate) priority: u64,
    pub(crate) source: u64,
    pub(crate) kind: Option<String>,
    pub(crate) requester_id: u64,
    pub(crate) responder_id: Option<u64>,
    pub(crate) group_id: Option<u64>,
    pub(crate) company_id: Option<u64>,
    pub(crate) cc_emails: Vec<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) due_by: i64,
    pub(crate) fr_due_by: i64,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) custom_fields: Map<String, Value>,
    pub(crate) attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Contact {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) company_id: Option<u64>,
    pub(crate) time_zone: &'static str,
    pub(crate) active: bool,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Company {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) domains: Vec<String>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Group {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) agent_ids: Vec<u64>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Agent {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) email: String,
    /// 1 global, 2 group, 3 restricted access to tickets.
    pub(crate) ticket_scope: u64,
    /// Whether the agent's role may use the API (the restricted agent's may not).
    pub(crate) api_access: bool,
    pub(crate) time_zone: &'static str,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Conversation {
    pub(crate) id: u64,
    pub(crate) ticket_id: u64,
    pub(crate) user_id: u64,
    /// HTML.
    pub(crate) body: String,
    pub(crate) body_text: String,
    pub(crate) private: bool,
    pub(crate) incoming: bool,
    pub(crate) source: u64,
    pub(crate) to_emails: Vec<String>,
    pub(crate) from_email: Option<String>,
    pub(crate) cc_emails: Vec<String>,
    pub(crate) bcc_emails: Vec<String>,
    pub(crate) created_at: i64,
    pub(crate) attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Attachment {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) content_type: String,
    pub(crate) file_size: u64,
    pub(crate) created_at: i64,
}
