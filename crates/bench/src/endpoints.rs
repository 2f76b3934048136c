//! Registers many webhook endpoints through the gateway's API, for the fan-out benchmark;
//! and the one create and delete calls the latency driver makes for its own endpoint.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::gateway::Gateway;
use crate::stats::{client, json_answer};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    gateway: Gateway,
    /// The receiver's base URL; endpoint `i` gets `{url}/{i}`.
    #[arg(long)]
    url: String,
    #[arg(long)]
    count: u32,
    /// Only this connection's events.
    #[arg(long)]
    connection: Option<String>,
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

/// Registers an endpoint (`body` as `POST /v1/webhook-endpoints` takes it); answers its id.
pub(crate) async fn create(
    client: &reqwest::Client,
    gateway: &Gateway,
    body: &Value,
) -> anyhow::Result<String> {
    let request = gateway
        .request(client, Method::POST, "/v1/webhook-endpoints")
        .json(body);
    let answer = json_answer(request, "registering a webhook endpoint").await?;
    Ok(answer["id"]
        .as_str()
        .context("an endpoint without an id")?
        .to_owned())
}

pub(crate) async fn delete(
    client: &reqwest::Client,
    gateway: &Gateway,
    id: &str,
) -> anyhow::Result<()> {
    gateway
        .request(
            client,
            Method::DELETE,
            &format!("/v1/webhook-endpoints/{id}"),
        )
        .send()
        .await?
        .error_for_status()
        .context("deleting a webhook endpoint")?;
    Ok(())
}

pub(crate) async fn run(args: Args) -> anyhow::Result<Value> {
    let client = client(Duration::from_secs(30))?;
    let gate = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..args.count {
        let permit = Arc::clone(&gate).acquire_owned().await?;
        let (client, gateway) = (client.clone(), args.gateway.clone());
        let body = json!({
            "url": format!("{}/{i}", args.url.trim_end_matches('/')),
            "description": format!("bench {i}"),
            "connection_id": args.connection,
        });
        tasks.spawn(async move {
            let id = create(&client, &gateway, &body).await;
            drop(permit);
            id
        });
    }
    let mut created = 0u32;
    while let Some(done) = tasks.join_next().await {
        done??;
        created += 1;
    }
    Ok(json!({
        "created": created,
        "elapsed_s": started.elapsed().as_secs_f64(),
    }))
}
