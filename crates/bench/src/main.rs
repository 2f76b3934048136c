//! deskgate-bench: the load drivers behind `bench/run`, for what `wrk` cannot do.
//!
//! Every command prints one JSON object on stdout; `bench/run` turns those into figures,
//! ratios and pass/miss lines.
//!
//! - `latency`: open-loop load at a fixed rate, latency measured from each request's
//!   scheduled start (so a slow answer cannot hide the requests it delayed).
//! - `budget`: rate-budget utilization, deskgate and a naive retry-on-429 client side by side.
//! - `seed`: stores many connections straight through the store and vault.
//! - `activate`: one real request per connection, so credentials and budgets are live.
//! - `paginate`: walks a whole ticket list through the unified API.
//! - `receiver`: a webhook receiver that answers 204 and counts (`GET /count`).
//! - `endpoints`: registers many webhook endpoints through the API.
//! - `change-latency`: from a ticket created in the sandbox to its webhook at a receiver.
//! - `overload`: the rate budget across replicas behind a load balancer, optionally killing
//!   one mid-run, with the sandbox's counters read every second.
//! - `bare-proxy`: the passthrough benchmark's floor, a reverse proxy made of the parts
//!   deskgate is made of and nothing else.
//! - `steady`: a steady mix of reads through a load balancer while replicas restart or the
//!   database stops, with the replicas' `/readyz` watched.

mod activate;
mod bare_proxy;
mod budget;
mod change_latency;
mod endpoints;
mod gateway;
mod latency;
mod overload;
mod paginate;
mod receiver;
mod seed;
mod stats;
mod steady;

use clap::{Parser, Subcommand};

// The allocator deskgate runs with, so that the bare proxy's figure is a like-for-like floor.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "deskgate-bench", about = "load drivers for bench/run")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Latency(latency::Args),
    Budget(budget::Args),
    Seed(seed::Args),
    Activate(activate::Args),
    Paginate(paginate::Args),
    Receiver(receiver::Args),
    Endpoints(endpoints::Args),
    ChangeLatency(change_latency::Args),
    Overload(overload::Args),
    Steady(steady::Args),
    BareProxy(bare_proxy::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let out = match cli.command {
        Command::Latency(a) => latency::run(a).await?,
        Command::Budget(a) => budget::run(a).await?,
        Command::Seed(a) => seed::run(a).await?,
        Command::Activate(a) => activate::run(a).await?,
        Command::Paginate(a) => paginate::run(a).await?,
        Command::Receiver(a) => receiver::run(a).await?,
        Command::Endpoints(a) => endpoints::run(a).await?,
        Command::ChangeLatency(a) => change_latency::run(a).await?,
        Command::Overload(a) => overload::run(a).await?,
        Command::Steady(a) => steady::run(a).await?,
        Command::BareProxy(a) => bare_proxy::run(a).await?,
    };
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{out}")?;
    Ok(())
}
