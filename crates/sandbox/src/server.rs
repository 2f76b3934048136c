//! Serving the sandbox: the [`router`] (the test seam), [`serve`] for the CLI, and
//! [`spawn`] for tests and benchmarks (port 0, background task, shutdown on drop).

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::SandboxConfig;
use crate::route::{Vendor, locate, rewrite};
use crate::sandbox::Sandbox;

/// The whole sandbox: the control API under `/_sandbox` and every vendor imitation, each
/// request dispatched to its vendor by path prefix or Host (Zendesk when neither names one,
/// which answers as Zendesk does for an unknown endpoint).
pub fn router(sandbox: Sandbox) -> Router {
    let vendors = Router::new()
        .nest_service(
            &internal_prefix(Vendor::Zendesk),
            crate::zendesk::service(sandbox.clone()),
        )
        .nest_service(
            &internal_prefix(Vendor::Freshdesk),
            crate::freshdesk::service(sandbox.clone()),
        )
        .nest_service(
            &internal_prefix(Vendor::Intercom),
            crate::intercom::service(sandbox.clone()),
        );
    // The layer wraps the fallback, so `vendors` routes the rewritten path.
    let dispatched = Router::new()
        .fallback_service(vendors)
        .layer(axum::middleware::from_fn(dispatch));
    Router::new()
        .nest("/_sandbox", crate::control::router(sandbox))
        .fallback_service(dispatched)
}

/// Where a vendor's service is mounted inside the sandbox; `dispatch` adds it and the
/// nesting takes it off again, so each vendor sees the request as the client sent it.
fn internal_prefix(vendor: Vendor) -> String {
    format!("/~{}", vendor.as_str())
}

async fn dispatch(mut request: Request, next: Next) -> Response {
    let vendor = locate(&request).map_or(Vendor::Zendesk, |t| t.vendor);
    let path = format!("{}{}", internal_prefix(vendor), request.uri().path());
    if !rewrite(&mut request, &path) {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(request).await
}

/// Serves the sandbox on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    sandbox: Sandbox,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(listener, router(sandbox))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Seeds a sandbox from `config` and serves it on `127.0.0.1:0` in a background task.
pub async fn spawn(config: SandboxConfig) -> io::Result<RunningSandbox> {
    let sandbox =
        Sandbox::new(config).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    spawn_with(sandbox).await
}

/// Serves an existing sandbox (for example one on a [`crate::ManualClock`]) on
/// `127.0.0.1:0` in a background task.
pub async fn spawn_with(sandbox: Sandbox) -> io::Result<RunningSandbox> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, sandbox.clone(), async {
        // Either an explicit shutdown or the handle being dropped ends the server.
        let _ = rx.await;
    }));
    Ok(RunningSandbox {
        addr,
        sandbox,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// A sandbox served in the background. Dropping it stops the server.
#[derive(Debug)]
pub struct RunningSandbox {
    addr: SocketAddr,
    sandbox: Sandbox,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl RunningSandbox {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL a Zendesk connector uses for an account:
    /// `http://127.0.0.1:PORT/zendesk/{subdomain}`.
    pub fn zendesk_base_url(&self, subdomain: &str) -> String {
        format!("http://{}/zendesk/{subdomain}", self.addr)
    }

    /// The base URL a Freshdesk connector uses for an account:
    /// `http://127.0.0.1:PORT/freshdesk/{domain}` (or send `Host: {domain}.freshdesk.com`
    /// to [`Self::base_url`]).
    pub fn freshdesk_base_url(&self, domain: &str) -> String {
        format!("http://{}/freshdesk/{domain}", self.addr)
    }

    /// The base URL an Intercom connector uses for a region's API host (`us`, `eu`, `au`):
    /// `http://127.0.0.1:PORT/intercom/{region}` (or send `Host: api.eu.intercom.io` etc.
    /// to [`Self::base_url`]).
    pub fn intercom_base_url(&self, region: crate::IntercomRegion) -> String {
        format!("http://{}/intercom/{}", self.addr, region.as_str())
    }

    /// Where a browser opens Intercom's OAuth page: `http://127.0.0.1:PORT/intercom/app`
    /// (the stand-in for `https://app.intercom.io`), to which `/oauth?...` is appended.
    pub fn intercom_app_url(&self) -> String {
        format!("http://{}/intercom/app", self.addr)
    }

    /// The shared state, for counters, credentials and runtime settings.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// The human summary of accounts and credentials, with this server's URLs.
    pub fn summary(&self) -> String {
        self.sandbox.summary(&self.base_url())
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
