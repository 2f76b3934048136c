//! The [`Sandbox`] accessors for Freshdesk accounts, parallel to Zendesk's.

use std::sync::Arc;

use super::account::Account;
use super::automations::FreshdeskAutomation;
use super::counters::FreshdeskCounters;
use super::credentials::FreshdeskCredentials;
use crate::config::{FreshdeskAccountConfig, FreshdeskRateLimits};
use crate::fault::FaultConfig;
use crate::lock::lock;
use crate::sandbox::{Sandbox, SandboxError, positive_limit};

impl Sandbox {
    fn require_freshdesk(&self, domain: &str) -> Result<Arc<Account>, SandboxError> {
        self.freshdesk_registry()
            .get(domain)
            .ok_or_else(|| SandboxError::UnknownAccount(domain.to_owned()))
    }

    /// Domain labels of the Freshdesk accounts, sorted.
    pub fn freshdesk_domains(&self) -> Vec<String> {
        self.freshdesk_registry().labels()
    }

    /// The configuration a Freshdesk account was created with, with its current limits.
    pub fn freshdesk_config(&self, domain: &str) -> Option<FreshdeskAccountConfig> {
        self.freshdesk_registry()
            .get(domain)
            .map(|a| FreshdeskAccountConfig {
                rate_limits: lock(&a.credits).limits(),
                ..a.config.clone()
            })
    }

    /// The seeded API keys and identities of a Freshdesk account.
    pub fn freshdesk_credentials(&self, domain: &str) -> Option<FreshdeskCredentials> {
        self.freshdesk_registry()
            .get(domain)
            .map(|a| a.credentials())
    }

    /// What a Freshdesk account has served so far.
    pub fn freshdesk_counters(&self, domain: &str) -> Option<FreshdeskCounters> {
        self.freshdesk_registry().get(domain).map(|a| {
            let traffic = *lock(&a.traffic);
            let usage = *lock(&a.usage);
            FreshdeskCounters {
                requests: traffic.requests,
                rate_limited: traffic.rate_limited,
                injected_errors: traffic.injected_errors,
                tickets_list_calls: usage.tickets_list_calls,
                contacts_list_calls: usage.contacts_list_calls,
                ticket_create_calls: usage.ticket_create_calls,
                ticket_update_calls: usage.ticket_update_calls,
                credits_used: usage.credits_used,
                automation_webhooks: usage.automation_webhooks,
            }
        })
    }

    /// Creates a Freshdesk account, or replaces an existing one with a freshly seeded one
    /// (seeded as of the clock's now; its changes and counters are gone).
    pub fn reset_freshdesk_account(
        &self,
        config: FreshdeskAccountConfig,
    ) -> Result<(), SandboxError> {
        let now = self.clock().now().timestamp();
        let domain = config.domain.clone();
        let account = Account::create(config, now)?;
        self.freshdesk_registry().insert(domain, account);
        Ok(())
    }

    /// Changes a Freshdesk account's account-wide credits per minute.
    pub fn set_freshdesk_rate_limit(
        &self,
        domain: &str,
        per_minute: u32,
    ) -> Result<(), SandboxError> {
        positive_limit(per_minute)?;
        let account = self.require_freshdesk(domain)?;
        let mut credits = lock(&account.credits);
        let limits = FreshdeskRateLimits {
            per_minute,
            ..credits.limits()
        };
        credits.set_limits(limits);
        Ok(())
    }

    /// Replaces all of a Freshdesk account's limits: the total and the per-endpoint caps.
    pub fn set_freshdesk_rate_limits(
        &self,
        domain: &str,
        limits: FreshdeskRateLimits,
    ) -> Result<(), SandboxError> {
        super::rate_limit::validate(&limits)?;
        lock(&self.require_freshdesk(domain)?.credits).set_limits(limits);
        Ok(())
    }

    /// Adds an automation rule with a "Trigger Webhook" action; returns its id.
    pub fn add_freshdesk_automation(
        &self,
        domain: &str,
        rule: FreshdeskAutomation,
    ) -> Result<u64, SandboxError> {
        rule.validate()?;
        Ok(lock(&self.require_freshdesk(domain)?.automations).add(rule))
    }

    /// The account's automation rules with webhooks, with their ids.
    pub fn freshdesk_automations(
        &self,
        domain: &str,
    ) -> Result<Vec<(u64, FreshdeskAutomation)>, SandboxError> {
        Ok(lock(&self.require_freshdesk(domain)?.automations).all())
    }

    /// Deletes an automation rule.
    pub fn remove_freshdesk_automation(&self, domain: &str, id: u64) -> Result<(), SandboxError> {
        if lock(&self.require_freshdesk(domain)?.automations).remove(id) {
            Ok(())
        } else {
            Err(SandboxError::NotFound(format!(
                "automation {id} of {domain}"
            )))
        }
    }

    /// Replaces a Freshdesk account's fault injection.
    pub fn set_freshdesk_faults(
        &self,
        domain: &str,
        faults: FaultConfig,
    ) -> Result<(), SandboxError> {
        faults.validate()?;
        lock(&self.require_freshdesk(domain)?.faults).set(faults);
        Ok(())
    }
}
