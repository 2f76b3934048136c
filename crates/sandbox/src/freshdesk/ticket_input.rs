//! The fields of `POST /tickets` and `PUT /tickets/{id}`: validated all at once (every
//! error is reported, as Freshdesk does), then applied to a ticket.

use serde_json::{Map, Value};

use super::account::Data;
use super::body::Input;
use super::errors::{FieldError, FreshdeskError};
use super::fields::{Fields, invalid_email, is_email};
use super::records::{Contact, PRIORITIES, SOURCES, STATUSES, TYPES, Ticket};

/// The fields that name a requester; a create needs one of them.
const REQUESTER_FIELDS: [&str; 6] = [
    "requester_id",
    "email",
    "phone",
    "facebook_id",
    "twitter_id",
    "unique_external_id",
];
/// The other fields a ticket write takes.
const TICKET_FIELDS: [&str; 19] = [
    "name",
    "subject",
    "type",
    "status",
    "priority",
    "description",
    "responder_id",
    "attachments",
    "cc_emails",
    "custom_fields",
    "due_by",
    "email_config_id",
    "fr_due_by",
    "group_id",
    "product_id",
    "source",
    "tags",
    "company_id",
    "parent_id",
];
const PLANS: [&str; 3] = ["Free", "Growth", "Pro"];

#[derive(Debug, Clone)]
enum Requester {
    Existing(Contact),
    New {
        email: Option<String>,
        phone: Option<String>,
        name: Option<String>,
    },
}

/// A validated write, ready to apply.
#[derive(Debug, Clone, Default)]
pub(crate) struct TicketChanges {
    subject: Option<String>,
    description: Option<String>,
    status: Option<u64>,
    priority: Option<u64>,
    source: Option<u64>,
    kind: Option<Option<String>>,
    requester: Option<Requester>,
    responder_id: Option<Option<u64>>,
    group_id: Option<Option<u64>>,
    company_id: Option<Option<u64>>,
    cc_emails: Option<Vec<String>>,
    tags: Option<Vec<String>>,
    custom_fields: Option<Map<String, Value>>,
    due_by: Option<i64>,
    fr_due_by: Option<i64>,
}

fn custom_fields(fields: &mut Fields<'_>) -> Option<Map<String, Value>> {
    let map = match fields.map.get("custom_fields")? {
        Value::Object(map) => map.clone(),
        _ => {
            fields.errors.push(FieldError::mismatch(
                "custom_fields",
                "String",
                "key/value pair",
            ));
            return None;
        }
    };
    for (key, value) in &map {
        let valid = match key.as_str() {
            "cf_order_number" => value.is_null() || value.is_string(),
            "cf_plan" => value.is_null() || value.as_str().is_some_and(|p| PLANS.contains(&p)),
            _ => {
                fields.errors.push(FieldError::unexpected(key));
                continue;
            }
        };
        if !valid && key == "cf_plan" {
            fields
                .errors
                .push(FieldError::one_of(key, &PLANS.join(",")));
        } else if !valid {
            fields
                .errors
                .push(FieldError::mismatch(key, "Integer", "String"));
        }
    }
    Some(map)
}

fn kind(fields: &mut Fields<'_>) -> Option<Option<String>> {
    match fields.map.get("type")? {
        Value::Null => Some(None),
        Value::String(t) if TYPES.contains(&t.as_str()) => Some(Some(t.clone())),
        _ => {
            fields
                .errors
                .push(FieldError::one_of("type", &TYPES.join(",")));
            None
        }
    }
}

fn requester(fields: &mut Fields<'_>, data: &Data, creating: bool) -> Option<Requester> {
    let by_id = fields.reference("requester_id", "contact", |id| data.contact(id).is_some());
    let email = fields.string("email");
    let phone = fields.string("phone");
    let name = fields.string("name");
    if let Some(Some(id)) = by_id {
        return data.contact(id).map(Requester::Existing);
    }
    if let Some(email) = email {
        if !is_email(&email) {
            fields.errors.push(invalid_email("email"));
            return None;
        }
        return Some(match data.contact_by_email(&email) {
            Some(contact) => Requester::Existing(contact),
            None => Requester::New {
                email: Some(email),
                phone,
                name,
            },
        });
    }
    if let Some(phone) = phone {
        if name.is_none() {
            fields.errors.push(FieldError::missing("name", "String"));
            return None;
        }
        return Some(Requester::New {
            email: None,
            phone: Some(phone),
            name,
        });
    }
    let named = REQUESTER_FIELDS.iter().any(|f| fields.has(f));
    if creating && !named {
        fields.errors.push(FieldError::new(
            "requester_id",
            "Please fill at least 1 of requester_id, phone, email, twitter_id, facebook_id, unique_external_id fields",
            "missing_field",
        ));
    }
    None
}

impl TicketChanges {
    /// Validates a write. `creating` makes `subject`, `description`, `status`, `priority`
    /// and a requester mandatory.
    pub(crate) fn parse(
        input: &Input,
        data: &Data,
        creating: bool,
    ) -> Result<Self, FreshdeskError> {
        let allowed: Vec<&str> = REQUESTER_FIELDS
            .iter()
            .chain(&TICKET_FIELDS)
            .copied()
            .collect();
        let mut fields = Fields::new(&input.fields, &allowed);
        if fields.has("attachments") {
            fields.errors.push(FieldError::mismatch(
                "attachments",
                "String",
                "valid file format",
            ));
        }
        let changes = Self {
            subject: fields.string("subject"),
            description: fields.string("description"),
            status: fields.choice("status", &STATUSES),
            priority: fields.choice("priority", &PRIORITIES),
            source: fields.choice("source", &SOURCES),
            kind: kind(&mut fields),
            requester: requester(&mut fields, data, creating),
            responder_id: fields.reference("responder_id", "agent", |id| data.agent(id).is_some()),
            group_id: fields.reference("group_id", "group", |id| data.group(id).is_some()),
            company_id: fields.reference("company_id", "company", |id| data.company(id).is_some()),
            cc_emails: fields.emails("cc_emails"),
            tags: fields.strings("tags"),
            custom_fields: custom_fields(&mut fields),
            due_by: fields.time("due_by"),
            fr_due_by: fields.time("fr_due_by"),
        };
        if creating {
            let one_of = |name: &str, values: &[u64]| {
                FieldError::new(
                    name,
                    format!("It should be one of these values: '{}'", join(values)),
                    "missing_field",
                )
            };
            let required = [
                ("subject", FieldError::missing("subject", "String")),
                ("description", FieldError::missing("description", "String")),
                ("status", one_of("status", &STATUSES)),
                ("priority", one_of("priority", &PRIORITIES)),
            ];
            for (name, error) in required {
                if !fields.has(name) {
                    fields.errors.push(error);
                }
            }
        }
        if fields.errors.is_empty() {
            Ok(changes)
        } else {
            Err(FreshdeskError::Validation(fields.errors))
        }
    }

    /// Applies the write to `ticket` at `now`, creating the requester contact if it is new.
    pub(crate) fn apply(self, ticket: &mut Ticket, data: &mut Data, now: i64) {
        if let Some(requester) = self.requester {
            let contact = match requester {
                Requester::Existing(contact) => contact,
                Requester::New { email, phone, name } => {
                    let id = data.contacts.allocate_id();
                    let fallback = email
                        .as_deref()
                        .and_then(|e| e.split('@').next())
                        .unwrap_or("Customer")
                        .to_owned();
                    let contact = Contact {
                        id,
                        name: name.unwrap_or(fallback),
                        email,
                        phone,
                        company_id: None,
                        time_zone: "Eastern Time (US & Canada)",
                        active: false,
                        created_at: now,
                        updated_at: now,
                    };
                    data.contacts.put(id, contact.clone());
                    contact
                }
            };
            ticket.requester_id = contact.id;
            ticket.company_id = contact.company_id;
        }
        if let Some(description) = self.description {
            ticket.description_text = crate::html::strip_tags(&description);
            ticket.description = description;
        }
        set(&mut ticket.subject, self.subject);
        set(&mut ticket.status, self.status);
        set(&mut ticket.priority, self.priority);
        set(&mut ticket.source, self.source);
        set(&mut ticket.kind, self.kind);
        set(&mut ticket.responder_id, self.responder_id);
        set(&mut ticket.group_id, self.group_id);
        set(&mut ticket.company_id, self.company_id);
        set(&mut ticket.cc_emails, self.cc_emails);
        set(&mut ticket.tags, self.tags);
        set(&mut ticket.due_by, self.due_by);
        set(&mut ticket.fr_due_by, self.fr_due_by);
        if let Some(custom) = self.custom_fields {
            ticket.custom_fields.extend(custom);
        }
        ticket.updated_at = now;
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

fn join(values: &[u64]) -> String {
    values
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}
