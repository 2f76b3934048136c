//! The helpdesks the end-to-end scenarios run against, each through its sandbox: one
//! scenario, written once, runs for every [`Vendor`] (with the `vendors!` macro) on both
//! backends.

use deskgate_sandbox::{
    FaultConfig, FreshdeskAccountConfig, FreshdeskRateLimits, IntercomWorkspaceConfig,
    SandboxConfig,
};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::TestApp;
use crate::sandbox::account;

/// A helpdesk with a sandbox imitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vendor {
    Zendesk,
    Freshdesk,
    Intercom,
}

/// A Freshdesk sandbox account with `tickets` tickets and limits no test reaches unless it
/// lowers them.
pub fn freshdesk_account(domain: &str, tickets: u64) -> FreshdeskAccountConfig {
    FreshdeskAccountConfig {
        tickets,
        rate_limits: FreshdeskRateLimits {
            per_minute: 100_000,
            tickets_list: 100_000,
            contacts_list: 100_000,
            ticket_create: 100_000,
            ticket_update: 100_000,
        },
        ..FreshdeskAccountConfig::new(domain)
    }
}

/// An Intercom sandbox workspace (US region) with `tickets` tickets and a window no test
/// reaches unless it lowers it.
pub fn intercom_workspace(name: &str, tickets: u64) -> IntercomWorkspaceConfig {
    IntercomWorkspaceConfig {
        tickets,
        rate_limit_per_10s: 100_000,
        ..IntercomWorkspaceConfig::new(name)
    }
}

impl Vendor {
    pub const ALL: [Vendor; 3] = [Vendor::Zendesk, Vendor::Freshdesk, Vendor::Intercom];

    /// The provider's name in bodies and paths.
    pub fn name(self) -> &'static str {
        match self {
            Vendor::Zendesk => "zendesk",
            Vendor::Freshdesk => "freshdesk",
            Vendor::Intercom => "intercom",
        }
    }

    /// The body field naming the account.
    pub fn account_field(self) -> &'static str {
        match self {
            Vendor::Zendesk => "subdomain",
            Vendor::Freshdesk => "domain",
            Vendor::Intercom => "region",
        }
    }

    /// An account field value that is well formed but names no account these credentials
    /// reach: another subdomain or domain; for Intercom, whose account field is the region,
    /// another region than the workspace's.
    pub fn unknown_account(self) -> &'static str {
        match self {
            Vendor::Zendesk | Vendor::Freshdesk => "initech",
            Vendor::Intercom => "eu",
        }
    }

    /// A sandbox with one account of this vendor per label, `tickets` each.
    pub fn accounts(self, labels: &[&str], tickets: u64) -> SandboxConfig {
        match self {
            Vendor::Zendesk => SandboxConfig {
                zendesk: labels.iter().map(|l| account(l, tickets)).collect(),
                freshdesk: vec![],
                intercom: vec![],
            },
            Vendor::Freshdesk => SandboxConfig {
                zendesk: vec![],
                freshdesk: labels
                    .iter()
                    .map(|l| freshdesk_account(l, tickets))
                    .collect(),
                intercom: vec![],
            },
            Vendor::Intercom => SandboxConfig {
                zendesk: vec![],
                freshdesk: vec![],
                intercom: labels
                    .iter()
                    .map(|l| intercom_workspace(l, tickets))
                    .collect(),
            },
        }
    }
}

/// What a vendor account has served and refused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VendorCounts {
    pub requests: u64,
    pub rate_limited: u64,
    pub injected_errors: u64,
}

impl TestApp {
    /// The body that connects `account` with its seeded admin's credentials.
    pub fn connect_body(&self, vendor: Vendor, account: &str) -> Value {
        match vendor {
            Vendor::Zendesk => self.api_token_body(account),
            Vendor::Freshdesk => {
                let c = self.freshdesk(account);
                json!({
                    "provider": "freshdesk",
                    "domain": account,
                    "auth": {"mode": "api_key", "api_key": c.admin_api_key.expose_secret()},
                })
            }
            Vendor::Intercom => {
                let c = self.intercom(account);
                json!({
                    "provider": "intercom",
                    "region": c.region.as_str(),
                    "auth": {"mode": "access_token", "access_token": c.access_token.expose_secret()},
                })
            }
        }
    }

    /// A body the vendor refuses with 401: a wrong secret for a real account.
    pub fn wrong_secret_body(&self, vendor: Vendor, account: &str) -> Value {
        let mut body = self.connect_body(vendor, account);
        let field = match vendor {
            Vendor::Zendesk => "token",
            Vendor::Freshdesk => "api_key",
            Vendor::Intercom => "access_token",
        };
        body["auth"][field] = json!("not-the-key");
        body
    }

    /// A body the vendor refuses with 403: credentials whose user may not use the API. For
    /// Intercom, whose permissions belong to the app rather than a user, this revokes the
    /// workspace's `read_tickets` permission and answers the admin's usual body.
    pub fn forbidden_body(&self, vendor: Vendor, account: &str) -> Value {
        match vendor {
            Vendor::Zendesk => {
                let c = self.zendesk(account);
                json!({
                    "provider": "zendesk",
                    "subdomain": account,
                    "auth": {"mode": "api_token", "email": c.end_user_email, "token": c.api_token.expose_secret()},
                })
            }
            Vendor::Freshdesk => {
                let c = self.freshdesk(account);
                json!({
                    "provider": "freshdesk",
                    "domain": account,
                    "auth": {"mode": "api_key", "api_key": c.restricted_api_key.expose_secret()},
                })
            }
            Vendor::Intercom => {
                self.sandbox()
                    .set_intercom_revoked_scopes(account, &["read_tickets"])
                    .unwrap();
                self.connect_body(vendor, account)
            }
        }
    }

    /// The tenant's connection count, and the audit actions about connections and
    /// credentials: what a refused connect must leave as it was.
    pub async fn stored_connections(&self, tenant: &crate::TestTenant) -> (usize, Vec<String>) {
        let (status, list) = crate::read(
            self.get("/v1/connections", &tenant.key)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        let audit = self
            .store
            .recent_audit(tenant.id, 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .filter(|a| a.starts_with("connection") || a.starts_with("credential"))
            .collect();
        (list["data"].as_array().unwrap().len(), audit)
    }

    /// Connects `account` of `vendor` with its admin's credentials; the connection id.
    pub async fn connect_vendor(&self, vendor: Vendor, key: &str, account: &str) -> String {
        self.connect(key, &self.connect_body(vendor, account)).await
    }

    pub fn freshdesk(&self, domain: &str) -> deskgate_sandbox::FreshdeskCredentials {
        self.sandbox().freshdesk_credentials(domain).unwrap()
    }

    /// The account label a connection to `account` shows: the subdomain or domain; for
    /// Intercom, the workspace's region.
    pub fn vendor_account_label(&self, vendor: Vendor, account: &str) -> String {
        match vendor {
            Vendor::Zendesk | Vendor::Freshdesk => account.to_owned(),
            Vendor::Intercom => self.intercom(account).region.as_str().to_owned(),
        }
    }

    /// The rate-budget key a connection to `account` spends: `{vendor}:{account}`; for
    /// Intercom, `intercom:{workspace id}`.
    pub fn vendor_budget_key(&self, vendor: Vendor, account: &str) -> String {
        match vendor {
            Vendor::Zendesk | Vendor::Freshdesk => format!("{}:{account}", vendor.name()),
            Vendor::Intercom => format!("intercom:{}", self.intercom(account).workspace_id),
        }
    }

    /// The email of the admin the account's seeded credentials act as.
    pub fn vendor_admin_email(&self, vendor: Vendor, account: &str) -> String {
        match vendor {
            Vendor::Zendesk => self.zendesk(account).admin_email,
            Vendor::Freshdesk => self.freshdesk(account).admin_email,
            Vendor::Intercom => self.intercom(account).admin_email,
        }
    }

    /// The requester a ticket created through the unified API must name, where the vendor
    /// needs one (Freshdesk, Intercom); Zendesk makes the caller the requester.
    pub fn vendor_requester(&self, vendor: Vendor, account: &str) -> Option<String> {
        match vendor {
            Vendor::Zendesk => None,
            Vendor::Freshdesk => Some(self.freshdesk(account).contact_id.to_string()),
            Vendor::Intercom => Some(self.intercom(account).contact_id),
        }
    }

    pub fn intercom(&self, workspace: &str) -> deskgate_sandbox::IntercomCredentials {
        self.sandbox().intercom_credentials(workspace).unwrap()
    }

    /// Requests the vendor account has received so far.
    pub fn vendor_requests(&self, vendor: Vendor, account: &str) -> u64 {
        match vendor {
            Vendor::Zendesk => self.requests(account),
            Vendor::Freshdesk => self.sandbox().freshdesk_counters(account).unwrap().requests,
            Vendor::Intercom => self.sandbox().intercom_counters(account).unwrap().requests,
        }
    }

    /// What the vendor account has served and refused so far.
    pub fn vendor_counts(&self, vendor: Vendor, account: &str) -> VendorCounts {
        match vendor {
            Vendor::Zendesk => {
                let c = self.counters(account);
                VendorCounts {
                    requests: c.requests,
                    rate_limited: c.rate_limited,
                    injected_errors: c.injected_errors,
                }
            }
            Vendor::Freshdesk => {
                let c = self.sandbox().freshdesk_counters(account).unwrap();
                VendorCounts {
                    requests: c.requests,
                    rate_limited: c.rate_limited,
                    injected_errors: c.injected_errors,
                }
            }
            Vendor::Intercom => {
                let c = self.sandbox().intercom_counters(account).unwrap();
                VendorCounts {
                    requests: c.requests,
                    rate_limited: c.rate_limited,
                    injected_errors: c.injected_errors,
                }
            }
        }
    }

    /// Makes the vendor refuse the credentials a connection holds (`false`), or accept
    /// them again (`true`): Zendesk's "Allow API token access" setting; for Freshdesk, the
    /// account's keys reset (reseeded under another seed) and restored.
    pub fn vendor_accepts_credentials(&self, vendor: Vendor, account: &str, accepts: bool) {
        match vendor {
            Vendor::Zendesk => self
                .sandbox()
                .set_zendesk_token_access(account, accepts)
                .unwrap(),
            Vendor::Freshdesk => {
                let mut config = self.sandbox().freshdesk_config(account).unwrap();
                config.seed = if accepts { 1 } else { 2 };
                self.sandbox().reset_freshdesk_account(config).unwrap();
            }
            Vendor::Intercom => {
                let mut config = self.sandbox().intercom_config(account).unwrap();
                config.seed = if accepts { 1 } else { 2 };
                self.sandbox().reset_intercom_workspace(config).unwrap();
            }
        }
    }

    /// Sets the vendor account's per-minute allowance (requests for Zendesk, credits for
    /// Freshdesk).
    pub fn vendor_rate_limit(&self, vendor: Vendor, account: &str, per_minute: u32) {
        match vendor {
            Vendor::Zendesk => self
                .sandbox()
                .set_zendesk_rate_limit(account, per_minute)
                .unwrap(),
            Vendor::Freshdesk => self
                .sandbox()
                .set_freshdesk_rate_limit(account, per_minute)
                .unwrap(),
            // Intercom counts in 10-second windows.
            Vendor::Intercom => self
                .sandbox()
                .set_intercom_rate_limit(account, (per_minute / 6).max(1))
                .unwrap(),
        }
    }

    /// Replaces the vendor account's fault injection.
    pub fn vendor_faults(&self, vendor: Vendor, account: &str, faults: FaultConfig) {
        match vendor {
            Vendor::Zendesk => self.faults(account, faults),
            Vendor::Freshdesk => self
                .sandbox()
                .set_freshdesk_faults(account, faults)
                .unwrap(),
            Vendor::Intercom => self.sandbox().set_intercom_faults(account, faults).unwrap(),
        }
    }

    /// The account's next answer sends its head and half its body, then breaks off
    /// (the sandbox's `break_next`).
    pub fn break_next_answer(&self, vendor: Vendor, account: &str) {
        let faults = FaultConfig {
            break_next: 1,
            ..FaultConfig::default()
        };
        self.vendor_faults(vendor, account, faults);
    }

    /// The account's next answer sends its head, then breaks off before any of its body
    /// (the sandbox's `reset_next`).
    pub fn reset_next_answer(&self, vendor: Vendor, account: &str) {
        let faults = FaultConfig {
            reset_next: 1,
            ..FaultConfig::default()
        };
        self.vendor_faults(vendor, account, faults);
    }

    /// Every secret of the vendor account, for leak checks.
    pub fn vendor_secrets(&self, vendor: Vendor, account: &str) -> Vec<String> {
        match vendor {
            Vendor::Zendesk => {
                let c = self.zendesk(account);
                vec![
                    c.api_token.expose_secret().to_owned(),
                    c.oauth_client_secret.expose_secret().to_owned(),
                ]
            }
            Vendor::Freshdesk => {
                let c = self.freshdesk(account);
                vec![
                    c.admin_api_key.expose_secret().to_owned(),
                    c.restricted_api_key.expose_secret().to_owned(),
                ]
            }
            Vendor::Intercom => {
                let c = self.intercom(account);
                vec![
                    c.access_token.expose_secret().to_owned(),
                    c.oauth_client_secret.expose_secret().to_owned(),
                ]
            }
        }
    }
}
