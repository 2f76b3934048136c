//! Stores many connections quickly: straight through the store, with credentials sealed by
//! the vault exactly as the application seals them (same key file, same owner binding), so
//! that the gateway opens them like any other. The first `active` connections point at
//! sandbox accounts of their own (created here); the rest at accounts never called.

use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use deskgate_core::{ConnectionId, TenantId};
use deskgate_store::Store;
use deskgate_store::audit::AuditEvent;
use deskgate_store::connections::{ConnectionRecord, settings};
use deskgate_store::credentials::NewCredential;
use deskgate_store::db::PoolOptions;
use deskgate_vault::{AssociatedData, KeyRing, Vault};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::stats::client;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The gateway's database (`sqlite:FILE`), already migrated.
    #[arg(long)]
    database_url: String,
    /// The gateway's vault key file.
    #[arg(long)]
    key_file: std::path::PathBuf,
    #[arg(long)]
    tenant: String,
    /// The sandbox's base URL, where the active connections' accounts are created.
    #[arg(long)]
    sandbox: String,
    /// Connections to store.
    #[arg(long)]
    total: u64,
    /// How many of them get a sandbox account of their own (written to `--ids`).
    #[arg(long)]
    active: u64,
    #[arg(long)]
    ids: std::path::PathBuf,
}

/// An account's API-token login.
struct Login {
    email: String,
    token: String,
}

async fn sandbox_account(
    client: &reqwest::Client,
    sandbox: &str,
    sub: &str,
) -> anyhow::Result<Login> {
    let base = format!("{}/_sandbox/zendesk/{sub}", sandbox.trim_end_matches('/'));
    client
        .put(&base)
        .json(&json!({"tickets": 10, "seed": 1, "rate_limit_per_minute": 100_000}))
        .send()
        .await?
        .error_for_status()
        .with_context(|| format!("creating sandbox account {sub}"))?;
    let creds: Value = client
        .get(format!("{base}/credentials"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(Login {
        email: creds["admin"]["email"]
            .as_str()
            .context("credentials without admin.email")?
            .to_owned(),
        token: creds["api_token"]
            .as_str()
            .context("credentials without api_token")?
            .to_owned(),
    })
}

async fn store_one(
    store: &Store,
    vault: &Vault,
    tenant: TenantId,
    account: &str,
    login: &Login,
) -> anyhow::Result<ConnectionId> {
    let id = ConnectionId::new();
    let now = Utc::now();
    let record = ConnectionRecord {
        id,
        tenant_id: tenant,
        provider: deskgate_core::Provider::Zendesk,
        account_label: account.to_owned(),
        auth_kind: deskgate_core::AuthMode::ApiToken,
        status: deskgate_core::ConnectionStatus::Active,
        external_ref: None,
        created_at: now,
        updated_at: now,
        token_expires_at: None,
        status_detail: None,
        settings: settings(json!({})),
    };
    let key_version = i32::try_from(vault.key_ring().active_version())?;
    let seal = |field: &str, value: &str| {
        vault.seal(
            &AssociatedData::connection_credential(tenant.as_uuid(), id.as_uuid(), field),
            value.as_bytes(),
        )
    };
    let email = seal("email", &login.email)?;
    let token = seal("api_token", &login.token)?;
    let rows = [
        NewCredential {
            field: "email",
            sealed: &email,
            key_version,
        },
        NewCredential {
            field: "api_token",
            sealed: &token,
            key_version,
        },
    ];
    let audit = AuditEvent {
        tenant_id: Some(tenant),
        at: now,
        actor: "operator".into(),
        action: "connection.create".into(),
        target: Some(format!("connection:{id}")),
        request_id: None,
        detail: json!({"provider": "zendesk", "account": account, "seeded": true}),
    };
    store
        .create_connection(&record, &rows, &audit, None, &[])
        .await?;
    Ok(id)
}

pub(crate) async fn run(args: Args) -> anyhow::Result<Value> {
    let tenant: TenantId = args.tenant.parse().context("--tenant is not an id")?;
    let key_file = std::fs::read_to_string(&args.key_file).context("reading the key file")?;
    let vault = Arc::new(Vault::new(KeyRing::from_key_file(&SecretString::from(
        key_file,
    ))?));
    let store = Store::connect(
        &args.database_url,
        PoolOptions {
            max_connections: 4,
            acquire_timeout: Duration::from_secs(30),
        },
    )
    .await?;
    let client = client(Duration::from_secs(30))?;
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(8));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..args.total {
        let permit = Arc::clone(&gate).acquire_owned().await?;
        let (store, vault, client) = (store.clone(), Arc::clone(&vault), client.clone());
        let sandbox = args.sandbox.clone();
        let active = i < args.active;
        tasks.spawn(async move {
            let (account, login) = if active {
                let sub = format!("m{i}");
                let login = sandbox_account(&client, &sandbox, &sub).await?;
                (sub, login)
            } else {
                let login = Login {
                    email: format!("admin@idle{i}.test"),
                    token: "0".repeat(40),
                };
                (format!("idle{i}"), login)
            };
            let id = store_one(&store, &vault, tenant, &account, &login).await?;
            drop(permit);
            anyhow::Ok((active, id))
        });
    }
    let mut active_ids = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (active, id) = done??;
        if active {
            active_ids.push(id);
        }
    }
    let mut out = std::fs::File::create(&args.ids).context("writing the ids")?;
    for id in &active_ids {
        writeln!(out, "{id}")?;
    }
    store.close().await;
    Ok(json!({
        "stored": args.total,
        "active": active_ids.len(),
        "elapsed_s": started.elapsed().as_secs_f64(),
    }))
}
