use std::time::Duration;

use anyhow::Context;
use deskgate_api::AppState;
use deskgate_app::{App, AppSettings};
use deskgate_store::Store;
use secrecy::SecretBox;

use crate::config::Config;

/// Opens the configured database and applies pending migrations.
pub(crate) async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(&config.database.url, config.database.pool_options())
        .await
        .with_context(|| {
            format!(
                "opening the {:?} database",
                deskgate_store::db::backend_of(&config.database.url).ok()
            )
        })?;
    store
        .migrate()
        .await
        .context("applying database migrations")?;
    Ok(store)
}

pub(crate) fn build_app(config: &Config, store: Store) -> App {
    let api_key_pepper = std::env::var("DESKGATE_API_KEY_PEPPER")
        .ok()
        .filter(|p| !p.is_empty())
        .map(|p| SecretBox::new(p.into_bytes().into_boxed_slice()));
    App::new(
        store,
        AppSettings {
            api_key_pepper,
            auth_cache_ttl: Duration::from_secs(config.auth.cache_ttl_secs),
        },
    )
}

pub(crate) async fn migrate(config: &Config) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    store.close().await;
    tracing::info!("migrations applied");
    Ok(())
}

pub(crate) async fn serve(config: Config) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    let app = build_app(&config, store.clone());
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    tracing::info!(backend = ?store.backend(), "deskgate listening on http://{addr}");
    axum::serve(listener, deskgate_api::router(AppState::new(app)))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving http")?;
    store.close().await;
    tracing::info!("deskgate stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish before the process exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
