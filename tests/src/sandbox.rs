//! The router wired to an in-process sandbox helpdesk, with fast timeouts and retries, and
//! shortcuts to connect its accounts.

use std::sync::Arc;

use chrono::{DurationRound, TimeDelta, Utc};
use deskgate_app::{App, AppSettings, UpstreamSettings};
use deskgate_sandbox::{
    FaultConfig, ManualClock, Sandbox, SandboxConfig, ZendeskAccountConfig, ZendeskCounters,
    ZendeskCredentials,
};
use deskgate_upstream::{SandboxOverride, UpstreamConfig};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::spawn::{bind, build_app, serve_on};
use crate::{Backend, Tap, TestApp};

/// Outbound settings for tests: short deadlines, near-instant backoff, no pacing below the
/// vendor's own limit.
pub fn fast_upstream() -> UpstreamConfig {
    let mut config = UpstreamConfig {
        connect_timeout_ms: 1_000,
        attempt_timeout_ms: 3_000,
        default_deadline_ms: 5_000,
        ..UpstreamConfig::default()
    };
    config.retry.max_attempts = 3;
    config.retry.base_delay_ms = 1;
    config.retry.max_delay_ms = 5;
    config.budget.headroom = 1.0;
    config.budget.burst_fraction = 1.0;
    config.budget.unexplained_429_base_ms = 10;
    config.budget.unexplained_429_cap_ms = 50;
    config.budget.registry_refresh_ms = 50;
    config
}

/// One sandbox account with `tickets` tickets and a generous rate limit.
pub fn account(subdomain: &str, tickets: u64) -> ZendeskAccountConfig {
    ZendeskAccountConfig {
        tickets,
        rate_limit_per_minute: 2_500,
        ..ZendeskAccountConfig::new(subdomain)
    }
}

/// Another gateway replica: its own `App` (caches, locks, budgets) over the same database.
#[derive(Debug)]
pub struct Replica {
    pub base: String,
    pub app: App,
    server: tokio::task::JoinHandle<()>,
}

impl Replica {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    /// The router with every vendor call sent to a sandbox seeded from `config`, with
    /// [`fast_upstream`] settings. The sandbox's clock stands still at the start of the
    /// current minute, so its rate-limit window never rolls unless a test moves it.
    pub async fn spawn_with_sandbox(backend: Backend, config: SandboxConfig) -> Self {
        Self::spawn_with_sandbox_and(backend, config, fast_upstream()).await
    }

    /// As [`TestApp::spawn_with_sandbox`], with the given outbound settings.
    pub async fn spawn_with_sandbox_and(
        backend: Backend,
        config: SandboxConfig,
        upstream: UpstreamConfig,
    ) -> Self {
        let settings = AppSettings {
            upstream: UpstreamSettings {
                config: upstream,
                sandbox: None,
            },
            ..AppSettings::default()
        };
        Self::spawn_with_sandbox_settings(backend, config, settings).await
    }

    /// As [`TestApp::spawn_with_sandbox`], with the given app settings (their outbound
    /// engine pointed at the sandbox).
    pub async fn spawn_with_sandbox_settings(
        backend: Backend,
        config: SandboxConfig,
        settings: AppSettings,
    ) -> Self {
        Self::spawn_sandboxed(backend, config, settings, false)
            .await
            .0
    }

    /// As [`TestApp::spawn_with_sandbox`], with a [`Tap`] between the gateway and the
    /// sandbox that keeps the bytes every vendor call sent.
    pub async fn spawn_with_tapped_sandbox(backend: Backend, config: SandboxConfig) -> (Self, Tap) {
        let settings = AppSettings {
            upstream: UpstreamSettings {
                config: fast_upstream(),
                sandbox: None,
            },
            ..AppSettings::default()
        };
        let (t, tap) = Self::spawn_sandboxed(backend, config, settings, true).await;
        (t, tap.unwrap())
    }

    async fn spawn_sandboxed(
        backend: Backend,
        config: SandboxConfig,
        mut settings: AppSettings,
        tapped: bool,
    ) -> (Self, Option<Tap>) {
        let start = Utc::now().duration_trunc(TimeDelta::minutes(1)).unwrap();
        let clock = Arc::new(ManualClock::new(start));
        let sandbox = Sandbox::with_clock(config, clock.clone()).unwrap();
        let running = deskgate_sandbox::spawn_with(sandbox).await.unwrap();
        let tap = if tapped {
            Some(Tap::to(&running.base_url()).await)
        } else {
            None
        };
        let base = tap
            .as_ref()
            .map_or_else(|| running.base_url(), |t| t.base.clone());
        settings.upstream.sandbox = Some(SandboxOverride::new(&base).unwrap());
        let mut t = Self::spawn_with(backend, settings).await;
        t.sandbox = Some(running);
        t.clock = Some(clock);
        (t, tap)
    }

    /// The sandbox's shared state: counters, credentials, faults, limits.
    pub fn sandbox(&self) -> &Sandbox {
        self.sandbox
            .as_ref()
            .expect("spawned without a sandbox")
            .sandbox()
    }

    /// The sandbox's clock.
    pub fn clock(&self) -> &ManualClock {
        self.clock.as_ref().expect("spawned without a sandbox")
    }

    pub fn zendesk(&self, subdomain: &str) -> ZendeskCredentials {
        self.sandbox().zendesk_credentials(subdomain).unwrap()
    }

    pub fn counters(&self, subdomain: &str) -> ZendeskCounters {
        self.sandbox().zendesk_counters(subdomain).unwrap()
    }

    /// Requests the account has received so far.
    pub fn requests(&self, subdomain: &str) -> u64 {
        self.counters(subdomain).requests
    }

    pub fn faults(&self, subdomain: &str, faults: FaultConfig) {
        self.sandbox()
            .set_zendesk_faults(subdomain, faults)
            .unwrap();
    }

    /// The body that connects `subdomain` with its seeded admin and API token.
    pub fn api_token_body(&self, subdomain: &str) -> Value {
        let c = self.zendesk(subdomain);
        json!({
            "provider": "zendesk",
            "subdomain": subdomain,
            "auth": {"mode": "api_token", "email": c.admin_email, "token": c.api_token.expose_secret()},
        })
    }

    /// The body that connects `subdomain` with its seeded OAuth client.
    pub fn client_credentials_body(&self, subdomain: &str) -> Value {
        let c = self.zendesk(subdomain);
        json!({
            "provider": "zendesk",
            "subdomain": subdomain,
            "auth": {
                "mode": "client_credentials",
                "client_id": c.oauth_client_id,
                "client_secret": c.oauth_client_secret.expose_secret(),
            },
        })
    }

    /// Connects with `body` and returns the new connection's id.
    pub async fn connect(&self, key: &str, body: &Value) -> String {
        let res = self
            .post("/v1/connections", key)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let v: Value = res.json().await.unwrap();
        assert_eq!(status, 201, "{v}");
        v["id"].as_str().unwrap().to_owned()
    }

    /// Connects `subdomain` with its API token; returns the connection id.
    pub async fn connect_api_token(&self, key: &str, subdomain: &str) -> String {
        self.connect(key, &self.api_token_body(subdomain)).await
    }

    /// Connects `subdomain` with client credentials; returns the connection id.
    pub async fn connect_client_credentials(&self, key: &str, subdomain: &str) -> String {
        self.connect(key, &self.client_credentials_body(subdomain))
            .await
    }

    /// A second gateway over the same database and keys, wired to the same sandbox.
    pub async fn replica(&self) -> Replica {
        let running = self.sandbox.as_ref().expect("spawned without a sandbox");
        let (listener, base) = bind().await;
        let settings = AppSettings {
            upstream: UpstreamSettings {
                config: fast_upstream(),
                sandbox: Some(SandboxOverride::new(&running.base_url()).unwrap()),
            },
            public_url: base.clone(),
            ..AppSettings::default()
        };
        let app = build_app(self.db.store().await, &self.key_file, settings).await;
        let server = serve_on(listener, app.clone());
        Replica { base, app, server }
    }
}

/// A sandbox with one account per subdomain, `tickets` each.
pub fn accounts(subdomains: &[&str], tickets: u64) -> SandboxConfig {
    SandboxConfig {
        zendesk: subdomains.iter().map(|s| account(s, tickets)).collect(),
        freshdesk: vec![],
        intercom: vec![],
    }
}

/// Whether `text` contains any of the account's secrets.
pub fn leaks_secret(text: &str, c: &ZendeskCredentials) -> bool {
    text.contains(c.api_token.expose_secret())
        || text.contains(c.oauth_client_secret.expose_secret())
}
