//! How a serving process serves and stops.
//!
//! It serves HTTP the way nginx's workers do: one thread per core, each with a
//! single-threaded runtime of its own accepting on the same listening socket, so that a
//! request is read, handled, sent to the helpdesk and answered on one thread, without the
//! hand-offs between threads a shared work-stealing runtime makes on every request
//! (docs/performance.md, "One runtime per serving thread").
//!
//! It stops when told (SIGTERM, Ctrl-C): `/readyz` answers 503 at once so that the load
//! balancer takes it out of rotation, it keeps serving for `drain_delay` while the balancer
//! notices, then stops accepting connections and lets the requests in flight finish within
//! `grace`; past it, it stops anyway and says how many it cut.

use std::future::{Future, IntoFuture};
use std::num::NonZeroUsize;
use std::time::Duration;

use anyhow::Context;
use deskgate_api::Lifecycle;
use tokio::sync::{mpsc, watch};

/// The `[server]` settings of serving and stopping.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ServerSettings {
    /// How many threads serve HTTP, each on a runtime of its own.
    pub(crate) threads: NonZeroUsize,
    /// How long the process keeps serving after it was told to stop, with `/readyz` at 503.
    pub(crate) drain_delay: Duration,
    /// How long the requests in flight then have to finish.
    pub(crate) grace: Duration,
}

/// The threads serving HTTP. Their runtimes stay up, driving the I/O of what they opened (a
/// pooled database connection among it), until this is dropped: drop it once the
/// background work and the database pool are closed.
pub(crate) struct HttpThreads {
    _exit: watch::Sender<()>,
}

/// Serves `router` on `listener` from `settings.threads` threads until `signal`, then runs
/// the shutdown sequence. Returns once every connection is closed, or once the grace period
/// has passed (the connections left are dropped with the [`HttpThreads`]).
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    lifecycle: Lifecycle,
    signal: impl Future<Output = ()> + Send + 'static,
    settings: ServerSettings,
) -> (anyhow::Result<()>, HttpThreads) {
    let (exit, exited) = watch::channel(());
    let threads = HttpThreads { _exit: exit };
    let (stop_accepting, accepting) = watch::channel(false);
    let (ended, mut results) = mpsc::unbounded_channel();
    let started = start_threads(
        listener,
        &router,
        settings.threads,
        &accepting,
        &exited,
        &ended,
    );
    drop(ended);
    let count = match started {
        Ok(count) => count,
        Err(e) => return (Err(e), threads),
    };
    let all_served = async move {
        for _ in 0..count {
            match results.recv().await {
                Some(Ok(())) => {}
                Some(Err(e)) => return Err(e),
                None => anyhow::bail!("a serving thread ended without a result"),
            }
        }
        Ok(())
    };
    tokio::pin!(all_served);
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
        }
    };
    tokio::select! {
        served = &mut all_served => return (served, threads),
        () = drained => {}
    }
    let _ = stop_accepting.send(true);
    let served = match tokio::time::timeout(settings.grace, &mut all_served).await {
        Ok(served) => served,
        Err(_) => {
            let cut = lifecycle.in_flight();
            tracing::warn!(
                cut,
                grace_secs = settings.grace.as_secs_f64(),
                "the shutdown grace period passed: stopping with {cut} request(s) unfinished"
            );
            Ok(())
        }
    };
    (served, threads)
}

/// Starts the serving threads, each on a copy of the listening socket; returns how many
/// started. Each sends one result on `ended` when it stops serving.
fn start_threads(
    listener: tokio::net::TcpListener,
    router: &axum::Router,
    threads: NonZeroUsize,
    accepting: &watch::Receiver<bool>,
    exited: &watch::Receiver<()>,
    ended: &mpsc::UnboundedSender<anyhow::Result<()>>,
) -> anyhow::Result<usize> {
    let listener = listener.into_std().context("taking the listening socket")?;
    for i in 0..threads.get() {
        let listener = listener
            .try_clone()
            .context("sharing the listening socket between threads")?;
        let (router, accepting, exited, ended) = (
            router.clone(),
            accepting.clone(),
            exited.clone(),
            ended.clone(),
        );
        std::thread::Builder::new()
            .name(format!("deskgate-http-{i}"))
            .spawn(move || serve_thread(listener, router, accepting, exited, &ended))
            .context("starting a serving thread")?;
    }
    Ok(threads.get())
}

/// One serving thread: accepts and serves connections until `accepting` turns false, sends
/// how that went, then keeps its runtime (and the connections still open on it) until
/// `exited` closes.
fn serve_thread(
    listener: std::net::TcpListener,
    router: axum::Router,
    mut accepting: watch::Receiver<bool>,
    mut exited: watch::Receiver<()>,
    ended: &mpsc::UnboundedSender<anyhow::Result<()>>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = ended.send(Err(
                anyhow::Error::new(e).context("starting a serving runtime")
            ));
            return;
        }
    };
    runtime.block_on(async move {
        let served = async {
            let listener = tokio::net::TcpListener::from_std(listener)
                .context("listening on a serving thread")?;
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = accepting.wait_for(|stop| *stop).await;
                })
                .into_future()
                .await
                .context("serving http")
        };
        tokio::select! {
            served = served => {
                let _ = ended.send(served);
                let _ = exited.changed().await;
            }
            _ = exited.changed() => {}
        }
    });
}
