//! Freshdesk's credit-based limits: an account-wide budget of credits per minute, plus
//! per-minute caps on four endpoint families (tickets list, contacts list, ticket create,
//! ticket update). A call costs one credit plus one per `include` value. Refused calls
//! spend nothing; invalid requests are admitted and spend like any other.

use chrono::{DateTime, Utc};
use http::Method;

use crate::config::FreshdeskRateLimits;
use crate::sandbox::{SandboxError, positive_limit};
use crate::window::{RateDecision, RateWindow};

/// The endpoint families with their own cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    TicketsList,
    ContactsList,
    TicketCreate,
    TicketUpdate,
}

impl Endpoint {
    /// The family of a request, from its method and vendor path.
    pub(crate) fn of(method: &Method, path: &str) -> Option<Self> {
        let rest = path.strip_prefix("/api/v2/")?.trim_end_matches('/');
        let segments: Vec<&str> = rest.split('/').collect();
        match (method.as_str(), segments.as_slice()) {
            ("GET", ["tickets"]) => Some(Self::TicketsList),
            ("GET", ["contacts"]) => Some(Self::ContactsList),
            ("POST", ["tickets"]) => Some(Self::TicketCreate),
            ("PUT", ["tickets", _]) => Some(Self::TicketUpdate),
            _ => None,
        }
    }
}

/// What the limits decided for one call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Charge {
    /// The account-wide window after the call (what the headers show).
    pub(crate) total: RateDecision,
    /// Credits the call spent (0 when refused).
    pub(crate) spent: u32,
    /// `Some(seconds)` when the call is refused.
    pub(crate) retry_after: Option<u64>,
}

#[derive(Debug)]
pub(crate) struct Credits {
    total: RateWindow,
    tickets_list: RateWindow,
    contacts_list: RateWindow,
    ticket_create: RateWindow,
    ticket_update: RateWindow,
}

pub(crate) fn validate(limits: &FreshdeskRateLimits) -> Result<(), SandboxError> {
    for limit in [
        limits.per_minute,
        limits.tickets_list,
        limits.contacts_list,
        limits.ticket_create,
        limits.ticket_update,
    ] {
        positive_limit(limit)?;
    }
    Ok(())
}

impl Credits {
    pub(crate) fn new(limits: FreshdeskRateLimits) -> Self {
        Self {
            total: RateWindow::new(limits.per_minute),
            tickets_list: RateWindow::new(limits.tickets_list),
            contacts_list: RateWindow::new(limits.contacts_list),
            ticket_create: RateWindow::new(limits.ticket_create),
            ticket_update: RateWindow::new(limits.ticket_update),
        }
    }

    pub(crate) fn set_limits(&mut self, limits: FreshdeskRateLimits) {
        self.total.set_limit(limits.per_minute);
        self.tickets_list.set_limit(limits.tickets_list);
        self.contacts_list.set_limit(limits.contacts_list);
        self.ticket_create.set_limit(limits.ticket_create);
        self.ticket_update.set_limit(limits.ticket_update);
    }

    pub(crate) fn limits(&self) -> FreshdeskRateLimits {
        FreshdeskRateLimits {
            per_minute: self.total.limit,
            tickets_list: self.tickets_list.limit,
            contacts_list: self.contacts_list.limit,
            ticket_create: self.ticket_create.limit,
            ticket_update: self.ticket_update.limit,
        }
    }

    fn cap(&mut self, endpoint: Endpoint) -> &mut RateWindow {
        match endpoint {
            Endpoint::TicketsList => &mut self.tickets_list,
            Endpoint::ContactsList => &mut self.contacts_list,
            Endpoint::TicketCreate => &mut self.ticket_create,
            Endpoint::TicketUpdate => &mut self.ticket_update,
        }
    }

    /// Spends one credit of the account's minute if one is left (an automation's webhook
    /// call, which no per-endpoint cap concerns); returns how many it spent.
    pub(crate) fn spend_one(&mut self, now: DateTime<Utc>) -> u32 {
        let decision = self.total.check(now, 1);
        if decision.allowed {
            self.total.spend(1, decision);
            1
        } else {
            0
        }
    }

    /// Charges a call of `cost` credits at `now`, or refuses it without spending.
    pub(crate) fn charge(
        &mut self,
        now: DateTime<Utc>,
        cost: u32,
        endpoint: Option<Endpoint>,
    ) -> Charge {
        let total = self.total.check(now, cost);
        let capped = endpoint.map(|e| (e, self.cap(e).check(now, 1)));
        let refused = !total.allowed || capped.is_some_and(|(_, d)| !d.allowed);
        if refused {
            return Charge {
                total,
                spent: 0,
                retry_after: Some(total.reset_secs),
            };
        }
        if let Some((e, decision)) = capped {
            self.cap(e).spend(1, decision);
        }
        Charge {
            total: self.total.spend(cost, total),
            spent: cost,
            retry_after: None,
        }
    }
}
