use std::io::Write;

use anyhow::Context;
use deskgate_app::RequestContext;
use secrecy::ExposeSecret;

use crate::config::Config;
use crate::keys;
use crate::serve::{build_app, open_store};

pub(crate) async fn create(config: &Config, name: &str, json: bool) -> anyhow::Result<()> {
    let keys = keys::load(config)?;
    let store = open_store(config).await?;
    let app = build_app(config, store.clone(), keys).await?;
    let (tenant, key) = app
        .create_tenant(name, &RequestContext::operator())
        .await
        .context("creating the tenant")?;
    store.close().await;
    let mut out = std::io::stdout().lock();
    if json {
        let v = serde_json::json!({
            "tenant_id": tenant.id,
            "name": tenant.name,
            "api_key_id": key.key.id,
            "api_key": key.secret.expose_secret(),
        });
        writeln!(out, "{v}")?;
    } else {
        writeln!(out, "tenant {} ({})", tenant.name, tenant.id)?;
        writeln!(out, "api key: {}", key.secret.expose_secret())?;
        writeln!(
            out,
            "This key is shown once. Store it now; `GET /v1/api-keys` lists keys without secrets."
        )?;
    }
    Ok(())
}

pub(crate) async fn list(config: &Config, json: bool) -> anyhow::Result<()> {
    let keys = keys::load(config)?;
    let store = open_store(config).await?;
    let app = build_app(config, store.clone(), keys).await?;
    let tenants = app.list_tenants().await.context("listing tenants")?;
    store.close().await;
    let mut out = std::io::stdout().lock();
    if json {
        let v: Vec<_> = tenants
            .iter()
            .map(|t| serde_json::json!({"id": t.id, "name": t.name, "created_at": t.created_at}))
            .collect();
        writeln!(out, "{}", serde_json::Value::Array(v))?;
    } else if tenants.is_empty() {
        writeln!(
            out,
            "no tenants yet: create one with `deskgate tenant create NAME`"
        )?;
    } else {
        for t in tenants {
            writeln!(
                out,
                "{}  {}  {}",
                t.id,
                t.created_at.format("%Y-%m-%d %H:%M:%SZ"),
                t.name
            )?;
        }
    }
    Ok(())
}
