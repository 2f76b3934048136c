//! Deterministic seeding of a Freshdesk account: every seeded record is a pure function of
//! the seed and its index, so a million-ticket account costs nothing until a record is
//! touched (the overlay in `crate::collection` holds changes).
//!
//! Seeded tickets were created over the two years before the account was seeded, ticket
//! ids in creation order, so only the newest few fall in `GET /tickets`' default 30-day
//! window. Both `created_at` and `updated_at` grow with the id (`updated_at` is shared by
//! each pair of neighbours, so ties occur), which lets a listing ordered by either walk
//! untouched tickets in id order (see `ticket_order.rs`).

use serde_json::{Map, Value, json};

use super::records::{
    Agent, Company, Contact, Conversation, Group, NOTE_SOURCE, REPLY_SOURCE, TYPES, Ticket,
};
use crate::mix::{pick, splitmix};
use crate::words::TAGS;

/// Ids beyond 32 bits, like Freshdesk's (e.g. `67042965499`), except tickets, which are
/// numbered per account from 1.
pub(crate) const AGENT_BASE: u64 = 43_000_000_000;
pub(crate) const GROUP_BASE: u64 = 48_000_000_000;
pub(crate) const CONTACT_BASE: u64 = 67_000_000_000;
pub(crate) const COMPANY_BASE: u64 = 80_000_000_000;
const CONVERSATION_BASE: u64 = 90_000_000_000;
/// Conversations created through the API are numbered from here.
pub(crate) const NEW_CONVERSATION_BASE: u64 = 99_000_000_000;
pub(crate) const ATTACHMENT_BASE: u64 = 70_000_000_000;
/// The seeded admin (index 0) and the agent whose role has no API access (index 1).
pub(crate) const ADMIN_INDEX: u64 = 0;
pub(crate) const RESTRICTED_INDEX: u64 = 1;
const DAY: i64 = 86_400;
const SPAN: i64 = 730 * DAY;
/// How long after its pair's creation a seeded ticket was last updated.
const UPDATE_LAG: i64 = 2 * DAY;
const ZONES: [&str; 5] = [
    "Eastern Time (US & Canada)",
    "London",
    "Berlin",
    "Chennai",
    "Sydney",
];
const PLANS: [Option<&str>; 4] = [Some("Free"), Some("Growth"), Some("Pro"), None];

#[derive(Debug, Clone)]
pub(crate) struct Seed {
    seed: u64,
    domain: String,
    pub(crate) tickets: u64,
    /// The instant the account was seeded: the newest seeded ticket is just before it.
    pub(crate) end: i64,
    pub(crate) agents: u64,
    pub(crate) contacts: u64,
    pub(crate) companies: u64,
    pub(crate) groups: u64,
}

impl Seed {
    pub(crate) fn new(domain: &str, seed: u64, tickets: u64, end: i64) -> Self {
        Self {
            seed,
            domain: domain.to_owned(),
            tickets,
            end,
            agents: 2 + (tickets / 250).clamp(4, 2_000),
            contacts: (tickets / 4).clamp(8, 250_000),
            companies: (tickets / 100).clamp(3, 10_000),
            groups: (tickets / 5_000).clamp(4, 40),
        }
    }

    fn hash(&self, kind: u64, index: u64) -> u64 {
        splitmix(splitmix(self.seed ^ kind.rotate_left(40)) ^ index.wrapping_mul(0x9E37_79B9))
    }

    /// The creation time of the `index`-th ticket (0-based); `index == tickets` gives the
    /// end of the seeded span.
    fn moment(&self, index: u64) -> i64 {
        let offset = i128::from(SPAN) * i128::from(index) / i128::from(self.tickets.max(1));
        self.end - SPAN + i64::try_from(offset).unwrap_or(SPAN)
    }

    pub(crate) fn ticket_created_at(&self, index: u64) -> i64 {
        self.moment(index)
    }

    /// Non-decreasing in `index`, equal for each pair `2k, 2k + 1`, never before creation.
    pub(crate) fn ticket_updated_at(&self, index: u64) -> i64 {
        (self.moment(index | 1) + UPDATE_LAG).min(self.end)
    }

    pub(crate) fn contact_email(&self, index: u64) -> String {
        let first = crate::words::person(self.hash(1, index));
        let first = first
            .split(' ')
            .next()
            .unwrap_or("contact")
            .to_ascii_lowercase();
        if index == 0 {
            format!("customer@{}.example", self.domain)
        } else {
            format!("{first}.{index}@{}.example", self.domain)
        }
    }

    /// The index of the seeded contact whose generated email this is, if any.
    pub(crate) fn contact_index_for_email(&self, email: &str) -> Option<u64> {
        let (local, _) = email.split_once('@')?;
        let index = match local.rsplit_once('.') {
            Some((_, digits)) => digits.parse().ok()?,
            None => 0,
        };
        (index < self.contacts && self.contact_email(index).eq_ignore_ascii_case(email))
            .then_some(index)
    }

    fn contact_company(&self, index: u64) -> Option<u64> {
        let slots = self.companies + self.companies / 3 + 1;
        let slot = index % slots;
        (slot < self.companies).then(|| COMPANY_BASE + slot)
    }

    pub(crate) fn contact(&self, index: u64) -> Contact {
        let h = self.hash(1, index);
        let created_at = self.end - SPAN - 100 * DAY + (h % (SPAN as u64)) as i64;
        Contact {
            id: CONTACT_BASE + index,
            name: crate::words::person(h),
            email: Some(self.contact_email(index)),
            phone: h
                .is_multiple_of(3)
                .then(|| format!("+1555{:07}", h % 10_000_000)),
            company_id: self.contact_company(index),
            time_zone: pick(&ZONES, h >> 8),
            active: !h.is_multiple_of(5),
            created_at,
            updated_at: created_at + ((h >> 20) % (60 * DAY as u64)) as i64,
        }
    }

    pub(crate) fn agent(&self, index: u64) -> Agent {
        let h = self.hash(2, index);
        let (name, email, scope) = match index {
            ADMIN_INDEX => (
                "Ada Admin".to_owned(),
                format!("admin@{}.example", self.domain),
                1,
            ),
            RESTRICTED_INDEX => (
                "Rita Restricted".to_owned(),
                format!("restricted@{}.example", self.domain),
                3,
            ),
            _ => (
                crate::words::person(h),
                format!("agent{index}@{}.example", self.domain),
                1 + h % 2,
            ),
        };
        let created_at = self.end - SPAN - 200 * DAY + index as i64 * DAY;
        Agent {
            id: AGENT_BASE + index,
            name,
            email,
            ticket_scope: scope,
            api_access: index != RESTRICTED_INDEX,
            time_zone: pick(&ZONES, h),
            created_at,
            updated_at: created_at + 10 * DAY,
        }
    }

    pub(crate) fn company(&self, index: u64) -> Company {
        let name = crate::words::company(index);
        let slug = name.to_ascii_lowercase().replace(' ', "");
        let created_at = self.end - SPAN - 365 * DAY + (index as i64 % 365) * DAY;
        Company {
            id: COMPANY_BASE + index,
            domains: vec![format!("{slug}.example")],
            name,
            created_at,
            updated_at: created_at + 40 * DAY,
        }
    }

    pub(crate) fn group(&self, index: u64) -> Group {
        let created_at = self.end - SPAN - 300 * DAY + index as i64 * DAY;
        Group {
            id: GROUP_BASE + index,
            name: crate::words::group(index),
            agent_ids: (0..self.agents)
                .filter(|a| a % self.groups == index)
                .map(|a| AGENT_BASE + a)
                .collect(),
            created_at,
            updated_at: created_at + 30 * DAY,
        }
    }

    pub(crate) fn ticket(&self, index: u64) -> Ticket {
        let h = self.hash(3, index);
        let status = match h % 100 {
            0..=2 => 6,
            3..=4 => 7,
            r => pick(&[2, 2, 3, 4, 4, 5, 5, 5], r),
        };
        let priority = 1 + (h >> 8) % 4;
        let contact = (h >> 20) % self.contacts;
        let subject = crate::words::subject(h);
        let text = format!("Hello, {subject}. It started this week. Can you help?");
        let created_at = self.ticket_created_at(index);
        let tags = (0..(h >> 40) % 4)
            .map(|k| pick(&TAGS, (h >> 44).wrapping_add(k * 5)).to_owned())
            .collect();
        let mut custom_fields = Map::new();
        custom_fields.insert(
            "cf_order_number".to_owned(),
            if (h >> 50).is_multiple_of(3) {
                Value::Null
            } else {
                json!(format!("ORD-{:06}", (h >> 12) % 1_000_000))
            },
        );
        custom_fields.insert("cf_plan".to_owned(), json!(pick(&PLANS, h >> 54)));
        let hours = [72, 48, 24, 8][((priority - 1) % 4) as usize];
        Ticket {
            id: index + 1,
            description: format!("<div>{text}</div>"),
            description_text: text,
            subject,
            status,
            priority,
            source: pick(&[1, 1, 1, 2, 2, 3, 7, 9, 10], h >> 12),
            kind: pick(
                &[
                    Some(TYPES[0]),
                    Some(TYPES[1]),
                    Some(TYPES[2]),
                    Some(TYPES[3]),
                    None,
                ],
                h >> 16,
            )
            .map(str::to_owned),
            requester_id: CONTACT_BASE + contact,
            responder_id: (!(h >> 28).is_multiple_of(5))
                .then(|| AGENT_BASE + (h >> 30) % self.agents),
            group_id: (!(h >> 34).is_multiple_of(4)).then(|| GROUP_BASE + (h >> 36) % self.groups),
            company_id: self.contact_company(contact),
            cc_emails: if (h >> 24).is_multiple_of(7) {
                vec![format!("cc{index}@example.com")]
            } else {
                Vec::new()
            },
            tags,
            due_by: created_at + hours * 3_600,
            fr_due_by: created_at + hours * 3_600 / 4,
            created_at,
            updated_at: self.ticket_updated_at(index),
            custom_fields,
            attachments: Vec::new(),
        }
    }

    /// The seeded conversations of a seeded ticket, oldest first: the customer's follow-up,
    /// an agent's reply and a private note, as many as the ticket has.
    pub(crate) fn conversations(&self, ticket: &Ticket) -> Vec<Conversation> {
        let index = ticket.id - 1;
        let count = (self.hash(3, index) >> 60) % 4;
        let span = (ticket.updated_at - ticket.created_at).max(4);
        let agent = ticket.responder_id.unwrap_or(AGENT_BASE + ADMIN_INDEX);
        (0..count)
            .map(|j| {
                let (user_id, incoming, private, source, text) = match j {
                    0 => (
                        ticket.requester_id,
                        true,
                        false,
                        REPLY_SOURCE,
                        "Any update on this?",
                    ),
                    1 => (
                        agent,
                        false,
                        false,
                        REPLY_SOURCE,
                        "Thanks, we are looking into it.",
                    ),
                    _ => (
                        agent,
                        false,
                        true,
                        NOTE_SOURCE,
                        "Checked the logs; waiting on the fix.",
                    ),
                };
                Conversation {
                    id: CONVERSATION_BASE + index * 4 + j,
                    ticket_id: ticket.id,
                    user_id,
                    body: format!("<div>{text}</div>"),
                    body_text: text.to_owned(),
                    private,
                    incoming,
                    source,
                    to_emails: Vec::new(),
                    from_email: None,
                    cc_emails: Vec::new(),
                    bcc_emails: Vec::new(),
                    created_at: ticket.created_at + span * (j as i64 + 1) / 4,
                    attachments: Vec::new(),
                }
            })
            .collect()
    }
}
