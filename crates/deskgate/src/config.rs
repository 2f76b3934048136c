//! Layered configuration: `config/default.toml` (built in) → an optional file →
//! `DESKGATE_<SECTION>__<KEY>` environment variables → command-line flags (and their own
//! environment variables, `DATABASE_URL` and `DESKGATE_LISTEN`).

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::Deserialize;

use crate::cli::{Cli, Command};

const DEFAULTS: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    pub(crate) listen: SocketAddr,
    /// The gateway's public base URL; `http://{listen}` when absent.
    #[serde(default)]
    pub(crate) public_url: Option<String>,
    pub(crate) database: DatabaseConfig,
    pub(crate) server: ServerConfig,
    pub(crate) log: LogConfig,
    pub(crate) auth: AuthConfig,
    pub(crate) cache: CacheConfig,
    pub(crate) renewal: RenewalConfig,
    pub(crate) replicas: ReplicasConfig,
    pub(crate) events: EventsConfig,
    pub(crate) webhooks: WebhooksConfig,
    pub(crate) limits: LimitsConfig,
    #[serde(default)]
    pub(crate) vault: VaultConfig,
    /// The outbound engine: timeouts, body cap, retries, rate budget.
    #[serde(default)]
    pub(crate) upstream: deskgate_upstream::UpstreamConfig,
    #[serde(default)]
    pub(crate) sandbox: SandboxSettings,
}

/// Sends every helpdesk call to a local sandbox instead of the real vendors: for trying
/// deskgate and for tests. Never set in production.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SandboxSettings {
    /// The sandbox's base URL, e.g. `http://127.0.0.1:8081` (`deskgate sandbox`).
    pub(crate) url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DatabaseConfig {
    pub(crate) url: String,
    pub(crate) max_connections: u32,
    pub(crate) acquire_timeout_secs: u64,
}

/// How the HTTP server stops (`shutdown.rs`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServerConfig {
    pub(crate) threads: usize,
    pub(crate) drain_delay_ms: u64,
    pub(crate) shutdown_grace_secs: u64,
}

impl ServerConfig {
    /// The serving threads and the shutdown's settings; values that cannot work are refused
    /// with the setting's name.
    pub(crate) fn settings(&self) -> anyhow::Result<crate::shutdown::ServerSettings> {
        anyhow::ensure!(
            self.threads <= 1024,
            "server.threads must be at most 1024 (0 serves on the shared runtime), got {}",
            self.threads
        );
        anyhow::ensure!(
            self.drain_delay_ms <= 60_000,
            "server.drain_delay_ms must be at most 60000, got {}",
            self.drain_delay_ms
        );
        anyhow::ensure!(
            (1..=3600).contains(&self.shutdown_grace_secs),
            "server.shutdown_grace_secs must be between 1 and 3600, got {}",
            self.shutdown_grace_secs
        );
        Ok(crate::shutdown::ServerSettings {
            threads: NonZeroUsize::new(self.threads),
            drain_delay: Duration::from_millis(self.drain_delay_ms),
            grace: Duration::from_secs(self.shutdown_grace_secs),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LogConfig {
    pub(crate) filter: String,
    pub(crate) format: LogFormat,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuthConfig {
    pub(crate) cache_ttl_secs: u64,
}

/// The app layer's in-memory caches (the API key cache is `auth.cache_ttl_secs`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CacheConfig {
    pub(crate) credentials_ttl_secs: u64,
    pub(crate) connections_ttl_millis: u64,
}

/// The background renewal of tokens ahead of time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RenewalConfig {
    pub(crate) enabled: bool,
    pub(crate) interval_secs: u64,
    pub(crate) margin_secs: u64,
    pub(crate) batch: u32,
}

impl RenewalConfig {
    /// The settings, or `None` when turned off; values that cannot work are refused with
    /// the setting's name.
    pub(crate) fn settings(
        &self,
    ) -> anyhow::Result<Option<deskgate_app::connections::RenewalSettings>> {
        if !self.enabled {
            return Ok(None);
        }
        anyhow::ensure!(
            (1..=3600).contains(&self.interval_secs),
            "renewal.interval_secs must be between 1 and 3600, got {}",
            self.interval_secs
        );
        anyhow::ensure!(
            (130..=86_400).contains(&self.margin_secs),
            "renewal.margin_secs must be between 130 (calls renew within 120) and 86400, got {}",
            self.margin_secs
        );
        anyhow::ensure!(
            (1..=10_000).contains(&self.batch),
            "renewal.batch must be between 1 and 10000, got {}",
            self.batch
        );
        Ok(Some(deskgate_app::connections::RenewalSettings {
            interval: Duration::from_secs(self.interval_secs),
            margin: Duration::from_secs(self.margin_secs),
            batch: self.batch,
        }))
    }
}

/// The replica heartbeat that splits each upstream account's rate budget between replicas.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReplicasConfig {
    pub(crate) heartbeat_ms: u64,
    pub(crate) dead_after_ms: u64,
}

impl ReplicasConfig {
    /// The settings; values that cannot work are refused with the setting's name.
    pub(crate) fn settings(&self) -> anyhow::Result<deskgate_app::replicas::ReplicaSettings> {
        let settings = deskgate_app::replicas::ReplicaSettings {
            heartbeat: Duration::from_millis(self.heartbeat_ms),
            dead_after: Duration::from_millis(self.dead_after_ms),
        };
        settings
            .validate()
            .map_err(|e| anyhow::anyhow!("replicas.{e}"))?;
        Ok(settings)
    }
}

/// Change detection and the event log.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventsConfig {
    /// Whether this process runs connections' syncs (every replica may; leases keep each
    /// connection's sync single).
    pub(crate) run_syncs: bool,
    pub(crate) sync_enabled: bool,
    pub(crate) sync_interval_secs: u64,
    pub(crate) min_interval_secs: u64,
    pub(crate) sync_share: f64,
    pub(crate) tick_millis: u64,
    pub(crate) batch: u32,
    pub(crate) concurrency: usize,
    pub(crate) lease_secs: u64,
    pub(crate) page_limit: u32,
    pub(crate) max_pages: u32,
    pub(crate) max_comment_pages: u32,
    pub(crate) retention_days: u64,
    pub(crate) baseline_lookback_secs: u64,
}

impl EventsConfig {
    /// The settings; values that cannot work are refused with the setting's name.
    pub(crate) fn settings(&self) -> anyhow::Result<deskgate_app::events::EventSettings> {
        let check = |ok: bool, what: &str| -> anyhow::Result<()> {
            anyhow::ensure!(ok, "events.{what}");
            Ok(())
        };
        check(
            (1..=86_400).contains(&self.min_interval_secs),
            "min_interval_secs must be between 1 and 86400",
        )?;
        check(
            (self.min_interval_secs..=86_400).contains(&self.sync_interval_secs),
            "sync_interval_secs must be between min_interval_secs and 86400",
        )?;
        check(
            self.sync_share > 0.0 && self.sync_share <= 1.0,
            "sync_share must be above 0 and at most 1",
        )?;
        check(
            (10..=60_000).contains(&self.tick_millis),
            "tick_millis must be between 10 and 60000",
        )?;
        check(
            (1..=10_000).contains(&self.batch),
            "batch must be between 1 and 10000",
        )?;
        check(
            (1..=256).contains(&self.concurrency),
            "concurrency must be between 1 and 256",
        )?;
        check(
            (5..=3_600).contains(&self.lease_secs),
            "lease_secs must be between 5 and 3600",
        )?;
        check(
            (1..=1_000).contains(&self.page_limit),
            "page_limit must be between 1 and 1000",
        )?;
        check(
            (1..=1_000).contains(&self.max_pages),
            "max_pages must be between 1 and 1000",
        )?;
        check(
            (1..=100).contains(&self.max_comment_pages),
            "max_comment_pages must be between 1 and 100",
        )?;
        check(
            (1..=365).contains(&self.retention_days),
            "retention_days must be between 1 and 365",
        )?;
        check(
            (60..=86_400).contains(&self.baseline_lookback_secs),
            "baseline_lookback_secs must be between 60 and 86400",
        )?;
        Ok(deskgate_app::events::EventSettings {
            sync_enabled_by_default: self.sync_enabled,
            sync_interval: Duration::from_secs(self.sync_interval_secs),
            min_interval: Duration::from_secs(self.min_interval_secs),
            sync_share: self.sync_share,
            tick: Duration::from_millis(self.tick_millis),
            batch: self.batch,
            concurrency: self.concurrency,
            lease: Duration::from_secs(self.lease_secs),
            page_limit: self.page_limit,
            max_pages: self.max_pages,
            max_comment_pages: self.max_comment_pages,
            retention: Duration::from_secs(self.retention_days * 86_400),
            baseline_lookback: Duration::from_secs(self.baseline_lookback_secs),
        })
    }
}

/// Delivering webhooks to the tenants' endpoints.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhooksConfig {
    pub(crate) workers: bool,
    pub(crate) allow_loopback_http: bool,
    pub(crate) retry_schedule_secs: Vec<u64>,
    pub(crate) jitter: f64,
    pub(crate) retry_after_max_secs: u64,
    pub(crate) timeout_secs: u64,
    pub(crate) claim_secs: u64,
    pub(crate) batch: u32,
    pub(crate) concurrency: usize,
    pub(crate) poll_interval_millis: u64,
    pub(crate) disable_after_secs: u64,
    pub(crate) attempts_retention_secs: u64,
}

impl WebhooksConfig {
    /// The settings; values that cannot work are refused with the setting's name.
    pub(crate) fn settings(&self) -> anyhow::Result<deskgate_app::webhooks::WebhookSettings> {
        let settings = deskgate_app::webhooks::WebhookSettings {
            workers: self.workers,
            retries: self
                .retry_schedule_secs
                .iter()
                .map(|s| Duration::from_secs(*s))
                .collect(),
            jitter: self.jitter,
            retry_after_max: Duration::from_secs(self.retry_after_max_secs),
            timeout: Duration::from_secs(self.timeout_secs),
            claim: Duration::from_secs(self.claim_secs),
            batch: self.batch,
            concurrency: self.concurrency,
            poll_interval: Duration::from_millis(self.poll_interval_millis),
            disable_after: Duration::from_secs(self.disable_after_secs),
            attempts_retention: Duration::from_secs(self.attempts_retention_secs),
            allow_loopback_http: self.allow_loopback_http,
        };
        settings
            .validate()
            .map_err(|e| anyhow::anyhow!("webhooks.{}: {}", config_key(e.setting), e.message))?;
        Ok(settings)
    }
}

/// The configuration key of a [`WebhookSettings`](deskgate_app::webhooks::WebhookSettings)
/// field.
fn config_key(setting: &str) -> &str {
    match setting {
        "retries" => "retry_schedule_secs",
        "timeout" => "timeout_secs",
        "claim" => "claim_secs",
        "poll_interval" => "poll_interval_millis",
        "disable_after" => "disable_after_secs",
        other => other,
    }
}

/// Inbound limits: request rates per API key and per tenant, calls in flight per connection;
/// each replica applies them on its own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LimitsConfig {
    pub(crate) enabled: bool,
    pub(crate) key_per_minute: u32,
    pub(crate) key_burst: u32,
    pub(crate) tenant_per_minute: u32,
    pub(crate) tenant_burst: u32,
    pub(crate) connection_in_flight: u32,
}

impl LimitsConfig {
    /// The settings; values that cannot work are refused with the setting's name (also
    /// when limits are off, so that turning them on cannot fail later).
    pub(crate) fn settings(&self) -> anyhow::Result<deskgate_app::limits::LimitSettings> {
        let settings = deskgate_app::limits::LimitSettings {
            enabled: self.enabled,
            key: deskgate_app::limits::Rate {
                per_minute: self.key_per_minute,
                burst: self.key_burst,
            },
            tenant: deskgate_app::limits::Rate {
                per_minute: self.tenant_per_minute,
                burst: self.tenant_burst,
            },
            connection_in_flight: self.connection_in_flight,
        };
        settings
            .validate()
            .map_err(|e| anyhow::anyhow!("limits.{e}"))?;
        Ok(settings)
    }
}

/// Where the vault's keys come from. The keys themselves are never in configuration files:
/// either `DESKGATE_VAULT_KEYS` in the environment or the key file named here.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VaultConfig {
    /// A key file (`docs/security.md`, "Key ring"). Not allowed together with
    /// `DESKGATE_VAULT_KEYS`.
    pub(crate) key_file: Option<PathBuf>,
}

impl DatabaseConfig {
    pub(crate) fn pool_options(&self) -> deskgate_store::db::PoolOptions {
        deskgate_store::db::PoolOptions {
            max_connections: self.max_connections,
            acquire_timeout: Duration::from_secs(self.acquire_timeout_secs),
        }
    }
}

pub(crate) fn load(cli: &Cli) -> anyhow::Result<Config> {
    let mut figment = Figment::from(Toml::string(DEFAULTS));
    if let Some(file) = &cli.config {
        if !file.is_file() {
            bail!(
                "config file {} does not exist or is not a file",
                file.display()
            );
        }
        figment = figment.merge(Toml::file(file));
    }
    // Only nested keys and `listen` come from DESKGATE_*: other DESKGATE_ variables (the
    // API key pepper, test switches) are read where they are used, never into this struct.
    figment = figment.merge(
        Env::prefixed("DESKGATE_")
            .filter(|k| k.as_str().contains("__") || k == "listen" || k == "public_url")
            .split("__"),
    );
    if let Some(url) = &cli.database_url {
        figment = figment.merge(Serialized::default("database.url", url));
    }
    let listen = match &cli.command {
        Command::Serve(args) => args.listen,
        Command::Demo(args) => args.listen,
        Command::Healthcheck(args) => args.listen,
        _ => None,
    };
    if let Some(listen) = listen {
        figment = figment.merge(Serialized::default("listen", listen.to_string()));
    }
    if matches!(cli.command, Command::Demo(_)) && cli.database_url.is_none() {
        // The demo keeps its sandbox connections out of the real database.
        figment = figment.merge(Serialized::default(
            "database.url",
            "sqlite:deskgate-demo.db",
        ));
    }
    let config: Config = figment.extract().context("invalid configuration")?;
    config.validate()?;
    Ok(config)
}

impl Config {
    /// The engine's settings as the application takes them.
    pub(crate) fn upstream_settings(&self) -> anyhow::Result<deskgate_app::UpstreamSettings> {
        let sandbox = self
            .sandbox
            .url
            .as_deref()
            .map(deskgate_upstream::SandboxOverride::new)
            .transpose()
            .context("invalid configuration: sandbox.url")?;
        Ok(deskgate_app::UpstreamSettings {
            config: self.upstream.clone(),
            sandbox,
        })
    }

    /// The base URL connect links and OAuth callbacks are built on.
    pub(crate) fn public_url(&self) -> anyhow::Result<String> {
        let Some(configured) = &self.public_url else {
            let mut listen = self.listen;
            if listen.ip().is_unspecified() {
                listen.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
            }
            return Ok(format!("http://{listen}"));
        };
        let refuse = |why: &str| {
            anyhow::anyhow!(
                "invalid configuration: public_url {configured:?} {why}: give the gateway's \
                 address as its users' browsers reach it, e.g. https://connect.example.com"
            )
        };
        let url = url::Url::parse(configured).map_err(|_| refuse("is not an absolute URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(refuse("must use https (or http)"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse("must not carry user info"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(refuse("must not carry a query or fragment"));
        }
        Ok(url.as_str().trim_end_matches('/').to_owned())
    }

    fn validate(&self) -> anyhow::Result<()> {
        self.public_url()?;
        deskgate_store::db::backend_of(&self.database.url)
            .context("invalid configuration: database.url")?;
        self.upstream
            .validate()
            .context("invalid configuration: upstream")?;
        self.upstream_settings()?;
        self.renewal.settings().context("invalid configuration")?;
        self.events.settings().context("invalid configuration")?;
        self.webhooks.settings().context("invalid configuration")?;
        self.limits.settings().context("invalid configuration")?;
        if self.database.max_connections == 0 {
            bail!("invalid configuration: database.max_connections must be at least 1");
        }
        if !(1..=30).contains(&self.database.acquire_timeout_secs) {
            bail!(
                "invalid configuration: database.acquire_timeout_secs must be between 1 and 30 \
                 (a request waits this long for a connection when the database is down), got {}",
                self.database.acquire_timeout_secs
            );
        }
        self.server.settings().context("invalid configuration")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn built_in_defaults_are_complete_and_valid() {
        let cli = Cli::parse_from(["deskgate", "migrate"]);
        let config: Config = Figment::from(Toml::string(DEFAULTS)).extract().unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database.url, "sqlite:deskgate.db");
        config.validate().unwrap();
        drop(cli);
    }

    #[test]
    fn the_configuration_files_deploy_ships_are_valid() {
        let deploy = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy");
        for file in [
            "kubernetes/base/deskgate.toml",
            "kubernetes/overlays/production/deskgate.toml",
        ] {
            let text = std::fs::read_to_string(deploy.join(file)).unwrap();
            let config: Config = Figment::from(Toml::string(DEFAULTS))
                .merge(Toml::string(&text))
                .extract()
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            config
                .validate()
                .unwrap_or_else(|e| panic!("{file}: {e:#}"));
            assert_eq!(config.listen.to_string(), "0.0.0.0:8080", "{file}");
        }
    }

    #[test]
    fn renewal_settings_that_cannot_work_are_refused_by_name() {
        let mut config: Config = Figment::from(Toml::string(DEFAULTS)).extract().unwrap();
        assert!(config.renewal.settings().unwrap().is_some());
        config.renewal.margin_secs = 60;
        let e = format!("{:#}", config.validate().unwrap_err());
        assert!(e.contains("renewal.margin_secs"), "{e}");
        config.renewal.enabled = false;
        assert!(config.renewal.settings().unwrap().is_none());
    }

    #[test]
    fn shutdown_and_pool_settings_that_cannot_work_are_refused_by_name() {
        let mut config: Config = Figment::from(Toml::string(DEFAULTS)).extract().unwrap();
        let server = config.server.settings().unwrap();
        assert_eq!(server.drain_delay, Duration::from_secs(5));
        assert_eq!(server.grace, Duration::from_secs(20));
        assert_eq!(server.threads, None, "the shared runtime serves by default");
        config.server.threads = 3;
        assert_eq!(
            config.server.settings().unwrap().threads,
            NonZeroUsize::new(3)
        );
        config.server.threads = 5000;
        let e = format!("{:#}", config.validate().unwrap_err());
        assert!(e.contains("server.threads"), "{e}");
        config.server.threads = 0;
        config.server.shutdown_grace_secs = 0;
        let e = format!("{:#}", config.validate().unwrap_err());
        assert!(e.contains("server.shutdown_grace_secs"), "{e}");
        config.server.shutdown_grace_secs = 20;
        config.server.drain_delay_ms = 120_000;
        let e = format!("{:#}", config.validate().unwrap_err());
        assert!(e.contains("server.drain_delay_ms"), "{e}");
        config.server.drain_delay_ms = 0;
        config.database.acquire_timeout_secs = 120;
        let e = format!("{:#}", config.validate().unwrap_err());
        assert!(e.contains("database.acquire_timeout_secs"), "{e}");
    }

    #[test]
    fn webhook_settings_that_cannot_work_are_refused_by_name() {
        let mut config: Config = Figment::from(Toml::string(DEFAULTS)).extract().unwrap();
        let settings = config.webhooks.settings().unwrap();
        assert!(!settings.allow_loopback_http);
        assert_eq!(settings.retries.first(), Some(&Duration::from_secs(5)));
        config.webhooks.claim_secs = config.webhooks.timeout_secs;
        let e = format!("{:#}", config.validate().unwrap_err());
        assert!(e.contains("webhooks.claim_secs"), "{e}");
    }

    #[test]
    fn limit_settings_that_cannot_work_are_refused_by_name() {
        let mut config: Config = Figment::from(Toml::string(DEFAULTS)).extract().unwrap();
        let settings = config.limits.settings().unwrap();
        assert_eq!(settings, deskgate_app::limits::LimitSettings::default());
        for (set, name) in [
            (
                (|c: &mut LimitsConfig| c.key_per_minute = 0) as fn(&mut LimitsConfig),
                "limits.key_per_minute",
            ),
            (|c| c.key_burst = 0, "limits.key_burst"),
            (
                |c| c.tenant_per_minute = 7_000_000,
                "limits.tenant_per_minute",
            ),
            (|c| c.tenant_burst = 0, "limits.tenant_burst"),
            (
                |c| c.connection_in_flight = 0,
                "limits.connection_in_flight",
            ),
        ] {
            let mut limits: LimitsConfig = Figment::from(Toml::string(DEFAULTS))
                .extract_inner("limits")
                .unwrap();
            set(&mut limits);
            config.limits = limits;
            let e = format!("{:#}", config.validate().unwrap_err());
            assert!(e.contains(name), "{e}");
        }
        // Off still checks the values, so that turning limits on cannot fail later.
        config.limits.enabled = false;
        assert!(config.validate().is_err());
    }

    #[test]
    fn limits_can_be_turned_off_in_a_config_file_and_a_negative_rate_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("deskgate.toml");
        let cli = Cli::parse_from(["deskgate", "--config", file.to_str().unwrap(), "migrate"]);
        std::fs::write(&file, "[limits]\nenabled = false\nkey_burst = 5\n").unwrap();
        let config = load(&cli).unwrap();
        let settings = config.limits.settings().unwrap();
        assert!(!settings.enabled);
        assert_eq!(settings.key.burst, 5);
        assert_eq!(settings.key.per_minute, 6_000, "the default stays");

        std::fs::write(&file, "[limits]\nkey_per_minute = -1\n").unwrap();
        let err = format!("{:#}", load(&cli).unwrap_err());
        assert!(err.contains("key_per_minute"), "{err}");
        std::fs::write(&file, "[limits]\nper_key = 10\n").unwrap();
        let err = format!("{:#}", load(&cli).unwrap_err());
        assert!(err.contains("per_key"), "{err}");
    }

    #[test]
    fn flags_override_defaults() {
        let cli = Cli::parse_from([
            "deskgate",
            "--database-url",
            "sqlite:other.db",
            "serve",
            "--listen",
            "127.0.0.1:9999",
        ]);
        let config = load(&cli).unwrap();
        assert_eq!(config.database.url, "sqlite:other.db");
        assert_eq!(config.listen.to_string(), "127.0.0.1:9999");
    }

    #[test]
    fn vault_key_file_is_a_path_and_keys_are_not_settings() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("deskgate.toml");
        std::fs::write(&file, "[vault]\nkey_file = \"/etc/deskgate/vault.key\"\n").unwrap();
        let cli = Cli::parse_from(["deskgate", "--config", file.to_str().unwrap(), "migrate"]);
        let config = load(&cli).unwrap();
        assert_eq!(
            config.vault.key_file.as_deref(),
            Some(std::path::Path::new("/etc/deskgate/vault.key"))
        );

        std::fs::write(&file, "[vault]\nkeys = \"1:c2VjcmV0\"\n").unwrap();
        let err = format!("{:#}", load(&cli).unwrap_err());
        assert!(err.contains("keys"), "{err}");
    }

    #[test]
    fn cache_lifetimes_come_from_a_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("deskgate.toml");
        let cli = Cli::parse_from(["deskgate", "--config", file.to_str().unwrap(), "migrate"]);
        std::fs::write(&file, "[cache]\nconnections_ttl_millis = 0\n").unwrap();
        let config = load(&cli).unwrap();
        assert_eq!(config.cache.connections_ttl_millis, 0);
        assert_eq!(config.cache.credentials_ttl_secs, 30, "the default stays");

        std::fs::write(&file, "[cache]\nconnections_ttl_millis = \"soon\"\n").unwrap();
        let err = format!("{:#}", load(&cli).unwrap_err());
        assert!(err.contains("connections_ttl_millis"), "{err}");
    }
}
