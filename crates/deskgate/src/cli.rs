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
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create and list tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Print the API's OpenAPI document (JSON) and exit.
    Openapi,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "DESKGATE_LISTEN", value_name = "ADDR")]
    pub(crate) listen: Option<SocketAddr>,
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
