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
    /// Intercom workspaces, addressed by the bearer token they issued (the API host is
    /// regional, not per workspace). Absent from a configuration file, it means none.
    #[serde(default)]
    pub intercom: Vec<IntercomWorkspaceConfig>,
}

impl Default for SandboxConfig {
    /// One small Zendesk account `acme`, one small Freshdesk account `acme` and one small
    /// Intercom workspace `acme` (US), with 50 tickets each.
    fn default() -> Self {
        Self {
            zendesk: vec![ZendeskAccountConfig::new("acme")],
            freshdesk: vec![FreshdeskAccountConfig::new("acme")],
            intercom: vec![IntercomWorkspaceConfig::new("acme")],
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
    /// Requests per minute to the incremental exports before a 429 of their own, on top of
    /// (and counted in) the account-wide limit. Zendesk allows 10 (30 with the High Volume
    /// add-on); tests and benchmarks that export a lot raise it.
    pub incremental_export_per_minute: u32,
    /// Whether "Allow API token access" is on (Admin Center → APIs → API configuration).
    pub token_access_enabled: bool,
}

impl ZendeskAccountConfig {
    /// Smallest allowed ticket count.
    pub const MIN_TICKETS: u64 = 10;
    /// Largest allowed ticket count.
    pub const MAX_TICKETS: u64 = 1_000_000;

    /// Zendesk's cap on incremental export requests per minute.
    pub const INCREMENTAL_EXPORT_PER_MINUTE: u32 = 10;

    /// An account with the defaults: 50 tickets, seed 1, 700 requests per minute
    /// (Zendesk's Enterprise plan), 10 incremental exports per minute, API token access on.
    pub fn new(subdomain: impl Into<String>) -> Self {
        Self {
            subdomain: subdomain.into(),
            tickets: 50,
            seed: 1,
            rate_limit_per_minute: 700,
            incremental_export_per_minute: Self::INCREMENTAL_EXPORT_PER_MINUTE,
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

/// The region an Intercom workspace's data lives in; it decides the API host.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum IntercomRegion {
    /// `api.intercom.io`.
    #[default]
    Us,
    /// `api.eu.intercom.io`.
    Eu,
    /// `api.au.intercom.io`.
    Au,
}

impl IntercomRegion {
    /// Every region.
    pub const ALL: [Self; 3] = [Self::Us, Self::Eu, Self::Au];

    /// `us`, `eu` or `au`: the sandbox's path prefix `/intercom/{region}`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Us => "us",
            Self::Eu => "eu",
            Self::Au => "au",
        }
    }

    /// The region named `us`, `eu` or `au` (any case).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(text))
    }

    /// The real API host: `api.intercom.io`, `api.eu.intercom.io` or `api.au.intercom.io`.
    pub fn api_host(self) -> &'static str {
        match self {
            Self::Us => "api.intercom.io",
            Self::Eu => "api.eu.intercom.io",
            Self::Au => "api.au.intercom.io",
        }
    }

    /// How `GET /me` spells the region in `app.region`: `US`, `EU`, `AU`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Us => "US",
            Self::Eu => "EU",
            Self::Au => "AU",
        }
    }
}

/// One seeded Intercom workspace.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct IntercomWorkspaceConfig {
    /// The workspace's label in the sandbox (`acme`): it names the workspace in the control
    /// API and seeds its data; Intercom itself never sees it in a URL.
    pub name: String,
    /// Where the workspace's data lives, which decides the API host it answers on.
    pub region: IntercomRegion,
    /// How many tickets to seed, from 10 to 200,000.
    pub tickets: u64,
    /// How many conversations to seed, from 0 to 50,000.
    pub conversations: u64,
    /// Requests per 10-second window before a 429 (Intercom enforces its per-minute limits
    /// in 10-second windows: 10,000 a minute is about 1,666 per window).
    pub rate_limit_per_10s: u32,
    /// The seed: the same seed gives the same data, ids and credentials.
    pub seed: u64,
}

impl IntercomWorkspaceConfig {
    /// Smallest allowed ticket count.
    pub const MIN_TICKETS: u64 = 10;
    /// Largest allowed ticket count (tickets are held in memory, not generated on demand).
    pub const MAX_TICKETS: u64 = 200_000;
    /// Largest allowed conversation count.
    pub const MAX_CONVERSATIONS: u64 = 50_000;

    /// A US workspace with the defaults: 50 tickets, 20 conversations, seed 1, 1,666
    /// requests per 10 seconds (a private app's 10,000 a minute).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            region: IntercomRegion::Us,
            tickets: 50,
            conversations: 20,
            rate_limit_per_10s: 1666,
            seed: 1,
        }
    }
}

impl Default for IntercomWorkspaceConfig {
    fn default() -> Self {
        Self::new("acme")
    }
}
