//! A sandbox on 127.0.0.1 and Freshdesk connectors pointed at it.

use deskgate_connector::{AuthInput, NewAuth, ProviderError, ProviderSpec};
use deskgate_core::{AuthMode, PageRequest};
use deskgate_freshdesk::{FRESHDESK, FreshdeskConnector, FreshdeskDomain};
use std::sync::Arc;

use chrono::Utc;
use deskgate_sandbox::{
    FreshdeskAccountConfig, FreshdeskCounters, FreshdeskCredentials, FreshdeskRateLimits,
    ManualClock, RunningSandbox, Sandbox, SandboxConfig,
};
use deskgate_upstream::{SandboxOverride, Upstream, UpstreamConfig};
use secrecy::{ExposeSecret, SecretString};

pub(crate) struct World {
    pub(crate) server: RunningSandbox,
    pub(crate) upstream: Upstream,
}

/// Limits no test reaches unless it means to.
pub(crate) fn unlimited() -> FreshdeskRateLimits {
    FreshdeskRateLimits {
        per_minute: 1_000_000,
        tickets_list: 1_000_000,
        contacts_list: 1_000_000,
        ticket_create: 1_000_000,
        ticket_update: 1_000_000,
    }
}

pub(crate) fn account(domain: &str, tickets: u64) -> FreshdeskAccountConfig {
    let mut account = FreshdeskAccountConfig::new(domain);
    account.tickets = tickets;
    account.rate_limits = unlimited();
    account
}

impl World {
    /// `acme` with 50 tickets and no limits in the way.
    pub(crate) async fn start() -> Self {
        Self::with(vec![account("acme", 50)]).await
    }

    pub(crate) async fn with(accounts: Vec<FreshdeskAccountConfig>) -> Self {
        let config = SandboxConfig {
            freshdesk: accounts,
            ..SandboxConfig::default()
        };
        Self::serve(Sandbox::new(config).unwrap()).await
    }

    /// A sandbox whose clock stands still unless a test moves it, so per-minute windows
    /// never roll over mid-test.
    pub(crate) async fn with_stopped_clock(accounts: Vec<FreshdeskAccountConfig>) -> Self {
        let config = SandboxConfig {
            freshdesk: accounts,
            ..SandboxConfig::default()
        };
        let clock = Arc::new(ManualClock::new(Utc::now()));
        Self::serve(Sandbox::with_clock(config, clock).unwrap()).await
    }

    async fn serve(sandbox: Sandbox) -> Self {
        let server = deskgate_sandbox::spawn_with(sandbox).await.unwrap();
        let upstream = Upstream::builder(UpstreamConfig::default())
            .sandbox(SandboxOverride::new(&server.base_url()).unwrap())
            .build()
            .unwrap();
        Self { server, upstream }
    }

    /// What the sandbox account has served so far.
    pub(crate) fn counters(&self, domain: &str) -> FreshdeskCounters {
        self.server.sandbox().freshdesk_counters(domain).unwrap()
    }

    pub(crate) fn credentials(&self, domain: &str) -> FreshdeskCredentials {
        self.server.sandbox().freshdesk_credentials(domain).unwrap()
    }

    pub(crate) fn connector_with(&self, domain: &str, key: SecretString) -> FreshdeskConnector {
        FreshdeskConnector::new(
            self.upstream.clone(),
            FreshdeskDomain::parse(domain).unwrap(),
            key,
        )
    }

    /// The admin agent's connector.
    pub(crate) fn connector(&self, domain: &str) -> FreshdeskConnector {
        self.connector_with(domain, self.credentials(domain).admin_api_key)
    }

    /// `connect` as the API runs it: the domain as typed, the key as posted.
    pub(crate) async fn connect(&self, domain: &str, key: &str) -> Result<NewAuth, ProviderError> {
        let mode = FRESHDESK.mode(AuthMode::ApiKey).unwrap();
        let input = AuthInput::from_pairs(mode, &[("api_key", key)]).unwrap();
        let label = FRESHDESK
            .account_label(domain)
            .map_err(ProviderError::Invalid)?;
        FRESHDESK.connect(&self.upstream, &label, input).await
    }

    pub(crate) fn admin_key(&self, domain: &str) -> String {
        self.credentials(domain)
            .admin_api_key
            .expose_secret()
            .to_owned()
    }
}

/// A page request of `limit` items.
pub(crate) fn page<F: Default>(limit: u32) -> PageRequest<F> {
    PageRequest {
        limit: limit.try_into().unwrap(),
        ..PageRequest::default()
    }
}
