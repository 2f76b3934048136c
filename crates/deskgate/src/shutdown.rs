//! How a serving process serves and stops.
//!
//! It serves HTTP on the process's shared, work-stealing runtime, or, with `[server]
//! threads` set, the way nginx's workers do: that many threads, each with a single-threaded
//! runtime of its own, so that a request is read, handled, sent to the helpdesk and answered
//! on one thread, without the hand-offs between threads a work-stealing runtime makes on
//! every request. One acceptor hands the threads their connections in turn. It costs less
//! CPU a request and gives up the stealing that evens out a busy thread's queue: on a
//! machine whose cores are shared with other busy processes its tail latency is worse, so it
//! is a choice, not the default (docs/performance.md, "One runtime per serving thread").
//!
//! It stops when told (SIGTERM, Ctrl-C): `/readyz` answers 503 at once so that the load
//! balancer takes it out of rotation, it keeps serving for `drain_delay` while the balancer
//! notices, then stops accepting connections and lets the requests in flight finish within
//! `grace`; past it, it stops anyway and says how many it cut.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::time::Duration;

use anyhow::Context;
use axum::serve::{ListenerExt, TapIo};
use deskgate_api::Lifecycle;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

/// The `[server]` settings of serving and stopping.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ServerSettings {
    /// How many threads serve HTTP, each on a runtime of its own; `None`: the process's
    /// shared runtime serves it.
    pub(crate) threads: Option<NonZeroUsize>,
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

/// Serves `router` on `listener` (from `settings.threads` threads, if set) until `signal`, then runs
/// the shutdown sequence. Returns once every connection is closed, or once the grace period
/// has passed (the connections left are dropped with the [`HttpThreads`]).
pub(crate) async fn serve(
    listener: TcpListener,
    router: axum::Router,
    lifecycle: Lifecycle,
    signal: impl Future<Output = ()> + Send + 'static,
    settings: ServerSettings,
) -> (anyhow::Result<()>, HttpThreads) {
    let (exit, exited) = watch::channel(());
    let threads = HttpThreads { _exit: exit };
    let (stop_accepting, accepting) = watch::channel(false);
    let (ended, mut results) = mpsc::unbounded_channel();
    let listener = accepting_no_delay(listener);
    let started = match settings.threads {
        Some(threads) => start_threads(listener, &router, threads, &accepting, &exited, &ended),
        None => {
            tokio::spawn(serve_shared(
                listener,
                router,
                accepting.clone(),
                ended.clone(),
            ));
            Ok(1)
        }
    };
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

/// The listening socket, as the serving paths accept from it: every connection with Nagle's
/// algorithm off ([`no_delay`]).
type Accepting = TapIo<TcpListener, fn(&mut TcpStream)>;

fn accepting_no_delay(listener: TcpListener) -> Accepting {
    listener.tap_io(no_delay as fn(&mut TcpStream))
}

/// Turns Nagle's algorithm off on an accepted connection. An answer written in several
/// writes (a list mapped and sent as the vendor's page arrives, a passthrough body passed on
/// chunk by chunk) would otherwise hold each write after the first until the client
/// acknowledged the one before, and a client that delays its acknowledgements (as Linux's
/// TCP does by default) stalls such an answer by up to 40 ms.
fn no_delay(stream: &mut TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "TCP_NODELAY could not be set on a connection");
    }
}

/// Serves on the process's shared, work-stealing runtime (`[server] threads = 0`) until
/// `accepting` turns false; sends how that went.
async fn serve_shared(
    listener: Accepting,
    router: axum::Router,
    mut accepting: watch::Receiver<bool>,
    ended: mpsc::UnboundedSender<anyhow::Result<()>>,
) {
    let served = axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = accepting.wait_for(|stop| *stop).await;
        })
        .await;
    let _ = ended.send(served.context("serving http"));
}

/// Starts the serving threads and the acceptor that hands them connections; returns how many
/// threads started. Each sends one result on `ended` when it stops serving.
fn start_threads(
    listener: Accepting,
    router: &axum::Router,
    threads: NonZeroUsize,
    accepting: &watch::Receiver<bool>,
    exited: &watch::Receiver<()>,
    ended: &mpsc::UnboundedSender<anyhow::Result<()>>,
) -> anyhow::Result<usize> {
    let local =
        axum::serve::Listener::local_addr(&listener).context("reading the bound address")?;
    let mut hand_to = Vec::with_capacity(threads.get());
    for i in 0..threads.get() {
        let (to_thread, connections) = mpsc::unbounded_channel();
        hand_to.push(to_thread);
        let handed = Handed { connections, local };
        let (router, accepting, exited, ended) = (
            router.clone(),
            accepting.clone(),
            exited.clone(),
            ended.clone(),
        );
        std::thread::Builder::new()
            .name(format!("deskgate-http-{i}"))
            .spawn(move || serve_thread(handed, router, accepting, exited, &ended))
            .context("starting a serving thread")?;
    }
    tokio::spawn(accept(listener, hand_to, accepting.clone()));
    Ok(threads.get())
}

/// A connection accepted for a serving thread, as a socket not yet bound to any runtime.
type Accepted = (std::net::TcpStream, SocketAddr);

/// Accepts connections until `accepting` turns false and hands them to the serving threads
/// in turn, so that each serves as many: threads racing on one socket would not share them
/// evenly (one took three in five of a benchmark's connections, and its queue made the
/// tail). Closes the socket when it stops, so that new connections are refused.
async fn accept(
    mut listener: Accepting,
    hand_to: Vec<mpsc::UnboundedSender<Accepted>>,
    mut accepting: watch::Receiver<bool>,
) {
    for thread in hand_to.iter().cycle() {
        let (stream, peer) = tokio::select! {
            // axum's own accept: it retries what a client caused and pauses on the rest
            // (too many open files), logging it.
            accepted = axum::serve::Listener::accept(&mut listener) => accepted,
            _ = accepting.wait_for(|stop| *stop) => return,
        };
        match stream.into_std() {
            Ok(stream) => {
                // A thread gone (its runtime failed to start) has reported why; the
                // connection is dropped with the message.
                let _ = thread.send((stream, peer));
            }
            Err(e) => tracing::warn!(error = %e, "an accepted connection could not be handed on"),
        }
    }
}

/// A serving thread's side of [`accept`]: the connections handed to it, each registered with
/// this thread's runtime as it is taken.
struct Handed {
    connections: mpsc::UnboundedReceiver<Accepted>,
    local: SocketAddr,
}

impl axum::serve::Listener for Handed {
    type Io = tokio::net::TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            // The acceptor stopped: no more connections; the graceful shutdown ends the loop.
            let Some((stream, peer)) = self.connections.recv().await else {
                return std::future::pending().await;
            };
            match tokio::net::TcpStream::from_std(stream) {
                Ok(stream) => return (stream, peer),
                Err(e) => tracing::warn!(error = %e, "a handed connection could not be served"),
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local)
    }
}

/// One serving thread: serves the connections handed to it until `accepting` turns false,
/// sends how that went, then keeps its runtime (and the connections still open on it) until
/// `exited` closes.
fn serve_thread(
    listener: Handed,
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
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = accepting.wait_for(|stop| *stop).await;
            })
            .into_future();
        tokio::select! {
            served = served => {
                let _ = ended.send(served.context("serving http"));
                let _ = exited.changed().await;
            }
            _ = exited.changed() => {}
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_connections_send_without_waiting_for_acknowledgements() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let addr = listener.local_addr().expect("bound");
        let mut accepting = accepting_no_delay(listener);
        let client = TcpStream::connect(addr).await.expect("connects");
        let (served, _) = axum::serve::Listener::accept(&mut accepting).await;
        assert!(
            served.nodelay().expect("readable"),
            "Nagle's algorithm is off"
        );
        // A socket's default, so that the assertion above is this code's doing.
        assert!(!client.nodelay().expect("readable"));
    }
}
