//! The shared sandbox state: every imitated account, and the clock. Cheap to clone.
//! Zendesk's accessors live here; Freshdesk's in `freshdesk/handle.rs`, Intercom's in
//! `intercom/handle.rs`, the webhook log's in `outbound/handle.rs`.

use std::sync::Arc;

use crate::clock::{Clock, SystemClock};
use crate::config::{SandboxConfig, ZendeskAccountConfig};
use crate::fault::FaultConfig;
use crate::freshdesk::account::Account as FreshdeskAccount;
use crate::intercom::workspace::Workspace as IntercomWorkspace;
use crate::lock::lock;
use crate::outbound::Outbound;
use crate::registry::{Registry, build};
use crate::zendesk::account::Account;
use crate::zendesk::consent::ConsentDecision;
use crate::zendesk::counters::ZendeskCounters;
use crate::zendesk::credentials::ZendeskCredentials;

/// Errors from configuring the sandbox, classified by what the caller can do: fix the
/// configuration, or name an account that exists.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SandboxError {
    /// The configuration is not acceptable.
    #[error("invalid sandbox configuration: {0}")]
    InvalidConfig(String),
    /// No account has this subdomain (Zendesk), domain (Freshdesk) or name (Intercom).
    #[error("no sandbox account named {0:?}")]
    UnknownAccount(String),
    /// The account exists but has no such thing (an automation rule, an app webhook).
    #[error("not found: {0}")]
    NotFound(String),
    /// The authorize request is refused where it is made, with no redirect: not an
    /// authorize URL, an unknown client or an unregistered redirect URI.
    #[error("authorize request refused: {0}")]
    AuthorizeRefused(String),
}

/// Handle on the sandbox's state. Clones share the same accounts.
#[derive(Debug, Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    zendesk: Registry<Account>,
    freshdesk: Registry<FreshdeskAccount>,
    intercom: Registry<IntercomWorkspace>,
    clock: Arc<dyn Clock>,
    outbound: Outbound,
}

impl Sandbox {
    /// A sandbox on the system clock.
    pub fn new(config: SandboxConfig) -> Result<Self, SandboxError> {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// A sandbox on the given clock (a [`crate::ManualClock`] in tests that expire tokens
    /// or roll rate-limit windows).
    pub fn with_clock(config: SandboxConfig, clock: Arc<dyn Clock>) -> Result<Self, SandboxError> {
        let zendesk = build(
            config.zendesk,
            |c| c.subdomain.clone(),
            |c| {
                validate(&c)?;
                Ok(Account::new(c))
            },
            "zendesk",
        )?;
        let now = clock.now().timestamp();
        let freshdesk = build(
            config.freshdesk,
            |c| c.domain.clone(),
            |c| FreshdeskAccount::create(c, now),
            "freshdesk",
        )?;
        let intercom = build(
            config.intercom,
            |c| c.name.clone(),
            |c| IntercomWorkspace::create(c, now),
            "intercom",
        )?;
        Ok(Self {
            inner: Arc::new(Inner {
                zendesk,
                freshdesk,
                intercom,
                clock,
                outbound: Outbound::default(),
            }),
        })
    }

    /// The sandbox's clock.
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.inner.clock)
    }

    /// The sender of every account's webhooks, with its log.
    pub(crate) fn outbound(&self) -> Outbound {
        self.inner.outbound.clone()
    }

    pub(crate) fn zendesk_account(&self, subdomain: &str) -> Option<Arc<Account>> {
        self.inner.zendesk.get(subdomain)
    }

    pub(crate) fn freshdesk_registry(&self) -> &Registry<FreshdeskAccount> {
        &self.inner.freshdesk
    }

    pub(crate) fn intercom_registry(&self) -> &Registry<IntercomWorkspace> {
        &self.inner.intercom
    }

    fn require(&self, subdomain: &str) -> Result<Arc<Account>, SandboxError> {
        self.zendesk_account(subdomain)
            .ok_or_else(|| SandboxError::UnknownAccount(subdomain.to_owned()))
    }

    /// Subdomains of the Zendesk accounts, sorted.
    pub fn zendesk_subdomains(&self) -> Vec<String> {
        self.inner.zendesk.labels()
    }

    /// The configuration an account was created with, with its current limits.
    pub fn zendesk_config(&self, subdomain: &str) -> Option<ZendeskAccountConfig> {
        self.zendesk_account(subdomain)
            .map(|a| ZendeskAccountConfig {
                rate_limit_per_minute: lock(&a.rate).limit,
                incremental_export_per_minute: lock(&a.export_rate).limit,
                ..a.config.clone()
            })
    }

    /// The seeded credentials and identities of a Zendesk account.
    pub fn zendesk_credentials(&self, subdomain: &str) -> Option<ZendeskCredentials> {
        self.zendesk_account(subdomain).map(|a| a.credentials())
    }

    /// What a Zendesk account has served so far.
    pub fn zendesk_counters(&self, subdomain: &str) -> Option<ZendeskCounters> {
        self.zendesk_account(subdomain).map(|a| a.counters())
    }

    /// Creates an account, or replaces an existing one with a freshly seeded one (its
    /// tokens, changes and counters are gone).
    pub fn reset_zendesk_account(&self, config: ZendeskAccountConfig) -> Result<(), SandboxError> {
        validate(&config)?;
        self.inner
            .zendesk
            .insert(config.subdomain.clone(), Account::new(config));
        Ok(())
    }

    /// Changes an account's requests-per-minute limit.
    pub fn set_zendesk_rate_limit(
        &self,
        subdomain: &str,
        per_minute: u32,
    ) -> Result<(), SandboxError> {
        positive_limit(per_minute)?;
        lock(&self.require(subdomain)?.rate).set_limit(per_minute);
        Ok(())
    }

    /// Changes an account's cap on incremental export requests per minute (Zendesk's is
    /// 10), kept apart from the account-wide limit.
    pub fn set_zendesk_incremental_export_limit(
        &self,
        subdomain: &str,
        per_minute: u32,
    ) -> Result<(), SandboxError> {
        positive_limit(per_minute)?;
        lock(&self.require(subdomain)?.export_rate).set_limit(per_minute);
        Ok(())
    }

    /// Turns "Allow API token access" on or off.
    pub fn set_zendesk_token_access(
        &self,
        subdomain: &str,
        enabled: bool,
    ) -> Result<(), SandboxError> {
        lock(&self.require(subdomain)?.settings).token_access_enabled = enabled;
        Ok(())
    }

    /// Makes `/users/me` answer the user with `role: null` (or with its role again): the
    /// field is optional in Zendesk's `UserObject`.
    pub fn set_zendesk_me_without_role(
        &self,
        subdomain: &str,
        without: bool,
    ) -> Result<(), SandboxError> {
        lock(&self.require(subdomain)?.settings).me_without_role = without;
        Ok(())
    }

    /// Replaces an account's fault injection.
    pub fn set_zendesk_faults(
        &self,
        subdomain: &str,
        faults: FaultConfig,
    ) -> Result<(), SandboxError> {
        faults.validate()?;
        lock(&self.require(subdomain)?.faults).set(faults);
        Ok(())
    }

    /// Registers another redirect URI on the account's OAuth client.
    pub fn add_zendesk_redirect_uri(&self, subdomain: &str, uri: &str) -> Result<(), SandboxError> {
        url::Url::parse(uri)
            .map_err(|e| SandboxError::InvalidConfig(format!("redirect uri: {e}")))?;
        let account = self.require(subdomain)?;
        let mut settings = lock(&account.settings);
        if !settings.redirect_uris.iter().any(|u| u == uri) {
            settings.redirect_uris.push(uri.to_owned());
        }
        Ok(())
    }

    /// The consent step of Zendesk's authorize flow without its page, for tests and tools
    /// that drive no browser: checks `authorize_url` (any host; its path ends in
    /// `/oauth/authorizations/new`) exactly as the page does, takes `decision` as the
    /// account's admin, and returns the `Location` the browser would be sent to. Approving
    /// puts `code` and `state` in it; denying `error=access_denied` and `state`; a request
    /// the page would send back with an error (a bad `response_type`, an empty scope, a
    /// PKCE method other than S256) returns that error redirect.
    pub fn zendesk_consent(
        &self,
        subdomain: &str,
        authorize_url: &str,
        decision: ConsentDecision,
    ) -> Result<String, SandboxError> {
        let account = self.require(subdomain)?;
        let now = self.inner.clock.now().timestamp();
        crate::zendesk::consent_without_page(&account, authorize_url, decision, now)
            .map_err(SandboxError::AuthorizeRefused)
    }

    /// A short human summary of the accounts and their credentials, for the CLI.
    pub fn summary(&self, base_url: &str) -> String {
        crate::summary::render(self, base_url)
    }
}

/// Refuses a per-minute limit of zero.
pub(crate) fn positive_limit(per_minute: u32) -> Result<(), SandboxError> {
    if per_minute == 0 {
        return Err(SandboxError::InvalidConfig(
            "rate limit must be at least 1 per minute".to_owned(),
        ));
    }
    Ok(())
}

fn validate(config: &ZendeskAccountConfig) -> Result<(), SandboxError> {
    crate::label::validate(&config.subdomain, "subdomain")?;
    crate::label::validate_tickets(
        config.tickets,
        ZendeskAccountConfig::MIN_TICKETS,
        ZendeskAccountConfig::MAX_TICKETS,
    )?;
    positive_limit(config.rate_limit_per_minute)?;
    positive_limit(config.incremental_export_per_minute)
}
