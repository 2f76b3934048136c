//! A workspace's records, with the orderings search and listings walk: tickets and
//! conversations by `(updated_at, id)`, kept in step with every write; and the ids of
//! deleted conversations and tickets with when they went.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::records::{
    Admin, Company, Contact, Conversation, Deleted, Tag, Team, Ticket, TicketState, TicketType,
};

#[derive(Debug)]
pub(crate) struct Data {
    pub(crate) admins: Vec<Admin>,
    pub(crate) teams: Vec<Team>,
    /// In creation order.
    pub(crate) contacts: Vec<Contact>,
    contact_index: HashMap<String, usize>,
    pub(crate) companies: Vec<Company>,
    pub(crate) tags: BTreeMap<u64, Tag>,
    pub(crate) states: Vec<TicketState>,
    pub(crate) types: Vec<TicketType>,
    tickets: BTreeMap<u64, Ticket>,
    /// `(updated_at, id)` of every ticket.
    ticket_order: BTreeSet<(i64, u64)>,
    conversations: BTreeMap<u64, Conversation>,
    conversation_order: BTreeSet<(i64, u64)>,
    /// Deleted conversations and tickets, by id.
    deleted: BTreeMap<u64, Deleted>,
    pub(crate) next_ticket_id: u64,
    pub(crate) next_ticket_number: u64,
    pub(crate) next_conversation_id: u64,
    next_part_id: u64,
    next_tag_id: u64,
}

impl Data {
    pub(crate) fn new(
        admins: Vec<Admin>,
        teams: Vec<Team>,
        contacts: Vec<Contact>,
        companies: Vec<Company>,
        tags: BTreeMap<u64, Tag>,
        states: Vec<TicketState>,
        types: Vec<TicketType>,
    ) -> Self {
        let contact_index = contacts
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        let next_tag_id = tags.keys().next_back().map_or(100, |id| id + 1);
        Self {
            admins,
            teams,
            contacts,
            contact_index,
            companies,
            tags,
            states,
            types,
            tickets: BTreeMap::new(),
            ticket_order: BTreeSet::new(),
            conversations: BTreeMap::new(),
            conversation_order: BTreeSet::new(),
            deleted: BTreeMap::new(),
            next_ticket_id: 1,
            next_ticket_number: 1,
            next_conversation_id: 1,
            next_part_id: 1_000,
            next_tag_id,
        }
    }

    pub(crate) fn next_part(&mut self) -> u64 {
        let id = self.next_part_id;
        self.next_part_id += 1;
        id
    }

    pub(crate) fn next_tag(&mut self) -> u64 {
        let id = self.next_tag_id;
        self.next_tag_id += 1;
        id
    }

    pub(crate) fn admin(&self, id: u64) -> Option<&Admin> {
        self.admins.iter().find(|a| a.id == id)
    }

    pub(crate) fn team(&self, id: u64) -> Option<&Team> {
        self.teams.iter().find(|t| t.id == id)
    }

    pub(crate) fn contact(&self, id: &str) -> Option<&Contact> {
        self.contact_index.get(id).map(|i| &self.contacts[*i])
    }

    pub(crate) fn contact_by(&self, matches: impl Fn(&Contact) -> bool) -> Option<&Contact> {
        self.contacts.iter().find(|c| matches(c))
    }

    pub(crate) fn add_contact(&mut self, contact: Contact) {
        self.contact_index
            .insert(contact.id.clone(), self.contacts.len());
        self.contacts.push(contact);
    }

    pub(crate) fn company(&self, id: &str) -> Option<&Company> {
        self.companies.iter().find(|c| c.id == id)
    }

    pub(crate) fn state(&self, id: u64) -> Option<&TicketState> {
        self.states.iter().find(|s| s.id == id)
    }

    pub(crate) fn ticket_type(&self, id: u64) -> Option<&TicketType> {
        self.types.iter().find(|t| t.id == id)
    }

    pub(crate) fn ticket(&self, id: u64) -> Option<&Ticket> {
        self.tickets.get(&id)
    }

    /// Adds or replaces a ticket, keeping the `(updated_at, id)` order in step.
    pub(crate) fn put_ticket(&mut self, ticket: Ticket) {
        if let Some(old) = self.tickets.get(&ticket.id) {
            self.ticket_order.remove(&(old.updated_at, old.id));
        }
        self.ticket_order.insert((ticket.updated_at, ticket.id));
        self.tickets.insert(ticket.id, ticket);
    }

    /// Deletes a ticket at `now`; reporting keeps its metrics, as Intercom says.
    pub(crate) fn remove_ticket(&mut self, id: u64, now: i64) -> Option<Ticket> {
        let ticket = self.tickets.remove(&id)?;
        self.ticket_order.remove(&(ticket.updated_at, ticket.id));
        self.record_deletion(id, now, true);
        Some(ticket)
    }

    pub(crate) fn remove_conversation(
        &mut self,
        id: u64,
        now: i64,
        metrics_retained: bool,
    ) -> Option<Conversation> {
        let conversation = self.conversations.remove(&id)?;
        self.conversation_order
            .remove(&(conversation.updated_at, conversation.id));
        self.record_deletion(id, now, metrics_retained);
        Some(conversation)
    }

    fn record_deletion(&mut self, id: u64, deleted_at: i64, metrics_retained: bool) {
        let deleted = Deleted {
            id,
            deleted_at,
            metrics_retained,
        };
        self.deleted.insert(id, deleted);
    }

    /// The deleted conversation or ticket with this id.
    pub(crate) fn deletion(&self, id: u64) -> Option<Deleted> {
        self.deleted.get(&id).copied()
    }

    /// Every deleted conversation and ticket, by id.
    pub(crate) fn deletions(&self) -> impl Iterator<Item = &Deleted> {
        self.deleted.values()
    }

    /// Tickets in `(updated_at, id)` order, strictly after `after`.
    pub(crate) fn tickets_after(&self, after: Option<(i64, u64)>) -> impl Iterator<Item = &Ticket> {
        let range = match after {
            Some(key) => self
                .ticket_order
                .range((std::ops::Bound::Excluded(key), std::ops::Bound::Unbounded)),
            None => self.ticket_order.range(..),
        };
        range.filter_map(|(_, id)| self.tickets.get(id))
    }

    pub(crate) fn conversation(&self, id: u64) -> Option<&Conversation> {
        self.conversations.get(&id)
    }

    pub(crate) fn put_conversation(&mut self, conversation: Conversation) {
        if let Some(old) = self.conversations.get(&conversation.id) {
            self.conversation_order.remove(&(old.updated_at, old.id));
        }
        self.conversation_order
            .insert((conversation.updated_at, conversation.id));
        self.conversations.insert(conversation.id, conversation);
    }

    /// Conversations in `(updated_at, id)` order, strictly after `after`.
    pub(crate) fn conversations_after(
        &self,
        after: Option<(i64, u64)>,
    ) -> impl Iterator<Item = &Conversation> {
        let range = match after {
            Some(key) => self
                .conversation_order
                .range((std::ops::Bound::Excluded(key), std::ops::Bound::Unbounded)),
            None => self.conversation_order.range(..),
        };
        range.filter_map(|(_, id)| self.conversations.get(id))
    }
}
