//! Freshdesk's rate limits beyond the account's: some endpoints have their own, lower cap
//! per minute (tickets list, contacts list, ticket create, ticket update), and `include=`
//! makes a request cost more than one credit. [`spend`] is the one place a request is given
//! its cost and its endpoint cap.

use deskgate_upstream::UpstreamRequest;

use crate::domain::FreshdeskDomain;

/// An endpoint with its own cap on top of the account's limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointCap {
    TicketsList,
    ContactsList,
    TicketCreate,
    TicketUpdate,
}

impl EndpointCap {
    pub const ALL: [EndpointCap; 4] = [
        EndpointCap::TicketsList,
        EndpointCap::ContactsList,
        EndpointCap::TicketCreate,
        EndpointCap::TicketUpdate,
    ];

    /// The endpoint part of its budget key (`freshdesk:acme/tickets_list`).
    pub const fn name(self) -> &'static str {
        match self {
            EndpointCap::TicketsList => "tickets_list",
            EndpointCap::ContactsList => "contacts_list",
            EndpointCap::TicketCreate => "ticket_create",
            EndpointCap::TicketUpdate => "ticket_update",
        }
    }
}

/// Declares what `request` costs: one credit plus one per `include=` value (the vendor's
/// `X-Ratelimit-Used-CurrentRequest` corrects the estimate after the fact), and the
/// endpoint cap it also spends, if any.
pub(crate) fn spend(
    request: UpstreamRequest,
    domain: &FreshdeskDomain,
    cap: Option<EndpointCap>,
    includes: u32,
) -> UpstreamRequest {
    let request = request.cost(1 + includes);
    match cap {
        Some(cap) => request.endpoint_budget(domain.endpoint_key(cap)),
        None => request,
    }
}
