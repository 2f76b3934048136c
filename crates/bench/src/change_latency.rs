//! Latency from a change in the helpdesk to its webhook at a receiver: creates tickets one
//! at a time straight in the sandbox and times each from just before the vendor call to the
//! moment its `ticket.created` delivery reaches a receiver inside this process. How the
//! change is noticed (a vendor webhook, or polling) is the connection's setting; this only
//! times it.
//!
//! The baseline is the floor of one delivery: the same receiver's round trip for a POST of
//! a delivery's size sent from here, one at a time on a kept-alive connection.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::endpoints;
use crate::gateway::Gateway;
use crate::receiver::{self, Arrival, Counts};
use crate::stats::{client, headers, json_answer, percentile};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    gateway: Gateway,
    /// The connection whose changes are timed. An endpoint for its `ticket.created` events
    /// is registered for the run and deleted after it.
    #[arg(long)]
    connection: String,
    /// The vendor call that creates a ticket in the sandbox: a POST of `--create-body`.
    #[arg(long)]
    create_url: String,
    /// `Name: value`; repeatable.
    #[arg(long = "create-header")]
    create_headers: Vec<String>,
    #[arg(long)]
    create_body: String,
    /// Where the created ticket's id is in the vendor's answer (a JSON pointer).
    #[arg(long, default_value = "/id")]
    id_pointer: String,
    /// Changes to time.
    #[arg(long)]
    samples: u32,
    /// Before each change a pause drawn at random up to this, so that changes fall at any
    /// point of a polling interval.
    #[arg(long, default_value_t = 0)]
    spread_ms: u64,
    /// A change not delivered within this counts as missed.
    #[arg(long, default_value_t = 30)]
    timeout_secs: u64,
    /// Direct POSTs timed for the baseline.
    #[arg(long, default_value_t = 200)]
    baseline_samples: u32,
}

fn ticket_id(body: &[u8]) -> Option<String> {
    let event: Value = serde_json::from_slice(body).ok()?;
    event["data"]["ticket"]["id"].as_str().map(str::to_owned)
}

fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn summary(mut us: Vec<u64>) -> Value {
    us.sort_unstable();
    let ms = |v: u64| v as f64 / 1000.0;
    json!({
        "samples": us.len(),
        "p50_ms": ms(percentile(&us, 50.0)),
        "p95_ms": ms(percentile(&us, 95.0)),
        "min_ms": ms(us.first().copied().unwrap_or(0)),
        "max_ms": ms(us.last().copied().unwrap_or(0)),
    })
}

/// Creates one ticket and waits for its delivery; the time between, or `None` if missed.
async fn one_change(
    args: &Args,
    http: &reqwest::Client,
    create_headers: &reqwest::header::HeaderMap,
    arrivals: &mut mpsc::UnboundedReceiver<Arrival>,
    last_body: &mut Option<axum::body::Bytes>,
) -> anyhow::Result<Option<Duration>> {
    // Whatever came before this change (a late repeat) is not its delivery.
    while arrivals.try_recv().is_ok() {}
    let started = Instant::now();
    let request = http
        .post(&args.create_url)
        .headers(create_headers.clone())
        .header("content-type", "application/json")
        .body(args.create_body.clone());
    let created = json_answer(request, "creating a ticket in the sandbox").await?;
    let id = created
        .pointer(&args.id_pointer)
        .and_then(id_text)
        .with_context(|| format!("no ticket id at {} in {created}", args.id_pointer))?;
    let deadline = started + Duration::from_secs(args.timeout_secs);
    loop {
        match tokio::time::timeout_at(deadline, arrivals.recv()).await {
            Ok(Some(arrival)) if ticket_id(&arrival.body).as_deref() == Some(id.as_str()) => {
                let took = arrival.at - started;
                *last_body = Some(arrival.body);
                return Ok(Some(took));
            }
            Ok(Some(_)) => {}
            Ok(None) => anyhow::bail!("the receiver stopped"),
            Err(_) => return Ok(None),
        }
    }
}

pub(crate) async fn run(args: Args) -> anyhow::Result<Value> {
    let http = client(Duration::from_secs(30))?;
    let create_headers = headers(&args.create_headers)?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (tx, mut arrivals) = mpsc::unbounded_channel();
    let counts = Arc::new(Counts::default());
    let app = receiver::router(counts, Some(tx));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let endpoint = endpoints::create(
        &http,
        &args.gateway,
        &json!({
            "url": format!("http://{addr}/latency"),
            "description": "bench change latency",
            "event_types": ["ticket.created"],
            "connection_id": args.connection,
        }),
    )
    .await?;
    let mut latencies = Vec::new();
    let mut missed = 0u32;
    let mut last_body = None;
    for _ in 0..args.samples {
        if args.spread_ms > 0 {
            let pause = rand::random_range(0..=args.spread_ms);
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
        match one_change(&args, &http, &create_headers, &mut arrivals, &mut last_body).await {
            Ok(Some(took)) => latencies.push(u64::try_from(took.as_micros()).unwrap_or(u64::MAX)),
            Ok(None) => missed += 1,
            Err(e) => {
                endpoints::delete(&http, &args.gateway, &endpoint).await?;
                return Err(e);
            }
        }
    }
    endpoints::delete(&http, &args.gateway, &endpoint).await?;

    // The floor: the same receiver, a body of a delivery's size, from this process.
    let body = last_body.unwrap_or_else(|| axum::body::Bytes::from(vec![b' '; 1024]));
    let url = format!("http://{addr}/baseline");
    let post = || {
        http.post(&url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
    };
    post().await?.error_for_status()?;
    let mut baseline = Vec::new();
    for _ in 0..args.baseline_samples {
        let started = Instant::now();
        post().await?.error_for_status()?;
        baseline.push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
    }
    let mut changes = summary(latencies);
    changes["missed"] = json!(missed);
    Ok(json!({
        "changes": changes,
        "baseline": summary(baseline),
        "body_bytes": body.len(),
    }))
}
