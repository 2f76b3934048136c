//! What the sandbox seeds: one entry per vendor account.

use serde::{Deserialize, Serialize};

/// The whole sandbox configuration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SandboxConfig {
    /// Zendesk accounts, addressed by subdomain.
    pub zendesk: Vec<ZendeskAccountConfig>,
}

impl Default for SandboxConfig {
    /// One small Zendesk account `acme` with 50 tickets.
    fn default() -> Self {
        Self {
            zendesk: vec![ZendeskAccountConfig::new("acme")],
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
