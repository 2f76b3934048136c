//! Deterministic seeding: every seeded record is a pure function of the account's seed and
//! the record's index, so a million-ticket account costs nothing until a record is touched
//! (the overlay in `collection.rs` holds changes). The same seed gives the same data.

use super::records::{
    Channel, Comment, CustomFieldValue, Group, Organization, Priority, Role, Satisfaction, Status,
    Ticket, TicketType, User,
};
pub(crate) use crate::mix::splitmix;
use crate::words::TAGS;

/// Seeded ids are large on purpose (beyond 32 bits) so that a client storing them in
/// 32-bit integers fails here and not in production. Tickets keep Zendesk's small
/// per-account sequence.
pub(crate) const USER_BASE: u64 = 20_000_000_000;
pub(crate) const ORGANIZATION_BASE: u64 = 30_000_000_000;
pub(crate) const GROUP_BASE: u64 = 40_000_000_000;
pub(crate) const COMMENT_BASE: u64 = 50_000_000_000;
pub(crate) const AUDIT_BASE: u64 = 55_000_000_000;
/// Comments and audits created through the API are numbered from here.
pub(crate) const NEW_COMMENT_BASE: u64 = 90_000_000_000;
pub(crate) const ATTACHMENT_BASE: u64 = 60_000_000_000;
pub(crate) const CUSTOM_STATUS_BASE: u64 = 100_000_000;
pub(crate) const BRAND_ID: u64 = 360_000_000_001;
pub(crate) const FIELD_ORDER_NUMBER: u64 = 360_001_000_001;
pub(crate) const FIELD_PLAN: u64 = 360_001_000_002;
pub(crate) const FIELD_VERIFIED: u64 = 360_001_000_003;
/// Seeded tickets were created during the two years before this instant
/// (2025-06-01T00:00:00Z), so seeded data does not depend on when the sandbox starts.
pub(crate) const SEED_END: i64 = 1_748_736_000;
const SPAN: i64 = 730 * 86_400;
const DAY: i64 = 86_400;

/// Zendesk's time zone names beside their IANA names: a user answers both (`time_zone`,
/// `iana_time_zone`), and Zendesk's document has `iana_time_zone` as a non-null string.
const ZONES: [(&str, &str); 6] = [
    ("Pacific Time (US & Canada)", "America/Los_Angeles"),
    ("London", "Europe/London"),
    ("Berlin", "Europe/Berlin"),
    ("Tokyo", "Asia/Tokyo"),
    ("Sydney", "Australia/Sydney"),
    ("UTC", "Etc/UTC"),
];
const LOCALES: [&str; 5] = ["en-US", "en-GB", "de", "ja", "es"];
const NAMED_CHANNELS: [&str; 7] = [
    "email",
    "web",
    "api",
    "mobile",
    "chat",
    "voice",
    "mobile_sdk",
];
/// Zendesk's integer via id for email ("mail"), for payloads that carry the integer form.
const EMAIL_CHANNEL_ID: u64 = 4;

/// The shape of one seeded account: counts derived from the ticket count.
#[derive(Debug, Clone)]
pub(crate) struct Seed {
    pub(crate) seed: u64,
    pub(crate) subdomain: String,
    pub(crate) tickets: u64,
    pub(crate) extra_agents: u64,
    pub(crate) extra_end_users: u64,
    pub(crate) organizations: u64,
    pub(crate) groups: u64,
}

/// Index of the seeded admin, agent and end user whose credentials tests use.
pub(crate) const ADMIN_INDEX: u64 = 0;
pub(crate) const AGENT_INDEX: u64 = 1;
pub(crate) const END_USER_INDEX: u64 = 2;

impl Seed {
    pub(crate) fn new(subdomain: &str, seed: u64, tickets: u64) -> Self {
        let groups = (tickets / 5_000).clamp(4, 40);
        Self {
            seed,
            subdomain: subdomain.to_owned(),
            tickets,
            extra_agents: (tickets / 250).clamp(4, 2_000).max(groups),
            extra_end_users: (tickets / 4).clamp(8, 250_000),
            organizations: (tickets / 100).clamp(3, 10_000),
            groups,
        }
    }

    pub(crate) fn users(&self) -> u64 {
        3 + self.extra_agents + self.extra_end_users
    }

    fn hash(&self, kind: u64, index: u64, salt: u64) -> u64 {
        splitmix(
            splitmix(self.seed ^ kind.rotate_left(40)) ^ index.wrapping_mul(0x9E37_79B9) ^ salt,
        )
    }

    fn domain(&self) -> String {
        format!("{}.test", self.subdomain)
    }

    // Users: index 0 admin, 1 agent, 2 end user, then extra agents, then extra end users.

    fn agent_count(&self) -> u64 {
        2 + self.extra_agents
    }

    fn agent_index(&self, ordinal: u64) -> u64 {
        if ordinal < 2 { ordinal } else { ordinal + 1 }
    }

    fn end_user_count(&self) -> u64 {
        1 + self.extra_end_users
    }

    fn end_user_index(&self, ordinal: u64) -> u64 {
        if ordinal == 0 {
            END_USER_INDEX
        } else {
            3 + self.extra_agents + ordinal - 1
        }
    }

    fn end_user_org(&self, ordinal: u64) -> Option<u64> {
        let slots = self.organizations + self.organizations / 3 + 1;
        let slot = ordinal % slots;
        (slot < self.organizations).then(|| ORGANIZATION_BASE + slot)
    }

    pub(crate) fn user_id(&self, index: u64) -> u64 {
        USER_BASE + index
    }

    /// The index of the seeded user whose generated email this is, if any.
    pub(crate) fn user_index_for_email(&self, email: &str) -> Option<u64> {
        let (local, domain) = email.split_once('@')?;
        if !domain.eq_ignore_ascii_case(&self.domain()) {
            return None;
        }
        let local = local.to_ascii_lowercase();
        match local.as_str() {
            "admin" => return Some(ADMIN_INDEX),
            "agent" => return Some(AGENT_INDEX),
            "customer" => return Some(END_USER_INDEX),
            _ => {}
        }
        if let Some(n) = local
            .strip_prefix("agent")
            .and_then(|n| n.parse::<u64>().ok())
        {
            return (n >= 1 && n <= self.extra_agents).then(|| 2 + n);
        }
        if let Some(n) = local
            .strip_prefix("user")
            .and_then(|n| n.parse::<u64>().ok())
        {
            return (n >= 1 && n <= self.extra_end_users).then(|| 3 + self.extra_agents + n - 1);
        }
        None
    }

    pub(crate) fn user(&self, index: u64) -> User {
        let h = self.hash(1, index, 0);
        let domain = self.domain();
        let created_at =
            SEED_END - SPAN - 180 * DAY + (index as i64 % 180) * DAY + (h % 86_000) as i64;
        let (name, email, role) = match index {
            ADMIN_INDEX => (
                "Ada Admin".to_owned(),
                format!("admin@{domain}"),
                Role::Admin,
            ),
            AGENT_INDEX => (
                "Alex Agent".to_owned(),
                format!("agent@{domain}"),
                Role::Agent,
            ),
            END_USER_INDEX => (
                "Casey Customer".to_owned(),
                format!("customer@{domain}"),
                Role::EndUser,
            ),
            i if i < 3 + self.extra_agents => (
                self.person(h),
                format!("agent{}@{domain}", i - 2),
                Role::Agent,
            ),
            i => (
                self.person(h),
                format!("user{}@{domain}", i - 2 - self.extra_agents),
                Role::EndUser,
            ),
        };
        let (organization_id, default_group_id) = match role {
            Role::EndUser => {
                let ordinal = if index == END_USER_INDEX {
                    0
                } else {
                    index - 2 - self.extra_agents
                };
                (self.end_user_org(ordinal), None)
            }
            _ => {
                let ordinal = if index < 2 { index } else { index - 1 };
                (None, Some(GROUP_BASE + ordinal % self.groups))
            }
        };
        let updated_at = created_at + (h % (90 * DAY as u64)) as i64;
        User {
            id: self.user_id(index),
            name,
            email,
            role,
            organization_id,
            default_group_id,
            phone: h
                .is_multiple_of(3)
                .then(|| format!("+1555{:07}", h % 10_000_000)),
            time_zone: ZONES[(h % ZONES.len() as u64) as usize].0,
            iana_time_zone: ZONES[(h % ZONES.len() as u64) as usize].1,
            locale: LOCALES[((h >> 8) % LOCALES.len() as u64) as usize],
            created_at,
            updated_at,
            verified: role.is_staff() || !h.is_multiple_of(4),
            tags: if h.is_multiple_of(5) {
                vec!["newsletter".to_owned()]
            } else {
                Vec::new()
            },
        }
    }

    fn person(&self, h: u64) -> String {
        crate::words::person(h)
    }

    pub(crate) fn organization(&self, index: u64) -> Organization {
        let h = self.hash(2, index, 0);
        let name = crate::words::company(index);
        let slug = name.to_ascii_lowercase().replace(' ', "");
        let created_at = SEED_END - SPAN - 365 * DAY + (index as i64 % 365) * DAY;
        Organization {
            id: ORGANIZATION_BASE + index,
            domain_names: vec![format!("{slug}.example")],
            name,
            group_id: h.is_multiple_of(4).then(|| GROUP_BASE + h % self.groups),
            created_at,
            updated_at: created_at + (h % (200 * DAY as u64)) as i64,
            tags: if index.is_multiple_of(7) {
                vec!["vip".to_owned()]
            } else {
                Vec::new()
            },
        }
    }

    pub(crate) fn group(&self, index: u64) -> Group {
        let name = crate::words::group(index);
        let created_at = SEED_END - SPAN - 400 * DAY + index as i64 * DAY;
        Group {
            id: GROUP_BASE + index,
            description: format!("{name} team"),
            name,
            is_public: index % 5 != 4,
            created_at,
            updated_at: created_at + 30 * DAY,
        }
    }

    pub(crate) fn ticket_created_at(&self, index: u64) -> i64 {
        let stride = (SPAN / self.tickets.max(1) as i64).max(1);
        let jitter = (self.hash(3, index, 1) % stride as u64) as i64;
        SEED_END - SPAN + index as i64 * stride + jitter
    }

    pub(crate) fn ticket_updated_at(&self, index: u64) -> i64 {
        let created = self.ticket_created_at(index);
        let room = (SEED_END - created).clamp(1, 30 * DAY);
        created + (self.hash(3, index, 2) % room as u64) as i64
    }

    /// The seeded tags of a ticket, without generating the rest of it.
    pub(crate) fn ticket_tags(&self, index: u64) -> Vec<String> {
        let h = self.hash(3, index, 3);
        let count = h % 4;
        let mut tags: Vec<String> = Vec::new();
        for k in 0..count {
            let tag = TAGS[((h >> (8 * (k + 1))) % TAGS.len() as u64) as usize];
            if !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_owned());
            }
        }
        tags.sort();
        tags
    }

    pub(crate) fn ticket(&self, index: u64) -> Ticket {
        let h = self.hash(3, index, 0);
        let pick = |salt: u64, n: u64| self.hash(3, index, salt) % n;
        let status = if index < 6 {
            Status::ALL[index as usize]
        } else {
            match pick(10, 100) {
                0..=29 => Status::Closed,
                30..=54 => Status::Solved,
                55..=69 => Status::Open,
                70..=79 => Status::Pending,
                80..=84 => Status::Hold,
                _ => Status::New,
            }
        };
        let priority = if index < 5 {
            [
                None,
                Some(Priority::Low),
                Some(Priority::Normal),
                Some(Priority::High),
                Some(Priority::Urgent),
            ][index as usize]
        } else {
            match pick(11, 100) {
                0..=19 => None,
                20..=39 => Some(Priority::Low),
                40..=79 => Some(Priority::Normal),
                80..=94 => Some(Priority::High),
                _ => Some(Priority::Urgent),
            }
        };
        let kind = if index < 5 {
            [
                Some(TicketType::Task),
                None,
                Some(TicketType::Question),
                Some(TicketType::Incident),
                Some(TicketType::Problem),
            ][index as usize]
        } else {
            match pick(12, 100) {
                0..=24 => None,
                25..=59 => Some(TicketType::Question),
                60..=79 => Some(TicketType::Incident),
                80..=89 => Some(TicketType::Problem),
                _ => Some(TicketType::Task),
            }
        };
        let channel = if index < 8 {
            if index == 7 {
                Channel::Id(EMAIL_CHANNEL_ID)
            } else {
                Channel::Name(NAMED_CHANNELS[index as usize])
            }
        } else if pick(13, 50) == 0 {
            Channel::Id(EMAIL_CHANNEL_ID)
        } else {
            Channel::Name(NAMED_CHANNELS[pick(14, NAMED_CHANNELS.len() as u64) as usize])
        };
        let requester_ordinal = if index.is_multiple_of(10) {
            0
        } else {
            pick(15, self.end_user_count())
        };
        let requester_id = self.user_id(self.end_user_index(requester_ordinal));
        let organization_id = self.end_user_org(requester_ordinal);
        let (group_id, assignee_id) = if status == Status::New {
            (None, None)
        } else {
            let group = pick(16, self.groups);
            let per_group = self.agent_count().div_ceil(self.groups);
            let mut ordinal = group + self.groups * pick(17, per_group);
            if ordinal >= self.agent_count() {
                ordinal = group;
            }
            (
                Some(GROUP_BASE + group),
                Some(self.user_id(self.agent_index(ordinal))),
            )
        };
        let submitter_id = match channel {
            Channel::Name("api" | "voice") => assignee_id.unwrap_or(self.user_id(ADMIN_INDEX)),
            _ => requester_id,
        };
        let mut collaborator_ids = Vec::new();
        if pick(18, 5) == 0 {
            collaborator_ids
                .push(self.user_id(self.end_user_index(pick(19, self.end_user_count()))));
        }
        if pick(20, 11) == 0 {
            collaborator_ids.push(self.user_id(AGENT_INDEX));
        }
        collaborator_ids.retain(|id| *id != requester_id);
        collaborator_ids.dedup();
        let follower_ids = match assignee_id {
            Some(a) if pick(21, 7) == 0 && a != self.user_id(ADMIN_INDEX) => {
                vec![self.user_id(ADMIN_INDEX)]
            }
            _ => Vec::new(),
        };
        let created_at = self.ticket_created_at(index);
        let updated_at = self.ticket_updated_at(index);
        let due_at =
            (kind == Some(TicketType::Task)).then(|| created_at + (1 + pick(22, 14) as i64) * DAY);
        let satisfaction = match (status, pick(23, 4)) {
            (Status::Solved | Status::Closed, 0) => Satisfaction::Rated {
                id: 70_000_000_000 + index,
                score: "good",
                comment: Some("Thanks, quick and helpful!"),
            },
            (Status::Solved | Status::Closed, 1) => Satisfaction::Rated {
                id: 70_000_000_000 + index,
                score: "bad",
                comment: None,
            },
            (Status::Solved | Status::Closed, 2) => Satisfaction::Offered,
            _ => Satisfaction::Unoffered,
        };
        let subject = crate::words::subject(h);
        let description = self.comment_body(index, 0, &subject);
        let custom_fields = vec![
            CustomFieldValue {
                id: FIELD_ORDER_NUMBER,
                value: if pick(24, 3) == 0 {
                    serde_json::Value::Null
                } else {
                    serde_json::Value::String(format!("ORD-{:06}", pick(25, 1_000_000)))
                },
            },
            CustomFieldValue {
                id: FIELD_PLAN,
                value: match pick(26, 4) {
                    0 => serde_json::Value::Null,
                    1 => "plan_basic".into(),
                    2 => "plan_pro".into(),
                    _ => "plan_enterprise".into(),
                },
            },
            CustomFieldValue {
                id: FIELD_VERIFIED,
                value: serde_json::Value::Bool(pick(27, 2) == 0),
            },
        ];
        Ticket {
            id: index + 1,
            external_id: (pick(28, 4) == 0).then(|| format!("crm-{:08}", pick(29, 100_000_000))),
            recipient: matches!(channel, Channel::Name("email") | Channel::Id(_))
                .then(|| format!("support@{}", self.domain())),
            channel,
            created_at,
            updated_at,
            kind,
            subject,
            description,
            priority,
            status,
            requester_id,
            submitter_id,
            assignee_id,
            organization_id,
            group_id,
            collaborator_ids,
            follower_ids,
            problem_id: None,
            due_at,
            tags: self.ticket_tags(index),
            custom_fields,
            satisfaction,
            is_public: true,
            brand_id: BRAND_ID,
        }
    }

    fn comment_body(&self, index: u64, j: u64, subject: &str) -> String {
        let h = self.hash(4, index, j);
        match (j, h % 3) {
            (0, 0) => format!(
                "Hi, {}. It started this morning and nothing I try helps.",
                subject.to_lowercase()
            ),
            (0, 1) => format!("Hello team,\n\n{subject}. Could you take a look?\n\nThanks"),
            (0, _) => format!("{subject} — this is blocking our work, please advise."),
            (_, 0) => {
                "Thanks for reaching out. Could you send a screenshot of the error?".to_owned()
            }
            (_, 1) => "I have escalated this to our engineers and will update you soon.".to_owned(),
            _ => "Here is the additional information you asked for.".to_owned(),
        }
    }

    /// The seeded comments of a seeded ticket, oldest first.
    pub(crate) fn comments(&self, ticket: &Ticket) -> Vec<Comment> {
        let index = ticket.id - 1;
        let count = if ticket.status == Status::New {
            1
        } else {
            1 + self.hash(4, index, 99) % 4
        };
        let span = ticket.updated_at - ticket.created_at;
        (0..count)
            .map(|j| {
                let author_id = if j % 2 == 1 {
                    ticket.assignee_id.unwrap_or(self.user_id(ADMIN_INDEX))
                } else {
                    ticket.requester_id
                };
                let body = if j == 0 {
                    ticket.description.clone()
                } else {
                    self.comment_body(index, j, &ticket.subject)
                };
                let created_at = if j == 0 {
                    ticket.created_at
                } else {
                    ticket.created_at + span * j as i64 / (count - 1) as i64
                };
                Comment {
                    id: COMMENT_BASE + ticket.id * 8 + j,
                    audit_id: AUDIT_BASE + ticket.id * 8 + j,
                    author_id,
                    html_body: html_paragraphs(&body),
                    body,
                    public: j == 0 || !self.hash(4, index, 100 + j).is_multiple_of(3),
                    channel: if j == 0 {
                        ticket.channel.clone()
                    } else {
                        Channel::Name("web")
                    },
                    created_at,
                    attachments: Vec::new(),
                }
            })
            .collect()
    }
}

/// Zendesk's HTML rendering of a plain comment.
pub(crate) fn html_paragraphs(body: &str) -> String {
    let escaped = body
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let paragraphs: Vec<String> = escaped
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", p.replace('\n', "<br>")))
        .collect();
    format!(
        "<div class=\"zd-comment\" dir=\"auto\">{}</div>",
        paragraphs.join("")
    )
}
