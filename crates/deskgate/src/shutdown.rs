//! How a serving process stops: it is told (SIGTERM, Ctrl-C), `/readyz` answers 503 at once
//! so that the load balancer takes it out of rotation, it keeps serving for `drain_delay`
//! while the balancer notices, then stops accepting connections and lets the requests in
//! flight finish within `grace`; past it, it stops anyway and says how many it cut.

use std::future::{Future, IntoFuture};
use std::time::Duration;

use anyhow::Context;
use deskgate_api::Lifecycle;

/// The `[server]` settings of a shutdown.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StopSettings {
    /// How long the process keeps serving after it was told to stop, with `/readyz` at 503.
    pub(crate) drain_delay: Duration,
    /// How long the requests in flight then have to finish.
    pub(crate) grace: Duration,
}

/// Serves `router` on `listener` until `signal`, then runs the shutdown sequence. Returns
/// once every connection is closed, or once the grace period has passed.
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    lifecycle: Lifecycle,
    signal: impl Future<Output = ()> + Send + 'static,
    settings: StopSettings,
) -> anyhow::Result<()> {
    let (closing, closed) = tokio::sync::oneshot::channel::<()>();
    let drained = {
        let lifecycle = lifecycle.clone();
        async move {
            signal.await;
            lifecycle.start_draining();
            tracing::info!(
                drain_delay_ms = settings.drain_delay.as_millis(),
                "shutting down: /readyz answers 503; still serving while the load balancer notices"
            );
            tokio::time::sleep(settings.drain_delay).await;
            tracing::info!(
                in_flight = lifecycle.in_flight(),
                grace_secs = settings.grace.as_secs_f64(),
                "no longer accepting connections; finishing the requests in flight"
            );
            let _ = closing.send(());
        }
    };
    let server = axum::serve(listener, router)
        .with_graceful_shutdown(drained)
        .into_future();
    tokio::pin!(server);
    tokio::select! {
        served = &mut server => return served.context("serving http"),
        _ = closed => {}
    }
    match tokio::time::timeout(settings.grace, &mut server).await {
        Ok(served) => served.context("serving http"),
        Err(_) => {
            let cut = lifecycle.in_flight();
            tracing::warn!(
                cut,
                grace_secs = settings.grace.as_secs_f64(),
                "the shutdown grace period passed: stopping with {cut} request(s) unfinished"
            );
            Ok(())
        }
    }
}
