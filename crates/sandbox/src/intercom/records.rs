//! The records an Intercom workspace holds, in the sandbox's own types. Rendering to the
//! vendor's JSON lives in `render.rs`. Ids are numbers here and strings on the wire (contact
//! and company ids are 24 hex characters, like Intercom's), except where the spec sends an
//! integer (`admin_assignee_id`, `team_assignee_id`).

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Admin {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) job_title: Option<String>,
    pub(crate) team_ids: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Team {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) admin_ids: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Contact {
    /// 24 hex characters.
    pub(crate) id: String,
    pub(crate) external_id: Option<String>,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) company_ids: Vec<String>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Company {
    /// 24 hex characters (Intercom's id).
    pub(crate) id: String,
    /// The id the workspace gave it (`company_id`).
    pub(crate) company_id: String,
    pub(crate) name: String,
    pub(crate) user_count: u64,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tag {
    pub(crate) id: u64,
    pub(crate) name: String,
}

/// The four ticket state categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    Submitted,
    InProgress,
    WaitingOnCustomer,
    Resolved,
}

impl Category {
    pub(crate) const ALL: [Self; 4] = [
        Self::Submitted,
        Self::InProgress,
        Self::WaitingOnCustomer,
        Self::Resolved,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::InProgress => "in_progress",
            Self::WaitingOnCustomer => "waiting_on_customer",
            Self::Resolved => "resolved",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TicketState {
    pub(crate) id: u64,
    pub(crate) category: Category,
    pub(crate) internal_label: &'static str,
    pub(crate) external_label: &'static str,
}

/// `Customer`, `Back-office` or `Tracker`; search calls them `request`, `task`, `tracker`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeCategory {
    Customer,
    BackOffice,
    Tracker,
}

impl TypeCategory {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "Customer",
            Self::BackOffice => "Back-office",
            Self::Tracker => "Tracker",
        }
    }

    /// The term `POST /tickets/search` takes for the `category` field.
    pub(crate) fn search_term(self) -> &'static str {
        match self {
            Self::Customer => "request",
            Self::BackOffice => "task",
            Self::Tracker => "tracker",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TypeAttribute {
    pub(crate) id: u64,
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    /// `string`, `list`, `integer`, `decimal`, `boolean`, `datetime` or `files`.
    pub(crate) data_type: &'static str,
    pub(crate) multiline: bool,
    pub(crate) order: u64,
    pub(crate) required_to_create: bool,
    /// One of the two default attributes (`_default_title_`, `_default_description_`).
    pub(crate) default: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TicketType {
    pub(crate) id: u64,
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) icon: &'static str,
    pub(crate) category: TypeCategory,
    pub(crate) attributes: Vec<TypeAttribute>,
    pub(crate) created_at: i64,
}

/// Who wrote a part.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Author {
    Admin(u64),
    /// A contact, by id.
    User(String),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Attachment {
    pub(crate) name: String,
    pub(crate) url: String,
    pub(crate) content_type: String,
    pub(crate) filesize: u64,
}

/// A ticket or conversation part: a comment, a note, or a recorded change.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Part {
    pub(crate) id: u64,
    /// `comment`, `note`, `quick_reply`, `ticket_state_updated_by_admin`, `open`, `close`, ...
    pub(crate) part_type: String,
    pub(crate) body: Option<String>,
    pub(crate) author: Author,
    pub(crate) attachments: Vec<Attachment>,
    /// For state changes: the categories before and after.
    pub(crate) states: Option<(Category, Category)>,
    pub(crate) created_at: i64,
}

/// A tag as applied to a ticket or conversation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AppliedTag {
    pub(crate) tag_id: u64,
    pub(crate) applied_at: i64,
    pub(crate) applied_by: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ticket {
    pub(crate) id: u64,
    /// The number shown in the inbox (`ticket_id`), not for API calls.
    pub(crate) number: u64,
    pub(crate) type_id: u64,
    /// `_default_title_`, `_default_description_` and the type's other attributes.
    pub(crate) attributes: Map<String, Value>,
    pub(crate) state_id: u64,
    pub(crate) previous_state_id: Option<u64>,
    pub(crate) open: bool,
    /// 0 when unassigned.
    pub(crate) admin_assignee_id: u64,
    /// 0 when unassigned.
    pub(crate) team_assignee_id: u64,
    pub(crate) contact_ids: Vec<String>,
    pub(crate) company_id: Option<String>,
    pub(crate) snoozed_until: Option<i64>,
    pub(crate) is_shared: bool,
    pub(crate) tags: Vec<AppliedTag>,
    pub(crate) parts: Vec<Part>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

impl Ticket {
    pub(crate) fn attribute_text(&self, name: &str) -> &str {
        self.attributes
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Conversation {
    pub(crate) id: u64,
    pub(crate) title: Option<String>,
    /// The first message.
    pub(crate) source: Part,
    pub(crate) contact_ids: Vec<String>,
    pub(crate) admin_assignee_id: Option<u64>,
    pub(crate) team_assignee_id: Option<u64>,
    /// `open`, `closed` or `snoozed`.
    pub(crate) state: &'static str,
    pub(crate) snoozed_until: Option<i64>,
    pub(crate) read: bool,
    /// `none`, `low`, `medium`, `high` or `urgent` (2.16).
    pub(crate) priority: &'static str,
    pub(crate) tags: Vec<AppliedTag>,
    pub(crate) parts: Vec<Part>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

/// A deleted conversation (tickets are conversations), as `GET /conversations/deleted`
/// lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deleted {
    pub(crate) id: u64,
    pub(crate) deleted_at: i64,
    /// Whether reporting keeps its metrics: deleted tickets always do, a conversation
    /// unless deleted with `retain_metrics=false`.
    pub(crate) metrics_retained: bool,
}
