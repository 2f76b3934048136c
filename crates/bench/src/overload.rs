//! The rate budget across replicas: callers offered at a fixed rate (well above one sandbox
//! account's limit) to a load balancer in front of several gateways sharing that account,
//! each with the gateway's deadline, while the sandbox's counters for the account are read
//! once a second. Optionally one replica is killed (SIGKILL) during the run, so that the
//! counters show how soon the others take its share.
//!
//! The counters are read just before each second of the wall clock (at `.9`), so that
//! sixty consecutive readings bound exactly one of the sandbox's clock-minute windows when
//! the run is aligned to a minute; the figures (allowance used per window, the rate allowed
//! around the kill) are computed by `bench/run` from the readings.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use serde_json::{Value, json};
use tokio::time::{Instant, MissedTickBehavior};

use crate::budget::{Side, callers, counters, record, through_gateway};
use crate::gateway::Gateway;
use crate::stats::client;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The load balancer in front of the replicas.
    #[command(flatten)]
    gateway: Gateway,
    /// The connection to `--account`, called through its passthrough.
    #[arg(long)]
    connection: String,
    #[arg(long)]
    sandbox: String,
    /// The sandbox Zendesk account behind `--connection`.
    #[arg(long)]
    account: String,
    /// Offered callers per second.
    #[arg(long)]
    rate: f64,
    /// Seconds of offered load.
    #[arg(long)]
    duration: f64,
    /// Every caller's deadline, milliseconds: the gateway's default upstream deadline.
    #[arg(long, default_value_t = 10_000)]
    deadline_ms: u64,
    /// An answer counts as late this long after the deadline (one upstream round trip may
    /// start just before it).
    #[arg(long, default_value_t = 500)]
    grace_ms: u64,
    /// Start 0.2 s into the sandbox's next clock minute, so the readings bound whole windows.
    #[arg(long)]
    align: bool,
    /// A replica's process id, killed with SIGKILL `--kill-at` seconds into the load.
    #[arg(long, requires = "kill_at")]
    kill_pid: Option<u32>,
    #[arg(long)]
    kill_at: Option<f64>,
}

/// Unix time in milliseconds.
fn unix_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The monotonic instant at which the wall clock reads `at_ms`.
fn instant_at(at_ms: i64) -> Instant {
    let ahead = at_ms - unix_ms();
    Instant::now() + Duration::from_millis(u64::try_from(ahead).unwrap_or(0))
}

/// One reading of the account's counters.
async fn reading(client: &reqwest::Client, sandbox: &str, account: &str) -> anyhow::Result<Value> {
    let at_ms = unix_ms();
    let c = counters(client, sandbox, account).await?;
    Ok(json!({
        "at_ms": at_ms,
        "requests": c["requests"],
        "rate_limited": c["rate_limited"],
    }))
}

pub(crate) async fn run(args: Args) -> anyhow::Result<Value> {
    anyhow::ensure!(
        args.rate > 0.0 && args.duration >= 1.0,
        "rate must be positive and duration at least a second"
    );
    let deadline = Duration::from_millis(args.deadline_ms);
    let client = client(deadline + Duration::from_secs(5))?;
    let sandbox = args.sandbox.trim_end_matches('/').to_owned();
    // The origin of the readings: a clock minute when aligned, otherwise a moment just ahead.
    let origin_ms = if args.align {
        let now = unix_ms();
        let next = (now.div_euclid(60_000) + 1) * 60_000;
        if next - now < 500 {
            next + 60_000
        } else {
            next
        }
    } else {
        unix_ms() + 300
    };
    let load_start = instant_at(origin_ms + 200);
    // Readings at origin - 0.1 s + k for k = 0..=duration: the first before any caller.
    let readings = tokio::spawn({
        let (client, sandbox, account) = (client.clone(), sandbox.clone(), args.account.clone());
        let count = args.duration.floor() as i64;
        async move {
            let mut out = Vec::new();
            for k in 0..=count {
                tokio::time::sleep_until(instant_at(origin_ms - 100 + k * 1000)).await;
                out.push(reading(&client, &sandbox, &account).await?);
            }
            anyhow::Ok(out)
        }
    });
    let killed = args.kill_pid.zip(args.kill_at).map(|(pid, at)| {
        tokio::spawn(async move {
            tokio::time::sleep_until(load_start + Duration::from_secs_f64(at)).await;
            let at_ms = unix_ms();
            let status = tokio::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()
                .await
                .context("running kill")?;
            anyhow::ensure!(status.success(), "kill -KILL {pid} failed");
            anyhow::Ok(at_ms)
        })
    });
    let path = format!(
        "/v1/connections/{}/passthrough/api/v2/tickets/1",
        args.connection
    );
    let late_after_ms = args.deadline_ms + args.grace_ms;
    let side = Arc::new(Mutex::new(Side::default()));
    let total = (args.rate * args.duration).round() as u64;
    tokio::time::sleep_until(load_start).await;
    let started_ms = unix_ms();
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate));
    ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..total {
        let due = ticks.tick().await;
        let request = args.gateway.request(&client, reqwest::Method::GET, &path);
        let side = Arc::clone(&side);
        tasks.spawn(async move {
            let outcome = through_gateway(request).await;
            record(&side, outcome, due, late_after_ms);
        });
    }
    while tasks.join_next().await.is_some() {}
    let readings = readings.await??;
    let kill_ms = match killed {
        Some(k) => Some(k.await??),
        None => None,
    };
    Ok(json!({
        "offered_rps": args.rate,
        "duration_s": args.duration,
        "aligned": args.align,
        "origin_ms": origin_ms,
        "load_started_ms": started_ms,
        "killed_at_ms": kill_ms,
        "callers": callers(&side),
        "readings": readings,
    }))
}
