//! A steady load while something goes wrong behind the load balancer: requests at a fixed
//! rate over a mix of paths, each answer kept by status (and for failures: when, which
//! status, whether its body was `application/problem+json`), and the replicas' `/readyz`
//! watched on the side, every change of answer recorded with its time. Runs for
//! `--duration` seconds or until SIGTERM, whichever comes first; `bench/run` does the
//! restarts and outages meanwhile and reads the times out of the answer.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};

use crate::gateway::Gateway;
use crate::stats::{client, percentile};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The load balancer in front of the replicas.
    #[command(flatten)]
    gateway: Gateway,
    /// A path to GET (`/v1/…`); repeatable, the requests take them in turn.
    #[arg(long = "path", required = true)]
    paths: Vec<String>,
    /// Requests per second.
    #[arg(long)]
    rate: f64,
    /// The longest run, seconds; SIGTERM ends it sooner.
    #[arg(long)]
    duration: f64,
    /// One request's timeout, milliseconds.
    #[arg(long, default_value_t = 30_000)]
    timeout_ms: u64,
    /// A replica's `/readyz` (or any URL) to watch; repeatable.
    #[arg(long = "watch")]
    watch: Vec<String>,
    /// How often each watched URL is asked, milliseconds.
    #[arg(long, default_value_t = 100)]
    watch_every_ms: u64,
    /// A watched URL that does not answer within this counts as `timeout`.
    #[arg(long, default_value_t = 2_000)]
    watch_timeout_ms: u64,
}

/// Answers that were not a success are kept one by one, up to this many.
const KEPT_FAILURES: usize = 100_000;

#[derive(Debug, Default)]
struct Tally {
    latencies_us: Vec<u64>,
    statuses: BTreeMap<String, u64>,
    /// Successes per second of the wall clock (Unix seconds), by when they were sent.
    ok_per_second: BTreeMap<i64, u64>,
    failures: Vec<Value>,
}

fn unix_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

async fn one(request: reqwest::RequestBuilder, due: Instant, sent_ms: i64, tally: &Mutex<Tally>) {
    let (status, problem) = match request.send().await {
        Ok(r) => {
            let status = r.status();
            let problem = r
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/problem+json"));
            match r.bytes().await {
                Ok(_) => (status.as_u16().to_string(), problem),
                Err(_) => ("error".to_owned(), false),
            }
        }
        Err(e) if e.is_timeout() => ("timeout".to_owned(), false),
        Err(_) => ("error".to_owned(), false),
    };
    let us = u64::try_from(due.elapsed().as_micros()).unwrap_or(u64::MAX);
    let Ok(mut t) = tally.lock() else { return };
    t.latencies_us.push(us);
    *t.statuses.entry(status.clone()).or_default() += 1;
    if status.starts_with('2') {
        *t.ok_per_second.entry(sent_ms.div_euclid(1000)).or_default() += 1;
    } else if t.failures.len() < KEPT_FAILURES {
        t.failures.push(json!({
            "at_ms": sent_ms,
            "status": status,
            "problem_json": problem,
            "ms": us / 1000,
        }));
    }
}

/// Asks `url` until `stop`; every change of answer, with when it was asked (`at_ms`) and
/// answered (`done_ms`).
async fn watch_url(
    client: reqwest::Client,
    url: String,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) -> Vec<Value> {
    let mut changes = Vec::new();
    let mut last = String::new();
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.changed() => break,
        }
        let at_ms = unix_ms();
        let state = match client.get(&url).send().await {
            Ok(r) => r.status().as_u16().to_string(),
            Err(e) if e.is_timeout() => "timeout".to_owned(),
            Err(_) => "error".to_owned(),
        };
        if state != last {
            changes.push(json!({"at_ms": at_ms, "done_ms": unix_ms(), "state": state}));
            last = state;
        }
    }
    changes
}

pub(crate) async fn run(args: Args) -> anyhow::Result<Value> {
    anyhow::ensure!(
        args.rate > 0.0 && args.duration > 0.0,
        "rate and duration must be positive"
    );
    let client = client(Duration::from_millis(args.timeout_ms))?;
    let watcher = crate::stats::client(Duration::from_millis(args.watch_timeout_ms))?;
    let (stop_watch, stopped) = watch::channel(false);
    let watches: Vec<_> = args
        .watch
        .iter()
        .map(|url| {
            let task = tokio::spawn(watch_url(
                watcher.clone(),
                url.clone(),
                Duration::from_millis(args.watch_every_ms),
                stopped.clone(),
            ));
            (url.clone(), task)
        })
        .collect();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let tally = Arc::new(Mutex::new(Tally::default()));
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate));
    ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let started = Instant::now();
    let started_ms = unix_ms();
    let end = started + Duration::from_secs_f64(args.duration);
    let mut tasks = tokio::task::JoinSet::new();
    let mut sent = 0usize;
    loop {
        let due = tokio::select! {
            due = ticks.tick() => due,
            _ = term.recv() => break,
        };
        if due >= end {
            break;
        }
        let path = &args.paths[sent % args.paths.len()];
        sent += 1;
        let request = args.gateway.request(&client, reqwest::Method::GET, path);
        let tally = Arc::clone(&tally);
        let sent_ms = unix_ms();
        tasks.spawn(async move { one(request, due, sent_ms, &tally).await });
        // Answers are read as they come, so the set stays small.
        while tasks.try_join_next().is_some() {}
    }
    let stopped_ms = unix_ms();
    while tasks.join_next().await.is_some() {}
    let _ = stop_watch.send(true);
    let mut watched = serde_json::Map::new();
    for (url, task) in watches {
        watched.insert(url, Value::Array(task.await?));
    }
    let mut t = tally
        .lock()
        .map_err(|_| anyhow::anyhow!("a request task panicked"))?;
    t.latencies_us.sort_unstable();
    let ok: u64 = t.ok_per_second.values().sum();
    let total = t.latencies_us.len() as u64;
    Ok(json!({
        "offered_rps": args.rate,
        "started_ms": started_ms,
        "stopped_ms": stopped_ms,
        "requests": total,
        "ok": ok,
        "failed": total - ok,
        "statuses": t.statuses,
        "p50_ms": percentile(&t.latencies_us, 50.0) as f64 / 1000.0,
        "p99_ms": percentile(&t.latencies_us, 99.0) as f64 / 1000.0,
        "max_ms": t.latencies_us.last().copied().unwrap_or(0) as f64 / 1000.0,
        "ok_per_second": t.ok_per_second.iter().map(|(s, n)| (s.to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
        "failures": t.failures,
        "watched": watched,
    }))
}
