//! The records a Zendesk account holds, in the sandbox's own types. Rendering to the
//! vendor's JSON lives in `render.rs`.

/// Ticket status (`TicketObject.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    New,
    Open,
    Pending,
    Hold,
    Solved,
    Closed,
}

impl Status {
    pub(crate) const ALL: [Status; 6] = [
        Self::New,
        Self::Open,
        Self::Pending,
        Self::Hold,
        Self::Solved,
        Self::Closed,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Open => "open",
            Self::Pending => "pending",
            Self::Hold => "hold",
            Self::Solved => "solved",
            Self::Closed => "closed",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The seeded custom status that stands for this category.
    pub(crate) fn custom_status_id(self) -> u64 {
        super::seed::CUSTOM_STATUS_BASE + self as u64
    }
}

/// Ticket priority (`TicketObject.priority`, nullable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub(crate) const ALL: [Priority; 4] = [Self::Low, Self::Normal, Self::High, Self::Urgent];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Ticket type (`TicketObject.type`, nullable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TicketType {
    Question,
    Incident,
    Problem,
    Task,
}

impl TicketType {
    pub(crate) const ALL: [TicketType; 4] =
        [Self::Question, Self::Incident, Self::Problem, Self::Task];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Question => "question",
            Self::Incident => "incident",
            Self::Problem => "problem",
            Self::Task => "task",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// `via.channel`: a name, or the integer channel id some payloads carry instead
/// (`ViaObject.channel` is `oneOf: [string, integer]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Channel {
    Name(&'static str),
    Id(u64),
}

/// A custom field value: Zendesk sends strings, booleans, numbers or null.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CustomFieldValue {
    pub(crate) id: u64,
    pub(crate) value: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ticket {
    pub(crate) id: u64,
    pub(crate) external_id: Option<String>,
    pub(crate) channel: Channel,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) kind: Option<TicketType>,
    pub(crate) subject: String,
    pub(crate) description: String,
    pub(crate) priority: Option<Priority>,
    pub(crate) status: Status,
    pub(crate) recipient: Option<String>,
    pub(crate) requester_id: u64,
    pub(crate) submitter_id: u64,
    pub(crate) assignee_id: Option<u64>,
    pub(crate) organization_id: Option<u64>,
    pub(crate) group_id: Option<u64>,
    pub(crate) collaborator_ids: Vec<u64>,
    pub(crate) follower_ids: Vec<u64>,
    pub(crate) problem_id: Option<u64>,
    pub(crate) due_at: Option<i64>,
    pub(crate) tags: Vec<String>,
    pub(crate) custom_fields: Vec<CustomFieldValue>,
    pub(crate) satisfaction: Satisfaction,
    pub(crate) is_public: bool,
    pub(crate) brand_id: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Satisfaction {
    Unoffered,
    Offered,
    Rated {
        id: u64,
        score: &'static str,
        comment: Option<&'static str>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    EndUser,
    Agent,
    Admin,
}

impl Role {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::EndUser => "end-user",
            Self::Agent => "agent",
            Self::Admin => "admin",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        [Self::EndUser, Self::Agent, Self::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    pub(crate) fn is_staff(self) -> bool {
        matches!(self, Self::Agent | Self::Admin)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct User {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) role: Role,
    pub(crate) organization_id: Option<u64>,
    pub(crate) default_group_id: Option<u64>,
    pub(crate) phone: Option<String>,
    pub(crate) time_zone: &'static str,
    pub(crate) iana_time_zone: &'static str,
    pub(crate) locale: &'static str,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) verified: bool,
    pub(crate) tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Organization {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) domain_names: Vec<String>,
    pub(crate) group_id: Option<u64>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Group {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) is_public: bool,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Attachment {
    pub(crate) id: u64,
    pub(crate) file_name: String,
    pub(crate) content_type: String,
    pub(crate) size: u64,
    /// The upload token the file arrived with; it names the content URL.
    pub(crate) token: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Comment {
    pub(crate) id: u64,
    pub(crate) audit_id: u64,
    pub(crate) author_id: u64,
    pub(crate) body: String,
    pub(crate) html_body: String,
    pub(crate) public: bool,
    pub(crate) channel: Channel,
    pub(crate) created_at: i64,
    pub(crate) attachments: Vec<Attachment>,
}
