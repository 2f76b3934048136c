use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// One REST API in front of many helpdesks.
#[derive(Debug, Parser)]
#[command(name = "deskgate", version, about)]
pub(crate) struct Cli {
    /// A TOML file layered over the built-in defaults.
    #[arg(long, global = true, env = "DESKGATE_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// The database: sqlite:FILE or postgres://user@host/db.
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub(crate) database_url: Option<String>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Apply migrations and serve the API.
    Serve(ServeArgs),
    /// Try deskgate in one command: the gateway on embedded SQLite (deskgate-demo.db) with
    /// built-in sandbox helpdesks, a demo tenant and key, a connected sandbox account of every
    /// provider, and curl commands to copy.
    Demo(DemoArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Check the gateway running on this machine, for container health checks: GET /readyz
    /// (or /healthz with --live) on the configured listen address; exits 0 when it answers
    /// 200, and 1 with the reason on stderr otherwise.
    Healthcheck(HealthcheckArgs),
    /// Create and list tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Rotate the credential vault's keys and re-wrap stored credentials.
    #[command(subcommand)]
    Vault(VaultCommand),
    /// Read a tenant's change events.
    #[command(subcommand)]
    Events(EventsCommand),
    /// Print the API's OpenAPI document (JSON) and exit.
    Openapi,
    /// Serve the built-in helpdesk sandbox: a local imitation of Zendesk's, Freshdesk's and
    /// Intercom's APIs with seeded accounts, for trying deskgate and for tests. Never a real
    /// helpdesk.
    Sandbox(SandboxArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum EventsCommand {
    /// Print a tenant's events as they are recorded, one line each, until interrupted: reads
    /// `GET /v1/events` of a running gateway with the tenant's API key.
    Tail(TailArgs),
}

#[derive(Debug, Args)]
pub(crate) struct TailArgs {
    /// The gateway's base URL.
    #[arg(long, env = "DESKGATE_URL", default_value = "http://127.0.0.1:8080")]
    pub(crate) url: String,
    /// The tenant's API key (`dg_live_…`).
    #[arg(long, env = "DESKGATE_API_KEY", hide_env_values = true)]
    pub(crate) api_key: String,
    /// Start after this event (`evt_…`); by default only events recorded from now on.
    #[arg(long, conflicts_with = "from_start")]
    pub(crate) after: Option<String>,
    /// Start from the oldest event the log still keeps.
    #[arg(long)]
    pub(crate) from_start: bool,
    /// Only this connection's events.
    #[arg(long)]
    pub(crate) connection_id: Option<String>,
    /// Only these types, comma-separated (`ticket.created,comment.created`).
    #[arg(long = "type")]
    pub(crate) types: Option<String>,
    /// Print each event as one line of JSON instead of a summary.
    #[arg(long)]
    pub(crate) json: bool,
    /// Milliseconds between two reads when nothing new came.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(100..=60_000))]
    pub(crate) interval_ms: u64,
}

#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081", value_name = "ADDR")]
    pub(crate) listen: SocketAddr,
    /// The Zendesk account subdomains to seed.
    #[arg(long = "zendesk", value_name = "SUBDOMAIN", default_value = "acme")]
    pub(crate) zendesk: Vec<String>,
    /// The Freshdesk account domains to seed.
    #[arg(long = "freshdesk", value_name = "DOMAIN", default_value = "acme")]
    pub(crate) freshdesk: Vec<String>,
    /// The Intercom workspaces to seed, as `NAME` (US) or `REGION:NAME` with a region of
    /// `us`, `eu` or `au` (e.g. `eu:globex`).
    #[arg(
        long = "intercom",
        value_name = "[REGION:]NAME",
        default_value = "acme"
    )]
    pub(crate) intercom: Vec<String>,
    /// Requests per 10-second window each Intercom workspace allows before answering 429.
    #[arg(long, default_value_t = 1666)]
    pub(crate) intercom_rate_limit: u32,
    /// Tickets per account, 10 to 1,000,000.
    #[arg(long, default_value_t = 50)]
    pub(crate) tickets: u64,
    /// Requests (Zendesk) or credits (Freshdesk) per minute each account allows before
    /// answering 429.
    #[arg(long, default_value_t = 700)]
    pub(crate) rate_limit: u32,
    /// The seed: the same seed gives the same data and credentials.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "DESKGATE_LISTEN", value_name = "ADDR")]
    pub(crate) listen: Option<SocketAddr>,
}

#[derive(Debug, Args)]
pub(crate) struct HealthcheckArgs {
    /// Check that the process answers (`/healthz`) instead of that it can serve (`/readyz`:
    /// its database answers and it is not shutting down).
    #[arg(long)]
    pub(crate) live: bool,
    /// The address the gateway listens on, as given to `serve`; by default the configured
    /// `listen`. An unspecified address (0.0.0.0, [::]) is checked on loopback.
    #[arg(long, env = "DESKGATE_LISTEN", value_name = "ADDR")]
    pub(crate) listen: Option<SocketAddr>,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 3, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=60))]
    pub(crate) timeout: u64,
}

#[derive(Debug, Subcommand)]
pub(crate) enum VaultCommand {
    /// Print the key rotation runbook, filled in with the configured key ring.
    Rotate,
    /// Print a fresh `<version>:<base64 key>` entry to add to DESKGATE_VAULT_KEYS or a key file.
    GenerateKey {
        /// The version of the new key; by default one above the highest configured version.
        #[arg(long, value_name = "N")]
        version: Option<std::num::NonZeroU32>,
    },
    /// Re-seal every stored credential under the active key version and print
    /// `scanned N, rewrapped N, failed N`. Safe while other replicas serve traffic.
    Rewrap {
        /// Credentials re-sealed per transaction.
        #[arg(long, default_value_t = 500, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
        batch_size: u32,
    },
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// The address the gateway listens on.
    #[arg(long, env = "DESKGATE_LISTEN", value_name = "ADDR")]
    pub(crate) listen: Option<SocketAddr>,
    /// Print one JSON object (base URL, API key, connection ids) as the first line of
    /// stdout instead of the text guide.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TenantCommand {
    /// Create a tenant and print its first API key, once.
    Create {
        /// The tenant's display name.
        name: String,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List every tenant.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}
