//! What the sandbox seeds: one entry per vendor account.

use serde::{Deserialize, Serialize};

/// The whole sandbox configuration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SandboxConfig {
    /// Zendesk accounts, addressed by subdomain.
    pub zendesk: Vec<ZendeskAccountConfig>,
    /// Freshdesk accounts, addressed by domain label. Absent from a configuration file, it
    /// means none (a file written before Freshdesk existed keeps its meaning).
    #[serde(default)]
    pub freshdesk: Vec<FreshdeskAccountConfig>,
}

impl Default for SandboxConfig {
    /// One small Zendesk account `acme` and one small Freshdesk account `acme`, with 50
    /// tickets each.
    fn default() -> Self {
        Self {
            zendesk: vec![ZendeskAccountConfig::new("acme")],
            freshdesk: vec![FreshdeskAccountConfig::new("acme")],
        }
    }
}

/// One seeded Zendesk account.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ZendeskAccountConfig {
    /// The account's subdomain label (`acme` for `acme.zendesk.com`).
    pub subdomain: String,
    /// How many tickets to seed, from 10 to 1,000,000.
    pub tickets: u64,
    /// The seed: the same seed gives the same data, ids and credentials.
    pub seed: u64,
    /// Requests per minute before a 429 (Zendesk plans range from 10 to 2,500).
    pub rate_limit_per_minute: u32,
    /// Whether "Allow API token access" is on (Admin Center → APIs → API configuration).
    pub token_access_enabled: bool,
}

impl ZendeskAccountConfig {
    /// Smallest allowed ticket count.
    pub const MIN_TICKETS: u64 = 10;
    /// Largest allowed ticket count.
    pub const MAX_TICKETS: u64 = 1_000_000;

    /// An account with the defaults: 50 tickets, seed 1, 700 requests per minute
    /// (Zendesk's Enterprise plan), API token access on.
    pub fn new(subdomain: impl Into<String>) -> Self {
        Self {
            subdomain: subdomain.into(),
            tickets: 50,
            seed: 1,
            rate_limit_per_minute: 700,
            token_access_enabled: true,
        }
    }
}

impl Default for ZendeskAccountConfig {
    fn default() -> Self {
        Self::new("acme")
    }
}

/// One seeded Freshdesk account.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FreshdeskAccountConfig {
    /// The account's domain label (`acme` for `acme.freshdesk.com`).
    pub domain: String,
    /// How many tickets to seed, from 10 to 1,000,000.
    pub tickets: u64,
    /// The seed: the same seed gives the same data, ids and API keys.
    pub seed: u64,
    /// The plan's per-minute credit limits.
    pub rate_limits: FreshdeskRateLimits,
}

impl FreshdeskAccountConfig {
    /// Smallest allowed ticket count.
    pub const MIN_TICKETS: u64 = 10;
    /// Largest allowed ticket count.
    pub const MAX_TICKETS: u64 = 1_000_000;

    /// An account with the defaults: 50 tickets, seed 1, the Growth plan's limits.
    pub fn new(domain: impl Into<String>) -> Self {
        Self {
            domain: domain.into(),
            tickets: 50,
            seed: 1,
            rate_limits: FreshdeskRateLimits::default(),
        }
    }
}

impl Default for FreshdeskAccountConfig {
    fn default() -> Self {
        Self::new("acme")
    }
}

/// Freshdesk's per-minute limits: an account-wide credit total, and caps per endpoint
/// family on top of it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct FreshdeskRateLimits {
    /// Credits per minute for the whole account.
    pub per_minute: u32,
    /// `GET /api/v2/tickets` calls per minute.
    pub tickets_list: u32,
    /// `GET /api/v2/contacts` calls per minute.
    pub contacts_list: u32,
    /// `POST /api/v2/tickets` calls per minute.
    pub ticket_create: u32,
    /// `PUT /api/v2/tickets/{id}` calls per minute.
    pub ticket_update: u32,
}

impl Default for FreshdeskRateLimits {
    /// The Growth plan: 200 per minute; tickets list 20, contacts list 20, ticket create
    /// 80, ticket update 80.
    fn default() -> Self {
        Self {
            per_minute: 200,
            tickets_list: 20,
            contacts_list: 20,
            ticket_create: 80,
            ticket_update: 80,
        }
    }
}
