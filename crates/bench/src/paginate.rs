//! Walks a whole ticket list through the unified API, one page after another, as a sync
//! job would.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::stats::client;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The gateway's base URL.
    #[arg(long)]
    gateway: String,
    #[arg(long)]
    api_key: String,
    #[arg(long)]
    connection: String,
    #[arg(long, default_value_t = 100)]
    limit: u32,
}

pub(crate) async fn run(args: Args) -> anyhow::Result<Value> {
    let client = client(Duration::from_secs(60))?;
    let base = format!(
        "{}/v1/connections/{}/tickets",
        args.gateway.trim_end_matches('/'),
        args.connection
    );
    let mut seen = HashSet::new();
    let mut pages = 0u64;
    let mut tickets = 0u64;
    let mut cursor: Option<String> = None;
    let started = Instant::now();
    loop {
        let mut query = vec![("limit", args.limit.to_string())];
        if let Some(c) = &cursor {
            query.push(("cursor", c.clone()));
        }
        let response = client
            .get(&base)
            .bearer_auth(&args.api_key)
            .query(&query)
            .send()
            .await
            .context("listing tickets")?;
        let status = response.status();
        let body: Value = response.json().await.context("reading a page")?;
        if !status.is_success() {
            bail!("page {} answered {status}: {body}", pages + 1);
        }
        pages += 1;
        for t in body["data"].as_array().into_iter().flatten() {
            tickets += 1;
            seen.insert(t["id"].as_str().unwrap_or_default().to_owned());
        }
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    Ok(json!({
        "pages": pages,
        "tickets": tickets,
        "unique": seen.len(),
        "elapsed_s": started.elapsed().as_secs_f64(),
    }))
}
