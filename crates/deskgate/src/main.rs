//! The `deskgate` binary: loads configuration, prepares the database, builds the application
//! and serves the API. No business rules live here.
//!
//! - `cli.rs`: the command line (clap).
//! - `config.rs`: layered configuration (defaults → file → environment → flags).
//! - `telemetry.rs`: logging.
//! - `serve.rs`, `demo.rs`, `tenant.rs`, `sandbox.rs`, `vault.rs`, `events.rs`,
//!   `healthcheck.rs`: the commands.
//! - `shutdown.rs`: how a serving process stops (drain, then a bounded grace period).
//! - `keys.rs`: loading the vault's key ring (environment, key file, or a generated one).

/// mimalloc instead of the system allocator: a request allocates and frees dozens of small
/// header maps, strings and buffers, and on the passthrough benchmark glibc's malloc and free
/// were about a sixth of the gateway's CPU (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod config;
mod demo;
mod events;
mod healthcheck;
mod keys;
mod sandbox;
mod serve;
mod shutdown;
mod telemetry;
mod tenant;
mod vault;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, EventsCommand, TenantCommand, VaultCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&anyhow::Error::new(e).context("starting the async runtime")),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Openapi = cli.command {
        return print_openapi();
    }
    let config = config::load(&cli)?;
    telemetry::init(
        &config.log,
        matches!(
            cli.command,
            Command::Serve(_) | Command::Sandbox(_) | Command::Demo(_)
        ),
    )?;
    match cli.command {
        Command::Serve(_) => serve::serve(config).await,
        Command::Demo(args) => demo::run(config, &args).await,
        Command::Migrate => serve::migrate(&config).await,
        Command::Healthcheck(args) => healthcheck::run(&config, &args).await,
        Command::Tenant(TenantCommand::Create { name, json }) => {
            tenant::create(&config, &name, json).await
        }
        Command::Tenant(TenantCommand::List { json }) => tenant::list(&config, json).await,
        Command::Vault(VaultCommand::Rotate) => vault::rotate(&config),
        Command::Vault(VaultCommand::GenerateKey { version }) => {
            vault::generate_key(&config, version)
        }
        Command::Vault(VaultCommand::Rewrap { batch_size }) => {
            vault::rewrap(&config, batch_size).await
        }
        Command::Events(EventsCommand::Tail(args)) => events::tail(&args).await,
        Command::Openapi => print_openapi(),
        Command::Sandbox(args) => sandbox::run(&args).await,
    }
}

fn print_openapi() -> anyhow::Result<()> {
    use std::io::Write;
    let doc = deskgate_api::openapi().to_pretty_json()?;
    writeln!(std::io::stdout().lock(), "{doc}")?;
    Ok(())
}

fn fail(e: &anyhow::Error) -> ExitCode {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "error: {e:#}");
    ExitCode::FAILURE
}
