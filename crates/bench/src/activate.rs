//! Makes connections active: one real request through the gateway for each, so that its
//! credentials are opened and cached and its upstream account's budget is live.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::gateway::Gateway;
use crate::stats::client;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    gateway: Gateway,
    /// A file with one connection id per line.
    #[arg(long)]
    ids: std::path::PathBuf,
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
}

pub(crate) async fn run(args: Args) -> anyhow::Result<Value> {
    let ids = std::fs::read_to_string(&args.ids).context("reading the connection ids")?;
    let client = client(Duration::from_secs(60))?;
    let gate = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for id in ids.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let permit = Arc::clone(&gate).acquire_owned().await?;
        let request = args.gateway.request(
            &client,
            reqwest::Method::GET,
            &format!("/v1/connections/{id}/passthrough/api/v2/tickets/1"),
        );
        let (ok, failed) = (Arc::clone(&ok), Arc::clone(&failed));
        tasks.spawn(async move {
            let good = matches!(request.send().await, Ok(r) if r.status().is_success());
            if good { &ok } else { &failed }.fetch_add(1, Ordering::Relaxed);
            drop(permit);
        });
    }
    while tasks.join_next().await.is_some() {}
    Ok(json!({
        "ok": ok.load(Ordering::Relaxed),
        "failed": failed.load(Ordering::Relaxed),
        "elapsed_s": started.elapsed().as_secs_f64(),
    }))
}
