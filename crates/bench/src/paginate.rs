//! Walks a whole ticket list through the unified API, one page after another, as a sync
//! job would.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::gateway::Gateway;
use crate::stats::{client, json_answer};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    gateway: Gateway,
    #[arg(long)]
    connection: String,
    #[arg(long, default_value_t = 100)]
    limit: u32,
}

pub(crate) async fn run(args: Args) -> anyhow::Result<Value> {
    let client = client(Duration::from_secs(60))?;
    let path = format!("/v1/connections/{}/tickets", args.connection);
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
        let request = args
            .gateway
            .request(&client, reqwest::Method::GET, &path)
            .query(&query);
        let body = json_answer(request, &format!("listing page {}", pages + 1)).await?;
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
