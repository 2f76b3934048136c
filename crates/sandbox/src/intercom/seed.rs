//! Deterministic seeding of an Intercom workspace: every record is a pure function of the
//! workspace's name, seed and the instant it was seeded. Unlike the Zendesk and Freshdesk
//! imitations, records are built up front (search filters and sorts the whole set), so the
//! ticket count is capped lower.
//!
//! Seeded tickets were created over the 180 days before the workspace was seeded, in id
//! order; each was last updated up to three days after its creation (never after the seeding
//! instant), so `updated_at` order differs from id order and ties occur.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::data::Data;
use super::records::{
    Admin, AppliedTag, Author, Category, Company, Contact, Conversation, Part, Tag, Team, Ticket,
    TicketState, TicketType, TypeAttribute, TypeCategory,
};
use crate::config::IntercomWorkspaceConfig;
use crate::mix::{pick, splitmix};
use crate::words::{self, TAGS};

const DAY: i64 = 86_400;
const SPAN: i64 = 180 * DAY;
/// Seeded tickets' API ids start here; their inbox numbers (`ticket_id`) start at 1.
pub(crate) const TICKET_BASE: u64 = 700_000;
const CONVERSATION_BASE: u64 = 30_000;
/// The admin the workspace's access token belongs to.
pub(crate) const OWNER_INDEX: usize = 0;
const ADMINS: u64 = 6;
const TEAMS: u64 = 3;

/// The workspace's own hash, mixing name and seed.
pub(crate) fn root(config: &IntercomWorkspaceConfig) -> u64 {
    config
        .name
        .bytes()
        .fold(splitmix(config.seed), |h, b| splitmix(h ^ u64::from(b)))
}

/// An id of 24 hex characters like Intercom's contact and company ids: the creation time,
/// then a hash.
fn object_id(created_at: i64, h: u64) -> String {
    format!("{:08x}{:016x}", created_at.max(0) as u32, h)
}

/// The workspace id (`app.id_code`), e.g. `k3x9q2ab`-like but longer, stable per seed.
pub(crate) fn workspace_id(config: &IntercomWorkspaceConfig) -> String {
    crate::secret::derive("intercom-workspace", config.seed, &config.name, 14)
}

pub(crate) fn build(config: &IntercomWorkspaceConfig, now: i64) -> Data {
    let h0 = root(config);
    let admin_base = 991_000_000 + (h0 % 90_000) * 10;
    let team_base = 5_000_000 + (h0 % 9_000) * 10;
    let state_base = 8_000 + (h0 % 900) * 4;
    let type_base = 60 + (h0 % 300) * 3;
    let attribute_base = 200 + (h0 % 300) * 8;
    let domain = format!("{}.example", config.name);

    let admins: Vec<Admin> = (0..ADMINS)
        .map(|i| {
            let name = words::person(splitmix(h0 ^ (0xad00 + i)));
            let first = name
                .split(' ')
                .next()
                .unwrap_or("admin")
                .to_ascii_lowercase();
            Admin {
                id: admin_base + i,
                email: format!("{first}.{i}@{domain}"),
                name,
                job_title: (i == 0).then(|| "Support lead".to_owned()),
                team_ids: if i == 0 {
                    vec![]
                } else {
                    vec![team_base + (i % TEAMS)]
                },
            }
        })
        .collect();
    let teams: Vec<Team> = (0..TEAMS)
        .map(|t| Team {
            id: team_base + t,
            name: words::group(t),
            admin_ids: admins
                .iter()
                .filter(|a| a.team_ids.contains(&(team_base + t)))
                .map(|a| a.id)
                .collect(),
        })
        .collect();

    let company_count = 8;
    let companies: Vec<Company> = (0..company_count)
        .map(|i| {
            let created_at = now - SPAN - DAY * (70 - i as i64);
            Company {
                id: object_id(created_at, splitmix(h0 ^ (0xc0_0000 + i))),
                company_id: format!("company-{}", i + 1),
                name: words::company(i),
                user_count: 0,
                created_at,
                updated_at: created_at,
            }
        })
        .collect();
    let contact_count = (config.tickets / 4).clamp(10, 5_000);
    let contacts: Vec<Contact> = (0..contact_count)
        .map(|i| {
            let h = splitmix(h0 ^ (0xc7_0000_0000 + i));
            // Over the 60 days before the first ticket.
            let created_at = now - SPAN - 60 * DAY + (i as i64) * (60 * DAY / contact_count as i64);
            let name = words::person(h);
            let local = name.to_ascii_lowercase().replace(' ', ".");
            Contact {
                id: object_id(created_at, h),
                external_id: Some(format!("ext-{}", i + 1)),
                email: format!("{local}.{}@customer.example", i + 1),
                name,
                company_ids: vec![companies[(i % company_count) as usize].id.clone()],
                created_at,
                updated_at: created_at,
            }
        })
        .collect();

    let mut companies = companies;
    for company in &mut companies {
        company.user_count = contacts
            .iter()
            .filter(|c| c.company_ids.contains(&company.id))
            .count() as u64;
    }

    let tags: BTreeMap<u64, Tag> = TAGS
        .iter()
        .take(8)
        .enumerate()
        .map(|(i, name)| {
            let id = 100 + (h0 % 50) * 10 + i as u64;
            (
                id,
                Tag {
                    id,
                    name: (*name).to_owned(),
                },
            )
        })
        .collect();

    let labels = [
        ("Submitted", "Submitted"),
        ("In progress", "In progress"),
        ("Waiting on customer", "Waiting on you"),
        ("Resolved", "Resolved"),
    ];
    let states: Vec<TicketState> = Category::ALL
        .iter()
        .zip(labels)
        .enumerate()
        .map(|(k, (category, (internal, external)))| TicketState {
            id: state_base + k as u64,
            category: *category,
            internal_label: internal,
            external_label: external,
        })
        .collect();

    let created = now - SPAN - 30 * DAY;
    let default_attributes = |type_index: u64| {
        let base = attribute_base + type_index * 2;
        vec![
            TypeAttribute {
                id: base,
                name: "_default_title_",
                description: "",
                data_type: "string",
                multiline: false,
                order: 0,
                // Customer requests need a title to be created.
                required_to_create: type_index == 0,
                default: true,
            },
            TypeAttribute {
                id: base + 1,
                name: "_default_description_",
                description: "",
                data_type: "string",
                multiline: true,
                order: 1,
                required_to_create: false,
                default: true,
            },
        ]
    };
    let types = vec![
        TicketType {
            id: type_base,
            name: "Customer request",
            description: "A question or problem a customer raised",
            icon: "\u{1f39f}\u{fe0f}",
            category: TypeCategory::Customer,
            attributes: default_attributes(0),
            created_at: created,
        },
        TicketType {
            id: type_base + 1,
            name: "Internal task",
            description: "Work for the team behind a customer request",
            icon: "\u{1f4cb}",
            category: TypeCategory::BackOffice,
            attributes: default_attributes(1),
            created_at: created,
        },
        TicketType {
            id: type_base + 2,
            name: "Known issue",
            description: "One problem many customers report",
            icon: "\u{1f41e}",
            category: TypeCategory::Tracker,
            attributes: default_attributes(2),
            created_at: created,
        },
    ];

    let mut data = Data::new(admins, teams, contacts, companies, tags, states, types);
    let n = config.tickets;
    for i in 0..n {
        let ticket = seeded_ticket(&mut data, h0, i, n, now);
        data.put_ticket(ticket);
    }
    data.next_ticket_id = TICKET_BASE + n;
    data.next_ticket_number = n + 1;
    for i in 0..config.conversations {
        let conversation = seeded_conversation(&mut data, h0, i, config.conversations, now);
        data.put_conversation(conversation);
    }
    data.next_conversation_id = CONVERSATION_BASE + config.conversations;
    data
}

fn seeded_ticket(data: &mut Data, h0: u64, i: u64, n: u64, now: i64) -> Ticket {
    let h = splitmix(h0 ^ (0x71c7_0000_0000 + i));
    let created_at = now - SPAN + (i as i64) * (SPAN / n.max(1) as i64);
    let updated_at = (created_at + (h % (3 * DAY as u64)) as i64).min(now - 1);
    // Mostly customer requests, some back-office tasks and trackers.
    let ticket_type = match h % 10 {
        0 => &data.types[1],
        1 => &data.types[2],
        _ => &data.types[0],
    };
    let type_id = ticket_type.id;
    let state = pick(&[0usize, 1, 2, 3, 3], h >> 8);
    let category = data.states[state].category;
    let state_id = data.states[state].id;
    let admin_assignee_id = if (h >> 20).is_multiple_of(4) {
        0
    } else {
        data.admins[((h >> 24) % data.admins.len() as u64) as usize].id
    };
    let team_assignee_id = if (h >> 28).is_multiple_of(3) {
        0
    } else {
        data.teams[((h >> 32) % data.teams.len() as u64) as usize].id
    };
    let contact = data.contacts[((h >> 36) % data.contacts.len() as u64) as usize].clone();
    let title = words::subject(h);
    let description = format!(
        "{title}: it started on {} and still happens.",
        chrono::DateTime::from_timestamp(created_at, 0)
            .map(|t| t.format("%-d %B").to_string())
            .unwrap_or_default()
    );
    let mut attributes = Map::new();
    attributes.insert("_default_title_".to_owned(), Value::String(title));
    attributes.insert(
        "_default_description_".to_owned(),
        Value::String(description.clone()),
    );
    let mut parts = vec![Part {
        id: data.next_part(),
        part_type: "comment".to_owned(),
        body: Some(format!("<p>{description}</p>")),
        author: Author::User(contact.id.clone()),
        attachments: vec![],
        states: None,
        created_at,
    }];
    if admin_assignee_id != 0 {
        parts.push(Part {
            id: data.next_part(),
            part_type: if h.is_multiple_of(3) {
                "note"
            } else {
                "comment"
            }
            .to_owned(),
            body: Some("<p>Thanks, we are looking into it.</p>".to_owned()),
            author: Author::Admin(admin_assignee_id),
            attachments: vec![],
            states: None,
            created_at: updated_at,
        });
    }
    let tags = if (h >> 40).is_multiple_of(3) {
        let tag_ids: Vec<u64> = data.tags.keys().copied().collect();
        vec![AppliedTag {
            tag_id: pick(&tag_ids, h >> 44),
            applied_at: created_at,
            applied_by: data.admins[0].id,
        }]
    } else {
        vec![]
    };
    Ticket {
        id: TICKET_BASE + i,
        number: i + 1,
        type_id,
        attributes,
        state_id,
        previous_state_id: None,
        open: category != Category::Resolved,
        admin_assignee_id,
        team_assignee_id,
        company_id: contact.company_ids.first().cloned(),
        contact_ids: vec![contact.id],
        snoozed_until: None,
        is_shared: true,
        tags,
        parts,
        created_at,
        updated_at,
    }
}

fn seeded_conversation(data: &mut Data, h0: u64, i: u64, n: u64, now: i64) -> Conversation {
    let h = splitmix(h0 ^ (0xc0_4e00_0000 + i));
    let created_at = now - 30 * DAY + (i as i64) * (30 * DAY / n.max(1) as i64);
    let updated_at = (created_at + (h % DAY as u64) as i64).min(now - 1);
    let contact = data.contacts[((h >> 8) % data.contacts.len() as u64) as usize].clone();
    let admin = data.admins[((h >> 16) % data.admins.len() as u64) as usize].id;
    let state = pick(&["open", "open", "closed", "snoozed"], h >> 24);
    let source = Part {
        id: 403_000_000 + i,
        part_type: "conversation".to_owned(),
        body: Some(format!("<p>{}</p>", words::subject(h))),
        author: Author::User(contact.id.clone()),
        attachments: vec![],
        states: None,
        created_at,
    };
    let parts = vec![
        Part {
            id: data.next_part(),
            part_type: "comment".to_owned(),
            body: Some("<p>Happy to help. Could you tell us more?</p>".to_owned()),
            author: Author::Admin(admin),
            attachments: vec![],
            states: None,
            created_at: updated_at,
        },
        Part {
            id: data.next_part(),
            part_type: if state == "closed" { "close" } else { "note" }.to_owned(),
            body: (state != "closed").then(|| "<p>Checked the logs.</p>".to_owned()),
            author: Author::Admin(admin),
            attachments: vec![],
            states: None,
            created_at: updated_at,
        },
    ];
    Conversation {
        id: CONVERSATION_BASE + i,
        title: None,
        source,
        contact_ids: vec![contact.id],
        admin_assignee_id: Some(admin),
        team_assignee_id: None,
        state,
        snoozed_until: (state == "snoozed").then_some(now + DAY),
        read: h.is_multiple_of(2),
        priority: pick(
            &["none", "none", "low", "medium", "high", "urgent"],
            h >> 32,
        ),
        tags: vec![],
        parts,
        created_at,
        updated_at,
    }
}

/// A ticket type's attributes as the wire's `input_options` says them.
pub(crate) fn input_options(attribute: &TypeAttribute) -> Value {
    if attribute.data_type == "string" {
        json!({"multiline": attribute.multiline})
    } else {
        Value::Null
    }
}
