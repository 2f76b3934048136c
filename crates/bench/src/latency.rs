//! Open-loop load at a fixed rate: one request every `1/rate` seconds whatever the answers
//! do, each timed from when it was due.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tokio::time::{Instant, MissedTickBehavior};

use crate::stats::{client, headers, percentile};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long)]
    url: String,
    /// `Name: value`; repeatable.
    #[arg(long = "header")]
    headers: Vec<String>,
    /// Requests per second.
    #[arg(long)]
    rate: f64,
    /// Seconds of load.
    #[arg(long)]
    duration: f64,
    /// A JSON body: the requests are POSTs carrying it (a search endpoint's list).
    #[arg(long)]
    body: Option<String>,
}

#[derive(Debug, Default)]
struct Tally {
    latencies_us: Vec<u64>,
    ok: u64,
    failed: u64,
    /// Answers by status, `error` for none.
    statuses: std::collections::BTreeMap<String, u64>,
}

pub(crate) async fn run(args: Args) -> anyhow::Result<serde_json::Value> {
    anyhow::ensure!(
        args.rate > 0.0 && args.duration > 0.0,
        "rate and duration must be positive"
    );
    let client = client(Duration::from_secs(30))?;
    let headers = headers(&args.headers)?;
    let tally = Arc::new(Mutex::new(Tally::default()));
    let period = Duration::from_secs_f64(1.0 / args.rate);
    let total = (args.rate * args.duration).round() as u64;
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..total {
        let due = ticks.tick().await;
        let request = match &args.body {
            Some(body) => client
                .post(&args.url)
                .headers(headers.clone())
                .header("content-type", "application/json")
                .body(body.clone()),
            None => client.get(&args.url).headers(headers.clone()),
        };
        let tally = Arc::clone(&tally);
        tasks.spawn(async move {
            let (ok, status) = match request.send().await {
                Ok(r) => {
                    let status = r.status();
                    (
                        status.is_success() && r.bytes().await.is_ok(),
                        status.as_u16().to_string(),
                    )
                }
                Err(_) => (false, "error".to_owned()),
            };
            let us = u64::try_from(due.elapsed().as_micros()).unwrap_or(u64::MAX);
            if let Ok(mut t) = tally.lock() {
                t.latencies_us.push(us);
                *t.statuses.entry(status).or_default() += 1;
                if ok {
                    t.ok += 1;
                } else {
                    t.failed += 1;
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let elapsed = started.elapsed().as_secs_f64();
    let mut t = tally
        .lock()
        .map_err(|_| anyhow::anyhow!("a request task panicked"))?;
    t.latencies_us.sort_unstable();
    Ok(json!({
        "offered_rps": args.rate,
        "achieved_rps": (t.ok + t.failed) as f64 / elapsed,
        "ok": t.ok,
        "failed": t.failed,
        "statuses": t.statuses,
        "p50_us": percentile(&t.latencies_us, 50.0),
        "p99_us": percentile(&t.latencies_us, 99.0),
        "max_us": t.latencies_us.last().copied().unwrap_or(0),
    }))
}
