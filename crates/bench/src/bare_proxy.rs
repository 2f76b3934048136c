//! The floor under the passthrough benchmark: a reverse proxy built from the parts deskgate
//! serves and calls with (axum's server on a multi-threaded tokio runtime, hyper-util's
//! pooled client, mimalloc) and nothing else. No API key, no connection lookup, no budget, no
//! SSRF guard, no metrics, no event: each request is sent on to the upstream with the
//! account's credentials added, as `nginx` is configured to, and the answer streams back.
//!
//! What this costs a request is what any gateway made of these parts pays before its own
//! logic; `bench/run passthrough` prints deskgate's CPU per request against it beside
//! deskgate's against nginx's.

use std::net::SocketAddr;

use anyhow::Context as _;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt as _;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Where to listen, `127.0.0.1:PORT`.
    #[arg(long)]
    listen: SocketAddr,
    /// The upstream's origin and path prefix, `http://127.0.0.1:PORT/zendesk/acme`.
    #[arg(long)]
    upstream: String,
    /// The `Authorization` header sent upstream with every request.
    #[arg(long, env = "BARE_PROXY_AUTHORIZATION", hide_env_values = true)]
    authorization: String,
}

#[derive(Clone)]
struct Proxy {
    client: Client<HttpConnector, Body>,
    upstream: String,
    authorization: HeaderValue,
}

async fn forward(State(p): State<Proxy>, mut request: Request) -> Response {
    let path = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let Ok(uri) = format!("{}{path}", p.upstream).parse::<Uri>() else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    *request.uri_mut() = uri;
    let headers = request.headers_mut();
    headers.remove(header::HOST);
    headers.insert(header::AUTHORIZATION, p.authorization.clone());
    match p.client.request(request).await {
        Ok(answer) => answer.map(Body::new),
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

/// Serves until SIGTERM, then answers what it served with.
pub(crate) async fn run(args: Args) -> anyhow::Result<Value> {
    let authorization = HeaderValue::from_str(&args.authorization)
        .context("--authorization is not a valid header value")?;
    let upstream = args.upstream.trim_end_matches('/').to_owned();
    upstream
        .parse::<Uri>()
        .context("--upstream is not a URI: give http://HOST:PORT/PREFIX")?;
    // Nagle's algorithm off on both sides, as deskgate and nginx have it.
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client = Client::builder(TokioExecutor::new()).build(connector);
    let router = Router::new().fallback(forward).with_state(Proxy {
        client,
        upstream,
        authorization,
    });
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await?
        .tap_io(|stream| {
            let _ = stream.set_nodelay(true);
        });
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            term.recv().await;
        })
        .await?;
    Ok(json!({ "served": "bare-proxy" }))
}
