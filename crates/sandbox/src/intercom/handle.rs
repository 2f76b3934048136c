//! The [`Sandbox`] accessors for Intercom workspaces, parallel to Freshdesk's.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::app_webhooks::{IntercomApp, IntercomWebhook};
use super::context::Ctx;
use super::counters::IntercomCounters;
use super::credentials::IntercomCredentials;
use super::scope::Scope;
use super::workspace::Workspace;
use crate::config::IntercomWorkspaceConfig;
use crate::consent_store::ConsentDecision;
use crate::fault::FaultConfig;
use crate::lock::lock;
use crate::sandbox::{Sandbox, SandboxError, positive_limit};

impl Sandbox {
    fn require_intercom(&self, name: &str) -> Result<Arc<Workspace>, SandboxError> {
        self.intercom_registry()
            .get(name)
            .ok_or_else(|| SandboxError::UnknownAccount(name.to_owned()))
    }

    /// Names of the Intercom workspaces, sorted.
    pub fn intercom_workspaces(&self) -> Vec<String> {
        self.intercom_registry().labels()
    }

    /// The configuration an Intercom workspace was created with, with its current limit.
    pub fn intercom_config(&self, name: &str) -> Option<IntercomWorkspaceConfig> {
        self.intercom_registry()
            .get(name)
            .map(|w| IntercomWorkspaceConfig {
                rate_limit_per_10s: lock(&w.rate).limit,
                ..w.config.clone()
            })
    }

    /// The seeded access token, OAuth app and identities of an Intercom workspace.
    pub fn intercom_credentials(&self, name: &str) -> Option<IntercomCredentials> {
        self.intercom_registry().get(name).map(|w| w.credentials())
    }

    /// What an Intercom workspace has served so far.
    pub fn intercom_counters(&self, name: &str) -> Option<IntercomCounters> {
        self.intercom_registry().get(name).map(|w| {
            let traffic = *lock(&w.traffic);
            let usage = lock(&w.usage).clone();
            IntercomCounters {
                requests: traffic.requests,
                rate_limited: traffic.rate_limited,
                injected_errors: traffic.injected_errors,
                forbidden: usage.forbidden,
                versions: usage.versions,
                without_version: usage.without_version,
                last_version: usage.last_version,
                oauth_codes_issued: usage.oauth_codes_issued,
                token_exchanges: usage.token_exchanges,
                token_exchange_failures: usage.token_exchange_failures,
            }
        })
    }

    /// Creates an Intercom workspace, or replaces one with a freshly seeded one (seeded as
    /// of the clock's now; its changes, issued tokens and counters are gone).
    pub fn reset_intercom_workspace(
        &self,
        config: IntercomWorkspaceConfig,
    ) -> Result<(), SandboxError> {
        let now = self.clock().now().timestamp();
        let name = config.name.clone();
        let workspace = Workspace::create(config, now)?;
        self.intercom_registry().insert(name, workspace);
        Ok(())
    }

    /// Changes a workspace's requests per 10-second window.
    pub fn set_intercom_rate_limit(&self, name: &str, per_10s: u32) -> Result<(), SandboxError> {
        positive_limit(per_10s)?;
        lock(&self.require_intercom(name)?.rate).set_limit(per_10s);
        Ok(())
    }

    /// Replaces a workspace's fault injection.
    pub fn set_intercom_faults(&self, name: &str, faults: FaultConfig) -> Result<(), SandboxError> {
        faults.validate()?;
        lock(&self.require_intercom(name)?.faults).set(faults);
        Ok(())
    }

    /// Takes permissions away from every token of the workspace (`read_tickets`,
    /// `write_tickets`, `read_conversations`, `write_conversations`, `read_admins`,
    /// `read_users_companies`,
    /// `read_tags`, `write_tags`): calls that need one answer 403. An empty list restores
    /// them all.
    pub fn set_intercom_revoked_scopes(
        &self,
        name: &str,
        scopes: &[&str],
    ) -> Result<(), SandboxError> {
        let revoked = scopes
            .iter()
            .map(|s| {
                Scope::parse(s)
                    .ok_or_else(|| SandboxError::InvalidConfig(format!("unknown scope {s:?}")))
            })
            .collect::<Result<BTreeSet<_>, _>>()?;
        lock(&self.require_intercom(name)?.settings).revoked = revoked;
        Ok(())
    }

    /// Sets an app's webhook (its URL and topics), as the Developer Hub does; it replaces
    /// the app's earlier one.
    pub fn set_intercom_webhook(
        &self,
        name: &str,
        webhook: IntercomWebhook,
    ) -> Result<(), SandboxError> {
        webhook.validate()?;
        lock(&self.require_intercom(name)?.webhooks).set(webhook);
        Ok(())
    }

    /// The workspace's app webhooks (the OAuth app's first).
    pub fn intercom_webhooks(&self, name: &str) -> Result<Vec<IntercomWebhook>, SandboxError> {
        Ok(lock(&self.require_intercom(name)?.webhooks).all())
    }

    /// Removes an app's webhook.
    pub fn remove_intercom_webhook(
        &self,
        name: &str,
        app: IntercomApp,
    ) -> Result<(), SandboxError> {
        if lock(&self.require_intercom(name)?.webhooks).remove(app) {
            Ok(())
        } else {
            Err(SandboxError::NotFound(format!(
                "{} webhook of {name}",
                app.as_str()
            )))
        }
    }

    /// Sends a `ping` notification to an app's webhook, like the Developer Hub's test
    /// request. Must be called inside a Tokio runtime.
    pub fn ping_intercom_webhook(&self, name: &str, app: IntercomApp) -> Result<(), SandboxError> {
        let workspace = self.require_intercom(name)?;
        let webhook = lock(&workspace.webhooks)
            .all()
            .into_iter()
            .find(|w| w.app == app)
            .ok_or_else(|| SandboxError::NotFound(format!("{} webhook of {name}", app.as_str())))?;
        let ctx = Ctx {
            account: workspace,
            base_url: String::new(),
            clock: self.clock(),
            outbound: self.outbound(),
        };
        super::notifications::ping(&ctx, webhook);
        Ok(())
    }

    /// Registers another redirect URI on the workspace's OAuth app.
    pub fn add_intercom_redirect_uri(&self, name: &str, uri: &str) -> Result<(), SandboxError> {
        url::Url::parse(uri)
            .map_err(|e| SandboxError::InvalidConfig(format!("redirect uri: {e}")))?;
        let workspace = self.require_intercom(name)?;
        let mut settings = lock(&workspace.settings);
        if !settings.redirect_uris.iter().any(|u| u == uri) {
            settings.redirect_uris.push(uri.to_owned());
        }
        Ok(())
    }

    /// The consent step of Intercom's OAuth without its page, for tests and tools that drive
    /// no browser: checks `authorize_url` (any host; its path ends in `/oauth`) as the page
    /// does, takes `decision` as the workspace's owner admin, and returns the `Location` the
    /// browser would be sent to.
    pub fn intercom_consent(
        &self,
        authorize_url: &str,
        decision: ConsentDecision,
    ) -> Result<String, SandboxError> {
        let now = self.clock().now().timestamp();
        super::oauth::consent_without_page(self, authorize_url, decision, now)
            .map_err(SandboxError::AuthorizeRefused)
    }
}
