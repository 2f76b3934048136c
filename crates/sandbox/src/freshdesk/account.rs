//! One imitated Freshdesk account: its seed, data overlay, automation webhooks, credit
//! windows, faults and counters, each behind its own lock so that no request holds two at
//! once.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use secrecy::SecretString;

use super::automations::Automations;
use super::counters::Usage;
use super::credentials::FreshdeskCredentials;
use super::rate_limit::Credits;
use super::records::{Agent, Company, Contact, Conversation, Group, Ticket};
use super::seed::{
    ADMIN_INDEX, AGENT_BASE, ATTACHMENT_BASE, COMPANY_BASE, CONTACT_BASE, GROUP_BASE,
    NEW_CONVERSATION_BASE, RESTRICTED_INDEX, Seed,
};
use crate::collection::Collection;
use crate::config::FreshdeskAccountConfig;
use crate::fault::FaultState;
use crate::sandbox::SandboxError;
use crate::secret::{derive, sha};
use crate::traffic::Traffic;

#[derive(Debug)]
pub(crate) struct Data {
    pub(crate) seed: Seed,
    pub(crate) tickets: Collection<Ticket>,
    pub(crate) contacts: Collection<Contact>,
    pub(crate) companies: Collection<Company>,
    pub(crate) groups: Collection<Group>,
    pub(crate) agents: Collection<Agent>,
    /// Conversations added through the API, per ticket, oldest first.
    pub(crate) added_conversations: HashMap<u64, Vec<Conversation>>,
    /// Uploaded attachment contents by id: content type and bytes.
    pub(crate) files: HashMap<u64, (String, Bytes)>,
    pub(crate) next_conversation_id: u64,
    pub(crate) next_attachment_id: u64,
}

impl Data {
    fn new(seed: Seed) -> Self {
        Self {
            tickets: Collection::new(1, seed.tickets),
            contacts: Collection::new(CONTACT_BASE, seed.contacts),
            companies: Collection::new(COMPANY_BASE, seed.companies),
            groups: Collection::new(GROUP_BASE, seed.groups),
            agents: Collection::new(AGENT_BASE, seed.agents),
            seed,
            added_conversations: HashMap::new(),
            files: HashMap::new(),
            next_conversation_id: NEW_CONVERSATION_BASE,
            next_attachment_id: ATTACHMENT_BASE,
        }
    }

    pub(crate) fn ticket(&self, id: u64) -> Option<Ticket> {
        self.tickets.get(id, |i| self.seed.ticket(i))
    }

    pub(crate) fn contact(&self, id: u64) -> Option<Contact> {
        self.contacts.get(id, |i| self.seed.contact(i))
    }

    pub(crate) fn company(&self, id: u64) -> Option<Company> {
        self.companies.get(id, |i| self.seed.company(i))
    }

    pub(crate) fn group(&self, id: u64) -> Option<Group> {
        self.groups.get(id, |i| self.seed.group(i))
    }

    pub(crate) fn agent(&self, id: u64) -> Option<Agent> {
        self.agents.get(id, |i| self.seed.agent(i))
    }

    /// The contact with this email: a seeded one, or one created through the API.
    pub(crate) fn contact_by_email(&self, email: &str) -> Option<Contact> {
        let matches = |c: &Contact| {
            c.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        };
        let seeded = self
            .seed
            .contact_index_for_email(email)
            .and_then(|index| self.contact(CONTACT_BASE + index).filter(matches));
        if seeded.is_some() {
            return seeded;
        }
        self.contacts
            .overlay()
            .keys()
            .find_map(|id| self.contact(*id).filter(matches))
    }

    /// Every conversation of a ticket, oldest first.
    pub(crate) fn conversations(&self, ticket_id: u64) -> Vec<Conversation> {
        let mut conversations = match self.tickets.index_of(ticket_id) {
            // Seeded conversations come from the seeded ticket, not from later edits of it.
            Some(index) => self.seed.conversations(&self.seed.ticket(index)),
            None => Vec::new(),
        };
        if let Some(added) = self.added_conversations.get(&ticket_id) {
            conversations.extend(added.iter().cloned());
        }
        conversations
    }
}

#[derive(Debug)]
pub(crate) struct Account {
    pub(crate) config: FreshdeskAccountConfig,
    credentials: FreshdeskCredentials,
    /// Digests of the API keys that exist, with the agent each belongs to.
    keys: Vec<([u8; 32], u64)>,
    pub(crate) data: Mutex<Data>,
    pub(crate) automations: Mutex<Automations>,
    pub(crate) credits: Mutex<Credits>,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) traffic: Mutex<Traffic>,
    pub(crate) usage: Mutex<Usage>,
}

impl Account {
    /// Validates `config` and seeds the account as of `now` (seconds).
    pub(crate) fn create(config: FreshdeskAccountConfig, now: i64) -> Result<Self, SandboxError> {
        crate::label::validate(&config.domain, "domain")?;
        crate::label::validate_tickets(
            config.tickets,
            FreshdeskAccountConfig::MIN_TICKETS,
            FreshdeskAccountConfig::MAX_TICKETS,
        )?;
        super::rate_limit::validate(&config.rate_limits)?;
        let domain = config.domain.clone();
        let seed = Seed::new(&domain, config.seed, config.tickets, now);
        let admin = seed.agent(ADMIN_INDEX);
        let restricted = seed.agent(RESTRICTED_INDEX);
        let contact = seed.contact(0);
        let admin_key = derive("freshdesk-admin-api-key", config.seed, &domain, 20);
        let restricted_key = derive("freshdesk-restricted-api-key", config.seed, &domain, 20);
        let keys = vec![
            (sha(&admin_key), admin.id),
            (sha(&restricted_key), restricted.id),
        ];
        let credentials = FreshdeskCredentials {
            domain,
            admin_agent_id: admin.id,
            admin_email: admin.email,
            admin_api_key: SecretString::from(admin_key),
            restricted_agent_id: restricted.id,
            restricted_email: restricted.email,
            restricted_api_key: SecretString::from(restricted_key),
            contact_id: contact.id,
            contact_email: contact.email.unwrap_or_default(),
            group_id: GROUP_BASE,
            company_id: COMPANY_BASE,
        };
        Ok(Self {
            credits: Mutex::new(Credits::new(config.rate_limits)),
            data: Mutex::new(Data::new(seed)),
            automations: Mutex::new(Automations::default()),
            faults: Mutex::new(FaultState::default()),
            traffic: Mutex::new(Traffic::default()),
            usage: Mutex::new(Usage::default()),
            keys,
            credentials,
            config,
        })
    }

    pub(crate) fn credentials(&self) -> FreshdeskCredentials {
        self.credentials.clone()
    }

    /// The agent an API key belongs to.
    pub(crate) fn agent_for_key(&self, key: &str) -> Option<u64> {
        let digest = sha(key);
        self.keys
            .iter()
            .find(|(d, _)| *d == digest)
            .map(|(_, id)| *id)
    }
}
