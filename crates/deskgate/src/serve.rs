use std::time::Duration;

use anyhow::Context;
use deskgate_api::AppState;
use deskgate_app::connections::RenewalSettings;
use deskgate_app::{App, AppSettings};
use deskgate_store::Store;
use secrecy::SecretBox;

use crate::config::Config;
use crate::keys::{self, VaultKeys};

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

/// Builds the application and checks the vault's keys against the database: a wrong key or
/// a missing version refuses to start here, not at the first decryption.
pub(crate) async fn build_app(
    config: &Config,
    store: Store,
    keys: VaultKeys,
) -> anyhow::Result<App> {
    let api_key_pepper = std::env::var("DESKGATE_API_KEY_PEPPER")
        .ok()
        .filter(|p| !p.is_empty())
        .map(|p| SecretBox::new(p.into_bytes().into_boxed_slice()));
    let app = App::new(
        store,
        keys.vault,
        AppSettings {
            api_key_pepper,
            auth_cache_ttl: Duration::from_secs(config.auth.cache_ttl_secs),
            credential_cache_ttl: Duration::from_secs(config.cache.credentials_ttl_secs),
            connection_cache_ttl: Duration::from_millis(config.cache.connections_ttl_millis),
            upstream: config.upstream_settings()?,
            public_url: config.public_url()?,
            events: config.events.settings()?,
            webhooks: config.webhooks.settings()?,
        },
    )
    .context("building the application")?;
    if let Err(e) = app.check_vault_keys().await {
        if let (Some(path), deskgate_app::credentials::KeyCheckError::Keys(_)) =
            (&keys.generated, &e)
        {
            // The key just generated can never open what the database holds: remove it so
            // that it is not mistaken for the right one later.
            let _ = std::fs::remove_file(path);
            return Err(anyhow::Error::new(e).context(format!(
                "no vault key was configured and none was found at {}, so a new one was generated, \
                 but the database was written with another key: restore the original key file \
                 (the generated one was removed) or configure the right key",
                path.display()
            )));
        }
        return Err(anyhow::Error::new(e).context("checking the vault keys against the database"));
    }
    Ok(app)
}

pub(crate) async fn migrate(config: &Config) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    store.close().await;
    tracing::info!("migrations applied");
    Ok(())
}

pub(crate) async fn serve(config: Config) -> anyhow::Result<()> {
    let keys = keys::load(&config)?;
    let store = open_store(&config).await?;
    let app = build_app(&config, store.clone(), keys).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    tracing::info!(backend = ?store.backend(), "deskgate listening on http://{addr}");
    if config.sandbox.url.is_some() {
        tracing::warn!(
            "every helpdesk call goes to the sandbox (sandbox.url is set): not for production"
        );
    }
    let renewal = config.renewal.settings()?;
    run_server(
        listener,
        app,
        Background {
            renewal,
            syncs: config.events.run_syncs,
            replicas: config.replicas.settings()?,
        },
        shutdown_signal(),
        axum::Router::new(),
    )
    .await?;
    store.close().await;
    tracing::info!("deskgate stopped");
    Ok(())
}

/// The background work a server runs beside the API.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Background {
    /// Renewing tokens ahead of time, unless `None`.
    pub(crate) renewal: Option<RenewalSettings>,
    /// Running connections' syncs.
    pub(crate) syncs: bool,
    /// The heartbeat that splits rate budgets between replicas.
    pub(crate) replicas: deskgate_app::replicas::ReplicaSettings,
}

/// Serves the API on `listener` until `shutdown`, sweeping expired idempotency records,
/// events and webhook attempts every hour, renewing tokens ahead of time and running syncs
/// (as `background` says) and delivering webhooks (unless `[webhooks] workers` is off)
/// meanwhile. On shutdown the webhook attempts in flight finish and are recorded before this
/// returns.
pub(crate) async fn run_server(
    listener: tokio::net::TcpListener,
    app: App,
    background: Background,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    extra: axum::Router,
) -> anyhow::Result<()> {
    let renewer = background
        .renewal
        .map(|settings| tokio::spawn(app.clone().run_renewals(settings)));
    let syncer = background
        .syncs
        .then(|| tokio::spawn(app.clone().run_syncs()));
    let (stop_heartbeats, stop) = tokio::sync::watch::channel(false);
    let heartbeats = tokio::spawn(app.clone().run_heartbeats(background.replicas, stop));
    let (stop_deliveries, stop) = tokio::sync::watch::channel(false);
    let deliveries = app
        .webhook_settings()
        .workers
        .then(|| tokio::spawn(app.clone().run_deliveries(stop)));
    let delivery_grace = app.webhook_settings().timeout + Duration::from_secs(5);
    let sweeper = tokio::spawn({
        let app = app.clone();
        async move {
            let mut every = tokio::time::interval(Duration::from_secs(3600));
            loop {
                every.tick().await;
                swept("expired idempotency records", app.sweep_idempotency().await);
                swept("expired oauth sessions", app.sweep_oauth_sessions().await);
                swept("events past their retention", app.sweep_events().await);
                swept("old webhook attempts", app.sweep_webhook_attempts().await);
            }
        }
    });
    let served = axum::serve(
        listener,
        deskgate_api::router(AppState::new(app)).merge(extra),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving http");
    sweeper.abort();
    if let Some(renewer) = renewer {
        renewer.abort();
    }
    if let Some(syncer) = syncer {
        syncer.abort();
    }
    // This replica's share goes to the others at their next beat.
    let _ = stop_heartbeats.send(true);
    if tokio::time::timeout(Duration::from_secs(5), heartbeats)
        .await
        .is_err()
    {
        tracing::warn!("could not remove this replica's heartbeat row in time");
    }
    if let Some(mut deliveries) = deliveries {
        let _ = stop_deliveries.send(true);
        // Attempts in flight end within their timeout; one that does not is sent again by
        // another replica once its claim lapses.
        if tokio::time::timeout(delivery_grace, &mut deliveries)
            .await
            .is_err()
        {
            deliveries.abort();
        }
    }
    served
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish before the process exits.
pub(crate) async fn shutdown_signal() {
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

/// Logs what one sweep of the hourly round deleted, or why it failed.
fn swept(what: &str, outcome: Result<u64, deskgate_app::AppError>) {
    match outcome {
        Ok(0) => {}
        Ok(n) => tracing::info!(deleted = n, "{what} swept"),
        Err(e) => tracing::warn!(error = %e, "sweeping {what} failed"),
    }
}
