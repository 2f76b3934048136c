//! The shared sandbox state: every imitated account, and the clock. Cheap to clone.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use crate::clock::{Clock, SystemClock};
use crate::config::{SandboxConfig, ZendeskAccountConfig};
use crate::fault::FaultConfig;
use crate::lock::lock;
use crate::zendesk::account::Account;
use crate::zendesk::counters::ZendeskCounters;
use crate::zendesk::credentials::ZendeskCredentials;

/// Errors from configuring the sandbox, classified by what the caller can do: fix the
/// configuration, or name an account that exists.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SandboxError {
    /// The configuration is not acceptable.
    #[error("invalid sandbox configuration: {0}")]
    InvalidConfig(String),
    /// No account has this subdomain.
    #[error("no sandbox account with subdomain {0:?}")]
    UnknownAccount(String),
}

/// Handle on the sandbox's state. Clones share the same accounts.
#[derive(Debug, Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    zendesk: RwLock<BTreeMap<String, Arc<Account>>>,
    clock: Arc<dyn Clock>,
}

impl Sandbox {
    /// A sandbox on the system clock.
    pub fn new(config: SandboxConfig) -> Result<Self, SandboxError> {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// A sandbox on the given clock (a [`crate::ManualClock`] in tests that expire tokens
    /// or roll rate-limit windows).
    pub fn with_clock(config: SandboxConfig, clock: Arc<dyn Clock>) -> Result<Self, SandboxError> {
        let mut accounts = BTreeMap::new();
        for account in config.zendesk {
            validate(&account)?;
            if accounts.contains_key(&account.subdomain) {
                return Err(SandboxError::InvalidConfig(format!(
                    "zendesk subdomain {:?} appears twice",
                    account.subdomain
                )));
            }
            accounts.insert(account.subdomain.clone(), Arc::new(Account::new(account)));
        }
        Ok(Self {
            inner: Arc::new(Inner {
                zendesk: RwLock::new(accounts),
                clock,
            }),
        })
    }

    /// The sandbox's clock.
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.inner.clock)
    }

    pub(crate) fn zendesk_account(&self, subdomain: &str) -> Option<Arc<Account>> {
        let accounts = self
            .inner
            .zendesk
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        accounts.get(subdomain).cloned()
    }

    fn require(&self, subdomain: &str) -> Result<Arc<Account>, SandboxError> {
        self.zendesk_account(subdomain)
            .ok_or_else(|| SandboxError::UnknownAccount(subdomain.to_owned()))
    }

    /// Subdomains of the Zendesk accounts, sorted.
    pub fn zendesk_subdomains(&self) -> Vec<String> {
        let accounts = self
            .inner
            .zendesk
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        accounts.keys().cloned().collect()
    }

    /// The configuration an account was created with.
    pub fn zendesk_config(&self, subdomain: &str) -> Option<ZendeskAccountConfig> {
        self.zendesk_account(subdomain).map(|a| a.config.clone())
    }

    /// The seeded credentials and identities of a Zendesk account.
    pub fn zendesk_credentials(&self, subdomain: &str) -> Option<ZendeskCredentials> {
        self.zendesk_account(subdomain).map(|a| a.credentials())
    }

    /// What a Zendesk account has served so far.
    pub fn zendesk_counters(&self, subdomain: &str) -> Option<ZendeskCounters> {
        self.zendesk_account(subdomain)
            .map(|a| lock(&a.counters).clone())
    }

    /// Creates an account, or replaces an existing one with a freshly seeded one (its
    /// tokens, changes and counters are gone).
    pub fn reset_zendesk_account(&self, config: ZendeskAccountConfig) -> Result<(), SandboxError> {
        validate(&config)?;
        let mut accounts = self
            .inner
            .zendesk
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        accounts.insert(config.subdomain.clone(), Arc::new(Account::new(config)));
        Ok(())
    }

    /// Changes an account's requests-per-minute limit.
    pub fn set_zendesk_rate_limit(
        &self,
        subdomain: &str,
        per_minute: u32,
    ) -> Result<(), SandboxError> {
        if per_minute == 0 {
            return Err(SandboxError::InvalidConfig(
                "rate limit must be at least 1 per minute".to_owned(),
            ));
        }
        lock(&self.require(subdomain)?.rate).set_limit(per_minute);
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

    /// Replaces an account's fault injection.
    pub fn set_zendesk_faults(
        &self,
        subdomain: &str,
        faults: FaultConfig,
    ) -> Result<(), SandboxError> {
        if !(0.0..=1.0).contains(&faults.error_rate) {
            return Err(SandboxError::InvalidConfig(
                "error_rate must be between 0 and 1".to_owned(),
            ));
        }
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

    /// A short human summary of the accounts and their credentials, for the CLI.
    pub fn summary(&self, base_url: &str) -> String {
        crate::summary::render(self, base_url)
    }
}

fn validate(config: &ZendeskAccountConfig) -> Result<(), SandboxError> {
    let label = &config.subdomain;
    let valid_label = !label.is_empty()
        && label.len() <= 63
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-');
    if !valid_label {
        return Err(SandboxError::InvalidConfig(format!(
            "{label:?} is not a subdomain label"
        )));
    }
    let range = ZendeskAccountConfig::MIN_TICKETS..=ZendeskAccountConfig::MAX_TICKETS;
    if !range.contains(&config.tickets) {
        return Err(SandboxError::InvalidConfig(format!(
            "tickets must be between {} and {}",
            range.start(),
            range.end()
        )));
    }
    if config.rate_limit_per_minute == 0 {
        return Err(SandboxError::InvalidConfig(
            "rate limit must be at least 1 per minute".to_owned(),
        ));
    }
    Ok(())
}
