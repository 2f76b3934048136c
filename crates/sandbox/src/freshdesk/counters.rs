//! What a Freshdesk account has served, for tests and benchmarks to assert on.

use serde::{Deserialize, Serialize};

/// Per-account counters.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FreshdeskCounters {
    /// Every request that reached the account.
    pub requests: u64,
    /// 429 responses sent, from a limit or injected.
    pub rate_limited: u64,
    /// Injected server errors sent.
    pub injected_errors: u64,
    /// `GET /api/v2/tickets` calls admitted by the rate limits.
    pub tickets_list_calls: u64,
    /// `GET /api/v2/contacts` calls admitted by the rate limits.
    pub contacts_list_calls: u64,
    /// `POST /api/v2/tickets` calls admitted by the rate limits.
    pub ticket_create_calls: u64,
    /// `PUT /api/v2/tickets/{id}` calls admitted by the rate limits.
    pub ticket_update_calls: u64,
    /// Credits spent, over all windows (automation webhook calls included).
    pub credits_used: u64,
    /// Webhook calls made by automation rules.
    pub automation_webhooks: u64,
}

/// The Freshdesk-specific part of the counters, kept by the entry middleware.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Usage {
    pub(crate) tickets_list_calls: u64,
    pub(crate) contacts_list_calls: u64,
    pub(crate) ticket_create_calls: u64,
    pub(crate) ticket_update_calls: u64,
    pub(crate) credits_used: u64,
    pub(crate) automation_webhooks: u64,
}
