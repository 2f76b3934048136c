use std::time::Duration;

use anyhow::Context;
use deskgate_api::AppState;
use deskgate_app::connections::RenewalSettings;
use deskgate_app::{App, AppSettings};
use deskgate_store::Store;
use secrecy::SecretBox;

use crate::config::Config;
use crate::keys::{self, VaultKeys};
use crate::shutdown::{HttpThreads, ServerSettings};

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
            limits: config.limits.settings()?,
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
    let (served, threads) = run_server(
        listener,
        app,
        Background {
            renewal,
            syncs: config.events.run_syncs,
            replicas: config.replicas.settings()?,
        },
        shutdown_signal(),
        config.server.settings()?,
        axum::Router::new(),
    )
    .await;
    close_store(&store).await;
    // Last: a database connection a serving thread opened runs on its runtime.
    drop(threads);
    served?;
    tracing::info!("deskgate stopped");
    Ok(())
}

/// How long a shutdown waits for a token renewal round under way.
const RENEWAL_GRACE: Duration = Duration::from_secs(30);

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
/// meanwhile. On shutdown it drains as `stopping` says (`shutdown.rs`) while its background
/// work stops beside it: the heartbeat row goes at once, and a renewal round and the webhook
/// attempts under way finish (and are recorded) before this returns. Drop the
/// [`HttpThreads`] it returns after closing the database pool.
pub(crate) async fn run_server(
    listener: tokio::net::TcpListener,
    app: App,
    background: Background,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    server: ServerSettings,
    extra: axum::Router,
) -> (anyhow::Result<()>, HttpThreads) {
    // Background work is told to stop when the process is, beside the HTTP drain, so that
    // the whole shutdown takes the longest of them, not their sum.
    let (stop_background, stop) = tokio::sync::watch::channel(false);
    let renewer = background
        .renewal
        .map(|settings| tokio::spawn(app.clone().run_renewals(settings, stop.clone())));
    let syncer = background
        .syncs
        .then(|| tokio::spawn(app.clone().run_syncs()));
    // A stopping replica removes its heartbeat row at once: the others take its share of
    // each rate budget at their next beat, while it drains.
    let heartbeats = tokio::spawn(
        app.clone()
            .run_heartbeats(background.replicas, stop.clone()),
    );
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
    let state = AppState::new(app);
    let lifecycle = state.lifecycle.clone();
    let router = deskgate_api::router(state).merge(extra);
    let signal = async move {
        shutdown.await;
        let _ = stop_background.send(true);
    };
    let (served, threads) =
        crate::shutdown::serve(listener, router, lifecycle, signal, server).await;
    sweeper.abort();
    if let Some(syncer) = syncer {
        syncer.abort();
    }
    tokio::join!(
        // A renewal round under way finishes (its vendor calls end within their deadline),
        // so that no rotated refresh token is lost between the vendor's answer and the store.
        finish(
            renewer,
            RENEWAL_GRACE,
            "the token renewal round did not finish in time and was cut"
        ),
        finish(
            Some(heartbeats),
            Duration::from_secs(5),
            "could not remove this replica's heartbeat row in time"
        ),
        // Attempts in flight end within their timeout; one that does not is sent again by
        // another replica once its claim lapses.
        finish(
            deliveries,
            delivery_grace,
            "webhook attempts in flight did not finish in time and were cut"
        ),
    );
    (served, threads)
}

/// Waits for `task` to end, up to `within` (counted from now: the task was told to stop when
/// the process was), else aborts it and logs `cut`.
async fn finish(task: Option<tokio::task::JoinHandle<()>>, within: Duration, cut: &str) {
    let Some(mut task) = task else {
        return;
    };
    if tokio::time::timeout(within, &mut task).await.is_err() {
        tracing::warn!("{cut}");
        task.abort();
    }
}

/// Resolves on Ctrl-C or SIGTERM; the shutdown sequence (`shutdown.rs`) follows.
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
}

/// Closes the pool, unless connections held by requests cut at the end of the grace period
/// keep it open: then the process exits without waiting for them.
pub(crate) async fn close_store(store: &Store) {
    if tokio::time::timeout(Duration::from_secs(2), store.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still in use at exit");
    }
}

/// Logs what one sweep of the hourly round deleted, or why it failed.
fn swept(what: &str, outcome: Result<u64, deskgate_app::AppError>) {
    match outcome {
        Ok(0) => {}
        Ok(n) => tracing::info!(deleted = n, "{what} swept"),
        Err(e) => tracing::warn!(error = %e, "sweeping {what} failed"),
    }
}
