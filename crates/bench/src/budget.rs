//! Rate-budget utilization: the same offered load sent to two sandbox accounts with the
//! same per-minute limit at the same time, one through deskgate, one straight from a naive
//! client that retries each 429 after its `Retry-After`. The sandbox's own counters say how
//! many calls reached each account and how many were refused.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use serde_json::{Value, json};
use tokio::time::{Instant, MissedTickBehavior};

use crate::gateway::Gateway;
use crate::stats::{client, percentile};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    gateway: Gateway,
    /// The connection to `--gateway-account`.
    #[arg(long)]
    connection: String,
    #[arg(long)]
    sandbox: String,
    /// The sandbox account behind `--connection`.
    #[arg(long)]
    gateway_account: String,
    /// The sandbox account the naive client calls directly.
    #[arg(long)]
    naive_account: String,
    /// Both accounts' limit, requests per minute.
    #[arg(long)]
    limit: u32,
    /// Offered requests per second, to each side.
    #[arg(long)]
    rate: f64,
    /// Seconds of offered load.
    #[arg(long)]
    duration: f64,
    /// Every caller's deadline, milliseconds: deskgate's own default upstream deadline.
    #[arg(long, default_value_t = 10_000)]
    deadline_ms: u64,
    /// An answer counts as late this long after the deadline: deskgate's deadline bounds
    /// when a call may start, so an answer may come one upstream round trip after it.
    #[arg(long, default_value_t = 500)]
    grace_ms: u64,
    /// Start on the sandbox's next clock minute, so the run covers whole rate windows.
    #[arg(long)]
    align: bool,
}

/// What one side's callers got.
#[derive(Debug, Default)]
pub(crate) struct Side {
    latencies_ms: Vec<u64>,
    ok: u64,
    clean_429: u64,
    gave_up: u64,
    failed: u64,
    /// What the failed callers got: a status, or `error` for no answer.
    failures: std::collections::BTreeMap<String, u64>,
    late: u64,
}

#[derive(Clone, Copy)]
pub(crate) enum Outcome {
    Ok,
    Clean429,
    GaveUp,
    /// The status, or `None` for no answer.
    Failed(Option<u16>),
}

/// An account's counters in the sandbox.
pub(crate) async fn counters(
    client: &reqwest::Client,
    sandbox: &str,
    sub: &str,
) -> anyhow::Result<Value> {
    Ok(client
        .get(format!(
            "{}/_sandbox/zendesk/{sub}/counters",
            sandbox.trim_end_matches('/')
        ))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?)
}

fn count(v: &Value, field: &str) -> u64 {
    v[field].as_u64().unwrap_or(0)
}

/// A caller through the gateway: its ticket, a clean 429 (with `Retry-After`), or a failure.
pub(crate) async fn through_gateway(request: reqwest::RequestBuilder) -> Outcome {
    match request.send().await {
        Ok(r) if r.status().is_success() => match r.bytes().await {
            Ok(_) => Outcome::Ok,
            Err(_) => Outcome::Failed(None),
        },
        Ok(r) if r.status().as_u16() == 429 && r.headers().contains_key("retry-after") => {
            Outcome::Clean429
        }
        Ok(r) => Outcome::Failed(Some(r.status().as_u16())),
        Err(_) => Outcome::Failed(None),
    }
}

async fn naive(
    client: reqwest::Client,
    url: String,
    email: String,
    token: String,
    deadline: Instant,
) -> Outcome {
    loop {
        let answer = client
            .get(&url)
            .basic_auth(format!("{email}/token"), Some(&token))
            .send()
            .await;
        let r = match answer {
            Ok(r) => r,
            Err(_) => return Outcome::Failed(None),
        };
        if r.status().is_success() {
            return match r.bytes().await {
                Ok(_) => Outcome::Ok,
                Err(_) => Outcome::Failed(None),
            };
        }
        if r.status().as_u16() != 429 {
            return Outcome::Failed(Some(r.status().as_u16()));
        }
        let wait = r
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(1);
        let resume = Instant::now() + Duration::from_secs(wait);
        if resume >= deadline {
            return Outcome::GaveUp;
        }
        tokio::time::sleep_until(resume).await;
    }
}

/// Records one caller's outcome, timed from when it was due.
pub(crate) fn record(side: &Mutex<Side>, outcome: Outcome, due: Instant, late_after_ms: u64) {
    let ms = u64::try_from(due.elapsed().as_millis()).unwrap_or(u64::MAX);
    if let Ok(mut s) = side.lock() {
        s.latencies_ms.push(ms);
        if ms > late_after_ms {
            s.late += 1;
        }
        match outcome {
            Outcome::Ok => s.ok += 1,
            Outcome::Clean429 => s.clean_429 += 1,
            Outcome::GaveUp => s.gave_up += 1,
            Outcome::Failed(status) => {
                s.failed += 1;
                let key = status.map_or_else(|| "error".to_owned(), |s| s.to_string());
                *s.failures.entry(key).or_default() += 1;
            }
        }
    }
}

/// What a side's callers got: outcomes and latency percentiles (taking them out of `side`).
pub(crate) fn callers(side: &Mutex<Side>) -> Value {
    let mut s = match side.lock() {
        Ok(mut s) => std::mem::take(&mut *s),
        Err(_) => Side::default(),
    };
    s.latencies_ms.sort_unstable();
    json!({
        "callers": s.latencies_ms.len(),
        "ok": s.ok,
        "clean_429": s.clean_429,
        "gave_up": s.gave_up,
        "failed": s.failed,
        "failures": s.failures,
        "late": s.late,
        "p50_ms": percentile(&s.latencies_ms, 50.0),
        "p99_ms": percentile(&s.latencies_ms, 99.0),
        "max_ms": s.latencies_ms.last().copied().unwrap_or(0),
    })
}

fn report(side: &Mutex<Side>, before: &Value, after: &Value, allowance: f64) -> Value {
    let requests = count(after, "requests").saturating_sub(count(before, "requests"));
    let refused = count(after, "rate_limited").saturating_sub(count(before, "rate_limited"));
    let served = requests.saturating_sub(refused);
    let mut out = callers(side);
    out["upstream_calls"] = json!(requests);
    out["upstream_ok"] = json!(served);
    out["upstream_429"] = json!(refused);
    out["allowance"] = json!(allowance);
    out["utilization"] = json!(served as f64 / allowance);
    out["upstream_429_share"] = json!(if requests == 0 {
        0.0
    } else {
        refused as f64 / requests as f64
    });
    out
}

pub(crate) async fn run(args: Args) -> anyhow::Result<Value> {
    let deadline = Duration::from_millis(args.deadline_ms);
    let client = client(deadline + Duration::from_secs(5))?;
    let sandbox = args.sandbox.trim_end_matches('/').to_owned();
    let creds: Value = client
        .get(format!(
            "{sandbox}/_sandbox/zendesk/{}/credentials",
            args.naive_account
        ))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let email = creds["admin"]["email"]
        .as_str()
        .context("no admin.email")?
        .to_owned();
    let token = creds["api_token"]
        .as_str()
        .context("no api_token")?
        .to_owned();
    if args.align {
        let now = chrono::Utc::now();
        let into_minute = now.timestamp_millis().rem_euclid(60_000);
        // A little past the boundary, so that both clocks agree which window it is.
        let wait = 60_000 - into_minute + 200;
        tokio::time::sleep(Duration::from_millis(u64::try_from(wait).unwrap_or(0))).await;
    }
    let gw_path = format!(
        "/v1/connections/{}/passthrough/api/v2/tickets/1",
        args.connection
    );
    let naive_url = format!(
        "{sandbox}/zendesk/{}/api/v2/tickets/1.json",
        args.naive_account
    );
    let gw_before = counters(&client, &sandbox, &args.gateway_account).await?;
    let naive_before = counters(&client, &sandbox, &args.naive_account).await?;
    let late_after_ms = args.deadline_ms + args.grace_ms;
    let gw_side = Arc::new(Mutex::new(Side::default()));
    let naive_side = Arc::new(Mutex::new(Side::default()));
    let total = (args.rate * args.duration).round() as u64;
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate));
    ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let started = Instant::now();
    // The counters at the end of the offered period: calls made while callers drain fall in
    // the next window and are not part of this one's allowance. Aligned runs started 0.2 s
    // into a window, so they read the counters just before the next window opens (when a
    // naive client's queued retries all fire).
    let window_end = if args.align { 0.4 } else { 0.0 };
    let snapshot = tokio::spawn({
        let (client, sandbox) = (client.clone(), sandbox.clone());
        let (gw, naive) = (args.gateway_account.clone(), args.naive_account.clone());
        let at = started + Duration::from_secs_f64((args.duration - window_end).max(0.0));
        async move {
            tokio::time::sleep_until(at).await;
            let gw = counters(&client, &sandbox, &gw).await?;
            let naive = counters(&client, &sandbox, &naive).await?;
            anyhow::Ok((gw, naive))
        }
    });
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..total {
        let due = ticks.tick().await;
        let request = args
            .gateway
            .request(&client, reqwest::Method::GET, &gw_path);
        let side = Arc::clone(&gw_side);
        tasks.spawn(async move {
            let outcome = through_gateway(request).await;
            record(&side, outcome, due, late_after_ms);
        });
        let (c, url, email, token, side) = (
            client.clone(),
            naive_url.clone(),
            email.clone(),
            token.clone(),
            Arc::clone(&naive_side),
        );
        tasks.spawn(async move {
            let outcome = naive(c, url, email, token, due + deadline).await;
            record(&side, outcome, due, late_after_ms);
        });
    }
    let (gw_after, naive_after) = snapshot.await??;
    while tasks.join_next().await.is_some() {}
    let allowance = f64::from(args.limit) * args.duration / 60.0;
    Ok(json!({
        "offered_rps": args.rate,
        "duration_s": args.duration,
        "limit_per_min": args.limit,
        "aligned": args.align,
        "deskgate": report(&gw_side, &gw_before, &gw_after, allowance),
        "naive": report(&naive_side, &naive_before, &naive_after, allowance),
    }))
}
